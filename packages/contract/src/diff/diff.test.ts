import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec, type LoadedSpec } from '../load/index.js';
import { diffFiles, diffSpecs, parseSunset, type Change } from './index.js';

const work = mkdtempSync(path.join(tmpdir(), 'contract-diff-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

type Doc = Record<string, any>;

/** Writes a document (object -> JSON, string -> YAML as is) and loads it. */
function spec(doc: Doc | string): LoadedSpec {
  const file = path.join(work, `spec-${counter++}.${typeof doc === 'string' ? 'yaml' : 'json'}`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return loadSpec(file, { root: work });
}

const NOW = new Date('2026-06-01T00:00:00Z');
const diff = (base: Doc | string, head: Doc | string, opts = {}) =>
  diffSpecs(spec(base), spec(head), { now: NOW, ...opts });
const breaking = (changes: Change[]) => changes.filter((c) => c.level !== 'INFO');

interface OpParts {
  params?: Doc[];
  body?: Doc;
  bodyRequired?: boolean;
  response?: Doc;
  status?: string;
  media?: string;
  op?: Doc;
  security?: Doc[];
  components?: Doc;
  version?: string;
}

/** One `POST /pets/{id}` operation with the given parts. */
function api(p: OpParts = {}): Doc {
  const op: Doc = {
    operationId: 'updatePet',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, ...(p.params ?? [])],
    responses: {
      [p.status ?? '200']: {
        description: 'ok',
        content: { [p.media ?? 'application/json']: { schema: p.response ?? { type: 'object' } } },
      },
    },
    ...(p.op ?? {}),
  };
  if (p.body)
    op.requestBody = { required: p.bodyRequired ?? true, content: { 'application/json': { schema: p.body } } };
  if (p.security) op.security = p.security;
  return {
    openapi: p.version ?? '3.0.3',
    info: { title: 'pets', version: '1' },
    paths: { '/pets/{id}': { post: op } },
    components: p.components ?? {},
  };
}

const obj = (properties: Doc, required: string[] = []) => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});
const str = (extra: Doc = {}) => ({ type: 'string', ...extra });

/** `api()` with the operation's fields replaced (responses, parameters, ...). */
const withOp = (patch: Doc, p: OpParts = {}): Doc => {
  const doc = api(p);
  doc.paths['/pets/{id}'].post = { ...doc.paths['/pets/{id}'].post, ...patch };
  return doc;
};
/** A 200 response carrying the given headers and content. */
const reply = (headers: Doc = {}, content: Doc = { 'application/json': { schema: { type: 'object' } } }) => ({
  responses: { '200': { description: 'ok', headers, content } },
});
/** One query (or other) parameter `q` with extra fields. */
const param = (extra: Doc, schema: Doc = str()) => ({ params: [{ name: 'q', in: 'query', schema, ...extra }] });
/** An OAuth security scheme with one implicit flow. */
const oauth = (flow: Doc) =>
  api({
    components: {
      securitySchemes: {
        auth: {
          type: 'oauth2',
          flows: { implicit: { authorizationUrl: 'https://a.example/auth', scopes: { read: 'Read' }, ...flow } },
        },
      },
    },
  });
