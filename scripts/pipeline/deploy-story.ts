// The deploy half of the main job: the sample app on the test cluster (pods are local processes, real kubectl), real
// Prometheus scraping the ready pods every 5 s, load on the app; a release deployed with `kubectl apply`, watched by
// slo-validate, rolled back by k8s-rollback when its SLOs break, and the team told by notify (a local Slack Web API and
// the GitHub stub). Every gate runs from its committed bundle on Node 24, as the runner would run it.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, runAction, type GitHubStub } from '@myco-gates/testkit';
import { startTestCluster, type K8sObject, type TestCluster } from '@myco-gates/testkit/cluster';
import { startPrometheus, type PrometheusServer } from '@myco-gates/testkit/prometheus';
import { readyPods, startServiceProxy, writePodDiscovery, type ServiceProxy } from './cluster-net.js';

const run = promisify(execFile);
const root = repoRoot();
const NAMESPACE = 'myco';
const ADMIN = 'admin@example.com';
export const SLACK_TOKEN = 'xoxb-main-job-0000-notify';
const BACKEND_SLOS = 'backend-availability,backend-latency,backend-error-rate';

/** One stage of the timeline. */
export interface Stage {
  name: string;
  startedAt: number;
  seconds: number;
  decision: string;
}

/** What the story needs from the main job around it. */
export interface StoryOptions {
  /** Deploy a good release (passes) instead of the bad one (5 % errors, rolled back). */
  good: boolean;
  github: GitHubStub;
  repository: string;
  sha: string;
  /** Where reports, summaries and renders go (`.myco-gates/`). */
  outDir: string;
  /** GateReport files of the PR gates that ran before (coverage, contract), for the notification. */
  gateReports: string[];
  /** The `push` event of the deploy (the commit on main). */
  pushPayload: Record<string, unknown>;
  /** The local Slack Web API notify posts to. */
  slack: { apiUrl: string };
}

/** What happened, for the closing lines of the main job. */
export interface StoryResult {
  stages: Stage[];
  rolledBack: boolean;
  /** Seconds from the bad release's pods serving to the rolled-back release verified healthy. */
  breachToRecoveredSeconds?: number;
  ok: boolean;
}

/** The local overlay of a manifest: what a container image and the cluster network give a pod, for local processes. */
interface Overlay {
  services: Record<string, string>;
  dataDir: string;
  secrets: Record<string, Record<string, string>>;
}

function section(title: string): void {
  console.log(`\n${'─'.repeat(100)}\n${title}\n${'─'.repeat(100)}`);
}

/**
 * Reads a manifest of sample-app/deploy and applies the overlay: the image's WORKDIR /app is the checkout, Service
 * DNS names are the local Service proxies, /data is a temp folder, secretKeyRef values come from `overlay.secrets`.
 * Then the release: the image tag and extra environment (the fault a bad release carries).
 */
