/**
 * The object store behind the test cluster: one resourceVersion counter for everything (as etcd's revision),
 * generation bumps on spec changes, validation of every write with `kubernetes-models`, label and field selectors,
 * and an event history that watches replay from.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  applyDefaults,
  type FieldCause,
  type K8sObject,
  qualifiedKind,
  qualifiedName,
  type ResourceType,
  RESOURCES,
  apiVersionOf,
  schemaCauses,
  semanticCauses,
} from './resources.js';
import { sortKeys } from './patch.js';

/** A `kind: Status` failure, thrown by the store and the server and written as the response body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The `metav1.Status` body. */
  toStatus(): K8sObject {
    const s: K8sObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
    };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

function details(r: ResourceType, name?: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (name) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
}

/** 404 `deployments.apps "x" not found`. */
export function notFound(r: ResourceType, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, details(r, name));
}

/** 409 `deployments.apps "x" already exists`. */
export function alreadyExists(r: ResourceType, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, details(r, name));
}

/** 409 Conflict on a stale resourceVersion. */
export function conflict(r: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(r, name),
  );
}

/** 422 Invalid with the field causes. */
export function invalid(r: ResourceType, name: string, causes: FieldCause[]): ApiError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const d: Record<string, unknown> = { name };
  if (r.group) d.group = r.group;
  d.kind = r.kind;
  d.causes = causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field }));
  return new ApiError(422, 'Invalid', `${qualifiedKind(r)} "${name}" is invalid: ${joined}`, d);
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** A parsed label selector (`a=b,c!=d,e in (f,g),!h`). */
export type Selector = (labels: Record<string, string>) => boolean;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Parses a label selector query string; throws 400 on syntax errors. */
export function parseLabelSelector(sel: string | undefined): Selector {
  if (!sel) return () => true;
  const reqs: Selector[] = [];
  for (const part of splitTopLevel(sel)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m;
      const vals = list
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      reqs.push(op === 'in' ? (l) => Object.hasOwn(l, key) && vals.includes(l[key]) : (l) => !vals.includes(l[key]));
    } else if ((m = part.match(/^([^\s!=]+)\s*(==|=|!=)\s*([^\s!=]*)$/))) {
      const [, key, op, val] = m;
      reqs.push(op === '!=' ? (l) => l[key] !== val : (l) => Object.hasOwn(l, key) && l[key] === val);
    } else if ((m = part.match(/^!\s*([^\s!=]+)$/))) {
      const key = m[1];
      reqs.push((l) => !Object.hasOwn(l, key));
    } else if ((m = part.match(/^([^\s!=()]+)$/))) {
      const key = m[1];
      reqs.push((l) => Object.hasOwn(l, key));
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
    }
  }
  return (labels) => reqs.every((r) => r(labels));
}

const FIELD_LABELS: Record<string, string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  secrets: ['type'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
};

function fieldValue(obj: K8sObject, path: string): string {
  let cur: any = obj;
  for (const s of path.split('.')) cur = cur?.[s];
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

/** Parses a field selector (`metadata.name=x,status.phase!=Running`); unsupported fields answer 400. */
export function parseFieldSelector(r: ResourceType, sel: string | undefined): (obj: K8sObject) => boolean {
  if (!sel) return () => true;
  const reqs: ((o: K8sObject) => boolean)[] = [];
  for (const part of splitTopLevel(sel)) {
    const m = part.match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    const [, field, op, val] = m;
    const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[r.plural] ?? [])];
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    reqs.push(op === '!=' ? (o) => fieldValue(o, field) !== val : (o) => fieldValue(o, field) === val);
  }
  return (o) => reqs.every((r) => r(o));
}

/** One change in the store, as a watch sends it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: ResourceType;
  object: K8sObject;
  /** The object before a MODIFIED (for selector transitions). */
  old?: K8sObject;
  rv: number;
}

/** What a write may touch: the main resource (status kept), the status subresource, or both (controllers). */
export type WriteScope = 'main' | 'status' | 'all';

/** Options of a write. */
export interface WriteOptions {
  scope?: WriteScope;
  /** Validate and answer, but store nothing (`dryRun=All`). */
  dryRun?: boolean;
}

/** Timestamps as the API server writes them: seconds precision, `Z`. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters from the API server's `generateName` alphabet. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => ALPHANUMS[b % ALPHANUMS.length]).join('');
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

const HISTORY_LIMIT = 20_000;

/** The in-memory store. All operations are synchronous. */
export class Store {
  private rv = 1;
  private readonly objects = new Map<ResourceType, Map<string, K8sObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private ipCounter = 10;
  /** Server-side apply: the last configuration each field manager applied, by object uid. */
  private readonly appliedConfigs = new Map<string, Map<string, K8sObject>>();

