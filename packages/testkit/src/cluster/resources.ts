/**
 * The resource types the test cluster serves: discovery data, the `kubernetes-models` class each stored object is
 * validated with, and the API server's defaulting and validation rules that matter for rollouts.
 */
import { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-models/apps/v1';
import { SelfSubjectAccessReview } from 'kubernetes-models/authorization.k8s.io/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Scale } from 'kubernetes-models/autoscaling/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Lease } from 'kubernetes-models/coordination.k8s.io/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';

/** A Kubernetes object as JSON. */
export type K8sObject = Record<string, any>;

/** A model class from `kubernetes-models`: constructing and calling `validate()` throws on a schema violation. */
type ModelClass = new (data: any) => { validate(): void };

/** One served resource type. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural, lower case: the URL segment (`deployments`). */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Has a `/status` subresource: writes to the main resource keep the stored status. */
  status?: boolean;
  /** Has a `/scale` subresource. */
  scale?: boolean;
  /** `metadata.generation` is kept and bumped on spec changes. */
  generation?: boolean;
  /** Create-only virtual resource (reviews): answered, never stored. */
  virtual?: boolean;
  model: ModelClass;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function rt(
  group: string,
  version: string,
  kind: string,
  plural: string,
  model: ModelClass,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    verbs: ALL_VERBS,
    model,
    ...extra,
  };
}

