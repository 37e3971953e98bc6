import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeBinaries, startTestCluster, type TestCluster } from '@myco-gates/testkit/cluster';

// sample-app/deploy as a cluster takes it: the manifests through real kubectl (strict field validation, the objects
// checked against Kubernetes' schemas by the test cluster), the chart through real helm.
const run = promisify(execFile);
const deploy = join(import.meta.dirname, '..', 'sample-app', 'deploy');

describe('sample-app/deploy', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ namespaces: ['myco'], tickMs: 100 });
  });
  afterAll(async () => cluster?.stop());

  it('the manifests apply with kubectl and roll out', async () => {
    const env = cluster.env();
    await run('kubectl', ['create', 'secret', 'generic', 'backend', '-n', 'myco', '--from-literal=jwt-secret=x'], {
      env,
    });
    const applied = await run(
      'kubectl',
      ['apply', '-f', join(deploy, 'ai-engine.yaml'), '-f', join(deploy, 'backend.yaml')],
      { env },
    );
    expect(applied.stdout).toMatch(/deployment.apps\/ai-engine created\ndeployment.apps\/backend created/);
    await run('kubectl', ['rollout', 'status', 'deployment/backend', '-n', 'myco', '--timeout=30s'], { env });
    const backend = cluster.get('Deployment', 'myco', 'backend')!;
    expect(backend.status.readyReplicas).toBe(3);
    expect(backend.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
  });

  it('the chart installs with helm, and a release value reaches the pod template', async () => {
    let helm: string;
    try {
      ({ helm } = await kubeBinaries({ version: 32 }));
    } catch (error) {
      console.warn(`Skipping the Helm chart check: helm could not be fetched (${(error as Error).message})`);
      return;
    }
    const env = cluster.env();
    await run(
      helm,
      [
        'install',
        'web',
        join(deploy, 'chart'),
        '-n',
        'myco',
        '--set-string',
        'env.FAULT_ERROR_RATE=0.05',
        '--wait',
        '--timeout',
        '60s',
      ],
      { env },
    );
    const web = cluster.get('Deployment', 'myco', 'web')!;
    expect(web.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
    expect(web.spec.template.spec.containers[0].env).toContainEqual({ name: 'FAULT_ERROR_RATE', value: '0.05' });
    expect(web.spec.template.spec.containers[0].image).toBe('ghcr.io/myco/sample-backend:1.4.0');
  });
});
