/**
 * Simulated kube-controller-manager and kubelet: the Deployment, ReplicaSet, StatefulSet and DaemonSet controllers
 * (after pkg/controller/{deployment,replicaset,statefulset,daemon}), pod start-up on fake nodes, and garbage
 * collection of dependents whose owner is gone. Each {@link Controllers.tick} is one pass of every controller.
 */
import { type K8sObject, labelSelectorMatches, resourceByName, type ResourceType } from './resources.js';
import { randomSuffix, type Store, timestamp } from './store.js';
import { sortKeys } from './patch.js';
import { type PodProcess, PodRunner } from './pods.js';

/** What a pod does once started. */
export type PodBehaviour =
  /** Becomes Running and Ready (after the configured number of ticks). */
  | 'ready'
  /** Running, the container restarts over and over (CrashLoopBackOff), never Ready. */
  | 'crashloop'
  /** Stays Pending with ImagePullBackOff. */
  | 'imagepull'
  /** Running, containers started, readiness probe failing: never Ready. */
  | 'unready'
  /** Never scheduled: Pending with PodScheduled=False. */
  | 'unschedulable'
  /**
   * A real process: the first container's command + args run locally with `PORT` set to a port of its own;
   * Ready from its `readinessProbe.httpGet` (see {@link PodRunner}).
   */
  | 'process';

/**
 * Decides a pod's behaviour; return undefined for the default. The default: an image whose tag contains `bad`
 * (`app:bad`, `app:v2-bad`) crash-loops, one whose tag contains `missing` fails to pull, everything else gets ready.
 */
export type PodBehaviourHook = (pod: K8sObject) => PodBehaviour | undefined;

/** Options of the simulated controllers. */
export interface ControllerOptions {
  /** Ticks between a pod's creation and its becoming Ready. Default 1. */
  readyAfterTicks?: number;
  /** Node names (DaemonSets run one pod on each). Default `['test-node-1']`. */
  nodes?: string[];
  /** Pods whose first container has a `command` run as real processes (behaviour `process`) by default. */
  realPods?: boolean;
}

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const SKIP_COPY = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

