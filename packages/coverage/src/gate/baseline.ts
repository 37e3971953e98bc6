import { inflateRawSync } from 'node:zlib';
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

/**
 * Reads the files of a zip archive (stored or deflated entries; what GitHub's artifact download returns).
 * @param data the archive bytes.
 * @param name the archive's name for messages.
 * @returns file name -> content; folders are skipped.
 * @throws CoverageGateError when the data is not a readable zip.
 */
export function readZip(data: Uint8Array, name: string): Map<string, Buffer> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bad = (problem: string) =>
    new CoverageGateError(name, problem, 'Re-run the base branch workflow so it uploads the report again');
  let eocd = -1;
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('is not a zip archive');
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (offset + 46 > buf.length || buf.readUInt32LE(offset) !== 0x02014b50)
      throw bad('has a broken central directory');
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const localOffset = buf.readUInt32LE(offset + 42);
    const fileName = buf.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (fileName.endsWith('/')) continue;
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) throw bad('uses zip64, which is not supported');
    if (buf.readUInt32LE(localOffset) !== 0x04034b50) throw bad(`has a broken entry ${fileName}`);
    const start = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const raw = buf.subarray(start, start + compressedSize);
    if (method === 0) files.set(fileName, Buffer.from(raw));
    else if (method === 8) files.set(fileName, inflateRawSync(raw));
    else throw bad(`entry ${fileName} uses compression method ${method}`);
  }
  return files;
}
