import type { Annotation, Check, GateReport, Section, Status } from '@myco-gates/core';
import { METRICS, formatPercent, lineCounter, percent, type FileCoverage, type Metric, type Totals } from '../model.js';
import { packageMetricKey, type Baseline, type MetricPercents } from './baseline.js';
import {
  ROOT_PACKAGE,
  createPackageMap,
  ruleFor,
  ruleMatches,
  type PackageMap,
  type WorkspacePackage,
} from './packages.js';
import { computePatchCoverage, type ChangedLines, type LineRange, type PatchCoverage } from './patch.js';
import { hasDropCheck, packageDropLimits, type CoveragePolicy, type MetricThresholds } from './policy.js';
import { addTotals, fileTotals } from '../merge.js';
import { percentsOf } from './totals.js';

/** The measurements: merged coverage per repo-relative file (the parsers' CoverageSet fits). */
export interface CoverageData {
  files: Map<string, FileCoverage>;
  /** Parser warnings, shown in the report. */
  warnings?: string[];
}

/** Everything besides measurements and policy that the decision depends on. */
export interface EvaluateOptions {
  /** File -> package assignment; default: every file in the root bucket (no per-package table). */
  packages?: PackageMap;
  /** Changed lines of the pull request; absent when the run is not for a pull request. */
  patch?: ChangedLines | null;
  /** Why there are no changed lines (not a pull request, git history missing), shown as a note. */
  patchNote?: string;
  /** Coverage of the base, for the drop check and the Δ column. */
  baseline?: Baseline | null;
  /** Where the baseline came from, or why there is none. */
  baselineNote?: string;
  commentId?: string;
  commit?: string;
  pullRequest?: number;
  detailsUrl?: string;
  /** Clock for `generatedAt` (tests pin it). */
  now?: Date;
}

const TITLES: Record<Metric, string> = {
  lines: 'Lines',
  branches: 'Branches',
  functions: 'Functions',
  statements: 'Statements',
};

/** The sentence under the overall table; the rounding rule is part of the contract with users. */
export const ROUNDING_FOOTNOTE =
  'Percentages are covered ÷ total, rounded down to 2 decimals, so a shown 85.00% really is at least 85%.';

const SEVERITY: Record<Status, number> = { pass: 0, inconclusive: 1, warn: 2, fail: 3, error: 4 };
const worst = (statuses: Status[]): Status =>
  statuses.reduce<Status>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), 'pass');

const ICON: Record<Status, string> = { pass: '✅', warn: '⚠️', fail: '❌', inconclusive: '❔', error: '💥' };

/** Percentage points between two rounded percentages, exact to the hundredth. */
function delta(current: number, base: number): number {
  return (Math.round(current * 100) - Math.round(base * 100)) / 100;
}

function formatDelta(value: number | undefined): string {
  if (value === undefined) return '—';
  if (value === 0) return '±0.00';
  return value > 0 ? `+${value.toFixed(2)}` : `−${Math.abs(value).toFixed(2)}`;
}

const expected = (min: number) => `≥ ${min}%`;

function describeThresholds(thresholds: MetricThresholds): string {
  const set = METRICS.filter((m) => thresholds[m] !== undefined);
  // One number for all four metrics reads better in a narrow table than four repeats of it.
  if (set.length === METRICS.length && set.every((m) => thresholds[m] === thresholds[set[0]]))
    return `≥ ${thresholds[set[0]]}% (all)`;
  const parts = set.map((m) => `${m} ≥ ${thresholds[m]}%`);
  return parts.length ? parts.join(', ') : '—';
}

function describeDropLimits(limits: MetricThresholds): string {
  const set = METRICS.filter((m) => limits[m] !== undefined);
  const points = (m: Metric) => `Δ ≥ −${(limits[m] as number).toFixed(2)} pts`;
  if (set.length === METRICS.length && set.every((m) => limits[m] === limits[set[0]])) return `${points(set[0])} (all)`;
  return set.map((m) => `${m} ${points(m)}`).join(', ');
}

function rangeText(range: LineRange): string {
  return range.start === range.end ? `L${range.start}` : `L${range.start}–${range.end}`;
}

/** Internal: a check plus the phrase that would headline it. */
interface RankedCheck {
  check: Check;
  headline: string;
}

