import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { LoadedSpec } from '../load/index.js';
import { escapePointer } from '../load/index.js';
import { alsoRuleIds, levelOf, regrade, schemaMessage, schemaRuleId, type SchemaPlace } from './rules.js';
import { canonical, MAX_SCHEMA_DEPTH, SchemaDiffer, type Direction, type Finding, type SchemaNamer } from './schema.js';
import type { Change, DiffOptions, Level } from './types.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const STABILITY = ['draft', 'alpha', 'beta', 'stable'];
const isStability = (s: unknown): s is string => typeof s === 'string' && STABILITY.includes(s);
type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Param {
  param: Obj;
  key: string;
  /** Declared on the path item (shared by its operations) rather than on the operation. */
  fromPathItem: boolean;
}

interface Operation {
  method: string;
  path: string;
  /** `GET /pets/{}`: path parameter names do not matter for identity. */
  key: string;
  item: Obj;
  op: Obj;
  params: Map<string, Param>;
}

/** Operation identity ignores path-parameter names: `/pets/{id}` and `/pets/{petId}` are the same endpoint. */
const normalizePath = (p: string) => p.replace(/\{[^}/]*\}/g, '{}');

function collectOperations(doc: Obj): Map<string, Operation> {
  const ops = new Map<string, Operation>();
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    if (!isObj(item)) continue;
    const names = [...path.matchAll(/\{([^}/]*)\}/g)].map((m) => m[1]);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const params = new Map<string, Param>();
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const p of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        if (!isObj(p) || typeof p.name !== 'string') continue;
        const key =
          p.in === 'path' && names.includes(p.name)
            ? `path:#${names.indexOf(p.name)}`
            : p.in === 'header'
              ? `header:${p.name.toLowerCase()}`
              : `${p.in}:${p.name}`;
        // An operation-level parameter overrides the path item's one of the same name and location.
        params.set(key, { param: p, key, fromPathItem: shared.includes(p) });
      }
      const key = `${method.toUpperCase()} ${normalizePath(path)}`;
      ops.set(key, { method, path, key, item, op, params });
    }
  }
  return ops;
}

const isSuccess = (code: string) => /^2(\d\d|XX)$/i.test(code);

/** Calls `found` with `base` for keys only in `base` and `head` for keys only in `head`. */
function keyDiff<T>(base: Iterable<T>, head: Iterable<T>, found: (key: T, side: 'base' | 'head') => void): void {
  const b = new Set(base);
  const h = new Set(head);
  for (const k of b) if (!h.has(k)) found(k, 'base');
  for (const k of h) if (!b.has(k)) found(k, 'head');
}

/** Parses an `x-sunset` value: a `YYYY-MM-DD` date or an RFC 3339 date-time. */
export function parseSunset(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/.test(s))
    return undefined;
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) return undefined;
  const [y, m, day] = s.slice(0, 10).split('-').map(Number);
  if (d.getUTCFullYear() !== y || d.getUTCMonth() + 1 !== m || d.getUTCDate() !== day) {
    if (s.length === 10) return undefined;
  }
  return d;
}

function namer(spec: LoadedSpec): SchemaNamer {
  return (schema: object) => {
    const p = spec.pointer(schema);
    if (p !== undefined) {
      const m = /^\/(?:components\/schemas|definitions)\/([^/]+)$/.exec(p);
      if (m) return m[1].replace(/~1/g, '/').replace(/~0/g, '~');
      const file = spec.locate(schema)?.file;
      if (file && file !== spec.entry) {
        // Same file name relative to each spec's entry, so base/x.yml and revision/x.yml match.
        const rel = posix.relative(posix.dirname(spec.entry), file);
        return p === '' ? rel : `${rel}#${p}`;
      }
    }
    const title = (schema as Obj).title;
    return typeof title === 'string' ? `title:${title}` : undefined;
  };
}

interface Emit {
  id: string;
  message: string;
  operation?: Operation;
  /** Pointer below the operation (or absolute when there is no operation). */
  ptr: string;
  side: 'base' | 'head';
  node?: object;
  key?: string;
  level?: Level;
  /** Distinguishes several findings at one pointer (e.g. each removed enum value) in the fingerprint. */
  tag?: string;
}

/**
 * Compares two loaded specs and lists every change with its oasdiff rule id and level.
 * @param base the spec before the change (merge base).
 * @param head the spec after the change (pull request head).
 * @param options sunset policy, "now", and whether to keep INFO changes.
 * @returns changes sorted by level (ERR first), operation and id.
 * @example const breaking = diffSpecs(base, head).filter((c) => c.level !== 'INFO');
 */