const NOW_PLUS = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** Rules added with the wider oasdiff coverage: one minimal trigger each. */
function WIDER_RULES(): Array<{ id: string; level: Change['level']; base: Doc; head: Doc; opts?: Doc }> {
  const v31 = { version: '3.1.0' };
  const headerObj = (schema: Doc) => ({ params: [{ name: 'X-Meta', in: 'header', schema }] });
  return [
    // lists of types: a oneOf/anyOf of plain types, graded by the types added and removed
    {
      id: 'request-body-list-of-types-narrowed',
      level: 'ERR',
      base: api({ body: { oneOf: [str(), { type: 'integer' }] } }),
      head: api({ body: str() }),
    },
    {
      id: 'request-property-list-of-types-widened',
      level: 'INFO',
      base: api({ body: obj({ a: str() }) }),
      head: api({ body: obj({ a: { anyOf: [str(), { type: 'integer' }] } }) }),
    },
    {
      id: 'response-property-list-of-types-widened',
      level: 'ERR',
      base: api({ response: obj({ a: { oneOf: [str(), { type: 'integer' }] } }) }),
      head: api({ response: obj({ a: { oneOf: [str(), { type: 'integer' }, { type: 'boolean' }] } }) }),
    },
    {
      id: 'response-body-list-of-types-narrowed',
      level: 'INFO',
      base: api({ response: { oneOf: [str(), { type: 'integer' }] } }),
      head: api({ response: { type: 'integer' } }),
    },
    {
      id: 'request-parameter-list-of-types-narrowed',
      level: 'ERR',
      base: api(param({}, { anyOf: [str(), { type: 'integer' }] })),
      head: api(param({}, { type: 'integer' })),
    },
    // multipleOf and uniqueItems
    {
      id: 'request-body-multiple-of-set',
      level: 'ERR',
      base: api({ body: { type: 'integer' } }),
      head: api({ body: { type: 'integer', multipleOf: 5 } }),
    },
    {
      id: 'request-property-multiple-of-generalized',
      level: 'INFO',
      base: api({ body: obj({ n: { type: 'integer', multipleOf: 10 } }) }),
      head: api({ body: obj({ n: { type: 'integer', multipleOf: 5 } }) }),
    },
    {
      id: 'request-property-multiple-of-changed',
      level: 'ERR',
      base: api({ body: obj({ n: { type: 'integer', multipleOf: 5 } }) }),
      head: api({ body: obj({ n: { type: 'integer', multipleOf: 10 } }) }),
    },
    {
      id: 'response-property-multiple-of-specialized',
      level: 'INFO',
      base: api({ response: obj({ n: { type: 'integer', multipleOf: 5 } }) }),
      head: api({ response: obj({ n: { type: 'integer', multipleOf: 10 } }) }),
    },
    {
      id: 'response-body-multiple-of-unset',
      level: 'ERR',
      base: api({ response: { type: 'integer', multipleOf: 5 } }),
      head: api({ response: { type: 'integer' } }),
    },
    {
      id: 'request-property-unique-items-set',
      level: 'ERR',
      base: api({ body: obj({ tags: { type: 'array', items: str() } }) }),
      head: api({ body: obj({ tags: { type: 'array', items: str(), uniqueItems: true } }) }),
    },
    {
      id: 'response-property-unique-items-unset',
      level: 'ERR',
      base: api({ response: obj({ tags: { type: 'array', items: str(), uniqueItems: true } }) }),
      head: api({ response: obj({ tags: { type: 'array', items: str() } }) }),
    },
    // if / then / else
    {
      id: 'request-body-if-added',
      level: 'ERR',
      base: api({ ...v31, body: obj({ a: str() }) }),
      head: api({ ...v31, body: { ...obj({ a: str() }), if: obj({ a: { const: 'x' } }) } }),
    },
    {
      id: 'response-property-then-removed',
      level: 'ERR',
      base: api({ ...v31, response: obj({ p: { ...obj({ a: str() }), then: { required: ['a'] } } }) }),
      head: api({ ...v31, response: obj({ p: obj({ a: str() }) }) }),
    },
    {
      id: 'request-property-else-removed',
      level: 'INFO',
      base: api({ ...v31, body: obj({ p: { ...obj({ a: str() }), else: { required: ['a'] } } }) }),
      head: api({ ...v31, body: obj({ p: obj({ a: str() }) }) }),
    },
    // stability levels
    {
      id: 'request-property-stability-decreased',
      level: 'ERR',
      base: api({ body: obj({ a: str({ 'x-stability-level': 'stable' }) }) }),
      head: api({ body: obj({ a: str({ 'x-stability-level': 'beta' }) }) }),
    },
    {
      id: 'response-property-stability-increased',
      level: 'INFO',
      base: api({ response: obj({ a: str({ 'x-stability-level': 'beta' }) }) }),
      head: api({ response: obj({ a: str() }) }),
    },
    {
      id: 'api-stability-increased',
      level: 'INFO',
      base: api({ op: { 'x-stability-level': 'beta' } }),
      head: api({ op: { 'x-stability-level': 'stable' } }),
    },
    // object-valued header parameters
    {
      id: 'new-required-request-header-property',
      level: 'ERR',
      base: api(headerObj(obj({ a: str() }))),
      head: api(headerObj(obj({ a: str(), b: str() }, ['b']))),
    },
    {
      id: 'request-header-property-became-required',
      level: 'ERR',
      base: api(headerObj(obj({ a: str() }))),
      head: api(headerObj(obj({ a: str() }, ['a']))),
    },
    {
      // The header-property check names a header parameter itself too, beside request-parameter-became-enum.
      id: 'request-header-property-became-enum',
      level: 'ERR',
      base: api({ params: [{ name: 'X-Mode', in: 'header', schema: str() }] }),
      head: api({ params: [{ name: 'X-Mode', in: 'header', schema: str({ enum: ['a'] }) }] }),
    },
    {
      id: 'request-header-property-became-enum',
      level: 'ERR',
      base: api(headerObj(obj({ a: str() }))),
      head: api(headerObj(obj({ a: str({ enum: ['x'] }) }))),
    },
    // parameters: path, path-item level, serialization, type re-grading
    {
      id: 'new-request-path-parameter',
      level: 'ERR',
      base: withOp({ parameters: [] }),
      head: api(),
    },
    {
      id: 'new-required-request-default-parameter-to-existing-path',
      level: 'ERR',
      base: api(),
      head: {
        ...api(),
        paths: {
          '/pets/{id}': {
            parameters: [{ name: 'tenant', in: 'header', required: true, schema: str() }],
            post: api().paths['/pets/{id}'].post,
          },
        },
      },
    },
    {
      id: 'new-optional-request-default-parameter-to-existing-path',
      level: 'INFO',
      base: api(),
      head: {
        ...api(),
        paths: {
          '/pets/{id}': {
            parameters: [{ name: 'trace', in: 'query', schema: str() }],
            post: api().paths['/pets/{id}'].post,
          },
        },
      },
    },
    {
      id: 'request-parameter-style-changed',
      level: 'ERR',
      base: api(param({}, { type: 'array', items: str() })),
      head: api(param({ style: 'pipeDelimited' }, { type: 'array', items: str() })),
    },
    {
      id: 'request-parameter-explode-changed',
      level: 'ERR',
      base: api(param({}, { type: 'array', items: str() })),
      head: api(param({ explode: false }, { type: 'array', items: str() })),
    },
    {
      id: 'request-parameter-became-not-allow-reserved',
      level: 'ERR',
      base: api(param({ allowReserved: true })),
      head: api(param({})),
    },
    {
      id: 'request-parameter-became-allow-reserved',
      level: 'INFO',
      base: api(param({})),
      head: api(param({ allowReserved: true })),
    },
    {
      id: 'request-parameter-type-generalized',
      level: 'INFO',
      base: api(param({}, { type: 'integer' })),
      head: api(param({}, str())),
    },
    {
      id: 'request-parameter-property-type-specialized',
      level: 'ERR',
      base: api(param({}, obj({ a: str() }))),
      head: api(param({}, obj({ a: { type: 'integer' } }))),
    },
    // deprecation policy (oasdiff --deprecation-days-*)
    {
      id: 'request-parameter-deprecated-sunset-missing',
      level: 'ERR',
      base: api(param({})),
      head: api(param({ deprecated: true })),
      opts: { deprecationDaysStable: 30 },
    },
    {
      id: 'request-parameter-sunset-date-too-small',
      level: 'ERR',
      base: api(param({})),
      head: api(param({ deprecated: true, 'x-sunset': NOW_PLUS(5) })),
      opts: { deprecationDaysStable: 30 },
    },
    {
      id: 'request-property-deprecated-sunset-missing',
      level: 'ERR',
      base: api({ body: obj({ a: str() }) }),
      head: api({ body: obj({ a: str({ deprecated: true }) }) }),
      opts: { deprecationDaysStable: 30 },
    },
    {
      id: 'request-property-sunset-date-too-small',
      level: 'ERR',
      base: api({ body: obj({ a: str() }) }),
      head: api({ body: obj({ a: str({ deprecated: true, 'x-sunset': NOW_PLUS(5) }) }) }),
      opts: { deprecationDaysStable: 30 },
    },
    {
      id: 'response-property-deprecated-sunset-invalid',
      level: 'ERR',
      base: api({ response: obj({ a: str() }) }),
      head: api({ response: obj({ a: str({ deprecated: true, 'x-sunset': 'next spring' }) }) }),
    },
    // security schemes
    {
      id: 'api-security-component-oauth-url-changed',
      level: 'INFO',
      base: oauth({}),
      head: oauth({ authorizationUrl: 'https://b.example/auth' }),
    },
    {
      id: 'api-security-component-oauth-token-url-changed',
      level: 'INFO',
      base: oauth({ tokenUrl: 'https://a.example/token' }),
      head: oauth({ tokenUrl: 'https://b.example/token' }),
    },
    {
      id: 'api-security-component-oauth-scope-changed',
      level: 'INFO',
      base: oauth({}),
      head: oauth({ scopes: { read: 'Read everything' } }),
    },
    // media types
    {
      id: 'request-body-media-type-schema-added',
      level: 'ERR',
      base: withOp({ requestBody: { content: { 'application/json': {} } } }),
      head: withOp({ requestBody: { content: { 'application/json': { schema: obj({}) } } } }),
    },
    {
      id: 'response-body-media-type-schema-removed',
      level: 'ERR',
      base: withOp(reply()),
      head: withOp(reply({}, { 'application/json': {} })),
    },
    // itemSchema is OpenAPI 3.2; the loader reads 3.0/3.1 documents, so these carry it in a 3.1 document.
    {
      id: 'request-body-media-type-item-schema-added',
      level: 'ERR',
      base: withOp({ requestBody: { content: { 'application/jsonl': {} } } }, { version: '3.1.0' }),
      head: withOp(
        { requestBody: { content: { 'application/jsonl': { itemSchema: obj({}) } } } },
        { version: '3.1.0' },
      ),
    },
    {
      id: 'response-body-media-type-item-schema-removed',
      level: 'ERR',
      base: withOp(reply({}, { 'text/event-stream': { itemSchema: obj({}) } }), { version: '3.1.0' }),
      head: withOp(reply({}, { 'text/event-stream': {} }), { version: '3.1.0' }),
    },
    {
      id: 'response-media-type-name-generalized',
      level: 'ERR',
      base: api({ media: 'application/json' }),
      head: api({ media: 'application/*' }),
    },
    {
      id: 'response-media-type-name-specialized',
      level: 'INFO',
      base: api({ media: 'application/*' }),
      head: api({ media: 'application/json' }),
    },
    {
      id: 'request-body-type-compatible',
      level: 'INFO',
      base: withOp({ requestBody: { content: { 'application/xml': { schema: { type: 'integer' } } } } }),
      head: withOp({ requestBody: { content: { 'application/xml': { schema: str() } } } }),
    },
    {
      id: 'response-body-type-compatible',
      level: 'INFO',
      base: api({ media: 'application/xml', response: str() }),
      head: api({ media: 'application/xml', response: obj({}) }),
    },
    {
      id: 'response-header-type-compatible',
      level: 'INFO',
      base: withOp(reply({ 'X-Rate': { schema: str() } })),
      head: withOp(reply({ 'X-Rate': { schema: { type: 'integer' } } })),
    },
    {
      id: 'response-header-added',
      level: 'INFO',
      base: withOp(reply()),
      head: withOp(reply({ 'X-Rate': { schema: { type: 'integer' } } })),
    },
    // readOnly request / writeOnly response properties: named, for information
    {
      id: 'request-read-only-property-max-length-decreased',
      level: 'INFO',
      base: api({ body: obj({ id: str({ readOnly: true, maxLength: 10 }) }) }),
      head: api({ body: obj({ id: str({ readOnly: true, maxLength: 5 }) }) }),
    },
    {
      id: 'request-read-only-property-enum-value-removed',
      level: 'INFO',
      base: api({ body: obj({ id: str({ readOnly: true, enum: ['a', 'b'] }) }) }),
      head: api({ body: obj({ id: str({ readOnly: true, enum: ['a'] }) }) }),
    },
    {
      id: 'response-write-only-property-enum-value-added',
      level: 'INFO',
      base: api({ response: obj({ pw: str({ writeOnly: true, enum: ['a'] }) }) }),
      head: api({ response: obj({ pw: str({ writeOnly: true, enum: ['a', 'b'] }) }) }),
    },
    {
      id: 'response-write-only-property-became-required',
      level: 'INFO',
      base: api({ response: obj({ pw: str({ writeOnly: true }) }) }),
      head: api({ response: obj({ pw: str({ writeOnly: true }) }, ['pw']) }),
    },
    {
      id: 'request-body-all-of-removed-annotation-only',
      level: 'INFO',
      base: api({ body: { allOf: [obj({ a: str() }), { description: 'a pet' }] } }),
      head: api({ body: { allOf: [obj({ a: str() })] } }),
    },
    // versioning policy, judged against the breaking changes found
    {
      id: 'api-version-not-bumped',
      level: 'INFO',
      base: api({ body: obj({ a: str() }) }),
      head: api({ body: obj({ a: str() }, ['a']) }),
    },
    {
      id: 'api-version-decreased',
      level: 'INFO',
      base: { ...api({ body: obj({ a: str() }) }), info: { title: 'pets', version: '2.1.0' } },
      head: { ...api({ body: obj({ a: str() }, ['a']) }), info: { title: 'pets', version: '2.0.0' } },
    },
    {
      id: 'api-major-version-not-bumped',
      level: 'INFO',
      base: { ...api({ body: obj({ a: str() }) }), info: { title: 'pets', version: '2.1.0' } },
      head: { ...api({ body: obj({ a: str() }, ['a']) }), info: { title: 'pets', version: '2.2.0' } },
    },
  ];
}

