import { DEFAULT_ACCEPT_FILE, normalizeOperation, type AcceptEntry, type AcceptFile } from './accept-file.js';

/** What the accept logic needs from a change of the diff engine. */
export interface AcceptableChange {
  /** Rule id, e.g. `response-property-removed`. */
  id: string;
  level: 'ERR' | 'WARN' | 'INFO';
  /** `METHOD /path`, when the change belongs to an operation. */
  operation?: string;
  fingerprint: string;
}

/** Why a change is accepted: an accept-file entry, or the major-version policy. */
export type AcceptedBy = { kind: 'entry'; entry: AcceptEntry } | { kind: 'major-version'; from: string; to: string };

export interface AcceptedChange<C> {
  change: C;
  by: AcceptedBy;
}

/** An entry past its `expires` date. It accepts nothing; the changes it matched stay open. */
export interface ExpiredEntry<C> {
  entry: AcceptEntry;
  /** Repo-relative path of the accept file. */
  file: string;
  /** Changes it would have accepted. */
  matched: C[];
  /** One line naming `file:line`, the entry and the fix. */
  message: string;
}

export interface Acceptance<C> {
  /** Breaking (ERR/WARN) changes not accepted, in input order. */
  open: C[];
  accepted: AcceptedChange<C>[];
  expired: ExpiredEntry<C>[];
  /** Valid entries that matched no change: candidates for removal. */
  unused: AcceptEntry[];
  /** Set when `allow-breaking-on-major` applied. */
  majorBump?: { from: string; to: string };
}

export interface ApplyOptions {
  /** Today as `YYYY-MM-DD` (UTC); injected so tests do not depend on the clock. */
  today: string;
  /** `info.version` of the base and head specs, for `allow-breaking-on-major`. */
  baseVersion?: string;
  headVersion?: string;
}

/**
 * Leading integer of a version (`v2.1.0` → 2); undefined for versions without one (`beta`, `2024-01-01` is 2024).
 * @param version `info.version`.
 * @returns the major number.
 */
export function majorOf(version: string | undefined): number | undefined {
  const match = version === undefined ? null : /^\s*v?(\d+)/i.exec(version);
  return match ? Number(match[1]) : undefined;
}

function describeEntry(entry: AcceptEntry): string {
  return entry.fingerprint ? `fingerprint ${entry.fingerprint}` : `${entry.rule} on ${entry.operation}`;
}

function matches(entry: AcceptEntry, change: AcceptableChange): boolean {
  if (entry.fingerprint !== undefined) return entry.fingerprint === change.fingerprint;
  return (
    entry.rule === change.id &&
    change.operation !== undefined &&
    entry.operation === normalizeOperation(change.operation)
  );
}

/**
 * Mark breaking changes accepted by the accept file (or by a major version bump when the policy allows it).
 * @param changes all changes of the diff; INFO changes pass through untouched (they are never open).
 * @param accept the parsed accept file.
 * @param options today's date and the two `info.version`s.
 * @returns open, accepted, expired and unused, so the report can show each.
 */
export function applyAcceptFile<C extends AcceptableChange>(
  changes: readonly C[],
  accept: AcceptFile,
  options: ApplyOptions,
): Acceptance<C> {
  const result: Acceptance<C> = { open: [], accepted: [], expired: [], unused: [] };
  const valid = accept.entries.filter((e) => e.expires >= options.today);
  const expired = accept.entries.filter((e) => e.expires < options.today);
  const used = new Set<AcceptEntry>();
  const expiredMatches = new Map<AcceptEntry, C[]>(expired.map((e) => [e, []]));
  const baseMajor = majorOf(options.baseVersion);
  const headMajor = majorOf(options.headVersion);
  if (accept.allowBreakingOnMajor && baseMajor !== undefined && headMajor !== undefined && headMajor > baseMajor) {
    result.majorBump = { from: options.baseVersion!, to: options.headVersion! };
  }
  for (const change of changes) {
    if (change.level === 'INFO') continue;
    const entry = valid.find((e) => matches(e, change));
    for (const e of expired) if (matches(e, change)) expiredMatches.get(e)!.push(change);
    if (entry) {
      used.add(entry);
      result.accepted.push({ change, by: { kind: 'entry', entry } });
    } else if (result.majorBump) {
      result.accepted.push({ change, by: { kind: 'major-version', ...result.majorBump } });
    } else result.open.push(change);
  }
  for (const entry of expired) {
    result.expired.push({
      entry,
      file: accept.file ?? DEFAULT_ACCEPT_FILE,
      matched: expiredMatches.get(entry)!,
      message: `${accept.file ?? DEFAULT_ACCEPT_FILE}:${entry.line}: accept entry for ${describeEntry(entry)} (owner ${entry.owner}) expired on ${entry.expires} — renew \`expires\` after a new review, or remove the entry and fix the change`,
    });
  }
  result.unused = valid.filter((e) => !used.has(e));
  return result;
}
