import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubFault, type GitHubStub, startGitHubStub } from './github-stub.js';

const TOKEN = 'ghs_testkitSecretValue123';
const COMMENTS_ROUTE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const LIST_ROUTE = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';

let github: GitHubStub;

beforeEach(async () => {
  github = await startGitHubStub({ now: () => new Date('2026-02-03T04:05:06.789Z') });
});

afterEach(async () => {
  await github.close();
});

function client(retries = 0) {
  return getOctokit(
    TOKEN,
    { baseUrl: github.url, retry: { retryAfterBaseValue: 1, retries }, request: { retries } } as never,
    retry as never,
  );
}

async function raw(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${github.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('issue comments', () => {
  it('creates, lists with RFC 5988 pagination, updates and deletes through a real Octokit', async () => {
    const octokit = client();
    for (let i = 1; i <= 5; i++) {
      await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 7, body: `c${i}` });
    }
    const firstPage = await octokit.rest.issues.listComments({
      owner: 'acme',
      repo: 'shop',
      issue_number: 7,
      per_page: 2,
    });
    expect(firstPage.data.map((c) => c.body)).toEqual(['c1', 'c2']);
    expect(firstPage.headers.link).toBe(
      `<${github.url}/repos/acme/shop/issues/7/comments?per_page=2&page=2>; rel="next", ` +
        `<${github.url}/repos/acme/shop/issues/7/comments?per_page=2&page=3>; rel="last"`,
    );
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: 'acme',
      repo: 'shop',
      issue_number: 7,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);

    await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'shop', comment_id: all[1].id, body: 'edited' });
    await octokit.rest.issues.deleteComment({ owner: 'acme', repo: 'shop', comment_id: all[0].id });
    expect(github.comments('acme', 'shop', 7).map((c) => c.body)).toEqual(['edited', 'c3', 'c4', 'c5']);
    expect(all[0].user?.login).toBe('github-actions[bot]');
    expect(all[0].created_at).toBe('2026-02-03T04:05:06Z');
    github.assertNoViolations();
  });

  it('records every request with its auth scheme but never the token', async () => {
    const octokit = client();
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 1, body: 'hi' });
    await fetch(`${github.url}/repos/acme/shop/issues/1/comments?per_page=5`);
    expect(github.requests.map((r) => [r.method, r.path, r.route, r.status, r.auth])).toEqual([
      ['POST', '/repos/acme/shop/issues/1/comments', COMMENTS_ROUTE, 201, { present: true, scheme: 'token' }],
      [
        'GET',
        '/repos/acme/shop/issues/1/comments',
        'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
        200,
        { present: false },
      ],
    ]);
    expect(github.requests[0].body).toEqual({ body: 'hi' });
    expect(github.requests[1].query).toEqual({ per_page: '5' });
    expect(JSON.stringify(github.requests)).not.toContain(TOKEN);
  });

  it('returns 404 for a comment of another repository', async () => {
    const seeded = github.addComment({ owner: 'acme', repo: 'shop', issueNumber: 1, body: 'x' });
    const response = await raw('PATCH', `/repos/acme/other/issues/comments/${seeded.id}`, { body: 'y' });
    expect(response.status).toBe(404);
    github.assertNoViolations();
  });
});

