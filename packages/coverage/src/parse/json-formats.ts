import type { FileHandle } from 'node:fs/promises';
import type { FileCoverage } from '../model.js';
import { FileBuilder, branchKey } from './builder.js';
import { CoverageInputError } from './errors.js';
import { jsonCount } from './numbers.js';
import type { CoverageFormat, ParsedReport } from './types.js';
import { WarningSink } from './warnings.js';

/** Default cap for JSON reports: JSON.parse needs the whole text plus a tree several times its size in memory. */
export const DEFAULT_MAX_JSON_BYTES = 256 * 1024 * 1024;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads and parses a JSON report with a size cap, turning syntax errors into one error with the line number.
 * @param size file size in bytes (from fstat).
 */
export async function readJson(file: string, handle: FileHandle, size: number, maxBytes: number): Promise<unknown> {
  if (size > maxBytes) {
    throw new CoverageInputError(
      file,
      `JSON coverage report is ${Math.round(size / 1024 / 1024)} MB, over the ${Math.round(maxBytes / 1024 / 1024)} MB limit for JSON`,
      'Produce lcov instead (istanbul/vitest/jest: reporter `lcov`), which the gate streams at any size',
    );
  }
  const text = (await handle.readFile()).toString('utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let line: number | undefined;
    if (position) {
      line = 1;
      const end = Number(position[1]);
      for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) line++;
    }
    throw new CoverageInputError(
      file,
      `invalid JSON (${message})`,
      'Regenerate the report; it looks truncated or corrupted',
      line,
    );
  }
}

/** Which JSON coverage format a parsed document is, from its structure. */
export function detectJsonFormat(doc: unknown): CoverageFormat | 'unknown' {
  if (!isObject(doc)) return 'unknown';
  if ('coverageMap' in doc && ('testResults' in doc || 'numTotalTests' in doc)) return 'jest';
  if (typeof doc['gcovr/format_version'] === 'string' && Array.isArray(doc.files)) return 'gcovr';
  if (Array.isArray(doc.source_files)) return 'coveralls';
  if (isObject(doc.meta) && isObject(doc.files)) return 'coveragepy';
  if (isObject(doc.total) && isObject(doc.total.lines) && 'covered' in doc.total.lines) return 'istanbul-summary';
  if (isIstanbulFile(doc)) return 'istanbul';
  const values = Object.values(doc);
  if (values.length > 0 && values.every((v) => isObject(v) && isObject(v.coverage) && 'timestamp' in v))
    return 'simplecov';
  if (values.length > 0 && values.every((v) => isIstanbulFile(v))) return 'istanbul';
  if (values.length === 0) return 'istanbul'; // `{}`: istanbul's output when no file was instrumented
  return 'unknown';
}

function isIstanbulFile(value: unknown): boolean {
  if (!isObject(value)) return false;
  const inner = isObject(value.data) ? value.data : value;
  return isObject(inner.statementMap) || isObject(inner.fnMap) || isObject(inner.branchMap);
}

/**
 * Parses any supported JSON coverage document (already detected).
 * @param file report path, for messages.
 * @param doc the parsed JSON.
 * @param format from {@link detectJsonFormat}.
 */
export function parseJsonDocument(file: string, doc: unknown, format: CoverageFormat): ParsedReport {
  const warnings = new WarningSink(file);
  let files: FileCoverage[];
  switch (format) {
    case 'jest':
      files = istanbulMap(file, (doc as Json).coverageMap, warnings);
      break;
    case 'istanbul':
      files = istanbulMap(file, doc, warnings);
      break;
    case 'istanbul-summary':
      files = istanbulSummary(file, doc as Json);
      break;
    case 'coveragepy':
      files = coveragePy(file, doc as Json, warnings);
      break;
    case 'gcovr':
      files = gcovr(file, doc as Json, warnings);
      break;
    case 'coveralls':
      files = coveralls(file, doc as Json, warnings);
      break;
    case 'simplecov':
      files = simplecov(file, doc as Json, warnings);
      break;
    default:
      throw new CoverageInputError(
        file,
        `not a JSON coverage format (${format})`,
        'Point the gate at a coverage report',
      );
  }
  return { file, format, files, sourceRoots: [], warnings: warnings.finish() };
}

function lineOf(loc: unknown): number | null {
  if (!isObject(loc) || !isObject(loc.start)) return null;
  const line = loc.start.line;
  return typeof line === 'number' && Number.isInteger(line) && line >= 1 ? line : null;
}

