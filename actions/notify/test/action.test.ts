import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateReportInput } from '@myco-gates/core';
import { runAction, startGitHubStub, webhookPayload, type GitHubStub, type RunActionResult } from '@myco-gates/testkit';
import {
  checkBlocks,
  slackSpecAvailable,
  slackSpecPath,
  startSlackStub,
  type SlackStub,
} from '@myco-gates/testkit/slack-stub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real bundle (dist/index.js) on Node 24, as the runner runs it, against the Slack stub (every request and answer
 * checked against Slack's published Web API description) and the GitHub stub (checked against GitHub's). Each test
 * is one or more steps of a deploy workflow: the same run id is the same deploy.
 */

const available = slackSpecAvailable();
if (!available) console.log(`notify bundle tests skipped: Slack's Web API description is not at ${slackSpecPath()}.`);

const SLACK_TOKEN = 'xoxb-4821-notify-secret-9f3a';
const GITHUB_TOKEN = 'ghs_notify-github-secret-51c7';
const SHA = '3f9c2e1d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e';
const DEPLOYS = 'C0DEPLOYS1';
const RELEASES = 'C0RELEASE2';

const generatedAt = '2026-12-06T10:00:00Z';
const COVERAGE: GateReportInput = {
  schemaVersion: 1,
  gate: 'coverage',
  status: 'pass',
  headline: 'Coverage 86.40% lines — above the 85% threshold (+0.32 vs main)',
  checks: [
    { id: 'lines', title: 'Lines', status: 'pass', actual: '86.40%', expected: '≥ 85%' },
    { id: 'branches', title: 'Branches', status: 'pass', actual: '78.10%', expected: '≥ 70%' },
  ],
  metrics: { lines: 86.4, branches: 78.1 },
  metricUnits: { lines: 'percent', branches: 'percent' },
  generatedAt,
};
const SLO: GateReportInput = {
  schemaVersion: 1,
  gate: 'slo',
  status: 'fail',
  headline:
    'SLO breached — rollback: backend-availability 5.20% bad (52 of 1000), at least 4.09% — over the 0.50% allowed',
  checks: [
    {
      id: 'backend-availability',
      title: 'Backend availability (rollback trigger)',
      status: 'fail',
      actual: '94.80%',
      expected: '≥ 99.50%',
      message: '52 of 1000 requests failed; at least 4.09% bad at 95% confidence',
    },
    {
      id: 'backend-latency',
      title: 'Backend latency p99 < 300 ms',
      status: 'pass',
      actual: '99.20%',
      expected: '≥ 99%',
    },
  ],
  metrics: { 'sli-backend-availability': 94.8, 'sli-backend-latency': 99.2 },
  facts: { rollback: 'true', breached: 'backend-availability' },
  generatedAt,
};
const ROLLBACK: GateReportInput = {
  schemaVersion: 1,
  gate: 'rollback',
  status: 'pass',
  headline: 'Rolled back deployment/backend to revision 4 in 42 s',
  checks: [{ id: 'rollout', title: 'Rollout of revision 4', status: 'pass', message: '3 of 3 replicas ready' }],
  metrics: { 'duration-seconds': 42 },
  facts: {
    'rolled-back': 'true',
    workload: 'deployment/backend',
    'from-image': 'ghcr.io/acme/shop-backend:1.5.0',
    'to-image': 'ghcr.io/acme/shop-backend:1.4.2',
    'from-revision': '5',
    'to-revision': '4',
    'duration-seconds': '42',
  },
  generatedAt,
};

let slack: SlackStub;
let github: GitHubStub;

beforeAll(async () => {
  if (!available) return;
  slack = await startSlackStub({
    token: SLACK_TOKEN,
    channels: [
      { id: DEPLOYS, name: 'deploys' },
      { id: RELEASES, name: 'releases' },
      { id: 'C0NOTJOIN1', name: 'general', member: false },
    ],
  });
  github = await startGitHubStub();
});

afterAll(async () => {
  await slack?.close();
  await github?.close();
});

