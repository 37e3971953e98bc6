import { GateError } from '@myco-gates/core';

/** The workload kinds the action rolls back. */
export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset';

/** A Kubernetes object as kubectl prints it with `-o json` (only the fields read here). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean; kind?: string; name?: string }[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec?: any;
  status?: any;
  data?: any;
  revision?: number;
}

/** One revision of a workload: a ReplicaSet (Deployment) or a ControllerRevision (StatefulSet, DaemonSet). */
export interface Revision {
  /** The revision number it holds now (`deployment.kubernetes.io/revision` or the ControllerRevision's `revision`). */
  revision: number;
  /**
   * Numbers it held before: a Deployment rollback reuses the old ReplicaSet and gives it the next number, keeping the
   * old ones in `deployment.kubernetes.io/revision-history`. Empty for ControllerRevisions.
   */
  formerRevisions: number[];
  /** The pod label value of its pods: `pod-template-hash` or `controller-revision-hash`. */
  hash: string;
  /** Name of the ReplicaSet or ControllerRevision. */
  objectName: string;
  /** `container=image` of each container, in order. */
  images: string[];
  /** The pod template it rolls out. */
  template: unknown;
}

/** A workload and its rollout history, read from the cluster. */
export interface WorkloadHistory {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** The number of the revision rolled out now. */
  currentRevision: number;
  current?: Revision;
  /** Newest first. */
  revisions: Revision[];
  paused: boolean;
  /** Pods the workload should run (`spec.replicas`, or the DaemonSet's desired number scheduled). */
  desiredPods: number;
  /** `-l` selector of its pods. */
  selector: string;
  /** The controller has seen the latest spec. */
  observed: boolean;
  /** Progressing condition reason and message (Deployments), e.g. `ProgressDeadlineExceeded`. */
  progressing?: { reason?: string; message?: string; status?: string };
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The pod label holding the template hash, per kind. */
export const HASH_LABEL: Record<WorkloadKind, string> = {
  deployment: 'pod-template-hash',
  statefulset: 'controller-revision-hash',
  daemonset: 'controller-revision-hash',
};

/** Our annotation on a workload we rolled back: the hash rolled back to, so a re-run does nothing. */
export const ROLLED_BACK_TO = 'myco-gates.dev/rolled-back-to';

/**
 * The `-l` selector of a workload's pods from its `spec.selector.matchLabels` (matchExpressions are not needed to
 * find pods the workload itself labelled).
 * @param workload the Deployment, StatefulSet or DaemonSet.
 * @returns e.g. `app=web,tier=front`.
 */
export function podSelector(workload: KubeObject): string {
  const labels = (workload.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function images(template: unknown): string[] {
  const containers = ((template as { spec?: { containers?: { name: string; image: string }[] } })?.spec?.containers ??
    []) as { name: string; image: string }[];
  return containers.map((c) => `${c.name}=${c.image}`);
}

function ownedBy(obj: KubeObject, uid: string | undefined): boolean {
  return (obj.metadata.ownerReferences ?? []).some((o) => o.controller && (!uid || o.uid === uid));
}

/**
 * Builds the history of a workload from the workload and the ReplicaSets (Deployment) or ControllerRevisions
 * (StatefulSet, DaemonSet) it owns.
 * @param kind the workload kind.
 * @param workload the object from `kubectl get -o json`.
 * @param owned the list of ReplicaSets or ControllerRevisions matching its selector; those not controlled by it are
 *   ignored.
 * @returns the history, newest revision first.
 */
export function readHistory(kind: WorkloadKind, workload: KubeObject, owned: KubeObject[]): WorkloadHistory {
  const uid = workload.metadata.uid;
  const revisions: Revision[] = [];
  for (const obj of owned) {
    if (!ownedBy(obj, uid)) continue;
    if (kind === 'deployment') {
      const annotations = obj.metadata.annotations ?? {};
      const revision = Number(annotations['deployment.kubernetes.io/revision']);
      if (!Number.isInteger(revision) || revision <= 0) continue;
      const former = (annotations['deployment.kubernetes.io/revision-history'] ?? '')
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
      const template = obj.spec?.template;
      revisions.push({
        revision,
        formerRevisions: former,
        hash: obj.metadata.labels?.['pod-template-hash'] ?? obj.metadata.name.slice(workload.metadata.name.length + 1),
        objectName: obj.metadata.name,
        images: images(template),
        template,
      });
    } else {
      const template = obj.data?.spec?.template;
      revisions.push({
        revision: Number(obj.revision ?? 0),
        formerRevisions: [],
        // StatefulSet pods carry the ControllerRevision's name, DaemonSet pods its hash label.
        hash:
          kind === 'statefulset'
            ? obj.metadata.name
            : (obj.metadata.labels?.['controller-revision-hash'] ?? obj.metadata.name),
        objectName: obj.metadata.name,
        images: images(template),
        template,
      });
    }
  }
  revisions.sort((a, b) => b.revision - a.revision);
  const annotations = workload.metadata.annotations ?? {};
  let currentRevision = revisions[0]?.revision ?? 0;
  if (kind === 'deployment' && annotations['deployment.kubernetes.io/revision'])
    currentRevision = Number(annotations['deployment.kubernetes.io/revision']);
  if (kind === 'statefulset' && workload.status?.updateRevision) {
    const update = revisions.find((r) => r.objectName === workload.status.updateRevision);
    if (update) currentRevision = update.revision;
  }
  const status = workload.status ?? {};
  const progressing = (status.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
  return {
    kind,
    name: workload.metadata.name,
    namespace: workload.metadata.namespace ?? 'default',
    currentRevision,
    current: revisions.find((r) => r.revision === currentRevision),
    revisions,
    paused: Boolean(workload.spec?.paused),
    desiredPods:
      kind === 'daemonset' ? Number(status.desiredNumberScheduled ?? 0) : Number(workload.spec?.replicas ?? 1),
    selector: podSelector(workload),
    observed: (status.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0),
    progressing: progressing && {
      reason: progressing.reason,
      message: progressing.message,
      status: progressing.status,
    },
    labels: workload.metadata.labels ?? {},
    annotations,
  };
}

/** What {@link selectTarget} decided. */
export interface TargetSelection {
  target: Revision;
  /** The workload already runs the target template: nothing to do. */
  alreadyCurrent: boolean;
  /** How the target was chosen, for the report. */
  reason: string;
}

function listRevisions(history: WorkloadHistory): string {
  return history.revisions
    .map((r) => {
      const former = r.formerRevisions.length ? ` (was ${r.formerRevisions.join(', ')})` : '';
      return `${r.revision}${former}: ${r.images.join(' ')}${r.revision === history.currentRevision ? ' [current]' : ''}`;
    })
    .join('; ');
}

/**
 * Chooses the revision to roll back to.
 *
 * A requested number is looked up among the numbers each revision holds now *and held before*: after an earlier
 * undo, the ReplicaSet that was revision 2 is revision 4, and `record`'s `2` must still mean that template (kubectl
 * would answer "unable to find specified revision"). A template hash (the `template-hash` of `record`) is accepted
 * too — the only stable pin for StatefulSets and DaemonSets, whose ControllerRevisions keep no history of numbers.
 *
 * Without a request the target is the template that was current just before the current one was rolled out: the
 * highest number below the current one, over every number each revision ever held, whose template differs from the
 * current one. kubectl's own default (the second-highest revision now) goes back to the bad release after an
 * undo; this does not.
 * @param history the workload's history.
 * @param requested the `to-revision` input: a number, a template hash, or empty.
 * @returns the target and whether the workload already runs it.
 * @throws GateError when there is no history or the requested revision does not exist (listing those that do).
 */
export function selectTarget(history: WorkloadHistory, requested?: string): TargetSelection {
  const current = history.current;
  const what = `${history.kind}/${history.name}`;
  if (!history.revisions.length || !current)
    throw new GateError(`${what} has no rollout history in namespace ${history.namespace}`, {
      fix:
        history.kind === 'deployment'
          ? 'wait until the Deployment controller created its ReplicaSet, and keep `revisionHistoryLimit` above 0'
          : 'wait until the controller created its ControllerRevision, and keep `revisionHistoryLimit` above 0',
    });
  const wanted = requested?.trim();
  if (wanted) {
    const n = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
    const target =
      n !== undefined
        ? (history.revisions.find((r) => r.revision === n) ??
          history.revisions.find((r) => r.formerRevisions.includes(n)))
        : history.revisions.find((r) => r.hash === wanted || r.objectName === wanted);
    if (!target)
      throw new GateError(`revision ${wanted} of ${what} not found`, {
        fix: `pass one that exists — ${listRevisions(history)}; a revision older than \`revisionHistoryLimit\` is gone (raise the limit)`,
      });
    const renumbered = n !== undefined && target.revision !== n ? ` (now revision ${target.revision})` : '';
    return {
      target,
      alreadyCurrent: target.hash === current.hash,
      reason: `pinned revision ${wanted}${renumbered}`,
    };
  }
  // Our own marker: a re-run after a successful rollback must not roll "back" to the bad release.
  if (history.annotations[ROLLED_BACK_TO] && history.annotations[ROLLED_BACK_TO] === current.hash)
    return { target: current, alreadyCurrent: true, reason: 'already rolled back by an earlier run' };
  const byNumber = new Map<number, Revision>();
  for (const r of history.revisions) {
    byNumber.set(r.revision, r);
    for (const f of r.formerRevisions) if (!byNumber.has(f)) byNumber.set(f, r);
  }
  const earlier = [...byNumber.entries()]
    .filter(([n, r]) => n < history.currentRevision && r.hash !== current.hash)
    .sort((a, b) => b[0] - a[0]);
  if (!earlier.length)
    throw new GateError(`${what} has no revision before the current one (${history.currentRevision})`, {
      fix: `there is nothing to roll back to — ${listRevisions(history)}; pin \`to-revision\` with the \`revision\` output of \`mode: record\` run before the deploy`,
    });
  const [number, target] = earlier[0];
  return {
    target,
    alreadyCurrent: false,
    reason:
      number === target.revision
        ? `the revision before the current one (${number})`
        : `the revision before the current one (${number}, now revision ${target.revision})`,
  };
}
