import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readGitHubContext, type GitHubContext } from './context.js';
import { startGitHubStub, type GitHubStub } from './github-stub.js';
import { publishReport, type PublishOptions } from './publish.js';
import type { GateReportInput } from './report.js';
import { gateErrorOf } from './test-helpers.js';
import { startRunnerStub, type RunnerStub } from './runner-stub.js';

const TOKEN = 'ghs_publishTestToken0123456789';
const MARKER = '<!-- myco-gates:coverage -->';

function example(name: string, pick: (e: any) => boolean): any {
  const event = (examples as Array<{ name: string; examples: any[] }>).find((e) => e.name === name)!;
  return structuredClone(event.examples.find(pick));
}
/** A real `pull_request.opened` payload (Codertocat/Hello-World#2). */
const pullRequestPayload = example('pull_request', (e) => e.action === 'opened');
/** A real `workflow_run.completed` payload, turned into the run of a fork PR's `pull_request` workflow. */
function workflowRunPayload(pullRequests: boolean) {
  const payload = example('workflow_run', (e) => e.action === 'completed' && e.workflow_run.pull_requests.length > 0);
  payload.workflow_run.event = 'pull_request';
  if (!pullRequests) payload.workflow_run.pull_requests = [];
  payload.workflow_run.head_repository.owner.login = 'forker';
  payload.workflow_run.head_branch = 'feature';
  return payload;
}

