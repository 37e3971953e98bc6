import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { GateReport, InputSpec } from '@myco-gates/core';
import type { FileCoverage } from '../model.js';
import { readCoverage as readCoverageFiles } from '../read.js';
import {
  baselineFromCoverage,
  baselineFromGateReport,
  findBaselineArtifact,
  type ArtifactApi,
  type Baseline,
} from './baseline.js';
import { CoverageGateError } from './errors.js';
import { evaluateCoverage, type CoverageData } from './evaluate.js';
import { createPackageMap, detectPackages, type PackageMap } from './packages.js';
import { changedLinesFromGit, type ChangedLines } from './patch.js';
import {
  DEFAULT_CONFIG_FILE,
  POLICY_KEYS,
  hasDropCheck,
  inputSource,
  mergeSettings,
  parseConfigFile,
  parseList,
  parsePolicy,
  type CoveragePolicy,
  type Settings,
} from './policy.js';

/** Default name of the artifact a base branch run uploads its report under, and the file inside it. */
export const DEFAULT_BASE_ARTIFACT = 'coverage-gate-report';

/**
 * Every input of the coverage gate, shared by the action (action.yml must match it; a test checks) and the CLI.
 * Policy inputs have no default on purpose: an action.yml default would always win over the config file.
 */
export const COVERAGE_INPUTS = {
  reports: {
    kind: 'list',
    description:
      'Coverage report files or globs, one per line or comma-separated (lcov, Cobertura, JaCoCo, Clover, istanbul JSON, Go, coverage.py JSON, …); the format is detected from the content. Default: `reports` of the config file, else the usual report files found in the workspace (lcov.info, coverage-final.json, cobertura.xml, jacoco.xml, clover.xml, cover.out, coverage.json …).',
  },
  thresholds: {
    kind: 'string',
    description:
      'Minimum coverage over all files: one number for all four metrics (`85`) or pairs (`lines=85,branches=80,functions=85,statements=85`). Default: no minimum.',
  },
  'package-thresholds': {
    kind: 'string',
    description:
      'Per-package minimums and drop limits, one package per line: `<name or path glob>: <thresholds> [max-drop=<points>]`, e.g. `backend: lines=80,branches=75 max-drop=1` or `packages/*: 80`. The first matching line wins.',
  },
  'file-threshold': {
    kind: 'string',
    description: 'Minimum each single file must reach, same syntax as `thresholds` (e.g. `lines=50`).',
  },
  'patch-threshold': {
    kind: 'string',
    description:
      'Minimum line coverage of the lines changed by the pull request (0–100), computed from `git diff` against the merge base.',
  },
  'max-drop': {
    kind: 'string',
    description:
      'Largest allowed drop against the base branch, in percentage points: one number for all metrics or pairs (`lines=0.5,branches=1`). Checked on the totals and on each package with a `package-thresholds` line (its own `max-drop` wins).',
  },
  'missing-base': {
    kind: 'string',
    description: 'When no base coverage is found: `skip` the drop check with a note (default) or `fail`.',
  },
  'missing-package': {
    kind: 'string',
    description: 'When a workspace package has no coverage data: `fail`, `warn` (default) or `skip`.',
  },
  packages: {
    kind: 'string',
    description:
      'Explicit packages, one `name=glob` per line (e.g. `api=services/api/**`). Default: detected from package.json workspaces, pnpm-workspace.yaml, lerna.json and pyproject.toml folders.',
  },
  config: {
    kind: 'string',
    description: `YAML file with the same settings (inputs override it). Default: \`${DEFAULT_CONFIG_FILE}\` when it exists.`,
  },
  'base-report': {
    kind: 'string',
    description:
      "Base coverage to compare against: a JSON report of this action from the base branch, or any coverage file. Default: the base branch run's `base-artifact` artifact.",
  },
  'base-artifact': {
    kind: 'string',
    default: DEFAULT_BASE_ARTIFACT,
    description:
      "Name of the artifact holding the base branch's JSON report (looked up by merge-base commit; needs `actions: read`).",
  },
  'github-token': {
    kind: 'string',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for the PR comment (`pull-requests: write`) and base artifacts (`actions: read`).',
  },
  comment: {
    kind: 'boolean',
    default: 'true',
    description: 'Post or update one sticky comment on the pull request.',
  },
  'comment-id': {
    kind: 'string',
    description: 'Distinguishes the sticky comments of several runs in one PR (e.g. matrix jobs).',
  },
  mode: {
    kind: 'enum',
    values: ['gate', 'report', 'publish'],
    default: 'gate',
    description:
      '`gate`: evaluate, comment and fail the step below the thresholds. `report` (fork PRs, read-only token): evaluate and write the report to `artifact-path` for upload, no comment. `publish` (in an `on: workflow_run` workflow): comment the report from the downloaded artifact.',
  },
  annotations: {
    kind: 'boolean',
    default: 'true',
    description: 'Annotate uncovered changed lines in the pull request diff (warnings).',
  },
  'working-directory': {
    kind: 'string',
    default: '.',
    description: 'Folder of the repository checkout; report paths and globs are relative to it.',
  },
  'fail-on-error': {
    kind: 'boolean',
    default: 'true',
    description:
      'Fail the step when the gate cannot run (bad input, unreadable report). `false` turns that into a warning and sets `status` to `error`.',
  },
} as const satisfies InputSpec;

