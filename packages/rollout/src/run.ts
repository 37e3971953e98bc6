import { GateError, isGateError, type Status } from '@myco-gates/core';
import { explainFailure, isUnreachable } from './explain.js';
import { helmOwner, matchHelmRevision, type HelmOwner, type HelmRevision } from './helm.js';
import {
  HASH_LABEL,
  ROLLED_BACK_TO,
  readHistory,
  selectTarget,
  type KubeObject,
  type Revision,
  type WorkloadHistory,
  type WorkloadKind,
} from './history.js';
import { checkLabelName, checkObjectName } from './names.js';

/** What one kubectl/helm/verify process returned. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with an argument array (never a shell); resolves with its exit code, whatever it is. */
export type RunCommand = (command: string, args: string[]) => Promise<CommandResult>;

/** The edges a rollback talks to, injected (the action passes @actions/exec; tests and the CLI their own). */
export interface RollbackDeps {
  run: RunCommand;
  log?: (line: string) => void;
  readFile?: (path: string) => Promise<string>;
  /** Milliseconds clock; default `performance.now`. */
  now?: () => number;
  /** Waits between polls; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** Settings of one run, validated. */
export interface RollbackConfig {
  mode: 'record' | 'rollback';
  kind: WorkloadKind;
  name: string;
  namespace: string;
  toRevision?: string;
  timeoutSeconds: number;
  dryRun: boolean;
  kubeconfig?: string;
  context?: string;
  kubectl: string;
  helm: 'auto' | 'never';
  helmPath: string;
  resumePaused: boolean;
  verifyReport?: string;
  verifyCommand?: string[];
}

/** One step of the run, for the report. */
export interface RollbackStep {
  id: 'pre-check' | 'undo' | 'rollout-status' | 'pods' | 're-check' | 'record';
  title: string;
  status: Status;
  seconds: number;
  message: string;
}

/** Everything the report is built from. */
export interface RollbackResult {
  mode: 'record' | 'rollback';
  status: Status;
  rolledBack: boolean;
  workload: string;
  strategy: 'kubectl' | 'helm';
  history?: WorkloadHistory;
  from?: Revision;
  target?: Revision;
  targetReason?: string;
  helm?: HelmOwner & { revision?: number; deployedRevision?: number };
  /** What the workload showed before the rollback (pod reasons, the Progressing condition). */
  broke?: string;
  steps: RollbackStep[];
  durationSeconds: number;
  dryRun: boolean;
  /** Why the run stopped, when it did not pass. */
  error?: GateError;
  /** Set when nothing had to change. */
  alreadyCurrent?: boolean;
}

const RESOURCE: Record<WorkloadKind, string> = {
  deployment: 'deployments.apps',
  statefulset: 'statefulsets.apps',
  daemonset: 'daemonsets.apps',
};

class Kube {
  constructor(
    private readonly config: RollbackConfig,
    private readonly deps: RollbackDeps,
  ) {}

  private connection(): string[] {
    const args: string[] = [];
    if (this.config.kubeconfig) args.push('--kubeconfig', this.config.kubeconfig);
    if (this.config.context) args.push('--context', this.config.context);
    return args;
  }

  async kubectl(what: string, args: string[], allowFailure = false): Promise<CommandResult> {
    const full = [...args, '-n', this.config.namespace, ...this.connection()];
    this.deps.log?.(`$ kubectl ${args.join(' ')}`);
    const result = await this.deps.run(this.config.kubectl, full);
    if (result.exitCode !== 0 && !allowFailure) throw explainFailure(what, result.stderr || result.stdout);
    return result;
  }

  async json<T>(what: string, args: string[]): Promise<T> {
    const result = await this.kubectl(what, [...args, '-o', 'json']);
    return JSON.parse(result.stdout) as T;
  }