export function diffSpecs(base: LoadedSpec, head: LoadedSpec, options: DiffOptions = {}): Change[] {
  const now = options.now ?? new Date();
  const differ = new SchemaDiffer(namer(base), namer(head));
  const bdoc = base.document;
  const hdoc = head.document;
  const changes = new Map<string, Change>();

  const emit = (e: Emit) => {
    const spec = e.side === 'head' ? head : base;
    const opText = e.operation ? `${e.operation.method.toUpperCase()} ${e.operation.path}` : '';
    const opPtr = e.operation ? `/paths/${escapePointer(e.operation.path)}/${e.operation.method}` : '';
    const fingerprint = createHash('sha256')
      .update(`${e.id}\n${e.operation?.key ?? ''}\n${e.ptr}\n${e.tag ?? ''}`)
      .digest('hex')
      .slice(0, 16);
    if (changes.has(fingerprint)) return;
    let loc = e.node ? spec.locate(e.node, e.key) : undefined;
    if (!loc && e.operation) loc = spec.locate(e.operation.op);
    changes.set(fingerprint, {
      id: e.id,
      level: options.levelOverrides?.[e.id] ?? e.level ?? levelOf(e.id),
      message: e.message,
      operation: opText,
      path: opPtr + e.ptr,
      location: loc ? { file: loc.file, line: loc.line, column: loc.column } : undefined,
      side: e.side,
      fingerprint,
    });
  };

  const emitSchema = (findings: Finding[], place: SchemaPlace, op: Operation, basePtr: string) => {
    for (const raw of findings) {
      const f = regrade(raw, place);
      let id = schemaRuleId(f, place);
      let message = schemaMessage(f, place);
      if (
        place.where === 'body' &&
        f.props.length &&
        (f.aspect === 'deprecated' || f.aspect === 'deprecated-with-sunset')
      ) {
        const policy = propertyDeprecationPolicy(f, place.dir, op);
        if (policy) [id, message] = policy;
      }
      const ptr = basePtr + f.ptr.map((s) => '/' + escapePointer(s)).join('');
      for (const also of alsoRuleIds(f, place))
        emit({ id: also, message, operation: op, ptr, side: f.side, node: f.node, key: f.key });
      emit({
        id,
        level: levelOf(id, f, place.dir),
        message,
        operation: op,
        ptr,
        side: f.side,
        node: f.node,
        key: f.key,
        tag: f.args.value === undefined ? undefined : canonical(f.args.value),
      });
    }
  };

  /** A deprecated property checked against the sunset policy: the violation's id and message, if any. */
  function propertyDeprecationPolicy(f: Finding, dir: Direction, op: Operation): [string, string] | undefined {
    const who = `${dir} property ${f.props.join('/')}`;
    const days = policyDays(op.op);
    const raw = f.args.sunset;
    if (raw === undefined || raw === null || raw === '')
      return days > 0
        ? [`${dir}-property-deprecated-sunset-missing`, `${who} deprecated without sunset date`]
        : undefined;
    const sunset = parseSunset(raw);
    if (!sunset)
      return [
        `${dir}-property-deprecated-sunset-invalid`,
        `${who} deprecated with invalid sunset date: ${String(raw)}`,
      ];
    if (days > 0 && sunset.getTime() < now.getTime() + days * 86_400_000)
      return [
        `${dir}-property-sunset-date-too-small`,
        `${who} sunset date ${String(raw)} is too small, must be at least ${days} days from now`,
      ];
    return undefined;
  }

  const bops = collectOperations(bdoc);
  const hops = collectOperations(hdoc);
  const hpaths = new Set([...Object.keys(isObj(hdoc.paths) ? hdoc.paths : {})].map(normalizePath));

  const stabilityOf = (op: Obj, spec: LoadedSpec, operation: Operation, side: 'base' | 'head'): string | undefined => {
    const s = op['x-stability-level'];
    if (s === undefined) return undefined;
    if (!isStability(s)) {
      emit({
        id: 'api-invalid-stability-level',
        message: `failed to parse stability level: value ${JSON.stringify(s)} is not one of ${STABILITY.join(', ')}`,
        operation,
        ptr: '/x-stability-level',
        side,
        node: op,
        key: 'x-stability-level',
      });
      void spec;
      return undefined;
    }
    return s;
  };

  // --- removed operations
  for (const [key, bop] of bops) {
    if (hops.has(key)) continue;
    const stability = stabilityOf(bop.op, base, bop, 'base');
    if (stability === 'draft' || stability === 'alpha') continue;
    const wholePath = !hpaths.has(normalizePath(bop.path));
    const pre = wholePath ? 'api-path' : 'api';
    const what = wholePath ? 'api path' : 'api';
    const at = { operation: bop, ptr: '', side: 'base' as const, node: bop.op };
    if (bop.op.deprecated !== true) {
      emit({ ...at, id: `${pre}-removed-without-deprecation`, message: `${what} removed without deprecation` });
      continue;
    }
    const raw = bop.op['x-sunset'];
    if (raw === undefined) {
      emit({ ...at, id: `${pre}-removed-with-deprecation`, message: `${what} removed with deprecation` });
      continue;
    }
    const sunset = parseSunset(raw);
    if (!sunset)
      emit({
        ...at,
        id: 'api-path-sunset-parse',
        message: `failed to parse sunset date: ${JSON.stringify(raw)}`,
        key: 'x-sunset',
      });
    else if (sunset.getTime() > now.getTime())
      emit({
        ...at,
        id: `${pre}-removed-before-sunset`,
        message: `${what} removed before the sunset date ${String(raw)}`,
      });
    else emit({ ...at, id: `${pre}-removed-with-deprecation`, message: `${what} removed with deprecation` });
  }

  // --- added and changed operations
  for (const [key, hop] of hops) {
    const bop = bops.get(key);
    if (!bop) {
      stabilityOf(hop.op, head, hop, 'head');
      emit({ id: 'endpoint-added', message: 'endpoint added', operation: hop, ptr: '', side: 'head', node: hop.op });
      continue;
    }
    const bStab = stabilityOf(bop.op, base, hop, 'base');
    const hStab = stabilityOf(hop.op, head, hop, 'head');
    // Like oasdiff at its default threshold (beta), a change leaving a draft or alpha level is not tracked.
    const tracked = bStab === 'beta' || bStab === 'stable';
    if (tracked && hStab && STABILITY.indexOf(hStab) < STABILITY.indexOf(bStab)) {
      emit({
        id: 'api-stability-decreased',
        message: `endpoint stability level decreased from ${bStab} to ${hStab}`,
        operation: hop,
        ptr: '/x-stability-level',
        side: 'head',
        node: hop.op,
        key: 'x-stability-level',
      });
    }
    if (tracked && hStab && STABILITY.indexOf(hStab) > STABILITY.indexOf(bStab)) {
      emit({
        id: 'api-stability-increased',
        message: `endpoint stability level increased from ${bStab} to ${hStab}`,
        operation: hop,
        ptr: '/x-stability-level',
        side: 'head',
        node: hop.op,
        key: 'x-stability-level',
      });
    }
    // Draft and alpha endpoints make no compatibility promise.
    if (bStab === 'draft' || bStab === 'alpha') continue;
    compareOperation(bop, hop);
  }

  function deprecationEvents(bo: Obj, ho: Obj, op: Operation) {
    const at = { operation: op, side: 'head' as const, node: ho };
    if (bo.deprecated !== true && ho.deprecated === true) {
      // An unparseable stability level is reported on its own; like oasdiff, judge no sunset against it.
      if (ho['x-stability-level'] !== undefined && !isStability(ho['x-stability-level'])) return;
      const raw = ho['x-sunset'];
      const days = policyDays(ho);
      if (raw === undefined) {
        if (days && days > 0)
          emit({
            ...at,
            id: 'api-deprecated-sunset-missing',
            message: 'sunset date is missing for deprecated API',
            ptr: '/deprecated',
            key: 'deprecated',
          });
        else
          emit({
            ...at,
            id: 'endpoint-deprecated',
            message: 'endpoint deprecated',
            ptr: '/deprecated',
            key: 'deprecated',
          });
        return;
      }
      const sunset = parseSunset(raw);
      if (!sunset) {
        emit({
          ...at,
          id: 'api-deprecated-sunset-parse',
          message: `failed to parse sunset date: ${JSON.stringify(raw)}`,
          ptr: '/x-sunset',
          key: 'x-sunset',
        });
        return;
      }
      if (days && sunset.getTime() < now.getTime() + days * 86_400_000) {
        emit({
          ...at,
          id: 'api-sunset-date-too-small',
          message: `sunset date ${String(raw)} is too small, must be at least ${days} days from now`,
          ptr: '/x-sunset',
          key: 'x-sunset',
        });
        return;
      }
      emit({
        ...at,
        id: 'endpoint-deprecated-with-sunset',
        message: `endpoint deprecated with sunset date ${String(raw)}`,
        ptr: '/deprecated',
        key: 'deprecated',
      });
    } else if (bo.deprecated === true && ho.deprecated !== true) {
      emit({
        ...at,
        id: 'endpoint-reactivated',
        message: 'endpoint reactivated',
        ptr: '/deprecated',
        key: 'deprecated',
      });
    } else if (bo.deprecated === true && ho.deprecated === true) {
      const rb = bo['x-sunset'];
      const rh = ho['x-sunset'];
      if (rb !== undefined && rh === undefined) {
        emit({
          ...at,
          id: 'sunset-deleted',
          message: 'api sunset date deleted, but deprecated=true kept',
          ptr: '/x-sunset',
          side: 'base',
          node: bo,
          key: 'x-sunset',
        });
        return;
      }
      // An unchanged sunset is not a change, even when it does not parse (that is the linter's job).
      if (rh === undefined || String(rh) === String(rb)) return;
      const sb = rb === undefined ? undefined : parseSunset(rb);
      const sh = parseSunset(rh);
      if (!sh)
        emit({
          ...at,
          id: 'api-path-sunset-parse',
          message: `failed to parse sunset date: ${JSON.stringify(rh)}`,
          ptr: '/x-sunset',
          key: 'x-sunset',
        });
      else if (rb !== undefined && !sb)
        emit({
          ...at,
          id: 'api-path-sunset-parse',
          message: `failed to parse the previous sunset date: ${JSON.stringify(rb)}`,
          ptr: '/x-sunset',
          side: 'base',
          node: bo,
          key: 'x-sunset',
        });
      else if (sb && sh.getTime() < sb.getTime()) {
        emit({
          ...at,
          id: 'api-sunset-date-changed-too-small',
          message: `api sunset date changed to an earlier date, from ${String(rb)} to ${String(rh)}`,
          ptr: '/x-sunset',
          key: 'x-sunset',
        });
      }
    }
  }

  function compareOperation(bop: Operation, hop: Operation) {
    const bo = bop.op;
    const ho = hop.op;
    deprecationEvents(bo, ho, hop);
    compareSecurity(bo.security, ho.security, hop, bo);
    compareParameters(bop, hop);
    compareRequestBody(bo.requestBody, ho.requestBody, hop);
    compareResponses(bo.responses, ho.responses, hop);
    if (typeof bo.operationId === 'string' && bo.operationId !== ho.operationId) {
      // Generated clients name their methods after operationId, so a rename is worth a line.
      emit({
        id: 'api-operation-id-removed',
        message: `api operation id ${bo.operationId} removed and replaced with ${ho.operationId ?? '(none)'}`,
        operation: hop,
        ptr: '/operationId',
        side: 'head',
        node: ho,
        key: 'operationId',
      });
    }
    if (bo.operationId === undefined && typeof ho.operationId === 'string') {
      emit({
        id: 'api-operation-id-added',
        message: `api operation id ${ho.operationId} was added`,
        operation: hop,
        ptr: '/operationId',
        side: 'head',
        node: ho,
        key: 'operationId',
      });
    }
    keyDiff(Array.isArray(bo.tags) ? bo.tags : [], Array.isArray(ho.tags) ? ho.tags : [], (t, side) =>
      emit({
        id: side === 'base' ? 'api-tag-removed' : 'api-tag-added',
        message: `api tag ${t} ${side === 'base' ? 'removed' : 'added'}`,
        operation: hop,
        ptr: `/tags/${escapePointer(String(t))}`,
        side,
        node: side === 'base' ? bo : ho,
        key: 'tags',
      }),
    );
  }

  function requirementSets(sec: unknown): Map<string, Obj> {
    const out = new Map<string, Obj>();
    if (!Array.isArray(sec)) return out;
    for (const r of sec) if (isObj(r)) out.set(Object.keys(r).sort().join(' AND ') || '(anonymous)', r);
    return out;
  }

  function compareSecurity(bsec: unknown, hsec: unknown, op: Operation | undefined, baseHolder: Obj) {
    // An operation without its own `security` inherits the global one; global changes are reported once, globally.
    if (op && bsec === undefined && hsec === undefined) return;
    const b = requirementSets(op && bsec === undefined ? bdoc.security : bsec);
    const h = requirementSets(op && hsec === undefined ? hdoc.security : hsec);
    const pre = op ? 'api-security' : 'api-global-security';
    const holder = op ? { operation: op } : {};
    for (const [k, r] of b) {
      const hr = h.get(k);
      if (!hr) {
        emit({
          ...holder,
          id: `${pre}-removed`,
          message: `removed security requirement ${k}`,
          ptr: `/security/${escapePointer(k)}`,
          side: 'base',
          node: baseHolder,
          key: 'security',
        });
        continue;
      }
      for (const scheme of Object.keys(r)) {
        const scopes = (x: unknown) => (Array.isArray(x) ? x : []);
        keyDiff(scopes(r[scheme]), scopes(hr[scheme]), (scope, side) =>
          emit({
            ...holder,
            id: `${pre}-scope-${side === 'base' ? 'removed' : 'added'}`,
            message: `${side === 'base' ? 'removed the scope' : 'added the scope'} ${scope} ${side === 'base' ? 'from' : 'to'} security scheme ${scheme}`,
            ptr: `/security/${escapePointer(k)}/${escapePointer(scheme)}/${escapePointer(String(scope))}`,
            side,
            node: side === 'base' ? r : hr,
            key: scheme,
          }),
        );
      }
    }
    for (const [k, r] of h)
      if (!b.has(k))
        emit({
          ...holder,
          id: `${pre}-added`,
          message: `added security requirement ${k}`,
          ptr: `/security/${escapePointer(k)}`,
          side: 'head',
          node: r,
        });
  }

  /** Deprecation policy in days for an operation: the beta figure for beta endpoints, else the stable one. */
  function policyDays(op: Obj): number {
    const days = op['x-stability-level'] === 'beta' ? options.deprecationDaysBeta : options.deprecationDaysStable;
    return days && days > 0 ? days : 0;
  }

  /** The serialization a parameter uses, with the OpenAPI defaults written out (writing a default is no change). */
  function serialization(p: Obj): { style: string; explode: boolean } {
    const style = typeof p.style === 'string' ? p.style : p.in === 'query' || p.in === 'cookie' ? 'form' : 'simple';
    return { style, explode: typeof p.explode === 'boolean' ? p.explode : style === 'form' };
  }

  /** Whether every value a schema allows is one scalar, for which `explode` makes no difference on the wire. */
  function scalarOnly(schema: Obj | undefined): boolean {
    if (!schema || schema.oneOf || schema.anyOf || schema.allOf) return false;
    const t = schema.type;
    const types = typeof t === 'string' ? [t] : Array.isArray(t) ? t : [];
    return types.length > 0 && types.every((x) => ['string', 'number', 'integer', 'boolean', 'null'].includes(x));
  }

  function compareSerialization(bp: Obj, hp: Obj, label: string, at: Omit<Emit, 'id' | 'message'>) {
    // style and explode describe schema parameters; a content parameter is serialized by its media type.
    if (isObj(bp.schema) && isObj(hp.schema)) {
      const b = serialization(bp);
      const h = serialization(hp);
      if (b.style !== h.style)
        emit({
          ...at,
          id: 'request-parameter-style-changed',
          message: `for the ${label}, the style was changed from \`${b.style}\` to \`${h.style}\``,
          key: 'style',
        });
      else if (b.explode !== h.explode && !(scalarOnly(bp.schema) && scalarOnly(hp.schema)))
        emit({
          ...at,
          id: 'request-parameter-explode-changed',
          message: `for the ${label}, explode was changed from \`${b.explode}\` to \`${h.explode}\``,
          key: 'explode',
        });
    }
    const rb = bp.allowReserved === true;
    const rh = hp.allowReserved === true;
    if (hp.in === 'query' && rb !== rh)
      emit({
        ...at,
        id: rh ? 'request-parameter-became-allow-reserved' : 'request-parameter-became-not-allow-reserved',
        message: rh
          ? `the ${label} now accepts reserved characters without percent-encoding`
          : `the ${label} no longer accepts reserved characters without percent-encoding`,
        key: 'allowReserved',
      });
  }

  function paramSchema(p: Obj): Obj | undefined {
    if (isObj(p.schema)) return p.schema;
    if (isObj(p.content)) {
      const first = Object.values(p.content)[0];
      if (isObj(first) && isObj(first.schema)) return first.schema;
    }
    return undefined;
  }

  function compareParameters(bop: Operation, hop: Operation) {
    for (const [key, { param: bp }] of bop.params) {
      const hp = hop.params.get(key)?.param;
      const label = `${bp.in} request parameter \`${bp.name}\``;
      const ptr = `/parameters/${escapePointer(String(bp.in))}/${escapePointer(bp.name)}`;
      if (!hp) {
        const at = { operation: hop, ptr, side: 'base' as const, node: bp };
        if (bp.deprecated === true) {
          const raw = bp['x-sunset'];
          const sunset = raw === undefined ? undefined : parseSunset(raw);
          if (raw !== undefined && !sunset)
            emit({
              ...at,
              id: 'request-parameter-sunset-parse',
              message: `failed to parse sunset date for the ${label}: ${JSON.stringify(raw)}`,
              key: 'x-sunset',
            });
          else if (sunset && sunset.getTime() > now.getTime())
            emit({
              ...at,
              id: 'request-parameter-removed-before-sunset',
              message: `deleted the ${label} before the sunset date ${String(raw)}`,
            });
          else
            emit({
              ...at,
              id: 'request-parameter-removed-with-deprecation',
              message: `deleted the ${label} with deprecation`,
            });
        } else {
          emit({ ...at, id: 'request-parameter-removed', message: `deleted the ${label}` });
        }
        continue;
      }
      const at = { operation: hop, ptr, side: 'head' as const, node: hp };
      const rb = bp.required === true || bp.in === 'path';
      const rh = hp.required === true || hp.in === 'path';
      if (!rb && rh)
        emit({
          ...at,
          id: 'request-parameter-became-required',
          message: `the ${label} became required`,
          key: 'required',
        });
      if (rb && !rh)
        emit({
          ...at,
          id: 'request-parameter-became-optional',
          message: `the ${label} became optional`,
          key: 'required',
        });
      if (bp.deprecated !== true && hp.deprecated === true) {
        const raw = hp['x-sunset'];
        const days = policyDays(hop.op);
        const sunset = raw === undefined ? undefined : parseSunset(raw);
        if (raw !== undefined && !sunset)
          emit({
            ...at,
            id: 'request-parameter-sunset-parse',
            message: `failed to parse sunset date for the ${label}: ${JSON.stringify(raw)}`,
            key: 'x-sunset',
          });
        else if (days > 0 && !sunset)
          emit({
            ...at,
            id: 'request-parameter-deprecated-sunset-missing',
            message: `the ${label} was deprecated without sunset date`,
            key: 'deprecated',
          });
        else if (days > 0 && sunset && sunset.getTime() < now.getTime() + days * 86_400_000)
          emit({
            ...at,
            id: 'request-parameter-sunset-date-too-small',
            message: `the ${label} sunset date ${String(raw)} is too small, must be at least ${days} days from now`,
            key: 'x-sunset',
          });
        else
          emit({
            ...at,
            id: 'request-parameter-deprecated',
            message: `the ${label} was deprecated`,
            key: 'deprecated',
          });
      } else if (bp.deprecated === true && hp.deprecated !== true) {
        emit({
          ...at,
          id: 'request-parameter-reactivated',
          message: `the ${label} was reactivated`,
          key: 'deprecated',
        });
      } else if (bp.deprecated === true && hp.deprecated === true) {
        const rbS = bp['x-sunset'];
        const rhS = hp['x-sunset'];
        if (rbS !== undefined && rhS === undefined)
          emit({
            ...at,
            id: 'request-parameter-sunset-deleted',
            message: `the ${label} sunset date deleted, but deprecated=true kept`,
            key: 'deprecated',
          });
        else if (rhS !== undefined && String(rhS) !== String(rbS)) {
          const sh = parseSunset(rhS);
          const sb = rbS === undefined ? undefined : parseSunset(rbS);
          // A previous sunset that did not parse cannot be compared with the new one either, as for endpoints.
          const unparsed = !sh
            ? { what: 'sunset date', raw: rhS, side: 'head' as const, node: hp }
            : rbS !== undefined && !sb
              ? { what: 'the previous sunset date', raw: rbS, side: 'base' as const, node: bp }
              : undefined;
          if (unparsed)
            emit({
              ...at,
              id: 'request-parameter-sunset-parse',
              message: `failed to parse ${unparsed.what} for the ${label}: ${JSON.stringify(unparsed.raw)}`,
              side: unparsed.side,
              node: unparsed.node,
              key: 'x-sunset',
            });
          else if (sh && sb && sh.getTime() < sb.getTime())
            emit({
              ...at,
              id: 'request-parameter-sunset-date-changed-too-small',
              message: `the ${label} sunset date changed to an earlier date, from ${String(rbS)} to ${String(rhS)}`,
              key: 'x-sunset',
            });
        }
      }
      compareSerialization(bp, hp, label, at);
      const sb = paramSchema(bp);
      const sh = paramSchema(hp);
      if (sb && sh) {
        const explode =
          hp.explode ?? (hp.style ?? (hp.in === 'query' || hp.in === 'cookie' ? 'form' : 'simple')) === 'form';
        const findings = differ.diff(sb, sh, 'request', { parameter: { in: hp.in, explode } });
        emitSchema(findings, { dir: 'request', where: 'parameter', in: hp.in, name: hp.name }, hop, `${ptr}/schema`);
      }
    }
    for (const [key, { param: hp, fromPathItem }] of hop.params) {
      if (bop.params.has(key)) continue;
      const label = `${hp.in} request parameter \`${hp.name}\``;
      const ptr = `/parameters/${escapePointer(String(hp.in))}/${escapePointer(hp.name)}`;
      const required = hp.required === true || hp.in === 'path';
      const at = { operation: hop, ptr, side: 'head' as const, node: hp };
      if (hp.in === 'path') {
        emit({ ...at, id: 'new-request-path-parameter', message: `added the new path request parameter ${hp.name}` });
      } else if (fromPathItem) {
        // oasdiff names a parameter added to the shared list of an existing path separately from one added to a
        // single operation; it breaks every operation of the path alike.
        emit({
          ...at,
          id: `new-${required ? 'required' : 'optional'}-request-default-parameter-to-existing-path`,
          message: `added the new ${required ? 'required' : 'optional'} ${label} to all operations of the path`,
        });
      } else {
        emit({
          ...at,
          id: required ? 'new-required-request-parameter' : 'new-optional-request-parameter',
          message: `added the new ${required ? 'required' : 'optional'} ${label}`,
        });
      }
    }
  }

  /** Whether media range `outer` (`application/*`, any type, `application/*+json`) covers the distinct type `inner`. */
  function mediaContains(outer: string, inner: string): boolean {
    const [ot, os = ''] = outer.split(';')[0].split('/');
    const [it, is = ''] = inner.split(';')[0].split('/');
    if (ot === it && os === is) return false;
    if (ot !== '*' && ot !== it) return false;
    if (os === '*') return true;
    const suffix = /^\*\+(.+)$/.exec(os);
    return suffix !== null && is.endsWith(`+${suffix[1]}`);
  }

  /** Media types by normalized name (lowercase, no spaces) -> [name as written, Media Type Object]. */
  function contentMap(c: unknown): Map<string, [string, Obj]> {
    const out = new Map<string, [string, Obj]>();
    if (isObj(c))
      for (const [k, v] of Object.entries(c)) if (isObj(v)) out.set(k.toLowerCase().replace(/\s+/g, ''), [k, v]);
    return out;
  }

  /**
   * Compares the media types of a request body or a response. A media type whose parameters changed
   * (`application/json` -> `application/json; charset=utf-8`) is the same content, renamed: its schemas are still
   * compared and the rename is reported on its own.
   */
  function compareContent(cB: unknown, cH: unknown, op: Operation, basePtr: string, dir: Direction, status?: string) {
    const mb = contentMap(cB);
    const mh = contentMap(cH);
    const essence = (ct: string) => ct.split(';')[0];
    const pairs: Array<[string, string]> = [];
    const removed = [...mb.keys()].filter((ct) => !mh.has(ct));
    const added = new Set([...mh.keys()].filter((ct) => !mb.has(ct)));
    for (const ct of mb.keys()) if (mh.has(ct)) pairs.push([ct, ct]);
    const what = dir === 'request' ? 'request-body' : 'response';
    const where = dir === 'request' ? 'the request body' : `the response with the status ${status}`;
    for (const ct of removed) {
      const renamed = [...added].filter((x) => essence(x) === essence(ct));
      if (renamed.length === 1) {
        added.delete(renamed[0]);
        pairs.push([ct, renamed[0]]);
        const [nameB] = mb.get(ct)!;
        const [nameH] = mh.get(renamed[0])!;
        emit({
          id: `${what}-media-type-name-changed`,
          level: 'WARN',
          message: `media type ${nameB} was changed to ${nameH} for ${where}`,
          operation: op,
          ptr: `${basePtr}/content/${escapePointer(nameH)}`,
          side: 'head',
          node: cH as Obj,
          key: nameH,
        });
        continue;
      }
      // A response media type replaced by one that contains it (`application/json` -> `application/*`) or that it
      // contains is the same content named more or less precisely.
      const wider = dir === 'response' ? [...added].filter((x) => mediaContains(x, ct) || mediaContains(ct, x)) : [];
      if (wider.length === 1) {
        added.delete(wider[0]);
        pairs.push([ct, wider[0]]);
        const [nameB] = mb.get(ct)!;
        const [nameH] = mh.get(wider[0])!;
        const general = mediaContains(wider[0], ct);
        emit({
          id: `response-media-type-name-${general ? 'generalized' : 'specialized'}`,
          message: `media type ${nameB} was ${general ? 'generalized' : 'specialized'} to ${nameH} for ${where}`,
          operation: op,
          ptr: `${basePtr}/content/${escapePointer(nameH)}`,
          side: 'head',
          node: cH as Obj,
          key: nameH,
        });
        continue;
      }
      const [name] = mb.get(ct)!;
      emit({
        id: `${what}-media-type-removed`,
        message: `removed the media type ${name} from ${where}`,
        operation: op,
        ptr: `${basePtr}/content/${escapePointer(name)}`,
        side: 'base',
        node: cB as Obj,
        key: name,
      });
    }
    for (const ct of added) {
      const [name] = mh.get(ct)!;
      emit({
        id: `${what}-media-type-added`,
        message: `added the media type ${name} to ${where}`,
        operation: op,
        ptr: `${basePtr}/content/${escapePointer(name)}`,
        side: 'head',
        node: cH as Obj,
        key: name,
      });
    }
    for (const [ctB, ctH] of pairs) {
      const [nameB, b] = mb.get(ctB)!;
      const [nameH, h] = mh.get(ctH)!;
      const place: SchemaPlace = { dir, where: 'body', status, mediaType: nameH };
      // `schema` types the whole body; the OpenAPI 3.2 `itemSchema` types each item of a streamed body.
      for (const [field, word] of [
        ['schema', 'schema'],
        ['itemSchema', 'item-schema'],
      ] as const) {
        const ptr = `${basePtr}/content/${escapePointer(nameH)}/${field}`;
        if (isObj(b[field]) && isObj(h[field])) {
          emitSchema(differ.diff(b[field], h[field], dir), place, op, ptr);
          continue;
        }
        if (!isObj(b[field]) && !isObj(h[field])) continue;
        // A schema appearing constrains what was free-form; one disappearing drops the guarantee.
        const added = isObj(h[field]);
        emit({
          id: `${dir === 'request' ? 'request' : 'response'}-body-media-type-${word}-${added ? 'added' : 'removed'}`,
          message: `${added ? 'added' : 'removed'} the ${field} ${added ? 'to' : 'from'} the media type ${added ? nameH : nameB} of ${where}`,
          operation: op,
          ptr,
          side: added ? 'head' : 'base',
          node: added ? h : b,
          key: field,
        });
      }
    }
  }

  function compareRequestBody(bb: unknown, hb: unknown, op: Operation) {
    if (!isObj(bb) && !isObj(hb)) return;
    if (isObj(bb) && !isObj(hb)) {
      emit({
        id: 'request-body-removed',
        message: 'request body removed',
        operation: op,
        ptr: '/requestBody',
        side: 'base',
        node: bb,
      });
      return;
    }
    if (!isObj(bb) && isObj(hb)) {
      const required = hb.required === true;
      emit({
        id: required ? 'request-body-added-required' : 'request-body-added-optional',
        message: `added ${required ? 'required' : 'optional'} request body`,
        operation: op,
        ptr: '/requestBody',
        side: 'head',
        node: hb,
      });
      return;
    }
    const b = bb as Obj;
    const h = hb as Obj;
    if (b.required !== true && h.required === true)
      emit({
        id: 'request-body-became-required',
        message: 'request body became required',
        operation: op,
        ptr: '/requestBody/required',
        side: 'head',
        node: h,
        key: 'required',
      });
    if (b.required === true && h.required !== true)
      emit({
        id: 'request-body-became-optional',
        message: 'request body became optional',
        operation: op,
        ptr: '/requestBody/required',
        side: 'head',
        node: h,
        key: 'required',
      });
    compareContent(b.content, h.content, op, '/requestBody', 'request');
  }

  function compareResponses(br: unknown, hr: unknown, op: Operation) {
    const b = isObj(br) ? br : {};
    const h = isObj(hr) ? hr : {};
    for (const [code, rb] of Object.entries(b)) {
      const rh = h[code];
      const ptr = `/responses/${escapePointer(code)}`;
      if (!isObj(rh)) {
        const ok = isSuccess(code);
        emit({
          id: ok ? 'response-success-status-removed' : 'response-non-success-status-removed',
          message: `removed the ${ok ? 'success' : 'non-success'} response with the status ${code}`,
          operation: op,
          ptr,
          side: 'base',
          node: b,
          key: code,
        });
        continue;
      }
      if (!isObj(rb)) continue;
      compareContent(rb.content, rh.content, op, ptr, 'response', code);
      const hb = new Map<string, [string, Obj]>();
      for (const [n, v] of Object.entries(isObj(rb.headers) ? rb.headers : {}))
        if (isObj(v)) hb.set(n.toLowerCase(), [n, v]);
      const hh = new Map<string, [string, Obj]>();
      for (const [n, v] of Object.entries(isObj(rh.headers) ? rh.headers : {}))
        if (isObj(v)) hh.set(n.toLowerCase(), [n, v]);
      for (const [k, [name, vb]] of hb) {
        const hptr = `${ptr}/headers/${escapePointer(name)}`;
        const vh = hh.get(k)?.[1];
        if (!vh) {
          const required = vb.required === true;
          emit({
            id: required ? 'required-response-header-removed' : 'optional-response-header-removed',
            message: `the ${required ? 'mandatory' : 'optional'} response header ${name} removed for the status ${code}`,
            operation: op,
            ptr: hptr,
            side: 'base',
            node: rb.headers,
            key: name,
          });
          continue;
        }
        if (vb.required === true && vh.required !== true)
          emit({
            id: 'response-header-became-optional',
            message: `the response header ${name} became optional for the status ${code}`,
            operation: op,
            ptr: hptr,
            side: 'head',
            node: vh,
          });
        const sb = paramSchema(vb);
        const sh = paramSchema(vh);
        if (sb && sh)
          emitSchema(
            differ.diff(sb, sh, 'response'),
            { dir: 'response', where: 'header', name, status: code },
            op,
            `${hptr}/schema`,
          );
      }
    }
    for (const [code, rh] of Object.entries(h)) {
      const rb = b[code];
      if (isObj(rb) && isObj(rh) && isObj(rh.headers)) {
        const known = new Set(Object.keys(isObj(rb.headers) ? rb.headers : {}).map((n) => n.toLowerCase()));
        for (const name of Object.keys(rh.headers)) {
          if (known.has(name.toLowerCase())) continue;
          emit({
            id: 'response-header-added',
            message: `added the response header ${name} for the status ${code}`,
            operation: op,
            ptr: `/responses/${escapePointer(code)}/headers/${escapePointer(name)}`,
            side: 'head',
            node: rh.headers,
            key: name,
          });
        }
      }
      if (code in b) continue;
      const ok = isSuccess(code);
      emit({
        id: ok ? 'response-success-status-added' : 'response-non-success-status-added',
        message: `added the ${ok ? 'success' : 'non-success'} response with the status ${code}`,
        operation: op,
        ptr: `/responses/${escapePointer(code)}`,
        side: 'head',
        node: isObj(rh) ? rh : h,
      });
    }
  }

  // --- document level: global security, security schemes, webhooks
  compareSecurity(bdoc.security, hdoc.security, undefined, bdoc);
  const ssb = isObj(bdoc.components?.securitySchemes) ? bdoc.components.securitySchemes : {};
  const ssh = isObj(hdoc.components?.securitySchemes) ? hdoc.components.securitySchemes : {};
  for (const [name, sb] of Object.entries(ssb)) {
    const sh = ssh[name];
    const ptr = `/components/securitySchemes/${escapePointer(name)}`;
    if (!isObj(sh)) {
      emit({
        id: 'api-security-component-removed',
        message: `removed the security scheme ${name}`,
        ptr,
        side: 'base',
        node: ssb,
        key: name,
      });
      continue;
    }
    if (!isObj(sb)) continue;
    if (sb.type !== sh.type)
      emit({
        id: 'api-security-component-type-changed',
        message: `the type of security scheme ${name} changed from ${sb.type} to ${sh.type}`,
        ptr,
        side: 'head',
        node: sh,
        key: 'type',
      });
    const flowsB = isObj(sb.flows) ? sb.flows : {};
    const flowsH = isObj(sh.flows) ? sh.flows : {};
    for (const [flow, fb] of Object.entries(flowsB)) {
      const fh = flowsH[flow];
      if (!isObj(fb) || !isObj(fh)) continue;
      for (const [field, what] of [
        ['authorizationUrl', 'oauth-url'],
        ['tokenUrl', 'oauth-token-url'],
      ] as const) {
        if (fb[field] === fh[field]) continue;
        emit({
          id: `api-security-component-${what}-changed`,
          message: `the ${field} of the ${flow} flow of security scheme ${name} changed from ${fb[field] ?? '(none)'} to ${fh[field] ?? '(none)'}`,
          ptr: `${ptr}/flows/${flow}/${field}`,
          side: 'head',
          node: fh,
          key: field,
        });
      }
      const scB = isObj(fb.scopes) ? fb.scopes : {};
      const scH = isObj(fh.scopes) ? fh.scopes : {};
      for (const [scope, text] of Object.entries(scB)) {
        if (!(scope in scH) || scH[scope] === text) continue;
        emit({
          id: 'api-security-component-oauth-scope-changed',
          message: `the description of scope ${scope} of the ${flow} flow of security scheme ${name} changed`,
          ptr: `${ptr}/flows/${flow}/scopes/${escapePointer(scope)}`,
          side: 'head',
          node: scH,
          key: scope,
        });
      }
      keyDiff(Object.keys(scB), Object.keys(scH), (scope, side) =>
        emit({
          id: `api-security-component-oauth-scope-${side === 'base' ? 'removed' : 'added'}`,
          message: `${side === 'base' ? 'removed the scope' : 'added the scope'} ${scope} ${side === 'base' ? 'from' : 'to'} the ${flow} flow of security scheme ${name}`,
          ptr: `${ptr}/flows/${flow}/scopes/${escapePointer(scope)}`,
          side,
          node: side === 'base' ? scB : scH,
          key: scope,
        }),
      );
    }
  }
  for (const name of Object.keys(ssh)) {
    if (!(name in ssb))
      emit({
        id: 'api-security-component-added',
        message: `added the security scheme ${name}`,
        ptr: `/components/securitySchemes/${escapePointer(name)}`,
        side: 'head',
        node: ssh,
        key: name,
      });
  }
  const csb = isObj(bdoc.components?.schemas) ? bdoc.components.schemas : {};
  const csh = isObj(hdoc.components?.schemas) ? hdoc.components.schemas : {};
  for (const name of Object.keys(csb)) {
    if (name in csh) continue;
    const ptr = `/components/schemas/${escapePointer(name)}`;
    emit({ id: 'api-schema-removed', message: `removed the schema ${name}`, ptr, side: 'base', node: csb, key: name });
  }
  const whb = isObj(bdoc.webhooks) ? bdoc.webhooks : {};
  const whh = isObj(hdoc.webhooks) ? hdoc.webhooks : {};
  keyDiff(Object.keys(whb), Object.keys(whh), (name, side) =>
    emit({
      id: side === 'base' ? 'webhook-removed' : 'webhook-added',
      message: `${side === 'base' ? 'removed' : 'added'} the webhook ${name}`,
      ptr: `/webhooks/${escapePointer(name)}`,
      side,
      node: side === 'base' ? whb : whh,
      key: name,
    }),
  );

  if (differ.truncated) {
    emit({
      id: 'schema-comparison-truncated',
      level: 'INFO',
      message: `schemas nested deeper than ${MAX_SCHEMA_DEPTH} levels were compared only down to that depth`,
      ptr: '',
      side: 'head',
    });
  }

  versionPolicy();

  /** Judges `info.version` against the breaking changes found, like oasdiff's versioning rules (INFO by default). */
  function versionPolicy() {
    // An invalid stability level is a property of the spec, reported on every run: not a change to version for.
    if (![...changes.values()].some((c) => c.level !== 'INFO' && c.id !== 'api-invalid-stability-level')) return;
    const vb = bdoc.info?.version;
    const vh = hdoc.info?.version;
    if (vb === undefined || vh === undefined) return;
    const at = {
      ptr: '/info/version',
      side: 'head' as const,
      node: isObj(hdoc.info) ? hdoc.info : undefined,
      key: 'version',
    };
    if (String(vb) === String(vh)) {
      emit({
        ...at,
        id: 'api-version-not-bumped',
        message: `a breaking change was detected but the version is still ${String(vh)}`,
      });
      return;
    }
    const parse = (v: unknown) =>
      /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/
        .exec(String(v))
        ?.slice(1, 4)
        .map((x) => Number(x ?? 0));
    const pb = parse(vb);
    const ph = parse(vh);
    if (!pb || !ph) return;
    const cmp = pb[0] - ph[0] || pb[1] - ph[1] || pb[2] - ph[2];
    if (cmp > 0)
      emit({
        ...at,
        id: 'api-version-decreased',
        message: `a breaking change was detected but the version decreased from ${String(vb)} to ${String(vh)}`,
      });
    else if (ph[0] <= pb[0])
      emit({
        ...at,
        id: 'api-major-version-not-bumped',
        message: `a breaking change was detected but the major version did not increase, from ${String(vb)} to ${String(vh)}`,
      });
  }

  const rank: Record<Level, number> = { ERR: 0, WARN: 1, INFO: 2 };
  let out = [...changes.values()];
  if (options.includeInfo === false) out = out.filter((c) => c.level !== 'INFO');
  return out.sort(
    (a, b) =>
      rank[a.level] - rank[b.level] ||
      a.operation.localeCompare(b.operation) ||
      a.id.localeCompare(b.id) ||
      a.path.localeCompare(b.path),
  );
}
