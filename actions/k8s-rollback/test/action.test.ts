import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runAction, startGitHubStub, webhookPayload, type GitHubStub, type RunActionResult } from '@myco-gates/testkit';
import { kubeBinaries, startTestCluster, type K8sObject, type TestCluster } from '@myco-gates/testkit/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

/**
 * The real bundle (dist/index.js) on Node 24, as the runner runs it, driving real kubectl (1.32 from /usr/bin, 1.28
 * and 1.35 from the layer packages) and real helm against the test cluster.
 */

const exec = promisify(execFile);
let cluster: TestCluster;
let home: string;
const tmp = mkdtempSync(join(tmpdir(), 'k8s-rollback-test-'));
let helm: string | undefined;
let github: GitHubStub;
// Resolved before the tests are collected, so `it.each` sees every version.
const kubectls: { version: number; path: string }[] = [{ version: 32, path: '/usr/bin/kubectl' }];
for (const version of [28, 35]) {
  try {
    kubectls.push({ version, path: (await kubeBinaries({ version })).kubectl });
  } catch (e) {
    console.warn(`kubectl 1.${version} unavailable (layer download failed), skipping it: ${(e as Error).message}`);
  }
}

beforeAll(async () => {
  cluster = await startTestCluster({
    tickMs: 40,
    users: [{ name: 'viewer', token: 'viewer-token-5a1f', deny: [{ verbs: ['patch', 'update', 'create', 'delete'] }] }],
  });
  home = cluster.env().HOME!;
  github = await startGitHubStub();
  github.addPullRequest({ owner: 'acme', repo: 'shop', number: 7, headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40) });
  try {
    helm = (await kubeBinaries({ version: 32 })).helm;
  } catch (e) {
    console.warn(`helm unavailable (layer download failed), skipping the Helm case: ${(e as Error).message}`);
  }
});

afterAll(async () => {
  await cluster?.stop();
  await github?.close();
});

let nsCounter = 0;
function namespace(): string {
  const ns = `t${++nsCounter}`;
  cluster.createNamespace(ns);
  return ns;
}

async function kubectl(args: string[], bin = '/usr/bin/kubectl', c: TestCluster = cluster) {
  return exec(bin, [...args, '--kubeconfig', c.kubeconfig], { env: { ...process.env, HOME: home }, timeout: 30_000 });
}

function workload(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  name: string,
  ns: string,
  image: string,
  extra = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: 3 }),
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...extra,
    },
  } as K8sObject;
}

/** Creates a workload and rolls out each later image with `kubectl set image`, waiting for every good one. */
async function deploy(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  name: string,
  ns: string,
  images: string[],
  extra = {},
) {
  cluster.apply(workload(kind, name, ns, images[0], extra));
  const ref = `${kind.toLowerCase()}/${name}`;
  await kubectl(['rollout', 'status', ref, '-n', ns, '--timeout=20s']);
  for (const [index, image] of images.entries()) {
    if (index === 0) continue;
    await kubectl(['set', 'image', ref, `app=${image}`, '-n', ns]);
    if (!/bad|missing/.test(image)) await kubectl(['rollout', 'status', ref, '-n', ns, '--timeout=20s']);
    else
      await waitFor(
        () =>
          cluster.list(kind === 'Deployment' ? 'ReplicaSet' : 'ControllerRevision', ns, `app=${name}`).length > index,
      );
  }
}