const report = (over: Partial<GateReportInput> = {}): GateReportInput => ({
  schemaVersion: 1,
  gate: 'coverage',
  status: 'fail',
  headline: 'Coverage 84.12% lines — below the 85% threshold',
  checks: [{ id: 'lines', title: 'Lines', status: 'fail', actual: '84.12%', expected: '≥ 85%' }],
  metrics: { lines: 84.12, branches: 90 },
  annotations: [
    { level: 'warning', file: 'src/a.ts', line: 3, message: 'uncovered' },
    { level: 'warning', file: 'src/a.ts', line: 4, message: 'uncovered' },
  ],
  generatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

let runner: RunnerStub;
let github: GitHubStub;
beforeEach(async () => {
  runner = startRunnerStub();
  github = await startGitHubStub();
});
afterEach(async () => {
  runner.restore();
  await github.close();
});

const context = (eventName: string, payload: any): GitHubContext => {
  const path = join(runner.dir, 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return readGitHubContext({
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: path,
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
    GITHUB_RUN_ID: '42',
    GITHUB_SERVER_URL: 'https://github.com',
  });
};
const options = (over: PublishOptions = {}): PublishOptions => ({
  token: TOKEN,
  context: context('pull_request', pullRequestPayload),
  client: {
    baseUrl: github.url,
    retryBaseMs: 1,
    rateLimitBaseMs: 1,
    retries: 1,
    log: { info: () => {}, warning: () => {} },
  },
  ...over,
});

describe('publishReport, mode gate', () => {
  it('writes report, outputs, summary and annotations, and upserts one sticky comment', async () => {
    const result = await publishReport(report(), options());
    expect(result.comments).toEqual([
      { state: 'created', pullRequest: 2, url: expect.stringContaining('issuecomment') },
    ]);
    const reportPath = join(runner.dir, 'temp', 'myco-gates', 'coverage.json');
    expect(runner.outputs()).toEqual({ status: 'fail', report: reportPath, lines: '84.12', branches: '90' });
    const written = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(written).toMatchObject({
      gate: 'coverage',
      pullRequest: 2,
      commit: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      detailsUrl: 'https://github.com/Codertocat/Hello-World/actions/runs/42',
    });
    expect(runner.summary()).toContain('❌ **Coverage 84.12% lines');
    expect(runner.commands('warning')).toEqual(['::warning file=src/a.ts,line=3,endLine=4::uncovered']);
    expect(result.annotations).toEqual({ emitted: 1, dropped: 0, merged: 1 });

    const body = github.comments.get(2)![0].body;
    expect(body.startsWith('❌ **Coverage 84.12% lines')).toBe(true);
    expect(body).toContain(MARKER);
    const writes = github.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/Codertocat/Hello-World/issues/2/comments',
    ]);

    // A re-run updates the same comment instead of adding one.
    const again = await publishReport(report({ status: 'pass', headline: 'Coverage 85.00% lines' }), options());
    expect(again.comments[0]).toMatchObject({ state: 'updated', pullRequest: 2 });
    expect(github.comments.get(2)).toHaveLength(1);
    expect(github.comments.get(2)![0].body).toContain('✅ **Coverage 85.00% lines**');
  });

  it.each([
    ['403 "Resource not accessible by integration"', () => (github.readOnly = true)],
    ['404', () => github.fail('GET', /comments$/, { status: 404, body: { message: 'Not Found' } })],
  ])(
    'does not fail on a read-only token (%s): one warning with the fix, summary still written',
    async (_name, arrange) => {
      arrange();
      const result = await publishReport(report({ annotations: [] }), options());
      expect(result.comments[0].state).toBe('read-only');
      const warnings = runner.commands('warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(
        'use `mode: report` in the pull_request workflow plus a `workflow_run` workflow with `mode: publish`; see docs/fork-prs.md',
      );
      expect(runner.summary()).toContain('Coverage 84.12% lines');
      expect(runner.commands('error')).toEqual([]);
    },
  );

  it('turns a rejected token (401) into a GateError with the fix', async () => {
    github.fail('GET', /comments$/, { status: 401, body: { message: 'Bad credentials' } });
    expect(await gateErrorOf(publishReport(report(), options()))).toBe(
      'GitHub rejected the token (401 Bad credentials) while commenting on the pull request — pass a valid token in `github-token` (the default `${{ github.token }}` works)',
    );
    expect(runner.outputs()).toMatchObject({ status: 'fail', lines: '84.12' });
  });

  it('warns but does not fail when GitHub keeps failing (the summary has the report)', async () => {
    github.fail('GET', /comments$/, { status: 502 }, 10);
    const result = await publishReport(report({ annotations: [] }), options());
    expect(result.comments[0].state).toBe('failed');
    expect(runner.commands('warning')).toEqual([expect.stringContaining('Could not comment on pull request #2')]);
  });

  it.each([
    [
      'a push event',
      { context: undefined as GitHubContext | undefined, event: 'push' },
      'event `push` is not a pull request',
    ],
    ['comment: false', { comment: false }, 'comment: false'],
    ['no token', { token: '' }, 'no token'],
  ])('skips the comment for %s without any API call', async (_name, over, reason) => {
    const extra: PublishOptions =
      'event' in over ? { context: context('push', { ref: 'refs/heads/main' }) } : (over as PublishOptions);
    const result = await publishReport(report(), options(extra));
    expect(result.comments[0]).toMatchObject({ state: 'skipped', reason });
    expect(github.requests).toEqual([]);
  });

  it('never writes the token into report, summary or comment', async () => {
    await publishReport(
      report({ headline: `leaked ${TOKEN}`, checks: [{ id: 'x', title: TOKEN, status: 'fail' }] }),
      options(),
    );
    expect(runner.commands('add-mask')).toContain(`::add-mask::${TOKEN}`);
    expect(readFileSync(runner.outputs().report, 'utf8')).not.toContain(TOKEN);
    expect(runner.summary()).not.toContain(TOKEN);
    expect(github.comments.get(2)![0].body).not.toContain(TOKEN);
    expect(github.comments.get(2)![0].body).toContain('leaked \\*\\*\\*');
    // Redacted before rendering: escaping (`_` -> `\_`) must not hide the token from redaction.
    expect(github.comments.get(2)![0].body).not.toContain(TOKEN.replace(/_/g, '\\_'));
    expect(runner.summary()).not.toContain(TOKEN.replace(/_/g, '\\_'));
  });

  it('reads the context from the runner environment by default', async () => {
    const path = join(runner.dir, 'event.json');
    writeFileSync(path, JSON.stringify(pullRequestPayload));
    Object.assign(process.env, {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path,
      GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    });
    try {
      const result = await publishReport(report(), { ...options(), context: undefined });
      expect(result.comments[0]).toMatchObject({ state: 'created', pullRequest: 2 });
    } finally {
      delete process.env.GITHUB_EVENT_NAME;
      delete process.env.GITHUB_REPOSITORY;
    }
  });
});

describe('fork PRs: mode report, then mode publish in workflow_run', () => {
  const artifactDir = () => join(runner.dir, 'artifact');
  const reportToArtifact = (over: Partial<GateReportInput> = {}) =>
    publishReport(report(over), options({ mode: 'report', artifactDir: artifactDir() }));
  const publishFromArtifact = (payload: unknown) =>
    publishReport(
      null,
      options({ mode: 'publish', artifactDir: artifactDir(), context: context('workflow_run', payload) }),
    );

  it('report mode writes the artifact and sets artifact-path without any API call', async () => {
    const result = await publishReport(
      report({ commentId: 'backend' }),
      options({ mode: 'report', artifactDir: artifactDir() }),
    );
    expect(result.artifactPath).toBe(artifactDir());
    expect(runner.outputs()['artifact-path']).toBe(artifactDir());
    const artifact = JSON.parse(readFileSync(join(artifactDir(), 'coverage-backend.report.json'), 'utf8'));
    expect(artifact).toMatchObject({ pullRequest: 2, commit: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' });
    expect(github.requests).toEqual([]);
  });

  it('publish mode comments on the PR from the event payload, never the artifact, and re-renders as untrusted', async () => {
    await reportToArtifact();
    // The fork tampers with its artifact: another PR, a phishing link, HTML and mentions.
    const file = join(artifactDir(), 'coverage.report.json');
    const tampered = JSON.parse(readFileSync(file, 'utf8'));
    Object.assign(tampered, {
      pullRequest: 999,
      detailsUrl: 'https://evil.test/login',
      headline: 'ok @maintainers <img src=https://evil.test/pixel>',
      sections: [{ title: 'x', markdown: '<details><summary>hi</summary> @octocat' }],
    });
    writeFileSync(file, JSON.stringify(tampered));

    const result = await publishFromArtifact(workflowRunPayload(true));
    expect(result.comments).toEqual([{ state: 'created', pullRequest: 2, url: expect.any(String) }]);
    expect(github.comments.get(999)).toBeUndefined();
    const body = github.comments.get(2)![0].body;
    // The fork's markdown is shown only as code; outside that block nothing of its HTML or mentions survives.
    expect(body).toContain('```markdown\n<details><summary>hi</summary> @\u200boctocat\n```');
    expect(body.replace(/```markdown[\s\S]*?```/, '')).not.toMatch(
      /evil\.test\/login|<img|<details>|@maintainers|@octocat/,
    );
    expect(result.reports[0]).toMatchObject({
      pullRequest: 2,
      commit: '3484a3fb816e0859fd6e1cea078d76385ff50625',
      detailsUrl: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
    });
    expect(runner.outputs().status).toBe('fail');
    expect(runner.summary()).toContain('ok @\u200bmaintainers');
  });

  it.each([
    ['commits/{sha}/pulls', (sha: string) => github.pullsByCommit.set(sha, [{ number: 5, head: { sha } }])],
    ['the fork branch', (sha: string) => github.pullsByHead.set('forker:feature', [{ number: 5, head: { sha } }])],
  ])('finds a fork PR by head SHA via %s when the payload has no pull_requests', async (_name, arrange) => {
    const payload = workflowRunPayload(false);
    arrange(payload.workflow_run.head_sha);
    await reportToArtifact();
    const result = await publishFromArtifact(payload);
    expect(result.comments[0]).toMatchObject({ state: 'created', pullRequest: 5 });
  });

  it('ignores an API match whose head SHA differs and warns that no PR was found', async () => {
    const payload = workflowRunPayload(false);
    github.pullsByCommit.set(payload.workflow_run.head_sha, [{ number: 5, head: { sha: 'other' } }]);
    await reportToArtifact();
    const result = await publishFromArtifact(payload);
    expect(result.comments[0].state).toBe('skipped');
    expect(runner.commands('warning')).toContainEqual(expect.stringContaining('No open pull request has head commit'));
    expect(github.comments.size).toBe(0);
  });

  it.each([
    [
      'a malformed artifact',
      () => writeFileSync(join(artifactDir(), 'x.report.json'), '{"gate": }'),
      /x\.report\.json:1: not valid JSON/,
    ],
    ['an empty artifact', () => {}, /no \*\.report\.json file found/],
  ])('fails publish with a GateError for %s', async (_name, arrange, expected) => {
    mkdirSync(artifactDir(), { recursive: true });
    arrange();
    const promise = publishFromArtifact(workflowRunPayload(true));
    expect(await gateErrorOf(promise)).toMatch(expected);
    expect(github.requests).toEqual([]);
  });

  it('fails publish outside workflow_run with the fix', async () => {
    expect(await gateErrorOf(publishReport(null, options({ mode: 'publish' })))).toBe(
      '`mode: publish` runs in a workflow_run workflow, not on `pull_request` — use `mode: publish` only in a workflow triggered by `on: workflow_run`; see docs/fork-prs.md',
    );
  });

  it('fails publish with the outage, not a stack trace, when GitHub keeps failing', async () => {
    await reportToArtifact();
    github.fail('GET', /comments$/, { status: 503 }, 10);
    expect(await gateErrorOf(publishFromArtifact(workflowRunPayload(true)))).toMatch(
      /^cannot comment on pull request #2: GitHub answered HTTP 503 .* — re-run the workflow_run job once GitHub is healthy/,
    );
  });

  it('fails publish when the PR lookup is forbidden', async () => {
    await reportToArtifact();
    github.fail('GET', /\/pulls$/, { status: 403, body: { message: 'Resource not accessible by integration' } });
    expect(await gateErrorOf(publishFromArtifact(workflowRunPayload(false)))).toMatch(
      /^cannot find the pull request of commit 3484a3f\w+: Resource not accessible by integration .*\(HTTP 403\) — give the workflow_run job/,
    );
  });

  it('fails publish when the workflow_run token cannot comment', async () => {
    github.readOnly = true;
    await reportToArtifact();
    const promise = publishFromArtifact(workflowRunPayload(true));
    expect(await gateErrorOf(promise)).toMatch(
      /cannot comment on pull request #2: .* — give the workflow_run job `permissions: \{ actions: read, pull-requests: write \}`/,
    );
  });
});
