const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Reads an execution count from report text. Negative counts become 0 (Codecov's rule: a negative count is a tool
 * bug, never coverage); counts beyond 2^53 (uint64 wraparound) stay huge and positive; floats and scientific notation
 * are accepted. Garbage returns null so the caller can skip the record with a warning — never NaN in totals.
 * @param text the raw value, e.g. `12`, `-1`, `1.0e+19`, `18446744073709551615`.
 */
export function parseCount(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (!NUMBER_RE.test(trimmed)) return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  return value > 0 ? value : 0;
}

/**
 * Reads a 1-based line number: a plain positive integer, else null.
 * @param text the raw value.
 */
export function parseLineNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 ? value : null;
}

/**
 * Reads a JSON number that must be a count (non-negative integer-valued after the negative-is-zero rule).
 * @returns the count, or null when the value is not a finite number.
 */
export function jsonCount(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.max(0, value) : null;
  if (typeof value === 'string') return parseCount(value);
  return null;
}
