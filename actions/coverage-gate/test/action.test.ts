import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGitHubStub, runAction, webhookPayload, type GitHubStub, type NodeRuntime } from '@myco-gates/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * The real bundle (dist/index.js) run as a child process the way the runner runs it, against a real git repository
 * and real lcov reports, with GitHub replaced by the testkit's REST stub (checked against GitHub's OpenAPI).
 */

const OWNER = 'acme';
const REPO = 'shop';
const PR = 7;

let workspace: string;
let baseSha: string;
let headSha: string;
let mergeBase: string;

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  }).trim();
}

function write(path: string, content: string) {
  mkdirSync(dirname(join(workspace, path)), { recursive: true });
  writeFileSync(join(workspace, path), content);
}

const lines = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1};`).join('\n') + '\n';

/** An lcov report: `hits` maps file -> list of [line, count]. */
function lcov(hits: Record<string, [number, number][]>): string {
  return (
    Object.entries(hits)
      .map(([file, entries]) => {
        const da = entries.map(([l, c]) => `DA:${l},${c}`).join('\n');
        const lh = entries.filter(([, c]) => c > 0).length;
        return `SF:${file}\n${da}\nLF:${entries.length}\nLH:${lh}\nend_of_record`;
      })
      .join('\n') + '\n'
  );
}

/** All lines 1..n of a file, hit except the listed ones. */
const fileHits = (n: number, missed: number[] = []): [number, number][] =>
  Array.from({ length: n }, (_, i) => [i + 1, missed.includes(i + 1) ? 0 : 3]);

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'cov-action-'));
  sh(workspace, 'init', '-q', '-b', 'main');
  write('package.json', JSON.stringify({ name: 'shop', private: true, workspaces: ['packages/*'] }));
  write('packages/api/package.json', JSON.stringify({ name: 'api' }));
  write('packages/web/package.json', JSON.stringify({ name: 'web' }));
  write('packages/api/src/orders.ts', lines(20, 'order'));
  write('packages/web/src/app.ts', lines(10, 'app'));
  sh(workspace, 'add', '-A');
  sh(workspace, 'commit', '-q', '-m', 'base');
  sh(workspace, 'checkout', '-q', '-b', 'feature');
  // The PR changes lines 5-8 of orders.ts and adds lines 21-24.
  write('packages/api/src/orders.ts', lines(20, 'order').replace(/order([5-8]);/g, 'changed$1;') + lines(4, 'added'));
  sh(workspace, 'commit', '-q', '-am', 'feature');
  headSha = sh(workspace, 'rev-parse', 'HEAD');
  sh(workspace, 'checkout', '-q', 'main');
  write('README.md', 'main moved on\n');
  sh(workspace, 'add', '-A');
  sh(workspace, 'commit', '-q', '-m', 'main moves');
  baseSha = sh(workspace, 'rev-parse', 'HEAD');
  sh(workspace, 'checkout', '-q', 'feature');
  mergeBase = sh(workspace, 'merge-base', 'main', 'feature');
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

let github: GitHubStub;
const temps: string[] = [];
afterAll(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});
beforeEach(async () => {
  github = await startGitHubStub();
  github.addPullRequest({ owner: OWNER, repo: REPO, number: PR, headSha, baseSha });
});
afterEach(async () => {
  github.assertNoViolations();
  await github.close();
});

/** Coverage: orders.ts misses changed lines 6-7 and added 23-24; web is fully covered. */
function writeReport(missedOrders = [6, 7, 23, 24]) {
  write(
    'coverage/lcov.info',
    lcov({ 'packages/api/src/orders.ts': fileHits(24, missedOrders), 'packages/web/src/app.ts': fileHits(10) }),
  );
}

const pullRequestPayload = () =>
  webhookPayload('pull_request', 'opened', {
    repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
    pull_request: { number: PR, base: { sha: baseSha, ref: 'main' }, head: { sha: headSha, ref: 'feature' } },
  });

interface GateOptions {
  node?: NodeRuntime;
  token?: string;
  eventName?: string;
  /** Shared between runs to hand the `mode: report` artifact folder to a `mode: publish` run. */
  runnerTemp?: string;
}

async function gate(inputs: Record<string, string>, options: GateOptions = {}) {
  const eventName = options.eventName ?? 'pull_request';
  // Our own RUNNER_TEMP, so the JSON report (written there) outlives the run for the assertions.
  const runnerTemp = options.runnerTemp ?? mkdtempSync(join(tmpdir(), 'cov-runner-temp-'));
  temps.push(runnerTemp);
  return runAction({
    env: { RUNNER_TEMP: runnerTemp },
    action: 'coverage-gate',
    inputs: { reports: 'coverage/lcov.info', ...inputs },
    eventName,
    payload: eventName === 'pull_request' ? pullRequestPayload() : undefined,
    github,
    workspace,
    token: options.token,
    node: options.node ?? 'current',
  });
}

/** The report JSON of a base branch run, zipped like the artifact GitHub serves. */
function baseArtifact(lines: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'cov-artifact-'));
  try {
    const report = {
      schemaVersion: 1,
      gate: 'coverage',
      status: 'pass',
      headline: 'base',
      checks: [],
      metrics: { lines, 'package:api:lines': lines },
      generatedAt: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(join(dir, 'coverage.json'), JSON.stringify(report));
    execFileSync('zip', ['-q', 'a.zip', 'coverage.json'], { cwd: dir });
    return new Uint8Array(readFileSync(join(dir, 'a.zip')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('coverage-gate bundle on a pull request', () => {
  it.each([['current'], ['24']] as const)(
    'passes, sets outputs, writes the summary and one sticky comment (node %s)',
    async (node) => {
      writeReport();
      github.addWorkflowRun({
        owner: OWNER,
        repo: REPO,
        headSha: mergeBase,
        artifacts: [{ name: 'coverage-gate-report', zip: baseArtifact(88) }],
      });
      const result = await gate({ thresholds: 'lines=80', 'patch-threshold': '50', 'max-drop': 'lines=2' }, { node });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      // 30 of 34 lines hit; changed lines 5-8 and 21-24: 4 of 8 hit.
      expect(result.outputs).toMatchObject({
        status: 'pass',
        lines: '88.23',
        patch: '50.00',
        branches: 'n/a',
        statements: 'n/a',
      });
      expect(readFileSync(result.outputs.report, 'utf8')).toContain('"gate": "coverage"');
      expect(result.summary).toContain('Coverage 88.23% lines (3 of 3 checks passed)');
      expect(result.summary).toContain('artifact coverage-gate-report of run');
      const comments = github.comments(OWNER, REPO, PR);
      expect(comments).toHaveLength(1);
      expect(comments[0].body).toContain('<!-- myco-gates:coverage -->');
      expect(comments[0].body).toContain('| `packages/api/src/orders.ts` | 83.33% | n/a | 4/8 | L6–7, L23–24 |');
      // Uncovered changed lines become warning annotations, merged into ranges.
      expect(result.annotations.filter((a) => a.level === 'warning').map((a) => [a.file, a.line, a.endLine])).toEqual([
        ['packages/api/src/orders.ts', 6, 7],
        ['packages/api/src/orders.ts', 23, 24],
      ]);
      const routes = result.requests.map((r) => r.route);
      expect(routes).toContain('GET /repos/{owner}/{repo}/actions/runs');
      expect(routes).toContain('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}');
    },
  );

  it('a re-run updates the sticky comment instead of adding one', async () => {
    writeReport();
    await gate({ thresholds: 'lines=80' });
    writeReport([6]);
    const second = await gate({ thresholds: 'lines=80' });
    expect(second.exitCode).toBe(0);
    const comments = github.comments(OWNER, REPO, PR);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('Coverage 97.05% lines');
    expect(second.requests.map((r) => r.route)).toContain('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}');
  });

  it('fails the step below the threshold and on a drop against the base artifact', async () => {
    writeReport();
    github.addWorkflowRun({
      owner: OWNER,
      repo: REPO,
      headSha: mergeBase,
      artifacts: [{ name: 'coverage-gate-report', zip: baseArtifact(95) }],
    });
    const result = await gate({ thresholds: 'lines=90', 'max-drop': '1' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('fail');
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual(['coverage-gate: Coverage 88.23% lines — below 90% (2 of 2 checks failed)']);
    expect(github.comments(OWNER, REPO, PR)[0].body).toContain('| ❌ | Lines drop vs base | −6.77 pts | ≥ −1.00 pts |');
  });

  it('on a fork PR (read-only token) warns once, still writes the summary and passes', async () => {
    writeReport();
    github.injectFault('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { kind: 'read-only' }, 5);
    const result = await gate({ thresholds: 'lines=80' });
    expect(result.exitCode).toBe(0);
    const warnings = result.annotations.filter((a) => a.level === 'warning' && /read-only/.test(a.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('mode: report');
    expect(result.summary).toContain('Coverage 88.23% lines');
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(0);
  });

  it('never prints, writes or posts the token', async () => {
    const token = `ghs_${'S3cr3tT0k3n'.repeat(3)}`;
    writeReport();
    const results = [
      await gate({ thresholds: 'lines=80' }, { token }),
      await gate({ thresholds: 'lines=99' }, { token }),
      await gate({ thresholds: 'lines=abc' }, { token }),
    ];
    expect(results.map((r) => r.exitCode)).toEqual([0, 1, 1]);
    for (const result of results) {
      // The runner consumes `::add-mask::` lines; everything else must be free of the token.
      const stdout = result.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      expect(result.masked).toContain(token);
      for (const text of [
        stdout,
        result.stderr,
        result.summary,
        JSON.stringify(result.outputs),
        JSON.stringify(result.requests),
      ]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain('S3cr3tT0k3n');
      }
      if (result.outputs.report) expect(readFileSync(result.outputs.report, 'utf8')).not.toContain('S3cr3tT0k3n');
      // The stub saw the token as an Authorization scheme only.
      expect(result.requests.every((r) => !r.auth.present || r.auth.scheme)).toBe(true);
    }
    for (const c of github.comments(OWNER, REPO, PR)) expect(c.body).not.toContain('S3cr3tT0k3n');
  });
});

describe('coverage-gate bundle for fork pull requests', () => {
  it('mode report writes the artifact without commenting; mode publish comments it from workflow_run', async () => {
    writeReport();
    const runnerTemp = mkdtempSync(join(tmpdir(), 'cov-fork-'));
    github.injectFault('*', { kind: 'read-only' }, 100);
    const report = await gate({ thresholds: 'lines=80', mode: 'report' }, { runnerTemp });
    expect(report.exitCode).toBe(0);
    expect(report.outputs['artifact-path']).toBe(join(runnerTemp, 'myco-gates-artifact'));
    expect(report.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(0);

    const fresh = await startGitHubStub();
    try {
      fresh.addPullRequest({ owner: OWNER, repo: REPO, number: PR, headSha, baseSha });
      const payload = webhookPayload('workflow_run', 'completed', {
        repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
        workflow_run: { head_sha: headSha, pull_requests: [{ number: PR, head: { sha: headSha } }] },
      });
      const publish = await runAction({
        action: 'coverage-gate',
        inputs: { mode: 'publish' },
        eventName: 'workflow_run',
        payload,
        github: fresh,
        workspace,
        env: { RUNNER_TEMP: runnerTemp },
      });
      expect(publish.stderr).toBe('');
      expect(publish.exitCode).toBe(0);
      expect(publish.outputs.status).toBe('pass');
      const comments = fresh.comments(OWNER, REPO, PR);
      expect(comments).toHaveLength(1);
      expect(comments[0].body).toContain('Coverage 88.23% lines');
      fresh.assertNoViolations();
    } finally {
      await fresh.close();
    }
  });
});

describe('coverage-gate bundle, other events and bad input', () => {
  it('on push: no patch, no comment, report for the next baseline', async () => {
    writeReport();
    const result = await gate({ thresholds: 'lines=80', 'patch-threshold': '90' }, { eventName: 'push' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'pass', patch: 'n/a' });
    expect(result.summary).toContain('Patch coverage was not checked: this run is not for a pull request.');
    expect(JSON.parse(readFileSync(result.outputs.report, 'utf8')).metrics).toMatchObject({
      lines: 88.23,
      'package:api:lines': 83.33,
    });
    expect(result.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it.each([
    [
      { thresholds: 'lines=abc' },
      'coverage-gate failed with: input `thresholds`: threshold `abc` is not a percentage from 0 to 100',
    ],
    [{ reports: 'coverage/missing.info' }, 'coverage-gate failed with: coverage/missing.info: file not found'],
    [{ 'package-thresholds': 'api: 80\nweb lines=1' }, 'input `package-thresholds` line 2: cannot read `web lines=1`'],
  ])('bad input %j fails with one line, no stack trace', async (inputs, message) => {
    writeReport();
    const result = await gate(inputs, { eventName: 'push' });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(message);
    expect(errors[0].message).not.toMatch(/\n\s+at /);
    expect(errors[0].message).not.toContain('bug in Myco Gates');
  });

  it('fail-on-error: false turns a broken report into a warning', async () => {
    writeReport();
    const result = await gate({ reports: 'coverage/missing.info', 'fail-on-error': 'false' }, { eventName: 'push' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('error');
    expect(result.annotations.some((a) => a.level === 'warning' && a.message.includes('coverage/missing.info'))).toBe(
      true,
    );
  });
});
