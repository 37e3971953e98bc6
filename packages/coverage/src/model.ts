/**
 * The normalized coverage model every parser produces and the gate evaluates. Raw counts only: percentages are
 * computed from counts by {@link percent}, never averaged.
 */

/** Line status values stored in {@link FileCoverage.lines}. */
export const LINE_NONE = 0; // not executable / not instrumented
export const LINE_MISSED = 1; // executable, 0 hits
export const LINE_HIT = 2; // executable, > 0 hits

/** Found/hit pair for one metric. */
export interface Counter {
  found: number;
  hit: number;
}

/** Coverage of one source file, merged over every report that mentions it. */
export interface FileCoverage {
  /** Repo-relative POSIX path (see paths.ts normalization). */
  path: string;
  /**
   * Per-line status indexed by 1-based line number (index 0 unused): LINE_NONE, LINE_MISSED or LINE_HIT.
   * Compact on purpose: 20,000 files of a monorepo must fit in well under 150 MB.
   */
  lines: Uint8Array;
  /** Branch counts; `null` when the format carries no branch data for this file. */
  branches: Counter | null;
  /** Function counts; `null` when the format carries no function data. */
  functions: Counter | null;
  /** Statement counts; `null` when the format has no statements (lcov, Go …): the gate then says so, never 0%. */
  statements: Counter | null;
  /**
   * Optional per-line branch detail for patch coverage and annotations: line -> [found, hit]. On files from the
   * parsers and merge ({@link CoverageRecord}) it is computed from `branchDetail` on first read, for every format
   * with per-line branches (lcov BRDA, istanbul, Cobertura condition-coverage, JaCoCo, Clover, Sonar, gcovr …).
   */
  branchLines?: Map<number, [number, number]>;
  /**
   * Line counts when the format's own totals are authoritative: istanbul `coverage-summary.json` and gcovr JaCoCo
   * (no per-line data, `lines` empty), coverage.py JSON (its `executed_lines` include non-statement lines such as
   * docstrings, so counting them would disagree with coverage.py). When set, these counts win over `lines`; read
   * line counts through {@link lineCounter}, which handles both cases.
   */
  lineCounts?: Counter;
  /**
   * Identity of every branch (sorted by line, then key; unique), so merging two reports of the same file can union
   * hits per branch instead of guessing. Formats without branch identity (Cobertura `condition-coverage`, JaCoCo
   * `mb/cb`) encode a line's N branches as keys 0..N-1 with the first `hit` taken, so a union degrades to max per line.
   */
  branchDetail?: BranchDetail;
  /** Identity (name or index) of every function and whether it ran, for the same per-identity union on merge. */
  functionDetail?: FunctionDetail;
}

/**
 * Per-branch identities kept by parsers, packed as pairs `[line, key]` in one Float64Array (sorted by line, then key;
 * unique). `line` is negative when the branch was taken: -7 = taken branch on line 7. `key` is the branch's identity
 * within its line (block/branch numbers or an interned name). One array per file on purpose: three typed arrays per
 * file cost ~5 MB of object headers on a 20,000-file report, enough to double V8's young generation.
 */
export type BranchDetail = Float64Array;

/**
 * Per-function identities kept by parsers: one Float64Array entry per function, the 52-bit key of its identity
 * (name or index), stored as `-(key + 1)` when the function ran.
 */
export type FunctionDetail = Float64Array;

/**
 * Line found/hit counts of one file, whether it has per-line data or only summary counts.
 * @param file a parsed or merged file.
 * @returns the counts; `{found: 0, hit: 0}` for a file with no executable lines (which {@link percent} shows as n/a).
 */
export function lineCounter(file: FileCoverage): Counter {
  if (file.lineCounts) return { found: file.lineCounts.found, hit: file.lineCounts.hit };
  let found = 0;
  let hit = 0;
  const lines = file.lines;
  for (let i = 1; i < lines.length; i++) {
    const status = lines[i];
    if (status === LINE_HIT) {
      found++;
      hit++;
    } else if (status === LINE_MISSED) found++;
  }
  return { found, hit };
}