/** Rule by rule: the smallest change that triggers each id, and the level oasdiff grades it at. */
const RULES: Array<{ id: string; level: Change['level']; base: Doc; head: Doc; opts?: Doc }> = [
  {
    id: 'request-parameter-became-required',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', schema: str() }] }),
    head: api({ params: [{ name: 'q', in: 'query', required: true, schema: str() }] }),
  },
  {
    id: 'new-required-request-parameter',
    level: 'ERR',
    base: api(),
    head: api({ params: [{ name: 'q', in: 'query', required: true, schema: str() }] }),
  },
  {
    id: 'new-optional-request-parameter',
    level: 'INFO',
    base: api(),
    head: api({ params: [{ name: 'q', in: 'query', schema: str() }] }),
  },
  {
    id: 'request-parameter-removed',
    level: 'WARN',
    base: api({ params: [{ name: 'q', in: 'query', schema: str() }] }),
    head: api(),
  },
  {
    id: 'request-parameter-max-length-decreased',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', schema: str({ maxLength: 10 }) }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: str({ maxLength: 5 }) }] }),
  },
  {
    id: 'request-parameter-max-length-increased',
    level: 'INFO',
    base: api({ params: [{ name: 'q', in: 'query', schema: str({ maxLength: 5 }) }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: str({ maxLength: 10 }) }] }),
  },
  {
    id: 'request-parameter-enum-value-removed',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', schema: str({ enum: ['a', 'b'] }) }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: str({ enum: ['a'] }) }] }),
  },
  {
    id: 'request-parameter-pattern-added',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', schema: str() }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: str({ pattern: '^[a-z]+$' }) }] }),
  },
  {
    id: 'request-parameter-type-changed',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', schema: { type: 'integer' } }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: { type: 'boolean' } }] }),
  },
  {
    id: 'request-parameter-type-generalized',
    level: 'INFO',
    base: api({ params: [{ name: 'q', in: 'query', schema: { type: 'integer' } }] }),
    head: api({ params: [{ name: 'q', in: 'query', schema: { type: 'number' } }] }),
  },
  {
    id: 'request-body-became-required',
    level: 'ERR',
    base: api({ body: obj({}), bodyRequired: false }),
    head: api({ body: obj({}), bodyRequired: true }),
  },
  { id: 'request-body-removed', level: 'ERR', base: api({ body: obj({}) }), head: api() },
  {
    id: 'new-required-request-property',
    level: 'ERR',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: str(), b: str() }, ['b']) }),
  },
  {
    id: 'new-optional-request-property',
    level: 'INFO',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: str(), b: str() }) }),
  },
  {
    id: 'request-property-became-required',
    level: 'ERR',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: str() }, ['a']) }),
  },
  {
    id: 'request-property-removed',
    level: 'WARN',
    base: api({ body: obj({ a: str(), b: str() }) }),
    head: api({ body: obj({ a: str() }) }),
  },
  {
    id: 'request-property-type-changed',
    level: 'ERR',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: { type: 'integer' } }) }),
  },
  {
    id: 'request-property-enum-value-removed',
    level: 'ERR',
    base: api({ body: obj({ a: str({ enum: ['x', 'y'] }) }) }),
    head: api({ body: obj({ a: str({ enum: ['x'] }) }) }),
  },
  {
    id: 'request-property-became-enum',
    level: 'ERR',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: str({ enum: ['x'] }) }) }),
  },
  {
    id: 'request-property-max-length-decreased',
    level: 'ERR',
    base: api({ body: obj({ a: str({ maxLength: 9 }) }) }),
    head: api({ body: obj({ a: str({ maxLength: 3 }) }) }),
  },
  {
    id: 'request-property-min-increased',
    level: 'ERR',
    base: api({ body: obj({ a: { type: 'integer', minimum: 1 } }) }),
    head: api({ body: obj({ a: { type: 'integer', minimum: 2 } }) }),
  },
  {
    id: 'request-property-max-set',
    level: 'WARN',
    base: api({ body: obj({ a: { type: 'integer' } }) }),
    head: api({ body: obj({ a: { type: 'integer', maximum: 2 } }) }),
  },
  {
    id: 'request-property-became-not-nullable',
    level: 'ERR',
    base: api({ version: '3.1.0', body: obj({ a: { type: ['string', 'null'] } }) }),
    head: api({ version: '3.1.0', body: obj({ a: str() }) }),
  },
  {
    id: 'request-property-became-nullable',
    level: 'INFO',
    base: api({ body: obj({ a: str() }) }),
    head: api({ body: obj({ a: str({ nullable: true }) }) }),
  },
  {
    id: 'request-body-media-type-removed',
    level: 'ERR',
    base: api({ body: obj({}) }),
    head: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: { ...api().paths['/pets/{id}'].post, requestBody: { content: { 'text/plain': { schema: str() } } } },
        },
      },
    },
  },
  { id: 'response-success-status-removed', level: 'ERR', base: api(), head: api({ status: '201' }) },
  {
    id: 'response-non-success-status-removed',
    level: 'INFO',
    base: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            responses: { ...api().paths['/pets/{id}'].post.responses, '404': { description: 'no' } },
          },
        },
      },
    },
    head: api(),
  },
  { id: 'response-media-type-removed', level: 'ERR', base: api(), head: api({ media: 'application/xml' }) },
  {
    id: 'response-required-property-removed',
    level: 'ERR',
    base: api({ response: obj({ a: str(), b: str() }, ['a', 'b']) }),
    head: api({ response: obj({ a: str() }, ['a']) }),
  },
  {
    id: 'response-optional-property-removed',
    level: 'WARN',
    base: api({ response: obj({ a: str(), b: str() }) }),
    head: api({ response: obj({ a: str() }) }),
  },
  {
    id: 'response-property-became-optional',
    level: 'ERR',
    base: api({ response: obj({ a: str() }, ['a']) }),
    head: api({ response: obj({ a: str() }) }),
  },
  {
    id: 'response-property-enum-value-added',
    level: 'WARN',
    base: api({ response: obj({ s: str({ enum: ['on'] }) }) }),
    head: api({ response: obj({ s: str({ enum: ['on', 'off'] }) }) }),
  },
  {
    id: 'response-property-max-length-increased',
    level: 'ERR',
    base: api({ response: obj({ s: str({ maxLength: 3 }) }) }),
    head: api({ response: obj({ s: str({ maxLength: 9 }) }) }),
  },
  {
    id: 'response-property-type-changed',
    level: 'ERR',
    base: api({ response: obj({ s: str() }) }),
    head: api({ response: obj({ s: { type: 'array', items: str() } }) }),
  },
  {
    id: 'response-property-became-nullable',
    level: 'ERR',
    base: api({ response: obj({ s: str() }) }),
    head: api({ response: obj({ s: str({ nullable: true }) }) }),
  },
  {
    id: 'response-body-one-of-added',
    level: 'ERR',
    base: api({ response: { oneOf: [obj({ a: str() })] } }),
    head: api({ response: { oneOf: [obj({ a: str() }), obj({ b: { type: 'integer' } })] } }),
  },
  {
    id: 'api-security-removed',
    level: 'INFO',
    base: api({ security: [{ key: [] }, { oauth: ['read'] }] }),
    head: api({ security: [{ oauth: ['read'] }] }),
  },
  {
    id: 'api-security-scope-removed',
    level: 'INFO',
    base: api({ security: [{ oauth: ['read', 'write'] }] }),
    head: api({ security: [{ oauth: ['read'] }] }),
  },
  { id: 'endpoint-deprecated', level: 'INFO', base: api(), head: api({ op: { deprecated: true } }) },
  {
    id: 'endpoint-deprecated-with-sunset',
    level: 'INFO',
    base: api(),
    head: api({ op: { deprecated: true, 'x-sunset': '2027-01-01' } }),
  },
  {
    id: 'api-deprecated-sunset-parse',
    level: 'ERR',
    base: api(),
    head: api({ op: { deprecated: true, 'x-sunset': 'next tuesday' } }),
  },
  {
    id: 'api-sunset-date-too-small',
    level: 'ERR',
    base: api(),
    head: api({ op: { deprecated: true, 'x-sunset': '2026-06-10' } }),
    opts: { deprecationDaysStable: 30 },
  },
  { id: 'endpoint-reactivated', level: 'INFO', base: api({ op: { deprecated: true } }), head: api() },
  { id: 'api-invalid-stability-level', level: 'ERR', base: api(), head: api({ op: { 'x-stability-level': 'gamma' } }) },
  {
    id: 'api-stability-decreased',
    level: 'ERR',
    base: api({ op: { 'x-stability-level': 'stable' } }),
    head: api({ op: { 'x-stability-level': 'beta' } }),
  },
  {
    id: 'sunset-deleted',
    level: 'ERR',
    base: api({ op: { deprecated: true, 'x-sunset': '2027-01-01' } }),
    head: api({ op: { deprecated: true } }),
  },
  {
    id: 'request-parameter-deprecated',
    level: 'INFO',
    base: api({ params: [{ name: 'q', in: 'query', schema: str() }] }),
    head: api({ params: [{ name: 'q', in: 'query', deprecated: true, schema: str() }] }),
  },
  {
    id: 'request-parameter-removed-before-sunset',
    level: 'ERR',
    base: api({ params: [{ name: 'q', in: 'query', deprecated: true, 'x-sunset': '2027-01-01', schema: str() }] }),
    head: api(),
  },
  { id: 'api-path-removed-without-deprecation', level: 'ERR', base: api(), head: { ...api(), paths: {} } },
  {
    id: 'api-path-removed-before-sunset',
    level: 'ERR',
    base: api({ op: { deprecated: true, 'x-sunset': '2027-01-01' } }),
    head: { ...api(), paths: {} },
  },
  {
    id: 'api-path-removed-with-deprecation',
    level: 'INFO',
    base: api({ op: { deprecated: true, 'x-sunset': '2026-01-01' } }),
    head: { ...api(), paths: {} },
  },
  {
    id: 'api-removed-without-deprecation',
    level: 'ERR',
    base: { ...api(), paths: { '/pets/{id}': { ...api().paths['/pets/{id}'], get: api().paths['/pets/{id}'].post } } },
    head: api(),
  },
  {
    id: 'response-media-type-name-changed',
    level: 'WARN',
    base: api(),
    head: api({ media: 'application/json; charset=utf-8' }),
  },
  {
    id: 'request-body-media-type-added',
    level: 'INFO',
    base: api({ body: obj({}) }),
    head: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            requestBody: { content: { 'application/json': { schema: obj({}) }, 'text/plain': { schema: str() } } },
          },
        },
      },
    },
  },
  { id: 'api-schema-removed', level: 'INFO', base: api({ components: { schemas: { Old: str() } } }), head: api() },
  {
    id: 'response-header-type-changed',
    level: 'ERR',
    base: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            responses: { '200': { description: 'ok', headers: { 'X-Rate': { schema: { type: 'integer' } } } } },
          },
        },
      },
    },
    head: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            responses: { '200': { description: 'ok', headers: { 'x-rate': { schema: { type: 'boolean' } } } } },
          },
        },
      },
    },
  },
  {
    id: 'required-response-header-removed',
    level: 'ERR',
    base: {
      ...api(),
      paths: {
        '/pets/{id}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            responses: {
              '200': { description: 'ok', headers: { 'X-Rate': { required: true, schema: { type: 'integer' } } } },
            },
          },
        },
      },
    },
    head: api(),
  },
  { id: 'endpoint-added', level: 'INFO', base: { ...api(), paths: {} }, head: api() },
  ...WIDER_RULES(),
  {
    id: 'webhook-removed',
    level: 'ERR',
    base: {
      ...api({ version: '3.1.0' }),
      webhooks: { newPet: { post: { responses: { '200': { description: 'ok' } } } } },
    },
    head: api({ version: '3.1.0' }),
  },
];

