import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from './prometheus.js';
import { parseSloSpec, type SloDefinition } from './spec.js';
import { validateSlos, type ValidatePolicy, type ValidationResult } from './validate.js';

// Live: four sample backends run as real processes under steady load (25 requests/s each), real Prometheus scrapes
// them every 5 s, and slo-validate watches in real time with the sample app's own SLO spec. Two are healthy releases
// judged 20 times in staggered windows; two get a bad release switched on mid-run through the backend's fault switch:
// 5 % errors, or +3 s on the one route (of five) that carries 20 % of the traffic.
const root = join(import.meta.dirname, '..', '..', '..');
const SPEC = readFileSync(join(root, 'sample-app', 'monitoring', 'slos.yaml'), 'utf8');
const BACKEND_SLOS = ['backend-availability', 'backend-latency', 'backend-error-rate'];
const ADMIN = 'admin@example.com';
const policy: ValidatePolicy = { confidence: 0.95, onInconclusive: 'warn', onNoData: 'warn', minEvents: 0 };

interface Backend {
  job: string;
  url: string;
  child: ChildProcess;
  token: string;
  projectId: string;
  timer?: NodeJS.Timeout;
  sent: number;
}
const backends: Backend[] = [];
let prom: PrometheusServer | undefined;

async function startBackend(job: string): Promise<Backend> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'sample-app', 'backend', 'src', 'server.ts')], {
    cwd: join(root, 'sample-app', 'backend'),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_EMAILS: ADMIN,
      JWT_SECRET: 'live-test-secret-0123456789abcdef0123456789',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-5000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend ${job} exited with ${child.exitCode}: ${log}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`backend ${job} did not answer /healthz within 60 s: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return (await response.json()) as any;
  };
  const registered = await post('/api/auth/register', { email: ADMIN, password: 'correct horse battery', name: 'A' });
  const token = registered.tokens.accessToken as string;
  const project = await post('/api/projects', { name: 'Live', template: 'react-typescript' }, token);
  return { job, url, child, token, projectId: project.id, sent: 0 };
}

/** Open-loop load: one request every 40 ms whatever the answers take, round-robin over five API routes. */
function driveLoad(b: Backend): void {
  const routes = [
    '/api/auth/me',
    '/api/projects',
    `/api/projects/${b.projectId}`,
    `/api/projects/${b.projectId}/files`,
    '/api/templates',
  ];
  b.timer = setInterval(() => {
    const path = routes[b.sent++ % routes.length];
    fetch(`${b.url}${path}`, { headers: { authorization: `Bearer ${b.token}` } })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
  }, 40);
}

async function setFault(b: Backend, fault: { errorRate: number; latencyMs: number; routes: string[] }) {
  const response = await fetch(`${b.url}/api/admin/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${b.token}` },
    body: JSON.stringify(fault),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** The sample spec, narrowed to one backend's scrape job. */
function slosOf(job: string): SloDefinition[] {
  const narrowed = SPEC.replaceAll('service="backend"', `service="backend",job="${job}"`);
  return parseSloSpec(narrowed, 'sample-app/monitoring/slos.yaml').filter((s) => BACKEND_SLOS.includes(s.name));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  for (const job of ['healthy-a', 'healthy-b', 'bad-errors', 'bad-latency']) backends.push(await startBackend(job));
  prom = await startPrometheus({
    scrape: Object.fromEntries(backends.map((b) => [b.job, [b.url.replace('http://', '')]])),
    interval: '5s',
  });
  for (const b of backends) driveLoad(b);
  // Two scrapes of every backend, so rate() has samples from the first window on.
  await prom.waitFor('count(up == 1) == 4', 30_000);
  await sleep(11_000);
}, 150_000);

afterAll(async () => {
  for (const b of backends) {
    clearInterval(b.timer);
    b.child.kill('SIGTERM');
  }
  await prom?.stop();
});

describe('slo-validate live on the sample backend', () => {
  it('passes a healthy release 20 of 20 times and rolls a bad one back within 60 s of the onset', async () => {
    const client = createPrometheusClient({ url: prom!.url });
    const watch = (job: string, since: Date, durationSeconds: number) =>
      validateSlos(
        slosOf(job),
        client,
        { since, durationSeconds, intervalSeconds: 5, initialDelaySeconds: 5, baseline: 'none' },
        policy,
      );

    const healthy: Promise<ValidationResult>[] = [];
    const bad: Array<{ job: string; onset: number; run: Promise<ValidationResult> }> = [];
    for (let i = 0; i < 20; i++) {
      healthy.push(watch(i % 2 ? 'healthy-b' : 'healthy-a', new Date(), 40));
      await sleep(2000);
      if (i === 4) {
        // The bad releases go out while the healthy runs are being judged; each is watched from its onset.
        await setFault(backends[2], { errorRate: 0.05, latencyMs: 0, routes: [] });
        bad.push({ job: 'bad-errors', onset: Date.now(), run: watch('bad-errors', new Date(), 120) });
        await setFault(backends[3], { errorRate: 0, latencyMs: 3000, routes: ['/api/projects/:id/files'] });
        bad.push({ job: 'bad-latency', onset: Date.now(), run: watch('bad-latency', new Date(), 120) });
      }
    }
    const results = await Promise.all(healthy);
    const verdicts = results.map((r) => `${r.status}${r.rollback ? ' rollback' : ''}`);
    expect(verdicts, JSON.stringify(results.map((r) => r.final.map((j) => [j.slo, j.status, j.counts])))).toEqual(
      Array(20).fill('pass'),
    );
    for (const { job, onset, run } of bad) {
      const result = await run;
      const decidedAfter = (Date.parse(result.samples.at(-1)!.at) - onset) / 1000;
      expect([job, result.status, result.rollback, result.stoppedEarly]).toEqual([job, 'fail', true, true]);
      expect(decidedAfter, job).toBeLessThanOrEqual(60);
      expect(result.breached, job).toContain(job === 'bad-errors' ? 'backend-availability' : 'backend-latency');
    }
  }, 170_000);
});