describe('contract check', () => {
  it.each([
    {
      name: 'a comment posted with `text` instead of `body`',
      method: 'POST',
      path: '/repos/acme/shop/issues/1/comments',
      body: { text: 'hello' },
      status: 422,
      violation: "issues/create-comment: request body must have required property 'body'",
    },
    {
      name: 'a comment body of the wrong type',
      method: 'PATCH',
      path: '/repos/acme/shop/issues/comments/1',
      body: { body: 42 },
      status: 422,
      violation: 'issues/update-comment: request body/body must be string',
    },
    {
      name: 'a misspelled query parameter',
      method: 'GET',
      path: '/repos/acme/shop/issues/1/comments?perpage=2',
      status: 200,
      violation: "issues/list-comments: request query must NOT have additional properties 'perpage'",
    },
    {
      name: 'a non-numeric page size',
      method: 'GET',
      path: '/repos/acme/shop/issues/1/comments?per_page=ten',
      status: 200,
      violation: 'issues/list-comments: request query/per_page must be integer',
    },
    {
      name: 'a deployment status outside the enum',
      method: 'POST',
      path: '/repos/acme/shop/deployments/1/statuses',
      body: { state: 'done' },
      status: 422,
      violation: 'repos/create-deployment-status: request body/state must be equal to one of the allowed values',
    },
    {
      name: 'an undocumented route',
      method: 'GET',
      path: '/repos/acme/shop/pull-requests/1',
      status: 404,
      violation: "no operation in GitHub's OpenAPI description (@octokit/openapi@",
    },
    {
      name: 'a documented route the stub does not serve',
      method: 'GET',
      path: '/repos/acme/shop/issues',
      status: 404,
      violation: 'GET /repos/{owner}/{repo}/issues (issues/list-for-repo) is documented but the stub does not serve it',
    },
    {
      name: 'a body on an operation without one',
      method: 'DELETE',
      path: '/repos/acme/shop/issues/comments/1',
      body: { body: 'x' },
      status: 404,
      violation: 'issues/delete-comment: request has a body but the operation documents none',
    },
  ])('reports $name', async ({ method, path, body, status, violation }) => {
    const response = await raw(method, path, body);
    expect(response.status).toBe(status);
    expect(github.violations.map((v) => v.message).join('\n')).toContain(violation);
    expect(() => github.assertNoViolations()).toThrow(/contract violation\(s\) against @octokit\/openapi@\d+/);
  });

  it('lists every violation with method and path in one error', async () => {
    await raw('POST', '/repos/acme/shop/issues/1/comments', { text: 'a' });
    await raw('GET', '/nowhere');
    expect(() => github.assertNoViolations()).toThrow(
      /saw 2 contract violation\(s\)[\s\S]*- POST \/repos\/acme\/shop\/issues\/1\/comments: [\s\S]*- GET \/nowhere: /,
    );
  });
});

describe('fault injection', () => {
  it('fails twice with 502, then the retrying client succeeds', async () => {
    github.injectFault(COMMENTS_ROUTE, { kind: 'status', status: 502 }, 2);
    const octokit = client(3);
    const { data } = await octokit.rest.issues.createComment({ owner: 'a', repo: 'b', issue_number: 1, body: 'x' });
    expect(data.body).toBe('x');
    expect(github.requests.map((r) => [r.status, r.fault])).toEqual([
      [502, 'status'],
      [502, 'status'],
      [201, undefined],
    ]);
    expect(github.comments('a', 'b', 1)).toHaveLength(1);
    github.assertNoViolations();
  });

  it.each<{ fault: GitHubFault; status: number; message: RegExp; headers: Record<string, string | null> }>([
    {
      fault: { kind: 'read-only' },
      status: 403,
      message: /^Resource not accessible by integration$/,
      headers: { 'x-ratelimit-remaining': null },
    },
    {
      fault: { kind: 'rate-limit' },
      status: 403,
      message: /API rate limit exceeded/,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'retry-after': null },
    },
    {
      fault: { kind: 'rate-limit', status: 429, secondary: true, retryAfterSeconds: 60 },
      status: 429,
      message: /secondary rate limit/,
      headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4999' },
    },
    { fault: { kind: 'status', status: 500 }, status: 500, message: /^Server Error$/, headers: {} },
  ])('answers $fault.kind with $status', async ({ fault, status, message, headers }) => {
    github.injectFault('issues/create-comment', fault);
    const first = await raw('POST', '/repos/a/b/issues/1/comments', { body: 'x' });
    expect(first.status).toBe(status);
    expect(((await first.json()) as { message: string }).message).toMatch(message);
    for (const [name, value] of Object.entries(headers)) expect(first.headers.get(name)).toBe(value);
    if (headers['x-ratelimit-reset'] !== undefined || fault.kind === 'rate-limit') {
      expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
    // The fault is spent: the next call succeeds.
    expect((await raw('POST', '/repos/a/b/issues/1/comments', { body: 'x' })).status).toBe(201);
  });

  it('drives the real throttling plugin through primary and secondary rate limits', async () => {
    // A read: the plugin spaces writes at least 1 s apart, which would only slow the test down.
    github.injectFault(LIST_ROUTE, { kind: 'rate-limit', status: 429, secondary: true, retryAfterSeconds: 2 });
    github.injectFault(LIST_ROUTE, { kind: 'rate-limit', retryAfterSeconds: 1 });
    const waits: [string, number][] = [];
    const octokit = getOctokit(
      TOKEN,
      {
        baseUrl: github.url,
        throttle: {
          // Seconds become milliseconds so the test does not sleep.
          retryAfterBaseValue: 1,
          onSecondaryRateLimit: (after: number) => (waits.push(['secondary', after]), true),
          onRateLimit: (after: number) => (waits.push(['primary', after]), true),
        },
      } as never,
      throttling as never,
    );
    await octokit.rest.issues.listComments({ owner: 'a', repo: 'b', issue_number: 1 });
    expect(waits[0]).toEqual(['secondary', 2]);
    expect(waits[1][0]).toBe('primary');
    // reset = now + 1 s; the plugin adds a second so it retries after the reset.
    expect(waits[1][1]).toBeGreaterThanOrEqual(1);
    expect(waits[1][1]).toBeLessThanOrEqual(2);
    expect(github.requests.map((r) => r.status)).toEqual([429, 403, 200]);
  });

  it('closes the socket without an answer', async () => {
    github.injectFault('*', { kind: 'close-socket' });
    await expect(raw('GET', '/repos/a/b/pulls/1')).rejects.toThrow(/fetch failed/);
    expect(github.requests[0]).toMatchObject({ status: 0, fault: 'close-socket' });
  });

  it('rejects a fault on a route the stub does not serve', () => {
    expect(() => github.injectFault('POST /repos/{owner}/{repo}/comments', { kind: 'read-only' })).toThrow(
      /serves no route "POST \/repos\/\{owner\}\/\{repo\}\/comments"/,
    );
  });
});

