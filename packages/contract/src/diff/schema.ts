/**
 * Semantic comparison of two JSON Schemas (OpenAPI 3.0/3.1 flavour). Findings are relative to the schema pair
 * (a property path and pointer below it), so a component used by 300 operations is compared once and the
 * result is re-anchored per operation. Pairs are memoized by object identity; a pair met again while it is being
 * compared (a cycle) contributes nothing, which keeps recursive schemas finite.
 */

export type Direction = 'request' | 'response';
type Schema = Record<string, any>;

/** One schema-level difference, before it is named for a place (body, property, parameter). */
export interface Finding {
  /** Rule suffix, e.g. `max-length-decreased`; property existence uses `property-*` aspects. */
  aspect: string;
  /** Property path below the compared schema, e.g. `['data', 'items', 'id']`; empty = the schema itself. */
  props: string[];
  /** Pointer segments below the compared schema. */
  ptr: string[];
  /** Values for the message (from/to/value). */
  args: Record<string, unknown>;
  /** Which spec `node`/`key` belong to. */
  side: 'base' | 'head';
  node: object;
  key?: string;
}

/** Names a schema for matching `oneOf`/`anyOf`/`allOf` members across specs (component name when it has one). */
export type SchemaNamer = (schema: object) => string | undefined;

interface View {
  src: Schema;
  types?: Set<string>;
  nullable: boolean;
  properties: Map<string, Schema>;
  /** The `properties` object (and key) where each property is declared, for locations. */
  propOwner: Map<string, Schema>;
  required: Set<string>;
  requiredOwner?: Schema;
  /** Effective value and declaring object of every other keyword. */
  kw: Map<string, { value: any; owner: Schema }>;
}

const ANNOTATIONS = new Set([
  'description',
  'title',
  'example',
  'examples',
  'deprecated',
  'externalDocs',
  'summary',
  '$comment',
  'xml',
]);
const NUMERIC_LIMITS: Array<[string, string, 'upper' | 'lower']> = [
  ['maximum', 'max', 'upper'],
  ['minimum', 'min', 'lower'],
  ['maxLength', 'max-length', 'upper'],
  ['minLength', 'min-length', 'lower'],
  ['maxItems', 'max-items', 'upper'],
  ['minItems', 'min-items', 'lower'],
  ['maxProperties', 'max-properties', 'upper'],
  ['minProperties', 'min-properties', 'lower'],
  ['maxContains', 'max-contains', 'upper'],
  ['minContains', 'min-contains', 'lower'],
];

/** Deepest chain of nested schema comparisons followed. */
export const MAX_SCHEMA_DEPTH = 400;
/** Tightenings of a readOnly request property that oasdiff reports (INFO: the property is never sent). */
const READ_ONLY_REQUEST = new Set([
  'enum-value-removed',
  'max-decreased',
  'exclusive-max-decreased',
  'max-length-decreased',
  'min-increased',
  'exclusive-min-increased',
  'max-items-decreased',
  'max-properties-decreased',
]);

/** `x-stability-level` values, least stable first. */
const STABILITY = ['draft', 'alpha', 'beta', 'stable'];
/** Where `name` is listed in the `required` array of a view (for locations), or the schema itself. */
function requiredEntry(v: View, name: string): [object, string | undefined] {
  const list = v.requiredOwner?.required;
  const i = Array.isArray(list) ? list.indexOf(name) : -1;
  return i >= 0 ? [list, String(i)] : [v.src, 'required'];
}

const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const canon = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
};
/** Canonical text of a JSON value, key order ignored (enum values, defaults, const). */
export const canonical = canon;

function typesOf(s: Schema): { types?: Set<string>; nullable: boolean } {
  const t = s.type;
  let nullable = s.nullable === true || s['x-nullable'] === true;
  let types: Set<string> | undefined;
  if (typeof t === 'string') types = new Set([t]);
  else if (Array.isArray(t)) types = new Set(t.filter((x): x is string => typeof x === 'string'));
  if (types?.has('null')) {
    nullable = true;
    types.delete('null');
    if (types.size === 0) types = undefined;
  }
  return { types, nullable };
}

/** A schema with exactly one type and no structure of its own: one entry of a list of types. */
function plainType(s: unknown): string | undefined {
  if (!isObj(s) || s.properties || s.oneOf || s.anyOf || s.allOf) return undefined;
  const t = s.type;
  if (typeof t === 'string') return t;
  return Array.isArray(t) && t.length === 1 && typeof t[0] === 'string' ? t[0] : undefined;
}

/** The types a schema allows when it is a single type or a oneOf/anyOf list of plain types (`list` names which). */
function typePattern(s: Schema): { types: Set<string>; list?: 'oneOf' | 'anyOf' } | undefined {
  const t = s.type;
  const first = typeof t === 'string' ? t : Array.isArray(t) && typeof t[0] === 'string' ? t[0] : undefined;
  if (first) return { types: new Set([first]) };
  for (const k of ['oneOf', 'anyOf'] as const) {
    const list = s[k];
    if (!Array.isArray(list) || !list.length) continue;
    const types = list.map(plainType);
    if (types.every((x): x is string => x !== undefined)) return { types: new Set(types), list: k };
  }
  return undefined;
}

