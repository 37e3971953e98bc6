import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { METRICS, type Metric } from '../model.js';
import { CoverageGateError } from './errors.js';

/** A minimum (or maximum drop) per metric; a metric that is absent is not checked. */
export type MetricThresholds = Partial<Record<Metric, number>>;

/** A `package-thresholds` entry: thresholds for the packages whose name, path or folder name matches `pattern`. */
export interface PackageThresholdRule {
  /** A package name (`backend`, `@scope/api`) or a glob over package paths (`packages/*`). */
  pattern: string;
  thresholds: MetricThresholds;
  /**
   * The package's own largest drop against the base (`max-drop=1`, `max-drop.branches=2` on its line), per metric;
   * metrics it does not name fall back to the global `max-drop`. Absent when the line sets none.
   */
  maxDrop?: MetricThresholds;
  /** Where the rule was written, for messages. */
  where: string;
}

/** An explicit `packages` entry: files matching `glob` belong to package `name`. */
export interface PackageGlobRule {
  name: string;
  glob: string;
}

/** What happens when no base coverage can be found: `skip` the drop check with a note, or `fail` the gate. */
export type MissingBasePolicy = 'skip' | 'fail';
/** What happens when a workspace package has no coverage data at all. */
export type MissingPackagePolicy = 'fail' | 'warn' | 'skip';

/** The complete coverage policy, built once from inputs and the config file. */
export interface CoveragePolicy {
  /** Global minimum per metric over all files. */
  thresholds: MetricThresholds;
  /** Per-package minimums; the first matching rule wins, packages without a rule use {@link thresholds}. */
  packageThresholds: PackageThresholdRule[];
  /** Minimum each single file must reach (files without data for a metric are not checked on it). */
  fileThreshold: MetricThresholds;
  /** Minimum line coverage of the lines changed by the pull request; `null` = not checked. */
  patchThreshold: number | null;
  /**
   * Largest allowed drop against the base, in percentage points, per metric: on the totals, and on every package
   * that has a `package-thresholds` rule (where the rule's own `max-drop` wins per metric).
   */
  maxDrop: MetricThresholds;
  missingBase: MissingBasePolicy;
  missingPackage: MissingPackagePolicy;
  /** Explicit package globs; empty means "detect the workspace packages". */
  packages: PackageGlobRule[];
}

/** Settings of the policy, by their input / config file name. */
export const POLICY_KEYS = [
  'thresholds',
  'package-thresholds',
  'file-threshold',
  'patch-threshold',
  'max-drop',
  'missing-base',
  'missing-package',
  'packages',
] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];

/** Everything the config file may hold: the policy plus where the reports are. */
export const CONFIG_FILE_KEYS = [...POLICY_KEYS, 'reports', 'base-report'] as const;
export type ConfigFileKey = (typeof CONFIG_FILE_KEYS)[number];

/** The default config file, read when it exists and no `config` input names another. */
export const DEFAULT_CONFIG_FILE = '.github/coverage-gate.yml';

/** One raw setting and a way to say where (a part of) it was written. */
export interface SettingSource {
  value: unknown;
  /**
   * Describes the place of the value, or of a part of it: a path of map keys / list indexes, or `#n` for the n-th
   * (1-based) line of a multiline string. Returns e.g. "input `thresholds`" or ".github/coverage-gate.yml:7".
   */
  at: (path?: (string | number)[]) => string;
}

/** Settings by name, from whichever source won. */
export type Settings = Partial<Record<ConfigFileKey, SettingSource>>;

const THRESHOLD_FIX =
  'Use a number from 0 to 100 for all four metrics (`85`) or metric=value pairs (`lines=85,branches=80`); metrics are lines, branches, functions, statements';

const METRIC_ALIASES: Record<string, Metric> = {
  lines: 'lines',
  line: 'lines',
  branches: 'branches',
  branch: 'branches',
  functions: 'functions',
  function: 'functions',
  funcs: 'functions',
  statements: 'statements',
  statement: 'statements',
  stmts: 'statements',
};

/**
 * A setting given as an action input or CLI flag: `where` reads "input `name`", lines of multiline values are counted.
 * @param name the input name, e.g. `package-thresholds`.
 * @param value the raw input text.
 * @returns a {@link SettingSource} for the parsers below.
 */
export function inputSource(name: string, value: string): SettingSource {
  return {
    value,
    at: (path) => {
      const line = path?.find((p): p is string => typeof p === 'string' && p.startsWith('#'));
      return line ? `input \`${name}\` line ${line.slice(1)}` : `input \`${name}\``;
    },
  };
}

/**
 * Parses the YAML config file (`.github/coverage-gate.yml`) into settings whose errors point at `file:line`.
 * @param file the path shown in messages (repo-relative).
 * @param text the file's content.
 * @returns the settings found in the file; unknown keys are an error (they are typos more often than not).
 * @throws CoverageGateError for invalid YAML, a top level that is not a map, or an unknown key.
 */