/** Why a metric is n/a, naming the likely cause so it is not mistaken for 0% or 100%. */
function noDataMessage(metric: Metric): string {
  return metric === 'statements'
    ? 'the reports carry no statement counts (lcov, Cobertura, Go and coverage.py have none)'
    : `the reports carry no ${metric} data`;
}

/** State shared by the phases of one evaluation. */
interface Evaluation {
  data: CoverageData;
  policy: CoveragePolicy;
  options: EvaluateOptions;
  files: FileCoverage[];
  /** Each file's own counts, index for index with `files`. */
  perFile: Totals[];
  current: MetricPercents;
  baseline: Baseline | null;
  deltas: MetricPercents;
  /** Checks in headline order: the first failing one names the headline. */
  ranked: RankedCheck[];
  notes: string[];
  metrics: Record<string, number>;
  overallStatus: Partial<Record<Metric, Status>>;
}

/**
 * The coverage gate's decision: checks every threshold of the policy against the measurements and builds the report
 * the renderers show (headline, overall and per-package tables, patch coverage, lowest-covered changed files,
 * annotations on uncovered changed lines).
 *
 * Status: `fail` when any threshold, drop (of the totals, or of a package with a `package-thresholds` rule) or
 * required report fails; `warn` when a threshold is set on a metric without data, a package has no report
 * (`missing-package: warn`) or a package rule matches nothing; else `pass`.
 * @param data merged coverage.
 * @param policy the policy (see policy.ts).
 * @param options packages, changed lines, baseline and report metadata.
 * @returns the gate report (schema of `@myco-gates/core`).
 * @example evaluateCoverage(set, parsePolicy({ thresholds: inputSource('thresholds', '85') }), {}).status
 */
export function evaluateCoverage(
  data: CoverageData,
  policy: CoveragePolicy,
  options: EvaluateOptions = {},
): GateReport {
  const files = [...data.files.values()];
  // Each file's counts once: the totals, the per-package sums and the lowest-coverage table all start from them.
  // Counting a file's lines walks its whole line array, and doing that three times over a 20,000-file monorepo
  // (5 million lines) was a large share of the gate's run time.
  const perFile = files.map(fileTotals);
  const current = percentsOf(addTotals(perFile));
  const ev: Evaluation = {
    data,
    policy,
    options,
    files,
    perFile,
    current,
    baseline: options.baseline ?? null,
    deltas: {},
    ranked: [],
    notes: [],
    metrics: {},
    overallStatus: {},
  };
  for (const m of METRICS) if (current[m] !== undefined) ev.metrics[m] = current[m];

  checkOverall(ev);
  checkDrop(ev);
  const packageRows = checkPackages(ev, options.packages ?? createPackageMap([]));
  const patch = checkPatch(ev);
  const belowFileMinimum = checkFiles(ev);
  for (const m of METRICS) {
    if (current[m] === undefined && policy.thresholds[m] === undefined)
      ev.notes.push(`${TITLES[m]}: n/a — ${noDataMessage(m)}.`);
  }

  const checks = ev.ranked.map((r) => r.check);
  const status = worst(checks.map((c) => c.status));
  return {
    schemaVersion: 1,
    gate: 'coverage',
    commentId: options.commentId,
    status,
    headline: headlineOf(ev, status),
    checks,
    metrics: ev.metrics,
    // Every coverage metric (totals, per package, deltas, patch) is a percentage: always two decimals.
    metricUnits: Object.fromEntries(Object.keys(ev.metrics).map((name) => [name, 'percent' as const])),
    sections: buildSections(ev, packageRows, patch, belowFileMinimum),
    annotations: uncoveredLineAnnotations(patch),
    detailsUrl: options.detailsUrl,
    commit: options.commit,
    pullRequest: options.pullRequest,
    generatedAt: (options.now ?? new Date()).toISOString(),
  };
}

