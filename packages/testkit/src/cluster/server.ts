/**
 * The HTTPS API server of the test cluster: authentication by bearer token, a small RBAC, legacy discovery,
 * a minimal OpenAPI v3 (enough for kubectl's and helm's field-validation probe), CRUD, the three patch types plus a
 * server-side-apply approximation, `/status` and `/scale` subresources, Table output for `kubectl get`, and watches
 * as newline-delimited JSON (including watch-list with the initial-events-end bookmark).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import {
  apiVersionOf,
  type K8sObject,
  qualifiedName,
  RESOURCES,
  resourceByPlural,
  type ResourceType,
  ScaleModel,
  schemaCauses,
  unknownFields,
} from './resources.js';
import {
  ApiError,
  badRequest,
  conflict,
  invalid,
  notFound,
  parseFieldSelector,
  parseLabelSelector,
  type Store,
  type StoreEvent,
} from './store.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyServerSideApply,
  applyStrategicMergePatch,
  PatchError,
} from './patch.js';
import { decodeProtobuf, encodeOpenApiV2, isProtobuf, type OpenApiV2Operation } from './proto.js';
import { toTable } from './table.js';

/** A rule of what a user may not do. Empty lists or `'*'` match everything. */
export interface DenyRule {
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or `'*'`. */
  verbs: string[];
  /** Plural resource names, `deployments/scale` for subresources; default all. */
  resources?: string[];
  /** API groups (`''` for core, `apps`); default all. */
  groups?: string[];
  /** Namespaces; default all. */
  namespaces?: string[];
}

/** A user of the test cluster: a bearer token and what it is denied. */
export interface ClusterUser {
  name: string;
  token: string;
  deny?: DenyRule[];
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  user?: string;
  /** The RBAC verb (`get`, `list`, `watch`, `patch`…), for resource requests. */
  verb?: string;
  /** Status code answered (watches: 200 when the stream started). */
  status: number;
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  store: Store;
  tls: { cert: string; key: string };
  users: ClusterUser[];
  /** Server version; default `v1.32.0`. */
  version?: string;
  /** Called with every request after it was answered (watches: when started). */
  onRequest?: (r: RecordedRequest) => void;
  /** Text served as a container log by `pods/<name>/log`. */
  podLog?: (pod: K8sObject, container: string) => string;
}

/** A running API server. */
export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface ResourceRoute {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

function storageHash(r: ResourceType): string {
  return Buffer.from(`${r.group}/${r.version}/${r.kind}`)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 11);
}