/**
 * istanbul `coverage-final.json` (istanbul and v8 providers, optional `data` wrapper, or one bare FileCoverage).
 * Lines follow istanbul: a line is executable when a statement starts on it and hit when any such statement ran.
 * Identities: statements/functions/branches by their map keys, so two runs of the same build union exactly.
 */
function istanbulMap(file: string, map: unknown, warnings: WarningSink): FileCoverage[] {
  if (!isObject(map)) {
    throw new CoverageInputError(
      file,
      'istanbul coverage map is not a JSON object',
      "Use istanbul's `json` reporter output",
    );
  }
  const entries: [string, Json][] = [];
  if (isIstanbulFile(map)) {
    const inner = isObject(map.data) ? map.data : map;
    if (typeof inner.path !== 'string' || inner.path === '') {
      throw new CoverageInputError(
        file,
        'a single istanbul file coverage object without a `path`, so it cannot be matched to a source file',
        "Write the map with istanbul's `json` reporter (coverage-final.json keys each file by its path)",
      );
    }
    entries.push([inner.path, inner]);
  } else {
    for (const [key, value] of Object.entries(map)) {
      if (!isObject(value)) {
        warnings.add('entry', `entry "${key}" is not an istanbul file coverage object; skipped`);
        continue;
      }
      const inner = isObject(value.data) ? value.data : value;
      entries.push([typeof inner.path === 'string' && inner.path !== '' ? inner.path : key, inner]);
    }
  }
  const files: FileCoverage[] = [];
  for (const [path, fc] of entries) {
    const builder = new FileBuilder(path);
    const statementMap = isObject(fc.statementMap) ? fc.statementMap : {};
    const s = isObject(fc.s) ? fc.s : {};
    let found = 0;
    let hit = 0;
    for (const [id, loc] of Object.entries(statementMap)) {
      const line = lineOf(loc);
      const count = jsonCount(s[id]);
      if (line === null || count === null) {
        warnings.add('statement', `${path}: statement ${id} has no valid location or count; skipped`);
        continue;
      }
      builder.line(line, count > 0);
      found++;
      if (count > 0) hit++;
    }
    builder.addStatements(found, hit);
    const fnMap = isObject(fc.fnMap) ? fc.fnMap : {};
    const f = isObject(fc.f) ? fc.f : {};
    builder.functionsKnown = true;
    for (const [id, meta] of Object.entries(fnMap)) {
      const count = jsonCount(f[id]);
      if (count === null) {
        warnings.add('function', `${path}: function ${id} has no valid count; skipped`);
        continue;
      }
      const name = isObject(meta) && typeof meta.name === 'string' ? meta.name : '';
      builder.functionHit(`${id}:${name}`, count > 0);
    }
    const branchMap = isObject(fc.branchMap) ? fc.branchMap : {};
    const b = isObject(fc.b) ? fc.b : {};
    for (const [id, meta] of Object.entries(branchMap)) {
      const counts = b[id];
      const m = isObject(meta) ? meta : {};
      const firstLocation = Array.isArray(m.locations) ? (m.locations[0] as unknown) : undefined;
      const line =
        lineOf(m.loc) ?? (typeof m.line === 'number' && m.line >= 1 ? m.line : null) ?? lineOf(firstLocation);
      if (line === null || !Array.isArray(counts)) {
        warnings.add('branch', `${path}: branch ${id} has no valid location or counts; skipped`);
        continue;
      }
      const numericId = /^\d+$/.test(id) ? Number(id) : id;
      counts.forEach((value, arm) => {
        const count = jsonCount(value);
        if (count === null) warnings.add('branch', `${path}: branch ${id}[${arm}] has no valid count; skipped`);
        else builder.branch(line, branchKey(numericId, arm), count > 0);
      });
    }
    files.push(builder.finish());
  }
  return files;
}

/**
 * istanbul `coverage-summary.json`: counts per file, no per-line data. Lines go to `lineCounts` (so the gate still
 * has totals); functions/branches/statements get anonymous identities. Counts must be integers with covered <= total:
 * a summary that breaks that (hand-edited fixtures do) is rejected rather than silently rounded.
 */