/** Global thresholds; a metric without data is a warning, never a silent pass or 0%. */
function checkOverall(ev: Evaluation): void {
  for (const m of METRICS) {
    const min = ev.policy.thresholds[m];
    if (min === undefined) continue;
    const value = ev.current[m];
    if (value === undefined) {
      ev.overallStatus[m] = 'warn';
      ev.ranked.push({
        check: {
          id: m,
          title: TITLES[m],
          status: 'warn',
          actual: 'n/a',
          expected: expected(min),
          message: `Not checked: ${noDataMessage(m)}. Remove the ${m} threshold or add a report format that has ${m}.`,
        },
        headline: `Coverage n/a ${m} — ${noDataMessage(m)}`,
      });
      continue;
    }
    const status: Status = value < min ? 'fail' : 'pass';
    ev.overallStatus[m] = status;
    ev.ranked.push({
      check: { id: m, title: TITLES[m], status, actual: formatPercent(value), expected: expected(min) },
      headline: `Coverage ${formatPercent(value)} ${m} — below ${min}%`,
    });
  }
}

/** Δ against the base for every metric, `max-drop` checks, and the `missing-base` policy. */
function checkDrop(ev: Evaluation): void {
  const { policy, options, baseline, current, deltas } = ev;
  if (baseline) {
    for (const m of METRICS) {
      const now = current[m];
      const before = baseline.totals[m];
      if (now === undefined || before === undefined) continue;
      deltas[m] = delta(now, before);
      ev.metrics[`delta:${m}`] = deltas[m];
    }
  }
  const dropMetrics = METRICS.filter((m) => policy.maxDrop[m] !== undefined);
  const wantsBase = hasDropCheck(policy);
  if (dropMetrics.length > 0 && baseline) {
    for (const m of dropMetrics) {
      const allowed = policy.maxDrop[m] as number;
      const d = deltas[m];
      if (d === undefined) continue; // no data on one side: the overall check already says n/a
      const status: Status = -d > allowed ? 'fail' : 'pass';
      if (status === 'fail') ev.overallStatus[m] = 'fail';
      ev.ranked.push({
        check: {
          id: `drop:${m}`,
          title: `${TITLES[m]} drop vs base`,
          status,
          actual: `${formatDelta(d)} pts`,
          expected: `≥ −${allowed.toFixed(2)} pts`,
        },
        headline: `Coverage ${formatPercent(current[m] ?? null)} ${m} — dropped ${Math.abs(d).toFixed(2)} points, more than ${allowed.toFixed(2)} allowed`,
      });
    }
  } else if (!baseline && wantsBase && policy.missingBase === 'fail') {
    ev.ranked.push({
      check: {
        id: 'baseline',
        title: 'Base coverage',
        status: 'fail',
        actual: 'missing',
        message: options.baselineNote ?? 'No base coverage was found.',
      },
      headline: 'No base coverage to compare against (missing-base: fail)',
    });
  }
  if (baseline) ev.notes.push(options.baselineNote ?? `Δ vs base: ${baseline.source}.`);
  else if (wantsBase && policy.missingBase === 'skip')
    // One sentence: why there is no Δ and what to do, not the lookup story twice.
    ev.notes.push(
      `Drop check skipped (\`missing-base: skip\`): ${options.baselineNote ?? 'no base coverage was found.'}`,
    );
  else if (options.baselineNote) ev.notes.push(options.baselineNote);
}

