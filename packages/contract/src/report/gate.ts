import path from 'node:path';
import type { GateReportInput } from '@myco-gates/core';
import { readAcceptFile } from '../accept/accept-file.js';
import { applyAcceptFile } from '../accept/apply.js';
import { checkClient, type ClientStatus } from '../client/client-sync.js';
import type { Change } from '../diff/types.js';
import { gitChangedLines, type ChangedLines } from '../lint/changed-lines.js';
import { lintSpec } from '../lint/spectral.js';
import { summarizeLint } from '../lint/summary.js';
import { buildContractReport, type FailOn, type LinkBase } from './build.js';
import { runDiffJob, type DiffJob, type DiffJobResult } from './diff-job.js';

/** Everything the contract gate needs; paths are relative to `workingDirectory` unless said otherwise. */
export interface ContractGateOptions {
  /** Repository root (git top level); report paths are relative to it. */
  root: string;
  /** Absolute folder the path inputs are relative to (the `working-directory` input). */
  workingDirectory: string;
  /** Spec entry file. */
  spec: string;
  /** The base spec file; default: `spec` as it was at `mergeBase`. */
  baseSpec?: string;
  /** Merge base of the pull request; undefined outside pull requests (no diff unless `baseSpec`, no new-lint split). */
  mergeBase?: string;
  /** Local Spectral ruleset replacing the house ruleset. */
  ruleset?: string;
  /** Accept file; default `.github/openapi-accept.yml` at the repository root. */
  accept?: string;
  /** Committed generated client to keep in sync; undefined skips the check. */
  client?: string;
  clientCommand?: string;
  failOn: FailOn;
  /** Clock for accept-file expiry and sunset dates; tests pin it. */
  now?: Date;
  links?: LinkBase;
  commentId?: string;
  commit?: string;
  pullRequest?: number;
  /** Progress lines for the log (timings). */
  log?: (line: string) => void;
  /**
   * Runs a {@link DiffJob}; default {@link runDiffJob} in this thread. The action passes one that runs it on a
   * worker thread, so loading and diffing overlap with Spectral's lint (both are CPU-bound).
   */
  diffRunner?: (job: DiffJob) => Promise<DiffJobResult>;
}

/** The report plus raw results, for outputs and for the CLI. */
export interface ContractGateResult {
  report: GateReportInput;
  changes: Change[];
  client?: ClientStatus;
  timings: Record<string, number>;
}

const rel = (root: string, abs: string) => path.relative(root, abs).split(path.sep).join('/');

/**
 * Run the API contract gate: diff the spec against its base, apply the accept file, lint with Spectral (new findings
 * on changed lines vs pre-existing), check the typed client, and build the report.
 * @param options paths, merge base and policy.
 * @returns the GateReport input and the raw results.
 * @throws ContractInputError for user mistakes (missing spec, malformed accept file or ruleset, shallow clone, …).
 */
export async function runContractGate(options: ContractGateOptions): Promise<ContractGateResult> {
  const log = options.log ?? (() => undefined);
  const root = path.resolve(options.root);
  const wd = path.resolve(options.workingDirectory);
  const specAbs = path.resolve(wd, options.spec);
  const specRel = rel(root, specAbs);
  const now = options.now ?? new Date();
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - started);
      log(`${name}: ${timings[name]} ms`);
    }
  };

  // The generator is a separate process, so it runs while this process lints and diffs.
  const clientCheck = options.client
    ? checkClient({
        spec: path.relative(wd, specAbs) || options.spec,
        client: options.client,
        command: options.clientCommand,
        cwd: wd,
        root,
      })
    : undefined;
  // Keep a rejected client check from becoming an unhandled rejection while the other steps run.
  clientCheck?.catch(() => undefined);

  const acceptFile = await readAcceptFile(options.accept ? path.resolve(wd, options.accept) : undefined, root);
  const base: DiffJob['base'] | undefined = options.baseSpec
    ? { entry: path.resolve(wd, options.baseSpec), root }
    : options.mergeBase
      ? { gitRoot: root, commit: options.mergeBase, path: specRel }
      : undefined;
  const diffing = base
    ? (options.diffRunner ?? runDiffJob)({ base, head: { entry: specAbs, root }, now: now.toISOString() })
    : undefined;
  // Settled later; keep a failure from surfacing as an unhandled rejection while lint runs.
  diffing?.catch(() => undefined);

  const lintRun = await time('lint', () =>
    lintSpec({
      entry: specAbs,
      root,
      ruleset: options.ruleset ? rel(root, path.resolve(wd, options.ruleset)) : undefined,
    }),
  );
  let changed: ChangedLines | undefined;
  if (options.mergeBase)
    changed = await time('changed lines', () => gitChangedLines(root, options.mergeBase!, lintRun.files));
  const summary = summarizeLint(lintRun.findings, changed);

  const diffResult = diffing ? await time('waited for diff after lint', () => diffing) : undefined;
  for (const [name, ms] of Object.entries(diffResult?.timings ?? {})) log(`${name}: ${(timings[name] = ms)} ms`);
  const compared = diffResult?.baseFound === true;
  const changes = diffResult?.changes ?? [];
  const acceptance = applyAcceptFile(changes, acceptFile, {
    today: now.toISOString().slice(0, 10),
    baseVersion: diffResult?.baseVersion,
    headVersion: diffResult?.headVersion,
  });
  const client = clientCheck ? await time('client (waited)', () => clientCheck) : undefined;
  const report = buildContractReport({
    changes,
    acceptance,
    lint: { summary, ruleset: lintRun.ruleset, total: lintRun.findings.length },
    client,
    failOn: options.failOn,
    spec: specRel,
    base: compared ? 'compared' : options.mergeBase ? 'new' : 'none',
    links: options.links,
    commentId: options.commentId,
    commit: options.commit,
    pullRequest: options.pullRequest,
    generatedAt: now.toISOString(),
  });
  return { report, changes, client, timings };
}
