/** Test-only helpers shared by the package's tests. */
import { expect } from 'vitest';
import { formatGateError, GateError } from './errors.js';

/**
 * Runs `fn` (sync or async) and returns the one-line text of the GateError it throws; fails the test otherwise.
 * @param fn code expected to throw a GateError.
 * @returns `formatGateError` of the error.
 */
export async function gateErrorOf(fn: (() => unknown) | Promise<unknown>): Promise<string> {
  let error: unknown;
  try {
    await (typeof fn === 'function' ? fn() : fn);
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a GateError').toBeInstanceOf(GateError);
  return formatGateError(error as GateError);
}
