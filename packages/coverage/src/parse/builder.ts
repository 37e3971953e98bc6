import { CoverageRecord, LINE_HIT, LINE_MISSED, type Counter, type FileCoverage } from '../model.js';

/**
 * Highest source line we accept. A report line number is used as an array index, so an adversarial `DA:2000000000,1`
 * must not allocate gigabytes; no real source file is anywhere near this long.
 */
export const MAX_LINE = 5_000_000;

/** Branch keys pack (block, branch) into one exact double when both fit; see {@link branchKey}. */
const BRANCH_SHIFT = 2 ** 21;
const BLOCK_LIMIT = 2 ** 31;

/**
 * Free-text branch names (coverage.py "jump to line 3", gcc "e0" exception blocks) are interned to negative ids.
 * Process-wide on purpose: two reports of the same file must give the same id to the same name so merge can union.
 */
const internedBranchNames = new Map<string, number>();

/**
 * Identity of a branch within its line as a double, so branch identities sort and compare without strings.
 * @param block block / group number, or text when the format uses names.
 * @param branch branch number within the block, or text.
 * @returns a non-negative packed number for small integers, a negative interned id otherwise.
 */
export function branchKey(block: number | string, branch: number | string): number {
  if (
    typeof block === 'number' &&
    typeof branch === 'number' &&
    block >= 0 &&
    block < BLOCK_LIMIT &&
    branch >= 0 &&
    branch < BRANCH_SHIFT
  ) {
    return block * BRANCH_SHIFT + branch;
  }
  const name = `${block}\u0000${branch}`;
  let id = internedBranchNames.get(name);
  if (id === undefined) {
    id = -(internedBranchNames.size + 1);
    internedBranchNames.set(name, id);
  }
  return id;
}

const FNV_OFFSET = 0x811c9dc5;
const TWO_POW_32 = 2 ** 32;

/**
 * A 52-bit hash of the UTF-8 bytes b[s, e): two 32-bit FNV-1a variants, 32 + 20 bits, exact in a double. Used as
 * a function's identity, so equal names in two reports of one file get the same key without keeping the names.
 * @param b bytes.
 * @param s start (inclusive).
 * @param e end (exclusive).
 */
export function functionKeyOfBytes(b: Uint8Array, s: number, e: number): number {
  let h1 = FNV_OFFSET;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0) + (h2 & 0xfffff) * TWO_POW_32;
}

/**
 * {@link functionKeyOfBytes} of a string's UTF-8 encoding (same key as the bytes would give).
 * @param name the function identity.
 */
export function functionKey(name: string): number {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) >= 128) {
      ascii = false;
      break;
    }
  }
  if (!ascii) {
    const bytes = Buffer.from(name, 'utf8');
    return functionKeyOfBytes(bytes, 0, bytes.length);
  }
  let h1 = FNV_OFFSET;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return (h1 >>> 0) + (h2 & 0xfffff) * TWO_POW_32;
}

/**
 * Hands out small typed arrays as views into shared 1 MB slabs. A 20,000-file report needs ~100,000 small arrays;
 * giving each its own ArrayBuffer costs a malloc, a tracked backing store and GC sweeping per array, which showed up
 * as a third of the parse time. Views keep their slab alive, which is fine: parsed files live as long as the run.
 */
class Slab {
  private buffer = new ArrayBuffer(0);
  private offset = 0;

  private take(bytes: number, align: number): [ArrayBuffer, number] {
    let start = (this.offset + align - 1) & ~(align - 1);
    if (start + bytes > this.buffer.byteLength) {
      if (bytes > 256 * 1024) return [new ArrayBuffer(bytes), 0];
      this.buffer = new ArrayBuffer(1024 * 1024);
      start = 0;
    }
    this.offset = start + bytes;
    return [this.buffer, start];
  }

  u8(length: number): Uint8Array {
    const [buffer, start] = this.take(length, 1);
    return new Uint8Array(buffer, start, length);
  }

  f64(length: number): Float64Array {
    const [buffer, start] = this.take(length * 8, 8);
    return new Float64Array(buffer, start, length);
  }
}

const slab = new Slab();

/**
 * Accumulates the coverage of one source file while a parser walks a report. The same builder is reused when a report
 * mentions a file twice (several lcov records, several Cobertura classes), so within one report hits are unioned.
 */
