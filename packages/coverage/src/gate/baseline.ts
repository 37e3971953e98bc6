import { crc32, inflateRawSync } from 'node:zlib';
import { METRICS, type FileCoverage, type Metric } from '../model.js';
import { CoverageGateError } from './errors.js';
import type { PackageMap } from './packages.js';
import { totals as sumTotals } from '../merge.js';
import { percentsOf } from './totals.js';

/** Percentages per metric (rounded down, as shown). */
export type MetricPercents = Partial<Record<Metric, number>>;

/** Coverage of the base branch, to compute the drop against. */
export interface Baseline {
  /** Where it came from, shown in the comment, e.g. "artifact coverage-gate-report of run 42 (1a2b3c4)". */
  source: string;
  /** The commit it measured, when known. */
  commit?: string;
  totals: MetricPercents;
  /** Per package name. */
  packages: Record<string, MetricPercents>;
}

/** The name under which per-package metrics are stored in a report's `metrics`: `package:<name>:<metric>`. */
export function packageMetricKey(pkg: string, metric: Metric): string {
  return `package:${pkg}:${metric}`;
}

/**
 * Reads a baseline from a previous JSON report of this gate (the `report` output of a base branch run).
 * @param json the parsed JSON.
 * @param source description for messages.
 * @returns the baseline, or `null` when the JSON is not a coverage gate report (then try it as a coverage file).
 */
export function baselineFromGateReport(json: unknown, source: string): Baseline | null {
  if (typeof json !== 'object' || json === null) return null;
  const report = json as { gate?: unknown; metrics?: unknown; commit?: unknown; schemaVersion?: unknown };
  if (report.gate !== 'coverage' || typeof report.metrics !== 'object' || report.metrics === null) return null;
  const metrics = report.metrics as Record<string, unknown>;
  const totals: MetricPercents = {};
  const packages: Record<string, MetricPercents> = {};
  for (const m of METRICS) if (typeof metrics[m] === 'number') totals[m] = metrics[m] as number;
  for (const [key, value] of Object.entries(metrics)) {
    const match = /^package:(.+):(lines|branches|functions|statements)$/.exec(key);
    if (!match || typeof value !== 'number') continue;
    (packages[match[1]] ??= {})[match[2] as Metric] = value;
  }
  return { source, commit: typeof report.commit === 'string' ? report.commit : undefined, totals, packages };
}

/**
 * Computes a baseline from raw coverage of the base (any report format the parsers read, e.g. the base branch's
 * lcov.info), so a team without our JSON report can still gate on drops.
 * @param files merged coverage of the base.
 * @param packages the same package map as the current run, so per-package deltas compare like with like.
 * @param source description for messages.
 * @returns totals and per-package percentages.
 */
export function baselineFromCoverage(files: Iterable<FileCoverage>, packages: PackageMap, source: string): Baseline {
  const all = [...files];
  const byPackage = new Map<string, FileCoverage[]>();
  for (const file of all) {
    const name = packages.packageOf(file.path);
    byPackage.set(name, [...(byPackage.get(name) ?? []), file]);
  }
  const perPackage: Record<string, MetricPercents> = {};
  for (const [name, list] of byPackage) perPackage[name] = percentsOf(sumTotals(list));
  return { source, totals: percentsOf(sumTotals(all)), packages: perPackage };
}

/** The GitHub Actions API calls the baseline lookup needs; the action injects an octokit-backed implementation. */
export interface ArtifactApi {
  /** Successful workflow runs of this repository for a commit, newest first. */
  listRunsForCommit(sha: string): Promise<{ id: number; name?: string | null; htmlUrl?: string }[]>;
  /** Artifacts of a run. */
  listRunArtifacts(runId: number): Promise<{ id: number; name: string; expired: boolean }[]>;
  /** The artifact's zip archive. */
  downloadArtifact(artifactId: number): Promise<Uint8Array>;
}

/** Options of {@link findBaselineArtifact}. */
export interface ArtifactLookup {
  /** Commits to look at in order: the merge base first, then the base branch head. */
  commits: string[];
  /** Artifact name the base branch run uploaded the report under. */
  artifactName: string;
  /** File inside the artifact; default: the first `*.json` that is a coverage gate report. */
  fileName?: string;
}