/** Per-package thresholds, the `missing-package` policy and rules that match nothing; returns the table rows. */
function checkPackages(ev: Evaluation, packageMap: PackageMap): string[][] {
  const { policy, baseline } = ev;
  // Per package, the counts of its files (see `perFile`).
  const byPackage = new Map<string, Totals[]>();
  ev.files.forEach((file, i) => {
    const name = packageMap.packageOf(file.path);
    let list = byPackage.get(name);
    if (!list) byPackage.set(name, (list = []));
    list.push(ev.perFile[i]!);
  });
  const rows: string[][] = [];
  const packageList: WorkspacePackage[] = [...packageMap.packages];
  if (byPackage.has(ROOT_PACKAGE)) packageList.push({ name: ROOT_PACKAGE, path: '', source: 'explicit' });
  const showPackages = packageMap.packages.length > 0;
  /** Packages with a drop limit that the base does not know. */
  const newInBase: string[] = [];
  for (const pkg of packageList) {
    const fileCounts = byPackage.get(pkg.name) ?? [];
    const rule = ruleFor(pkg, policy.packageThresholds);
    if (fileCounts.length === 0) {
      if (policy.missingPackage === 'skip') continue;
      const status: Status = policy.missingPackage;
      ev.ranked.push({
        check: {
          id: `package:${pkg.name}:report`,
          title: `Report (${pkg.name})`,
          status,
          actual: 'missing',
          message: `No coverage report mentions a file of ${pkg.name} (${pkg.path}). Add its report to \`reports\`, or set \`missing-package: skip\`.`,
        },
        headline: `No coverage report for package ${pkg.name}`,
      });
      rows.push([
        pkg.name,
        '0',
        'n/a',
        'n/a',
        'n/a',
        'n/a',
        '—',
        describeThresholds(rule?.thresholds ?? {}),
        `${ICON[status]} no report`,
      ]);
      continue;
    }
    const pkgPercents = percentsOf(addTotals(fileCounts));
    // Per-package numbers feed the next run's baseline; a repository without packages has only the totals.
    if (showPackages)
      for (const m of METRICS)
        if (pkgPercents[m] !== undefined) ev.metrics[packageMetricKey(pkg.name, m)] = pkgPercents[m];
    const problems: string[] = [];
    let status: Status = 'pass';
    if (rule) {
      for (const m of METRICS) {
        const min = rule.thresholds[m];
        if (min === undefined) continue;
        const value = pkgPercents[m];
        const checkStatus: Status = value === undefined ? 'warn' : value < min ? 'fail' : 'pass';
        if (checkStatus !== 'pass') problems.push(value === undefined ? `${m} n/a` : `${m} < ${min}%`);
        status = worst([status, checkStatus]);
        ev.ranked.push({
          check: {
            id: `package:${pkg.name}:${m}`,
            title: `${TITLES[m]} (${pkg.name})`,
            status: checkStatus,
            actual: formatPercent(value ?? null),
            expected: expected(min),
            message: value === undefined ? `Not checked: ${noDataMessage(m)} for ${pkg.name}.` : undefined,
          },
          headline:
            value === undefined
              ? `Coverage n/a ${m} in ${pkg.name} — ${noDataMessage(m)}`
              : `Coverage ${formatPercent(value)} ${m} in ${pkg.name} — below ${min}%`,
        });
      }
    }
    const base = baseline?.packages[pkg.name];
    const limits = rule ? packageDropLimits(rule, policy) : {};
    if (rule && baseline && base) {
      for (const m of METRICS) {
        const allowed = limits[m];
        const now = pkgPercents[m];
        const before = base[m];
        // No data on one side: the Δ is unknown, and the threshold check already says n/a.
        if (allowed === undefined || now === undefined || before === undefined) continue;
        const d = delta(now, before);
        const checkStatus: Status = -d > allowed ? 'fail' : 'pass';
        if (checkStatus === 'fail') problems.push(`${m} ${formatDelta(d)} pts (limit −${allowed.toFixed(2)})`);
        status = worst([status, checkStatus]);
        ev.ranked.push({
          check: {
            id: `package:${pkg.name}:drop:${m}`,
            title: `${TITLES[m]} drop vs base (${pkg.name})`,
            status: checkStatus,
            actual: `${formatDelta(d)} pts`,
            expected: `≥ −${allowed.toFixed(2)} pts`,
          },
          headline: `Coverage ${formatPercent(now)} ${m} in ${pkg.name} — dropped ${Math.abs(d).toFixed(2)} points, more than ${allowed.toFixed(2)} allowed`,
        });
      }
    } else if (rule && baseline && Object.keys(limits).length > 0) newInBase.push(pkg.name);
    // A package the base does not know is new, not a drop from 0%.
    const deltaCell =
      pkgPercents.lines !== undefined && base?.lines !== undefined
        ? formatDelta(delta(pkgPercents.lines, base.lines))
        : baseline && !base && Object.keys(baseline.packages).length > 0
          ? 'new'
          : '—';
    const policyCell = [describeThresholds(rule?.thresholds ?? {}), describeDropLimits(limits)]
      .filter((text) => text !== '' && text !== '—')
      .join(', ');
    rows.push([
      pkg.name,
      String(fileCounts.length),
      ...METRICS.map((m) => formatPercent(pkgPercents[m] ?? null)),
      deltaCell,
      policyCell || '—',
      rule ? `${ICON[status]}${problems.length ? ` ${problems.join(', ')}` : ''}` : '—',
    ]);
  }
  if (newInBase.length > 0 && baseline) {
    const noPackages = Object.keys(baseline.packages).length === 0;
    ev.notes.push(
      noPackages
        ? `Per-package drop not checked: the base has no per-package numbers (its report came from a run without packages).`
        : `No drop check for ${newInBase.join(', ')}: not in the base (new packages).`,
    );
  }
  for (const rule of policy.packageThresholds) {
    if (packageList.some((pkg) => ruleMatches(rule, pkg))) continue;
    ev.ranked.push({
      check: {
        id: `package-rule:${rule.pattern}`,
        title: `Package rule ${rule.pattern}`,
        status: 'warn',
        message: `${rule.where}: \`${rule.pattern}\` matches no package (known: ${packageList.map((p) => p.name).join(', ') || 'none'}). Fix the name, or declare packages with the \`packages\` input.`,
      },
      headline: `Package threshold ${rule.pattern} matches no package`,
    });
  }
  return showPackages ? rows : [];
}