export class FileBuilder {
  /** Line status by line number, grown on demand; see {@link LINE_HIT}. */
  lines = new Uint8Array(128);
  maxLine = 0;
  // Branch identities in reusable typed scratch arrays (the lcov parser reuses one builder for every record, so a
  // 20,000-file trace allocates no per-record arrays); `bCount` entries are valid.
  private bLine = new Int32Array(64);
  private bKey = new Float64Array(64);
  private bTaken = new Uint8Array(64);
  private bCount = 0;
  private bSorted = true;
  // Functions by 52-bit hash of their identity (see functionKey): numbers, not strings, so 190,000 function names
  // of a monorepo trace are neither decoded nor kept on the JS heap (they made V8's young generation balloon).
  private fnIndex: Map<number, number> | null = null;
  private fnKeys = new Float64Array(16);
  private fnHit = new Uint8Array(16);
  private fnCount = 0;
  private fnCursor = 0;
  statements: Counter | null = null;
  lineCounts: Counter | undefined;
  /** Set when the format has function data even if this file declares none, so 0 functions is not "no data". */
  functionsKnown = false;

  constructor(public path: string) {}

  /**
   * Empties the builder for another file, keeping its grown buffers: the lcov parser reuses one builder for all
   * records so a 20,000-file trace allocates almost nothing per record.
   */
  reset(path: string): void {
    this.path = path;
    this.lines.fill(0, 0, this.maxLine + 1);
    this.maxLine = 0;
    this.bCount = 0;
    this.bSorted = true;
    this.fnIndex?.clear();
    this.fnCount = 0;
    this.fnCursor = 0;
    this.statements = null;
    this.lineCounts = undefined;
    this.functionsKnown = false;
  }

  /** Adds everything of an already finished file (same source file seen again): hits union per identity. */
  absorb(file: FileCoverage): void {
    const lines = file.lines;
    for (let i = 1; i < lines.length; i++) {
      const status = lines[i]!;
      if (status !== 0) this.line(i, status === LINE_HIT);
    }
    const bd = file.branchDetail;
    if (bd) {
      for (let i = 0; i < bd.length; i += 2) {
        const signed = bd[i]!;
        this.branch(signed < 0 ? -signed : signed, bd[i + 1]!, signed < 0);
      }
    }
    const fd = file.functionDetail;
    if (fd) {
      for (let i = 0; i < fd.length; i++) {
        const value = fd[i]!;
        this.functionHitKey(value < 0 ? -value - 1 : value, value < 0);
      }
    } else if (file.functions) this.functionsKnown = true;
    if (file.statements) this.addStatements(file.statements.found, file.statements.hit);
    if (file.lineCounts) {
      const lc = (this.lineCounts ??= { found: 0, hit: 0 });
      lc.found += file.lineCounts.found;
      lc.hit += file.lineCounts.hit;
    }
  }

  /**
   * Marks a line executable, and hit when `hit`. Hits win over misses (union).
   * @returns false when the line number is out of range (caller warns).
   */
  line(lineNo: number, hit: boolean): boolean {
    if (!(lineNo >= 1 && lineNo <= MAX_LINE) || (lineNo | 0) !== lineNo) return false;
    let lines = this.lines;
    if (lineNo >= lines.length) {
      let size = lines.length * 2;
      while (size <= lineNo) size *= 2;
      const grown = new Uint8Array(Math.min(size, MAX_LINE + 1));
      grown.set(lines);
      this.lines = lines = grown;
    }
    const status = hit ? LINE_HIT : LINE_MISSED;
    if (lines[lineNo]! < status) lines[lineNo] = status;
    if (lineNo > this.maxLine) this.maxLine = lineNo;
    return true;
  }

  /** Records one branch identity on a line; duplicates are unioned at {@link finish}. */
  branch(lineNo: number, key: number, taken: boolean): boolean {
    if (!(lineNo >= 1 && lineNo <= MAX_LINE) || (lineNo | 0) !== lineNo) return false;
    const n = this.bCount;
    if (n > 0 && this.bSorted) {
      const lastLine = this.bLine[n - 1]!;
      if (lineNo < lastLine || (lineNo === lastLine && key <= this.bKey[n - 1]!)) this.bSorted = false;
    }
    if (n === this.bLine.length) {
      const size = n * 2;
      const line = new Int32Array(size);
      line.set(this.bLine);
      const keys = new Float64Array(size);
      keys.set(this.bKey);
      const taken = new Uint8Array(size);
      taken.set(this.bTaken);
      this.bLine = line;
      this.bKey = keys;
      this.bTaken = taken;
    }
    this.bLine[n] = lineNo;
    this.bKey[n] = key;
    this.bTaken[n] = taken ? 1 : 0;
    this.bCount = n + 1;
    return true;
  }

  /**
   * Records `found` anonymous branches on a line, `hit` of them taken (formats with per-line counts only). Encoded as
   * keys 0..found-1 so that a later union with another report degrades to max(found), max(hit) for that line.
   */
  lineBranches(lineNo: number, found: number, hit: number): boolean {
    if (!(lineNo >= 1 && lineNo <= MAX_LINE) || (lineNo | 0) !== lineNo) return false;
    const n = Math.min(found, 1_000_000);
    for (let i = 0; i < n; i++) this.branch(lineNo, i, i < hit);
    return true;
  }