describe('diffSpecs rules', () => {
  it.each(RULES)('$id ($level)', ({ id, level, base, head, opts }) => {
    const changes = diff(base, head, opts);
    const hit = changes.find((c) => c.id === id);
    expect(hit, `got ${changes.map((c) => c.id).join(', ') || 'nothing'}`).toBeDefined();
    expect(hit!.level).toBe(level);
    expect(hit!.message.length).toBeGreaterThan(5);
    expect(hit!.location?.line).toBeGreaterThan(0);
    // Reversing a pure removal/addition must not report the same rule.
    expect(diff(base, base, opts)).toEqual([]);
  });
});

/** Same meaning, different text: none of these may report ERR or WARN. */
const EQUIVALENT: Array<{ name: string; base: Doc | string; head: Doc | string }> = [
  {
    name: 'reordered properties, parameters and required list',
    base: api({
      params: [
        { name: 'a', in: 'query', schema: str() },
        { name: 'b', in: 'header', schema: str() },
      ],
      body: obj({ x: str(), y: str() }, ['x', 'y']),
    }),
    head: api({
      params: [
        { name: 'B', in: 'header', schema: str() },
        { name: 'a', in: 'query', schema: str() },
      ],
      body: { required: ['y', 'x'], properties: { y: str(), x: str() }, type: 'object' },
    }),
  },
  {
    name: '$ref instead of an inline schema, under a renamed component',
    base: api({ response: obj({ owner: obj({ name: str() }, ['name']) }, ['owner']) }),
    head: api({
      response: obj({ owner: { $ref: '#/components/schemas/Person' } }, ['owner']),
      components: { schemas: { Person: obj({ name: str() }, ['name']) } },
    }),
  },
  {
    name: 'properties restructured into allOf',
    base: api({ body: obj({ a: str(), b: str() }, ['a']), response: obj({ a: str(), b: str() }, ['a', 'b']) }),
    head: api({
      body: { allOf: [obj({ a: str() }, ['a']), obj({ b: str() })] },
      response: { allOf: [obj({ a: str() }, ['a']), obj({ b: str() }, ['b'])] },
    }),
  },
  {
    name: 'path parameter renamed',
    base: api(),
    head: {
      ...api(),
      paths: {
        '/pets/{petId}': {
          post: {
            ...api().paths['/pets/{id}'].post,
            parameters: [{ name: 'petId', in: 'path', required: true, schema: str() }],
          },
        },
      },
    },
  },
  {
    name: 'a required readOnly property is not required in requests',
    base: api({ body: obj({ id: str({ readOnly: true }), name: str() }) }),
    head: api({ body: obj({ id: str({ readOnly: true }), name: str() }, ['id']) }),
  },
  {
    name: 'removing an operation whose sunset has passed',
    base: {
      ...api(),
      paths: {
        '/pets/{id}': {
          ...api().paths['/pets/{id}'],
          get: { deprecated: true, 'x-sunset': '2026-01-01', responses: { '200': { description: 'ok' } } },
        },
      },
    },
    head: api(),
  },
  {
    name: 'a cyclic schema compared with itself written differently',
    base: api({
      response: { $ref: '#/components/schemas/Node' },
      components: { schemas: { Node: obj({ kids: { type: 'array', items: { $ref: '#/components/schemas/Node' } } }) } },
    }),
    head: api({
      response: { $ref: '#/components/schemas/Tree' },
      components: { schemas: { Tree: obj({ kids: { type: 'array', items: { $ref: '#/components/schemas/Tree' } } }) } },
    }),
  },
  {
    name: 'Swagger 2.0 and the same API in OpenAPI 3.0',
    base: `swagger: '2.0'
info: { title: pets, version: '1' }
paths:
  /pets/{id}:
    post:
      operationId: updatePet
      consumes: [application/json]
      produces: [application/json]
      parameters:
        - { name: id, in: path, required: true, type: string }
        - { name: body, in: body, required: true, schema: { $ref: '#/definitions/Pet' } }
      responses:
        '200': { description: ok, schema: { $ref: '#/definitions/Pet' } }
definitions:
  Pet: { type: object, required: [name], properties: { name: { type: string, maxLength: 20 } } }
`,
    head: api({
      body: { $ref: '#/components/schemas/Pet' },
      response: { $ref: '#/components/schemas/Pet' },
      components: { schemas: { Pet: obj({ name: str({ maxLength: 20 }) }, ['name']) } },
    }),
  },
];