/**
 * Compares schemas; one instance per (base spec, head spec) pair so memoized results are reused across operations.
 */
export class SchemaDiffer {
  private readonly memo = {
    request: new WeakMap<object, WeakMap<object, Finding[]>>(),
    response: new WeakMap<object, WeakMap<object, Finding[]>>(),
  };
  private readonly active = {
    request: new WeakMap<object, WeakSet<object>>(),
    response: new WeakMap<object, WeakSet<object>>(),
  };
  private readonly views = new WeakMap<object, View>();
  private depth = 0;
  /** Set when a comparison stopped at {@link MAX_SCHEMA_DEPTH} nested schemas. */
  truncated = false;
  private readonly viewing = new WeakSet<object>();

  constructor(
    private readonly nameBase: SchemaNamer,
    private readonly nameHead: SchemaNamer,
  ) {}

  /** Effective schema with `allOf` merged in, so restructuring an `allOf` compares as what it means. */
  view(s: Schema): View {
    const hit = this.views.get(s);
    if (hit) return hit;
    const { types, nullable } = typesOf(s);
    const v: View = {
      src: s,
      types,
      nullable,
      properties: new Map(),
      propOwner: new Map(),
      required: new Set(),
      kw: new Map(),
    };
    if (isObj(s.properties)) {
      for (const [k, p] of Object.entries(s.properties)) {
        if (isObj(p)) {
          v.properties.set(k, p);
          v.propOwner.set(k, s.properties);
        }
      }
    }
    if (Array.isArray(s.required)) {
      for (const r of s.required) if (typeof r === 'string') v.required.add(r);
      v.requiredOwner = s;
    }
    for (const [k, val] of Object.entries(s)) {
      if (k !== 'properties' && k !== 'required' && k !== 'type' && k !== 'allOf')
        v.kw.set(k, { value: val, owner: s });
    }
    if (Array.isArray(s.allOf) && !this.viewing.has(s)) {
      this.viewing.add(s);
      for (const m of s.allOf) {
        if (!isObj(m)) continue;
        const mv = this.view(m);
        if (mv.types) v.types = v.types ? new Set([...v.types].filter((t) => mv.types!.has(t))) : new Set(mv.types);
        if (mv.nullable && s.nullable === undefined) v.nullable = v.nullable || (s.allOf.length === 1 && mv.nullable);
        for (const [k, p] of mv.properties) {
          const mine = v.properties.get(k);
          if (!mine) {
            v.properties.set(k, p);
            v.propOwner.set(k, mv.propOwner.get(k)!);
          } else if (mine !== p) {
            // Both sides constrain the property: the value must satisfy both.
            v.properties.set(k, { allOf: [mine, p] });
          }
        }
        for (const r of mv.required) v.required.add(r);
        if (!v.requiredOwner && mv.requiredOwner) v.requiredOwner = mv.requiredOwner;
        for (const [k, e] of mv.kw) {
          const mine = v.kw.get(k);
          if (!mine) v.kw.set(k, e);
          else {
            const lim = NUMERIC_LIMITS.find(([name]) => name === k);
            if (lim && typeof mine.value === 'number' && typeof e.value === 'number') {
              const tighter = lim[2] === 'upper' ? e.value < mine.value : e.value > mine.value;
              if (tighter) v.kw.set(k, e);
            }
          }
        }
      }
      this.viewing.delete(s);
    }
    this.views.set(s, v);
    return v;
  }

  /**
   * Differences between a base and a head schema, read in `dir` (request: tightening breaks; response: loosening
   * breaks).
   * @param b base schema. @param h head schema. @param dir which side of the exchange the schema describes.
   */
  diff(b: Schema, h: Schema, dir: Direction, opts: { parameter?: { in: string; explode: boolean } } = {}): Finding[] {
    if (!isObj(b) || !isObj(h)) return [];
    const cacheable = !opts.parameter;
    let byB = this.memo[dir].get(b);
    const cached = cacheable ? byB?.get(h) : undefined;
    if (cached) return cached;
    let act = this.active[dir].get(b);
    if (act?.has(h)) return [];
    if (!act) this.active[dir].set(b, (act = new WeakSet()));
    // Distinct (non-cyclic) nesting this deep only comes from generated chains of components; stopping keeps the
    // JS stack safe, and `truncated` lets the caller say so.
    if (this.depth >= MAX_SCHEMA_DEPTH) {
      this.truncated = true;
      return [];
    }
    act.add(h);
    this.depth++;
    let out: Finding[];
    try {
      out = this.compare(b, h, dir, opts);
    } finally {
      this.depth--;
      act.delete(h);
    }
    if (cacheable) {
      if (!byB) this.memo[dir].set(b, (byB = new WeakMap()));
      byB.set(h, out);
    }
    return out;
  }

