import type { FileEntry, GenerateLanguage } from '../api/client.js';

export interface TreeFile {
  kind: 'file';
  name: string;
  path: string;
  size: number;
}

export interface TreeDir {
  kind: 'dir';
  name: string;
  path: string;
  children: TreeNode[];
}

export type TreeNode = TreeFile | TreeDir;

/**
 * Turns the backend's flat, slash-separated file list into a tree. Directories are implied by
 * the paths (the API has no directory entries); each level lists directories first, then files,
 * each alphabetically, as file explorers do.
 */
export function buildTree(files: readonly FileEntry[]): TreeNode[] {
  const root: TreeDir = { kind: 'dir', name: '', path: '', children: [] };
  for (const file of files) {
    const parts = file.path.split('/').filter(Boolean);
    let dir = root;
    parts.slice(0, -1).forEach((part, depth) => {
      const path = parts.slice(0, depth + 1).join('/');
      let next = dir.children.find((c): c is TreeDir => c.kind === 'dir' && c.name === part);
      if (!next) {
        next = { kind: 'dir', name: part, path, children: [] };
        dir.children.push(next);
      }
      dir = next;
    });
    dir.children.push({ kind: 'file', name: parts[parts.length - 1] ?? file.path, path: file.path, size: file.size });
  }
  sortTree(root);
  return root.children;
}

function sortTree(dir: TreeDir): void {
  dir.children.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'dir' ? -1 : 1));
  for (const child of dir.children) if (child.kind === 'dir') sortTree(child);
}

const LANGUAGE_BY_EXTENSION: Record<string, GenerateLanguage> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  go: 'go',
  rs: 'rust',
};

/** The generation language matching a file's extension; TypeScript (the API's default) otherwise. */
export function languageForPath(path: string | undefined): GenerateLanguage {
  const extension = path?.split('.').pop()?.toLowerCase() ?? '';
  return LANGUAGE_BY_EXTENSION[extension] ?? 'typescript';
}

/**
 * Checks a new file path the way the backend does, so the user sees the reason before a round
 * trip: relative, slash-separated, no `..` segments, no backslash or NUL. Returns the problem, or
 * undefined when the path is acceptable.
 */
export function pathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'Enter a file path, e.g. src/index.ts.';
  if (path.startsWith('/')) return 'Use a path relative to the project root, without a leading slash.';
  if (path.includes('\\')) return 'Separate folders with "/", not "\\".';
  if (path.includes('\0')) return 'The path contains a NUL character.';
  if (path.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return 'The path may not contain empty, "." or ".." segments.';
  }
  if (path.length > 512) return 'The path is longer than 512 characters.';
  return undefined;
}
