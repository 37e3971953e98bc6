// The k8s-rollback benchmark (`npm run bench -- rollback`), against one test cluster in one run: a 3-replica
// Deployment broken by a crash-looping release, rolled back (1) by hand with `kubectl rollout undo && kubectl rollout
// status`, (2) by our action's bundle on Node 24 (pre-checks, undo, rollout status, every pod verified, report).
// Our overhead = the bundle's wall time minus the time spent inside kubectl processes (a wrapper times each call);
// what remains is Node's start, our logic and the report — the part the issue bounds at 2 s.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runAction } from '@myco-gates/testkit';
import { startTestCluster, type K8sObject, type TestCluster } from '@myco-gates/testkit/cluster';

const exec = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const ROUNDS = 3;
const TARGET_OVERHEAD_S = 2;

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
}

function deployment(name: string, image: string): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  } as K8sObject;
}

async function brokenDeployment(cluster: TestCluster, env: NodeJS.ProcessEnv, name: string): Promise<void> {
  cluster.apply(deployment(name, `${name}:1`));
  await exec(KUBECTL, ['rollout', 'status', `deployment/${name}`, '--timeout=30s'], { env });
  await exec(KUBECTL, ['set', 'image', `deployment/${name}`, `app=${name}:bad-2`], { env });
  const end = Date.now() + 10_000;
  while (cluster.list('ReplicaSet', 'default', `app=${name}`).length < 2 && Date.now() < end)
    await new Promise((r) => setTimeout(r, 20));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Prints the rollback-and-verify of ours beside kubectl by hand, and our overhead beyond kubectl and the cluster. */
export async function benchRollback(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-rollback-'));
  // Pods Ready 2 controller passes after creation, a pass every 100 ms: a rollout of 3 replicas takes ~1 s here.
  const cluster = await startTestCluster({ tickMs: 100, readyAfterTicks: 2 });
  try {
    const env = cluster.env();
    const timings = join(work, 'kubectl-ms.log');
    const wrapper = join(work, 'kubectl');
    writeFileSync(
      wrapper,
      `#!/bin/bash\nstart=$(date +%s%N)\n${KUBECTL} "$@"\nrc=$?\necho $(( ($(date +%s%N) - start) / 1000000 )) >> '${timings}'\nexit $rc\n`,
    );
    chmodSync(wrapper, 0o755);
    const hand: number[] = [];
    const ours: number[] = [];
    const inKubectl: number[] = [];
    const calls: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const manual = `hand-${round}`;
      const action = `ours-${round}`;
      await brokenDeployment(cluster, env, manual);
      await brokenDeployment(cluster, env, action);

      const t0 = performance.now();
      await exec(KUBECTL, ['rollout', 'undo', `deployment/${manual}`], { env });
      await exec(KUBECTL, ['rollout', 'status', `deployment/${manual}`, '--timeout=60s'], { env });
      hand.push(performance.now() - t0);

      writeFileSync(timings, '');
      const run = await runAction({
        action: 'k8s-rollback',
        node: '24',
        env: { HOME: env.HOME!, RUNNER_TEMP: mkdtempSync(join(work, 'runner-')) },
        inputs: { name: action, kubeconfig: cluster.kubeconfig, kubectl: wrapper, comment: 'false', timeout: '60s' },
        timeoutMs: 90_000,
      });
      if (run.exitCode !== 0 || run.outputs.status !== 'pass')
        throw new Error(`k8s-rollback did not pass: ${run.stdout}\n${run.stderr}`);
      ours.push(run.durationMs);
      const perCall = readFileSync(timings, 'utf8').trim().split('\n').filter(Boolean).map(Number);
      inKubectl.push(perCall.reduce((a, b) => a + b, 0));
      calls.push(perCall.length);
    }
    const overhead = ours.map((o, i) => o - inKubectl[i]);
    table(
      `k8s-rollback: roll back a crash-looping 3-replica Deployment and wait until it is healthy (test cluster, median of ${ROUNDS})`,
      ['', 'wall time', 'kubectl calls', 'verifies'],
      [
        ['`kubectl rollout undo && kubectl rollout status` by hand', seconds(median(hand)), '2', 'rollout status only'],
        [
          'k8s-rollback bundle (Node 24)',
          seconds(median(ours)),
          String(median(calls)),
          'history, target, every pod on the target template and Ready, report',
        ],
      ],
    );
    table(
      'k8s-rollback: our own overhead beyond kubectl and the cluster (bundle wall time − time inside kubectl)',
      ['round', 'bundle', 'inside kubectl', 'overhead', `target ≤ ${TARGET_OVERHEAD_S} s`],
      ours.map((o, i) => [
        String(i + 1),
        seconds(o),
        seconds(inKubectl[i]),
        seconds(overhead[i]),
        overhead[i] <= TARGET_OVERHEAD_S * 1000 ? 'met' : 'MISSED',
      ]),
    );
  } finally {
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('rollback.ts')) await benchRollback();
