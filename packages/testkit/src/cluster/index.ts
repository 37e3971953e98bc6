/**
 * A Kubernetes test cluster in the test process: an HTTPS API server that real `kubectl` and `helm` talk to, an
 * object store validated with `kubernetes-models`, and simulated controllers (Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, pods on fake nodes, garbage collection).
 *
 * ```ts
 * const cluster = await startTestCluster();
 * await execFileAsync('kubectl', ['apply', '-f', file], { env: cluster.env() });
 * cluster.tick(); // or let the timer run
 * await cluster.stop();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controllers, type PodBehaviour, type PodBehaviourHook } from './controllers.js';
import type { PodProcess } from './pods.js';
import { type K8sObject, resourceByName, resourceForObject, type ResourceType } from './resources.js';
import { type ClusterUser, type DenyRule, type RecordedRequest, startApiServer } from './server.js';
import { Store } from './store.js';
import { generateTls, writeKubeconfig } from './tls.js';

export type { ClusterUser, DenyRule, K8sObject, PodBehaviour, PodBehaviourHook, PodProcess, RecordedRequest };
export { kubeBinaries, type KubeBinaries, type KubeBinariesOptions } from './binaries.js';

/** Options of {@link startTestCluster}. */
export interface TestClusterOptions {
  /** Server version answered on `/version`; default `v1.32.0`. */
  version?: string;
  /** Milliseconds between controller passes; `0` disables the timer (drive with `tick()`). Default 200. */
  tickMs?: number;
  /** Controller passes between a pod's creation and its Ready. Default 1. */
  readyAfterTicks?: number;
  /** Fake node names; DaemonSets run one pod per node. Default `['test-node-1']`. */
  nodes?: string[];
  /** Namespaces to create besides `default`, `kube-system`, `kube-public`, `kube-node-lease`. */
  namespaces?: string[];
  /**
   * Extra users (a kubeconfig context each, named after the user). The admin user `admin` is always first.
   * Example: `{ name: 'viewer', token: 'viewer-token', deny: [{ verbs: ['patch', 'update', 'create', 'delete'] }] }`.
   */
  users?: (Omit<ClusterUser, 'token'> & { token?: string })[];
  /** Clock for timestamps and progress deadlines. Default: the real clock. */
  now?: () => Date;
  /** Log text for `kubectl logs` (real pods serve their process output). */
  podLog?: (pod: K8sObject, container: string) => string;
  /**
   * Run pods whose first container has a `command` as local processes (`PORT` = a free port, plain `env` values),
   * Ready by their `readinessProbe.httpGet`. Also per pod: `setPodBehaviour(() => 'process')`.
   */
  realPods?: boolean;
}

/** A running test cluster. */
export interface TestCluster {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Path of the kubeconfig: one cluster with the CA data, one context per user (`admin` current). */
  readonly kubeconfig: string;
  /** The admin user's bearer token. */
  readonly token: string;
  /** Every user with its token (admin first). */
  readonly users: ClusterUser[];
  /** PEM of the cluster CA. */
  readonly caCert: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Fake node names. */
  readonly nodes: string[];
  /**
   * Environment for a kubectl/helm child process: the current environment with `KUBECONFIG` set and a fresh, empty
   * `HOME` (kubectl caches discovery under `$HOME/.kube/cache`), removed at `stop()`.
   */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Creates a namespace (no-op when it exists). */
  createNamespace(name: string): void;
  /** Creates the object, or replaces it (keeping status) when it exists, validated as through the API. */
  apply(obj: K8sObject): K8sObject;
  /** An object by kind (`Deployment`, `deployments`, `deploy`), namespace and name, or undefined. */
  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined;
  /** Objects of a kind, optionally in a namespace and by label selector. */
  list(kind: string, namespace?: string, labelSelector?: string): K8sObject[];
  /** Deletes an object (dependents go on the next tick). */
  delete(kind: string, namespace: string | undefined, name: string): void;
  /** Runs `n` (default 1) passes of every controller, synchronously. */
  tick(n?: number): void;
  /**
   * Decides how pods behave (`ready`, `crashloop`, `imagepull`, `unready`, `unschedulable`); `undefined` from the hook
   * means the default (image tags containing `bad` crash-loop, `missing` fail to pull). Pass undefined to reset.
   */
  setPodBehaviour(hook: PodBehaviourHook | undefined): void;
  /** The local process of a real pod: its port (`PORT`), pid, readiness, restarts and output. */
  podProcess(namespace: string, name: string): PodProcess | undefined;
  /** Stops the server, the timer and removes the temporary files. */
  stop(): Promise<void>;
}

