import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { kubeBinaries, startTestCluster, type TestCluster } from './index.js';
import { applyStrategicMergePatch } from './patch.js';

const exec = promisify(execFile);
const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv, timeout = 30_000): Promise<RunResult> {
  const start = Date.now();
  try {
    const { stdout, stderr } = await exec(bin, args, { env, timeout });
    return { code: 0, stdout, stderr, ms: Date.now() - start };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? String(e),
      ms: Date.now() - start,
    };
  }
}

function deployment(name: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

let cluster: TestCluster | undefined;
const tmp = mkdtempSync(join(tmpdir(), 'cluster-test-'));

function manifest(name: string, ...objs: unknown[]): string {
  const file = join(tmp, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, objs.map((o) => stringify(o)).join('---\n'));
  return file;
}

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('test cluster with real kubectl', () => {
  it('rolls a Deployment forward twice and back with rollout undo --to-revision', async () => {
    cluster = await startTestCluster();
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);

    const created = await kubectl('create', '-f', manifest('web', deployment('web', 'registry.local/web:1.0')));
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('deployment.apps/web created');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);

    for (const tag of ['1.1', '1.2']) {
      const set = await kubectl('set', 'image', 'deployment/web', `app=registry.local/web:${tag}`);
      expect(set.stdout).toContain('image updated');
      const status = await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s');
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('deployment "web" successfully rolled out');
    }
    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history.stdout.match(/^\d+\s/gm)?.map((s) => s.trim())).toEqual(['1', '2', '3']);

    const undo = await kubectl('rollout', 'undo', 'deployment/web', '--to-revision=1');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('rolled back');
    const status = await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('successfully rolled out');

    // The ReplicaSet of revision 1 is reused and becomes revision 4, as the real controller does.
    const after = await kubectl('rollout', 'history', 'deployment/web');
    expect(after.stdout.match(/^\d+\s/gm)?.map((s) => s.trim())).toEqual(['2', '3', '4']);
    const d = cluster.get('Deployment', 'default', 'web')!;
    expect(d.spec.template.spec.containers[0].image).toBe('registry.local/web:1.0');
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');
    expect(d.status.updatedReplicas).toBe(2);
    expect(d.status.conditions.find((c: any) => c.type === 'Progressing').reason).toBe('NewReplicaSetAvailable');
    const sets = cluster.list('ReplicaSet', 'default', 'app=web');
    expect(sets).toHaveLength(3);
    const rs = sets.find((s) => s.spec.replicas === 2)!;
    expect(rs.metadata.name).toBe(`web-${rs.metadata.labels['pod-template-hash']}`);
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', uid: d.metadata.uid, controller: true });
    expect(
      cluster.list('Pod', 'default', 'app=web').every((p) => p.spec.containers[0].image === 'registry.local/web:1.0'),
    ).toBe(true);

    // What kubectl sent: the json-patch of rollout undo, the strategic-merge patches of set image, the watch.
    const patches = cluster.requests.filter((r) => r.method === 'PATCH').map((r) => r.contentType);
    expect(patches).toContain('application/json-patch+json');
    expect(patches).toContain('application/strategic-merge-patch+json');
    expect(cluster.requests.some((r) => r.verb === 'list' && r.query.labelSelector === 'app=web')).toBe(true);
    expect(cluster.requests.some((r) => r.verb === 'watch' && r.query.fieldSelector === 'metadata.name=web')).toBe(
      true,
    );
  });

  it('fails rollout status on a crash-looping image without hanging', async () => {
    cluster = await startTestCluster();
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    await kubectl(
      'create',
      '-f',
      manifest('bad', deployment('shop', 'shop:1'), deployment('cart', 'cart:1', { progressDeadlineSeconds: 2 })),
    );
    expect((await kubectl('rollout', 'status', 'deployment/shop', '--timeout=20s')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'deployment/cart', '--timeout=20s')).code).toBe(0);

    await kubectl('set', 'image', 'deployment/shop', 'app=shop:2-bad');
    const timedOut = await kubectl('rollout', 'status', 'deployment/shop', '--timeout=3s');
    expect(timedOut.code).not.toBe(0);
    expect(timedOut.stderr).toContain('timed out waiting for the condition');
    expect(timedOut.ms).toBeLessThan(10_000);
    const pods = await kubectl('get', 'pods', '-l', 'app=shop');
    expect(pods.stdout).toContain('CrashLoopBackOff');

    await kubectl('set', 'image', 'deployment/cart', 'app=cart:2-bad');
    const deadline = await kubectl('rollout', 'status', 'deployment/cart', '--timeout=15s');
    expect(deadline.code).not.toBe(0);
    expect(deadline.stderr).toContain('deployment "cart" exceeded its progress deadline');
    const cart = cluster.get('Deployment', 'default', 'cart')!;
    expect(cart.status.conditions.find((c: any) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });

    // Undo brings the previous ReplicaSet back and the rollout completes.
    expect((await kubectl('rollout', 'undo', 'deployment/cart')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'deployment/cart', '--timeout=20s')).code).toBe(0);
  });

  it('refuses to undo a paused deployment, and resumes', async () => {
    cluster = await startTestCluster();
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    await kubectl('apply', '-f', manifest('p', deployment('api', 'api:1')));
    await kubectl('rollout', 'status', 'deployment/api', '--timeout=20s');
    await kubectl('set', 'image', 'deployment/api', 'app=api:2');
    await kubectl('rollout', 'status', 'deployment/api', '--timeout=20s');
    expect((await kubectl('rollout', 'pause', 'deployment/api')).stdout).toContain('paused');
    cluster.tick();
    const paused = cluster.get('Deployment', 'default', 'api')!;
    expect(paused.status.conditions.find((c: any) => c.type === 'Progressing').reason).toBe('DeploymentPaused');

    const undo = await kubectl('rollout', 'undo', 'deployment/api');
    expect(undo.code).not.toBe(0);
    expect(undo.stderr).toContain(
      "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume'",
    );

    // While paused a template change rolls out nothing.
    await kubectl('set', 'image', 'deployment/api', 'app=api:3');
    cluster.tick(3);
    expect(cluster.list('ReplicaSet', 'default', 'app=api')).toHaveLength(2);
    expect((await kubectl('rollout', 'resume', 'deployment/api')).stdout).toContain('resumed');
    expect((await kubectl('rollout', 'status', 'deployment/api', '--timeout=20s')).code).toBe(0);
    expect(cluster.list('ReplicaSet', 'default', 'app=api')).toHaveLength(3);
  });

  it('undoes a StatefulSet and a DaemonSet through ControllerRevisions', async () => {
    cluster = await startTestCluster({ nodes: ['node-a', 'node-b'] });
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    const template = (app: string, image: string) => ({
      metadata: { labels: { app } },
      spec: { containers: [{ name: app, image }] },
    });
    await kubectl(
      'create',
      '-f',
      manifest(
        'sts',
        {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: { name: 'db' },
          spec: {
            replicas: 2,
            serviceName: 'db',
            selector: { matchLabels: { app: 'db' } },
            template: template('db', 'db:1'),
          },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: { name: 'agent' },
          spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent', 'agent:1') },
        },
      ),
    );
    const sts = await kubectl('rollout', 'status', 'statefulset/db', '--timeout=20s');
    expect(sts.stdout).toContain('partitioned roll out complete: 2 new pods have been updated');
    await kubectl('set', 'image', 'statefulset/db', 'db=db:2');
    expect((await kubectl('rollout', 'status', 'statefulset/db', '--timeout=20s')).code).toBe(0);
    const history = await kubectl('rollout', 'history', 'statefulset/db');
    expect(history.stdout.match(/^\d+\s/gm)?.map((s) => s.trim())).toEqual(['1', '2']);

    const undo = await kubectl('rollout', 'undo', 'statefulset/db', '--to-revision=1');
    expect(undo.stdout).toContain('rolled back');
    expect((await kubectl('rollout', 'status', 'statefulset/db', '--timeout=20s')).code).toBe(0);
    const set = cluster.get('StatefulSet', 'default', 'db')!;
    expect(set.spec.template.spec.containers[0].image).toBe('db:1');
    expect(set.status).toMatchObject({ readyReplicas: 2, updatedReplicas: 2 });
    expect(set.status.currentRevision).toBe(set.status.updateRevision);
    const revisions = cluster.list('ControllerRevision', 'default', 'app=db');
    expect(revisions.map((r) => r.revision).sort()).toEqual([2, 3]);
    expect(cluster.list('Pod', 'default', 'app=db').map((p) => p.metadata.labels['controller-revision-hash'])).toEqual([
      set.status.updateRevision,
      set.status.updateRevision,
    ]);

    await kubectl('set', 'image', 'daemonset/agent', 'agent=agent:2');
    const ds = await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=20s');
    expect(ds.stdout).toContain('daemon set "agent" successfully rolled out');
    expect((await kubectl('rollout', 'undo', 'daemonset/agent')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=20s')).code).toBe(0);
    const agent = cluster.get('DaemonSet', 'default', 'agent')!;
    expect(agent.status).toMatchObject({ desiredNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2 });
    expect(cluster.list('Pod', 'default', 'app=agent').map((p) => p.spec.containers[0].image)).toEqual([
      'agent:1',
      'agent:1',
    ]);
  });

  it('answers 403 Forbidden for a user without patch rights', async () => {
    cluster = await startTestCluster({
      users: [{ name: 'ci-viewer', deny: [{ verbs: ['patch', 'update', 'create', 'delete'] }] }],
    });
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    await kubectl('create', '-f', manifest('r', deployment('web', 'web:1')));
    const get = await kubectl('--context', 'ci-viewer', 'get', 'deployment', 'web', '-o', 'name');
    expect(get.stdout.trim()).toBe('deployment.apps/web');
    const set = await kubectl('--context', 'ci-viewer', 'set', 'image', 'deployment/web', 'app=web:2');
    expect(set.code).not.toBe(0);
    expect(set.stderr).toContain(
      'deployments.apps "web" is forbidden: User "ci-viewer" cannot patch resource "deployments" in API group "apps" in the namespace "default"',
    );
    const canI = await kubectl('--context', 'ci-viewer', 'auth', 'can-i', 'patch', 'deployments');
    expect(canI.stdout.trim()).toBe('no');
    expect((await kubectl('auth', 'can-i', 'patch', 'deployments')).stdout.trim()).toBe('yes');
    const anonymous = await run(KUBECTL, ['--token', 'wrong', 'get', 'pods'], env);
    expect(anonymous.stderr).toContain('Unauthorized');
  });

  it('rejects objects that violate the Kubernetes schema (kubernetes-models) like the API server', async () => {
    cluster = await startTestCluster({ tickMs: 0 });
    const env = cluster.env();
    // A wrong JSON type fails decoding: 400 BadRequest.
    const bad = deployment('web', 'web:1', { replicas: 'three' });
    const created = await run(KUBECTL, ['create', '-f', manifest('invalid', bad), '--validate=false'], env);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain('Deployment in version "v1" cannot be handled as a Deployment');
    expect(created.stderr).toContain('spec.replicas');
    expect(cluster.get('Deployment', 'default', 'web')).toBeUndefined();

    // A required field missing by the schema only (env[].name): 422 Invalid with the field path.
    const noEnvName = deployment('web', 'web:1');
    (noEnvName.spec.template.spec.containers[0] as any).env = [{ value: 'x' }];
    const r1 = await run(KUBECTL, ['create', '-f', manifest('invalid1', noEnvName)], env);
    expect(r1.stderr).toContain(
      'The Deployment "web" is invalid: spec.template.spec.containers[0].env[0].name: Required value',
    );
    const noImage = deployment('web', '');
    const r2 = await run(KUBECTL, ['create', '-f', manifest('invalid2', noImage)], env);
    expect(r2.stderr).toContain('spec.template.spec.containers[0].image: Required value');
    expect(() =>
      cluster!.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x' },
        spec: { ports: [{ name: 'http' }] },
      }),
    ).toThrow(/Service "x" is invalid: spec.ports\[0\].port: Required value/);
    // Unknown fields: kubectl asks for fieldValidation=Strict → 400; with --validate=warn they are dropped.
    const typo = deployment('web', 'web:1');
    (typo.spec.template.spec.containers[0] as any).imagePullPolicyy = 'Always';
    const strict = await run(KUBECTL, ['create', '-f', manifest('typo', typo)], env);
    expect(strict.stderr).toContain(
      'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );
    const warned = await run(KUBECTL, ['create', '-f', manifest('typo2', typo), '--validate=warn'], env);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
    expect(
      cluster.get('Deployment', 'default', 'web')!.spec.template.spec.containers[0].imagePullPolicyy,
    ).toBeUndefined();
    await run(KUBECTL, ['delete', 'deployment', 'web'], env);

    const ok = await run(KUBECTL, ['create', '-f', manifest('valid', deployment('web', 'web:1'))], env);
    expect(ok.code).toBe(0);
    const patch = await run(
      KUBECTL,
      ['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":-1}}'],
      env,
    );
    expect(patch.stderr).toContain('spec.replicas: Invalid value: -1');
    const selector = await run(
      KUBECTL,
      ['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"x"}}}}'],
      env,
    );
    expect(selector.stderr).toContain('field is immutable');
  });

  it('applies, patches, scales and deletes with garbage collection', async () => {
    cluster = await startTestCluster();
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    const file = manifest('apply', deployment('web', 'web:1'));
    expect((await kubectl('apply', '-f', file)).stdout).toContain('created');
    const changed = deployment('web', 'web:2');
    (changed.spec.template.spec.containers[0] as any).env = [{ name: 'MODE', value: 'blue' }];
    expect((await kubectl('apply', '-f', manifest('apply2', changed))).stdout).toContain('configured');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    const json = JSON.parse((await kubectl('get', 'deployment', 'web', '-o', 'json')).stdout);
    expect(json.metadata.generation).toBe(2);
    expect(json.spec.template.spec.containers[0]).toMatchObject({
      image: 'web:2',
      env: [{ name: 'MODE', value: 'blue' }],
    });
    expect(json.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('web:2');

    expect((await kubectl('scale', 'deployment/web', '--replicas=3')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    const table = await kubectl('get', 'deployment', 'web');
    expect(table.stdout).toMatch(/web\s+3\/3\s+3\s+3\s+/);
    expect(
      (
        await kubectl(
          'patch',
          'deployment',
          'web',
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/spec/replicas","value":1}]',
        )
      ).code,
    ).toBe(0);
    expect(cluster.get('Deployment', 'default', 'web')!.metadata.generation).toBe(4);

    const del = await kubectl('delete', 'deployment', 'web');
    expect(del.stdout).toContain('deployment.apps "web" deleted');
    cluster.tick(3);
    expect(cluster.list('ReplicaSet', 'default')).toEqual([]);
    expect(cluster.list('Pod', 'default')).toEqual([]);
    const missing = await kubectl('get', 'deployment', 'web');
    expect(missing.stderr).toContain('Error from server (NotFound): deployments.apps "web" not found');
  });
});

describe('test cluster protocol details', () => {
  function get(c: TestCluster, path: string): Promise<{ status: number; headersAt: number; lines: any[] }> {
    return new Promise((resolve, reject) => {
      const start = Date.now();
      let headersAt = 0;
      const req = request(
        `${c.url}${path}`,
        { ca: c.caCert, headers: { authorization: `Bearer ${c.token}` } },
        (res) => {
          headersAt = Date.now() - start;
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headersAt,
              lines: body
                .split('\n')
                .filter(Boolean)
                .map((l) => JSON.parse(l)),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('answers watch-list with the initial events and the initial-events-end bookmark', async () => {
    cluster = await startTestCluster({ tickMs: 0 });
    cluster.apply(deployment('web', 'web:1'));
    const base = '/apis/apps/v1/namespaces/default/deployments';
    const res = await get(
      cluster,
      `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    expect(res.status).toBe(200);
    expect(res.headersAt).toBeLessThan(500);
    expect(res.lines.map((l) => l.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(res.lines[1].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const refused = await get(cluster, `${base}?watch=true&sendInitialEvents=true&timeoutSeconds=1`);
    expect(refused.status).toBe(422);
  });

  it('runs controllers deterministically with tick()', async () => {
    cluster = await startTestCluster({ tickMs: 0, readyAfterTicks: 2 });
    cluster.apply(deployment('web', 'web:1'));
    cluster.tick();
    let d = cluster.get('Deployment', 'default', 'web')!;
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 });
    expect(d.status.readyReplicas).toBeUndefined();
    cluster.tick(2);
    d = cluster.get('Deployment', 'default', 'web')!;
    expect(d.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    cluster.setPodBehaviour((pod) => (pod.spec.containers[0].image === 'web:2' ? 'unready' : undefined));
    cluster.apply(deployment('web', 'web:2'));
    cluster.tick(5);
    d = cluster.get('Deployment', 'default', 'web')!;
    expect(d.metadata.generation).toBe(2);
    // maxSurge 25% of 2 → 1 extra pod, maxUnavailable 25% of 2 → 0: the old pods stay.
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 1, availableReplicas: 2 });
  });

  it('merges strategic patches by merge key with directives', () => {
    const pod = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const out = applyStrategicMergePatch('Deployment', pod, {
      spec: {
        $setElementOrder: undefined,
        containers: [
          { name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }] },
          { name: 'b', $patch: 'delete' },
        ],
      },
    }) as any;
    expect(out.spec.containers).toEqual([
      {
        name: 'a',
        image: 'a:2',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
      },
    ]);
  });
});

describe('test cluster with real helm', () => {
  it('installs, upgrades and rolls back a chart', async () => {
    let helm: string;
    try {
      helm = (await kubeBinaries()).helm;
    } catch (e) {
      console.warn(`helm unavailable, skipping: ${(e as Error).message}`);
      return;
    }
    cluster = await startTestCluster();
    const env = cluster.env();
    const chart = join(tmp, 'chart');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: "1.0"\n');
    writeFileSync(join(chart, 'values.yaml'), 'image: shop:1\n');
    writeFileSync(
      join(chart, 'templates', 'all.yaml'),
      [
        stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: '{{ .Release.Name }}' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: '{{ .Release.Name }}' } },
            template: {
              metadata: { labels: { app: '{{ .Release.Name }}' } },
              spec: { containers: [{ name: 'app', image: '{{ .Values.image }}', ports: [{ containerPort: 80 }] }] },
            },
          },
        }),
        stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: '{{ .Release.Name }}' },
          spec: { selector: { app: '{{ .Release.Name }}' }, ports: [{ port: 80 }] },
        }),
      ].join('---\n'),
    );
    const h = (...args: string[]) => run(helm, args, env, 60_000);
    const install = await h('install', 'shop', chart, '--wait', '--timeout', '20s');
    expect(install.stderr).toBe('');
    expect(install.stdout).toContain('STATUS: deployed');
    const upgrade = await h('upgrade', 'shop', chart, '--set', 'image=shop:2', '--wait', '--timeout', '20s');
    expect(upgrade.stdout).toContain('has been upgraded');
    expect(cluster.get('Deployment', 'default', 'shop')!.spec.template.spec.containers[0].image).toBe('shop:2');
    const rollback = await h('rollback', 'shop', '1', '--wait', '--timeout', '20s');
    expect(rollback.stdout).toContain('Rollback was a success');
    const history = await h('history', 'shop', '-o', 'json');
    expect(JSON.parse(history.stdout).map((r: any) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
    expect(cluster.get('Deployment', 'default', 'shop')!.spec.template.spec.containers[0].image).toBe('shop:1');
    const secrets = cluster.list('Secret', 'default', 'owner=helm,name=shop');
    expect(secrets.map((s) => s.metadata.name)).toEqual([1, 2, 3].map((n) => `sh.helm.release.v1.shop.v${n}`));
    expect(secrets[2]).toMatchObject({
      type: 'helm.sh/release.v1',
      metadata: { labels: { status: 'deployed', version: '3' } },
    });
    expect(cluster.get('Service', 'default', 'shop')!.spec.clusterIP).toMatch(/^10\.96\./);

    const failed = await h('upgrade', 'shop', chart, '--set', 'image=shop:bad', '--wait', '--timeout', '3s');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('context deadline exceeded');
  });
});

describe('test cluster with older and newer clients', () => {
  it('serves kubectl 1.28 (OpenAPI v2 as protobuf for its field-validation probe)', async () => {
    let kubectlBin: string;
    try {
      kubectlBin = (await kubeBinaries({ version: 28 })).kubectl;
    } catch (e) {
      console.warn(`kubectl 1.28 layer unavailable, skipping: ${(e as Error).message}`);
      return;
    }
    cluster = await startTestCluster({ version: 'v1.28.0' });
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(kubectlBin, args, env);
    expect((await kubectl('apply', '-f', manifest('k128', deployment('web', 'web:1')))).stdout).toContain('created');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    await kubectl('set', 'image', 'deployment/web', 'app=web:2');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    expect((await kubectl('rollout', 'undo', 'deployment/web')).stdout).toContain('rolled back');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    expect(cluster.get('Deployment', 'default', 'web')!.spec.template.spec.containers[0].image).toBe('web:1');
    expect(cluster.requests.some((r) => r.path === '/openapi/v2' && r.status === 200)).toBe(true);
  });

  it('serves watch-list to kubectl 1.35 and server-side apply to helm 4', async () => {
    let bins: { kubectl: string; helm: string };
    try {
      bins = await kubeBinaries({ version: 35 });
    } catch (e) {
      console.warn(`kubectl/helm 1.35 layer unavailable, skipping: ${(e as Error).message}`);
      return;
    }
    cluster = await startTestCluster({ version: 'v1.35.0' });
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(bins.kubectl, args, env);
    await kubectl('create', '-f', manifest('k135', deployment('web', 'web:1')));
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    await kubectl('set', 'image', 'deployment/web', 'app=web:2');
    expect((await kubectl('rollout', 'undo', 'deployment/web')).stdout).toContain('rolled back');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=20s')).code).toBe(0);
    expect(cluster.get('Deployment', 'default', 'web')!.spec.template.spec.containers[0].image).toBe('web:1');
    expect(cluster.requests.some((r) => r.verb === 'watch' && r.query.sendInitialEvents === 'true')).toBe(true);

    const chart = join(tmp, 'chart4');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: cfg\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'values.yaml'), 'extra: true\n');
    writeFileSync(
      join(chart, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n{{- if .Values.extra }}\n  extra: "yes"\n{{- end }}\n',
    );
    const h = (...args: string[]) => run(bins.helm, args, env, 60_000);
    expect((await h('install', 'cfg', chart)).stdout).toContain('STATUS: deployed');
    expect(cluster.get('ConfigMap', 'default', 'settings')!.data).toEqual({ mode: 'blue', extra: 'yes' });
    expect((await h('upgrade', 'cfg', chart, '--set', 'extra=false')).code).toBe(0);
    // Server-side apply drops what the manager no longer applies.
    expect(cluster.get('ConfigMap', 'default', 'settings')!.data).toEqual({ mode: 'blue' });
    expect((await h('rollback', 'cfg', '1')).code).toBe(0);
    expect(cluster.get('ConfigMap', 'default', 'settings')!.data).toEqual({ mode: 'blue', extra: 'yes' });
    expect(cluster.requests.some((r) => r.contentType === 'application/apply-patch+yaml')).toBe(true);
  });
});

describe('test cluster with real pods', () => {
  it('runs pod containers as processes, probes readiness and serves their logs', async () => {
    cluster = await startTestCluster({ realPods: true });
    const env = cluster.env();
    const kubectl = (...args: string[]) => run(KUBECTL, args, env);
    const script = [
      "const http = require('node:http');",
      'const broken = process.env.MODE === "broken";',
      "http.createServer((req, res) => { res.statusCode = req.url === '/healthz' && broken ? 503 : 200; res.end(process.env.MODE ?? 'ok'); })",
      "  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));",
    ].join('\n');
    const app = deployment('svc', 'node:20', { replicas: 1 });
    Object.assign(app.spec.template.spec.containers[0], {
      command: [process.execPath, '-e', script],
      env: [{ name: 'MODE', value: 'green' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
    });
    await kubectl('create', '-f', manifest('real', app));
    expect((await kubectl('rollout', 'status', 'deployment/svc', '--timeout=20s')).code).toBe(0);
    const pod = cluster.list('Pod', 'default', 'app=svc')[0];
    const proc = cluster.podProcess('default', pod.metadata.name)!;
    expect(proc.ready).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${proc.port}/`)).text()).toBe('green');
    expect((await kubectl('logs', 'deployment/svc')).stdout).toContain(`listening on ${proc.port}`);

    await kubectl('set', 'env', 'deployment/svc', 'MODE=broken');
    const stalled = await kubectl('rollout', 'status', 'deployment/svc', '--timeout=3s');
    expect(stalled.code).not.toBe(0);
    expect(stalled.stdout).toContain('1 old replicas are pending termination');
    expect((await kubectl('rollout', 'undo', 'deployment/svc')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'deployment/svc', '--timeout=20s')).code).toBe(0);
    const pods = cluster.list('Pod', 'default', 'app=svc');
    expect(pods).toHaveLength(1);
    expect(pods[0].spec.containers[0].env).toEqual([{ name: 'MODE', value: 'green' }]);
    expect(cluster.podProcess('default', pods[0].metadata.name)?.running).toBe(true);
  });
});