/** Every resource type the cluster serves. */
export const RESOURCES: ResourceType[] = [
  rt('', 'v1', 'Namespace', 'namespaces', Namespace, {
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  rt('', 'v1', 'Node', 'nodes', Node, { namespaced: false, shortNames: ['no'], status: true }),
  rt('', 'v1', 'Pod', 'pods', Pod, { shortNames: ['po'], categories: ['all'], status: true }),
  rt('', 'v1', 'Service', 'services', Service, { shortNames: ['svc'], categories: ['all'], status: true }),
  rt('', 'v1', 'Secret', 'secrets', Secret),
  rt('', 'v1', 'ConfigMap', 'configmaps', ConfigMap, { shortNames: ['cm'] }),
  rt('', 'v1', 'ServiceAccount', 'serviceaccounts', ServiceAccount, { shortNames: ['sa'] }),
  rt('', 'v1', 'Endpoints', 'endpoints', Endpoints, { singular: 'endpoints', shortNames: ['ep'] }),
  rt('', 'v1', 'Event', 'events', Event, { shortNames: ['ev'] }),
  rt('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', PersistentVolumeClaim, {
    shortNames: ['pvc'],
    status: true,
  }),
  rt('apps', 'v1', 'Deployment', 'deployments', Deployment, {
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
    scale: true,
    generation: true,
  }),
  rt('apps', 'v1', 'ReplicaSet', 'replicasets', ReplicaSet, {
    shortNames: ['rs'],
    categories: ['all'],
    status: true,
    scale: true,
    generation: true,
  }),
  rt('apps', 'v1', 'StatefulSet', 'statefulsets', StatefulSet, {
    shortNames: ['sts'],
    categories: ['all'],
    status: true,
    scale: true,
    generation: true,
  }),
  rt('apps', 'v1', 'DaemonSet', 'daemonsets', DaemonSet, {
    shortNames: ['ds'],
    categories: ['all'],
    status: true,
    generation: true,
  }),
  rt('apps', 'v1', 'ControllerRevision', 'controllerrevisions', ControllerRevision),
  rt('batch', 'v1', 'Job', 'jobs', Job, { categories: ['all'], status: true, generation: true }),
  rt('batch', 'v1', 'CronJob', 'cronjobs', CronJob, {
    shortNames: ['cj'],
    categories: ['all'],
    status: true,
    generation: true,
  }),
  rt('networking.k8s.io', 'v1', 'Ingress', 'ingresses', Ingress, { shortNames: ['ing'], status: true }),
  rt('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', NetworkPolicy, {
    shortNames: ['netpol'],
    generation: true,
  }),
  rt('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', PodDisruptionBudget, {
    shortNames: ['pdb'],
    status: true,
    generation: true,
  }),
  rt('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', HorizontalPodAutoscaler, {
    shortNames: ['hpa'],
    categories: ['all'],
    status: true,
  }),
  rt('coordination.k8s.io', 'v1', 'Lease', 'leases', Lease),
  rt('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', Role),
  rt('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', RoleBinding),
  rt('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', ClusterRole, { namespaced: false }),
  rt('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', ClusterRoleBinding, {
    namespaced: false,
  }),
  rt('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', SelfSubjectAccessReview, {
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
];

/** The `autoscaling/v1` Scale model used by `/scale` subresources. */
export const ScaleModel: ModelClass = Scale;

/** `apps/v1` for grouped types, `v1` for the core group. */
export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `deployments.apps` / `secrets`: how the API server names a resource in messages. */
export function qualifiedName(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** `Deployment.apps` / `Secret`: the kind as named in Invalid messages. */
export function qualifiedKind(r: ResourceType): string {
  return r.group ? `${r.kind}.${r.group}` : r.kind;
}

/** Finds a resource type by group/version and plural. */
export function resourceByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/**
 * Finds a resource type by kind, plural, singular or short name, case-insensitively (`Deployment`, `deployments`,
 * `deploy`, `deployment.apps`).
 */
export function resourceByName(name: string): ResourceType | undefined {
  const [base, group] = name.toLowerCase().split(/\.(.*)/s);
  return RESOURCES.find(
    (r) =>
      (group === undefined || r.group === group) &&
      (r.kind.toLowerCase() === base ||
        r.plural === base ||
        r.singular === base ||
        (r.shortNames ?? []).includes(base)),
  );
}

/** Finds the resource type for an object's apiVersion and kind. */
export function resourceForObject(obj: K8sObject): ResourceType | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === obj.apiVersion && r.kind === obj.kind);
}

/** One field problem, as the API server lists it in `details.causes`. */
export interface FieldCause {
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  field: string;
  message: string;
  /** Set for a JSON type mismatch (the API server answers those as a decoding failure, 400). */
  typeError?: { expected: string; got: string };
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, any>;
  message?: string;
}

function valueAt(obj: any, pointer: string): unknown {
  let cur = obj;
  for (const seg of pointer.split('/').slice(1)) {
    if (cur == null) return undefined;
    cur = cur[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function fieldPath(pointer: string): string {
  let out = '';
  for (const seg of pointer.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(s)) out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/**
 * Validates an object with the `kubernetes-models` schema of its type and returns the problems as the API server
 * would list them (empty when valid).
 */
export function schemaCauses(r: ResourceType, obj: K8sObject, model: ModelClass = r.model): FieldCause[] {
  try {
    new model(obj).validate();
    return [];
  } catch (e) {
    const errors: AjvError[] = (e as { errors?: AjvError[] }).errors ?? [{ message: String(e) }];
    return errors.map((err) => {
      const pointer = err.instancePath ?? '';
      if (err.keyword === 'required') {
        const field = fieldPath(`${pointer}/${err.params?.missingProperty}`);
        return { reason: 'FieldValueRequired', field, message: 'Required value' };
      }
      const field = fieldPath(pointer) || '<root>';
      const value = JSON.stringify(valueAt(obj, pointer));
      if (err.keyword === 'enum') {
        const allowed = (err.params?.allowedValues ?? []).map((v: unknown) => JSON.stringify(v)).join(', ');
        return {
          reason: 'FieldValueNotSupported',
          field,
          message: `Unsupported value: ${value}: supported values: ${allowed}`,
        };
      }
      const raw = valueAt(obj, pointer);
      const got =
        raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw === 'object' ? 'object' : typeof raw;
      const type = err.keyword === 'type' ? `${field} in body must be of type ${err.params?.type}: ${value}` : '';
      const cause: FieldCause = {
        reason: 'FieldValueInvalid',
        field,
        message: `Invalid value: ${value}: ${type || err.message || 'invalid'}`,
      };
      if (err.keyword === 'type') cause.typeError = { expected: String(err.params?.type), got };
      return cause;
    });
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function selectorMatches(selector: K8sObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const vals: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Whether a LabelSelector object (`matchLabels`/`matchExpressions`) selects these labels. */
export const labelSelectorMatches = selectorMatches;

function podSpecCauses(spec: K8sObject | undefined, prefix: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const containers: K8sObject[] = spec?.containers ?? [];
  if (!containers.length)
    causes.push({ reason: 'FieldValueRequired', field: `${prefix}.containers`, message: 'Required value' });
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const f = `${prefix}.containers[${i}]`;
    if (!c.name) causes.push({ reason: 'FieldValueRequired', field: `${f}.name`, message: 'Required value' });
    else if (!DNS1123_LABEL.test(c.name))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${f}.name`,
        message: `Invalid value: ${JSON.stringify(c.name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      });
    else if (seen.has(c.name))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${f}.name`,
        message: `Duplicate value: ${JSON.stringify(c.name)}`,
      });
    seen.add(c.name);
    if (!c.image) causes.push({ reason: 'FieldValueRequired', field: `${f}.image`, message: 'Required value' });
  });
  return causes;
}

/**
 * The API server's own validation beyond the OpenAPI schema, for the rules a rollout test can trip over: names,
 * selectors matching template labels, containers with names and images, immutable selectors.
 */
export function semanticCauses(r: ResourceType, obj: K8sObject, old?: K8sObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = obj.metadata?.name;
  if (!name && !obj.metadata?.generateName) {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
      message: 'Required value: name or generateName is required',
    });
  } else if (
    name &&
    !DNS1123_SUBDOMAIN.test(name) &&
    !r.virtual &&
    r.plural !== 'clusterroles' &&
    r.plural !== 'clusterrolebindings' &&
    r.plural !== 'roles' &&
    r.plural !== 'rolebindings'
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    });
  }
  const spec = obj.spec;
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(r.kind) && spec) {
    if (!spec.selector) {
      causes.push({ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' });
    } else if (!Object.keys(spec.selector.matchLabels ?? {}).length && !(spec.selector.matchExpressions ?? []).length) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message: 'Invalid value: "null": empty selector is invalid for deployment',
      });
    } else if (!selectorMatches(spec.selector, spec.template?.metadata?.labels)) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
      });
    }
    causes.push(...podSpecCauses(spec.template?.spec, 'spec.template.spec'));
    if (typeof spec.replicas === 'number' && spec.replicas < 0)
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
      });
    if (
      r.kind === 'Deployment' &&
      typeof spec.progressDeadlineSeconds === 'number' &&
      spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)
    )
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.progressDeadlineSeconds',
        message: `Invalid value: ${spec.progressDeadlineSeconds}: must be greater than minReadySeconds`,
      });
    if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(spec.selector))
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message: `Invalid value: ${JSON.stringify(spec.selector)}: field is immutable`,
      });
  }
  if (r.kind === 'Pod' && spec) causes.push(...podSpecCauses(spec, 'spec'));
  if (r.kind === 'Secret' && obj.data) {
    for (const [k, v] of Object.entries(obj.data)) {
      if (typeof v === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
        causes.push({
          reason: 'FieldValueInvalid',
          field: `data[${k}]`,
          message: 'Invalid value: illegal base64 data',
        });
    }
  }
  if (r.kind === 'Service' && spec && old) {
    const oldIp = old.spec?.clusterIP;
    if (oldIp && spec.clusterIP && spec.clusterIP !== oldIp && spec.type !== 'ExternalName')
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.clusterIPs[0]',
        message: `Invalid value: []string{${JSON.stringify(spec.clusterIP)}}: may not change once set`,
      });
  }
  return causes;
}

function intOrPercent(v: unknown, fallback: string | number): string | number {
  return v === undefined || v === null ? fallback : (v as string | number);
}

/** `nginx` / `nginx:latest` pull Always, any other tag or digest IfNotPresent, as the API server defaults. */
function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: K8sObject): void {
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
    if (!probe) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
}

/** Applies the API server's defaults to a pod spec in place. */
export function defaultPodSpec(spec: K8sObject | undefined): void {
  if (!spec) return;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const v of spec.volumes ?? []) {
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.secret) v.secret.defaultMode ??= 420;
  }
}

function defaultTemplate(t: K8sObject | undefined): void {
  if (!t) return;
  t.metadata ??= {};
  // Go marshals the template's empty creationTimestamp as null, and so does the API server in every answer.
  t.metadata.creationTimestamp = null;
  defaultPodSpec(t.spec);
}

/** Applies the API server's defaulting to an object in place (what a GET after a create shows). */
export function applyDefaults(r: ResourceType, obj: K8sObject): void {
  const spec = obj.spec;
  switch (r.kind) {
    case 'Deployment':
      if (!spec) break;
      spec.replicas ??= 1;
      spec.strategy ??= { type: 'RollingUpdate' };
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable = intOrPercent(spec.strategy.rollingUpdate.maxUnavailable, '25%');
        spec.strategy.rollingUpdate.maxSurge = intOrPercent(spec.strategy.rollingUpdate.maxSurge, '25%');
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      defaultTemplate(spec.template);
      break;
    case 'ReplicaSet':
      if (!spec) break;
      spec.replicas ??= 1;
      defaultTemplate(spec.template);
      break;
    case 'StatefulSet':
      if (!spec) break;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= { type: 'RollingUpdate' };
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultTemplate(spec.template);
      break;
    case 'DaemonSet':
      if (!spec) break;
      spec.updateStrategy ??= { type: 'RollingUpdate' };
      spec.updateStrategy.type ??= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      defaultTemplate(spec.template);
      break;
    case 'Pod':
      defaultPodSpec(spec);
      break;
    case 'Job':
      if (!spec) break;
      spec.backoffLimit ??= 6;
      spec.completions ??= 1;
      spec.parallelism ??= 1;
      spec.completionMode ??= 'NonIndexed';
      spec.suspend ??= false;
      if (spec.template?.spec) spec.template.spec.restartPolicy ??= 'Never';
      defaultTemplate(spec.template);
      break;
    case 'Service':
      if (!spec) break;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      if (spec.type !== 'ExternalName') {
        spec.internalTrafficPolicy ??= 'Cluster';
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.ipFamilies ??= ['IPv4'];
      }
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      if (obj.stringData) {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      break;
    case 'Namespace':
      obj.spec ??= { finalizers: ['kubernetes'] };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      break;
    default:
      break;
  }
}

/**
 * Fields of an object that its schema does not declare (`spec.template.spec.containers[0].imagee`), found by
 * tracing which properties the `kubernetes-models` validator reads: an object whose validator reads at least one
 * property has declared properties, and any other key in it is unknown; an object whose keys the validator
 * enumerates is a map. Objects the validator never looks into (free-form data) are not judged.
 */
export function unknownFields(r: ResourceType, obj: K8sObject): string[] {
  const read = new Map<string, Set<string>>();
  const maps = new Set<string>();
  const wrap = (value: any, path: string): any => {
    if (typeof value !== 'object' || value === null) return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === 'string' && !Array.isArray(target)) {
          if (!read.has(path)) read.set(path, new Set());
          read.get(path)!.add(key);
        }
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || typeof v !== 'object' || v === null) return v;
        const child = Array.isArray(target) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
        return wrap(v, child);
      },
      ownKeys(target) {
        maps.add(path);
        return Reflect.ownKeys(target);
      },
    });
  };
  try {
    (r.model.prototype as { validate(this: unknown): void }).validate.call(wrap(obj, ''));
  } catch {
    // schema errors are reported by schemaCauses
  }
  const out: string[] = [];
  const walk = (value: any, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const seen = read.get(path);
    for (const [k, v] of Object.entries(value)) {
      const child = path ? `${path}.${k}` : k;
      if (!maps.has(path) && seen && !seen.has(k) && k !== 'apiVersion' && k !== 'kind') out.push(child);
      else walk(v, child);
    }
  };
  walk(obj, '');
  return out;
}