  private compare(
    b: Schema,
    h: Schema,
    dir: Direction,
    opts: { parameter?: { in: string; explode: boolean } },
  ): Finding[] {
    const out: Finding[] = [];
    const vb = this.view(b);
    const vh = this.view(h);
    const req = dir === 'request';
    const add = (aspect: string, args: Record<string, unknown>, side: 'base' | 'head', node: object, key?: string) =>
      out.push({ aspect, props: [], ptr: key ? [key] : [], args, side, node, key });
    const kwNode = (v: View, k: string) => v.kw.get(k)?.owner ?? v.src;
    const val = (v: View, k: string) => v.kw.get(k)?.value;

    // --- type and format
    if (vb.types && vh.types) {
      const fb = val(vb, 'format');
      const fh = val(vh, 'format');
      const sameTypes = vb.types.size === vh.types.size && [...vb.types].every((t) => vh.types!.has(t));
      const tb = [...vb.types].sort().join('/');
      const th = [...vh.types].sort().join('/');
      if (!sameTypes) {
        const widened = (from: Set<string>, to: Set<string>) =>
          [...from].every((t) => to.has(t) || (t === 'integer' && to.has('number')));
        let generalized = req ? widened(vb.types, vh.types) : widened(vh.types, vb.types);
        // A form-exploded query value `a` is also a one-element array, so scalar -> array of a wider item type is safe.
        if (
          !generalized &&
          req &&
          opts.parameter?.explode &&
          vh.types.size === 1 &&
          vh.types.has('array') &&
          !vb.types.has('array')
        ) {
          const items = isObj(val(vh, 'items')) ? this.view(val(vh, 'items')) : undefined;
          const itemTypes = items?.types;
          const constrained =
            items &&
            ['enum', 'pattern', 'maxLength', 'minLength', 'maximum', 'minimum', 'format', 'const'].some((k) =>
              items.kw.has(k),
            );
          generalized = !constrained && (!itemTypes || itemTypes.has('string') || widened(vb.types, itemTypes));
        }
        // Where values travel as text (parameters, non-JSON bodies) any value can also be read as a string.
        const wider = req ? vh.types : vb.types;
        const looseOk = wider.size === 1 && wider.has('string');
        add(
          generalized ? (req ? 'type-generalized' : 'type-specialized') : 'type-changed',
          { what: 'type/format', from: tb, to: th, fromFormat: fb, toFormat: fh, looseOk },
          'head',
          kwNode(vh, 'type'),
          'type',
        );
        if (!generalized) {
          // Becoming an enum is its own change in oasdiff, reported next to the type change.
          if (req && Array.isArray(val(vh, 'enum')) && !Array.isArray(val(vb, 'enum')))
            add('became-enum', { values: val(vh, 'enum') }, 'head', kwNode(vh, 'enum'), 'enum');
          return out;
        }
      } else if (fb !== fh && fb !== undefined && fh !== undefined) {
        const widerInt = (f1: string, f2: string) =>
          (f1 === 'int32' && f2 === 'int64') ||
          (f1 === 'float' && f2 === 'double') ||
          ((f1 === 'int32' || f1 === 'int64') && f2 === 'bigint') ||
          ((f1 === 'date' || f1 === 'time') && f2 === 'date-time');
        const ok = req ? widerInt(fb, fh) : widerInt(fh, fb);
        add(
          ok ? (req ? 'type-generalized' : 'type-specialized') : 'type-changed',
          { what: 'format', from: `${tb}/${fb}`, to: `${th}/${fh}` },
          'head',
          kwNode(vh, 'format'),
          'format',
        );
      } else if (fb === undefined && fh !== undefined && req && !['int32', 'int64', 'float', 'double'].includes(fh)) {
        add('type-changed', { what: 'format', from: tb, to: `${th}/${fh}` }, 'head', kwNode(vh, 'format'), 'format');
      } else if (fb !== undefined && fh === undefined && req) {
        // Dropping a format accepts every value the format allowed and more.
        add(
          'type-generalized',
          { what: 'format', from: `${tb}/${fb}`, to: th },
          'base',
          kwNode(vb, 'format'),
          'format',
        );
      }
    }

    // --- nullable
    if (vb.nullable !== vh.nullable)
      add(
        vh.nullable ? 'became-nullable' : 'became-not-nullable',
        {},
        'head',
        vh.src,
        vh.src.nullable !== undefined ? 'nullable' : 'type',
      );

    // --- enum
    const eb = val(vb, 'enum');
    const eh = val(vh, 'enum');
    if (Array.isArray(eh) && !Array.isArray(eb)) {
      if (req) add('became-enum', { values: eh }, 'head', kwNode(vh, 'enum'), 'enum');
    } else if (Array.isArray(eb) && !Array.isArray(eh)) {
      if (!req) add('became-not-enum', {}, 'base', kwNode(vb, 'enum'), 'enum');
    } else if (Array.isArray(eb) && Array.isArray(eh)) {
      const sb = new Map(eb.map((x) => [canon(x), x]));
      const sh = new Map(eh.map((x) => [canon(x), x]));
      // Located at the value itself, so the annotation lands on the removed/added line.
      eb.forEach((x, i) => {
        if (!sh.has(canon(x)))
          out.push({
            aspect: 'enum-value-removed',
            props: [],
            ptr: ['enum'],
            args: { value: x },
            side: 'base',
            node: eb,
            key: String(i),
          });
      });
      eh.forEach((x, i) => {
        if (!sb.has(canon(x)))
          out.push({
            aspect: 'enum-value-added',
            props: [],
            ptr: ['enum'],
            args: { value: x },
            side: 'head',
            node: eh,
            key: String(i),
          });
      });
    }
    const xb = val(vb, 'x-extensible-enum');
    const xh = val(vh, 'x-extensible-enum');
    if (Array.isArray(xb) && Array.isArray(xh)) {
      const sh = new Set(xh.map(canon));
      xb.forEach((x, i) => {
        if (sh.has(canon(x))) return;
        out.push({
          aspect: 'x-extensible-enum-value-removed',
          props: [],
          ptr: ['x-extensible-enum'],
          args: { value: x },
          side: 'base',
          node: xb,
          key: String(i),
        });
      });
    }

    // --- const and default
    for (const k of ['const', 'default'] as const) {
      const a = val(vb, k);
      const c = val(vh, k);
      const name = k === 'const' ? 'const' : 'default-value';
      if (a !== undefined && c !== undefined && canon(a) !== canon(c))
        add(`${name}-changed`, { from: a, to: c }, 'head', kwNode(vh, k), k);
      else if (a === undefined && c !== undefined) add(`${name}-added`, { value: c }, 'head', kwNode(vh, k), k);
      else if (a !== undefined && c === undefined) add(`${name}-unset`, { value: a }, 'base', kwNode(vb, k), k);
    }

    // --- numeric limits (3.0 boolean exclusive flags ride along with their bound)
    for (const [k, name, kind] of NUMERIC_LIMITS) {
      const a = val(vb, k);
      const c = val(vh, k);
      if (typeof c === 'number' && typeof a !== 'number') {
        if (kind === 'upper' || c > 0) add(`${name}-set`, { value: c }, 'head', kwNode(vh, k), k);
      } else if (typeof a === 'number' && typeof c === 'number' && a !== c) {
        add(`${name}-${c > a ? 'increased' : 'decreased'}`, { from: a, to: c }, 'head', kwNode(vh, k), k);
      } else if (typeof a === 'number' && c === undefined) {
        add(`${name}-unset`, { value: a }, 'base', kwNode(vb, k), k);
      }
    }
    for (const [k, name] of [
      ['exclusiveMinimum', 'exclusive-min'],
      ['exclusiveMaximum', 'exclusive-max'],
    ] as const) {
      const a = val(vb, k);
      const c = val(vh, k);
      if (typeof a === 'number' && typeof c === 'number' && a !== c)
        add(`${name}-${c > a ? 'increased' : 'decreased'}`, { from: a, to: c }, 'head', kwNode(vh, k), k);
      else if (typeof c === 'number' && typeof a !== 'number')
        add(`${name}-set`, { value: c }, 'head', kwNode(vh, k), k);
      else if (a === false || a === undefined) {
        if (c === true) add(`${name}-set`, { value: true }, 'head', kwNode(vh, k), k);
      }
    }

    // --- multipleOf: a divisor of the old step accepts more values, a multiple of it fewer
    const mb = val(vb, 'multipleOf');
    const mh = val(vh, 'multipleOf');
    if (typeof mb !== 'number' && typeof mh === 'number') {
      if (req) add('multiple-of-set', { value: mh }, 'head', kwNode(vh, 'multipleOf'), 'multipleOf');
    } else if (typeof mb === 'number' && typeof mh !== 'number') {
      add('multiple-of-unset', { value: mb }, 'base', kwNode(vb, 'multipleOf'), 'multipleOf');
    } else if (typeof mb === 'number' && typeof mh === 'number' && mb !== mh && mb > 0 && mh > 0) {
      // b is an integer multiple of a (0.3 over 0.1 counts, despite binary floating point).
      const divides = (a: number, b: number) =>
        Math.abs(b / a - Math.round(b / a)) <= 1e-9 * Math.max(Math.abs(b / a), 1);
      const aspect =
        req && divides(mh, mb)
          ? 'multiple-of-generalized'
          : !req && divides(mb, mh)
            ? 'multiple-of-specialized'
            : 'multiple-of-changed';
      add(aspect, { from: mb, to: mh }, 'head', kwNode(vh, 'multipleOf'), 'multipleOf');
    }

    // --- uniqueItems
    const ub = val(vb, 'uniqueItems') === true;
    const uh = val(vh, 'uniqueItems') === true;
    if (!ub && uh && req) add('unique-items-set', {}, 'head', kwNode(vh, 'uniqueItems'), 'uniqueItems');
    else if (ub && !uh) add('unique-items-unset', {}, 'base', kwNode(vb, 'uniqueItems'), 'uniqueItems');

    // --- pattern
    const pb = val(vb, 'pattern');
    const ph = val(vh, 'pattern');
    if (pb === undefined && typeof ph === 'string')
      add('pattern-added', { value: ph }, 'head', kwNode(vh, 'pattern'), 'pattern');
    else if (typeof pb === 'string' && ph === undefined)
      add('pattern-removed', { value: pb }, 'base', kwNode(vb, 'pattern'), 'pattern');
    else if (typeof pb === 'string' && typeof ph === 'string' && pb !== ph) {
      const general = ph === '.*' || ph === '^.*$';
      add(
        general ? 'pattern-generalized' : 'pattern-changed',
        { from: pb, to: ph },
        'head',
        kwNode(vh, 'pattern'),
        'pattern',
      );
    }

    // --- content* (3.1 string-encoded content)
    for (const [k, name] of [
      ['contentMediaType', 'content-media-type'],
      ['contentEncoding', 'content-encoding'],
    ] as const) {
      const a = val(vb, k);
      const c = val(vh, k);
      if (a !== undefined && c !== undefined && a !== c)
        add(`${name}-changed`, { from: a, to: c }, 'head', kwNode(vh, k), k);
      else if (a === undefined && c !== undefined) add(`${name}-added`, { value: c }, 'head', kwNode(vh, k), k);
      else if (a !== undefined && c === undefined) add(`${name}-unset`, { value: a }, 'base', kwNode(vb, k), k);
    }

    // --- discriminator
    const db = val(vb, 'discriminator');
    const dh = val(vh, 'discriminator');
    if (!isObj(db) && isObj(dh)) add('discriminator-added', {}, 'head', kwNode(vh, 'discriminator'), 'discriminator');
    else if (isObj(db) && !isObj(dh))
      add('discriminator-removed', {}, 'base', kwNode(vb, 'discriminator'), 'discriminator');
    else if (isObj(db) && isObj(dh)) {
      if (db.propertyName !== dh.propertyName)
        add(
          'discriminator-property-name-changed',
          { from: db.propertyName, to: dh.propertyName },
          'head',
          dh,
          'propertyName',
        );
      const mb = isObj(db.mapping) ? db.mapping : {};
      const mh = isObj(dh.mapping) ? dh.mapping : {};
      const addedKeys = Object.keys(mh).filter((k) => !(k in mb));
      const deletedKeys = Object.keys(mb).filter((k) => !(k in mh));
      const changedKeys = Object.keys(mb).filter(
        (k) => k in mh && String(mb[k]).split('/').pop() !== String(mh[k]).split('/').pop(),
      );
      if (addedKeys.length) add('discriminator-mapping-added', { value: addedKeys }, 'head', dh, 'mapping');
      if (deletedKeys.length) add('discriminator-mapping-deleted', { value: deletedKeys }, 'base', db, 'mapping');
      if (changedKeys.length) add('discriminator-mapping-changed', { value: changedKeys }, 'head', dh, 'mapping');
    }

    // --- dependentRequired
    const drb = val(vb, 'dependentRequired');
    const drh = val(vh, 'dependentRequired');
    if (isObj(drb) || isObj(drh)) {
      const a = isObj(drb) ? drb : {};
      const c = isObj(drh) ? drh : {};
      for (const k of Object.keys(c)) {
        if (!(k in a))
          add('dependent-required-added', { value: k }, 'head', kwNode(vh, 'dependentRequired'), 'dependentRequired');
        else if (canon([...(a[k] ?? [])].sort()) !== canon([...(c[k] ?? [])].sort()))
          add('dependent-required-changed', { value: k }, 'head', kwNode(vh, 'dependentRequired'), 'dependentRequired');
      }
      for (const k of Object.keys(a))
        if (!(k in c))
          add('dependent-required-removed', { value: k }, 'base', kwNode(vb, 'dependentRequired'), 'dependentRequired');
    }

    // --- keyword-schemas that only exist or not: added/removed, otherwise compared below
    const presence: Array<[string, string]> = [
      ['contains', 'contains'],
      ['propertyNames', 'property-names'],
      ['contentSchema', 'content-schema'],
      ['unevaluatedItems', 'unevaluated-items'],
      ['unevaluatedProperties', 'unevaluated-properties'],
      ['not', 'not'],
    ];
    for (const [k, name] of presence) {
      const a = val(vb, k);
      const c = val(vh, k);
      const has = (x: unknown) => x !== undefined && x !== true;
      if (has(a) && !has(c)) add(`${name}-removed`, {}, 'base', kwNode(vb, k), k);
      else if (!has(a) && has(c)) add(`${name}-added`, {}, 'head', kwNode(vh, k), k);
      else if (isObj(a) && isObj(c)) this.nest(out, this.diff(a, c, dir), [], [k]);
    }
    for (const k of ['if', 'then', 'else']) {
      const a = val(vb, k);
      const c = val(vh, k);
      // A conditional that appears carries new constraints (narrows what is valid); one that goes loosens it.
      if (isObj(c) && isObj(a)) this.nest(out, this.diff(a, c, dir), [], [k]);
      else if (isObj(c) && a === undefined) add(`${k}-added`, {}, 'head', kwNode(vh, k), k);
      else if (isObj(a) && c === undefined) add(`${k}-removed`, {}, 'base', kwNode(vb, k), k);
    }
    for (const k of ['dependentSchemas', 'patternProperties'] as const) {
      const a = isObj(val(vb, k)) ? val(vb, k) : {};
      const c = isObj(val(vh, k)) ? val(vh, k) : {};
      const name = k === 'dependentSchemas' ? 'dependent-schema' : 'pattern-property';
      for (const p of Object.keys(a)) {
        if (!(p in c)) add(`${name}-removed`, { value: p }, 'base', kwNode(vb, k), k);
        else if (isObj(a[p]) && isObj(c[p])) this.nest(out, this.diff(a[p], c[p], dir), [], [k, p]);
      }
      for (const p of Object.keys(c)) if (!(p in a)) add(`${name}-added`, { value: p }, 'head', kwNode(vh, k), k);
    }
    const pib = val(vb, 'prefixItems');
    const pih = val(vh, 'prefixItems');
    if (Array.isArray(pib) && !Array.isArray(pih))
      add('prefix-items-removed', {}, 'base', kwNode(vb, 'prefixItems'), 'prefixItems');
    else if (!Array.isArray(pib) && Array.isArray(pih))
      add('prefix-items-added', {}, 'head', kwNode(vh, 'prefixItems'), 'prefixItems');
    else if (Array.isArray(pib) && Array.isArray(pih)) {
      pib.forEach((s, i) => {
        if (isObj(s) && isObj(pih[i]))
          this.nest(out, this.diff(s, pih[i], dir), [`prefixItems[${i}]`], ['prefixItems', String(i)]);
      });
    }

    // --- composition (a oneOf/anyOf of plain types is a list of types, graded by which types came and went)
    if (!this.compareListOfTypes(b, h, dir, out)) {
      const unionFindings = this.compareComposition(b, h, vb, vh, dir, out);
      if (unionFindings === 'wrapped') return out;
    }

    // --- items and additionalProperties
    const ib = val(vb, 'items');
    const ih = val(vh, 'items');
    if (isObj(ib) && isObj(ih)) this.nest(out, this.diff(ib, ih, dir), ['items'], ['items']);
    const ab = val(vb, 'additionalProperties');
    const ah = val(vh, 'additionalProperties');
    if (isObj(ab) && isObj(ah))
      this.nest(out, this.diff(ab, ah, dir), ['additionalProperties'], ['additionalProperties']);

    // --- properties
    this.compareProperties(vb, vh, dir, out);

    // allOf list changes only matter when the merged meaning changed (restructuring alone is not a change).
    // Moving keywords into or out of an allOf is restructuring; adding/removing members of an existing allOf is
    // reported as oasdiff does.
    const meaningChanged = out.some((f) => !f.aspect.startsWith('all-of'));
    const restructured = !Array.isArray(b.allOf) || !b.allOf.length || !Array.isArray(h.allOf) || !h.allOf.length;
    if (!meaningChanged && restructured) {
      for (let i = out.length - 1; i >= 0; i--)
        if (out[i].aspect === 'all-of-added' || out[i].aspect === 'all-of-removed') out.splice(i, 1);
    }
    return out;
  }