/** The values read from {@link COVERAGE_INPUTS} (camelCase keys, as core's `readInputs` returns them). */
export interface CoverageInputValues {
  reports: string[];
  thresholds?: string;
  packageThresholds?: string;
  fileThreshold?: string;
  patchThreshold?: string;
  maxDrop?: string;
  missingBase?: string;
  missingPackage?: string;
  packages?: string;
  config?: string;
  baseReport?: string;
  baseArtifact: string;
  commentId?: string;
  workingDirectory: string;
}

/** The gate's configuration after inputs and config file are merged and validated. */
export interface CoverageGateConfig {
  /** Absolute folder the paths are relative to. */
  workspace: string;
  policy: CoveragePolicy;
  /** Report files or globs; empty = discover the usual report files in the workspace. */
  reports: string[];
  baseReport?: string;
  baseArtifact: string;
  commentId?: string;
  /** The config file that was read, repo-relative, if any. */
  configFile?: string;
}

/**
 * Merges inputs with the config file and validates everything, before any report is read.
 * @param values input values (from the action's `readInputs` or CLI flags).
 * @param cwd folder `working-directory` is relative to (GITHUB_WORKSPACE or the shell's folder).
 * @returns the validated configuration.
 * @throws CoverageGateError for a missing config file or any invalid setting (naming input or file:line).
 */
export function buildCoverageConfig(values: CoverageInputValues, cwd: string): CoverageGateConfig {
  const workspace = resolve(cwd, values.workingDirectory || '.');
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) {
    throw new CoverageGateError(
      'input `working-directory`',
      `folder ${values.workingDirectory} does not exist`,
      'Point it at the repository checkout (default `.`)',
    );
  }
  let configFile: string | undefined;
  let fileSettings: Settings = {};
  const named = values.config?.trim();
  const candidate = named || DEFAULT_CONFIG_FILE;
  const configPath = isAbsolute(candidate) ? candidate : join(workspace, candidate);
  if (existsSync(configPath)) {
    configFile = relative(workspace, configPath) || candidate;
    fileSettings = parseConfigFile(configFile, readFileSync(configPath, 'utf8'));
  } else if (named) {
    throw new CoverageGateError(
      'input `config`',
      `file ${named} does not exist`,
      'Fix the path (relative to `working-directory`), or remove the input',
    );
  }
  const inputSettings: Settings = {};
  const raw: Record<string, string | undefined> = {
    thresholds: values.thresholds,
    'package-thresholds': values.packageThresholds,
    'file-threshold': values.fileThreshold,
    'patch-threshold': values.patchThreshold,
    'max-drop': values.maxDrop,
    'missing-base': values.missingBase,
    'missing-package': values.missingPackage,
    packages: values.packages,
    'base-report': values.baseReport,
  };
  for (const key of [...POLICY_KEYS, 'base-report'] as const) {
    const value = raw[key];
    if (value !== undefined) inputSettings[key] = inputSource(key, value);
  }
  if (values.reports.length > 0) inputSettings.reports = { value: values.reports, at: () => 'input `reports`' };
  const settings = mergeSettings(inputSettings, fileSettings);
  const policy = parsePolicy(settings);
  // Empty means discovery: the parsers look for lcov.info, coverage-final.json, cobertura.xml … in the workspace.
  const reports = parseList(settings.reports);
  const baseReport = settings['base-report']
    ? String(settings['base-report'].value ?? '').trim() || undefined
    : undefined;
  return {
    workspace,
    policy,
    reports,
    baseReport,
    baseArtifact: values.baseArtifact || DEFAULT_BASE_ARTIFACT,
    commentId: values.commentId || undefined,
    configFile,
  };
}

/** Reads and merges coverage reports (the parsers' `readCoverage`). */
export type ReadCoverage = (globs: string[], options: { workspace: string }) => Promise<CoverageData>;

/** The pull request the run is for, from the event payload. */
export interface PullRequestInfo {
  /** Absent for a local run of the CLI against a base ref. */
  number?: number;
  /** `pull_request.base.sha`. */
  baseSha: string;
}

/** The outside world of one gate run; the action and the CLI fill it, tests too. */
export interface GateEnvironment {
  /** Default: the parsers' `readCoverage` (globs, format detection, path normalization, merge). */
  readCoverage?: ReadCoverage;
  pullRequest?: PullRequestInfo;
  /** The commit being measured (GITHUB_SHA). */
  commit?: string;
  /** Link to the run's summary, for comments that had to drop detail. */
  detailsUrl?: string;
  /** Actions API for the base artifact; absent (CLI, no token) means "use `base-report` only". */
  artifacts?: ArtifactApi;
  /** Writes progress lines (the action passes core.info). */
  log?: (message: string) => void;
  now?: Date;
}