  /** Declares a function (identity = name or index text); idempotent. */
  defineFunction(name: string): number {
    return this.defineFunctionKey(functionKey(name));
  }

  /** Declares a function by its {@link functionKey}; idempotent. Returns its index. */
  defineFunctionKey(key: number): number {
    this.functionsKnown = true;
    const n = this.fnCount;
    // lcov lists FNDA in FN order, so the next function is almost always the one asked for.
    const cursor = this.fnCursor;
    if (cursor < n && this.fnKeys[cursor] === key) {
      this.fnCursor = cursor + 1;
      return cursor;
    }
    const index = (this.fnIndex ??= new Map()).get(key);
    if (index !== undefined) {
      this.fnCursor = index + 1;
      return index;
    }
    if (n === this.fnKeys.length) {
      const keys = new Float64Array(n * 2);
      keys.set(this.fnKeys);
      const hit = new Uint8Array(n * 2);
      hit.set(this.fnHit);
      this.fnKeys = keys;
      this.fnHit = hit;
    }
    this.fnKeys[n] = key;
    this.fnHit[n] = 0;
    this.fnIndex.set(key, n);
    this.fnCount = n + 1;
    return n;
  }

  /** Marks a function as run when `hit`; declares it when the report never did. */
  functionHit(name: string, hit: boolean): void {
    this.functionHitKey(functionKey(name), hit);
  }

  /** {@link functionHit} by key. */
  functionHitKey(key: number, hit: boolean): void {
    const index = this.defineFunctionKey(key);
    if (hit) this.fnHit[index] = 1;
  }

  /** Adds statement counts (statements carry no per-line identity in our model). */
  addStatements(found: number, hit: number): void {
    const s = (this.statements ??= { found: 0, hit: 0 });
    s.found += found;
    s.hit += hit;
  }

  /** Freezes the accumulated data into a {@link FileCoverage} (paths untouched). */
  finish(path = this.path): FileCoverage {
    let lines: Uint8Array;
    if (this.maxLine === 0) lines = new Uint8Array(0);
    else {
      lines = slab.u8(this.maxLine + 1);
      lines.set(this.lines.subarray(0, this.maxLine + 1));
    }
    const file = newFileCoverage(path, lines);
    file.statements = this.statements;
    if (this.lineCounts) file.lineCounts = this.lineCounts;
    this.finishBranches(file);
    if (this.fnCount > 0 || this.functionsKnown) {
      const n = this.fnCount;
      const detail = slab.f64(n);
      let count = 0;
      for (let i = 0; i < n; i++) {
        const hit = this.fnHit[i] === 1;
        detail[i] = hit ? -this.fnKeys[i]! - 1 : this.fnKeys[i]!;
        if (hit) count++;
      }
      file.functions = { found: n, hit: count };
      file.functionDetail = detail;
    }
    return file;
  }

  /** Sorts and deduplicates the branch identities (union of taken) into the packed {@link BranchDetail}. */
  private finishBranches(file: FileCoverage): void {
    const n = this.bCount;
    if (n === 0) return;
    let order: number[] | null = null;
    if (!this.bSorted) {
      order = Array.from({ length: n }, (_, i) => i);
      const bl = this.bLine;
      const bk = this.bKey;
      order.sort((a, b) => bl[a]! - bl[b]! || bk[a]! - bk[b]!);
    }
    // Duplicates are rare, so count unique identities first and allocate exactly once.
    let m = 0;
    for (let j = 0; j < n; j++) {
      const i = order ? order[j]! : j;
      if (j > 0) {
        const p = order ? order[j - 1]! : j - 1;
        if (this.bLine[p] === this.bLine[i] && this.bKey[p] === this.bKey[i]) continue;
      }
      m++;
    }
    const detail = slab.f64(m * 2);
    let lastLine = -1;
    let lastKey = 0;
    let hit = 0;
    m = 0;
    for (let j = 0; j < n; j++) {
      const i = order ? order[j]! : j;
      const l = this.bLine[i]!;
      const k = this.bKey[i]!;
      const taken = this.bTaken[i] === 1;
      if (m > 0 && lastLine === l && lastKey === k) {
        if (taken && detail[2 * (m - 1)]! > 0) {
          detail[2 * (m - 1)] = -l;
          hit++;
        }
        continue;
      }
      detail[2 * m] = taken ? -l : l;
      detail[2 * m + 1] = k;
      if (taken) hit++;
      lastLine = l;
      lastKey = k;
      m++;
    }
    file.branchDetail = detail;
    file.branches = { found: m, hit };
  }
}

/**
 * Creates an empty {@link FileCoverage} whose `branchLines` is computed from `branchDetail` on first read.
 * @param path the file path.
 * @param lines line statuses (index 0 unused).
 */
export function newFileCoverage(path: string, lines: Uint8Array): FileCoverage {
  return new CoverageRecord(path, lines);
}
