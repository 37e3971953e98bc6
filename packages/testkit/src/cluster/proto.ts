/**
 * Decoding of the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) for the few types that
 * client-go's typed clientsets send as request bodies in our flows: helm's release Secrets, ConfigMaps, Namespaces,
 * Deployments (`kubectl create deployment`, common pod-spec fields only),
 * SelfSubjectAccessReviews (`kubectl auth can-i`) and DeleteOptions. Answers are always JSON (every client lists
 * `application/json` or `*\/*` as acceptable). The field numbers are those of the `generated.proto` files.
 */
import type { K8sObject } from './resources.js';

type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'map' | 'mapBytes' | Schema;
interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Keep a zero value (a pointer field: `replicas: 0` is not `replicas` unset). */
  keepZero?: boolean;
}
interface Schema {
  [field: number]: FieldDef;
}

const f = (name: string, type: FieldType, repeated = false, keepZero = false): FieldDef => ({
  name,
  type,
  repeated,
  keepZero,
});

const OwnerReference: Schema = {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool'),
  7: f('blockOwnerDeletion', 'bool'),
};

const ObjectMeta: Schema = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int'),
  11: f('labels', 'map'),
  12: f('annotations', 'map'),
  13: f('ownerReferences', OwnerReference, true),
  14: f('finalizers', 'string', true),
};

const LabelSelector: Schema = {
  1: f('matchLabels', 'map'),
  2: f('matchExpressions', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', true) }, true),
};

const Container: Schema = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', 'string', true),
  4: f('args', 'string', true),
  5: f('workingDir', 'string'),
  6: f(
    'ports',
    {
      1: f('name', 'string'),
      2: f('hostPort', 'int'),
      3: f('containerPort', 'int', false, true),
      4: f('protocol', 'string'),
      5: f('hostIP', 'string'),
    },
    true,
  ),
  7: f('env', { 1: f('name', 'string'), 2: f('value', 'string') }, true),
  8: f('resources', {}),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  20: f('terminationMessagePolicy', 'string'),
};

const PodSpec: Schema = {
  2: f('containers', Container, true),
  3: f('restartPolicy', 'string'),
  4: f('terminationGracePeriodSeconds', 'int'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'map'),
  8: f('serviceAccountName', 'string'),
  10: f('nodeName', 'string'),
  16: f('hostname', 'string'),
  17: f('subdomain', 'string'),
  19: f('schedulerName', 'string'),
  20: f('initContainers', Container, true),
};

const PodTemplateSpec: Schema = { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) };