export function parseConfigFile(file: string, text: string): Settings {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const message = err.message.split('\n')[0];
    throw new CoverageGateError(
      `${file}:${lineOf(err.pos[0])}`,
      `invalid YAML (${message})`,
      'Fix the YAML syntax; the file must be a map of settings such as `thresholds: lines=85`',
    );
  }
  const settings: Settings = {};
  if (doc.contents === null) return settings;
  if (!isMap(doc.contents)) {
    throw new CoverageGateError(
      `${file}:${lineOf(doc.contents.range?.[0] ?? 0)}`,
      'the config file is not a map of settings',
      'Write one setting per line, e.g. `thresholds: lines=85,branches=80`',
    );
  }
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const keyLine = lineOf(keyNode?.range?.[0] ?? 0);
    if (!(CONFIG_FILE_KEYS as readonly string[]).includes(key)) {
      throw new CoverageGateError(
        `${file}:${keyLine}`,
        `unknown setting \`${key}\``,
        `Known settings: ${CONFIG_FILE_KEYS.join(', ')}`,
      );
    }
    const valueNode = pair.value as Node | null;
    settings[key as ConfigFileKey] = {
      value: valueNode ? valueNode.toJSON() : null,
      at: (path = []) => {
        let node: unknown = valueNode;
        let line = lineOf(valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? 0);
        for (const step of path) {
          if (typeof step === 'string' && step.startsWith('#')) {
            // Block scalars (`|`) start on the line after their indicator.
            const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
            line += Number(step.slice(1)) - (block ? 0 : 1);
            break;
          }
          if (isMap(node)) {
            const item = node.items.find((i) => isScalar(i.key) && String(i.key.value) === String(step));
            if (!item) break;
            line = lineOf((item.key as Node).range?.[0] ?? 0);
            node = item.value;
          } else if (isSeq(node) && typeof step === 'number') {
            const item = node.items[step] as Node | undefined;
            if (!item) break;
            line = lineOf(item.range?.[0] ?? 0);
            node = item;
          } else break;
        }
        return `${file}:${line}`;
      },
    };
  }
  return settings;
}

/**
 * Merges settings: a non-empty input wins over the config file (inputs are the more specific, per-workflow choice).
 * @param inputs settings from action inputs / CLI flags; empty strings count as "not given".
 * @param file settings from the config file.
 * @returns one source per setting.
 */
export function mergeSettings(inputs: Settings, file: Settings): Settings {
  const merged: Settings = { ...file };
  for (const [key, source] of Object.entries(inputs) as [ConfigFileKey, SettingSource | undefined][]) {
    if (!source) continue;
    if (typeof source.value === 'string' && source.value.trim() === '') continue;
    merged[key] = source;
  }
  return merged;
}

function parsePercent(raw: unknown, where: string, fix: string, what = 'threshold'): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().replace(/%$/, '') : '';
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new CoverageGateError(where, `${what} \`${String(raw)}\` is not a percentage from 0 to 100`, fix);
  }
  return value;
}

function metricOf(name: string, where: string): Metric {
  const metric = METRIC_ALIASES[name.trim().toLowerCase()];
  if (!metric) throw new CoverageGateError(where, `unknown metric \`${name.trim()}\``, THRESHOLD_FIX);
  return metric;
}

/** Parses `85`, `lines=85,branches=80`, `85 branches=70` (all 85 but branches 70) or a YAML map. */
function parseMetricSpec(
  raw: unknown,
  at: (path?: (string | number)[]) => string,
  path: (string | number)[],
  what: string,
): MetricThresholds {
  const result: MetricThresholds = {};
  const all = (value: number) => {
    for (const m of METRICS) result[m] = value;
  };
  if (raw === null || raw === undefined) return result;
  if (typeof raw === 'number') {
    all(parsePercent(raw, at(path), THRESHOLD_FIX, what));
    return result;
  }
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const where = at([...path, key]);
      if (key === 'all' || key === '*') all(parsePercent(value, where, THRESHOLD_FIX, what));
      else result[metricOf(key, where)] = parsePercent(value, where, THRESHOLD_FIX, what);
    }
    return result;
  }
  if (typeof raw !== 'string') {
    throw new CoverageGateError(at(path), `expected a ${what} such as \`lines=85\``, THRESHOLD_FIX);
  }
  const tokens = raw
    .replace(/\s*([=:])\s*/g, '$1')
    .split(/[\s,;]+/)
    .filter(Boolean);
  // A bare number sets every metric first, so explicit pairs refine it regardless of their order.
  for (const token of tokens) if (!/[=:]/.test(token)) all(parsePercent(token, at(path), THRESHOLD_FIX, what));
  for (const token of tokens) {
    const match = /^([^=:]+)[=:](.*)$/.exec(token);
    if (!match) continue;
    result[metricOf(match[1], at(path))] = parsePercent(match[2], at(path), THRESHOLD_FIX, what);
  }
  return result;
}

