import { ApiError } from '@myco-gates/service-kit';

/**
 * Validates a project file path and returns it unchanged. Anything that could escape the project or alias
 * another file is refused: `..` or `.` segments, absolute paths, backslashes, NUL/control bytes, empty segments.
 */
export function safeFilePath(path: string): string {
  const reason = path.startsWith('/')
    ? 'must be relative (no leading "/")'
    : path.includes('\\')
      ? 'must use "/" as separator, not "\\"'
      : /[\u0000-\u001f\u007f]/.test(path)
        ? 'must not contain NUL or control characters'
        : path.split('/').some((segment) => segment === '..')
          ? 'must not contain ".." segments'
          : path.split('/').some((segment) => segment === '' || segment === '.')
            ? 'must not contain empty or "." segments'
            : undefined;
  if (reason)
    throw new ApiError(400, 'invalid_path', `File path ${JSON.stringify(path)} ${reason}, e.g. "src/index.ts".`);
  return path;
}
