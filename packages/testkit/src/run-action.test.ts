import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type GitHubStub, startGitHubStub } from './github-stub.js';
import { inputEnvName, nodeBinary, type NodeRuntime, runAction } from './run-action.js';
import { webhookPayload } from './webhook.js';

const BUNDLE = 'packages/testkit/src/__fixtures__/echo-action/dist/index.js';
const TOKEN = 'ghs_fixtureToken0123456789';

let github: GitHubStub;
beforeAll(async () => {
  github = await startGitHubStub();
});
afterAll(async () => {
  await github.close();
});

describe('inputEnvName', () => {
  it.each([
    ['threshold', 'INPUT_THRESHOLD'],
    ['github-token', 'INPUT_GITHUB-TOKEN'],
    ['max retries', 'INPUT_MAX_RETRIES'],
    ['Base Ref', 'INPUT_BASE_REF'],
  ])('%s -> %s', (name, expected) => {
    expect(inputEnvName(name)).toBe(expected);
  });
});

describe.each<NodeRuntime>(['current', '24'])('runAction on node %s', (node) => {
  it('passes inputs, event and runner files, and parses what the action wrote', async () => {
    process.env.INPUT_LEAKED = 'parent input';
    process.env.GITHUB_TOKEN = 'ghp_parentSecret';
    const payload = webhookPayload('push', undefined, {
      after: 'f'.repeat(40),
      ref: 'refs/heads/release',
      repository: { full_name: 'acme/shop' },
    });
    const result = await runAction({
      bundle: BUNDLE,
      inputs: { message: 'world' },
      eventName: 'push',
      payload,
      token: TOKEN,
      node,
    }).finally(() => {
      delete process.env.INPUT_LEAKED;
      delete process.env.GITHUB_TOKEN;
    });

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.outputs['node-version']).toMatch(node === '24' ? /^v24\./ : new RegExp(`^${process.version}$`));
    expect(result.outputs).toMatchObject({
      greeting: 'hello world',
      report: 'line 1: world\nline 2: 100%',
      plain: 'a=b',
      'max-retries': '2',
    });
    expect(result.outputs.cwd).toBe(result.env.GITHUB_WORKSPACE);
    const envNames = result.outputs['env-names'].split(',');
    expect(envNames).not.toContain('INPUT_LEAKED');
    expect(envNames).not.toContain('GITHUB_TOKEN');
    expect(envNames).toEqual(expect.arrayContaining(['INPUT_GITHUB-TOKEN', 'INPUT_MAX_RETRIES', 'INPUT_MODE']));
    expect(result.env).toMatchObject({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SHA: 'f'.repeat(40),
      GITHUB_REF: 'refs/heads/release',
      GITHUB_REF_NAME: 'release',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: 'https://api.github.com',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
    });
    expect(result.summary).toBe('## Echo\n\nworld\n');
    expect(result.exportedEnv).toEqual({ ECHOED: 'world' });
    expect(result.savedState).toEqual({ seen: 'world' });
    expect(result.addedPath).toEqual(['/opt/echo/bin']);
    expect(result.masked).toEqual([TOKEN]);
    expect(result.annotations).toEqual([
      { level: 'notice', message: 'world', title: 'Echo: done, ok' },
      { level: 'warning', message: 'two\nlines 50%', file: 'src/a.ts', line: 3, col: 5, endLine: 4, endColumn: 9 },
      { level: 'debug', message: 'mode is report' },
    ]);
  });
});

