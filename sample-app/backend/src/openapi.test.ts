import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkResponse, loadContract, SPEC_PATH } from './openapi.js';
import { startBackend, type TestBackend } from './testing.js';

const spec = parse(readFileSync(SPEC_PATH, 'utf8'));
const contract = loadContract();
const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
    .map(([method, operation]) => ({ path, method, operation })),
);

describe('openapi.yaml rules', () => {
  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    '%s has id, tags, a 10-500 char description, explicit security and shared error responses',
    (_name, { operation }) => {
      expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.tags.length).toBeGreaterThan(0);
      expect(operation.description.length).toBeGreaterThanOrEqual(10);
      expect(operation.description.length).toBeLessThanOrEqual(500);
      expect(Array.isArray(operation.security)).toBe(true);
      for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
        if (Number(status) >= 400) expect(response.$ref, status).toMatch(/^#\/components\/responses\//);
      }
    },
  );

  it('routes every error response to the one Error schema', () => {
    for (const [name, response] of Object.entries(spec.components.responses as Record<string, any>)) {
      expect(response.content['application/json'].schema, name).toEqual({ $ref: '#/components/schemas/Error' });
    }
  });

  it('describes every schema property', () => {
    const missing: string[] = [];
    const visit = (schema: any, at: string) => {
      for (const [name, property] of Object.entries((schema?.properties ?? {}) as Record<string, any>)) {
        if (!property.description) missing.push(`${at}.${name}`);
        visit(property, `${at}.${name}`);
      }
    };
    for (const [name, schema] of Object.entries(spec.components.schemas as Record<string, any>)) visit(schema, name);
    expect(missing).toEqual([]);
  });

  it('documents exactly the routes the app serves', async () => {
    const backend = await startBackend();
    await backend.close();
    const documented = contract.operations.map((o) => `${o.method} ${o.route}`).sort();
    expect(documented.length).toBe(operations.length);
    expect([...backend.app.routes].sort()).toEqual(documented);
  });
});

describe('security requirements are enforced', () => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(() => backend.close());
  afterEach(() => expect(backend.violations).toEqual([]));

  const url = (route: string) =>
    route.replace(':id', '3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11') + (route.endsWith('/content') ? '?path=a.txt' : '');
  it.each(contract.operations.map((o) => [o.operationId, o] as const))(
    '%s without a token: 401 when secured, never 401 otherwise',
    async (_id, operation) => {
      const response = await backend.request({
        method: operation.method as 'GET',
        url: url(operation.route),
        ...(operation.body ? { payload: {} } : {}),
      });
      if (operation.secured) {
        expect(response.statusCode).toBe(401);
        expect(response.json().error.code).toBe('unauthorized');
      } else {
        expect(response.statusCode).not.toBe(401);
      }
    },
  );
});

describe('checkResponse catches drift', () => {
  const valid = JSON.stringify({ status: 'ok' });
  it.each([
    ['a conforming response', 'GET', '/healthz', 200, 'application/json', valid, []],
    [
      'an undocumented status',
      'GET',
      '/healthz',
      201,
      'application/json',
      valid,
      ['status 201 is not documented for getLiveness'],
    ],
    [
      'a wrong field',
      'GET',
      '/healthz',
      200,
      'application/json',
      '{"status":"fine"}',
      ['body.status must be equal to constant'],
    ],
    [
      'an extra field',
      'GET',
      '/healthz',
      200,
      'application/json',
      '{"status":"ok","x":1}',
      ['additional property "x"'],
    ],
    [
      'a wrong content type',
      'GET',
      '/healthz',
      200,
      'text/html',
      valid,
      ['content-type text/html but openapi.yaml documents application/json'],
    ],
    ['a body on 204', 'DELETE', '/api/projects/:id', 204, undefined, 'x', ['body sent but none documented']],
    [
      'an error without requestId',
      'GET',
      '/healthz',
      500,
      'application/json',
      '{"error":{"code":"x","message":"m"}}',
      ["must have required property 'requestId'"],
    ],
    [
      'an unknown route that is not 404',
      'GET',
      undefined,
      200,
      'application/json',
      valid,
      ['no operation in openapi.yaml'],
    ],
    [
      'an unmatched 404 that is not an Error',
      'GET',
      undefined,
      404,
      'application/json',
      'not json',
      ['body must be object'],
    ],
    ['metrics text', 'GET', '/metrics', 200, 'text/plain; version=0.0.4', '# HELP x', []],
  ] as const)('%s', (_case, method, route, status, contentType, payload, problems) => {
    const found = checkResponse(contract, method, route, status, contentType, payload);
    expect(found.length).toBe(problems.length);
    problems.forEach((problem, index) => expect(found[index]).toContain(problem));
  });
});