  async helm(what: string, args: string[], namespace: string, allowFailure = false): Promise<CommandResult> {
    const connection: string[] = [];
    if (this.config.kubeconfig) connection.push('--kubeconfig', this.config.kubeconfig);
    if (this.config.context) connection.push('--kube-context', this.config.context);
    this.deps.log?.(`$ helm ${args.join(' ')}`);
    const result = await this.deps.run(this.config.helmPath, [...args, '--namespace', namespace, ...connection]);
    if (result.exitCode !== 0 && !allowFailure) throw explainFailure(what, result.stderr || result.stdout);
    return result;
  }
}

/**
 * Validates the names before any of them reaches a command line.
 * @param config the run's settings.
 * @returns the same settings.
 * @throws GateError for a name that is not DNS-1123.
 */
export function checkNames(config: RollbackConfig): RollbackConfig {
  checkObjectName('name', config.name);
  checkLabelName('namespace', config.namespace);
  if (config.context !== undefined && (config.context.startsWith('-') || /[\0\n]/.test(config.context)))
    throw new GateError(`\`context\` "${config.context}" is not a context name`, {
      fix: 'give the name of a context of the kubeconfig (`kubectl config get-contexts`)',
    });
  if (config.toRevision !== undefined && !/^[a-z0-9][-a-z0-9.]*$/.test(config.toRevision.trim()))
    throw new GateError(`\`to-revision\` "${config.toRevision}" is neither a revision number nor a template hash`, {
      fix: 'pass the `revision` or `template-hash` output of `mode: record`',
    });
  return config;
}

interface PodSummary {
  total: number;
  onTarget: number;
  ready: number;
  reasons: string[];
}

function summarizePods(pods: KubeObject[], label: string, hash: string): PodSummary {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  const reasons = new Map<string, number>();
  let ready = 0;
  let onTarget = 0;
  for (const pod of live) {
    const isTarget = pod.metadata.labels?.[label] === hash;
    const isReady = (pod.status?.conditions ?? []).some(
      (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
    );
    if (isTarget) onTarget++;
    if (isTarget && isReady) ready++;
    for (const cs of pod.status?.containerStatuses ?? []) {
      const reason = cs.state?.waiting?.reason ?? cs.state?.terminated?.reason;
      if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return {
    total: live.length,
    onTarget,
    ready,
    reasons: [...reasons.entries()].map(([r, n]) => `${n} pod(s) ${r}`),
  };
}

/**
 * Records or rolls back a workload: reads the history, explains every pre-check failure with its fix, undoes to the
 * pinned revision (`kubectl rollout undo --to-revision`, or `helm rollback --wait` for a Helm-owned workload), waits
 * with `rollout status --timeout`, checks that every pod runs the target template and is ready, then runs the
 * re-check. Never throws for cluster or user problems: they end up in `result.error` and `result.status`.
 * @param config validated settings.
 * @param deps the process runner and clock.
 * @returns what happened, for {@link buildRollbackReport}.
 */
export async function runRollback(config: RollbackConfig, deps: RollbackDeps): Promise<RollbackResult> {
  const now = deps.now ?? (() => performance.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const deadline = started + config.timeoutSeconds * 1000;
  const kube = new Kube(config, deps);
  const workloadRef = `${config.kind}/${config.name}`;
  const result: RollbackResult = {
    mode: config.mode,
    status: 'pass',
    rolledBack: false,
    workload: `${config.namespace}/${workloadRef}`,
    strategy: 'kubectl',
    steps: [],
    durationSeconds: 0,
    dryRun: config.dryRun,
  };
  let stepStart = now();
  const step = (id: RollbackStep['id'], title: string, status: Status, message: string) => {
    const t = now();
    result.steps.push({ id, title, status, seconds: (t - stepStart) / 1000, message });
    stepStart = t;
  };
  let currentStep: { id: RollbackStep['id']; title: string } = { id: 'pre-check', title: 'Pre-checks' };
  const fail = (status: Status, error: GateError) => {
    result.status = status;
    result.error = error;
    step(currentStep.id, currentStep.title, status, `${error.message} — ${error.fix}`);
  };

  try {
    checkNames(config);
    // The controller may not have seen a deploy that just happened: wait for observedGeneration (a few seconds).
    let workload: KubeObject;
    let history: WorkloadHistory;
    for (let attempt = 0; ; attempt++) {
      workload = await kube.json<KubeObject>(`reading ${workloadRef}`, ['get', workloadRef]);
      const owned = await kube.json<{ items: KubeObject[] }>(`reading the history of ${workloadRef}`, [
        'get',
        config.kind === 'deployment' ? 'replicasets.apps' : 'controllerrevisions.apps',
        '-l',
        selectorOf(workload),
      ]);
      history = readHistory(config.kind, workload, owned.items);
      if ((history.observed && history.current) || attempt >= 20 || now() > deadline) break;
      await sleep(250);
    }
    result.history = history;
    result.from = history.current;

    if (config.mode === 'record') {
      if (!history.current) selectTarget(history); // throws the no-history explanation
      step('record', 'Record', 'pass', `revision ${history.currentRevision}: ${history.current!.images.join(' ')}`);
      return finish();
    }

    const owner = config.helm === 'auto' ? helmOwner(workload) : undefined;
    if (history.paused && !config.resumePaused)
      throw new GateError(`${workloadRef} is paused; a paused rollout cannot be rolled back`, {
        fix: 'resume it (`kubectl rollout resume`) or set `resume-paused: true` to resume and roll back in one step',
      });
    const selection = selectTarget(history, config.toRevision);
    result.target = selection.target;
    result.targetReason = selection.reason;
    result.alreadyCurrent = selection.alreadyCurrent;
    result.broke = await describeBreakage(kube, history);

    if (owner) {
      result.strategy = 'helm';
      result.helm = { ...owner };
      if (!selection.alreadyCurrent) {
        checkLabelName('release', owner.release, 53);
        checkLabelName('release-namespace', owner.namespace);
        const list = JSON.parse(
          (
            await kube.helm(
              `reading helm history ${owner.release}`,
              ['history', owner.release, '--max', '50', '-o', 'json'],
              owner.namespace,
            )
          ).stdout,
        ) as HelmRevision[];
        result.helm.deployedRevision = list.find((h) => h.status === 'deployed')?.revision;
        const manifests = new Map<number, string>();
        for (const h of [...list].sort((a, b) => b.revision - a.revision)) {
          const m = await kube.helm(
            `reading the manifest of ${owner.release} revision ${h.revision}`,
            ['get', 'manifest', owner.release, '--revision', String(h.revision)],
            owner.namespace,
          );
          manifests.set(h.revision, m.stdout);
          const match = matchHelmRevision(list, manifests, config.kind, config.name, selection.target.template);
          if (match && match.revision !== result.helm.deployedRevision) break;
        }
        const match = matchHelmRevision(list, manifests, config.kind, config.name, selection.target.template);
        if (!match)
          throw new GateError(
            `no revision of Helm release ${owner.release} held the target template of ${workloadRef} (${selection.target.images.join(' ')})`,
            {
              fix: `pin \`to-revision\` to a template the release deployed (helm history ${owner.release}), or set \`helm: never\` to undo with kubectl — the next \`helm upgrade\` then brings the current template back`,
            },
          );
        result.helm.revision = match.revision;
      }
    }
    const plan = selection.alreadyCurrent
      ? `already at ${selection.reason}; nothing to undo`
      : owner
        ? `helm rollback ${owner.release} ${result.helm!.revision} (holds revision ${selection.target.revision}: ${selection.target.images.join(' ')})`
        : `undo to revision ${selection.target.revision} (${selection.reason}): ${selection.target.images.join(' ')}`;
    step('pre-check', 'Pre-checks', 'pass', plan);

    if (config.dryRun) {
      currentStep = { id: 'undo', title: 'Undo (dry run)' };
      if (!selection.alreadyCurrent && !owner)
        await kube.kubectl(`dry-running the undo of ${workloadRef}`, [
          'rollout',
          'undo',
          workloadRef,
          `--to-revision=${selection.target.revision}`,
          '--dry-run=server',
        ]);
      step('undo', 'Undo (dry run)', 'pass', `dry run: would ${plan}`);
      return finish();
    }

    if (!selection.alreadyCurrent) {
      currentStep = { id: 'undo', title: owner ? 'helm rollback' : 'kubectl rollout undo' };
      if (history.paused && config.resumePaused)
        await kube.kubectl(`resuming ${workloadRef}`, ['rollout', 'resume', workloadRef]);
      if (owner) {
        await kube.helm(
          `rolling back Helm release ${owner.release}`,
          [
            'rollback',
            owner.release,
            String(result.helm!.revision),
            '--wait',
            '--timeout',
            `${remainingSeconds(deadline, now)}s`,
          ],
          owner.namespace,
        );
      } else {
        await kube.kubectl(`undoing ${workloadRef}`, [
          'rollout',
          'undo',
          workloadRef,
          `--to-revision=${selection.target.revision}`,
        ]);
      }
      result.rolledBack = true;
      const forced = config.kind === 'statefulset' ? await deleteBrokenPods(kube, history, selection.target.hash) : [];
      step(
        'undo',
        currentStep.title,
        'pass',
        forced.length ? `${plan}; deleted broken pod(s) ${forced.join(', ')} (StatefulSet forced rollback)` : plan,
      );
    }

    currentStep = { id: 'rollout-status', title: 'kubectl rollout status' };
    const status = await kube.kubectl(
      `waiting for ${workloadRef}`,
      ['rollout', 'status', workloadRef, `--timeout=${remainingSeconds(deadline, now)}s`],
      true,
    );
    if (status.exitCode !== 0) {
      const text = `${status.stderr}\n${status.stdout}`;
      if (isUnreachable(text) || /Forbidden|Unauthorized/.test(text))
        throw explainFailure(`waiting for ${workloadRef}`, text);
      const deadlineExceeded = /exceeded its progress deadline/.test(text);
      fail(
        'fail',
        new GateError(
          deadlineExceeded
            ? `${workloadRef} exceeded its progress deadline after the rollback to revision ${selection.target.revision}`
            : `${workloadRef} did not finish rolling out to revision ${selection.target.revision} within ${config.timeoutSeconds} s`,
          {
            fix: `the target revision does not become ready either (${(await describeBreakage(kube, history)) || 'see kubectl describe'}); check its pods (\`kubectl describe ${workloadRef}\`) or pin an older \`to-revision\``,
          },
        ),
      );
      return finish();
    }
    step('rollout-status', 'kubectl rollout status', 'pass', lastLine(status.stdout));

    currentStep = { id: 'pods', title: 'Pods on the target template' };
    const label = HASH_LABEL[config.kind];
    const hash = selection.target.hash;
    let pods: PodSummary;
    const podDeadline = Math.min(deadline, now() + 30_000);
    for (;;) {
      const desired =
        config.kind === 'daemonset'
          ? (await kube.json<KubeObject>(`reading ${workloadRef}`, ['get', workloadRef])).status?.desiredNumberScheduled
          : history.desiredPods;
      const list = await kube.json<{ items: KubeObject[] }>(`listing the pods of ${workloadRef}`, [
        'get',
        'pods',
        '-l',
        history.selector,
      ]);
      pods = summarizePods(list.items, label, hash);
      if (pods.total === pods.onTarget && pods.ready === pods.onTarget && pods.ready >= Number(desired ?? 0)) break;
      if (now() > podDeadline) {
        fail(
          'fail',
          new GateError(
            `${pods.ready} of ${desired} pod(s) run revision ${selection.target.revision} (${label}=${hash}) and are ready; ${pods.total - pods.onTarget} still run another template`,
            {
              fix: `check the pods (\`kubectl get pods -l ${history.selector} -n ${config.namespace}\`)${pods.reasons.length ? `: ${pods.reasons.join(', ')}` : ''}`,
            },
          ),
        );
        return finish();
      }
      await sleep(200);
    }
    step(
      'pods',
      'Pods on the target template',
      'pass',
      `${pods.ready}/${pods.total} pod(s) ready with ${label}=${hash}`,
    );

    if (result.rolledBack) {
      // The marker that makes a re-run without `to-revision` a no-op; not worth failing a recovered service over.
      const marked = await kube.kubectl(
        `annotating ${workloadRef}`,
        ['annotate', workloadRef, `${ROLLED_BACK_TO}=${hash}`, '--overwrite'],
        true,
      );
      if (marked.exitCode !== 0) deps.log?.(`could not annotate ${workloadRef} (re-runs pin to-revision instead)`);
    }

    if (config.verifyCommand || config.verifyReport) {
      currentStep = { id: 're-check', title: 'Re-check' };
      const messages: string[] = [];
      let ok = true;
      if (config.verifyCommand) {
        deps.log?.(`$ ${config.verifyCommand.join(' ')}`);
        const verify = await deps.run(config.verifyCommand[0], config.verifyCommand.slice(1));
        ok = verify.exitCode === 0;
        messages.push(
          `\`${config.verifyCommand[0]}\` exited ${verify.exitCode}${ok ? '' : `: ${lastLine(verify.stderr || verify.stdout)}`}`,
        );
      }
      if (config.verifyReport && ok) {
        const verdict = await readVerifyReport(config.verifyReport, deps);
        ok = verdict.ok;
        messages.push(verdict.message);
      }
      if (!ok) {
        fail(
          'fail',
          new GateError(`the re-check failed after the rollback: ${messages.join('; ')}`, {
            fix: 'the pods are on the target template but the service is not healthy: look beyond this workload (dependencies, data, config), or pin an older `to-revision`',
          }),
        );
        return finish();
      }
      step('re-check', 'Re-check', 'pass', messages.join('; '));
    }
    return finish();
  } catch (error) {
    if (!isGateError(error)) throw error;
    fail('error', error);
    return finish();
  }

  function finish(): RollbackResult {
    result.durationSeconds = (now() - started) / 1000;
    return result;
  }
}

function selectorOf(workload: KubeObject): string {
  const labels = (workload.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!selector)
    throw new GateError(`${workload.kind}/${workload.metadata.name} has no spec.selector.matchLabels`, {
      fix: 'give the workload a matchLabels selector',
    });
  return selector;
}

function remainingSeconds(deadline: number, now: () => number): number {
  return Math.max(1, Math.ceil((deadline - now()) / 1000));
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .pop() ?? ''
  ).slice(0, 500);
}

/**
 * A StatefulSet with `OrderedReady` waits for a broken pod to become Ready before replacing it — forever, when it
 * crash-loops on the bad revision (kubernetes/kubernetes#67250). Deleting the not-ready pods of other revisions lets
 * the controller recreate them from the target revision, as the Kubernetes docs advise for a forced rollback.
 */
async function deleteBrokenPods(kube: Kube, history: WorkloadHistory, targetHash: string): Promise<string[]> {
  const list = await kube.json<{ items: KubeObject[] }>('listing pods', ['get', 'pods', '-l', history.selector]);
  const broken = list.items
    .filter((p) => !p.metadata.deletionTimestamp && p.metadata.labels?.['controller-revision-hash'] !== targetHash)
    .filter(
      (p) =>
        !(p.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
        ),
    )
    .map((p) => checkObjectName('pod', p.metadata.name));
  if (broken.length) await kube.kubectl('deleting broken pods', ['delete', 'pod', ...broken, '--wait=false']);
  return broken;
}

async function describeBreakage(kube: Kube, history: WorkloadHistory): Promise<string> {
  const parts: string[] = [];
  if (history.progressing?.reason === 'ProgressDeadlineExceeded')
    parts.push(`ProgressDeadlineExceeded: ${history.progressing.message ?? ''}`.trim());
  if (history.current) {
    const list = await kube.kubectl('listing pods', ['get', 'pods', '-l', history.selector, '-o', 'json'], true);
    if (list.exitCode === 0) {
      const pods = summarizePods(
        (JSON.parse(list.stdout) as { items: KubeObject[] }).items,
        HASH_LABEL[history.kind],
        history.current.hash,
      );
      if (pods.reasons.length) parts.push(pods.reasons.join(', '));
      if (pods.onTarget > pods.ready)
        parts.push(`${pods.onTarget - pods.ready} pod(s) of revision ${history.currentRevision} not ready`);
    }
  }
  return parts.join('; ');
}

async function readVerifyReport(path: string, deps: RollbackDeps): Promise<{ ok: boolean; message: string }> {
  const read = deps.readFile ?? (async (p: string) => (await import('node:fs/promises')).readFile(p, 'utf8'));
  let report: { gate?: string; status?: string; headline?: string; facts?: Record<string, string> };
  try {
    report = JSON.parse(await read(path)) as typeof report;
  } catch (error) {
    throw new GateError(`cannot read the \`verify-report\` ${path}: ${(error as Error).message}`, {
      fix: 'pass the `report` output of a slo-validate step that ran after the rollback (or that `verify-command` writes)',
    });
  }
  const ok = (report.status === 'pass' || report.status === 'warn') && report.facts?.rollback !== 'true';
  return { ok, message: `report ${report.gate ?? ''} ${report.status}: ${report.headline ?? ''}`.replace(/\s+/g, ' ') };
}

export { RESOURCE as WORKLOAD_RESOURCE };