/**
 * Splits a multiline input into non-empty, non-comment lines with their 1-based line numbers. A ` # …` after the
 * value is a comment too: inside a YAML block scalar (`|`) it would otherwise reach us as part of the value.
 */
function lines(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ text: t.replace(/\s+#.*$/, '').trim(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
}

const PACKAGE_THRESHOLD_FIX =
  'Write one package per line as `<package name or path glob>: <thresholds> [max-drop=<points>]`, e.g. `backend: lines=80,branches=75 max-drop=1` or `packages/*: 80`';

const DROP_FIX =
  'Give the package its own drop limit as `max-drop=1` (all metrics) or `max-drop.branches=2` (one metric), in percentage points from 0 to 100';

/** `max-drop`, `max-drop.lines` … : the keys of a package line that set its drop limit instead of a minimum. */
const DROP_KEY = /^max-drop(?:\.(.+))?$/i;

/**
 * Splits a package spec into its minimums and its own `max-drop`: text (`lines=80 max-drop=1 max-drop.branches=2`)
 * or a YAML map (`{lines: 80, max-drop: 1}`, where `max-drop` takes any metric spec, e.g. `{branches: 2}`).
 */
function parsePackageSpec(
  raw: unknown,
  at: (path?: (string | number)[]) => string,
  path: (string | number)[],
): { thresholds: MetricThresholds; maxDrop?: MetricThresholds } {
  let maxDrop: MetricThresholds | undefined;
  const setDrop = (metric: string | undefined, value: unknown, where: (string | number)[]) => {
    maxDrop ??= {};
    if (metric === undefined) Object.assign(maxDrop, parseMetricSpec(value, at, where, 'maximum drop'));
    else maxDrop[metricOf(metric, at(where))] = parsePercent(value, at(where), DROP_FIX, 'maximum drop');
  };
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const minimums: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const drop = DROP_KEY.exec(key);
      if (drop) setDrop(drop[1], value, [...path, key]);
      else minimums[key] = value;
    }
    return { thresholds: parseMetricSpec(minimums, at, path, 'threshold'), maxDrop };
  }
  if (typeof raw !== 'string') return { thresholds: parseMetricSpec(raw, at, path, 'threshold') };
  const minimums: string[] = [];
  for (const token of raw
    .replace(/\s*([=:])\s*/g, '$1')
    .split(/[\s,;]+/)
    .filter(Boolean)) {
    const match = /^([^=:]+)[=:](.*)$/.exec(token);
    const drop = match && DROP_KEY.exec(match[1]);
    if (!drop) {
      if (DROP_KEY.test(token)) throw new CoverageGateError(at(path), `\`${token}\` has no value`, DROP_FIX);
      minimums.push(token);
      continue;
    }
    // The value is one number: `max-drop=lines=1` would read as a metric called `lines=1`, so say what to write.
    if (/[=:]/.test(match[2])) throw new CoverageGateError(at(path), `cannot read \`${token}\``, DROP_FIX);
    setDrop(drop[1], match[2], path);
  }
  return { thresholds: parseMetricSpec(minimums.join(','), at, path, 'threshold'), maxDrop };
}

function parsePackageThresholds(source: SettingSource | undefined): PackageThresholdRule[] {
  if (!source || source.value === null || source.value === undefined) return [];
  const { value, at } = source;
  const rule = (pattern: string, spec: ReturnType<typeof parsePackageSpec>, where: string): PackageThresholdRule => ({
    pattern,
    thresholds: spec.thresholds,
    ...(spec.maxDrop ? { maxDrop: spec.maxDrop } : {}),
    where,
  });
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).map(([pattern, spec]) =>
      rule(pattern, parsePackageSpec(spec, at, [pattern]), at([pattern])),
    );
  }
  if (typeof value !== 'string')
    throw new CoverageGateError(at(), 'expected package thresholds', PACKAGE_THRESHOLD_FIX);
  return lines(value).map(({ text, line }) => {
    const where = at([`#${line}`]);
    const colon = text.indexOf(':');
    const pattern = colon > 0 ? text.slice(0, colon).trim() : '';
    const spec = colon > 0 ? text.slice(colon + 1).trim() : '';
    if (!pattern || !spec) throw new CoverageGateError(where, `cannot read \`${text}\``, PACKAGE_THRESHOLD_FIX);
    return rule(
      pattern,
      parsePackageSpec(spec, () => where, []),
      where,
    );
  });
}