function R(name: string): ResourceType {
  return resourceByName(name)!;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** FNV-1a 32-bit. */
function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `rand.SafeEncodeString` of the decimal hash, as pod-template-hash and ControllerRevision names are made. */
export function safeHash(data: unknown, collisionCount = 0): string {
  const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
  const text = typeof data === 'string' ? data : JSON.stringify(sortKeys(data));
  const n = fnv32a(collisionCount ? `${text}${collisionCount}` : text);
  return Array.from(String(n), (c) => alphanums[c.charCodeAt(0) % alphanums.length]).join('');
}

function controllerRef(owner: K8sObject): K8sObject {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function isControlledBy(obj: K8sObject, owner: K8sObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some(
    (r: K8sObject) => r.controller === true && r.uid === owner.metadata.uid,
  );
}

/** Resolves an int-or-percent against a total, rounding up (surge) or down (unavailable). */
function resolveIntOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

/** Drops zero-valued fields Go would omit (`omitempty`), except the ones listed. */
function omitZero(status: K8sObject, keep: string[] = []): K8sObject {
  for (const [k, v] of Object.entries(status)) {
    if (keep.includes(k)) continue;
    if (v === 0 || v === '' || v === undefined || (Array.isArray(v) && !v.length)) delete status[k];
  }
  return status;
}

function podReady(pod: K8sObject): boolean {
  return (pod.status?.conditions ?? []).some((c: K8sObject) => c.type === 'Ready' && c.status === 'True');
}

function podAvailable(pod: K8sObject, minReadySeconds: number, now: Date): boolean {
  if (!podReady(pod)) return false;
  if (!minReadySeconds) return true;
  const c = pod.status.conditions.find((x: K8sObject) => x.type === 'Ready');
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 <= now.getTime();
}

function revisionOf(obj: K8sObject): number {
  return Number(obj.metadata.annotations?.[REVISION] ?? 0) || 0;
}

/** A pod template with the controller's hash label removed, for comparisons. */
function templateIgnoringHash(t: K8sObject): K8sObject {
  const c = clone(t);
  if (c.metadata?.labels) {
    delete c.metadata.labels['pod-template-hash'];
    if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
  }
  return c;
}

interface Condition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** `deploymentutil.SetDeploymentCondition`: no-op for same status and reason, keeps the transition time on same status. */
function setCondition(status: K8sObject, cond: Condition): void {
  const conds: Condition[] = status.conditions ?? [];
  const cur = conds.find((c) => c.type === cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...conds.filter((c) => c.type !== cond.type), cond];
}

/** The simulated controllers. */
export class Controllers {
  /** Passes run so far. */
  ticks = 0;
  private readonly started = new Map<string, number>();
  private readonly readyAfterTicks: number;
  private readonly nodes: string[];
  private hook: PodBehaviourHook | undefined;
  private ipCounter = 2;
  private readonly realPods: boolean;
  /** The processes of real pods. */
  readonly runner = new PodRunner();
  private eventCounter = 0;

  constructor(
    private readonly store: Store,
    opts: ControllerOptions = {},
  ) {
    this.readyAfterTicks = opts.readyAfterTicks ?? 1;
    this.nodes = opts.nodes ?? ['test-node-1'];
    this.realPods = opts.realPods ?? false;
  }

  /** The process of a real pod, if it runs as one. */
  podProcess(pod: K8sObject): PodProcess | undefined {
    return this.runner.get(pod.metadata.uid);
  }

  /** The fake node names. */
  get nodeNames(): string[] {
    return [...this.nodes];
  }

  /** Sets (or clears) the hook deciding each pod's behaviour. */
  setPodBehaviour(hook: PodBehaviourHook | undefined): void {
    this.hook = hook;
  }

  private now(): Date {
    return this.store.now();
  }

  /** Runs one pass of every controller. */
  tick(): void {
    this.ticks++;
    this.collectGarbage();
    const live = new Set(this.store.list(R('pods')).map((p) => p.metadata.uid));
    for (const uid of this.runner.uids()) if (!live.has(uid)) this.runner.remove(uid);
    this.runner.poll();
    for (const d of this.store.list(R('deployments'))) this.guard(() => this.syncDeployment(d));
    for (const s of this.store.list(R('statefulsets'))) this.guard(() => this.syncStatefulSet(s));
    for (const d of this.store.list(R('daemonsets'))) this.guard(() => this.syncDaemonSet(d));
    for (const rs of this.store.list(R('replicasets'))) this.guard(() => this.syncReplicaSet(rs));
    for (const p of this.store.list(R('pods'))) this.guard(() => this.syncPod(p));
    // Status of the owners reflects this tick's pods, as the real controllers do on the next event.
    for (const rs of this.store.list(R('replicasets'))) this.guard(() => this.replicaSetStatus(rs));
    for (const d of this.store.list(R('deployments'))) this.guard(() => this.deploymentStatusOnly(d));
    for (const s of this.store.list(R('statefulsets'))) this.guard(() => this.statefulSetStatus(s));
    for (const d of this.store.list(R('daemonsets'))) this.guard(() => this.daemonSetStatus(d));
  }

  /** A write failing (a conflict with a client, an object deleted meanwhile) is retried on the next tick. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code === 404 || code === 409) return;
      throw e;
    }
  }

  private write(r: ResourceType, obj: K8sObject): K8sObject {
    return this.store.update(r, obj, { scope: 'all' });
  }

  /**
   * Records a core/v1 Event about an object, as the controllers' event recorders do; a repeat of the same reason and
   * message bumps `count` and `lastTimestamp` (the event correlator).
   */
  private event(obj: K8sObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const now = timestamp(this.now());
    const same = this.store
      .list(R('events'), ns)
      .find((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message);
    if (same) {
      same.count = (same.count ?? 1) + 1;
      same.lastTimestamp = now;
      this.write(R('events'), same);
      return;
    }
    const id = (Date.now() * 1000 + (this.eventCounter++ % 1000)).toString(16);
    this.store.create(
      R('events'),
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${obj.metadata.name}.${id}`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: ns,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: '',
      },
      { scope: 'all' },
    );
  }

  private deletePod(owner: K8sObject, pod: K8sObject): void {
    this.store.delete(R('pods'), pod.metadata.namespace, pod.metadata.name);
    if (owner.kind === 'StatefulSet')
      this.event(
        owner,
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${pod.metadata.name} in StatefulSet ${owner.metadata.name} successful`,
        'statefulset-controller',
      );
    else
      this.event(
        owner,
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${pod.metadata.name}`,
        owner.kind === 'DaemonSet' ? 'daemonset-controller' : 'replicaset-controller',
      );
  }

  // ------------------------------------------------------------------ garbage collector

  /** Deletes objects all of whose owners are gone, level by level until nothing is left to collect. */
  private collectGarbage(): void {
    for (let removed = true; removed;) {
      removed = false;
      const all = this.store.all();
      const uids = new Set(all.map((x) => x.object.metadata.uid));
      for (const { resource, object } of all) {
        const refs: K8sObject[] = object.metadata.ownerReferences ?? [];
        if (refs.length && refs.every((r) => !uids.has(r.uid))) {
          this.store.delete(resource, object.metadata.namespace, object.metadata.name);
          removed = true;
        }
      }
    }
  }

  // ------------------------------------------------------------------ pods ("kubelet")

  private behaviour(pod: K8sObject): PodBehaviour {
    const fromHook = this.hook?.(pod);
    if (fromHook) return fromHook;
    if (this.realPods && pod.spec?.containers?.[0]?.command?.length) return 'process';
    for (const c of pod.spec?.containers ?? []) {
      const image: string = c.image ?? '';
      const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
      if (tag.includes('bad')) return 'crashloop';
      if (tag.includes('missing')) return 'imagepull';
    }
    return 'ready';
  }

  private syncPod(pod: K8sObject): void {
    if (pod.metadata.deletionTimestamp) return;
    const uid = pod.metadata.uid;
    if (!this.started.has(uid)) this.started.set(uid, this.ticks);
    const age = this.ticks - this.started.get(uid)!;
    const b = this.behaviour(pod);
    const now = timestamp(this.now());
    const old = pod.status ?? {};
    const prevCond = (type: string, status: string): string =>
      (old.conditions ?? []).find((c: K8sObject) => c.type === type && c.status === status)?.lastTransitionTime ?? now;
    const cond = (type: string, ok: boolean, reason?: string, message?: string): K8sObject => {
      const c: K8sObject = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
      c.lastTransitionTime = prevCond(type, c.status);
      if (reason) c.reason = reason;
      if (message) c.message = message;
      return c;
    };
    const containers: K8sObject[] = pod.spec.containers ?? [];
    const nodeName = pod.spec.nodeName;
    if (b === 'unschedulable') {
      pod.status = {
        phase: 'Pending',
        conditions: [
          cond(
            'PodScheduled',
            false,
            'Unschedulable',
            "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
          ),
        ],
        qosClass: 'BestEffort',
      };
      this.write(R('pods'), pod);
      return;
    }
    if (b === 'process') this.runner.ensure(pod);
    const proc = b === 'process' ? this.runner.get(uid) : undefined;
    const podIP = b === 'process' ? '127.0.0.1' : (old.podIP ?? `10.244.0.${this.ipCounter++ % 250}`);
    const base: K8sObject = {
      hostIP: '172.18.0.2',
      hostIPs: [{ ip: '172.18.0.2' }],
      podIP,
      podIPs: [{ ip: podIP }],
      qosClass: 'BestEffort',
      startTime: old.startTime ?? now,
    };
    const running =
      b === 'process'
        ? !!proc && (proc.running || proc.restarts > 0 || proc.lastExitCode !== undefined)
        : age >= this.readyAfterTicks;
    const waitingStatus = (reason: string, message?: string, restartCount = 0, last?: K8sObject): K8sObject[] =>
      containers.map((c) => {
        const s: K8sObject = {
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          restartCount,
          started: false,
          state: { waiting: message ? { reason, message } : { reason } },
        };
        if (last) s.lastState = last;
        return s;
      });
    let status: K8sObject;
    if (!running || b === 'imagepull') {
      const reason = running ? 'ImagePullBackOff' : 'ContainerCreating';
      const msg = running ? `Back-off pulling image "${containers[0]?.image}"` : undefined;
      status = {
        phase: 'Pending',
        conditions: [
          cond('PodReadyToStartContainers', running),
          cond('Initialized', true),
          cond(
            'Ready',
            false,
            'ContainersNotReady',
            `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
          ),
          cond(
            'ContainersReady',
            false,
            'ContainersNotReady',
            `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`,
          ),
          cond('PodScheduled', true),
        ],
        ...base,
        containerStatuses: waitingStatus(reason, msg),
      };
    } else if (b === 'crashloop' || (b === 'process' && proc && !proc.running)) {
      const restarts = proc ? proc.restarts : Math.floor((age - this.readyAfterTicks) / 10) + 1;
      const unready = `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
      status = {
        phase: 'Running',
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond('Initialized', true),
          cond('Ready', false, 'ContainersNotReady', unready),
          cond('ContainersReady', false, 'ContainersNotReady', unready),
          cond('PodScheduled', true),
        ],
        ...base,
        containerStatuses: waitingStatus(
          'CrashLoopBackOff',
          `back-off 10s restarting failed container=${containers[0]?.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
          restarts,
          {
            terminated: {
              exitCode: proc?.lastExitCode ?? 1,
              reason: proc?.lastExitCode === 0 ? 'Completed' : 'Error',
              startedAt: base.startTime,
              finishedAt: base.startTime,
              containerID: `containerd://${fnv32a(uid).toString(16)}`,
            },
          },
        ),
      };
    } else {
      const ready = b === 'ready' || (b === 'process' && !!proc?.ready);
      const unready = `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
      status = {
        phase: 'Running',
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond('Initialized', true),
          ready ? cond('Ready', true) : cond('Ready', false, 'ContainersNotReady', unready),
          ready ? cond('ContainersReady', true) : cond('ContainersReady', false, 'ContainersNotReady', unready),
          cond('PodScheduled', true),
        ],
        ...base,
        containerStatuses: containers.map((c) => {
          const prev = (old.containerStatuses ?? []).find((s: K8sObject) => s.name === c.name);
          return {
            name: c.name,
            image: c.image,
            imageID: `docker.io/library/${c.image}@sha256:${fnv32a(c.image).toString(16).padStart(8, '0').repeat(8)}`,
            containerID: `containerd://${fnv32a(uid + c.name)
              .toString(16)
              .padStart(8, '0')
              .repeat(8)}`,
            ready,
            restartCount: proc?.restarts ?? 0,
            started: true,
            state: { running: { startedAt: prev?.state?.running?.startedAt ?? now } },
          };
        }),
      };
    }
    if (!nodeName) pod.spec.nodeName = this.nodes[0];
    if (same(old, status) && nodeName) return;
    pod.status = status;
    const written = this.write(R('pods'), pod);
    const kubelet = 'kubelet';
    if (!old.startTime)
      this.event(
        written,
        'Normal',
        'Scheduled',
        `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${pod.spec.nodeName}`,
        'default-scheduler',
      );
    const wasStarted = (old.containerStatuses ?? []).some(
      (c: K8sObject) => c.state?.running || c.lastState?.terminated,
    );
    if (status.phase === 'Running' && !wasStarted) {
      for (const c of containers) {
        this.event(written, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, kubelet);
        this.event(written, 'Normal', 'Created', `Created container ${c.name}`, kubelet);
        this.event(written, 'Normal', 'Started', `Started container ${c.name}`, kubelet);
      }
    }
    if (b === 'crashloop' && running)
      for (const c of containers)
        this.event(
          written,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
          kubelet,
        );
    if (b === 'imagepull' && running)
      for (const c of containers)
        this.event(written, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, kubelet);
    if (b === 'unready' && running)
      this.event(
        written,
        'Warning',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 503',
        kubelet,
      );
  }

  // ------------------------------------------------------------------ ReplicaSet controller

  private ownedPods(owner: K8sObject): K8sObject[] {
    return this.store
      .list(R('pods'), owner.metadata.namespace)
      .filter((p) => isControlledBy(p, owner) && !p.metadata.deletionTimestamp);
  }

  private newPod(
    owner: K8sObject,
    template: K8sObject,
    name: string,
    extraLabels: Record<string, string>,
    nodeName?: string,
  ): K8sObject {
    const t = clone(template);
    const pod: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...extraLabels },
        ownerReferences: [controllerRef(owner)],
      },
      spec: { ...t.spec, nodeName: nodeName ?? t.spec?.nodeName ?? this.nodes[0] },
    };
    if (t.metadata?.annotations) pod.metadata.annotations = t.metadata.annotations;
    const created = this.store.create(R('pods'), pod);
    if (owner.kind === 'StatefulSet')
      this.event(
        owner,
        'Normal',
        'SuccessfulCreate',
        `create Pod ${name} in StatefulSet ${owner.metadata.name} successful`,
        'statefulset-controller',
      );
    else
      this.event(
        owner,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${name}`,
        owner.kind === 'DaemonSet' ? 'daemonset-controller' : 'replicaset-controller',
      );
    return created;
  }

  private syncReplicaSet(rs: K8sObject): void {
    const pods = this.ownedPods(rs);
    const want = rs.spec.replicas ?? 1;
    if (pods.length < want) {
      for (let i = pods.length; i < want; i++) {
        const node = this.nodes[i % this.nodes.length];
        this.newPod(rs, rs.spec.template, `${rs.metadata.name}-${randomSuffix()}`, {}, node);
      }
    } else if (pods.length > want) {
      // Not-ready pods first, then the youngest (controller.ActivePods ordering, roughly).
      const victims = pods
        .sort((a, b) => {
          const ra = podReady(a) ? 1 : 0;
          const rb = podReady(b) ? 1 : 0;
          if (ra !== rb) return ra - rb;
          return String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp));
        })
        .slice(0, pods.length - want);
      for (const p of victims) this.deletePod(rs, p);
    }
  }

  private replicaSetStatus(rs: K8sObject): void {
    const pods = this.ownedPods(rs);
    const now = this.now();
    const min = rs.spec.minReadySeconds ?? 0;
    const status = omitZero(
      {
        replicas: pods.length,
        fullyLabeledReplicas: pods.filter((p) => labelSelectorMatches(rs.spec.selector, p.metadata.labels)).length,
        readyReplicas: pods.filter(podReady).length,
        availableReplicas: pods.filter((p) => podAvailable(p, min, now)).length,
        terminatingReplicas: undefined,
        observedGeneration: rs.metadata.generation,
      },
      ['replicas'],
    );
    if (same(rs.status, status)) return;
    rs.status = status;
    this.write(R('replicasets'), rs);
  }

  // ------------------------------------------------------------------ Deployment controller

  private ownedReplicaSets(d: K8sObject): K8sObject[] {
    return this.store
      .list(R('replicasets'), d.metadata.namespace)
      .filter((rs) => isControlledBy(rs, d))
      .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  }

  private findNewReplicaSet(d: K8sObject, all: K8sObject[]): K8sObject | undefined {
    const want = JSON.stringify(sortKeys(d.spec.template));
    return all.find((rs) => JSON.stringify(sortKeys(templateIgnoringHash(rs.spec.template))) === want);
  }

  private surgeAndUnavailable(d: K8sObject): [number, number] {
    const replicas = d.spec.replicas ?? 1;
    if (d.spec.strategy?.type !== 'RollingUpdate') return [0, 0];
    const ru = d.spec.strategy.rollingUpdate ?? {};
    const surge = resolveIntOrPercent(ru.maxSurge ?? '25%', replicas, true);
    let unavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
    if (surge === 0 && unavailable === 0) unavailable = 1;
    return [surge, Math.min(unavailable, replicas)];
  }

  private copyAnnotations(d: K8sObject, rs: K8sObject): boolean {
    let changed = false;
    rs.metadata.annotations ??= {};
    for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) {
      if (SKIP_COPY.has(k)) continue;
      if (rs.metadata.annotations[k] !== v) {
        rs.metadata.annotations[k] = v;
        changed = true;
      }
    }
    return changed;
  }

  private scaleReplicaSet(rs: K8sObject, replicas: number, d: K8sObject): K8sObject {
    const [surge] = this.surgeAndUnavailable(d);
    const annotations = {
      ...(rs.metadata.annotations ?? {}),
      [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1),
      [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + surge),
    };
    if (rs.spec.replicas === replicas && same(annotations, rs.metadata.annotations)) return rs;
    const from = rs.spec.replicas ?? 0;
    rs.spec.replicas = replicas;
    rs.metadata.annotations = annotations;
    const written = this.write(R('replicasets'), rs);
    if (from !== replicas)
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
        'deployment-controller',
      );
    return written;
  }

  private syncDeployment(d: K8sObject): void {
    if (d.metadata.deletionTimestamp) return;
    const all = this.ownedReplicaSets(d);
    const replicas = d.spec.replicas ?? 1;
    const [surge, maxUnavailable] = this.surgeAndUnavailable(d);
    const status: K8sObject = clone(d.status ?? {});
    let newRS = this.findNewReplicaSet(d, all);
    const olds = () => all.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
    const now = timestamp(this.now());
    const progressing = (reason: string, message: string, st = 'True'): Condition => ({
      type: 'Progressing',
      status: st,
      lastUpdateTime: now,
      lastTransitionTime: now,
      reason,
      message,
    });

    if (d.spec.paused) {
      const cur = (status.conditions ?? []).find((c: Condition) => c.type === 'Progressing');
      if (!cur || cur.reason !== 'DeploymentPaused')
        setCondition(status, progressing('DeploymentPaused', 'Deployment is paused', 'Unknown'));
      // A paused deployment is still scaled, but no new ReplicaSet is rolled out.
      if (newRS && olds().every((rs) => (rs.spec.replicas ?? 0) === 0) && newRS.spec.replicas !== replicas)
        this.scaleReplicaSet(newRS, replicas, d);
      this.finishDeployment(d, status, newRS);
      return;
    }
    const cur = (status.conditions ?? []).find((c: Condition) => c.type === 'Progressing');
    if (cur?.reason === 'DeploymentPaused')
      setCondition(status, progressing('DeploymentResumed', 'Deployment is resumed', 'Unknown'));

    const maxOld = Math.max(0, ...olds().map(revisionOf));
    const newRevision = String(maxOld + 1);
    if (newRS) {
      const rs = newRS;
      let changed = this.copyAnnotations(d, rs);
      const oldRevision = rs.metadata.annotations[REVISION];
      if (!oldRevision || Number(oldRevision) < Number(newRevision)) {
        rs.metadata.annotations[REVISION] = newRevision;
        if (oldRevision) {
          const hist = rs.metadata.annotations[REVISION_HISTORY];
          rs.metadata.annotations[REVISION_HISTORY] = hist ? `${hist},${oldRevision}` : oldRevision;
        }
        changed = true;
        if (d.spec.progressDeadlineSeconds !== undefined)
          setCondition(status, progressing('FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`));
      }
      if (changed) newRS = this.write(R('replicasets'), rs);
    } else {
      const hash = safeHash(d.spec.template, d.status?.collisionCount ?? 0);
      const template = clone(d.spec.template);
      template.metadata ??= {};
      template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
      const selector = clone(d.spec.selector);
      selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {}))
        if (!SKIP_COPY.has(k)) annotations[k] = v;
      annotations[DESIRED_REPLICAS] = String(replicas);
      annotations[MAX_REPLICAS] = String(replicas + surge);
      annotations[REVISION] = newRevision;
      newRS = this.store.create(
        R('replicasets'),
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: d.metadata.namespace,
            labels: template.metadata.labels,
            annotations,
            ownerReferences: [controllerRef(d)],
          },
          spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
        },
        { scope: 'all' },
      );
      all.push(newRS);
      setCondition(status, progressing('NewReplicaSetCreated', `Created new replica set "${newRS.metadata.name}"`));
    }
    const rs = newRS!;
    if (d.metadata.annotations?.[REVISION] !== rs.metadata.annotations[REVISION]) {
      d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: rs.metadata.annotations[REVISION] };
      d = this.write(R('deployments'), { ...d, status: d.status });
    }

    const oldSets = olds();
    if (d.spec.strategy?.type === 'Recreate') {
      const active = oldSets.filter((x) => (x.spec.replicas ?? 0) > 0);
      for (const x of active) this.scaleReplicaSet(x, 0, d);
      const oldPods = oldSets.reduce((n, x) => n + (x.status?.replicas ?? 0), 0);
      if (!active.length && oldPods === 0) newRS = this.scaleReplicaSet(rs, replicas, d);
    } else {
      // reconcileNewReplicaSet
      const specSum = (sets: K8sObject[]) => sets.reduce((n, x) => n + (x.spec.replicas ?? 0), 0);
      let newReplicas = rs.spec.replicas ?? 0;
      if (newReplicas > replicas) newReplicas = replicas;
      else if (newReplicas < replicas) {
        const current = specSum(oldSets) + newReplicas;
        const maxTotal = replicas + surge;
        if (current < maxTotal) newReplicas += Math.min(maxTotal - current, replicas - newReplicas);
      }
      newRS = this.scaleReplicaSet(rs, newReplicas, d);
      // reconcileOldReplicaSets
      const min = d.spec.minReadySeconds ?? 0;
      void min;
      const oldCount = specSum(oldSets);
      if (oldCount > 0) {
        const allCount = oldCount + newReplicas;
        const minAvailable = replicas - maxUnavailable;
        const newUnavailable = newReplicas - (newRS.status?.availableReplicas ?? 0);
        let maxScaledDown = allCount - minAvailable - newUnavailable;
        if (maxScaledDown > 0) {
          // cleanupUnhealthyReplicas: old pods that are not available go first
          for (const x of oldSets) {
            if (maxScaledDown <= 0) break;
            const unhealthy = (x.spec.replicas ?? 0) - (x.status?.availableReplicas ?? 0);
            const down = Math.min(maxScaledDown, Math.max(0, unhealthy));
            if (down > 0) {
              maxScaledDown -= down;
              this.scaleReplicaSet(x, (x.spec.replicas ?? 0) - down, d);
            }
          }
          // scaleDownOldReplicaSetsForRollingUpdate
          const available = [...oldSets, newRS].reduce((n, x) => n + (x.status?.availableReplicas ?? 0), 0);
          let total = Math.min(available - minAvailable, maxScaledDown);
          for (const x of oldSets) {
            if (total <= 0) break;
            const cur2 = this.store.find(R('replicasets'), x.metadata.namespace, x.metadata.name);
            if (!cur2 || (cur2.spec.replicas ?? 0) === 0) continue;
            const down = Math.min(cur2.spec.replicas, total);
            this.scaleReplicaSet(cur2, cur2.spec.replicas - down, d);
            total -= down;
          }
        }
      }
    }
    this.finishDeployment(d, status, newRS);
  }

  /** Status only (after pods moved this tick), without scaling. */
  private deploymentStatusOnly(d: K8sObject): void {
    const newRS = d.spec.paused
      ? this.findNewReplicaSet(d, this.ownedReplicaSets(d))
      : this.findNewReplicaSet(d, this.ownedReplicaSets(d));
    this.finishDeployment(d, clone(d.status ?? {}), newRS);
  }

  private finishDeployment(d: K8sObject, status: K8sObject, newRS: K8sObject | undefined): void {
    const fresh = this.store.find(R('deployments'), d.metadata.namespace, d.metadata.name);
    if (!fresh) return;
    d = fresh;
    const all = this.ownedReplicaSets(d);
    newRS = newRS && all.find((x) => x.metadata.uid === newRS!.metadata.uid);
    const replicas = d.spec.replicas ?? 1;
    const [, maxUnavailable] = this.surgeAndUnavailable(d);
    const oldStatus = d.status ?? {};
    const sum = (f: (x: K8sObject) => number) => all.reduce((n, x) => n + f(x), 0);
    const specTotal = sum((x) => x.spec.replicas ?? 0);
    const available = sum((x) => x.status?.availableReplicas ?? 0);
    const next: K8sObject = {
      observedGeneration: d.metadata.generation,
      replicas: sum((x) => x.status?.replicas ?? 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum((x) => x.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specTotal - available),
      conditions: status.conditions ?? [],
    };
    if (status.collisionCount) next.collisionCount = status.collisionCount;
    const now = timestamp(this.now());
    const minAvail = available >= replicas - maxUnavailable;
    setCondition(next, {
      type: 'Available',
      status: minAvail ? 'True' : 'False',
      lastUpdateTime: now,
      lastTransitionTime: now,
      reason: minAvail ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      message: minAvail ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
    });
    // syncRolloutStatus
    const cur: Condition | undefined = next.conditions.find((c: Condition) => c.type === 'Progressing');
    const isComplete = next.replicas === next.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
    if (d.spec.progressDeadlineSeconds !== undefined && !d.spec.paused && !isComplete && newRS) {
      const complete =
        next.updatedReplicas === replicas &&
        next.replicas === replicas &&
        next.availableReplicas === replicas &&
        next.observedGeneration >= d.metadata.generation;
      const oldOld = (oldStatus.replicas ?? 0) - (oldStatus.updatedReplicas ?? 0);
      const newOld = next.replicas - next.updatedReplicas;
      const progressed =
        next.updatedReplicas > (oldStatus.updatedReplicas ?? 0) ||
        next.readyReplicas > (oldStatus.readyReplicas ?? 0) ||
        next.availableReplicas > (oldStatus.availableReplicas ?? 0) ||
        oldOld > newOld;
      const name = newRS.metadata.name;
      if (complete) {
        setCondition(next, {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: now,
          lastTransitionTime: now,
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${name}" has successfully progressed.`,
        });
      } else if (progressed) {
        const c: Condition = {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: now,
          lastTransitionTime: cur?.status === 'True' ? cur.lastTransitionTime : now,
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${name}" is progressing.`,
        };
        next.conditions = [...next.conditions.filter((x: Condition) => x.type !== 'Progressing'), c];
      } else if (cur && cur.reason !== 'ProgressDeadlineExceeded') {
        const from = Date.parse(cur.lastUpdateTime ?? now);
        if (from + d.spec.progressDeadlineSeconds * 1000 < this.now().getTime()) {
          setCondition(next, {
            type: 'Progressing',
            status: 'False',
            lastUpdateTime: now,
            lastTransitionTime: now,
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${name}" has timed out progressing.`,
          });
        }
      }
    }
    omitZero(next);
    if (!next.conditions?.length) delete next.conditions;
    // cleanupDeployment: once complete, drop old empty ReplicaSets beyond the history limit.
    const done = next.updatedReplicas === replicas && next.replicas === replicas && next.availableReplicas === replicas;
    if (done || d.spec.paused) this.cleanupReplicaSets(d, all, newRS);
    if (same(oldStatus, next)) return;
    d.status = next;
    this.write(R('deployments'), d);
  }

  private cleanupReplicaSets(d: K8sObject, all: K8sObject[], newRS: K8sObject | undefined): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const olds = all
      .filter((x) => x.metadata.uid !== newRS?.metadata.uid)
      .filter(
        (x) =>
          (x.spec.replicas ?? 0) === 0 &&
          (x.status?.replicas ?? 0) === 0 &&
          x.metadata.generation === x.status?.observedGeneration,
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const diff = olds.length - limit;
    for (let i = 0; i < diff; i++)
      this.store.delete(R('replicasets'), olds[i].metadata.namespace, olds[i].metadata.name);
  }

  // ------------------------------------------------------------------ ControllerRevision history (StatefulSet, DaemonSet)

  /** `{"spec":{"template":{…,"$patch":"replace"}}}`: what both controllers store and `rollout undo` patches back. */
  static revisionData(obj: K8sObject): K8sObject {
    const template = clone(obj.spec.template);
    template.metadata ??= {};
    template.metadata.creationTimestamp ??= null;
    template.$patch = 'replace';
    return sortKeys({ spec: { template } }) as K8sObject;
  }

  private syncHistory(owner: K8sObject): { update: K8sObject; revisions: K8sObject[] } {
    const ns = owner.metadata.namespace;
    let revisions = this.store
      .list(R('controllerrevisions'), ns)
      .filter((cr) => isControlledBy(cr, owner))
      .sort((a, b) => a.revision - b.revision);
    const data = Controllers.revisionData(owner);
    const max = revisions.length ? revisions[revisions.length - 1].revision : 0;
    const equal = revisions.filter((cr) => same(cr.data, data));
    let update: K8sObject;
    if (equal.length) {
      update = equal[equal.length - 1];
      if (update.revision !== max) {
        update.revision = max + 1;
        update = this.write(R('controllerrevisions'), update);
      }
    } else {
      const hash = safeHash(JSON.stringify(data), owner.status?.collisionCount ?? 0);
      update = this.store.create(
        R('controllerrevisions'),
        {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: {
            name: `${owner.metadata.name}-${hash}`,
            namespace: ns,
            labels: { ...(owner.spec.template.metadata?.labels ?? {}), 'controller-revision-hash': hash },
            ownerReferences: [controllerRef(owner)],
          },
          data,
          revision: max + 1,
        },
        { scope: 'all' },
      );
    }
    revisions = this.store
      .list(R('controllerrevisions'), ns)
      .filter((cr) => isControlledBy(cr, owner))
      .sort((a, b) => a.revision - b.revision);
    return { update, revisions };
  }

  private truncateHistory(owner: K8sObject, revisions: K8sObject[], live: Set<string>): void {
    const limit = owner.spec.revisionHistoryLimit ?? 10;
    const dead = revisions.filter((cr) => !live.has(cr.metadata.name));
    for (let i = 0; i < dead.length - limit; i++)
      this.store.delete(R('controllerrevisions'), dead[i].metadata.namespace, dead[i].metadata.name);
  }

  // ------------------------------------------------------------------ StatefulSet controller

  private syncStatefulSet(sts: K8sObject): void {
    const { update, revisions } = this.syncHistory(sts);
    const current = revisions.find((cr) => cr.metadata.name === sts.status?.currentRevision) ?? update;
    const replicas = sts.spec.replicas ?? 1;
    const partition =
      sts.spec.updateStrategy?.type === 'RollingUpdate' ? (sts.spec.updateStrategy.rollingUpdate?.partition ?? 0) : 0;
    const name = sts.metadata.name;
    const pods = new Map(this.ownedPods(sts).map((p) => [p.metadata.name, p]));
    const templateOf = (cr: K8sObject) => {
      const t = clone(cr.data.spec.template);
      delete t.$patch;
      if (t.metadata?.creationTimestamp === null) delete t.metadata.creationTimestamp;
      return t;
    };
    const parallel = sts.spec.podManagementPolicy === 'Parallel';
    // Create missing pods in order; with OrderedReady, wait for each to be Running and Ready.
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      const pod = pods.get(podName);
      if (!pod) {
        const cr = i < partition ? current : update;
        this.newPod(sts, templateOf(cr), podName, {
          'controller-revision-hash': cr.metadata.name,
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(i),
        });
        if (!parallel) return;
        continue;
      }
      if (!parallel && !(pod.status?.phase === 'Running' && podReady(pod))) return;
    }
    // Scale down from the highest ordinal.
    const extra = [...pods.values()]
      .filter((p) => Number(p.metadata.name.slice(name.length + 1)) >= replicas)
      .sort((a, b) => Number(b.metadata.name.slice(name.length + 1)) - Number(a.metadata.name.slice(name.length + 1)));
    if (extra.length) {
      this.deletePod(sts, extra[0]);
      return;
    }
    if (sts.spec.updateStrategy?.type !== 'RollingUpdate') return;
    // Rolling update: the largest ordinal not at the update revision goes first; wait for unhealthy pods.
    for (let i = replicas - 1; i >= partition; i--) {
      const pod = pods.get(`${name}-${i}`);
      if (!pod) return;
      if (pod.metadata.labels?.['controller-revision-hash'] !== update.metadata.name) {
        this.deletePod(sts, pod);
        return;
      }
      if (!podReady(pod)) return;
    }
  }

  private statefulSetStatus(sts: K8sObject): void {
    const fresh = this.store.find(R('statefulsets'), sts.metadata.namespace, sts.metadata.name);
    if (!fresh) return;
    sts = fresh;
    const { update, revisions } = this.syncHistory(sts);
    const pods = this.ownedPods(sts);
    const now = this.now();
    const min = sts.spec.minReadySeconds ?? 0;
    let currentRevision = sts.status?.currentRevision;
    if (!revisions.some((cr) => cr.metadata.name === currentRevision)) currentRevision = update.metadata.name;
    const readyReplicas = pods.filter(podReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === update.metadata.name).length;
    let currentReplicas = pods.filter(
      (p) => p.metadata.labels?.['controller-revision-hash'] === currentRevision,
    ).length;
    if (
      sts.spec.updateStrategy?.type === 'RollingUpdate' &&
      updated === pods.length &&
      readyReplicas === pods.length &&
      pods.length === (sts.spec.replicas ?? 1)
    ) {
      currentRevision = update.metadata.name;
      currentReplicas = updated;
    }
    const status = omitZero(
      {
        observedGeneration: sts.metadata.generation,
        replicas: pods.length,
        readyReplicas,
        currentReplicas,
        updatedReplicas: updated,
        currentRevision,
        updateRevision: update.metadata.name,
        collisionCount: sts.status?.collisionCount ?? 0,
        availableReplicas: pods.filter((p) => podAvailable(p, min, now)).length,
      },
      ['replicas', 'availableReplicas', 'collisionCount'],
    );
    const live = new Set([
      currentRevision!,
      update.metadata.name,
      ...pods.map((p) => p.metadata.labels?.['controller-revision-hash']),
    ]);
    this.truncateHistory(sts, revisions, live);
    if (same(sts.status, status)) return;
    sts.status = status;
    this.write(R('statefulsets'), sts);
  }

  // ------------------------------------------------------------------ DaemonSet controller

  private syncDaemonSet(ds: K8sObject): void {
    const { update } = this.syncHistory(ds);
    const hash = update.metadata.labels['controller-revision-hash'];
    const pods = this.ownedPods(ds);
    const byNode = new Map<string, K8sObject[]>();
    for (const p of pods) byNode.set(p.spec.nodeName, [...(byNode.get(p.spec.nodeName) ?? []), p]);
    const template = clone(update.data.spec.template);
    delete template.$patch;
    if (template.metadata?.creationTimestamp === null) delete template.metadata.creationTimestamp;
    for (const node of this.nodes) {
      if (!byNode.get(node)?.length)
        this.newPod(
          ds,
          template,
          `${ds.metadata.name}-${randomSuffix()}`,
          {
            'controller-revision-hash': hash,
            'pod-template-generation': String(ds.metadata.generation ?? 1),
          },
          node,
        );
    }
    for (const p of pods) if (!this.nodes.includes(p.spec.nodeName)) this.deletePod(ds, p);
    if (ds.spec.updateStrategy?.type !== 'RollingUpdate') return;
    const maxUnavailable = Math.max(
      1,
      resolveIntOrPercent(ds.spec.updateStrategy.rollingUpdate?.maxUnavailable ?? 1, this.nodes.length, true),
    );
    let unavailable = this.nodes.filter((n) => !(byNode.get(n) ?? []).some(podReady)).length;
    for (const node of this.nodes) {
      const old = (byNode.get(node) ?? []).filter((p) => p.metadata.labels?.['controller-revision-hash'] !== hash);
      if (!old.length) continue;
      const oldReady = old.some(podReady);
      if (oldReady && unavailable >= maxUnavailable) continue;
      for (const p of old) this.deletePod(ds, p);
      if (oldReady) unavailable++;
    }
  }

  private daemonSetStatus(ds: K8sObject): void {
    const fresh = this.store.find(R('daemonsets'), ds.metadata.namespace, ds.metadata.name);
    if (!fresh) return;
    ds = fresh;
    const { update, revisions } = this.syncHistory(ds);
    const hash = update.metadata.labels['controller-revision-hash'];
    const pods = this.ownedPods(ds);
    const now = this.now();
    const min = ds.spec.minReadySeconds ?? 0;
    const scheduled = this.nodes.filter((n) => pods.some((p) => p.spec.nodeName === n));
    const ready = this.nodes.filter((n) => pods.some((p) => p.spec.nodeName === n && podReady(p)));
    const availableNodes = this.nodes.filter((n) =>
      pods.some((p) => p.spec.nodeName === n && podAvailable(p, min, now)),
    );
    const status = omitZero(
      {
        currentNumberScheduled: scheduled.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: this.nodes.length,
        numberReady: ready.length,
        observedGeneration: ds.metadata.generation,
        updatedNumberScheduled: this.nodes.filter((n) =>
          pods.some((p) => p.spec.nodeName === n && p.metadata.labels?.['controller-revision-hash'] === hash),
        ).length,
        numberAvailable: availableNodes.length,
        numberUnavailable: this.nodes.length - availableNodes.length,
      },
      ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
    );
    const live = new Set([
      update.metadata.name,
      ...revisions
        .filter((cr) =>
          pods.some(
            (p) => p.metadata.labels?.['controller-revision-hash'] === cr.metadata.labels?.['controller-revision-hash'],
          ),
        )
        .map((cr) => cr.metadata.name),
    ]);
    this.truncateHistory(ds, revisions, live);
    if (same(ds.status, status)) return;
    ds.status = status;
    this.write(R('daemonsets'), ds);
  }
}