function renderManifest(file: string, overlay: Overlay, tag: string, extraEnv: Record<string, string> = {}): string {
  const docs = parseAllDocuments(readFileSync(join(root, 'sample-app', 'deploy', file), 'utf8')).map(
    (d) => d.toJS() as K8sObject,
  );
  for (const doc of docs) {
    for (const c of doc.spec?.template?.spec?.containers ?? []) {
      c.image = c.image.replace(/:[^:/]+$/, `:${tag}`);
      if (c.workingDir?.startsWith('/app')) c.workingDir = root + c.workingDir.slice('/app'.length);
      const env: Array<{ name: string; value?: string; valueFrom?: any }> = c.env ?? [];
      for (const e of env) {
        if (e.value) {
          for (const [host, url] of Object.entries(overlay.services))
            e.value = e.value.replace(new RegExp(`^http://${host.replaceAll('.', '\\.')}(:\\d+)?`), url);
          if (e.value.startsWith('/data/')) e.value = join(overlay.dataDir, e.value.slice('/data/'.length));
        }
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          e.value = overlay.secrets[ref.name]?.[ref.key] ?? '';
          delete e.valueFrom;
        }
      }
      for (const [name, value] of Object.entries(extraEnv)) env.push({ name, value });
      c.env = env;
    }
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

/** Open-loop load on the backend Service: one request every 40 ms whatever the answers take, over five routes. */
async function startLoad(backend: ServiceProxy): Promise<{ sent: () => number; stop: () => void }> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${backend.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  };
  const registered = await post('/api/auth/register', { email: ADMIN, password: 'correct horse battery', name: 'A' });
  const token = registered.tokens.accessToken as string;
  const project = await post('/api/projects', { name: 'Main job', template: 'react-typescript' }, token);
  const routes = [
    '/api/auth/me',
    '/api/projects',
    `/api/projects/${project.id}`,
    `/api/projects/${project.id}/files`,
    '/api/templates',
  ];
  let sent = 0;
  const timer = setInterval(() => {
    const path = routes[sent++ % routes.length];
    fetch(`${backend.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
      .then((r) => r.arrayBuffer())
      .catch(() => {});
  }, 40);
  return { sent: () => sent, stop: () => clearInterval(timer) };
}

/** Runs the deploy story; never throws for a gate's verdict, only for a broken environment. */
export async function runDeployStory(options: StoryOptions): Promise<StoryResult> {
  const stages: Stage[] = [];
  const stage = async <T>(name: string, body: () => Promise<[T, string]>): Promise<T> => {
    section(name);
    const startedAt = Date.now();
    const [value, decision] = await body();
    const seconds = (Date.now() - startedAt) / 1000;
    stages.push({ name, startedAt, seconds, decision });
    console.log(`→ ${decision} (${seconds.toFixed(1)} s)`);
    return value;
  };
  const work = mkdtempSync(join(tmpdir(), 'myco-main-job-'));
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  mkdirSync(join(work, 'runner-temp'));
  let cluster: TestCluster | undefined;
  let prom: PrometheusServer | undefined;
  const proxies: ServiceProxy[] = [];
  let stopDiscovery = () => {};
  let load: { sent: () => number; stop: () => void } | undefined;
  let backendUrl = '';
  try {
    // 2. The platform: cluster, Services, Prometheus, the app at its current release, load.
    const { kubectl, env } = await stage(
      'Start the test cluster, Prometheus and the sample app (release 1.4.0)',
      async () => {
        cluster = await startTestCluster({ realPods: true, namespaces: [NAMESPACE] });
        const env = cluster.env();
        const kubectl = (...args: string[]) =>
          run('kubectl', args, { env, maxBuffer: 16 * 1024 * 1024 }).then((r) => r.stdout.trim());
        const aiEngine = await startServiceProxy(cluster, NAMESPACE, 'app.kubernetes.io/name=ai-engine');
        const backend = await startServiceProxy(cluster, NAMESPACE, 'app.kubernetes.io/name=backend');
        proxies.push(aiEngine, backend);
        const jwt = 'main-job-' + 'x'.repeat(40);
        await kubectl('create', 'secret', 'generic', 'backend', '-n', NAMESPACE, `--from-literal=jwt-secret=${jwt}`);
        const overlay: Overlay = {
          services: { 'ai-engine.myco.svc': aiEngine.url },
          dataDir,
          secrets: { backend: { 'jwt-secret': jwt } },
        };
        writeFileSync(join(work, 'ai-engine.yaml'), renderManifest('ai-engine.yaml', overlay, '1.4.0'));
        writeFileSync(join(work, 'backend-1.4.0.yaml'), renderManifest('backend.yaml', overlay, '1.4.0'));
        await kubectl('apply', '-f', join(work, 'ai-engine.yaml'));
        await kubectl('rollout', 'status', 'deployment/ai-engine', '-n', NAMESPACE, '--timeout=120s');
        await kubectl('apply', '-f', join(work, 'backend-1.4.0.yaml'));
        await kubectl('rollout', 'status', 'deployment/backend', '-n', NAMESPACE, '--timeout=120s');
        const sd = join(work, 'pods.json');
        stopDiscovery = writePodDiscovery(cluster, NAMESPACE, sd);
        prom = await startPrometheus({ fileSd: { 'kubernetes-pods': sd }, interval: '5s' });
        load = await startLoad(backend);
        await prom.waitFor('count(up{job="kubernetes-pods"} == 1) >= 4', 60_000);
        // Two scrapes of the running release, so the first window after the deploy has a rate.
        await new Promise((resolve) => setTimeout(resolve, 11_000));
        const pods = readyPods(cluster, NAMESPACE).length;
        writeFileSync(join(work, 'overlay.json'), JSON.stringify(overlay));
        backendUrl = backend.url;
        return [
          { kubectl, env },
          `${pods} pods ready, Prometheus scraping them every 5 s, 25 requests/s on the backend`,
        ];
      },
    );

    let step = 0;
    /** Runs a gate's bundle as a step of the deploy job; its report is kept in outDir (the runner's temp goes). */
    const action = async (name: string, inputs: Record<string, string>, timeoutMs = 300_000) => {
      const result = await runAction({
        action: name,
        inputs,
        eventName: 'push',
        payload: options.pushPayload,
        github: options.github,
        repository: options.repository,
        sha: options.sha,
        workspace: root,
        node: '24',
        // One job: its steps share RUNNER_TEMP (where each gate writes its report), as on a runner.
        env: { HOME: join(work, 'home'), KUBECONFIG: env.KUBECONFIG!, RUNNER_TEMP: join(work, 'runner-temp') },
        timeoutMs,
      });
      const n = String(++step).padStart(2, '0');
      writeFileSync(join(options.outDir, `deploy-${n}-${name}-summary.md`), result.summary);
      let report: string | undefined;
      if (result.outputs.report && existsSync(result.outputs.report)) {
        report = join(options.outDir, 'reports', `deploy-${n}-${name}.json`);
        mkdirSync(dirname(report), { recursive: true });
        copyFileSync(result.outputs.report, report);
      }
      if (result.exitCode !== 0 && result.annotations.length)
        console.log(result.annotations.map((a) => `  ${a.level}: ${a.message}`).join('\n'));
      return { ...result, report };
    };
    const reports: string[] = [...options.gateReports];
    const notify = async (phase: string): Promise<string> => {
      const result = await action(
        'notify',
        {
          reports: reports.join('\n'),
          'slack-token': SLACK_TOKEN,
          channel: '#deploys',
          'slack-api-url': options.slack.apiUrl,
          environment: 'staging',
          'environment-url': 'https://staging.myco.example',
          'deployment-status': 'true',
          'thread-details': 'true',
        },
        120_000,
      );
      const ok = result.exitCode === 0;
      if (!ok) console.log(result.stdout.slice(-3000), result.stderr.slice(-3000));
      return `notify (${phase}): Slack message ${result.outputs.ts ?? '?'} ${result.outputs.notified === 'true' ? 'posted/updated' : 'NOT sent'}, verdict ${result.outputs.verdict ?? '?'}`;
    };

    // 3. Record the running revision, deploy the release, wait for readiness, health checks and a smoke test.
    const tag = options.good ? '1.5.0' : '1.5.0-bad';
    const recorded = await stage('k8s-rollback record: the revision to come back to', async () => {
      const result = await action('k8s-rollback', {
        mode: 'record',
        kind: 'deployment',
        name: 'backend',
        namespace: NAMESPACE,
        kubeconfig: env.KUBECONFIG!,
      });
      if (result.exitCode !== 0) throw new Error(`k8s-rollback record failed:\n${result.stdout}\n${result.stderr}`);
      return [result.outputs.revision, `revision ${result.outputs.revision} (${result.outputs['from-image'] ?? ''})`];
    });
    console.log(await notify('started'));
    const deployedAt = await stage(
      `Deploy ${tag} with kubectl apply${options.good ? '' : ' (a bad release: its pod template injects 5 % errors)'}`,
      async () => {
        const overlay = JSON.parse(readFileSync(join(work, 'overlay.json'), 'utf8')) as Overlay;
        const file = join(work, `backend-${tag}.yaml`);
        writeFileSync(
          file,
          renderManifest('backend.yaml', overlay, tag, options.good ? {} : { FAULT_ERROR_RATE: '0.05' }),
        );
        const startedAt = new Date();
        await kubectl('apply', '-f', file);
        await kubectl('rollout', 'status', 'deployment/backend', '-n', NAMESPACE, '--timeout=120s');
        return [
          startedAt,
          `rolled out: ${readyPods(cluster!, NAMESPACE, 'app.kubernetes.io/name=backend').length} ready pods`,
        ];
      },
    );
    await stage('Health checks and smoke test', async () => {
      const checks: string[] = [];
      for (const path of ['/healthz', '/readyz', '/api/templates']) {
        const response = await fetch(`${backendUrl}${path}`);
        await response.arrayBuffer();
        checks.push(`${path} ${response.status}`);
        if (!response.ok) throw new Error(`smoke test: GET ${path} answered ${response.status}`);
      }
      return [undefined, checks.join(', ')];
    });

    // 4. slo-validate watches the release.
    const slo = await stage('slo-validate watches the release (every 5 s, up to 2 min)', async () => {
      const result = await action('slo-validate', {
        'prometheus-url': prom!.url,
        'slo-spec': 'sample-app/monitoring/slos.yaml',
        slos: BACKEND_SLOS,
        since: deployedAt.toISOString(),
        duration: '120s',
        interval: '5s',
        'initial-delay': '5s',
        comment: 'false',
      });
      if (result.report) reports.push(result.report);
      const decision =
        `${result.outputs.status}, rollback: ${result.outputs.rollback}` +
        (result.outputs.breached ? `, breached: ${result.outputs.breached}` : '');
      return [result, decision];
    });
    console.log(await notify('gates'));

    // 5. On a rollback trigger: back to the recorded revision, verified by slo-validate on the rolled-back pods.
    let rolledBack = false;
    let breachToRecoveredSeconds: number | undefined;
    if (slo.outputs.rollback === 'true') {
      const rollback = await stage(`k8s-rollback to revision ${recorded}, verified by slo-validate`, async () => {
        const verify = [
          'npx',
          'tsx',
          'packages/cli/src/index.ts',
          'slo',
          'validate',
          '--prometheus-url',
          prom!.url,
          '--slo-spec',
          'sample-app/monitoring/slos.yaml',
          '--slos',
          BACKEND_SLOS,
          '--since',
          '0s',
          '--duration',
          '45s',
          '--interval',
          '5s',
          '--initial-delay',
          '10s',
        ].join(' ');
        const result = await action('k8s-rollback', {
          mode: 'rollback',
          kind: 'deployment',
          name: 'backend',
          namespace: NAMESPACE,
          'to-revision': recorded,
          timeout: '120s',
          kubeconfig: env.KUBECONFIG!,
          'verify-command': verify,
        });
        if (result.report) reports.push(result.report);
        rolledBack = result.outputs['rolled-back'] === 'true';
        return [
          result,
          `${result.outputs.status}: ${result.outputs['from-image']} → ${result.outputs['to-image']} ` +
            `(revision ${result.outputs['from-revision']} → ${result.outputs['to-revision']}) in ${result.outputs['duration-seconds']} s`,
        ];
      });
      if (rollback.exitCode === 0) breachToRecoveredSeconds = (Date.now() - deployedAt.getTime()) / 1000;
    }
    console.log(await notify(rolledBack ? 'rolled back' : 'done'));
    const ok = options.good ? slo.outputs.status === 'pass' && !rolledBack : rolledBack;
    return { stages, rolledBack, breachToRecoveredSeconds, ok };
  } finally {
    load?.stop();
    stopDiscovery();
    for (const p of proxies) await p.close();
    await prom?.stop();
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
