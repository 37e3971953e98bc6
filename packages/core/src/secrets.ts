import * as core from '@actions/core';

/** Secrets registered by {@link maskSecrets} in this process; {@link redact} uses them by default. */
const known = new Set<string>();

/**
 * Shortest value {@link redact} replaces in text. The runner masks every registered value in the log, but replacing
 * a 1–3 character "secret" in a PR comment would shred the text without protecting anything real.
 */
export const MIN_REDACTED_LENGTH = 4;

/**
 * Registers secrets with the runner (`core.setSecret`) so every later log line masks them. Call it before anything
 * else is logged — {@link readInputs} does so for inputs declared `secret: true`. Also remembers them for
 * {@link redact}, and registers the common encodings a token leaks in (Basic auth base64, URL-encoded).
 * @param values secret values; empty and undefined ones are skipped.
 * @returns the values that were registered.
 */
export function maskSecrets(values: Iterable<string | undefined | null>): string[] {
  const registered: string[] = [];
  for (const raw of values) {
    if (!raw) continue;
    // A multi-line secret is masked line by line by the runner only if each line is registered.
    const variants = new Set<string>([raw, raw.trim(), ...raw.split(/\r?\n/).map((l) => l.trim())]);
    variants.add(Buffer.from(`x-access-token:${raw.trim()}`).toString('base64'));
    variants.add(encodeURIComponent(raw.trim()));
    for (const v of variants) {
      if (!v) continue;
      core.setSecret(v);
      known.add(v);
      registered.push(v);
    }
  }
  return registered;
}

/**
 * The secrets registered so far by {@link maskSecrets}.
 * @returns a copy; changing it has no effect.
 */
export function knownSecrets(): string[] {
  return [...known];
}

/**
 * Replaces secrets in text we write ourselves (job summary, report file, PR comment), as defence in depth: the runner
 * masks logs but not files or API calls.
 * @param text the text to clean.
 * @param secrets values to remove; defaults to everything registered by {@link maskSecrets}. Values shorter than
 *   {@link MIN_REDACTED_LENGTH} are ignored.
 * @returns the text with each secret replaced by `***`.
 * @example redact('token ghp_abc123 used', ['ghp_abc123']) // 'token *** used'
 */
export function redact(text: string, secrets: Iterable<string | undefined | null> = known): string {
  // Longest first, so a secret that contains another is replaced whole.
  const list = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= MIN_REDACTED_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  let result = text;
  for (const secret of list) if (result.includes(secret)) result = result.split(secret).join('***');
  return result;
}

/**
 * {@link redact} applied to every string inside a value (report models, payloads), before it is rendered: once text
 * is escaped for markdown (`ghs_x` becomes `ghs\_x`) a secret can no longer be found by plain search.
 * @param value any JSON-like value.
 * @param secrets values to remove; defaults to everything registered by {@link maskSecrets}.
 * @returns a copy with secrets replaced by `***` (keys included); non-string leaves are kept.
 */
export function redactDeep<T>(value: T, secrets: Iterable<string | undefined | null> = known): T {
  const list = [...secrets];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [redact(k, list), walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