  /**
   * The "list of types" design: `type: string` <-> `oneOf: [{type: string}, {type: integer}]` (or anyOf), where every
   * alternative is a plain single-type schema. oasdiff grades such a change by the types added and removed (a request
   * loses senders with each type dropped, a response surprises readers with each type added) instead of as a
   * oneOf/anyOf change. Reports and returns true when the pair is such a change.
   */
  private compareListOfTypes(b: Schema, h: Schema, dir: Direction, out: Finding[]): boolean {
    const pb = typePattern(b);
    const ph = typePattern(h);
    if (!pb || !ph || (!pb.list && !ph.list)) return false;
    const came = [...ph.types].filter((t) => !pb.types.has(t));
    const gone = [...pb.types].filter((t) => !ph.types.has(t));
    // The same plain types moved between oneOf, anyOf and `type` allow the same values; under the same keyword the
    // alternatives are compared one by one as usual.
    if (!came.length && !gone.length) return pb.list !== ph.list;
    const narrowed = dir === 'request' ? gone.length > 0 : came.length === 0;
    const key = ph.list ? ph.list : 'type';
    out.push({
      aspect: narrowed ? 'list-of-types-narrowed' : 'list-of-types-widened',
      props: [],
      ptr: [key],
      args: { value: (narrowed ? gone : came).join(', ') },
      side: 'head',
      node: h,
      key,
    });
    return true;
  }

