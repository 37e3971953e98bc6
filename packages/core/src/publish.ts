import * as core from '@actions/core';
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emitAnnotations, selectAnnotations } from './annotations.js';
import { readReportArtifact, reportFileStem, writeReportArtifact } from './artifact.js';
import { pullRequestOf, readGitHubContext, runUrl, type GitHubContext } from './context.js';
import { GateError } from './errors.js';
import { createGitHubClient, upsertStickyComment, type GitHubClient, type GitHubClientOptions } from './github.js';
import { commentMarker, renderComment, renderSummary, reportOutputs, SUMMARY_MAX_BYTES } from './render.js';
import { GateReportSchema, worstStatus, type GateReport, type GateReportInput } from './report.js';
import { maskSecrets, redact, redactDeep } from './secrets.js';

/**
 * `gate`: run and comment directly (same-repo PRs). `report`: write the report to an artifact directory, no API
 * call (fork PRs, phase 1). `publish`: in a `workflow_run` workflow, read that artifact and comment (phase 2).
 */
export type PublishMode = 'gate' | 'report' | 'publish';
export const PUBLISH_MODES: readonly PublishMode[] = ['gate', 'report', 'publish'];

/** The fix shown when a token cannot comment (fork PRs get a read-only GITHUB_TOKEN). */
export const FORK_PR_FIX =
  'use `mode: report` in the pull_request workflow plus a `workflow_run` workflow with `mode: publish`; see docs/fork-prs.md';

/** Options of {@link publishReport}. */
export interface PublishOptions {
  /** Default `gate`. */
  mode?: PublishMode;
  /** Token for the PR comment (gate and publish modes). Masked before use. */
  token?: string;
  /** Post or update the sticky PR comment; default true. */
  comment?: boolean;
  /** Emit file annotations; default true. */
  annotations?: boolean;
  /** Where to write the JSON report; default `$RUNNER_TEMP/myco-gates/<gate>[-<commentId>].json`. */
  reportPath?: string;
  /** `report` mode: where to write; `publish` mode: where the downloaded artifact is. Default `$RUNNER_TEMP/myco-gates-artifact`. */
  artifactDir?: string;
  /** Workflow context; default {@link readGitHubContext}. */
  context?: GitHubContext;
  /** Client settings (baseUrl, retry timing) for {@link createGitHubClient}. */
  client?: GitHubClientOptions;
  /** Comment size budget; default the renderer's. */
  commentMaxChars?: number;
}

/** What happened to the PR comment. */
export interface CommentOutcome {
  state: 'created' | 'updated' | 'unchanged' | 'skipped' | 'read-only' | 'failed';
  /** Why it was skipped or failed. */
  reason?: string;
  pullRequest?: number;
  url?: string;
}

/** What {@link publishReport} did; the caller decides pass/fail from `report.status` and its `fail-on` policy. */
export interface PublishResult {
  mode: PublishMode;
  /** The report(s) published: one in gate/report mode, one per artifact file in publish mode. */
  reports: GateReport[];
  /** Path of the JSON report (gate/report modes). */
  reportPath?: string;
  /** Directory to upload with actions/upload-artifact (report mode). */
  artifactPath?: string;
  outputs: Record<string, string>;
  summaryWritten: boolean;
  annotations: { emitted: number; dropped: number; merged: number };
  comments: CommentOutcome[];
}

/**
 * Publishes a gate's report — the one call at the end of every action's main.ts: writes the JSON report and sets
 * outputs (`status`, `report`, one per metric), writes the job summary, emits the selected annotations, then by mode
 * comments on the PR (`gate`), writes the upload-ready artifact (`report`) or re-publishes a fork PR's artifact
 * (`publish`, where `report` may be null). A read-only token (fork PR) never fails the step: it warns once with the
 * fix. Setting the step's pass/fail stays with the caller.
 * @param input the gate's report (validated here); null in `publish` mode.
 * @param options mode, token and overrides.
 * @returns what was written and posted.
 * @throws GateError for user mistakes (bad artifact, rejected token in publish mode, wrong event for publish).
 */