/** A workspace whose `reports/` folder holds the given gates' reports, as earlier steps would have left them. */
function workspaceWith(...reports: GateReportInput[]): string {
  const workspace = mkdtempSync(join(tmpdir(), 'notify-action-'));
  mkdirSync(join(workspace, 'reports'));
  for (const report of reports)
    writeFileSync(join(workspace, 'reports', `${report.gate}.json`), JSON.stringify(report, null, 2));
  return workspace;
}

interface Step {
  inputs?: Record<string, string>;
  reports?: GateReportInput[];
  runId?: number;
  attempt?: number;
  /** Run for pull request #12 instead of a push. */
  pr?: boolean;
}

async function notify(step: Step = {}): Promise<RunActionResult & { reportText: string }> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'notify-runner-temp-'));
  const result = await runAction({
    action: 'notify',
    node: '24',
    workspace: workspaceWith(...(step.reports ?? [])),
    github,
    token: GITHUB_TOKEN,
    eventName: step.pr ? 'pull_request' : 'push',
    payload: step.pr
      ? webhookPayload('pull_request', 'opened', {
          repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
          pull_request: {
            number: 12,
            html_url: 'https://github.com/acme/shop/pull/12',
            head: { sha: SHA, ref: 'feature' },
            base: { sha: 'b'.repeat(40), ref: 'main' },
          },
        })
      : webhookPayload('push', undefined, {
          ref: 'refs/heads/main',
          after: SHA,
          repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
        }),
    runId: step.runId ?? 1658821493,
    env: { RUNNER_TEMP: runnerTemp, GITHUB_RUN_ATTEMPT: String(step.attempt ?? 1), GITHUB_WORKFLOW: 'deploy' },
    inputs: {
      reports: 'reports/*.json',
      'slack-token': SLACK_TOKEN,
      channel: DEPLOYS,
      'slack-api-url': slack.url,
      environment: 'production',
      'environment-url': 'https://shop.example.com',
      'retry-timeout': '20s',
      ...step.inputs,
    },
    timeoutMs: 50_000,
  });
  let reportText = '';
  try {
    reportText = readFileSync(result.outputs.report, 'utf8');
  } catch {
    // No report: the assertions on the outputs say why.
  }
  return { ...result, reportText };
}

/** What the runner shows: everything but the `::add-mask::` commands themselves. */
function expectNoSecret(run: RunActionResult & { reportText: string }, secrets = [SLACK_TOKEN, GITHUB_TOKEN]) {
  for (const text of [run.stdout.replace(/^::add-mask::.*$/gm, ''), run.stderr, run.summary, run.reportText])
    for (const secret of secrets) expect(text).not.toContain(secret);
}

function expectGreen(run: RunActionResult) {
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(run.annotations.filter((a) => a.level === 'warning' || a.level === 'error')).toEqual([]);
}