EQUIVALENT.push(
  {
    name: 'the default style and explode written out',
    base: api(param({}, { type: 'array', items: str() })),
    head: api(param({ style: 'form', explode: true }, { type: 'array', items: str() })),
  },
  {
    name: 'explode flipped on a scalar parameter (one value serializes the same)',
    base: api(param({})),
    head: api(param({ explode: false })),
  },
  {
    name: 'a parameter moved from the operation to its path item',
    base: api(param({ required: true })),
    head: {
      ...api(),
      paths: {
        '/pets/{id}': {
          parameters: [{ name: 'q', in: 'query', required: true, schema: str() }],
          post: api().paths['/pets/{id}'].post,
        },
      },
    },
  },
  {
    name: 'a query parameter and an XML body that become strings (text carries any value)',
    base: withOp(
      { requestBody: { content: { 'application/xml': { schema: { type: 'integer' } } } } },
      param({}, { type: 'integer' }),
    ),
    head: withOp({ requestBody: { content: { 'application/xml': { schema: str() } } } }, param({}, str())),
  },
  {
    name: 'multipleOf relaxed to a divisor, a format dropped from a request value',
    base: api({ body: obj({ n: { type: 'integer', multipleOf: 10 } }), ...param({}, str({ format: 'date' })) }),
    head: api({ body: obj({ n: { type: 'integer', multipleOf: 5 } }), ...param({}, str()) }),
  },
  {
    name: 'a list of types reordered, and moved from oneOf to anyOf',
    base: api({ body: obj({ a: { oneOf: [str(), { type: 'integer' }] } }) }),
    head: api({ body: obj({ a: { anyOf: [{ type: 'integer' }, str()] } }) }),
  },
  {
    name: 'a property marked stable explicitly, a 3.1 type list reordered',
    base: api({ version: '3.1.0', body: obj({ a: str(), b: { type: ['integer', 'string'] } }) }),
    head: api({
      version: '3.1.0',
      body: obj({ a: str({ 'x-stability-level': 'stable' }), b: { type: ['string', 'integer'] } }),
    }),
  },
  {
    name: 'stability changes below the tracked threshold (alpha -> draft) on a property and an endpoint',
    base: api({ op: { 'x-stability-level': 'alpha' }, response: obj({ a: str({ 'x-stability-level': 'alpha' }) }) }),
    head: api({ op: { 'x-stability-level': 'draft' }, response: obj({ a: str({ 'x-stability-level': 'draft' }) }) }),
  },
  {
    name: 'a readOnly request property tightened (never sent)',
    base: api({ body: obj({ id: str({ readOnly: true, maxLength: 10, enum: ['a', 'b'] }) }) }),
    head: api({ body: obj({ id: str({ readOnly: true, maxLength: 5, enum: ['a'] }) }) }),
  },
  {
    name: 'a response media type named more precisely (application/* -> application/json)',
    base: api({ media: 'application/*' }),
    head: api({ media: 'application/json' }),
  },
);

