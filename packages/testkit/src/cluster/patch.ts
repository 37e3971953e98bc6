/**
 * The three patch formats the API server accepts: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and the
 * Kubernetes strategic merge patch with its directives (`$patch`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`,
 * `$retainKeys`) and the merge keys of the built-in types.
 */

/** A patch that cannot be applied: answered as 422 (JSON patch test/replace failures) or 400. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 422,
  ) {
    super(message);
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** A copy with object keys sorted at every level (Go's encoding of maps). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- JSON patch (RFC 6902)

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer: ${JSON.stringify(path)}`, 400);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, segs: string[]): { found: boolean; value?: unknown } {
  let cur: any = doc;
  for (const s of segs) {
    if (Array.isArray(cur)) {
      const i = Number(s);
      if (!/^\d+$/.test(s) || i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (isObj(cur)) {
      if (!Object.hasOwn(cur, s)) return { found: false };
      cur = cur[s];
    } else return { found: false };
  }
  return { found: true, value: cur };
}

function parentOf(doc: unknown, segs: string[], op: string, path: string): any {
  const p = getAt(doc, segs.slice(0, -1));
  if (!p.found || typeof p.value !== 'object' || p.value === null)
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return p.value;
}

/** Applies an RFC 6902 JSON patch and returns the new document. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  let root: any = clone(doc);
  for (const raw of ops) {
    if (!isObj(raw)) throw new PatchError('invalid JSON patch operation', 400);
    const op = raw.op as string;
    const path = raw.path as string;
    const segs = parsePointer(path);
    const setAt = (value: unknown, mode: 'add' | 'replace') => {
      if (!segs.length) {
        root = value;
        return;
      }
      const parent = parentOf(root, segs, mode, path);
      const last = segs[segs.length - 1];
      if (Array.isArray(parent)) {
        if (mode === 'add') {
          const i = last === '-' ? parent.length : Number(last);
          if (!/^\d+$|^-$/.test(last) || i > parent.length)
            throw new PatchError(`add operation does not apply: doc is missing path: "${path}": missing value`);
          parent.splice(i, 0, value);
        } else {
          const i = Number(last);
          if (!/^\d+$/.test(last) || i >= parent.length)
            throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
          parent[i] = value;
        }
      } else {
        if (mode === 'replace' && !Object.hasOwn(parent, last))
          throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        parent[last] = value;
      }
    };
    const removeAt = (p: string, s: string[]): unknown => {
      const parent = parentOf(root, s, 'remove', p);
      const last = s[s.length - 1];
      if (Array.isArray(parent)) {
        const i = Number(last);
        if (!/^\d+$/.test(last) || i >= parent.length)
          throw new PatchError(`remove operation does not apply: doc is missing path: "${p}": missing value`);
        return parent.splice(i, 1)[0];
      }
      if (!Object.hasOwn(parent, last))
        throw new PatchError(`remove operation does not apply: doc is missing path: "${p}": missing value`);
      const v = parent[last];
      delete parent[last];
      return v;
    };
    switch (op) {
      case 'add':
        setAt(clone(raw.value), 'add');
        break;
      case 'replace':
        setAt(clone(raw.value), 'replace');
        break;
      case 'remove':
        removeAt(path, segs);
        break;
      case 'test': {
        const got = getAt(root, segs);
        if (!got.found || !deepEqual(got.value, raw.value))
          throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      }
      case 'move':
      case 'copy': {
        const fromSegs = parsePointer(raw.from as string);
        const got = getAt(root, fromSegs);
        if (!got.found) throw new PatchError(`${op} operation does not apply: doc is missing from path: ${raw.from}`);
        const v = op === 'move' ? removeAt(raw.from as string, fromSegs) : clone(got.value);
        setAt(v, 'add');
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${op}`, 400);
    }
  }
  return root;
}

// ---------------------------------------------------------------- JSON merge patch (RFC 7386)

/** Applies an RFC 7386 JSON merge patch and returns the new document. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(doc) ? clone(doc) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------- strategic merge patch

/** How a list field merges: by a key field, as a set of primitives, or (absent) replaced whole. */
interface ListStrategy {
  mergeKey?: string;
  primitive?: boolean;
}

/**
 * Merge keys of the built-in types (the `patchStrategy:"merge" patchMergeKey:"…"` tags), by field name. `ports` has
 * two meanings, decided by the kind of the patched object: `port` in a Service spec, `containerPort` in a container.
 */
function listStrategy(kind: string, path: string[], field: string): ListStrategy | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
      return { mergeKey: 'name' };
    case 'ports':
      if (kind === 'Service' && path.length === 1 && path[0] === 'spec') return { mergeKey: 'port' };
      if (path.includes('containers') || path.includes('initContainers') || path.includes('ephemeralContainers'))
        return { mergeKey: 'containerPort' };
      return undefined;
    case 'volumeMounts':
      return { mergeKey: 'mountPath' };
    case 'volumeDevices':
      return { mergeKey: 'devicePath' };
    case 'hostAliases':
      return { mergeKey: 'ip' };
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' };
    case 'conditions':
      return path.length && path[path.length - 1] === 'status' ? { mergeKey: 'type' } : undefined;
    case 'ownerReferences':
      return { mergeKey: 'uid' };
    case 'finalizers':
      return path.length === 1 && path[0] === 'metadata' ? { primitive: true } : undefined;
    default:
      return undefined;
  }
}

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

