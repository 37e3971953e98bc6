/**
 * The one error type the loader and the diff engine throw for problems in the user's files: it names the file
 * (repo-relative), the line/column when known, and what to do about it. Anything else escaping is our bug.
 */
export class ContractInputError extends Error {
  /** Repo-relative (or as given) path of the file at fault. */
  readonly file: string;
  /** 1-based line in `file`, when the problem has a position. */
  readonly line?: number;
  /** 1-based column in `file`, when the problem has a position. */
  readonly column?: number;
  /** What the user should change to make the problem go away. */
  readonly fix: string;

  constructor(problem: string, where: { file: string; line?: number; column?: number }, fix: string) {
    const pos = where.line ? `:${where.line}${where.column ? `:${where.column}` : ''}` : '';
    super(`${where.file}${pos}: ${problem}. Fix: ${fix}`);
    this.name = 'ContractInputError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.fix = fix;
  }
}