describe.skipIf(!available)('notify bundle on Node 24', () => {
  it('one message across three steps: started → gates → rolled back, details threaded, deployment statuses', async () => {
    const runId = 9000001;
    const steps = [
      { reports: [], verdict: 'in-progress', status: 'pass', state: 'in_progress' },
      { reports: [COVERAGE, SLO], verdict: 'failed', status: 'fail', state: 'failure' },
      { reports: [COVERAGE, SLO, ROLLBACK], verdict: 'rolled-back', status: 'fail', state: 'inactive' },
    ];
    const runs: Awaited<ReturnType<typeof notify>>[] = [];
    for (const step of steps) {
      const run = await notify({ reports: step.reports, runId, inputs: { 'deployment-status': 'true' } });
      expectGreen(run);
      expect(run.outputs).toMatchObject({
        verdict: step.verdict,
        status: step.status,
        channel: DEPLOYS,
        notified: 'true',
      });
      expectNoSecret(run);
      expect(run.masked).toEqual(expect.arrayContaining([SLACK_TOKEN, GITHUB_TOKEN]));
      runs.push(run);
    }
    // One message, posted once and updated twice; its ts is every step's output.
    const messages = slack.messages(DEPLOYS).filter((m) => m.metadata?.event_payload.key === runs[0].outputs.key);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ts: runs[0].outputs.ts, edits: 2 });
    expect(new Set(runs.map((r) => r.outputs.ts))).toEqual(new Set([messages[0].ts]));
    expect(runs[0].outputs.key).toBe(`acme/shop/deploy/${runId}/production`);
    expect(runs[2].outputs.permalink).toBe(
      `https://myco-stub.slack.com/archives/${DEPLOYS}/p${messages[0].ts.replace('.', '')}`,
    );
    // The thread: one reply per gate, updated in place by the later step.
    const replies = slack.replies(DEPLOYS, messages[0].ts);
    expect(replies.map((r) => r.metadata?.event_payload.id)).toEqual(['coverage', 'slo', 'rollback']);
    expect(replies.map((r) => r.edits)).toEqual([1, 1, 0]);
    expect(replies[1].text).toMatch(/^SLOs: SLO breached — rollback/);

    // What the channel shows, laid out as Slack does, within every Block Kit limit.
    const final = messages[0];
    expect(final.text).toMatch(/^❌ Rolled back acme\/shop in production — Coverage: Coverage 86\.40% lines/);
    expect(checkBlocks(final.blocks)).toEqual([]);
    for (const reply of replies) expect(checkBlocks(reply.blocks)).toEqual([]);
    expect(final.blocks).toMatchSnapshot('rolled-back message');
    expect(JSON.stringify(final.blocks)).toContain(
      '↩️ Rolled back deployment/backend from `ghcr.io/acme/shop-backend:1.5.0` (revision 5) to `ghcr.io/acme/shop-backend:1.4.2` (revision 4) in 42 s',
    );

    // The deployment: created once, its statuses mapped from each verdict, with the run and the environment linked.
    const deployments = github.deployments('acme', 'shop').filter((d) => d.environment === 'production');
    expect(deployments).toHaveLength(1);
    expect(deployments[0].statuses.map((s) => s.state)).toEqual(['inactive', 'failure', 'in_progress']);
    expect(deployments[0].statuses[0]).toMatchObject({
      logUrl: `https://github.com/acme/shop/actions/runs/${runId}`,
      environmentUrl: 'https://shop.example.com',
    });
    expect(runs[2].summary).toMatch(/Rolled back acme\/shop in production/);
    expect(runs[2].summary).toMatch(/GitHub deployment \d+ \(production\) set to `inactive`/);
    slack.assertNoViolations();
    github.assertNoViolations();
  });

  it('a re-run attempt updates the same message and thread, never duplicates', async () => {
    const runId = 9000002;
    const first = await notify({ runId, reports: [COVERAGE, SLO, ROLLBACK] });
    const again = await notify({ runId, attempt: 2, reports: [COVERAGE, SLO, ROLLBACK] });
    expectGreen(again);
    expect(again.outputs.ts).toBe(first.outputs.ts);
    expect(again.summary).toMatch(/Slack message updated/);
    const mine = slack.messages(DEPLOYS).filter((m) => m.metadata?.event_payload.key === first.outputs.key);
    expect(mine).toHaveLength(1);
    expect(slack.replies(DEPLOYS, first.outputs.ts)).toHaveLength(3);
    // The re-run's link points at its attempt.
    expect(JSON.stringify(mine[0].blocks)).toContain(`/actions/runs/${runId}/attempts/2`);
    slack.assertNoViolations();
  });

  it('two environments of one run get two messages', async () => {
    const runId = 9000003;
    const staging = await notify({ runId, reports: [COVERAGE], inputs: { channel: RELEASES, environment: 'staging' } });
    const production = await notify({ runId, reports: [COVERAGE], inputs: { channel: RELEASES } });
    expectGreen(staging);
    expectGreen(production);
    expect(staging.outputs.ts).not.toBe(production.outputs.ts);
    expect(slack.messages(RELEASES).map((m) => m.metadata?.event_payload.key)).toEqual([
      `acme/shop/deploy/${runId}/staging`,
      `acme/shop/deploy/${runId}/production`,
    ]);
    expect(staging.outputs.verdict).toBe('deployed');
    slack.assertNoViolations();
  });

  it('with thread-details false, nothing goes to the thread', async () => {
    const run = await notify({ runId: 9000004, reports: [COVERAGE, SLO], inputs: { 'thread-details': 'false' } });
    expectGreen(run);
    expect(slack.replies(DEPLOYS, run.outputs.ts)).toEqual([]);
  });

  it('webhook mode posts once per step and says in the job summary that it cannot update', async () => {
    const before = slack.messages(DEPLOYS).filter((m) => m.via === 'webhook').length;
    const hookRequests = () => slack.requests.filter((r) => r.method === 'webhook').length;
    const requestsBefore = hookRequests();
    const run = await notify({
      runId: 9000005,
      reports: [COVERAGE, SLO, ROLLBACK],
      inputs: { 'slack-token': '', channel: '', 'slack-webhook': slack.webhookUrl },
    });
    expectGreen(run);
    expect(hookRequests() - requestsBefore).toBe(1);
    const posted = slack.messages(DEPLOYS).filter((m) => m.via === 'webhook');
    expect(posted).toHaveLength(before + 1);
    expect(posted.at(-1)!.text).toMatch(/^❌ Rolled back acme\/shop in production/);
    expect(run.summary).toMatch(/Webhooks cannot update a message/);
    expect(run.outputs).toMatchObject({ ts: '', permalink: '', verdict: 'rolled-back', notified: 'true' });
    const secretPath = new URL(slack.webhookUrl).pathname;
    expectNoSecret(run, [secretPath, SLACK_TOKEN, GITHUB_TOKEN]);
    expect(run.masked).toEqual(expect.arrayContaining([slack.webhookUrl]));
    slack.assertNoViolations();
  });

  it('retries 429 (Retry-After honoured) and 5xx, for the Web API and the webhook', async () => {
    const runId = 9000006;
    const started = Date.now();
    slack.injectFault('conversations.history', { kind: 'rate-limit', retryAfterSeconds: 1 });
    slack.injectFault('chat.postMessage', { kind: 'status', status: 503 }, 2);
    const run = await notify({ runId, reports: [COVERAGE] });
    expectGreen(run);
    const seen = slack.requests.filter((r) => r.at >= started);
    const history = seen.filter((r) => r.method === 'conversations.history');
    expect(history[0].status).toBe(429);
    expect(history[1].at - history[0].at).toBeGreaterThanOrEqual(950);
    expect(seen.filter((r) => r.method === 'chat.postMessage').map((r) => r.status)).toEqual([503, 503, 200, 200]);
    expect(slack.messages(DEPLOYS).filter((m) => m.metadata?.event_payload.key === run.outputs.key)).toHaveLength(1);

    slack.injectFault('webhook', { kind: 'rate-limit', retryAfterSeconds: 1 });
    slack.injectFault('webhook', { kind: 'status', status: 500 });
    const hook = await notify({ runId, inputs: { 'slack-token': '', 'slack-webhook': slack.webhookUrl } });
    expectGreen(hook);
    expect(slack.requests.filter((r) => r.method === 'webhook' && r.at >= started).map((r) => r.status)).toEqual([
      429, 500, 200,
    ]);
    slack.assertNoViolations();
  });

  it.each([
    [
      'invalid_auth',
      { 'slack-token': 'xoxb-revoked-0000' },
      undefined,
      /invalid_auth — the `slack-token` is not valid/,
    ],
    ['channel_not_found', { channel: 'C0UNKNOWN9' }, undefined, /channel_not_found — check `channel`/],
    ['not_in_channel', { channel: 'C0NOTJOIN1' }, undefined, /not_in_channel — invite the app to the channel/],
    [
      'missing_scope',
      {},
      { method: 'conversations.history', error: 'missing_scope', needed: 'channels:history' },
      /missing_scope — add the `channels:history` scope to the Slack app/,
    ],
    ['msg_too_long', {}, { method: 'chat.postMessage', error: 'msg_too_long' }, /msg_too_long — /],
  ] as const)('Slack %s is one warning line with the fix; the step stays green', async (_code, inputs, fault, line) => {
    if (fault) slack.injectFault(fault.method, { kind: 'error', error: fault.error, needed: (fault as any).needed });
    const run = await notify({ runId: 9000007, reports: [COVERAGE, SLO, ROLLBACK], inputs });
    expect(run.exitCode, run.stdout).toBe(0);
    const warnings = run.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/^notify could not send everything: Slack: Slack refused /);
    expect(warnings[0].message).toMatch(line);
    expect(warnings[0].message).not.toMatch(/\n|at .*\.js/);
    // The deploy's own result is still reported.
    expect(run.outputs).toMatchObject({ verdict: 'rolled-back', status: 'fail', notified: 'false' });
    expectNoSecret(run, [SLACK_TOKEN, GITHUB_TOKEN, 'xoxb-revoked-0000']);
    slack.assertNoViolations();
  });

  it('fail-on-error fails the step with the same line', async () => {
    const run = await notify({ runId: 9000008, inputs: { channel: 'C0NOTJOIN1', 'fail-on-error': 'true' } });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/not_in_channel — invite the app/);
  });

  it.each([
    ['deployed', 'success', [COVERAGE]],
    ['failed', 'failure', [COVERAGE, { ...SLO, facts: { rollback: 'false', breached: 'backend-availability' } }]],
    ['error', 'error', [{ ...COVERAGE, status: 'error', headline: 'No coverage report found' }]],
    [
      'rollback-failed',
      'error',
      [SLO, { ...ROLLBACK, status: 'fail', headline: 'Rollback of deployment/backend timed out' }],
    ],
  ] as const)('a %s deploy sets the deployment status %s', async (verdict, state, reports) => {
    const environment = `env-${verdict}`;
    const run = await notify({
      runId: 9000009,
      reports: reports as unknown as GateReportInput[],
      inputs: { environment, 'deployment-status': 'true' },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe(verdict);
    const deployment = github.deployments('acme', 'shop').find((d) => d.environment === environment)!;
    expect(deployment.statuses.map((s) => s.state)).toEqual([state]);
    expect(deployment.statuses[0]).toMatchObject({
      logUrl: 'https://github.com/acme/shop/actions/runs/9000009',
      environmentUrl: 'https://shop.example.com',
    });
    github.assertNoViolations();
  });

  it('on a pull request, comment: true keeps one sticky comment with the verdict, and the message links the PR', async () => {
    github.addPullRequest({ owner: 'acme', repo: 'shop', number: 12, headSha: SHA, baseSha: 'b'.repeat(40) });
    for (const reports of [[COVERAGE], [COVERAGE, SLO, ROLLBACK]]) {
      const run = await notify({ runId: 9000011, pr: true, reports, inputs: { comment: 'true' } });
      expectGreen(run);
      expectNoSecret(run);
    }
    const comments = github.comments('acme', 'shop', 12);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/Rolled back acme\/shop in production/);
    for (const text of comments.map((c) => c.body)) expect(text).not.toContain(SLACK_TOKEN);
    const message = slack.messages(DEPLOYS).find((m) => String(m.metadata?.event_payload.key).includes('9000011'))!;
    expect(JSON.stringify(message.blocks)).toContain('<https://github.com/acme/shop/pull/12|PR #12>');
    github.assertNoViolations();
  });

  it('a token without deployments: write is one warning with the fix', async () => {
    github.injectFault('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { kind: 'read-only' });
    const run = await notify({ runId: 9000010, reports: [COVERAGE], inputs: { 'deployment-status': 'true' } });
    expect(run.exitCode).toBe(0);
    const warnings = run.annotations.filter((a) => a.level === 'warning');
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /deployment status: GitHub answered HTTP 403 .* — give the job `permissions: deployments: write`/,
      ),
    ]);
    expect(run.outputs.notified).toBe('false');
  });
});