/** Coverage of the changed lines and its threshold; null when the run is not for a pull request. */
function checkPatch(ev: Evaluation): PatchCoverage | null {
  const { policy, options } = ev;
  if (!options.patch) {
    if (policy.patchThreshold !== null) {
      ev.notes.push(`Patch coverage was not checked: ${options.patchNote ?? 'this run is not for a pull request'}.`);
    }
    return null;
  }
  const patch = computePatchCoverage(ev.data.files, options.patch);
  if (patch.percent !== null) ev.metrics.patch = patch.percent;
  if (policy.patchThreshold !== null) {
    const min = policy.patchThreshold;
    ev.ranked.push({
      check: {
        id: 'patch',
        title: 'Patch coverage (changed lines)',
        status: patch.percent !== null && patch.percent < min ? 'fail' : 'pass',
        actual: formatPercent(patch.percent),
        expected: expected(min),
        message:
          patch.percent === null ? 'No changed line is executable code, so there is nothing to cover.' : undefined,
      },
      headline: `Patch coverage ${formatPercent(patch.percent)} — below ${min}% (${patch.hit} of ${patch.executable} changed lines covered)`,
    });
  }
  return patch;
}

/** Per-file minimum, one check per metric so a thousand small files cannot drown the table; returns the rows. */
function checkFiles(ev: Evaluation): string[][] {
  const rows: string[][] = [];
  for (const m of METRICS) {
    const min = ev.policy.fileThreshold[m];
    if (min === undefined) continue;
    const below: { path: string; value: number }[] = [];
    for (const file of ev.files) {
      const value = percent(m === 'lines' ? lineCounter(file) : file[m]);
      if (value !== null && value < min) below.push({ path: file.path, value });
    }
    below.sort((a, b) => a.value - b.value || a.path.localeCompare(b.path));
    for (const b of below) rows.push([`\`${b.path}\``, TITLES[m], formatPercent(b.value), expected(min)]);
    const count = `${below.length} file${below.length === 1 ? '' : 's'}`;
    ev.ranked.push({
      check: {
        id: `file:${m}`,
        title: `Every file: ${TITLES[m].toLowerCase()}`,
        status: below.length ? 'fail' : 'pass',
        actual: below.length ? `${count} below` : 'all files',
        expected: expected(min),
        message: below.length
          ? `Lowest: ${below
              .slice(0, 3)
              .map((b) => `${b.path} ${formatPercent(b.value)}`)
              .join(', ')}`
          : undefined,
        location: below.length ? { file: below[0].path } : undefined,
      },
      headline: `${count} below ${min}% ${m}`,
    });
  }
  return rows;
}

