import type { MetaMap } from './parse.js';

/** Swagger 2.0 parameter keywords that describe the value and therefore move into the 3.x `schema`. */
const SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'default',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'enum',
  'multipleOf',
  'x-nullable',
  'x-extensible-enum',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const FLOW_NAMES: Record<string, string> = {
  implicit: 'implicit',
  password: 'password',
  application: 'clientCredentials',
  accessCode: 'authorizationCode',
};

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rewrites a resolved Swagger 2.0 document into the OpenAPI 3.0 shape the diff engine reads: body/formData
 * parameters become `requestBody`, `consumes`/`produces` become media types, `definitions` become
 * `components.schemas`, response `schema` becomes `content`. Schemas themselves are shared, not copied (2.0
 * schemas are valid 3.0 schemas for everything the engine compares). New objects inherit the source position of
 * the object they came from, so findings still point at the right line.
 * @param doc the resolved 2.0 document.
 * @param meta the loader's source map; synthesized objects are registered in it.
 * @returns a new 3.0-shaped document.
 */
export function normalizeSwagger2(doc: Record<string, any>, meta: MetaMap): Record<string, any> {
  const tag = <T extends object>(obj: T, src: unknown): T => {
    const m = isObject(src) || Array.isArray(src) ? meta.get(src) : undefined;
    if (m) meta.set(obj, m);
    return obj;
  };
  const globalConsumes: string[] =
    Array.isArray(doc.consumes) && doc.consumes.length ? doc.consumes : ['application/json'];
  const globalProduces: string[] =
    Array.isArray(doc.produces) && doc.produces.length ? doc.produces : ['application/json'];

  const schemaOf = (p: Record<string, any>): Record<string, any> => {
    const schema: Record<string, any> = {};
    for (const k of SCHEMA_KEYS) if (k in p) schema[k] = p[k];
    if (schema.type === 'file') {
      schema.type = 'string';
      schema.format = 'binary';
    }
    if (schema['x-nullable'] === true) schema.nullable = true;
    return tag(schema, p);
  };

  const paramCache = new WeakMap<object, Record<string, any>>();
  const convertParam = (p: Record<string, any>): Record<string, any> => {
    const hit = paramCache.get(p);
    if (hit) return hit;
    const out: Record<string, any> = { name: p.name, in: p.in, schema: schemaOf(p) };
    for (const k of ['description', 'required', 'deprecated', 'allowEmptyValue']) if (k in p) out[k] = p[k];
    for (const k of Object.keys(p)) if (k.startsWith('x-')) out[k] = p[k];
    if (p.collectionFormat === 'multi') out.explode = true;
    else if (p.type === 'array') out.explode = false;
    paramCache.set(p, tag(out, p));
    return out;
  };

  const convertHeaders = (headers: unknown) => {
    if (!isObject(headers)) return undefined;
    const out: Record<string, any> = {};
    for (const [name, h] of Object.entries(headers))
      if (isObject(h)) out[name] = tag({ description: h.description, schema: schemaOf(h) }, h);
    return tag(out, headers);
  };

  const convertOperation = (op: Record<string, any>, pathParams: unknown[]): Record<string, any> => {
    const byKey = new Map<string, Record<string, any>>();
    for (const p of [...pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
      if (isObject(p)) byKey.set(`${p.in}:${p.name}`, p);
    }
    const consumes: string[] = Array.isArray(op.consumes) && op.consumes.length ? op.consumes : globalConsumes;
    const produces: string[] = Array.isArray(op.produces) && op.produces.length ? op.produces : globalProduces;
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(op))
      if (!['parameters', 'consumes', 'produces', 'responses'].includes(k)) out[k] = v;
    const params: Record<string, any>[] = [];
    const form: Record<string, any>[] = [];
    for (const p of byKey.values()) {
      if (p.in === 'body') {
        const content: Record<string, any> = {};
        for (const ct of consumes) content[ct] = tag({ schema: p.schema }, p);
        out.requestBody = tag(
          { description: p.description, required: p.required === true, content: tag(content, p) },
          p,
        );
      } else if (p.in === 'formData') form.push(p);
      else params.push(convertParam(p));
    }
    if (form.length) {
      const properties: Record<string, any> = {};
      const required: string[] = [];
      for (const p of form) {
        properties[p.name] = schemaOf(p);
        if (p.required) required.push(p.name);
      }
      const schema = tag({ type: 'object', properties, ...(required.length ? { required } : {}) }, form[0]);
      const formTypes = consumes.filter((c) => /form/.test(c));
      const content: Record<string, any> = {};
      for (const ct of formTypes.length ? formTypes : ['application/x-www-form-urlencoded']) content[ct] = { schema };
      out.requestBody = tag({ required: required.length > 0, content }, form[0]);
    }
    if (params.length) out.parameters = tag(params, op.parameters ?? op);
    if (isObject(op.responses)) {
      const responses: Record<string, any> = {};
      for (const [code, r] of Object.entries(op.responses)) {
        if (!isObject(r)) continue;
        const resp: Record<string, any> = { description: r.description };
        const headers = convertHeaders(r.headers);
        if (headers) resp.headers = headers;
        if (r.schema !== undefined) {
          const content: Record<string, any> = {};
          for (const ct of produces) content[ct] = tag({ schema: r.schema }, r);
          resp.content = tag(content, r);
        }
        for (const k of Object.keys(r)) if (k.startsWith('x-')) resp[k] = r[k];
        responses[code] = tag(resp, r);
      }
      out.responses = tag(responses, op.responses);
    }
    return tag(out, op);
  };

  const paths: Record<string, any> = {};
  for (const [p, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    const outItem: Record<string, any> = {};
    for (const [k, v] of Object.entries(item)) {
      if (METHODS.includes(k) && isObject(v)) outItem[k] = convertOperation(v, pathParams);
      else if (k !== 'parameters') outItem[k] = v;
    }
    paths[p] = tag(outItem, item);
  }

  const securitySchemes: Record<string, any> = {};
  for (const [name, s] of Object.entries(isObject(doc.securityDefinitions) ? doc.securityDefinitions : {})) {
    if (!isObject(s)) continue;
    if (s.type === 'basic')
      securitySchemes[name] = tag({ type: 'http', scheme: 'basic', description: s.description }, s);
    else if (s.type === 'oauth2') {
      const flow = { authorizationUrl: s.authorizationUrl, tokenUrl: s.tokenUrl, scopes: s.scopes ?? {} };
      securitySchemes[name] = tag(
        { type: 'oauth2', description: s.description, flows: { [FLOW_NAMES[s.flow] ?? s.flow]: flow } },
        s,
      );
    } else securitySchemes[name] = s;
  }

  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (
      ![
        'swagger',
        'paths',
        'definitions',
        'parameters',
        'responses',
        'securityDefinitions',
        'consumes',
        'produces',
        'host',
        'basePath',
        'schemes',
      ].includes(k)
    )
      out[k] = v;
  }
  out.openapi = '3.0.0';
  out.paths = tag(paths, doc.paths);
  out.components = { schemas: doc.definitions ?? {}, securitySchemes };
  return tag(out, doc);
}