describe('diffSpecs compares meaning, not text', () => {
  it.each(EQUIVALENT)('$name', ({ base, head }) => {
    const all = diff(base, head);
    if (process.env.SHOW_INFO) console.log(all.map((c) => `${c.level} ${c.id}: ${c.message}`).join('\n'));
    expect(breaking(all).map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  });
});

describe('change records', () => {
  const baseYaml = `openapi: 3.0.3
info: { title: pets, version: '1' }
paths:
  /pets:
    get:
      parameters:
        - name: limit
          in: query
          schema: { type: integer, maximum: 100 }
      responses:
        '200': { description: ok }
`;
  const headYaml = baseYaml.replace('maximum: 100', 'maximum: 50');

  it('points at the head line, and the fingerprint survives unrelated edits', () => {
    const [change] = breaking(diff(baseYaml, headYaml));
    expect(change).toMatchObject({
      id: 'request-parameter-max-decreased',
      level: 'ERR',
      operation: 'GET /pets',
      path: '/paths/~1pets/get/parameters/query/limit/schema/maximum',
      side: 'head',
      message: 'for the query request parameter `limit`, the max was decreased from 100 to 50',
    });
    expect(change.location?.line).toBe(9);
    const shifted = headYaml.replace(
      "info: { title: pets, version: '1' }",
      "info:\n  title: pets\n  description: more text\n  version: '2'",
    );
    const [moved] = breaking(diff(baseYaml, shifted));
    expect(moved.location?.line).toBe(12);
    expect(moved.fingerprint).toBe(change.fingerprint);
  });

  it('points removals at the base spec', () => {
    const [change] = breaking(diff(baseYaml, baseYaml.replace(/ {6}parameters:[\s\S]*?maximum: 100 \}\n/, '')));
    expect(change).toMatchObject({ id: 'request-parameter-removed', side: 'base', location: { line: 7 } });
  });

  it('reports each removed enum value separately, with its own fingerprint and line', () => {
    const base = api({ body: obj({ a: str({ enum: ['x', 'y', 'z'] }) }) });
    const head = api({ body: obj({ a: str({ enum: ['x'] }) }) });
    const removed = diff(base, head).filter((c) => c.id === 'request-property-enum-value-removed');
    expect(removed.map((c) => c.message)).toEqual([
      'removed the enum value y from the request property `a`',
      'removed the enum value z from the request property `a`',
    ]);
    expect(new Set(removed.map((c) => c.fingerprint)).size).toBe(2);
    expect(removed[0].location!.line).toBeLessThan(removed[1].location!.line);
  });

  it('words composition changes like oasdiff', () => {
    const base = api({
      components: { schemas: { Cat: obj({ meow: str() }), Dog: obj({ bark: str() }) } },
      response: { oneOf: [{ $ref: '#/components/schemas/Cat' }] },
    });
    const head = api({
      components: { schemas: { Cat: obj({ meow: str() }), Dog: obj({ bark: str() }) } },
      response: { oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }] },
    });
    const [change] = diff(base, head).filter((c) => c.id === 'response-body-one-of-added');
    expect(change.message).toBe(
      "added Dog to the `oneOf` list of the response's body (response status 200, application/json)",
    );
  });

  it('applies level overrides and can drop INFO', () => {
    const base = api({ security: [{ oauth: ['read'] }] });
    const head = api({ security: [{ oauth: ['read', 'write'] }] });
    expect(diff(base, head).find((c) => c.id === 'api-security-scope-added')?.level).toBe('INFO');
    expect(
      diff(base, head, { levelOverrides: { 'api-security-scope-added': 'ERR' } }).find(
        (c) => c.id === 'api-security-scope-added',
      )?.level,
    ).toBe('ERR');
    expect(diff(base, head, { includeInfo: false })).toEqual([]);
  });

  it('judges info.version only when something breaks, and accepts a major bump', () => {
    const base = { ...api({ body: obj({ a: str() }) }), info: { title: 'pets', version: '1.4.0' } };
    const safe = { ...api({ body: obj({ a: str(), b: str() }) }), info: { title: 'pets', version: '1.4.0' } };
    const major = { ...api({ body: obj({ a: str() }, ['a']) }), info: { title: 'pets', version: '2.0.0' } };
    const versionIds = (changes: Change[]) => changes.filter((c) => c.id.includes('version')).map((c) => c.id);
    expect(versionIds(diff(base, safe))).toEqual([]);
    expect(versionIds(diff(base, major))).toEqual([]);
  });

  it('diffFiles loads and diffs in one call', () => {
    const a = path.join(work, 'a.yaml');
    const b = path.join(work, 'b.yaml');
    writeFileSync(a, baseYaml);
    writeFileSync(b, headYaml);
    expect(diffFiles(a, b, { root: work, now: NOW }).map((c) => c.id)).toEqual([
      'request-parameter-max-decreased',
      // The breaking change ships under the same info.version.
      'api-version-not-bumped',
    ]);
  });
});