function apiResourceList(group: string, version: string): K8sObject {
  const resources: K8sObject[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const e: K8sObject = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames) e.shortNames = r.shortNames;
    if (r.categories) e.categories = r.categories;
    if (!r.virtual) e.storageVersionHash = storageHash(r);
    resources.push(e);
    if (r.status)
      resources.push({
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    if (r.scale)
      resources.push({
        name: `${r.plural}/scale`,
        singularName: '',
        namespaced: r.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    if (r.kind === 'Pod')
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function apiGroup(group: string): K8sObject {
  const versions = groupVersions()
    .filter((g) => g.group === group)
    .map((g) => ({ groupVersion: `${group}/${g.version}`, version: g.version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

/** The OpenAPI v3 document of one group-version: paths and GVK extensions, parameters incl. `fieldValidation`. */
function openApiV3(group: string, version: string, serverVersion: string): K8sObject {
  const paths: K8sObject = {};
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const param = (n: string) => ({ name: n, in: 'query', schema: { type: 'string', uniqueItems: true } });
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const gvk = { group, version, kind: r.kind };
    const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const op = (action: string, id: string, extra: K8sObject = {}) => ({
      operationId: `${id}${r.kind}`,
      parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')],
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      ...extra,
    });
    paths[base] = { get: op('list', 'list'), post: op('post', 'create') };
    if (!r.virtual)
      paths[`${base}/{name}`] = {
        get: op('get', 'read'),
        put: op('put', 'replace'),
        patch: {
          ...op('patch', 'patch'),
          parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation'), param('force')],
        },
        delete: op('delete', 'delete'),
      };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: serverVersion },
    paths,
    components: { schemas: {} },
  };
}

type V2Paths = Record<string, Record<'get' | 'put' | 'post' | 'delete' | 'patch', OpenApiV2Operation | undefined>>;

/** The OpenAPI v2 paths: every resource's operations with `x-kubernetes-group-version-kind` and `fieldValidation`. */
function openApiV2(_serverVersion: string): V2Paths {
  const paths: V2Paths = {};
  for (const r of RESOURCES) {
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const gvk = { group: r.group, kind: r.kind, version: r.version };
    const op = (action: string, id: string, params = ['dryRun', 'fieldManager', 'fieldValidation']) => ({
      operationId: `${id}${r.kind}`,
      queryParameters: params,
      extensions: { 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk },
    });
    paths[base] = {
      get: op('list', 'list'),
      post: op('post', 'create'),
      put: undefined,
      delete: undefined,
      patch: undefined,
    };
    if (!r.virtual)
      paths[`${base}/{name}`] = {
        get: op('get', 'read'),
        put: op('put', 'replace'),
        post: undefined,
        delete: op('delete', 'delete'),
        patch: op('patch', 'patch', ['dryRun', 'fieldManager', 'fieldValidation', 'force']),
      };
  }
  return paths;
}

function v2ToJson(paths: V2Paths): K8sObject {
  const out: K8sObject = {};
  for (const [p, item] of Object.entries(paths)) {
    out[p] = {};
    for (const [m, op] of Object.entries(item)) {
      if (!op) continue;
      out[p][m] = {
        operationId: op.operationId,
        parameters: op.queryParameters.map((name) => ({ name, in: 'query', type: 'string', uniqueItems: true })),
        ...op.extensions,
      };
    }
  }
  return out;
}

function userAllowed(user: ClusterUser, verb: string, group: string, resource: string, namespace?: string): boolean {
  for (const rule of user.deny ?? []) {
    const m = (list: string[] | undefined, v: string) =>
      !list || !list.length || list.includes('*') || list.includes(v);
    if (
      m(rule.verbs, verb) &&
      m(rule.resources, resource) &&
      m(rule.groups, group) &&
      m(rule.namespaces, namespace ?? '')
    )
      return false;
  }
  return true;
}

function forbidden(
  user: ClusterUser,
  verb: string,
  r: ResourceType,
  resource: string,
  name?: string,
  namespace?: string,
): ApiError {
  const subject = name ? `${qualifiedName(r)} "${name}"` : qualifiedName(r);
  const scope = r.namespaced && namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const d: Record<string, unknown> = {};
  if (name) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${verb} resource "${resource}" in API group "${r.group}" ${scope}`,
    d,
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(body: Buffer, contentType: string): any {
  if (contentType === 'application/vnd.kubernetes.protobuf' || isProtobuf(body)) {
    try {
      return decodeProtobuf(body);
    } catch (e) {
      throw new ApiError(415, 'UnsupportedMediaType', (e as Error).message);
    }
  }
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('the body of the request was empty');
  if (/protobuf|cbor/.test(contentType))
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
    );
  try {
    if (/yaml/.test(contentType)) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept);
}

function withTypeMeta(r: ResourceType, o: K8sObject): K8sObject {
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...o };
}

/** List items come without apiVersion/kind, as the API server encodes typed lists. */
function listItem(o: K8sObject): K8sObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** Starts the HTTPS API server on 127.0.0.1 and an ephemeral port. */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { store } = opts;
  const version = opts.version ?? 'v1.32.0';
  const [, major, minor] = /^v(\d+)\.(\d+)/.exec(version) ?? ['', '1', '32'];
  const openWatches = new Set<ServerResponse>();
  let port = 0;

  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-cache, private',
    });
    res.end(text);
  };

  const parseRoute = (segs: string[]): { gv: { group: string; version: string }; rest: string[] } | undefined => {
    if (segs[0] === 'api' && segs.length >= 2) return { gv: { group: '', version: segs[1] }, rest: segs.slice(2) };
    if (segs[0] === 'apis' && segs.length >= 3)
      return { gv: { group: segs[1], version: segs[2] }, rest: segs.slice(3) };
    return undefined;
  };

  const resourceRoute = (
    gv: { group: string; version: string },
    rest0: string[],
  ): (ResourceRoute & { watchPath: boolean }) | undefined => {
    let rest = rest0;
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && resourceByPlural(gv.group, gv.version, rest[2])?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const resource = resourceByPlural(gv.group, gv.version, rest[0]);
    if (!resource || rest.length > 3) return undefined;
    return { resource, namespace, name: rest[1], subresource: rest[2], watchPath };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const segs = url.pathname.split('/').filter(Boolean);
    const q = Object.fromEntries(url.searchParams.entries());
    record.query = q;
    const method = req.method ?? 'GET';
    const accept = req.headers.accept;
    const now = store.now();

    if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      record.status = 200;
      return;
    }
    if (url.pathname === '/version') {
      record.status = 200;
      return send(res, 200, {
        major,
        minor,
        gitVersion: version,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2024-12-11T00:00:00Z',
        goVersion: 'go1.23.4',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }

    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    const user = opts.users.find((u) => u.token === token);
    if (!user) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    record.user = user.name;

    // ---------------------------------------------------------------- discovery
    if (method === 'GET') {
      if (url.pathname === '/api') {
        return send(res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
        });
      }
      if (url.pathname === '/apis') {
        const groups = [
          ...new Set(
            groupVersions()
              .filter((g) => g.group)
              .map((g) => g.group),
          ),
        ].map(apiGroup);
        return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      }
      if (segs[0] === 'apis' && segs.length === 2) {
        if (!groupVersions().some((g) => g.group === segs[1]))
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return send(res, 200, apiGroup(segs[1]));
      }
      const gvOnly = (segs[0] === 'api' && segs.length === 2) || (segs[0] === 'apis' && segs.length === 3);
      if (gvOnly) {
        const group = segs[0] === 'api' ? '' : segs[1];
        const ver = segs[segs.length - 1];
        if (!groupVersions().some((g) => g.group === group && g.version === ver))
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return send(res, 200, apiResourceList(group, ver));
      }
      if (url.pathname === '/openapi/v2') {
        const doc = openApiV2(version);
        if (accept && /protobuf/.test(accept) && !/json/.test(accept)) {
          const body = encodeOpenApiV2(version, doc);
          res.writeHead(200, {
            'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
            'Content-Length': body.length,
          });
          res.end(body);
          record.status = 200;
          return;
        }
        return send(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version }, paths: v2ToJson(doc) });
      }
      if (url.pathname === '/openapi/v3') {
        const paths: K8sObject = {};
        for (const g of groupVersions()) {
          const p = g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`;
          paths[p] = {
            serverRelativeURL: `/openapi/v3/${p}?hash=${storageHash({ ...RESOURCES[0], group: g.group, version: g.version, kind: 'gv' })}`,
          };
        }
        return send(res, 200, { paths });
      }
      if (segs[0] === 'openapi' && segs[1] === 'v3' && segs.length >= 4) {
        const group = segs[2] === 'api' ? '' : segs[3];
        const ver = segs[2] === 'api' ? segs[3] : segs[4];
        if (groupVersions().some((g) => g.group === group && g.version === ver))
          return send(res, 200, openApiV3(group, ver, version));
      }
    }

    const route = parseRoute(segs);
    const rr = route && resourceRoute(route.gv, route.rest);
    if (!rr) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const r = rr.resource;
    const ns = r.namespaced ? rr.namespace : undefined;
    if (r.namespaced && !rr.namespace && rr.name)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const isWatch = rr.watchPath || q.watch === 'true' || q.watch === '1';
    let verb: string;
    if (method === 'GET') verb = isWatch ? 'watch' : rr.name ? 'get' : 'list';
    else if (method === 'POST') verb = 'create';
    else if (method === 'PUT') verb = 'update';
    else if (method === 'PATCH') verb = 'patch';
    else if (method === 'DELETE') verb = rr.name ? 'delete' : 'deletecollection';
    else throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    record.verb = verb;
    const rbacResource = rr.subresource ? `${r.plural}/${rr.subresource}` : r.plural;
    // Self reviews are allowed for every authenticated user (system:basic-user).
    if (!r.virtual && !userAllowed(user, verb, r.group, rbacResource, ns))
      throw forbidden(user, verb, r, rbacResource, rr.name, ns);
    if (!r.verbs.includes(verb) && !(rr.subresource && ['get', 'patch', 'update'].includes(verb)))
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    if (rr.subresource && !['status', 'scale', 'log'].includes(rr.subresource))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (
      (rr.subresource === 'status' && !r.status) ||
      (rr.subresource === 'scale' && !r.scale) ||
      (rr.subresource === 'log' && r.kind !== 'Pod')
    )
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const dryRun = q.dryRun === 'All';
    const contentType = String(req.headers['content-type'] ?? 'application/json')
      .split(';')[0]
      .trim();

    // ---------------------------------------------------------------- virtual: SelfSubjectAccessReview
    if (r.virtual) {
      if (method !== 'POST')
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = parseBody(await readBody(req), contentType);
      const causes = schemaCauses(r, { ...body, apiVersion: apiVersionOf(r), kind: r.kind });
      if (causes.length) throw invalid(r, '', causes);
      const a = body.spec?.resourceAttributes ?? {};
      const resource = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource ?? '');
      const allowed = body.spec?.nonResourceAttributes
        ? true
        : userAllowed(user, a.verb ?? '', a.group ?? '', resource, a.namespace);
      return send(res, 201, {
        ...withTypeMeta(r, body),
        metadata: { creationTimestamp: null },
        status: allowed ? { allowed: true, reason: 'allowed by test cluster' } : { allowed: false },
      });
    }

    // ---------------------------------------------------------------- pod logs
    if (rr.subresource === 'log') {
      const pod = store.get(r, ns, rr.name!);
      const container = q.container ?? pod.spec?.containers?.[0]?.name ?? '';
      const text = opts.podLog?.(pod, container) ?? '';
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(text);
      record.status = 200;
      return;
    }

    // ---------------------------------------------------------------- watch
    if (isWatch && method === 'GET') {
      const fieldSelector = rr.name
        ? [q.fieldSelector, `metadata.name=${rr.name}`].filter(Boolean).join(',')
        : q.fieldSelector;
      const ls = parseLabelSelector(q.labelSelector);
      const fs = parseFieldSelector(r, fieldSelector);
      const initial = q.sendInitialEvents === 'true';
      if (initial && (q.resourceVersionMatch !== 'NotOlderThan' || q.allowWatchBookmarks !== 'true')) {
        throw invalid(r, '', [
          {
            reason: 'FieldValueForbidden',
            field: 'sendInitialEvents',
            message:
              'Forbidden: sendInitialEvents is forbidden for watch unless both resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true',
          },
        ]);
      }
      if (q.sendInitialEvents !== undefined && !initial && q.resourceVersionMatch) {
        throw badRequest('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      }
      const matches = (o: K8sObject | undefined) =>
        !!o && (!ns || o.metadata.namespace === ns) && ls(o.metadata.labels ?? {}) && fs(o);
      const table = wantsTable(accept);
      const encode = (type: string, o: K8sObject) => {
        const object =
          table && type !== 'BOOKMARK' && type !== 'ERROR'
            ? toTable(r, [o], o.metadata.resourceVersion, store.now())
            : o;
        return `${JSON.stringify({ type, object })}\n`;
      };
      let replay: StoreEvent[] = [];
      let sendList = false;
      const rv = q.resourceVersion;
      if (initial || !rv || rv === '0') sendList = true;
      else {
        try {
          replay = store.eventsSince(Number(rv));
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
          res.end(`${JSON.stringify({ type: 'ERROR', object: e.toStatus() })}\n`);
          record.status = 200;
          return;
        }
      }
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
        'Cache-Control': 'no-cache, private',
      });
      res.flushHeaders();
      record.status = 200;
      openWatches.add(res);
      const startRv = store.resourceVersion;
      const write = (s: string) => {
        if (!res.writableEnded) res.write(s);
      };
      if (sendList) for (const o of store.list(r, ns)) if (matches(o)) write(encode('ADDED', o));
      if (initial) {
        write(
          encode('BOOKMARK', {
            kind: r.kind,
            apiVersion: apiVersionOf(r),
            metadata: {
              resourceVersion: startRv,
              creationTimestamp: null,
              annotations: { 'k8s.io/initial-events-end': 'true' },
            },
          }),
        );
      }
      const onEvent = (e: StoreEvent) => {
        if (e.resource !== r) return;
        const now2 = matches(e.object);
        const before = e.type === 'MODIFIED' ? matches(e.old) : now2;
        if (e.type === 'MODIFIED' && before && !now2) write(encode('DELETED', e.object));
        else if (e.type === 'MODIFIED' && !before && now2) write(encode('ADDED', e.object));
        else if (now2) write(encode(e.type, e.object));
      };
      for (const e of replay) onEvent(e);
      const unsubscribe = store.subscribe(onEvent);
      const timeout = q.timeoutSeconds ? Number(q.timeoutSeconds) * 1000 : 30 * 60 * 1000;
      const timer = setTimeout(() => res.end(), timeout);
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        openWatches.delete(res);
      };
      res.on('close', done);
      res.on('finish', done);
      return;
    }

    // ---------------------------------------------------------------- list / get
    if (method === 'GET' && !rr.name) {
      const items = store.list(r, ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
      let start = 0;
      let rv = store.resourceVersion;
      if (q.continue) {
        try {
          const c = JSON.parse(Buffer.from(q.continue, 'base64').toString('utf8'));
          start = Number(c.start) || 0;
          rv = String(c.rv ?? rv);
        } catch {
          throw badRequest('continue key is not valid: illegal base64 data');
        }
      }
      const limit = q.limit ? Number(q.limit) : 0;
      const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
      const metadata: K8sObject = { resourceVersion: rv };
      if (limit > 0 && start + limit < items.length) {
        metadata.continue = Buffer.from(JSON.stringify({ rv, start: start + limit })).toString('base64');
        metadata.remainingItemCount = items.length - start - limit;
      }
      if (wantsTable(accept)) {
        const t = toTable(r, page, rv, now, q.includeObject);
        t.metadata = metadata;
        return send(res, 200, t);
      }
      return send(res, 200, {
        kind: `${r.kind}List`,
        apiVersion: apiVersionOf(r),
        metadata,
        items: page.map(listItem),
      });
    }
    if (method === 'GET') {
      const obj = store.get(r, ns, rr.name!);
      if (rr.subresource === 'scale') return send(res, 200, toScale(r, obj));
      if (wantsTable(accept))
        return send(res, 200, toTable(r, [obj], obj.metadata.resourceVersion, now, q.includeObject));
      return send(res, 200, obj);
    }

    // ---------------------------------------------------------------- create
    if (method === 'POST') {
      if (rr.name)
        throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = parseBody(await readBody(req), contentType);
      checkTypeMeta(r, body);
      if (r.namespaced && body.metadata?.namespace && body.metadata.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      body.metadata = { ...(body.metadata ?? {}), ...(r.namespaced ? { namespace: ns } : {}) };
      checkFields(r, body, q.fieldValidation, res);
      const created = store.create(r, body, { dryRun });
      return send(res, 201, created);
    }

    // ---------------------------------------------------------------- update
    if (method === 'PUT') {
      const body = parseBody(await readBody(req), contentType);
      if (rr.subresource === 'scale') return send(res, 200, updateScale(r, ns, rr.name!, body, dryRun));
      checkTypeMeta(r, body);
      if (body.metadata?.name && body.metadata.name !== rr.name)
        throw badRequest(
          `the name of the object (${body.metadata.name}) does not match the name on the URL (${rr.name})`,
        );
      if (r.namespaced && body.metadata?.namespace && body.metadata.namespace !== ns)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      body.metadata = { ...(body.metadata ?? {}), name: rr.name, ...(r.namespaced ? { namespace: ns } : {}) };
      checkFields(r, body, q.fieldValidation, res);
      const updated = store.update(r, body, { scope: rr.subresource === 'status' ? 'status' : 'main', dryRun });
      return send(res, 200, updated);
    }

    // ---------------------------------------------------------------- patch
    if (method === 'PATCH') {
      const body = parseBody(await readBody(req), contentType);
      const existing = store.find(r, ns, rr.name!);
      if (contentType === 'application/apply-patch+yaml') {
        if (!q.fieldManager)
          throw invalid({ ...r, kind: 'PatchOptions', group: 'meta.k8s.io' }, '', [
            {
              reason: 'FieldValueRequired',
              field: 'fieldManager',
              message: 'Required value: is required for apply patch',
            },
          ]);
        checkTypeMeta(r, body);
        if (!existing) {
          body.metadata = { ...(body.metadata ?? {}), name: rr.name, ...(r.namespaced ? { namespace: ns } : {}) };
          checkFields(r, body, q.fieldValidation, res);
          const created = store.create(r, body, { dryRun });
          if (!dryRun) store.rememberApplied(created.metadata.uid, q.fieldManager, body);
          return send(res, 201, created);
        }
      }
      if (!existing) throw notFound(r, rr.name!);
      const base = rr.subresource === 'scale' ? toScale(r, existing) : existing;
      let patched: K8sObject;
      try {
        if (contentType === 'application/json-patch+json') patched = applyJsonPatch(base, body) as K8sObject;
        else if (contentType === 'application/merge-patch+json') patched = applyMergePatch(base, body) as K8sObject;
        else if (contentType === 'application/strategic-merge-patch+json')
          patched = applyStrategicMergePatch(rr.subresource === 'scale' ? 'Scale' : r.kind, base, body) as K8sObject;
        else if (contentType === 'application/apply-patch+yaml')
          patched = applyServerSideApply(
            r.kind,
            base,
            store.lastApplied(existing.metadata.uid, q.fieldManager),
            body,
          ) as K8sObject;
        else
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
          );
      } catch (e) {
        if (e instanceof PatchError) {
          if (e.code === 400) throw badRequest(e.message);
          throw new ApiError(422, 'Invalid', e.message);
        }
        throw e;
      }
      if (!patched || typeof patched !== 'object' || Array.isArray(patched))
        throw badRequest('the patch produced an object that is not a JSON object');
      if (rr.subresource === 'scale') return send(res, 200, updateScale(r, ns, rr.name!, patched, dryRun));
      patched.metadata ??= {};
      if (patched.metadata.name !== undefined && patched.metadata.name !== rr.name)
        throw badRequest(
          `the name of the object (${patched.metadata.name}) does not match the name on the URL (${rr.name})`,
        );
      patched.metadata.name = rr.name;
      if (r.namespaced) patched.metadata.namespace = ns;
      if (patched.metadata.uid && patched.metadata.uid !== existing.metadata.uid) throw conflict(r, rr.name!);
      checkFields(r, patched, q.fieldValidation, res);
      const updated = store.update(r, patched, { scope: rr.subresource === 'status' ? 'status' : 'main', dryRun });
      if (contentType === 'application/apply-patch+yaml' && !dryRun)
        store.rememberApplied(updated.metadata.uid, q.fieldManager, body);
      return send(res, 200, updated);
    }

    // ---------------------------------------------------------------- delete
    if (method === 'DELETE') {
      const raw = await readBody(req);
      const options: K8sObject = raw.length && raw.toString('utf8').trim() ? parseBody(raw, contentType) : {};
      const propagation =
        options.propagationPolicy ?? q.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
      const targets = rr.name
        ? [store.get(r, ns, rr.name)]
        : store.list(r, ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
      const deleted: K8sObject[] = [];
      for (const obj of targets) {
        const pre = options.preconditions ?? {};
        if (
          (pre.uid && pre.uid !== obj.metadata.uid) ||
          (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
        ) {
          throw new ApiError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${qualifiedName(r)} "${obj.metadata.name}": Precondition failed: UID in precondition: ${pre.uid ?? ''}, UID in object meta: ${obj.metadata.uid}`,
            { name: obj.metadata.name, ...(r.group ? { group: r.group } : {}), kind: r.plural },
          );
        }
        if (!dryRun) cascade(obj, propagation);
        deleted.push(store.delete(r, obj.metadata.namespace, obj.metadata.name, { dryRun }));
      }
      if (!rr.name)
        return send(res, 200, {
          kind: `${r.kind}List`,
          apiVersion: apiVersionOf(r),
          metadata: { resourceVersion: store.resourceVersion },
          items: deleted.map(listItem),
        });
      const obj = deleted[0];
      if (r.kind === 'Pod' || r.kind === 'Namespace') {
        if (r.kind === 'Namespace') obj.status = { phase: 'Terminating' };
        obj.metadata.deletionTimestamp = new Date(store.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        if (r.kind === 'Pod') obj.metadata.deletionGracePeriodSeconds = 0;
        return send(res, 200, obj);
      }
      return send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name: obj.metadata.name,
          ...(r.group ? { group: r.group } : {}),
          kind: r.plural,
          uid: obj.metadata.uid,
        },
      });
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  };

  /**
   * Server-side field validation: unknown fields fail the request with `fieldValidation=Strict` (kubectl's
   * default); otherwise they are dropped, as decoding into the Go types drops them, and reported in `Warning`
   * headers unless the directive is `Ignore`.
   */
  function checkFields(r: ResourceType, obj: K8sObject, directive: string | undefined, res: ServerResponse): void {
    const unknown = unknownFields(r, obj);
    if (!unknown.length) return;
    if (directive === 'Strict')
      throw badRequest(
        `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown
          .map((f) => `unknown field "${f}"`)
          .join(', ')}`,
      );
    for (const field of unknown) {
      const segs = field.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '');
      let cur: any = obj;
      for (const seg of segs.slice(0, -1)) cur = cur?.[seg];
      if (cur && typeof cur === 'object') delete cur[segs[segs.length - 1]];
    }
    if (directive !== 'Ignore')
      res.setHeader(
        'Warning',
        unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`),
      );
  }

  function checkTypeMeta(r: ResourceType, body: K8sObject): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the body of the request was not a JSON object');
    if (body.kind && body.kind !== r.kind)
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`,
      );
    if (body.apiVersion && body.apiVersion !== apiVersionOf(r))
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`,
      );
  }

  /** Namespace deletion takes its contents; Foreground deletes dependents first; Orphan strips their owner refs. */
  function cascade(owner: K8sObject, propagation: string): void {
    if (owner.kind === 'Namespace') {
      for (const { resource, object } of store.all())
        if (resource.namespaced && object.metadata.namespace === owner.metadata.name)
          store.delete(resource, object.metadata.namespace, object.metadata.name);
      return;
    }
    const dependents = store
      .all()
      .filter(({ object }) =>
        (object.metadata.ownerReferences ?? []).some((ref: K8sObject) => ref.uid === owner.metadata.uid),
      );
    for (const { resource, object } of dependents) {
      if (propagation === 'Orphan') {
        object.metadata.ownerReferences = object.metadata.ownerReferences.filter(
          (ref: K8sObject) => ref.uid !== owner.metadata.uid,
        );
        if (!object.metadata.ownerReferences.length) delete object.metadata.ownerReferences;
        store.update(resource, object, { scope: 'all' });
      } else if (propagation === 'Foreground') {
        cascade(object, propagation);
        store.delete(resource, object.metadata.namespace, object.metadata.name);
      }
    }
  }

  function toScale(r: ResourceType, obj: K8sObject): K8sObject {
    const sel = obj.spec?.selector;
    const selector = sel
      ? Object.entries(sel.matchLabels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : '';
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: { replicas: obj.status?.replicas ?? 0, selector },
    };
  }

  function updateScale(
    r: ResourceType,
    ns: string | undefined,
    name: string,
    scale: K8sObject,
    dryRun: boolean,
  ): K8sObject {
    const obj = store.get(r, ns, name);
    const causes = schemaCauses(r, { ...scale, apiVersion: 'autoscaling/v1', kind: 'Scale' }, ScaleModel);
    if (causes.length) throw invalid({ ...r, kind: 'Scale', group: 'autoscaling' }, name, causes);
    if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== obj.metadata.resourceVersion)
      throw conflict(r, name);
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0)
      throw invalid({ ...r, kind: 'Scale', group: 'autoscaling' }, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
        },
      ]);
    obj.spec.replicas = replicas;
    const updated = store.update(r, obj, { dryRun });
    return toScale(r, updated);
  }

  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      query: {},
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
      status: 0,
    };
    handle(req, res, record)
      .then(() => {
        if (!record.status) record.status = res.statusCode;
      })
      .catch((e: unknown) => {
        const err =
          e instanceof ApiError
            ? e
            : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error)?.stack ?? e}`);
        record.status = err.code;
        if (!res.headersSent) send(res, err.code, err.toStatus());
        else res.end();
      })
      .finally(() => opts.onRequest?.(record));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of openWatches) w.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