  /** The configuration a field manager last applied to an object (server-side apply). */
  lastApplied(uid: string, manager: string): K8sObject | undefined {
    return this.appliedConfigs.get(uid)?.get(manager);
  }

  /** Remembers what a field manager applied. */
  rememberApplied(uid: string, manager: string, config: K8sObject): void {
    if (!this.appliedConfigs.has(uid)) this.appliedConfigs.set(uid, new Map());
    this.appliedConfigs.get(uid)!.set(manager, clone(config));
  }

  constructor(readonly now: () => Date = () => new Date()) {
    for (const r of RESOURCES) this.objects.set(r, new Map());
  }

  /** The latest resourceVersion, as a list's `metadata.resourceVersion`. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The lowest resourceVersion a watch can still start from. */
  get oldestWatchable(): number {
    return this.history.length ? this.history[0].rv - 1 : this.rv;
  }

  private key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  /** A stored object (a copy), or undefined. */
  find(r: ResourceType, ns: string | undefined, name: string): K8sObject | undefined {
    const o = this.objects.get(r)!.get(this.key(r.namespaced ? ns : undefined, name));
    return o && clone(o);
  }

  /** A stored object (a copy); 404 when missing. */
  get(r: ResourceType, ns: string | undefined, name: string): K8sObject {
    const o = this.find(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }

  /** Objects of a type (copies), in one namespace or all, filtered by selectors, sorted by namespace and name. */
  list(r: ResourceType, ns?: string, opts: { labelSelector?: string; fieldSelector?: string } = {}): K8sObject[] {
    const ls = parseLabelSelector(opts.labelSelector);
    const fs = parseFieldSelector(r, opts.fieldSelector);
    const out: K8sObject[] = [];
    for (const o of this.objects.get(r)!.values()) {
      if (r.namespaced && ns && o.metadata.namespace !== ns) continue;
      if (!ls(o.metadata.labels ?? {}) || !fs(o)) continue;
      out.push(clone(o));
    }
    return out.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
      ),
    );
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Events after a resourceVersion; throws 410 Expired when that is older than the history kept. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.oldestWatchable)
      throw new ApiError(410, 'Expired', `too old resource version: ${rv} (${this.oldestWatchable})`);
    return this.history.filter((e) => e.rv > rv);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const l of [...this.listeners]) l(e);
  }

  private check(r: ResourceType, obj: K8sObject, old?: K8sObject): void {
    const schema = schemaCauses(r, obj);
    // A wrong JSON type never reaches validation on a real server: decoding into the Go struct fails (400).
    const typeError = schema.find((c) => c.typeError);
    if (typeError) {
      const goType = {
        integer: 'int32',
        number: 'float64',
        boolean: 'bool',
        string: 'string',
        object: 'map',
        array: 'slice',
      }[typeError.typeError!.expected];
      throw badRequest(
        `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal ${typeError.typeError!.got} into Go struct field ${r.kind}.${typeError.field} of type ${goType ?? typeError.typeError!.expected}`,
      );
    }
    const causes = [...semanticCauses(r, obj, old), ...schema];
    if (causes.length) throw invalid(r, obj.metadata?.name ?? obj.metadata?.generateName ?? '', causes);
  }

  private initialStatus(r: ResourceType): K8sObject | undefined {
    switch (r.kind) {
      case 'Pod':
        return { phase: 'Pending', qosClass: 'BestEffort' };
      case 'Service':
        return { loadBalancer: {} };
      case 'Namespace':
        return { phase: 'Active' };
      case 'Deployment':
      case 'ReplicaSet':
      case 'StatefulSet':
      case 'DaemonSet':
      case 'Job':
      case 'CronJob':
      case 'PodDisruptionBudget':
      case 'Ingress':
      case 'HorizontalPodAutoscaler':
        return r.kind === 'StatefulSet'
          ? { replicas: 0, availableReplicas: 0 }
          : r.kind === 'DaemonSet'
            ? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }
            : r.kind === 'Ingress'
              ? { loadBalancer: {} }
              : r.kind === 'HorizontalPodAutoscaler'
                ? undefined
                : r.kind === 'PodDisruptionBudget'
                  ? undefined
                  : {};
      default:
        return undefined;
    }
  }

  private allocateClusterIP(): string {
    const n = this.ipCounter++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  /** Creates an object (POST semantics): defaults, validation, uid, timestamps, resourceVersion. */
  create(r: ResourceType, input: K8sObject, opts: WriteOptions = {}): K8sObject {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (!r.namespaced) delete meta.namespace;
    if (r.namespaced) {
      meta.namespace ??= 'default';
      if (!this.find(RESOURCES[0], undefined, meta.namespace)) {
        throw new ApiError(404, 'NotFound', `namespaces "${meta.namespace}" not found`, {
          name: meta.namespace,
          kind: 'namespaces',
        });
      }
      const ns = this.find(RESOURCES[0], undefined, meta.namespace)!;
      if (ns.metadata.deletionTimestamp)
        throw new ApiError(
          403,
          'Forbidden',
          `${r.plural} "${meta.name ?? meta.generateName}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
          details(r, meta.name),
        );
    }
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (opts.scope !== 'all') {
      const s = this.initialStatus(r);
      if (r.status) {
        if (s === undefined) delete obj.status;
        else obj.status = s;
      }
    }
    applyDefaults(r, obj);
    if (r.kind === 'Service' && obj.spec && obj.spec.type !== 'ExternalName') {
      if (!obj.spec.clusterIP) obj.spec.clusterIP = this.allocateClusterIP();
      if (obj.spec.clusterIP !== 'None' || !obj.spec.clusterIPs) obj.spec.clusterIPs = [obj.spec.clusterIP];
    }
    this.check(r, obj);
    if (this.find(r, meta.namespace, meta.name)) throw alreadyExists(r, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.now());
    if (r.generation) meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.managedFields;
    if (opts.dryRun) {
      meta.resourceVersion = String(this.rv);
      return obj;
    }
    meta.resourceVersion = String(++this.rv);
    this.objects.get(r)!.set(this.key(meta.namespace, meta.name), obj);
    this.emit({ type: 'ADDED', resource: r, object: clone(obj), rv: this.rv });
    return clone(obj);
  }

  /**
   * Replaces an object (PUT semantics, or a controller's write with scope `all`). A `metadata.resourceVersion` in
   * the input that is not the stored one is a 409 Conflict; an unchanged object keeps its resourceVersion.
   */
  update(r: ResourceType, input: K8sObject, opts: WriteOptions = {}): K8sObject {
    const scope = opts.scope ?? 'main';
    const ns = r.namespaced ? (input.metadata?.namespace ?? 'default') : undefined;
    const name = input.metadata?.name;
    const old = this.find(r, ns, name);
    if (!old) throw notFound(r, name);
    const rvIn = input.metadata?.resourceVersion;
    if (rvIn && rvIn !== old.metadata.resourceVersion) throw conflict(r, name);
    let obj = clone(input);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    if (scope === 'status') {
      obj = { ...clone(old), status: obj.status };
    } else if (scope === 'main' && r.status) {
      if (old.status === undefined) delete obj.status;
      else obj.status = clone(old.status);
    }
    const meta = obj.metadata;
    meta.namespace = old.metadata.namespace;
    if (!r.namespaced) delete meta.namespace;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
    else delete meta.generation;
    delete meta.managedFields;
    applyDefaults(r, obj);
    if (r.kind === 'Service' && obj.spec && old.spec?.clusterIP && obj.spec.type !== 'ExternalName') {
      obj.spec.clusterIP ??= old.spec.clusterIP;
      obj.spec.clusterIPs ??= old.spec.clusterIPs ?? [old.spec.clusterIP];
    }
    this.check(r, obj, old);
    if (r.generation && !same(old.spec, obj.spec)) meta.generation = (old.metadata.generation ?? 0) + 1;
    meta.resourceVersion = old.metadata.resourceVersion;
    if (same(old, obj)) return obj;
    if (opts.dryRun) return obj;
    meta.resourceVersion = String(++this.rv);
    this.objects.get(r)!.set(this.key(meta.namespace, name), obj);
    this.emit({ type: 'MODIFIED', resource: r, object: clone(obj), old, rv: this.rv });
    return clone(obj);
  }

  /** Deletes an object at once (no finalizers are honoured); returns it as it was, with a new resourceVersion. */
  delete(r: ResourceType, ns: string | undefined, name: string, opts: { dryRun?: boolean } = {}): K8sObject {
    const old = this.find(r, ns, name);
    if (!old) throw notFound(r, name);
    if (opts.dryRun) return old;
    this.objects.get(r)!.delete(this.key(r.namespaced ? ns : undefined, name));
    this.appliedConfigs.delete(old.metadata.uid);
    old.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', resource: r, object: clone(old), rv: this.rv });
    return old;
  }

  /** Every stored object of every type (copies), for garbage collection. */
  all(): { resource: ResourceType; object: K8sObject }[] {
    const out: { resource: ResourceType; object: K8sObject }[] = [];
    for (const [r, m] of this.objects) for (const o of m.values()) out.push({ resource: r, object: clone(o) });
    return out;
  }
}
