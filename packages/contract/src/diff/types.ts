/** Severity of a change, as oasdiff grades it: `ERR` breaks clients, `WARN` may break them, `INFO` is safe. */
export type Level = 'ERR' | 'WARN' | 'INFO';

/** One difference between two API descriptions, named by its oasdiff rule id. */
export interface Change {
  /** oasdiff rule id, e.g. `request-parameter-became-required`. */
  id: string;
  level: Level;
  /** Human sentence in oasdiff's wording, e.g. "the query request parameter `limit` became required". */
  message: string;
  /** `METHOD /path` as written in the head spec (base spec for removals); empty for document-level changes. */
  operation: string;
  /** JSON pointer into the logical document (through `$ref`s), e.g. `/paths/~1pets/get/parameters/query/limit`. */
  path: string;
  /** Where to annotate: the head spec, or the base spec when the thing was removed. */
  location?: { file: string; line: number; column?: number };
  /** Which spec `location` points into. */
  side: 'base' | 'head';
  /** Stable across unrelated edits: a hash of id, operation and logical pointer (never line numbers). */
  fingerprint: string;
}

/** Options of `diffSpecs`. */
export interface DiffOptions {
  /** "Now" for sunset-date decisions (default: the current date); tests pin it. */
  now?: Date;
  /** Minimum days between deprecation and sunset for stable endpoints (oasdiff `--deprecation-days-stable`, default 0 = no check). */
  deprecationDaysStable?: number;
  /** Minimum days for beta endpoints (oasdiff `--deprecation-days-beta`, default 0 = no check). */
  deprecationDaysBeta?: number;
  /** Per-rule level changes, like oasdiff `--severity-levels` (e.g. `{ 'api-security-scope-added': 'ERR' }`). */
  levelOverrides?: Record<string, Level>;
  /** Include `INFO` changes (default true); the gate usually shows them collapsed. */
  includeInfo?: boolean;
}