/**
 * Finds the base branch's report artifact: the newest successful run for each commit, its artifact by name, the
 * report JSON inside the zip.
 * @param api the Actions API.
 * @param lookup commits and names.
 * @returns the baseline, or a note saying what was searched when none was found.
 */
export async function findBaselineArtifact(
  api: ArtifactApi,
  lookup: ArtifactLookup,
): Promise<{ baseline: Baseline | null; note: string }> {
  const commits = [...new Set(lookup.commits.filter(Boolean))];
  for (const sha of commits) {
    const runs = await api.listRunsForCommit(sha);
    for (const run of runs) {
      const artifact = (await api.listRunArtifacts(run.id)).find((a) => a.name === lookup.artifactName && !a.expired);
      if (!artifact) continue;
      const entries = readZip(await api.downloadArtifact(artifact.id), `artifact ${artifact.name}`);
      const source = `artifact \`${artifact.name}\` of run ${run.id} (${sha.slice(0, 7)})`;
      for (const [name, content] of entries) {
        if (lookup.fileName ? name !== lookup.fileName : !name.endsWith('.json')) continue;
        let json: unknown;
        try {
          json = JSON.parse(content.toString('utf8'));
        } catch {
          continue;
        }
        const baseline = baselineFromGateReport(json, source);
        if (baseline) return { baseline: { ...baseline, commit: baseline.commit ?? sha }, note: `Base: ${source}.` };
      }
    }
  }
  const searched = commits.map((c) => c.slice(0, 7)).join(', ') || 'no commit';
  return {
    baseline: null,
    note: `no successful run of ${searched} has an artifact \`${lookup.artifactName}\`; upload the \`report\` output on the base branch (docs/coverage-gate.md) or set \`base-report\`.`,
  };
}

const ZIP_LOCAL_HEADER = 0x04034b50;
const ZIP_CENTRAL_HEADER = 0x02014b50;
const ZIP_END = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
/** A 32-bit size or offset of this value (a 16-bit count of 0xffff) means "the real one is in the zip64 record". */
const U32_SENTINEL = 0xffffffff;
const U16_SENTINEL = 0xffff;

/** A bounds-checked little-endian reader: every read past the end becomes the archive's one clear error. */
class ZipReader {
  constructor(
    private readonly buf: Buffer,
    /** Builds the error for a broken archive (names the archive and the fix). */
    readonly bad: (problem: string) => CoverageGateError,
  ) {}

  private need(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.buf.length)
      throw this.bad(`is truncated or corrupt: ${what} lies outside its ${this.buf.length} bytes`);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.buf.readUInt16LE(offset);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.buf.readUInt32LE(offset);
  }

  u64(offset: number, what: string): number {
    this.need(offset, 8, what);
    const value = this.buf.readBigUInt64LE(offset);
    // Nothing beyond 2^53 can address bytes of an archive held in memory.
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.bad(`is corrupt: ${what} is ${value}`);
    return Number(value);
  }

  bytes(offset: number, size: number, what: string): Buffer {
    this.need(offset, size, what);
    return this.buf.subarray(offset, offset + size);
  }
}

/** Where the central directory is and how many entries it has: the zip64 end record's numbers when there is one. */
function zipDirectory(zip: ZipReader, eocd: number): { count: number; offset: number } {
  const count = zip.u16(eocd + 10, 'the entry count');
  const offset = zip.u32(eocd + 16, 'the central directory offset');
  const locator = eocd - 20;
  if (locator < 0 || zip.u32(locator, 'the zip64 locator') !== ZIP64_LOCATOR) {
    if (count === U16_SENTINEL || offset === U32_SENTINEL)
      throw zip.bad('is a zip64 archive whose zip64 end record is missing');
    return { count, offset };
  }
  // The locator, not the sentinels, decides: writers that force zip64 may leave real values in the old record.
  const end64 = zip.u64(locator + 8, 'the zip64 end record offset');
  if (zip.u32(end64, 'the zip64 end record') !== ZIP64_END) throw zip.bad('has a broken zip64 end record');
  return {
    count: zip.u64(end64 + 32, 'the zip64 entry count'),
    offset: zip.u64(end64 + 48, 'the zip64 central directory offset'),
  };
}

/**
 * Replaces the 0xffffffff sentinels of a central directory entry with the 64-bit values of its zip64 extra field
 * (id 0x0001), which lists only the sentinel fields, in the order uncompressed size, compressed size, local offset.
 */