async function waitFor(condition: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const imagesOf = (kind: string, ns: string, name: string) =>
  cluster.get(kind, ns, name)!.spec.template.spec.containers.map((c: { image: string }) => c.image);

async function rollback(
  inputs: Record<string, string>,
  options: { c?: TestCluster; env?: Record<string, string>; pr?: boolean } = {},
) {
  const c = options.c ?? cluster;
  const run = await runAction({
    action: 'k8s-rollback',
    node: '24',
    ...(options.pr
      ? {
          github,
          eventName: 'pull_request',
          payload: webhookPayload('pull_request', 'opened', {
            repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' } },
            pull_request: { number: 7, base: { sha: 'b'.repeat(40), ref: 'main' }, head: { sha: 'a'.repeat(40) } },
          }),
        }
      : {}),
    env: { HOME: home, RUNNER_TEMP: mkdtempSync(join(tmp, 'runner-')), ...options.env },
    inputs: { kubeconfig: c.kubeconfig, timeout: '40s', comment: 'false', ...inputs },
    timeoutMs: 55_000,
  });
  const report = run.outputs.report ? readFileSync(run.outputs.report, 'utf8') : '';
  expectNoSecret(run, report);
  return { ...run, report: report ? JSON.parse(report) : undefined };
}

function expectNoSecret(run: RunActionResult, report: string) {
  const kubeconfig = readFileSync(cluster.kubeconfig, 'utf8');
  const caData = /certificate-authority-data: (\S+)/.exec(kubeconfig)?.[1];
  for (const text of [run.stdout, run.stderr, run.summary, report].map((t) => t.replace(/^::add-mask::.*$/gm, ''))) {
    for (const user of cluster.users) expect(text).not.toContain(user.token);
    expect(text).not.toContain('ghs_testkit-token');
    expect(text).not.toContain(caData);
  }
}

const failure = (run: RunActionResult) => run.annotations.find((a) => a.level === 'error')?.message ?? '';

describe('k8s-rollback bundle on Node 24 against the test cluster', () => {
  it.each(kubectls.map((k) => [k.version, k.path] as const))(
    'kubectl 1.%i: rolls back a bad deploy to the revision before it and verifies every pod',
    async (_version, path) => {
      const ns = namespace();
      await deploy('Deployment', 'web', ns, ['web:1', 'web:2', 'web:bad-3']);
      const run = await rollback({ name: 'web', namespace: ns, kubectl: path });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs).toMatchObject({
        status: 'pass',
        'rolled-back': 'true',
        'from-revision': '3',
        'to-revision': '2',
        'from-image': 'web:bad-3',
        'to-image': 'web:2',
      });
      expect(imagesOf('Deployment', ns, 'web')).toEqual(['web:2']);
      const pods = cluster.list('Pod', ns, 'app=web');
      expect(pods).toHaveLength(3);
      expect(run.report.facts).toMatchObject({ workload: `${ns}/deployment/web`, 'rolled-back': 'true' });
      expect(Number(run.report.facts['duration-seconds'])).toBeGreaterThan(0);
      expect(run.report.headline).toMatch(/^Rolled back .* → 2 \(web:2\) .* verified$/);
      expect(run.summary).toMatch(/What broke[\s\S]*CrashLoopBackOff/);
      expect(run.masked).toContain(cluster.token);
      // Re-run: nothing to do, not a second "undo" back to the bad release as kubectl's default would.
      const again = await rollback({ name: 'web', namespace: ns, kubectl: path });
      expect(again.outputs).toMatchObject({ status: 'pass', 'rolled-back': 'false' });
      expect(imagesOf('Deployment', ns, 'web')).toEqual(['web:2']);
    },
  );

  it('finds a pinned revision after an earlier undo renumbered it (kubectl itself cannot)', async () => {
    const ns = namespace();
    await deploy('Deployment', 'api', ns, ['api:1']);
    const recorded = await rollback({ mode: 'record', name: 'api', namespace: ns });
    expect(recorded.outputs).toMatchObject({
      status: 'pass',
      revision: '1',
      'rolled-back': 'false',
      'from-image': 'api:1',
    });
    expect(recorded.outputs['template-hash']).toMatch(/^[a-z0-9]+$/);
    await kubectl(['set', 'image', 'deployment/api', 'app=api:2', '-n', ns]);
    await kubectl(['rollout', 'status', 'deployment/api', '-n', ns, '--timeout=20s']);
    await kubectl(['rollout', 'undo', 'deployment/api', '-n', ns, '--to-revision=1']);
    await kubectl(['rollout', 'status', 'deployment/api', '-n', ns, '--timeout=20s']);
    await kubectl(['set', 'image', 'deployment/api', 'app=api:bad-4', '-n', ns]);
    await waitFor(
      () => cluster.get('Deployment', ns, 'api')!.metadata.annotations?.['deployment.kubernetes.io/revision'] === '4',
    );
    await expect(
      kubectl(['rollout', 'undo', 'deployment/api', '-n', ns, '--to-revision=1', '--dry-run=server']),
    ).rejects.toThrow(/unable to find specified revision 1/);
    const run = await rollback(
      { name: 'api', namespace: ns, 'to-revision': recorded.outputs.revision, comment: 'true' },
      { pr: true },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const comments = github.comments('acme', 'shop', 7);
    expect(comments, run.stdout).toHaveLength(1);
    expect(comments[0].body.split('\n')[0]).toMatch(
      /^✅ \*\*Rolled back t\d+\/deployment\/api revision 4 \(api:bad-4\) → 3 \(api:1\) in [\d.]+ s — verified\*\*$/,
    );
    expectNoSecret(run, comments[0].body);
    github.assertNoViolations();
    expect(run.outputs).toMatchObject({
      status: 'pass',
      'rolled-back': 'true',
      'to-revision': '3',
      'to-image': 'api:1',
    });
    expect(run.report.sections.find((s: { title: string }) => s.title === 'From → to').table.rows[1][0]).toMatch(
      /pinned revision 1 \(now revision 3\)/,
    );
    // Idempotent: pinned again, already there.
    const again = await rollback({ name: 'api', namespace: ns, 'to-revision': '1' });
    expect(again.outputs).toMatchObject({ status: 'pass', 'rolled-back': 'false' });
    expect(again.report.headline).toMatch(/already runs the target revision/);
  });

  it('explains a paused rollout, and resumes only when asked', async () => {
    const ns = namespace();
    await deploy('Deployment', 'cart', ns, ['cart:1', 'cart:bad-2']);
    await kubectl(['rollout', 'pause', 'deployment/cart', '-n', ns]);
    const run = await rollback({ name: 'cart', namespace: ns });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', 'rolled-back': 'false' });
    expect(failure(run)).toMatch(/is paused.*rollout resume.*resume-paused: true/);
    expect(cluster.get('Deployment', ns, 'cart')!.spec.paused).toBe(true);
    const resumed = await rollback({ name: 'cart', namespace: ns, 'resume-paused': 'true' });
    expect(resumed.outputs, resumed.stdout).toMatchObject({
      status: 'pass',
      'rolled-back': 'true',
      'to-image': 'cart:1',
    });
  });

  it('explains no history, a missing revision (listing those that exist) and passes when already at the target', async () => {
    const ns = namespace();
    await deploy('Deployment', 'solo', ns, ['solo:1']);
    const none = await rollback({ name: 'solo', namespace: ns });
    expect(none.outputs.status).toBe('error');
    expect(failure(none)).toMatch(/no revision before the current one \(1\)/);
    const missing = await rollback({ name: 'solo', namespace: ns, 'to-revision': '7' });
    expect(failure(missing)).toMatch(/revision 7 of deployment\/solo not found.*1: app=solo:1 \[current\]/);
    const current = await rollback({ name: 'solo', namespace: ns, 'to-revision': '1' });
    expect(current.exitCode).toBe(0);
    expect(current.outputs).toMatchObject({ status: 'pass', 'rolled-back': 'false' });
    const unknown = await rollback({ name: 'ghost', namespace: ns });
    expect(failure(unknown)).toMatch(/deployments.apps "ghost" not found/);
    const badName = await rollback({ name: 'Web;rm -rf', namespace: ns });
    expect(failure(badName)).toMatch(/not a valid Kubernetes name/);
  });

  it('reports a target that exceeds its progress deadline too, and names the deadline that broke the deploy', async () => {
    const ns = namespace();
    await deploy('Deployment', 'pay', ns, ['pay:1', 'pay:bad-2', 'pay:bad-3'], { progressDeadlineSeconds: 1 });
    await waitFor(
      () =>
        cluster
          .get('Deployment', ns, 'pay')!
          .status?.conditions?.some((c: { reason: string }) => c.reason === 'ProgressDeadlineExceeded') ?? false,
    );
    const run = await rollback({ name: 'pay', namespace: ns, 'to-revision': '2', timeout: '8s' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'fail', 'rolled-back': 'true' });
    expect(failure(run)).toMatch(
      /exceeded its progress deadline after the rollback to revision 2|did not finish rolling out/,
    );
    expect(run.summary).toMatch(/ProgressDeadlineExceeded/);
    const good = await rollback({ name: 'pay', namespace: ns, 'to-revision': '1' });
    expect(good.outputs, good.stdout).toMatchObject({ status: 'pass', 'to-image': 'pay:1' });
  });

  it('names the verb and resource to grant when RBAC forbids the undo', async () => {
    const ns = namespace();
    await deploy('Deployment', 'shop', ns, ['shop:1', 'shop:bad-2']);
    const run = await rollback({ name: 'shop', namespace: ns, context: 'viewer' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', 'rolled-back': 'false' });
    expect(failure(run)).toMatch(
      /RBAC forbids .*patch deployments.*grant "viewer" the verb `patch` on `deployments`.*apiGroups: \["apps"\]/,
    );
    const dry = await rollback({ name: 'shop', namespace: ns, 'dry-run': 'true' });
    expect(dry.outputs).toMatchObject({ status: 'pass', 'rolled-back': 'false' });
    expect(imagesOf('Deployment', ns, 'shop')).toEqual(['shop:bad-2']);
  });

  it('rolls back a StatefulSet and a DaemonSet through their ControllerRevisions', async () => {
    const ns = namespace();
    await deploy('StatefulSet', 'db', ns, ['db:1', 'db:bad-2']);
    const sts = await rollback({ name: 'db', namespace: ns, kind: 'statefulset' });
    expect(sts.outputs, sts.stdout).toMatchObject({ status: 'pass', 'rolled-back': 'true', 'to-image': 'db:1' });
    expect(cluster.list('Pod', ns, 'app=db').map((p) => p.spec.containers[0].image)).toEqual(['db:1', 'db:1', 'db:1']);
    await deploy('DaemonSet', 'agent', ns, ['agent:1', 'agent:bad-2']);
    const ds = await rollback({ name: 'agent', namespace: ns, kind: 'daemonset' });
    expect(ds.outputs, ds.stdout).toMatchObject({ status: 'pass', 'rolled-back': 'true', 'to-image': 'agent:1' });
  });

  it('runs the re-check: verify-command and verify-report, pass and fail', async () => {
    const ns = namespace();
    const node = process.execPath;
    const passReport = join(tmp, 'slo-pass.json');
    const failReport = join(tmp, 'slo-fail.json');
    const slo = (status: string, rollbackFact: string) =>
      JSON.stringify({
        schemaVersion: 1,
        gate: 'slo',
        status,
        headline: `SLOs ${status}`,
        checks: [],
        metrics: {},
        facts: { rollback: rollbackFact },
      });
    writeFileSync(passReport, slo('warn', 'false'));
    writeFileSync(failReport, slo('fail', 'true'));
    await deploy('Deployment', 'a', ns, ['a:1', 'a:bad-2']);
    const ok = await rollback({
      name: 'a',
      namespace: ns,
      'verify-command': `"${node}" -e 'process.exit(process.argv[1] === "a b" ? 0 : 3)' "a b"`,
      'verify-report': passReport,
    });
    expect(ok.outputs, ok.stdout).toMatchObject({ status: 'pass', 'rolled-back': 'true' });
    expect(ok.report.checks.map((c: { id: string }) => c.id)).toContain('re-check');
    await deploy('Deployment', 'b', ns, ['b:1', 'b:bad-2']);
    const badCommand = await rollback({ name: 'b', namespace: ns, 'verify-command': `"${node}" -e "process.exit(4)"` });
    expect(badCommand.outputs).toMatchObject({ status: 'fail', 'rolled-back': 'true' });
    expect(failure(badCommand)).toMatch(/re-check failed after the rollback: .* exited 4/);
    await deploy('Deployment', 'c', ns, ['c:1', 'c:bad-2']);
    const badReport = await rollback({ name: 'c', namespace: ns, 'verify-report': failReport });
    expect(badReport.outputs.status).toBe('fail');
    expect(failure(badReport)).toMatch(/report slo fail/);
  });

  it('rolls a Helm release back with helm rollback to the release revision that held the target', async (ctx) => {
    if (!helm) return ctx.skip();
    const ns = namespace();
    const chart = join(tmp, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'values.yaml'), 'image: shop:1\n');
    writeFileSync(
      join(chart, 'templates', 'deploy.yaml'),
      stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: '{{ .Release.Name }}' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: '{{ .Release.Name }}' } },
          template: {
            metadata: { labels: { app: '{{ .Release.Name }}' } },
            spec: { containers: [{ name: 'app', image: '{{ .Values.image }}' }] },
          },
        },
      }),
    );
    const h = (...args: string[]) =>
      exec(helm!, [...args, '-n', ns, '--kubeconfig', cluster.kubeconfig], {
        env: { ...process.env, HOME: home },
        timeout: 60_000,
      });
    await h('install', 'store', chart, '--wait', '--timeout', '20s');
    await h('upgrade', 'store', chart, '--set', 'image=shop:2', '--wait', '--timeout', '20s');
    await h('upgrade', 'store', chart, '--set', 'image=shop:bad-3');
    await waitFor(() => cluster.list('ReplicaSet', ns).length >= 3);
    const run = await rollback({ name: 'store', namespace: ns, 'helm-path': helm });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'pass', 'rolled-back': 'true', 'to-image': 'shop:2' });
    expect(run.report.facts).toMatchObject({ strategy: 'helm', 'helm-revision': '2' });
    expect(run.stdout).toMatch(/\$ helm rollback store 2 --wait --timeout \d+s/);
    expect(run.stdout).not.toMatch(/\$ kubectl rollout undo/);
    const history = JSON.parse((await h('history', 'store', '-o', 'json')).stdout) as {
      revision: number;
      status: string;
      description: string;
    }[];
    expect(history.at(-1)).toMatchObject({ revision: 4, status: 'deployed', description: 'Rollback to 2' });
    expect(imagesOf('Deployment', ns, 'store')).toEqual(['shop:2']);
  });

  it('says the API server is unreachable when it goes down mid-rollback', async () => {
    const down = await startTestCluster({ tickMs: 40, readyAfterTicks: 400 });
    const ns = 'default';
    down.apply(workload('Deployment', 'web', ns, 'web:1'));
    // Ready instantly for the setup, then slow for the rollback, so the server dies during `rollout status`.
    down.tick(1);
    await exec(
      '/usr/bin/kubectl',
      ['set', 'image', 'deployment/web', 'app=web:2', '-n', ns, '--kubeconfig', down.kubeconfig],
      {
        env: { ...process.env, HOME: home },
      },
    );
    await waitFor(() => down.list('ReplicaSet', ns).length >= 2);
    const running = rollback({ name: 'web', namespace: ns, 'to-revision': '1', timeout: '6s' }, { c: down });
    await waitFor(() => down.requests.some((r) => r.method === 'PATCH' && r.path.includes('/deployments/web')), 20_000);
    await waitFor(() => down.requests.some((r) => r.verb === 'watch'), 5_000).catch(() => undefined);
    await down.stop();
    const run = await running;
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ status: 'error', 'rolled-back': 'true' });
    expect(failure(run)).toMatch(/API server is unreachable.*re-run — the action is idempotent/);
  });
});