export async function publishReport(
  input: GateReportInput | null,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const mode = options.mode ?? 'gate';
  maskSecrets([options.token]);
  const context = options.context ?? readGitHubContext();
  if (mode === 'publish') return publishArtifact(options, context);
  if (input === null) throw new TypeError(`publishReport needs a report in mode ${mode}`);

  const pr = pullRequestOf(context);
  const parsed = redactDeep(GateReportSchema.parse(input));
  const report: GateReport = {
    ...parsed,
    detailsUrl: parsed.detailsUrl ?? runUrl(context),
    commit: parsed.commit ?? pr?.headSha ?? (context.sha || undefined),
    pullRequest: parsed.pullRequest ?? pr?.number,
  };
  const result: PublishResult = {
    mode,
    reports: [report],
    outputs: {},
    summaryWritten: false,
    annotations: { emitted: 0, dropped: 0, merged: 0 },
    comments: [],
  };

  result.reportPath = options.reportPath ?? (await defaultReportPath(report));
  await mkdir(dirname(result.reportPath), { recursive: true });
  await writeFile(result.reportPath, `${redact(JSON.stringify(report, null, 2))}\n`);

  const selection = selectAnnotations(report.annotations);
  if (options.annotations ?? true) {
    result.annotations = {
      emitted: emitAnnotations(selection.selected),
      dropped: selection.dropped,
      merged: selection.merged,
    };
  }
  result.summaryWritten = await writeSummary(
    renderSummary(report, { annotationsDropped: (options.annotations ?? true) ? selection.dropped : 0 }),
  );

  result.outputs = reportOutputs(report, result.reportPath);
  if (mode === 'report') {
    result.artifactPath = options.artifactDir ?? defaultArtifactDir();
    await writeReportArtifact(report, result.artifactPath);
    result.outputs['artifact-path'] = result.artifactPath;
  }
  // Outputs before the comment: a rejected token must not leave later steps without the gate's numbers.
  for (const [id, value] of Object.entries(result.outputs)) core.setOutput(id, value);
  result.comments.push(
    mode === 'report'
      ? { state: 'skipped', reason: 'mode: report posts no comment; the workflow_run workflow does' }
      : await commentInGateMode(report, pr?.number, options, context),
  );
  return result;
}

async function commentInGateMode(
  report: GateReport,
  pullRequest: number | undefined,
  options: PublishOptions,
  context: GitHubContext,
): Promise<CommentOutcome> {
  if (!(options.comment ?? true)) return { state: 'skipped', reason: 'comment: false' };
  if (pullRequest === undefined)
    return { state: 'skipped', reason: `event \`${context.eventName || 'none'}\` is not a pull request` };
  if (!options.token) return { state: 'skipped', reason: 'no token', pullRequest };
  const client = createGitHubClient(options.token, options.client);
  try {
    const done = await upsert(client, report, pullRequest, context, options, false);
    return { state: done.action, pullRequest, url: done.url };
  } catch (error) {
    const status = httpStatus(error);
    // Anything without an HTTP status is a bug of ours and must surface with its stack, not as a warning.
    if (status === undefined) throw error;
    const message = (error as Error).message;
    if (status === 401)
      throw new GateError('GitHub rejected the token (401 Bad credentials) while commenting on the pull request', {
        fix: 'pass a valid token in `github-token` (the default `${{ github.token }}` works)',
        cause: error,
      });
    if ((status === 403 && /not accessible by integration/i.test(message)) || status === 404) {
      core.warning(
        `Could not comment on pull request #${pullRequest}: the token is read-only here (a pull request from a fork?). ` +
          `The job summary has the full report. To get the comment, ${FORK_PR_FIX}.`,
      );
      return { state: 'read-only', reason: message, pullRequest };
    }
    core.warning(
      `Could not comment on pull request #${pullRequest}: ${redact(message)}. The job summary has the full report.`,
    );
    return { state: 'failed', reason: message, pullRequest };
  }
}