function applyZip64Extra(
  zip: ZipReader,
  extraStart: number,
  extraLength: number,
  entry: { size: number; compressedSize: number; localOffset: number },
  fileName: string,
): void {
  const fields = (['size', 'compressedSize', 'localOffset'] as const).filter((f) => entry[f] === U32_SENTINEL);
  if (fields.length === 0) return;
  for (let at = extraStart; at + 4 <= extraStart + extraLength;) {
    const id = zip.u16(at, `the extra field of ${fileName}`);
    const length = zip.u16(at + 2, `the extra field of ${fileName}`);
    if (id === ZIP64_EXTRA) {
      if (length < fields.length * 8) throw zip.bad(`has a zip64 field of ${fileName} that is too short`);
      fields.forEach((field, i) => (entry[field] = zip.u64(at + 4 + i * 8, `the zip64 field of ${fileName}`)));
      return;
    }
    at += 4 + length;
  }
  throw zip.bad(`has an entry ${fileName} with a zip64 size or offset but no zip64 field`);
}

/**
 * Reads the files of a zip archive (stored or deflated entries; what GitHub's artifact download returns), zip64
 * included: 64-bit sizes and offsets from the entries' zip64 extra fields, the entry count and central directory
 * offset from the zip64 end-of-central-directory record. Sizes and CRC-32 are verified, so a damaged download is an
 * error rather than a wrong baseline.
 * @param data the archive bytes.
 * @param name the archive's name for messages.
 * @returns file name -> content; folders are skipped.
 * @throws CoverageGateError when the data is not a readable zip (one line naming the archive and the fix).
 */
export function readZip(data: Uint8Array, name: string): Map<string, Buffer> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const zip = new ZipReader(
    buf,
    (problem) => new CoverageGateError(name, problem, 'Re-run the base branch workflow so it uploads the report again'),
  );
  let eocd = -1;
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === ZIP_END) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw zip.bad('is not a zip archive');
  const { count, offset: directory } = zipDirectory(zip, eocd);
  let offset = directory;
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (zip.u32(offset, 'the central directory') !== ZIP_CENTRAL_HEADER)
      throw zip.bad('has a broken central directory');
    const flags = zip.u16(offset + 8, 'the central directory');
    const method = zip.u16(offset + 10, 'the central directory');
    const crc = zip.u32(offset + 16, 'the central directory');
    const entry = {
      compressedSize: zip.u32(offset + 20, 'the central directory'),
      size: zip.u32(offset + 24, 'the central directory'),
      localOffset: zip.u32(offset + 42, 'the central directory'),
    };
    const nameLength = zip.u16(offset + 28, 'the central directory');
    const extraLength = zip.u16(offset + 30, 'the central directory');
    const commentLength = zip.u16(offset + 32, 'the central directory');
    const fileName = zip.bytes(offset + 46, nameLength, 'an entry name').toString('utf8');
    applyZip64Extra(zip, offset + 46 + nameLength, extraLength, entry, fileName);
    offset += 46 + nameLength + extraLength + commentLength;
    if (fileName.endsWith('/')) continue;
    if (flags & 1) throw zip.bad(`has an encrypted entry ${fileName}`);
    if (zip.u32(entry.localOffset, `the entry ${fileName}`) !== ZIP_LOCAL_HEADER)
      throw zip.bad(`has a broken entry ${fileName}`);
    const start =
      entry.localOffset +
      30 +
      zip.u16(entry.localOffset + 26, `the entry ${fileName}`) +
      zip.u16(entry.localOffset + 28, `the entry ${fileName}`);
    const raw = zip.bytes(start, entry.compressedSize, `the data of ${fileName}`);
    let content: Buffer;
    if (method === 0) content = Buffer.from(raw);
    else if (method === 8) {
      try {
        // The declared size bounds the output, so a lying entry cannot inflate into gigabytes.
        content = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (error) {
        throw zip.bad(`has an entry ${fileName} that does not decompress (${(error as Error).message})`);
      }
    } else throw zip.bad(`entry ${fileName} uses compression method ${method}`);
    if (content.length !== entry.size || crc32(content) !== crc)
      throw zip.bad(`has a damaged entry ${fileName} (size or CRC-32 does not match)`);
    files.set(fileName, content);
  }
  return files;
}
