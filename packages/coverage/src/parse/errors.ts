/**
 * A coverage report the gate cannot use: missing, empty, malformed, unsupported or too big. It names the file (and the
 * line when known) and says what to do, so the action prints one clear line instead of a stack trace or a silent 0%.
 */
export class CoverageInputError extends Error {
  /** The report file the problem is in (as given by the user or found by discovery). */
  readonly file: string;
  /** 1-based line of the problem, when known. */
  readonly line: number | undefined;
  /** What the user should do about it. */
  readonly fix: string;

  constructor(file: string, problem: string, fix: string, line?: number) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${problem}. ${fix}`);
    this.name = 'CoverageInputError';
    this.file = file;
    this.line = line;
    this.fix = fix;
  }
}
