/**
 * A mistake in the user's gate settings or files (bad threshold, unreadable config, no git history). It carries the
 * place (input name or file:line) and the fix, so the action prints one clear line instead of a stack trace.
 *
 * It has the shape of core's `GateError` (`name`, `fix`, `file`, `line`) without importing core, because this
 * package stays free of `@actions/*`; core's `isGateError` recognises it by that shape.
 */
export class CoverageGateError extends Error {
  /** Where the bad value is, e.g. "input `thresholds`" or ".github/coverage-gate.yml:4". */
  readonly where: string;
  /** What the user should do about it. */
  readonly fix: string;
  /** The file at fault, when the value came from a file. */
  readonly file?: string;
  /** 1-based line in {@link CoverageGateError.file}. */
  readonly line?: number;

  constructor(where: string, problem: string, fix: string) {
    const located = /^(.+):(\d+)$/.exec(where);
    super(located ? problem : `${where}: ${problem}`);
    // The name core's isGateError looks for: a user mistake, shown as one line without stack.
    this.name = 'GateError';
    this.where = where;
    this.fix = fix;
    if (located) {
      this.file = located[1];
      this.line = Number(located[2]);
    }
  }

  /** The one line users see, the same as core's formatGateError: `where: problem — fix`. */
  override toString(): string {
    return `${this.where}: ${this.file ? this.message : this.message.slice(this.where.length + 2)} — ${this.fix}`;
  }
}

/**
 * Turns the parsers' `CoverageInputError` (bad report file) into a {@link CoverageGateError}, so the action and the
 * CLI show it as one line with its fix instead of as a bug with a stack trace. Other values pass through unchanged.
 * @param error anything thrown.
 * @returns the error to rethrow.
 */
export function asUserError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'CoverageInputError') return error;
  const input = error as Error & { file?: unknown; line?: unknown; fix?: unknown };
  if (typeof input.file !== 'string' || typeof input.fix !== 'string') return error;
  const where = typeof input.line === 'number' ? `${input.file}:${input.line}` : input.file;
  let problem = error.message;
  if (problem.startsWith(`${where}: `)) problem = problem.slice(where.length + 2);
  if (problem.endsWith(`. ${input.fix}`)) problem = problem.slice(0, -(input.fix.length + 2));
  return new CoverageGateError(where, problem, input.fix);
}