function istanbulSummary(file: string, doc: Json): FileCoverage[] {
  const files: FileCoverage[] = [];
  const counter = (path: string, entry: Json, metric: string): { found: number; hit: number } | null => {
    const value = entry[metric];
    if (value === undefined) return null;
    const total = isObject(value) ? value.total : undefined;
    const covered = isObject(value) ? value.covered : undefined;
    if (
      typeof total !== 'number' ||
      typeof covered !== 'number' ||
      !Number.isInteger(total) ||
      !Number.isInteger(covered) ||
      total < 0 ||
      covered < 0 ||
      covered > total
    ) {
      throw new CoverageInputError(
        file,
        `coverage-summary entry "${path}" has invalid ${metric} counts (total ${String(total)}, covered ${String(covered)}); counts must be integers with covered <= total`,
        "Regenerate it with istanbul's `json-summary` reporter, or use coverage-final.json / lcov",
      );
    }
    return { found: total, hit: covered };
  };
  for (const [path, entry] of Object.entries(doc)) {
    if (path === 'total' || !isObject(entry)) continue;
    const builder = new FileBuilder(path);
    const lines = counter(path, entry, 'lines');
    if (lines) builder.lineCounts = lines;
    const statements = counter(path, entry, 'statements');
    if (statements) builder.addStatements(statements.found, statements.hit);
    const functions = counter(path, entry, 'functions');
    if (functions) {
      builder.functionsKnown = true;
      for (let i = 0; i < functions.found; i++) builder.functionHit(`#${i}`, i < functions.hit);
    }
    const result = builder.finish();
    const branches = counter(path, entry, 'branches');
    if (branches && branches.found > 0) result.branches = branches; // no line to hang them on
    files.push(result);
  }
  return files;
}

function numberArray(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v)) : [];
}

/**
 * coverage.py `coverage json`: executed/missing lines, branches as [from, to] arcs when measured, function regions.
 * Line totals come from each file's `summary` (num_statements / covered_lines): `executed_lines` also lists traced
 * lines that are not statements (a module docstring's line 1), so counting it would disagree with coverage.py.
 */
function coveragePy(file: string, doc: Json, warnings: WarningSink): FileCoverage[] {
  const files: FileCoverage[] = [];
  for (const [path, entry] of Object.entries(doc.files as Json)) {
    if (!isObject(entry)) continue;
    const builder = new FileBuilder(path);
    for (const line of numberArray(entry.executed_lines)) builder.line(line, true);
    for (const line of numberArray(entry.missing_lines)) builder.line(line, false);
    const summary = isObject(entry.summary) ? entry.summary : {};
    const statements = summary.num_statements;
    const covered = summary.covered_lines;
    if (
      typeof statements === 'number' &&
      typeof covered === 'number' &&
      Number.isInteger(statements) &&
      Number.isInteger(covered) &&
      covered >= 0 &&
      covered <= statements
    ) {
      builder.lineCounts = { found: statements, hit: covered };
    }
    const arcs = (value: unknown, taken: boolean): void => {
      if (!Array.isArray(value)) return;
      for (const arc of value) {
        if (Array.isArray(arc) && typeof arc[0] === 'number' && typeof arc[1] === 'number') {
          builder.branch(arc[0], branchKey(0, arc[1]), taken);
        } else warnings.add('arc', `${path}: branch arc ${JSON.stringify(arc)} is not [from, to]; skipped`);
      }
    };
    arcs(entry.executed_branches, true);
    arcs(entry.missing_branches, false);
    if (isObject(entry.functions)) {
      builder.functionsKnown = true;
      for (const [name, region] of Object.entries(entry.functions)) {
        if (name === '' || !isObject(region)) continue; // '' is module-level code, not a function
        builder.functionHit(name, numberArray(region.executed_lines).length > 0);
      }
    }
    files.push(builder.finish());
  }
  return files;
}