function mergeList(
  kind: string,
  path: string[],
  field: string,
  original: unknown,
  patch: unknown[],
  order: unknown[] | undefined,
  deletePrimitives: unknown[] | undefined,
): unknown[] | undefined {
  const strategy = listStrategy(kind, path, field);
  const orig = Array.isArray(original) ? (original as unknown[]) : [];
  if (!strategy) {
    if (patch.some((e) => isObj(e) && e.$patch !== undefined))
      return patch.filter((e) => !(isObj(e) && e.$patch !== undefined)).map(clone);
    return clone(patch);
  }
  if (strategy.primitive) {
    let out = [...orig];
    for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
    if (deletePrimitives) out = out.filter((o) => !deletePrimitives.some((d) => deepEqual(d, o)));
    if (order) {
      const idx = (v: unknown) => {
        const i = order.findIndex((o) => deepEqual(o, v));
        return i < 0 ? Number.MAX_SAFE_INTEGER : i;
      };
      out.sort((a, b) => idx(a) - idx(b));
    }
    return out;
  }
  const key = strategy.mergeKey!;
  if (patch.some((e) => isObj(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isObj(e) && e.$patch === 'replace')).map(clone);
  }
  let out: unknown[] = orig.map(clone);
  for (const item of patch) {
    if (!isObj(item)) throw new PatchError(`the list of ${field} must contain objects with the merge key ${key}`, 400);
    const i = out.findIndex((o) => isObj(o) && deepEqual(o[key], item[key]));
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(kind, [...path, field], out[i], item);
    else out.push(strategicMerge(kind, [...path, field], undefined, item));
  }
  if (order) {
    const keys = order.map((o) => (isObj(o) ? o[key] : o));
    const idx = (v: unknown) => {
      const i = keys.findIndex((k) => deepEqual(k, isObj(v) ? v[key] : v));
      return i;
    };
    // Elements named in the order come in that order; server-only elements keep their place after their predecessor.
    const ordered = out.filter((v) => idx(v) >= 0).sort((a, b) => idx(a) - idx(b));
    const rest = out.filter((v) => idx(v) < 0);
    out = [...ordered, ...rest];
  }
  return out;
}

/**
 * Applies a strategic merge patch to `original` (an object of built-in `kind`) and returns the result, as the API
 * server's `strategicpatch.StrategicMergePatch` does.
 */
export function strategicMerge(kind: string, path: string[], original: unknown, patch: unknown): any {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const out = clone(patch);
    delete out.$patch;
    return stripDirectives(out);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, any> = isObj(original) ? clone(original) : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const merged = mergeList(
        kind,
        path,
        k,
        out[k],
        v,
        patch[SET_ORDER + k] as unknown[] | undefined,
        patch[DELETE_PRIMITIVE + k] as unknown[] | undefined,
      );
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    if (isObj(v)) {
      const merged = strategicMerge(kind, [...path, k], out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  // Directives for lists the patch itself does not carry.
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const f = k.slice(DELETE_PRIMITIVE.length);
      if (!Object.hasOwn(patch, f) && Array.isArray(out[f]) && Array.isArray(v))
        out[f] = (out[f] as unknown[]).filter((o) => !(v as unknown[]).some((d) => deepEqual(d, o)));
    }
    if (k.startsWith(SET_ORDER)) {
      const f = k.slice(SET_ORDER.length);
      if (!Object.hasOwn(patch, f) && Array.isArray(out[f]) && Array.isArray(v))
        out[f] = mergeList(kind, path, f, out[f], [], v as unknown[], undefined);
    }
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Record<string, any> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

/** Applies a strategic merge patch to a whole object of the given kind. */
export function applyStrategicMergePatch(kind: string, original: unknown, patch: unknown): unknown {
  if (!isObj(patch))
    throw new PatchError('json: cannot unmarshal array into Go value of type map[string]interface {}', 400);
  return strategicMerge(kind, [], original, patch);
}

function removalPatch(kind: string, path: string[], prev: unknown, next: unknown): Record<string, unknown> | undefined {
  if (!isObj(prev)) return undefined;
  const nextObj = isObj(next) ? next : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(prev)) {
    if (!Object.hasOwn(nextObj, k)) {
      out[k] = null;
      continue;
    }
    const n = nextObj[k];
    if (isObj(v) && isObj(n)) {
      const sub = removalPatch(kind, [...path, k], v, n);
      if (sub) out[k] = sub;
    } else if (Array.isArray(v) && Array.isArray(n)) {
      const strategy = listStrategy(kind, path, k);
      if (!strategy?.mergeKey) continue;
      const key = strategy.mergeKey;
      const items: unknown[] = [];
      for (const item of v) {
        if (!isObj(item)) continue;
        const match = n.find((x) => isObj(x) && deepEqual(x[key], item[key]));
        if (!match) items.push({ [key]: item[key], $patch: 'delete' });
        else {
          const sub = removalPatch(kind, [...path, k], item, match);
          if (sub) items.push({ ...sub, [key]: item[key] });
        }
      }
      if (items.length) out[k] = items;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Server-side apply, approximated: the fields this field manager applied last time and no longer applies are
 * removed, then the applied configuration is merged like a strategic merge patch. Conflicts between managers are
 * not detected.
 */
export function applyServerSideApply(kind: string, live: unknown, previousApplied: unknown, applied: unknown): unknown {
  let base = live;
  const removals = removalPatch(kind, [], previousApplied, applied);
  if (removals) base = strategicMerge(kind, [], base, removals);
  return strategicMerge(kind, [], base, applied);
}
