import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, startGitHubStub, webhookPayload, type GitHubStub } from '@myco-gates/testkit';
import { freePort, startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesSpec, renderSeries, type SeriesCase } from '../../../packages/slo/src/series.test-helpers.js';

/**
 * The real bundle (dist/index.js) on Node 24, as the runner runs it, against a real Prometheus holding backfilled
 * deploys. Prometheus sits behind a small auth proxy that demands the bearer token and the tenant header, so the test
 * proves they are sent — and that they appear in no log, summary, report or comment.
 */

const base = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
const D = base + 3600;
const end = D + 3600;
const healthy = { rps: 20, errorShare: 0.001, slowShare: 0.01 };
const rolling = (name: string, after: object): SeriesCase => ({
  name,
  phases: [
    { pod: 'old', from: base, to: D, ...healthy },
    { pod: 'new', from: D + 5, to: end, ...healthy, ...after },
  ],
});
const CASES = [rolling('good', {}), rolling('bad', { errorShare: 0.05 })];
const TOKEN = 'prom-secret-token-4f1c9a';
const TENANT = 'tenant-secret-77ab';
const BASIC = 'svc:basic-pass-93d1';
const SECRETS = [TOKEN, TENANT, 'basic-pass-93d1', Buffer.from(BASIC).toString('base64')];

let prom: PrometheusServer;
let proxy: Server;
let proxyUrl: string;
let github: GitHubStub;
const seenAuth: string[] = [];

beforeAll(async () => {
  prom = await startPrometheus({ backfill: renderSeries(CASES) });
  proxy = createServer((req, res) => {
    seenAuth.push(`${req.headers.authorization} ${req.headers['x-scope-orgid']}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}` || req.headers['x-scope-orgid'] !== TENANT) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    const upstream = request(
      `${prom.url}${req.url!.replace(/^\/prometheus/, '')}`,
      { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  // A path prefix, as Mimir's /prometheus: it must be kept.
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/prometheus`;
  github = await startGitHubStub();
  github.addPullRequest({ owner: 'acme', repo: 'shop', number: 12, headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40) });
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await new Promise((resolve) => proxy?.close(resolve));
  await github?.close();
});

function workspaceWithSpec(workspace: string) {
  writeFileSync(join(workspace, 'slos.yaml'), casesSpec(CASES.map((c) => c.name)));
}

async function validate(inputs: Record<string, string>, options: { pr?: boolean } = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'slo-action-'));
  workspaceWithSpec(workspace);
  return runAction({
    // Our own RUNNER_TEMP, so the JSON report (written there) outlives the run for the assertions.
    env: { RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'slo-runner-temp-')) },
    action: 'slo-validate',
    node: '24',
    workspace,
    github: options.pr ? github : undefined,
    eventName: options.pr ? 'pull_request' : 'push',
    payload: options.pr
      ? webhookPayload('pull_request', 'opened', {
          repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' } },
          pull_request: { number: 12, base: { sha: 'b'.repeat(40), ref: 'main' }, head: { sha: 'a'.repeat(40) } },
        })
      : undefined,
    inputs: {
      'prometheus-url': proxyUrl,
      'slo-spec': 'slos.yaml',
      since: String(D),
      until: String(D + 600),
      'bearer-token': TOKEN,
      headers: `X-Scope-OrgID: ${TENANT}`,
      ...inputs,
    },
    timeoutMs: 50_000,
  });
}

/** What the runner shows: everything but the `::add-mask::` commands themselves. */
function expectNoSecret(text: string) {
  const shown = text.replace(/^::add-mask::.*$/gm, '');
  for (const secret of SECRETS) expect(shown).not.toContain(secret);
}

describe('slo-validate bundle on Node 24', () => {
  it('a healthy release passes: outputs, summary, no rollback', async () => {
    const run = await validate({ slos: 'good-availability,good-latency' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'pass', rollback: 'false', breached: '' });
    expect(Number(run.outputs['sli-good-availability'])).toBeGreaterThan(99.5);
    expect(run.summary).toMatch(/SLOs hold/);
    expect(seenAuth.every((a) => a === `Bearer ${TOKEN} ${TENANT}`)).toBe(true);
  });

  it('a bad release fails the step with rollback true, and the PR comment leads with the verdict', async () => {
    const run = await validate({ slos: 'bad-availability,good-latency' }, { pr: true });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'fail', rollback: 'true', breached: 'bad-availability' });
    expect(Number(run.outputs['sli-bad-availability'])).toBeLessThan(96);
    const annotation = run.annotations.find((a) => a.level === 'error');
    expect(annotation?.message).toMatch(/^slo-validate: SLO breached — rollback: bad-availability/);
    const comments = github.comments('acme', 'shop', 12);
    expect(comments).toHaveLength(1);
    const firstLine = comments[0].body.split('\n').find((l) => l.trim() && !l.startsWith('<!--'))!;
    expect(firstLine).toMatch(/SLO breached — rollback/);
    expect(firstLine).toMatch(/\d+(\.\d+)? ?%/);
    const report = readFileSync(run.outputs.report, 'utf8');
    expect(JSON.parse(report)).toMatchObject({ gate: 'slo', status: 'fail', facts: { rollback: 'true' } });
    for (const text of [run.stdout, run.stderr, run.summary, report, comments[0].body]) expectNoSecret(text);
    github.assertNoViolations();
    expect(run.masked).toEqual(expect.arrayContaining([TOKEN, TENANT]));
  });

  it('basic auth is sent and masked', async () => {
    const run = await validate({ 'bearer-token': '', 'basic-auth': BASIC, slos: 'good-availability' });
    // The proxy wants the bearer token, so this is a 401: an infrastructure error, never a breach.
    expect(run.outputs).toMatchObject({ status: 'error', rollback: 'false' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/401/);
    expect(seenAuth.at(-1)).toBe(`Basic ${Buffer.from(BASIC).toString('base64')} ${TENANT}`);
    for (const text of [run.stdout, run.stderr, run.summary]) expectNoSecret(text);
    expect(run.masked).toEqual(expect.arrayContaining(['basic-pass-93d1', Buffer.from(BASIC).toString('base64')]));
  });

  it('an unreachable engine is error, never fail or rollback; fail-on-error false keeps the step green', async () => {
    const closed = await freePort();
    for (const [failOnError, exitCode] of [
      ['true', 1],
      ['false', 0],
    ] as const) {
      const run = await validate({
        'prometheus-url': `http://127.0.0.1:${closed}`,
        'retry-timeout': '2s',
        'fail-on-error': failOnError,
      });
      expect(run.exitCode, run.stdout).toBe(exitCode);
      expect(run.outputs).toMatchObject({ status: 'error', rollback: 'false', breached: '' });
      expect(run.stdout).toMatch(/could not check the SLOs: .*127\.0\.0\.1/);
      expect(run.durationMs).toBeLessThan(20_000);
    }
  });

  it('bad input is one line naming the input and the fix, with status error and no rollback', async () => {
    const run = await validate({ since: String(D + 600), until: String(D) });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^slo-validate failed with: input `since` .* is not before `until` \(.*\) — set `since`/,
    );
    expect(errors[0].message).not.toMatch(/\n|at .*\.js/);
    expect(run.outputs).toMatchObject({ status: 'error', rollback: 'false' });
  });
});