/** gcovr JSON (format 0.x): per-line entries (several per line for template/ctor variants), excluded entries dropped. */
function gcovr(file: string, doc: Json, warnings: WarningSink): FileCoverage[] {
  const files: FileCoverage[] = [];
  for (const entry of doc.files as unknown[]) {
    if (!isObject(entry) || typeof entry.file !== 'string') {
      warnings.add('file', 'gcovr file entry without a `file` name skipped');
      continue;
    }
    const builder = new FileBuilder(entry.file);
    for (const line of Array.isArray(entry.lines) ? entry.lines : []) {
      if (!isObject(line) || line['gcovr/excluded'] === true || line['gcovr/noncode'] === true) continue;
      const lineNo = line.line_number;
      const count = jsonCount(line.count);
      if (typeof lineNo !== 'number' || count === null) {
        warnings.add('line', `${entry.file}: line entry without line_number/count skipped`);
        continue;
      }
      builder.line(lineNo, count > 0);
      const branches = Array.isArray(line.branches) ? line.branches : [];
      branches.forEach((branch, index) => {
        if (!isObject(branch) || branch['gcovr/excluded'] === true) return;
        const taken = jsonCount(branch.count) ?? 0;
        const key =
          typeof branch.source_block_id === 'number' && typeof branch.destination_block_id === 'number'
            ? branchKey(branch.source_block_id, branch.destination_block_id)
            : branchKey(-1, index);
        builder.branch(lineNo, key, taken > 0);
      });
    }
    if (Array.isArray(entry.functions)) {
      builder.functionsKnown = true;
      for (const fn of entry.functions) {
        if (!isObject(fn) || fn['gcovr/excluded'] === true) continue;
        const name = typeof fn.demangled_name === 'string' ? fn.demangled_name : String(fn.name);
        builder.functionHit(name, (jsonCount(fn.execution_count) ?? 0) > 0);
      }
    }
    files.push(builder.finish());
  }
  return files;
}

/** Coveralls JSON: `coverage` array (index 0 = line 1, null = not code) and flat `branches` quadruples. */
function coveralls(file: string, doc: Json, warnings: WarningSink): FileCoverage[] {
  const files: FileCoverage[] = [];
  for (const entry of doc.source_files as unknown[]) {
    if (!isObject(entry) || typeof entry.name !== 'string') {
      warnings.add('file', 'source_files entry without a name skipped');
      continue;
    }
    const builder = new FileBuilder(entry.name);
    const coverage = Array.isArray(entry.coverage) ? entry.coverage : [];
    coverage.forEach((value, index) => {
      if (value === null) return;
      const count = jsonCount(value);
      if (count === null) warnings.add('line', `${entry.name}: coverage[${index}] is not a count; skipped`);
      else builder.line(index + 1, count > 0);
    });
    const branches = Array.isArray(entry.branches) ? entry.branches : [];
    for (let i = 0; i + 3 < branches.length; i += 4) {
      const [line, block, branch, hits] = branches.slice(i, i + 4) as unknown[];
      if (typeof line !== 'number' || typeof block !== 'number' || typeof branch !== 'number') {
        warnings.add('branch', `${entry.name}: branches[${i}..${i + 3}] is not [line, block, branch, hits]; skipped`);
        continue;
      }
      builder.branch(line, branchKey(block, branch), (jsonCount(hits) ?? 0) > 0);
    }
    files.push(builder.finish());
  }
  return files;
}

/**
 * SimpleCov `.resultset.json`: one entry per test command; each maps absolute paths to `lines` arrays (null = not
 * code, "ignored" = nocov) and optional `branches` keyed by Ruby inspect strings `[:if, id, line, col, line, col]`.
 * Several commands are unioned.
 */
function simplecov(file: string, doc: Json, warnings: WarningSink): FileCoverage[] {
  const builders = new Map<string, FileBuilder>();
  for (const run of Object.values(doc)) {
    const coverage = (run as Json).coverage as Json;
    for (const [path, value] of Object.entries(coverage)) {
      let builder = builders.get(path);
      if (!builder) builders.set(path, (builder = new FileBuilder(path)));
      const lines = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.lines) ? value.lines : [];
      lines.forEach((count, index) => {
        if (count === null || count === 'ignored') return;
        const n = jsonCount(count);
        if (n === null) warnings.add('line', `${path}: lines[${index}] is not a count; skipped`);
        else builder.line(index + 1, n > 0);
      });
      if (isObject(value) && isObject(value.branches)) {
        for (const [condition, arms] of Object.entries(value.branches)) {
          const line = Number(/^\[:\w+, *-?\d+, *(\d+)/.exec(condition)?.[1]);
          if (!(line >= 1) || !isObject(arms)) {
            warnings.add('branch', `${path}: branch ${condition} not understood; skipped`);
            continue;
          }
          for (const [arm, count] of Object.entries(arms)) {
            builder.branch(line, branchKey(condition, arm), (jsonCount(count) ?? 0) > 0);
          }
        }
      }
    }
  }
  return [...builders.values()].map((b) => b.finish());
}