/**
 * The drop limits that apply to a package with a `package-thresholds` rule: the rule's own `max-drop` per metric,
 * else the global `max-drop`.
 * @param rule the package's rule.
 * @param policy the policy (for the global `max-drop`).
 * @returns the largest allowed drop per metric; empty when neither sets one.
 */
export function packageDropLimits(rule: PackageThresholdRule, policy: CoveragePolicy): MetricThresholds {
  const limits: MetricThresholds = {};
  for (const m of METRICS) {
    const limit = rule.maxDrop?.[m] ?? policy.maxDrop[m];
    if (limit !== undefined) limits[m] = limit;
  }
  return limits;
}

/**
 * Whether the policy checks any drop against the base (global `max-drop` or a package's own), i.e. whether a
 * missing base matters (`missing-base`).
 * @param policy the policy.
 * @returns true when some drop limit is set.
 */
export function hasDropCheck(policy: CoveragePolicy): boolean {
  return (
    Object.keys(policy.maxDrop).length > 0 ||
    policy.packageThresholds.some((rule) => Object.keys(rule.maxDrop ?? {}).length > 0)
  );
}

function parsePackageGlobs(source: SettingSource | undefined): PackageGlobRule[] {
  if (!source || source.value === null || source.value === undefined) return [];
  const fix = 'Write one package per line as `name=glob`, e.g. `backend=sample-app/backend/**`';
  const { value, at } = source;
  const rules: PackageGlobRule[] = [];
  const add = (name: string, globs: unknown, where: string) => {
    const list = (Array.isArray(globs) ? globs : String(globs ?? '').split(','))
      .map((g) => String(g).trim())
      .filter(Boolean);
    if (!name || list.length === 0) throw new CoverageGateError(where, 'a package needs a name and a glob', fix);
    for (const glob of list) rules.push({ name, glob });
  };
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [name, globs] of Object.entries(value as Record<string, unknown>)) add(name, globs, at([name]));
    return rules;
  }
  if (typeof value !== 'string') throw new CoverageGateError(at(), 'expected package globs', fix);
  for (const { text, line } of lines(value)) {
    const match = /^([^=:]+)[=:](.+)$/.exec(text);
    if (!match) throw new CoverageGateError(at([`#${line}`]), `cannot read \`${text}\``, fix);
    add(match[1].trim(), match[2], at([`#${line}`]));
  }
  return rules;
}

function parseChoice<T extends string>(source: SettingSource | undefined, choices: readonly T[], fallback: T): T {
  if (!source || source.value === null || source.value === undefined || source.value === '') return fallback;
  const value = String(source.value).trim().toLowerCase();
  if (!(choices as readonly string[]).includes(value)) {
    throw new CoverageGateError(
      source.at(),
      `\`${String(source.value)}\` is not allowed`,
      `Use one of: ${choices.join(', ')}`,
    );
  }
  return value as T;
}

/**
 * Builds the {@link CoveragePolicy} from merged settings (see {@link mergeSettings}).
 * @param settings the raw settings; absent ones take the defaults (no thresholds, `missing-base: skip`,
 *   `missing-package: warn`, detected packages).
 * @returns the validated policy.
 * @throws CoverageGateError naming the input or `file:line` and the fix, for the first bad value.
 * @example parsePolicy({ thresholds: inputSource('thresholds', 'lines=85') }).thresholds // { lines: 85 }
 */
export function parsePolicy(settings: Settings): CoveragePolicy {
  const spec = (key: PolicyKey, what = 'threshold') => {
    const source = settings[key];
    return source ? parseMetricSpec(source.value, source.at, [], what) : {};
  };
  const patch = settings['patch-threshold'];
  const patchValue = patch?.value;
  return {
    thresholds: spec('thresholds'),
    packageThresholds: parsePackageThresholds(settings['package-thresholds']),
    fileThreshold: spec('file-threshold'),
    patchThreshold:
      patch && patchValue !== null && patchValue !== undefined && patchValue !== ''
        ? parsePercent(
            patchValue,
            patch.at(),
            'Use the minimum line coverage of the changed lines as a number from 0 to 100, e.g. `80`',
            'patch threshold',
          )
        : null,
    maxDrop: spec('max-drop', 'maximum drop'),
    missingBase: parseChoice(settings['missing-base'], ['skip', 'fail'] as const, 'skip'),
    missingPackage: parseChoice(settings['missing-package'], ['fail', 'warn', 'skip'] as const, 'warn'),
    packages: parsePackageGlobs(settings.packages),
  };
}

/**
 * Reads a list setting (`reports`): a YAML list, or newline / comma separated text.
 * @param source the setting, if any.
 * @returns the trimmed, non-empty entries.
 */
export function parseList(source: SettingSource | undefined): string[] {
  if (!source || source.value === null || source.value === undefined) return [];
  const items = Array.isArray(source.value) ? source.value.map(String) : String(source.value).split(/[\n,]/);
  return items.map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'));
}