describe('malformed but parseable specs', () => {
  const base = api({ body: obj({ a: str() }), params: [{ name: 'q', in: 'query', schema: str() }] });
  const odd: Array<[string, Doc]> = [
    ['paths is a list', { ...base, paths: [] }],
    ['path item is null', { ...base, paths: { '/pets/{id}': null } }],
    ['operation is a string', { ...base, paths: { '/pets/{id}': { post: 'nope' } } }],
    ['parameters is a string', api({ op: { parameters: 'x' } })],
    ['parameter without in', api({ op: { parameters: [{ name: 'q', schema: true }] } })],
    ['responses is a list', api({ op: { responses: [] } })],
    [
      '3.1 boolean schemas',
      api({ version: '3.1.0', body: { type: 'object', properties: { a: true, b: false }, items: false } }),
    ],
    ['schema is a number', api({ body: 42 as unknown as Doc })],
    ['security is an object', api({ op: { security: { oauth: [] } } })],
  ];
  it.each(odd)('%s: diffs without throwing, both ways', (_name, doc) => {
    expect(() => diff(base, doc)).not.toThrow();
    expect(() => diff(doc, base)).not.toThrow();
  });

  it('stops at a very deep chain of distinct schemas instead of overflowing the stack', () => {
    const schemas: Doc = {};
    for (let i = 0; i < 1200; i++) schemas[`S${i}`] = obj({ next: { $ref: `#/components/schemas/S${i + 1}` } });
    schemas.S1200 = obj({ leaf: str() });
    const head = structuredClone(schemas);
    head.S1200 = obj({ leaf: { type: 'integer' } });
    const changes = diff(
      api({ response: { $ref: '#/components/schemas/S0' }, components: { schemas } }),
      api({ response: { $ref: '#/components/schemas/S0' }, components: { schemas: head } }),
    );
    expect(changes.map((c) => c.id)).toContain('schema-comparison-truncated');
  });
});