async function loadBaseReport(
  config: CoverageGateConfig,
  packageMap: PackageMap,
  readCoverage: ReadCoverage,
): Promise<{ baseline: Baseline | null; note: string }> {
  const file = config.baseReport as string;
  const path = isAbsolute(file) ? file : join(config.workspace, file);
  if (!existsSync(path)) {
    return {
      baseline: null,
      note: `No base coverage: \`base-report\` ${file} does not exist (was the base artifact downloaded?).`,
    };
  }
  const text = readFileSync(path, 'utf8');
  if (text.trimStart().startsWith('{')) {
    try {
      const fromReport = baselineFromGateReport(JSON.parse(text), `base report \`${file}\``);
      if (fromReport) return { baseline: fromReport, note: `Base: ${fromReport.source}.` };
    } catch {
      // Not our JSON report: read it as a coverage file (istanbul JSON, coverage.py JSON …) below.
    }
  }
  const base = await readCoverage([file], { workspace: config.workspace });
  const baseline = baselineFromCoverage(
    base.files.values() as Iterable<FileCoverage>,
    packageMap,
    `base coverage \`${file}\``,
  );
  return { baseline, note: `Base: ${baseline.source}.` };
}

/**
 * Runs the whole coverage gate: reads the reports, maps packages, diffs the pull request, finds the base and
 * evaluates the policy. The action and `myco-gates coverage` both call this, so they decide identically.
 * @param config from {@link buildCoverageConfig}.
 * @param env coverage reader, pull request, API access.
 * @returns the gate report.
 * @throws CoverageGateError (or the parsers' input errors) for anything the user must fix.
 */
export async function runCoverageGate(config: CoverageGateConfig, env: GateEnvironment): Promise<GateReport> {
  const log = env.log ?? (() => {});
  const read: ReadCoverage = env.readCoverage ?? readCoverageFiles;
  const coverage = await read(config.reports, { workspace: config.workspace });
  if (coverage.files.size === 0) {
    throw new CoverageGateError(
      'input `reports`',
      `the reports (${config.reports.join(', ') || 'discovered'}) contain no source file`,
      'Check that the tests ran with coverage enabled and that the paths point at the generated reports',
    );
  }
  log(`Read coverage of ${coverage.files.size} files from ${config.reports.join(', ') || 'the discovered reports'}.`);
  const packageMap = createPackageMap(
    config.policy.packages.length ? [] : detectPackages(config.workspace),
    config.policy.packages,
  );
  if (packageMap.packages.length) log(`Packages: ${packageMap.packages.map((p) => p.name).join(', ')}.`);

  let patch: ChangedLines | null = null;
  let patchNote: string | undefined;
  if (env.pullRequest) {
    try {
      // Diff to the checked-out HEAD, not pull_request.head.sha: actions/checkout checks out the merge commit by
      // default, and the coverage line numbers are those of the code that ran.
      patch = await changedLinesFromGit({ cwd: config.workspace, baseSha: env.pullRequest.baseSha });
      log(`Changed files in the pull request: ${patch.files.size}.`);
    } catch (error) {
      // Without a patch threshold the changed lines only add detail, so a shallow clone degrades to a note.
      if (config.policy.patchThreshold !== null) throw error;
      patchNote = `the changed lines are unknown (${String(error)})`;
    }
  } else {
    patchNote = 'this run is not for a pull request';
  }

  let baseline: Baseline | null = null;
  let baselineNote: string | undefined;
  if (config.baseReport) {
    ({ baseline, note: baselineNote } = await loadBaseReport(config, packageMap, read));
  } else if (env.pullRequest && env.artifacts) {
    try {
      ({ baseline, note: baselineNote } = await findBaselineArtifact(env.artifacts, {
        commits: [patch?.mergeBase ?? '', env.pullRequest.baseSha],
        artifactName: config.baseArtifact,
      }));
    } catch (error) {
      const status = (error as { status?: number }).status;
      const reason =
        status === 403 || status === 404
          ? 'the token cannot read workflow artifacts; grant `actions: read`'
          : (error as Error).message;
      baselineNote = `No base coverage: looking up the \`${config.baseArtifact}\` artifact failed (${reason}).`;
    }
  } else if (env.pullRequest && hasDropCheck(config.policy)) {
    // Only worth a line when a drop check needs the base; the Δ column shows "—" either way.
    baselineNote = 'No base coverage: set `base-report` (a JSON report or coverage file of the base branch).';
  }
  if (baselineNote) log(baselineNote);

  return evaluateCoverage(coverage, config.policy, {
    packages: packageMap,
    patch,
    patchNote,
    baseline,
    baselineNote,
    commentId: config.commentId,
    commit: env.commit,
    pullRequest: env.pullRequest?.number,
    detailsUrl: env.detailsUrl,
    now: env.now,
  });
}