async function upsert(
  client: GitHubClient,
  report: GateReport,
  pullRequest: number,
  context: GitHubContext,
  options: PublishOptions,
  untrusted: boolean,
) {
  const marker = commentMarker(report.gate, report.commentId);
  const body = redact(renderComment(report, { marker, maxChars: options.commentMaxChars, untrusted }));
  return upsertStickyComment(client, {
    owner: context.owner,
    repo: context.repo,
    issueNumber: pullRequest,
    marker,
    body,
  });
}

/** Phase 2 of fork PRs: the artifact is untrusted, the PR number comes from GitHub, never from the artifact. */
async function publishArtifact(options: PublishOptions, context: GitHubContext): Promise<PublishResult> {
  if (context.eventName !== 'workflow_run')
    throw new GateError(
      `\`mode: publish\` runs in a workflow_run workflow, not on \`${context.eventName || 'no event'}\``,
      {
        fix: 'use `mode: publish` only in a workflow triggered by `on: workflow_run`; see docs/fork-prs.md',
      },
    );
  const run = context.payload.workflow_run as WorkflowRun | undefined;
  if (!run || typeof run.head_sha !== 'string')
    throw new GateError('the workflow_run event payload has no `workflow_run.head_sha`', {
      fix: 'run `mode: publish` from a workflow triggered by `on: workflow_run`',
    });
  if (!options.token)
    throw new GateError('`mode: publish` needs a token to comment', {
      fix: 'pass `github-token` (the default `${{ github.token }}` works) and grant `pull-requests: write`',
    });
  const dir = options.artifactDir ?? defaultArtifactDir();
  const files = await readReportArtifact(dir);
  const seen = new Map<string, string>();
  for (const { file, report } of files) {
    const marker = commentMarker(report.gate, report.commentId);
    const other = seen.get(marker);
    if (other)
      throw new GateError(`two reports in the artifact would share one PR comment (${other} and this one)`, {
        fix: 'give each gate run in a matrix its own `comment-id`',
        file,
      });
    seen.set(marker, file);
  }

  const client = createGitHubClient(options.token, options.client);
  const result: PublishResult = {
    mode: 'publish',
    reports: [],
    outputs: {},
    summaryWritten: false,
    annotations: { emitted: 0, dropped: 0, merged: 0 },
    comments: [],
  };
  const commenting = options.comment ?? true;
  const pullRequest = commenting
    ? await findPullRequest(client, context, run).catch((error: unknown) => {
        throw publishApiError(error, `find the pull request of commit ${run.head_sha}`);
      })
    : null;
  for (const { report: untrusted } of files) {
    // Fields that decide where and what we link to come from GitHub, not from the fork.
    const report: GateReport = {
      ...redactDeep(untrusted),
      pullRequest: pullRequest ?? undefined,
      commit: run.head_sha,
      detailsUrl: typeof run.html_url === 'string' ? run.html_url : undefined,
    };
    result.reports.push(report);
    if (!commenting) {
      result.comments.push({ state: 'skipped', reason: 'comment: false' });
      continue;
    }
    if (pullRequest === null) {
      result.comments.push({ state: 'skipped', reason: `no open pull request has head commit ${run.head_sha}` });
      continue;
    }
    try {
      const done = await upsert(client, report, pullRequest, context, options, true);
      result.comments.push({ state: done.action, pullRequest, url: done.url });
    } catch (error) {
      throw publishApiError(error, `comment on pull request #${pullRequest}`);
    }
  }
  if (commenting && pullRequest === null)
    core.warning(
      `No open pull request has head commit ${run.head_sha}; nothing to comment on (the PR may be closed or updated).`,
    );
  // One step, one 1 MiB summary: the reports share the budget.
  const maxBytes = Math.floor(SUMMARY_MAX_BYTES / result.reports.length);
  const summaries = result.reports.map((r) => renderSummary(r, { untrusted: true, maxBytes }));
  result.summaryWritten = await writeSummary(summaries.join('\n---\n\n'));
  result.outputs = { status: worstStatus(result.reports.map((r) => r.status)) };
  for (const [id, value] of Object.entries(result.outputs)) core.setOutput(id, value);
  return result;
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * In `mode: publish` commenting is the whole job, so API failures fail the step — as a GateError with the fix, not
 * a stack trace: a missing permission or a GitHub outage is not a bug in our code.
 */
function publishApiError(error: unknown, what: string): unknown {
  const status = httpStatus(error);
  if (status === undefined) return error;
  const message = redact((error as Error).message);
  if (status === 401 || status === 403 || status === 404)
    return new GateError(`cannot ${what}: ${message} (HTTP ${status})`, {
      fix: 'give the workflow_run job `permissions: { actions: read, pull-requests: write }` and pass its `github-token`',
      cause: error,
    });
  return new GateError(`cannot ${what}: GitHub answered HTTP ${status} (${message}) after retries`, {
    fix: 're-run the workflow_run job once GitHub is healthy (https://www.githubstatus.com)',
    cause: error,
  });
}

interface WorkflowRun {
  id?: number;
  head_sha: string;
  head_branch?: string;
  html_url?: string;
  event?: string;
  pull_requests?: Array<{ number?: unknown; head?: { sha?: string } }>;
  head_repository?: { owner?: { login?: string } };
}

/**
 * The PR a workflow_run belongs to, from trusted sources only: the event payload (filled for same-repo PRs), then
 * the commit's associated PRs, then open PRs of the fork's head branch — each API result must have the run's head SHA.
 */
async function findPullRequest(client: GitHubClient, context: GitHubContext, run: WorkflowRun): Promise<number | null> {
  const fromPayload = (run.pull_requests ?? []).filter((p) => Number.isInteger(p.number) && (p.number as number) > 0);
  const exact = fromPayload.find((p) => p.head?.sha === run.head_sha) ?? fromPayload[0];
  if (exact) return exact.number as number;
  const { owner, repo } = context;
  const byCommit = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    owner,
    repo,
    commit_sha: run.head_sha,
  });
  const match =
    byCommit.data.find((p) => p.head.sha === run.head_sha && p.state === 'open') ??
    byCommit.data.find((p) => p.head.sha === run.head_sha);
  if (match) return match.number;
  const headOwner = run.head_repository?.owner?.login;
  if (headOwner && run.head_branch) {
    const byHead = await client.rest.pulls.list({
      owner,
      repo,
      state: 'open',
      head: `${headOwner}:${run.head_branch}`,
      per_page: 100,
    });
    const found = byHead.data.find((p) => p.head.sha === run.head_sha);
    if (found) return found.number;
  }
  return null;
}

async function writeSummary(markdown: string): Promise<boolean> {
  // Appended directly rather than through core.summary, which caches the file path of the first call; outside a
  // runner (CLI) there is no summary file at all.
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  await appendFile(file, `${redact(markdown)}\n`);
  return true;
}

function runnerTemp(): string | undefined {
  return process.env.RUNNER_TEMP || undefined;
}

async function defaultReportPath(report: GateReport): Promise<string> {
  const temp = runnerTemp();
  const dir = temp ? join(temp, 'myco-gates') : await mkdtemp(join(tmpdir(), 'myco-gates-'));
  return join(dir, `${reportFileStem(report)}.json`);
}

/**
 * The default artifact directory of `mode: report` and `mode: publish`.
 * @returns `$RUNNER_TEMP/myco-gates-artifact`, or under the OS temp dir outside a runner.
 */
export function defaultArtifactDir(): string {
  return join(runnerTemp() ?? tmpdir(), 'myco-gates-artifact');
}