  private compareComposition(
    b: Schema,
    h: Schema,
    vb: View,
    vh: View,
    dir: Direction,
    out: Finding[],
  ): 'wrapped' | void {
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const lb: Schema[] = Array.isArray(b[k]) ? b[k].filter(isObj) : [];
      const lh: Schema[] = Array.isArray(h[k]) ? h[k].filter(isObj) : [];
      const name = k === 'allOf' ? 'all-of' : k === 'anyOf' ? 'any-of' : 'one-of';
      if (
        k === 'oneOf' &&
        lb.length === 0 &&
        lh.length > 0 &&
        (vb.types || vb.properties.size) &&
        !isObj(h.properties)
      ) {
        // The old shape became one alternative among several: a sender of the old shape may now match none or
        // several alternatives; a reader may get an alternative it does not know.
        const preserved = lh.some((m) => this.diff(b, m, dir).length === 0);
        const aspect = preserved ? 'wrapped-in-one-of-original-preserved' : 'wrapped-in-one-of';
        out.push({ aspect, props: [], ptr: ['oneOf'], args: {}, side: 'head', node: h, key: 'oneOf' });
        return 'wrapped';
      }
      if (!lb.length && !lh.length) continue;
      const matchedH = new Set<number>();
      const pairs: Array<[number, number]> = [];
      lb.forEach((m, i) => {
        const n = this.nameBase(m);
        const j = lh.findIndex((x, jj) => !matchedH.has(jj) && n !== undefined && this.nameHead(x) === n);
        if (j >= 0) {
          matchedH.add(j);
          pairs.push([i, j]);
        }
      });
      lb.forEach((m, i) => {
        if (pairs.some(([x]) => x === i)) return;
        const j = lh.findIndex((x, jj) => !matchedH.has(jj) && this.diff(m, x, dir).length === 0);
        if (j >= 0) {
          matchedH.add(j);
          pairs.push([i, j]);
        }
      });
      // oasdiff's special case: when exactly one inline member is left on each side and neither has a title, the
      // two are the same member, modified (not one removed and another added).
      const inline = (name: string | undefined) => name === undefined || name.startsWith('title:');
      const leftB = lb.flatMap((m, i) => (!pairs.some(([x]) => x === i) && inline(this.nameBase(m)) ? [i] : []));
      const leftH = lh.flatMap((m, j) => (!matchedH.has(j) && inline(this.nameHead(m)) ? [j] : []));
      if (
        leftB.length === 1 &&
        leftH.length === 1 &&
        this.nameBase(lb[leftB[0]]) === undefined &&
        this.nameHead(lh[leftH[0]]) === undefined
      ) {
        matchedH.add(leftH[0]);
        pairs.push([leftB[0], leftH[0]]);
      }
      lb.forEach((m, i) => {
        if (pairs.some(([x]) => x === i)) return;
        const annotationOnly = Object.keys(m).every((x) => ANNOTATIONS.has(x) || x.startsWith('x-'));
        out.push({
          aspect: annotationOnly && k === 'allOf' ? 'all-of-removed-annotation-only' : `${name}-removed`,
          props: [],
          ptr: [k],
          args: { value: this.nameBase(m) ?? `#${i}` },
          side: 'base',
          node: b,
          key: k,
        });
      });
      lh.forEach((m, j) => {
        if (matchedH.has(j)) return;
        const annotationOnly = Object.keys(m).every((x) => ANNOTATIONS.has(x) || x.startsWith('x-'));
        out.push({
          aspect: annotationOnly && k === 'allOf' ? 'all-of-added-annotation-only' : `${name}-added`,
          props: [],
          ptr: [k],
          args: { value: this.nameHead(m) ?? `#${j}` },
          side: 'head',
          node: h,
          key: k,
        });
      });
      if (k !== 'allOf') {
        for (const [i, j] of pairs) {
          const label = this.nameHead(lh[j]) ?? `#${j}`;
          this.nest(out, this.diff(lb[i], lh[j], dir), [`${k}[${label}]`], [k, String(j)]);
        }
      }
    }
  }

  private compareProperties(vb: View, vh: View, dir: Direction, out: Finding[]): void {
    const req = dir === 'request';
    // A readOnly property is never sent in a request, a writeOnly one never received in a response.
    const hidden = (p: Schema) => (req ? p.readOnly === true : p.writeOnly === true);
    const push = (aspect: string, name: string, side: 'base' | 'head', node: object, key?: string, args = {}) =>
      out.push({ aspect, props: [name], ptr: ['properties', name], args, side, node, key });
    for (const [name, pb] of vb.properties) {
      const ph = vh.properties.get(name);
      const rb = vb.required.has(name);
      const locB = vb.propOwner.get(name) ?? vb.src;
      if (!ph) {
        if (req) {
          if (!hidden(pb)) push('property-removed', name, 'base', locB, name, { required: rb });
        } else if (hidden(pb)) {
          // A writeOnly property was never in responses, so removing it changes nothing a reader sees.
          push(`${rb ? 'required' : 'optional'}-write-only-property-removed`, name, 'base', locB, name);
        } else {
          push(rb ? 'required-property-removed' : 'optional-property-removed', name, 'base', locB, name);
        }
        continue;
      }
      const rh = vh.required.has(name);
      const locH = vh.propOwner.get(name) ?? vh.src;
      const reqNode = vh.requiredOwner ?? vh.src;
      if (req) {
        if (!rb && rh && !hidden(ph)) {
          push(
            ph.default !== undefined ? 'property-became-required-with-default' : 'property-became-required',
            name,
            'head',
            reqNode,
            'required',
          );
        } else if (rb && !rh && !hidden(pb)) {
          push('property-became-optional', name, 'base', ...requiredEntry(vb, name));
        }
      } else {
        const effB = rb && !hidden(pb);
        const effH = rh && !hidden(ph);
        // A writeOnly flip is reported as such below, not as a change of requiredness.
        if (effB && !effH && !(rh && hidden(ph)))
          push('property-became-optional', name, 'base', ...requiredEntry(vb, name));
        else if (!effB && effH && !(rb && hidden(pb)))
          push('property-became-required', name, 'head', reqNode, 'required');
      }
      for (const [flag, word] of [
        ['readOnly', 'read-only'],
        ['writeOnly', 'write-only'],
      ] as const) {
        const fb = pb[flag] === true;
        const fh = ph[flag] === true;
        if (fb !== fh)
          push(`${rh ? 'required' : 'optional'}-property-became-${fh ? '' : 'not-'}${word}`, name, 'head', locH, name);
      }
      const stabB = pb['x-stability-level'];
      const stabH = ph['x-stability-level'];
      if (
        stabB !== stabH &&
        (stabB === undefined || typeof stabB === 'string') &&
        (stabH === undefined || typeof stabH === 'string')
      ) {
        // Like oasdiff, a property without a level is stable; an unknown level is left to the linter.
        const rank = (s: unknown) => STABILITY.indexOf(s === undefined ? 'stable' : String(s));
        const from = rank(stabB);
        const to = rank(stabH);
        // oasdiff's default threshold (beta): changes leaving a draft or alpha level are not tracked.
        if (from >= STABILITY.indexOf('beta') && to >= 0 && from !== to)
          push(`stability-${to < from ? 'decreased' : 'increased'}`, name, 'head', ph, 'x-stability-level', {
            from: stabB ?? 'stable',
            to: stabH ?? 'stable',
          });
      }
      if (pb.deprecated !== true && ph.deprecated === true) {
        const sunset = ph['x-sunset'];
        push(sunset ? 'deprecated-with-sunset' : 'deprecated', name, 'head', locH, name, { sunset });
      } else if (pb.deprecated === true && ph.deprecated !== true) {
        push('reactivated', name, 'head', locH, name);
      }
      if (req && hidden(pb) && hidden(ph)) {
        // Never sent: oasdiff still names a few tightenings of a readOnly request property, for information.
        const inner = this.diff(pb, ph, dir).filter((f) => f.props.length === 0 && READ_ONLY_REQUEST.has(f.aspect));
        this.nest(
          out,
          inner.map((f) => ({ ...f, aspect: `read-only-property-${f.aspect}` })),
          [name],
          ['properties', name],
        );
        continue;
      }
      let inner = this.diff(pb, ph, dir);
      if (!req && hidden(pb) && hidden(ph)) {
        // Never received: a new enum value of a writeOnly response property surprises no reader.
        inner = inner.map((f) =>
          f.props.length === 0 && f.aspect === 'enum-value-added'
            ? { ...f, aspect: 'write-only-property-enum-value-added' }
            : f,
        );
        if (rb !== rh)
          push(`write-only-property-became-${rh ? 'required' : 'optional'}`, name, 'head', reqNode, 'required');
      }
      this.nest(out, inner, [name], ['properties', name]);
    }
    for (const [name, ph] of vh.properties) {
      if (vb.properties.has(name)) continue;
      const rh = vh.required.has(name);
      const locH = vh.propOwner.get(name) ?? vh.src;
      if (req) {
        if (hidden(ph)) continue;
        push(
          rh
            ? ph.default !== undefined
              ? 'new-required-property-with-default'
              : 'new-required-property'
            : 'new-optional-property',
          name,
          'head',
          locH,
          name,
        );
      } else if (hidden(ph)) {
        push(`${rh ? 'required' : 'optional'}-write-only-property-added`, name, 'head', locH, name);
      } else {
        push(rh ? 'required-property-added' : 'optional-property-added', name, 'head', locH, name);
      }
    }
  }

  private nest(out: Finding[], inner: Finding[], props: string[], ptr: string[]): void {
    for (const f of inner) out.push({ ...f, props: [...props, ...f.props], ptr: [...ptr, ...f.ptr] });
  }
}