describe('runAction against the GitHub stub', () => {
  it('derives the PR context from the payload and records the action’s API calls', async () => {
    const payload = webhookPayload('pull_request', 'opened', {
      number: 42,
      repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
      pull_request: { number: 42, merge_commit_sha: 'm'.repeat(40), head: { ref: 'feat', sha: 'h'.repeat(40) } },
    });
    const result = await runAction({
      bundle: BUNDLE,
      inputs: { message: 'coverage ok', mode: 'comment' },
      eventName: 'pull_request',
      payload,
      github,
      token: TOKEN,
    });
    expect(result.exitCode).toBe(0);
    expect(result.env).toMatchObject({
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_SHA: 'm'.repeat(40),
      GITHUB_HEAD_REF: 'feat',
      GITHUB_API_URL: github.url,
    });
    expect(result.outputs['comment-status']).toBe('201');
    expect(result.requests.map((r) => [r.method, r.path, r.auth, r.body])).toEqual([
      [
        'POST',
        '/repos/acme/shop/issues/42/comments',
        { present: true, scheme: 'token' },
        { body: `coverage ok on ${'m'.repeat(40)}` },
      ],
    ]);
    expect(github.comments('acme', 'shop', 42).map((c) => c.body)).toEqual([`coverage ok on ${'m'.repeat(40)}`]);
    github.assertNoViolations();
  });

  it('surfaces a read-only token as a failed step with the error annotation', async () => {
    github.injectFault('issues/create-comment', { kind: 'read-only' });
    const result = await runAction({
      bundle: BUNDLE,
      inputs: { message: 'fork', mode: 'comment' },
      eventName: 'pull_request',
      payload: webhookPayload('pull_request', 'opened', { repository: { full_name: 'acme/shop' } }),
      github,
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['comment-status']).toBe('403');
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([
      { level: 'error', message: expect.stringContaining('Resource not accessible by integration') },
    ]);
  });
});

describe.each<NodeRuntime>(['current', '24'])('runAction with the real @actions toolkit on node %s', (node) => {
  it('reads what @actions/core writes and lets @actions/github talk to the stub', async () => {
    // A stub of its own: the shared one already holds comments from other tests.
    const github = await startGitHubStub();
    onTestFinished(() => github.close());
    github.addPullRequest({ owner: 'acme', repo: 'shop', number: 9, headSha: '9'.repeat(40) });
    const result = await runAction({
      bundle: 'packages/testkit/src/__fixtures__/toolkit-action/dist/index.js',
      inputs: { comment: 'Coverage report' },
      eventName: 'pull_request',
      payload: webhookPayload('pull_request', 'opened', {
        number: 9,
        repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } },
        pull_request: { number: 9 },
      }),
      github,
      token: TOKEN,
      node,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const comments = github.comments('acme', 'shop', 9);
    expect(comments.map((c) => c.body)).toEqual(['Coverage report']);
    expect(result.outputs).toEqual({
      'comment-id': String(comments[0].id),
      'head-sha': '9'.repeat(40),
      multiline: 'first\nsecond',
    });
    expect(result.exportedEnv).toEqual({ GATE_RESULT: 'pass' });
    expect(result.savedState).toEqual({ 'comment-id': String(comments[0].id) });
    expect(result.addedPath).toEqual(['/opt/gate/bin']);
    expect(result.masked).toEqual([TOKEN]);
    expect(result.annotations).toEqual([
      {
        level: 'error',
        message: 'Coverage 71.2% < 80%',
        file: 'src/a.ts',
        line: 3,
        endLine: 4,
        title: 'Coverage: low, 71%',
      },
      {
        level: 'debug',
        message: expect.stringMatching(/^commented https:\/\/github\.com\/acme\/shop\/pull\/9#issuecomment-\d+$/),
      },
    ]);
    expect(result.summary).toBe(
      '<h1>Gate</h1>\n<table><tr><td>metric</td><td>value</td></tr><tr><td>coverage</td><td>71.2%</td></tr></table>\n',
    );
    expect(result.requests.map((r) => [r.route, r.status, r.auth.scheme])).toEqual([
      ['POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 201, 'token'],
      ['GET /repos/{owner}/{repo}/pulls/{pull_number}', 200, 'token'],
    ]);
    github.assertNoViolations();
  });
});

describe('runAction failures', () => {
  it('reports a failing action with its exit code and error annotation', async () => {
    const result = await runAction({ bundle: BUNDLE, inputs: { message: 'x', mode: 'fail' } });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.at(-1)).toEqual({
      level: 'error',
      file: 'coverage/lcov.info',
      line: 12,
      message: 'coverage 71.2% is below 80%',
    });
  });

  it('kills a hanging action at the timeout', async () => {
    const result = await runAction({ bundle: BUNDLE, inputs: { message: 'x', mode: 'hang' }, timeoutMs: 1500 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.outputs.greeting).toBe('hello x');
  });

  it('keeps a caller-provided workspace', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'testkit-ws-'));
    try {
      const result = await runAction({ bundle: BUNDLE, inputs: { message: 'x' }, workspace });
      expect(result.outputs.cwd).toBe(realpathSync(workspace));
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it.each([
    [
      { bundle: BUNDLE, inputs: { mesage: 'typo' } },
      /input\(s\) "mesage" are not declared in .*action\.yml; valid inputs are: message, mode, github-token, max retries/,
    ],
    [
      { action: 'no-such-action' },
      /bundle .*actions\/no-such-action\/dist\/index\.js does not exist.*npm run build -w actions\/no-such-action/,
    ],
    [{}, /exactly one of `action`.*or `bundle`/],
    [{ bundle: BUNDLE, eventName: 'no_such_event' }, /no example for event "no_such_event"/],
  ])('rejects bad options clearly: %j', async (options, message) => {
    await expect(runAction(options)).rejects.toThrow(message);
  });

  it('resolves the Node 24 binary from the repo root', () => {
    expect(nodeBinary('24')).toMatch(/node_modules\/node\/bin\/node$/);
    expect(nodeBinary('current')).toBe(process.execPath);
  });
});