describe('pull requests, deployments, runs, artifacts, check runs', () => {
  it('serves a seeded pull request, its files and the commit → pulls lookup', async () => {
    const sha = 'a'.repeat(40);
    github.addPullRequest({
      owner: 'acme',
      repo: 'shop',
      number: 12,
      headSha: sha,
      headOwner: 'forker',
      files: [
        { filename: 'src/a.ts', additions: 3, deletions: 1, patch: '@@ -1 +1 @@' },
        { filename: 'src/b.ts', status: 'added', additions: 10 },
        { filename: 'src/c.ts', status: 'renamed', previousFilename: 'src/old.ts' },
      ],
    });
    const octokit = client();
    const pull = await octokit.rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 12 });
    expect(pull.data).toMatchObject({
      number: 12,
      additions: 13,
      deletions: 1,
      changed_files: 3,
      head: { sha, label: 'forker:feature-12', repo: { full_name: 'forker/shop' } },
      base: { ref: 'main', repo: { full_name: 'acme/shop' } },
    });
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner: 'acme',
      repo: 'shop',
      pull_number: 12,
      per_page: 2,
    });
    expect(files.map((f) => [f.filename, f.status, f.changes, f.previous_filename])).toEqual([
      ['src/a.ts', 'modified', 4, undefined],
      ['src/b.ts', 'added', 10, undefined],
      ['src/c.ts', 'renamed', 0, 'src/old.ts'],
    ]);
    const associated = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: 'acme',
      repo: 'shop',
      commit_sha: sha,
    });
    expect(associated.data.map((p) => p.number)).toEqual([12]);
    const missing = await raw('GET', '/repos/acme/shop/pulls/99');
    expect(missing.status).toBe(404);
    github.assertNoViolations();
  });

  it('creates deployments and statuses and lists them newest first', async () => {
    const sha = 'b'.repeat(40);
    github.addDeployment({
      owner: 'acme',
      repo: 'shop',
      sha,
      environment: 'staging',
      statuses: [{ state: 'success' }],
    });
    const octokit = client();
    const created = await octokit.rest.repos.createDeployment({
      owner: 'acme',
      repo: 'shop',
      ref: sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      payload: { revision: 7 },
    });
    const deploymentId = (created.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({
      owner: 'acme',
      repo: 'shop',
      deployment_id: deploymentId,
      state: 'in_progress',
    });
    await octokit.rest.repos.createDeploymentStatus({
      owner: 'acme',
      repo: 'shop',
      deployment_id: deploymentId,
      state: 'failure',
      description: 'SLO burn rate 14.4 over 5m',
    });
    const production = await octokit.rest.repos.listDeployments({
      owner: 'acme',
      repo: 'shop',
      environment: 'production',
    });
    expect(production.data.map((d) => [d.id, d.sha, d.payload])).toEqual([[deploymentId, sha, { revision: 7 }]]);
    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      owner: 'acme',
      repo: 'shop',
      deployment_id: deploymentId,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(['failure', 'in_progress']);
    expect(github.deployments('acme', 'shop').map((d) => d.environment)).toEqual(['production', 'staging']);
    github.assertNoViolations();
  });

  it('lists workflow runs and artifacts and serves the artifact zip through the redirect', async () => {
    const zip = Buffer.from('PK\u0003\u0004 fake zip bytes');
    github.addWorkflowRun({ owner: 'acme', repo: 'shop', headSha: 'c'.repeat(40), conclusion: 'failure' });
    const { id: runId, artifactIds } = github.addWorkflowRun({
      owner: 'acme',
      repo: 'shop',
      headSha: 'd'.repeat(40),
      artifacts: [
        { name: 'coverage-baseline', zip },
        { name: 'old', zip, expired: true },
      ],
    });
    const octokit = client();
    const successful = await octokit.rest.actions.listWorkflowRuns({
      owner: 'acme',
      repo: 'shop',
      workflow_id: 'ci.yml',
      branch: 'main',
      status: 'success',
    });
    expect(successful.data.workflow_runs.map((r) => r.id)).toEqual([runId]);
    expect((await octokit.rest.actions.listWorkflowRunsForRepo({ owner: 'acme', repo: 'shop' })).data.total_count).toBe(
      2,
    );
    const run = await octokit.rest.actions.getWorkflowRun({ owner: 'acme', repo: 'shop', run_id: runId });
    expect(run.data.run_number).toBe(2);
    const listed = await octokit.rest.actions.listWorkflowRunArtifacts({
      owner: 'acme',
      repo: 'shop',
      run_id: runId,
      name: 'coverage-baseline',
    });
    expect(listed.data.artifacts.map((a) => [a.id, a.size_in_bytes])).toEqual([[artifactIds[0], zip.length]]);
    const download = await octokit.rest.actions.downloadArtifact({
      owner: 'acme',
      repo: 'shop',
      artifact_id: artifactIds[0],
      archive_format: 'zip',
    });
    expect(Buffer.from(download.data as ArrayBuffer)).toEqual(zip);
    const expired = await raw('GET', `/repos/acme/shop/actions/artifacts/${artifactIds[1]}/zip`);
    expect(expired.status).toBe(410);
    github.assertNoViolations();
  });

  it('creates and completes a check run', async () => {
    const octokit = client();
    const created = await octokit.rest.checks.create({
      owner: 'acme',
      repo: 'shop',
      name: 'coverage',
      head_sha: 'e'.repeat(40),
      status: 'in_progress',
    });
    await octokit.rest.checks.update({
      owner: 'acme',
      repo: 'shop',
      check_run_id: created.data.id,
      conclusion: 'failure',
      output: {
        title: 'Coverage 71.2% < 80%',
        summary: 'below threshold',
        annotations: [
          { path: 'src/a.ts', start_line: 3, end_line: 3, annotation_level: 'warning', message: 'uncovered' },
        ],
      },
    });
    expect(github.checkRuns('acme', 'shop')).toMatchObject([
      { name: 'coverage', status: 'completed', conclusion: 'failure', output: { title: 'Coverage 71.2% < 80%' } },
    ]);
    github.assertNoViolations();
  });
});