/** The four metrics every gate reports on. */
export const METRICS = ['lines', 'branches', 'functions', 'statements'] as const;
export type Metric = (typeof METRICS)[number];

/** Totals of a set of files. A metric is `null` when no file had data for it. */
export type Totals = Record<Metric, Counter | null>;

/**
 * The rounding rule used everywhere (outputs, comments, threshold checks): covered / total × 100, rounded DOWN to 2
 * decimals. Rounding down means a displayed 85.00% always really is ≥ 85%, so display and verdict never disagree.
 * @param counter found/hit counts.
 * @returns the percentage, or `null` when nothing was found (no data is not 0% and not 100%).
 * @example percent({ found: 3, hit: 2 }) // 66.66
 */
export function percent(counter: Counter | null): number | null {
  if (!counter || counter.found <= 0) return null;
  // Integer arithmetic first so that 2/3 -> 6666 exactly, not 6666.999… -> 6666 by accident of float error.
  const basisPoints = Math.floor((counter.hit * 10000) / counter.found + 1e-9);
  return basisPoints / 100;
}

/**
 * Formats a percentage the one way we show it.
 * @param value a result of {@link percent}.
 * @returns e.g. `84.12%`, or `n/a` for null.
 */
export function formatPercent(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}%`;
}

/**
 * The concrete {@link FileCoverage} parsers and merge produce. `branchLines` is a prototype getter computed from
 * `branchDetail` on first read and cached: most files of a big monorepo are never asked for per-line branches (only
 * changed files are, for patch coverage), and building 20,000 maps eagerly cost 60 MB. A getter on the prototype
 * costs nothing per file; note that `{ ...file }` does not copy it — use {@link newFileCoverageFrom} to copy.
 */
export class CoverageRecord implements FileCoverage {
  branches: Counter | null = null;
  functions: Counter | null = null;
  statements: Counter | null = null;
  lineCounts?: Counter;
  branchDetail?: BranchDetail;
  functionDetail?: FunctionDetail;
  private cachedBranchLines: Map<number, [number, number]> | undefined;

  constructor(
    public path: string,
    public lines: Uint8Array,
  ) {}

  get branchLines(): Map<number, [number, number]> | undefined {
    if (this.cachedBranchLines === undefined && this.branchDetail) {
      this.cachedBranchLines = branchLinesOf(this.branchDetail);
    }
    return this.cachedBranchLines;
  }

  set branchLines(value: Map<number, [number, number]> | undefined) {
    this.cachedBranchLines = value;
  }
}

/**
 * A copy of a file's coverage under another path that shares the (immutable) arrays, so re-keying parsed files
 * costs no copying. `branchLines` stays lazy.
 * @param path the new (normalized) path.
 * @param file the parsed coverage.
 */
export function newFileCoverageFrom(path: string, file: FileCoverage): FileCoverage {
  const copy = new CoverageRecord(path, file.lines);
  copy.branches = file.branches;
  copy.functions = file.functions;
  copy.statements = file.statements;
  if (file.lineCounts) copy.lineCounts = file.lineCounts;
  if (file.functionDetail) copy.functionDetail = file.functionDetail;
  if (file.branchDetail) copy.branchDetail = file.branchDetail;
  else if (file.branchLines) copy.branchLines = file.branchLines;
  return copy;
}

/**
 * Per-line branch counts from branch identities.
 * @param detail sorted branch identities.
 * @returns line -> [found, hit].
 */
export function branchLinesOf(detail: BranchDetail): Map<number, [number, number]> {
  const value = new Map<number, [number, number]>();
  let current: [number, number] = [0, 0];
  let currentLine = -1;
  for (let i = 0; i < detail.length; i += 2) {
    const signed = detail[i]!;
    const line = signed < 0 ? -signed : signed;
    if (line !== currentLine) {
      currentLine = line;
      current = [0, 0];
      value.set(line, current);
    }
    current[0]++;
    if (signed < 0) current[1]++;
  }
  return value;
}