function resource(kind: string): ResourceType {
  const r = resourceByName(kind);
  if (!r) throw new Error(`unknown kind ${kind}`);
  return r;
}

/** Starts a test cluster on 127.0.0.1 with a fresh CA, and writes its kubeconfig. */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'myco-cluster-'));
  const tls = generateTls(join(dir, 'pki'));
  const store = new Store(options.now);
  const controllers = new Controllers(store, {
    readyAfterTicks: options.readyAfterTicks,
    nodes: options.nodes,
    realPods: options.realPods,
  });
  const users: ClusterUser[] = [
    { name: 'admin', token: randomBytes(16).toString('hex') },
    ...(options.users ?? []).map((u) => ({ ...u, token: u.token ?? randomBytes(16).toString('hex') })),
  ];
  const requests: RecordedRequest[] = [];
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', ...(options.namespaces ?? [])])
    store.create(resource('namespaces'), { metadata: { name: ns } });
  for (const node of controllers.nodeNames) {
    store.create(
      resource('nodes'),
      {
        metadata: {
          name: node,
          labels: { 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
        },
        spec: {},
        status: {
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
          ],
          nodeInfo: {
            kubeletVersion: options.version ?? 'v1.32.0',
            kubeProxyVersion: options.version ?? 'v1.32.0',
            architecture: 'amd64',
            operatingSystem: 'linux',
            bootID: '',
            containerRuntimeVersion: 'containerd://1.7.0',
            kernelVersion: '6.1.0',
            machineID: '',
            osImage: 'Debian GNU/Linux 12 (bookworm)',
            systemUUID: '',
          },
          addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
        },
      },
      { scope: 'all' },
    );
  }
  const server = await startApiServer({
    store,
    tls,
    users,
    version: options.version,
    onRequest: (r) => requests.push(r),
    podLog: (pod, container) => controllers.podProcess(pod)?.log ?? options.podLog?.(pod, container) ?? '',
  });
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), { server: server.url, caCert: tls.caCert, users });
  const tickMs = options.tickMs ?? 200;
  const timer = tickMs > 0 ? setInterval(() => controllers.tick(), tickMs) : undefined;
  timer?.unref();
  const homes: string[] = [];

  const cluster: TestCluster = {
    url: server.url,
    kubeconfig,
    token: users[0].token,
    users,
    caCert: tls.caCert,
    requests,
    nodes: controllers.nodeNames,
    env(extra = {}) {
      const home = join(dir, `home-${homes.length}`);
      mkdirSync(home, { recursive: true });
      homes.push(home);
      return { ...process.env, HOME: home, KUBECONFIG: kubeconfig, ...extra };
    },
    createNamespace(name) {
      if (!store.find(resource('namespaces'), undefined, name))
        store.create(resource('namespaces'), { metadata: { name } });
    },
    apply(obj) {
      const r = resourceForObject(obj);
      if (!r) throw new Error(`unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`);
      const existing = store.find(r, obj.metadata?.namespace ?? 'default', obj.metadata?.name);
      if (!existing) return store.create(r, obj);
      return store.update(r, { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
    },
    get: (kind, ns, name) => store.find(resource(kind), ns, name),
    list: (kind, ns, labelSelector) => store.list(resource(kind), ns, { labelSelector }),
    delete(kind, ns, name) {
      store.delete(resource(kind), ns, name);
    },
    tick(n = 1) {
      for (let i = 0; i < n; i++) controllers.tick();
    },
    setPodBehaviour: (hook) => controllers.setPodBehaviour(hook),
    podProcess(ns, name) {
      const pod = store.find(resource('pods'), ns, name);
      return pod && controllers.podProcess(pod);
    },
    async stop() {
      if (timer) clearInterval(timer);
      controllers.runner.stopAll();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