/** The first failing (else warning) check in headline order, with the count, e.g. "… (2 of 16 checks failed)". */
function headlineOf(ev: Evaluation, status: Status): string {
  const checks = ev.ranked.map((r) => r.check);
  const count = (s: Status) => checks.filter((c) => c.status === s).length;
  if (status === 'fail') {
    return `${ev.ranked.find((r) => r.check.status === 'fail')?.headline} (${count('fail')} of ${checks.length} checks failed)`;
  }
  if (status === 'warn') {
    return `${ev.ranked.find((r) => r.check.status === 'warn')?.headline} (${count('warn')} of ${checks.length} checks need attention)`;
  }
  const lead = `Coverage ${formatPercent(ev.current.lines ?? null)} lines`;
  return `${lead} (${checks.length ? `${checks.length} of ${checks.length} checks passed` : 'no thresholds set'})`;
}

/** The comment/summary sections, most important (lowest priority number) first in importance. */
function buildSections(
  ev: Evaluation,
  packageRows: string[][],
  patch: PatchCoverage | null,
  belowFileMinimum: string[][],
): Section[] {
  const { policy, current, data } = ev;
  const sections: Section[] = [];
  const overallRows = METRICS.map((m) => [
    TITLES[m],
    formatPercent(current[m] ?? null),
    policy.thresholds[m] !== undefined ? expected(policy.thresholds[m] as number) : '—',
    formatDelta(ev.deltas[m]),
    ev.overallStatus[m] ? ICON[ev.overallStatus[m] as Status] : '—',
  ]);
  if (patch) {
    const patchCheck = ev.ranked.find((r) => r.check.id === 'patch')?.check;
    overallRows.push([
      'Patch (changed lines)',
      formatPercent(patch.percent),
      policy.patchThreshold !== null ? expected(policy.patchThreshold) : '—',
      '—',
      patchCheck ? ICON[patchCheck.status] : '—',
    ]);
  }
  sections.push({
    title: 'Coverage',
    collapsed: false,
    priority: 0,
    table: {
      columns: ['Metric', 'Coverage', 'Threshold', 'Δ vs base', 'Status'],
      align: ['l', 'r', 'r', 'r', 'c'],
      rows: overallRows,
    },
    // Notes render as plain text (the renderer escapes them), so inline code marks would show as literal backticks.
    note: [...ev.notes, ROUNDING_FOOTNOTE].join(' ').replace(/`/g, ''),
  });
  if (packageRows.length > 0) {
    sections.push({
      title: 'Packages',
      collapsed: packageRows.length > 15,
      priority: 20,
      table: {
        columns: ['Package', 'Files', 'Lines', 'Branches', 'Functions', 'Statements', 'Δ lines', 'Threshold', 'Status'],
        align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
        rows: packageRows,
      },
    });
  }
  if (patch) {
    const withoutCoverage = patch.filesWithoutCoverage.length
      ? ` ${patch.filesWithoutCoverage.length} changed file${patch.filesWithoutCoverage.length === 1 ? ' is' : 's are'} in no coverage report (not counted).`
      : '';
    sections.push({
      title: 'Patch coverage',
      collapsed: false,
      priority: 10,
      markdown:
        patch.percent === null
          ? `No changed line is executable code.${withoutCoverage}`
          : `**${formatPercent(patch.percent)}** of the changed lines are covered: ${patch.hit} of ${patch.executable} executable changed lines ran in tests.${withoutCoverage}`,
    });
  }
  const lowest = lowestCoverage(ev, patch);
  if (lowest.rows.length > 0) {
    sections.push({
      title: patch ? 'Changed files with the lowest coverage' : 'Files with the lowest coverage',
      collapsed: !patch,
      priority: 30,
      table: {
        columns: patch
          ? ['File', 'Lines', 'Branches', 'Changed lines covered', 'Uncovered changed lines']
          : ['File', 'Lines', 'Branches', 'Functions'],
        align: patch ? ['l', 'r', 'r', 'r', 'l'] : ['l', 'r', 'r', 'r'],
        rows: lowest.rows,
      },
      note: lowest.more > 0 ? `${lowest.more} more file${lowest.more === 1 ? '' : 's'} not shown.` : undefined,
    });
  }
  if (belowFileMinimum.length > 0) {
    sections.push({
      title: 'Files below the per-file minimum',
      collapsed: true,
      priority: 40,
      table: {
        columns: ['File', 'Metric', 'Coverage', 'Minimum'],
        align: ['l', 'l', 'r', 'r'],
        rows: belowFileMinimum.slice(0, 200),
      },
      note: belowFileMinimum.length > 200 ? `${belowFileMinimum.length - 200} more not shown.` : undefined,
    });
  }
  if (data.warnings && data.warnings.length > 0) {
    sections.push({
      title: 'Report warnings',
      collapsed: true,
      priority: 60,
      markdown: data.warnings
        .slice(0, 50)
        .map((w) => `- ${w}`)
        .join('\n'),
      note: data.warnings.length > 50 ? `${data.warnings.length - 50} more warnings not shown.` : undefined,
    });
  }
  return sections;
}

/** Warning annotations on uncovered changed lines, one per merged range. */
function uncoveredLineAnnotations(patch: PatchCoverage | null): Annotation[] {
  const annotations: Annotation[] = [];
  for (const file of patch?.files ?? []) {
    for (const range of file.uncovered) {
      const size = range.end - range.start + 1;
      annotations.push({
        level: 'warning',
        file: file.file,
        line: range.start,
        endLine: range.end > range.start ? range.end : undefined,
        title: size === 1 ? 'Uncovered changed line' : 'Uncovered changed lines',
        message:
          size === 1
            ? `Line ${range.start} was changed in this pull request and is not covered by tests.`
            : `Lines ${range.start}–${range.end} were changed in this pull request and are not covered by tests.`,
        // Bigger gaps first when GitHub's cap of annotations forces a choice.
        priority: Math.max(0, 100 - size),
      });
    }
  }
  return annotations;
}

/** How many files the lowest-coverage table shows. */
const LOWEST_SHOWN = 10;

/** Top 10 files by lowest line coverage: the changed ones on a pull request, all otherwise. */
function lowestCoverage(ev: Evaluation, patch: PatchCoverage | null): { rows: string[][]; more: number } {
  const patchByFile = new Map((patch?.files ?? []).map((f) => [f.file, f]));
  const candidates: { file: FileCoverage; totals: Totals }[] = patch
    ? [...patchByFile.keys()]
        .map((p) => ev.data.files.get(p))
        .filter((f): f is FileCoverage => !!f)
        .map((file) => ({ file, totals: fileTotals(file) }))
    : ev.files.map((file, i) => ({ file, totals: ev.perFile[i]! }));
  const scored: { file: FileCoverage; totals: Totals; lines: number }[] = [];
  for (const { file, totals } of candidates) {
    const lines = percent(totals.lines);
    if (lines !== null) scored.push({ file, totals, lines });
  }
  const top = firstInOrder(scored, LOWEST_SHOWN, (a, b) => a.lines - b.lines || a.file.path.localeCompare(b.file.path));
  const rows = top.map(({ file, totals }) => {
    const cells = [`\`${file.path}\``, formatPercent(percent(totals.lines)), formatPercent(percent(totals.branches))];
    if (!patch) return [...cells, formatPercent(percent(totals.functions))];
    const p = patchByFile.get(file.path) as PatchCoverage['files'][number];
    const ranges = p.uncovered.slice(0, 5).map(rangeText).join(', ');
    const extra = p.uncovered.length > 5 ? ` +${p.uncovered.length - 5} more` : '';
    return [...cells, `${p.hit}/${p.executable}`, ranges ? `${ranges}${extra}` : '—'];
  });
  return { rows, more: Math.max(0, scored.length - top.length) };
}

/**
 * The first `count` items of `items` as a stable sort by `compare` would order them, without sorting them all: the
 * table shows 10 of 20,000 files, and sorting all of them (with `localeCompare` on every tie) cost more than the
 * whole per-package evaluation. Each item is inserted after the kept items it does not sort before, exactly where
 * a stable sort puts it, so the result equals `[...items].sort(compare).slice(0, count)`.
 */
function firstInOrder<T>(items: readonly T[], count: number, compare: (a: T, b: T) => number): T[] {
  const kept: T[] = [];
  for (const item of items) {
    // Most items sort after the current last kept one: one comparison rejects them.
    if (kept.length === count && compare(item, kept[count - 1]!) >= 0) continue;
    let at = kept.length;
    while (at > 0 && compare(item, kept[at - 1]!) < 0) at--;
    kept.splice(at, 0, item);
    if (kept.length > count) kept.pop();
  }
  return kept;
}