const SCHEMAS: Record<string, Schema> = {
  'apps/v1/Deployment': {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      1: f('replicas', 'int', false, true),
      2: f('selector', LabelSelector),
      3: f('template', PodTemplateSpec),
      4: f('strategy', { 1: f('type', 'string') }),
      5: f('minReadySeconds', 'int'),
      6: f('revisionHistoryLimit', 'int', false, true),
      7: f('paused', 'bool'),
      9: f('progressDeadlineSeconds', 'int', false, true),
    }),
  },
  'v1/Secret': {
    1: f('metadata', ObjectMeta),
    2: f('data', 'mapBytes'),
    3: f('type', 'string'),
    4: f('stringData', 'map'),
    5: f('immutable', 'bool'),
  },
  'v1/ConfigMap': {
    1: f('metadata', ObjectMeta),
    2: f('data', 'map'),
    3: f('binaryData', 'mapBytes'),
    4: f('immutable', 'bool'),
  },
  'v1/Namespace': {
    1: f('metadata', ObjectMeta),
    2: f('spec', { 1: f('finalizers', 'string', true) }),
    3: f('status', { 1: f('phase', 'string') }),
  },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      1: f('resourceAttributes', {
        1: f('namespace', 'string'),
        2: f('verb', 'string'),
        3: f('group', 'string'),
        4: f('version', 'string'),
        5: f('resource', 'string'),
        6: f('subresource', 'string'),
        7: f('name', 'string'),
      }),
      2: f('nonResourceAttributes', { 1: f('path', 'string'), 2: f('verb', 'string') }),
    }),
  },
  'v1/DeleteOptions': {
    1: f('gracePeriodSeconds', 'int'),
    2: f('preconditions', { 1: f('uid', 'string'), 2: f('resourceVersion', 'string') }),
    3: f('orphanDependents', 'bool'),
    4: f('propagationPolicy', 'string'),
    5: f('dryRun', 'string', true),
  },
};
SCHEMAS['meta.k8s.io/v1/DeleteOptions'] = SCHEMAS['v1/DeleteOptions'];

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): K8sObject {
  const r = new Reader(buf);
  const out: K8sObject = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const field = tag >> 3;
    const wire = tag & 7;
    const def = schema[field];
    if (!def) {
      r.skip(wire);
      continue;
    }
    let value: unknown;
    if (def.type === 'int') value = Number(BigInt.asIntN(64, r.varint()));
    else if (def.type === 'bool') value = r.varint() !== 0n;
    else {
      const b = r.bytes();
      if (def.type === 'string') value = b.toString('utf8');
      else if (def.type === 'bytes') value = b.toString('base64');
      else if (def.type === 'time') {
        const t = decodeMessage(b, { 1: f('seconds', 'int'), 2: f('nanos', 'int') });
        value = new Date((t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      } else if (def.type === 'map' || def.type === 'mapBytes') {
        const e = decodeMessage(b, { 1: f('key', 'string'), 2: f('value', def.type === 'map' ? 'string' : 'bytes') });
        out[def.name] ??= {};
        out[def.name][e.key ?? ''] = e.value ?? '';
        continue;
      } else value = decodeMessage(b, def.type);
    }
    if (def.repeated) (out[def.name] ??= []).push(value);
    else if ((value === 0 || value === false || value === '') && !def.keepZero) delete out[def.name];
    else if (def.type === 'time' && String(value).startsWith('0001-')) delete out[def.name];
    else out[def.name] = value;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Whether a body is in the Kubernetes protobuf envelope. */
export function isProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/**
 * Decodes a protobuf body into the JSON form of the object. Throws with the type's name when the type is not one
 * this decoder knows.
 */
export function decodeProtobuf(body: Buffer): K8sObject {
  if (!isProtobuf(body)) throw new Error('not a Kubernetes protobuf envelope');
  const unknown = decodeMessage(body.subarray(4), {
    1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }),
    2: f('raw', 'bytes'),
  });
  const apiVersion: string = unknown.typeMeta?.apiVersion ?? '';
  const kind: string = unknown.typeMeta?.kind ?? '';
  const schema = SCHEMAS[`${apiVersion}/${kind}`];
  if (!schema) throw new Error(`protobuf bodies of ${apiVersion} ${kind} are not supported by the test cluster`);
  const raw = Buffer.from(unknown.raw ?? '', 'base64');
  const obj = decodeMessage(raw, schema);
  return { apiVersion, kind, ...obj };
}

// ---------------------------------------------------------------- encoding (OpenAPI v2 for older clients)

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

const str = (field: number, s: string) => lengthDelimited(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Buffer[]) => lengthDelimited(field, Buffer.concat(parts));
const bool = (field: number, b: boolean) => Buffer.concat([varint(field << 3), varint(b ? 1 : 0)]);

/** One operation of the OpenAPI v2 document: its id, query parameters and `x-kubernetes-*` extensions. */
export interface OpenApiV2Operation {
  operationId: string;
  queryParameters: string[];
  /** Extension name → value, encoded as YAML (JSON is YAML). */
  extensions: Record<string, unknown>;
}

/**
 * Encodes a minimal OpenAPI v2 document as the gnostic `openapi.v2.Document` protobuf that client-go's
 * `OpenAPISchema()` parses (what kubectl ≤ 1.29 asks `/openapi/v2` for): paths with their operations, no definitions.
 */
export function encodeOpenApiV2(
  version: string,
  paths: Record<string, Record<'get' | 'put' | 'post' | 'delete' | 'patch', OpenApiV2Operation | undefined>>,
): Buffer {
  const methodField = { get: 2, put: 3, post: 4, delete: 5, patch: 8 } as const;
  const operation = (field: number, op: OpenApiV2Operation) =>
    msg(
      field,
      str(5, op.operationId),
      ...op.queryParameters.map((name) =>
        // ParametersItem.parameter → Parameter.non_body_parameter → NonBodyParameter.query_parameter_sub_schema
        msg(8, msg(1, msg(2, msg(3, str(2, 'query'), str(4, name), str(6, 'string'), bool(20, true))))),
      ),
      ...Object.entries(op.extensions).map(([name, value]) =>
        msg(13, str(1, name), msg(2, str(2, JSON.stringify(value)))),
      ),
    );
  const namedPaths = Object.entries(paths).map(([path, item]) =>
    msg(
      2,
      str(1, path),
      msg(
        2,
        ...(['get', 'put', 'post', 'delete', 'patch'] as const)
          .filter((m) => item[m])
          .map((m) => operation(methodField[m], item[m]!)),
      ),
    ),
  );
  return Buffer.concat([str(1, '2.0'), msg(2, str(1, 'Kubernetes'), str(2, version)), msg(8, ...namedPaths)]);
}
