import * as core from '@actions/core';

/** Everything needed to tell a user what went wrong and how to fix it. */
export interface GateErrorOptions {
  /** What the user should do, e.g. "set `github-token` with `pull-requests: write`". */
  fix: string;
  /** Repo-relative or absolute path of the file at fault, when there is one. */
  file?: string;
  /** 1-based line in {@link GateErrorOptions.file}. */
  line?: number;
  /** The low-level error this one explains (kept for debugging, never printed as a stack). */
  cause?: unknown;
}

/**
 * A mistake the user can fix (bad input, malformed file, missing permission). Caught once at the top by
 * {@link runAction} and shown as one line without a stack trace; any other error is treated as our bug.
 */
export class GateError extends Error {
  readonly fix: string;
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, options: GateErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GateError';
    this.fix = options.fix;
    this.file = options.file;
    this.line = options.line;
  }
}

/**
 * Whether a value is a {@link GateError}. Also recognises one thrown by another copy of this module (two bundles
 * loaded in one process), which `instanceof` would miss.
 * @param error any thrown value.
 * @returns true for user mistakes.
 */
export function isGateError(error: unknown): error is GateError {
  if (error instanceof GateError) return true;
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'GateError' &&
    typeof (error as { fix?: unknown }).fix === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/**
 * Formats a {@link GateError} as the one line users see: `<file>:<line>: <message> — <fix>`.
 * The location part is left out when unknown; newlines are folded so the line stays one line in logs.
 * @param error the user mistake.
 * @returns e.g. `coverage/lcov.info:12: unknown record "XX" — regenerate the report with a current lcov`.
 * @example formatGateError(new GateError('bad value', { fix: 'use a number', file: 'a.yml', line: 3 }))
 * // 'a.yml:3: bad value — use a number'
 */
export function formatGateError(error: GateError): string {
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ''}: ` : '';
  const fix = error.fix.trim() ? ` — ${error.fix.trim()}` : '';
  return oneLine(`${where}${error.message}${fix}`);
}

/**
 * Describes any thrown value for a failure message. User mistakes get one line; our bugs keep the stack so they can
 * be reported; non-Error rejections (strings, plain objects) are rendered readably instead of `[object Object]`.
 * @param error any thrown or rejected value.
 * @returns `userError` true for a {@link GateError}, and the text to show.
 */
export function describeError(error: unknown): { userError: boolean; text: string } {
  if (isGateError(error)) return { userError: true, text: formatGateError(error) };
  if (error instanceof Error) {
    const text = error.stack && error.stack.includes(error.message) ? error.stack : `${error.name}: ${error.message}`;
    return { userError: false, text };
  }
  if (typeof error === 'string') return { userError: false, text: `non-Error value thrown: ${error}` };
  return { userError: false, text: `non-Error value thrown: ${safeStringify(error)}` };
}

/**
 * The single top-level catch of every action: runs `main`, and on failure calls `core.setFailed` with
 * `<actionName> failed with: <reason>`. A {@link GateError} becomes one line without stack; anything else keeps its
 * stack (that is a bug in this project) and asks for a report. Never throws, so `index.ts` can call it bare.
 * @param actionName prefix of the failure message, e.g. `coverage-gate`.
 * @param main the action body.
 * @returns resolves when `main` finished or the failure was recorded.
 * @example await runAction('coverage-gate', run);
 */
export async function runAction(actionName: string, main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    const { userError, text } = describeError(error);
    if (userError) core.setFailed(`${actionName} failed with: ${text}`);
    else
      core.setFailed(
        `${actionName} failed with: ${text}\nThis is a bug in Myco Gates, not in your workflow; please report it with this log.`,
      );
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function safeStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  const seen = new WeakSet<object>();
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return json ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