describe('parseSunset', () => {
  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000Z'],
    ['2026-02-30', undefined],
    ['tomorrow', undefined],
    [42, undefined],
  ])('%s', (input, expected) => {
    expect(parseSunset(input)?.toISOString()).toBe(expected);
  });
});

describe('oasdiff semantics found on held-out pairs', () => {
  it('pairs the one untitled inline anyOf member left on each side as modified, not removed and added', () => {
    const member = (required: string[]) => ({ type: 'object', properties: { code: str() }, required });
    const changes = diff(
      api({
        body: { anyOf: [member([]), { $ref: '#/components/schemas/Tag' }] },
        components: { schemas: { Tag: str() } },
      }),
      api({
        body: { anyOf: [member(['code']), { $ref: '#/components/schemas/Tag' }] },
        components: { schemas: { Tag: str() } },
      }),
    );
    expect(breaking(changes).map((c) => c.id)).toEqual(['request-property-became-required']);
    expect(changes.map((c) => c.id)).not.toContain('request-body-any-of-added');
  });

  it('keeps members apart when more than one inline member changed, or one of them has a title', () => {
    const a = (n: number) => ({ type: 'object', properties: { a: { type: 'integer', maximum: n } } });
    const ids = (base: Doc[], head: Doc[]) =>
      diff(api({ body: { oneOf: base } }), api({ body: { oneOf: head } })).map((c) => c.id);
    expect(ids([a(1), a(2)], [a(3), a(4)])).toContain('request-body-one-of-removed');
    expect(ids([{ ...a(1), title: 'One' }], [a(3)])).toContain('request-body-one-of-removed');
  });

  it('a modified untitled allOf member is not an allOf member added and removed', () => {
    const changes = diff(
      api({
        body: { allOf: [{ $ref: '#/components/schemas/Base' }, obj({ old: str() })] },
        components: { schemas: { Base: obj({ id: str() }) } },
      }),
      api({
        body: { allOf: [{ $ref: '#/components/schemas/Base' }, obj({ old: str({ deprecated: true }) })] },
        components: { schemas: { Base: obj({ id: str() }) } },
      }),
    );
    expect(breaking(changes)).toEqual([]);
    expect(changes.map((c) => c.id)).toContain('request-property-deprecated');
  });

  it('reports a request body that became an enum next to its type change', () => {
    const changes = diff(api({ body: str() }), api({ body: { type: 'integer', enum: [1, 2] } }));
    expect(
      breaking(changes)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['request-body-became-enum', 'request-body-type-changed']);
  });

  it('cannot compare a deprecated parameter sunset that did not parse before', () => {
    const dep = (sunset: string) => param({ deprecated: true, 'x-sunset': sunset });
    const changes = diff(api(dep('not-a-date')), api(dep('2099-01-01')));
    const hit = changes.find((c) => c.id === 'request-parameter-sunset-parse');
    expect(hit?.level).toBe('ERR');
    expect(hit?.side).toBe('base');
  });

  it('judges no sunset date against an unparseable stability level under a deprecation policy', () => {
    const head = api({ op: { deprecated: true, 'x-sunset': '2023-08-02', 'x-stability-level': 'invalid' } });
    expect(diff(api(), head, { deprecationDaysStable: 30 }).map((c) => c.id)).toEqual(['api-invalid-stability-level']);
    const valid = api({ op: { deprecated: true, 'x-sunset': '2023-08-02', 'x-stability-level': 'stable' } });
    expect(diff(api(), valid, { deprecationDaysStable: 30 }).map((c) => c.id)).toContain('api-sunset-date-too-small');
  });
});
