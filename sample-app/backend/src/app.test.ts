import { HTTP_BUCKETS } from '@myco-gates/service-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, startStubEngine, type StubEngine, type TestBackend } from './testing.js';

let engine: StubEngine;
let backend: TestBackend;
let user: string;
let admin: string;

beforeAll(async () => {
  engine = await startStubEngine();
  backend = await startBackend({ AI_ENGINE_URL: engine.url, ADMIN_EMAILS: 'ops@example.com' });
  user = (await backend.register('user@example.com')).token;
  admin = (await backend.register('ops@example.com')).token;
});
afterAll(async () => {
  await backend.close();
  await engine.close();
});
afterEach(() => expect(backend.violations).toEqual([]));

describe('health', () => {
  it('answers liveness and readiness with per-dependency checks', async () => {
    expect((await backend.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await backend.request({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, aiEngine: { status: 'up' } },
    });
  });

  it('is not ready (503) when the AI engine answers an error', async () => {
    const previous = engine.handle;
    engine.handle = (_request, _body, response) => {
      response.writeHead(503);
      response.end();
    };
    const ready = await backend.request({ method: 'GET', url: '/readyz' });
    engine.handle = previous;
    expect(ready.statusCode).toBe(503);
    expect(ready.json().error).toMatchObject({ code: 'not_ready', message: expect.stringContaining('aiEngine down') });
  });
});

describe('metrics', () => {
  it('labels requests with the route template, never the raw URL, and unknown routes as unmatched', async () => {
    const id = '3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11';
    await backend.request({ method: 'GET', url: `/api/projects/${id}`, headers: { authorization: `Bearer ${user}` } });
    const missing = await backend.request({ method: 'GET', url: '/no/such/route?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('No route GET /no/such/route; see openapi.yaml.');

    const text = (await backend.request({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain(
      'http_requests_total{route="/api/projects/:id",method="GET",status_code="404",service="backend"} 1',
    );
    expect(text).toContain('http_requests_total{route="unmatched",method="GET",status_code="404",service="backend"} 1');
    expect(text).not.toContain(id);
    for (const bucket of HTTP_BUCKETS) expect(text).toContain(`http_request_duration_seconds_bucket{le="${bucket}"`);
    expect(
      await backend.metric('db_query_duration_seconds_count', { operation: 'user_insert', service: 'backend' }),
    ).toBe(2);
    expect(text).toMatch(/db_query_duration_seconds_bucket\{le="0.001",(service="backend",)?operation="user_insert"/);
    expect(text).toContain('process_cpu_user_seconds_total{service="backend"}');
  });
});

describe('bad input always gets the Error schema', () => {
  const auth = () => ({ authorization: `Bearer ${user}` });
  it.each<[string, () => Parameters<TestBackend['request']>[0], number, string]>([
    [
      'malformed JSON',
      () => ({
        method: 'POST',
        url: '/api/projects',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"name":',
      }),
      400,
      'malformed_json',
    ],
    [
      'a body over 1 MB',
      () => ({
        method: 'POST',
        url: '/api/projects',
        headers: auth(),
        payload: { name: 'x', description: 'y'.repeat(1_100_000) },
      }),
      413,
      'payload_too_large',
    ],
    [
      'a text/plain body',
      () => ({
        method: 'POST',
        url: '/api/projects',
        headers: { ...auth(), 'content-type': 'text/plain' },
        payload: 'name=x',
      }),
      415,
      'unsupported_media_type',
    ],
    ['no body', () => ({ method: 'POST', url: '/api/projects', headers: auth() }), 400, 'body_required'],
    [
      'an empty JSON body',
      () => ({
        method: 'POST',
        url: '/api/projects',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '',
      }),
      400,
      'bad_request',
    ],
    [
      'a body where none is allowed',
      () => ({
        method: 'DELETE',
        url: '/api/projects/3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11',
        headers: auth(),
        payload: { a: 1 },
      }),
      400,
      'unexpected_body',
    ],
    [
      'a repeated query parameter',
      () => ({
        method: 'GET',
        url: '/api/projects/3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11/files/content?path=a&path=b',
        headers: auth(),
      }),
      400,
      'validation_failed',
    ],
    [
      'a prototype-poisoning body',
      () => ({
        method: 'POST',
        url: '/api/projects',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"__proto__":{"x":1},"name":"p"}',
      }),
      400,
      'malformed_json',
    ],
  ])('%s -> %s', async (_case, options, status, code) => {
    const response = await backend.request(options());
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(response.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('hides internal errors behind a 500 that names the request id', async () => {
    const broken = await startBackend();
    const { token } = await broken.register('broken@example.com');
    broken.app.store.db.exec('DROP TABLE files');
    const response = await broken.request({
      method: 'GET',
      url: '/api/projects',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-500' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: {
        code: 'internal_error',
        message: 'Internal error; quote request id trace-500 when reporting it.',
        requestId: 'trace-500',
      },
    });
    expect(broken.violations).toEqual([]);
    await broken.close();
  });

  it('ignores an unsafe incoming request id', async () => {
    const response = await backend.request({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\u0007' },
    });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('fault injection', () => {
  const setFaults = (token: string, payload: object) =>
    backend.request({
      method: 'PUT',
      url: '/api/admin/faults',
      payload,
      headers: { authorization: `Bearer ${token}` },
    });

  it('is admin-only', async () => {
    expect((await setFaults(user, { errorRate: 1, latencyMs: 0, routes: [] })).statusCode).toBe(403);
    expect((await backend.request({ method: 'GET', url: '/api/admin/faults' })).statusCode).toBe(401);
    expect((await setFaults(admin, { errorRate: 2, latencyMs: 0, routes: [] })).statusCode).toBe(400);
  });

  it('fails matching routes with 503, counts them, spares health and the switch, and turns off again', async () => {
    const on = await setFaults(admin, { errorRate: 1, latencyMs: 20, routes: ['/api/templates'] });
    expect(on.json()).toEqual({ errorRate: 1, latencyMs: 20, routes: ['/api/templates'] });
    const before = await backend.metric('http_requests_total', { route: '/api/templates', status_code: '503' });

    const failed = await backend.request({ method: 'GET', url: '/api/templates' });
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe('fault_injected');
    expect(await backend.metric('http_requests_total', { route: '/api/templates', status_code: '503' })).toBe(
      before + 1,
    );
    expect(
      (await backend.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${user}` } }))
        .statusCode,
    ).toBe(200);
    expect((await backend.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const all = await setFaults(admin, { errorRate: 1, latencyMs: 0, routes: [] });
    expect(all.statusCode).toBe(200);
    expect(
      (await backend.request({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${user}` } }))
        .statusCode,
    ).toBe(503);
    expect(
      (
        await backend.request({
          method: 'GET',
          url: '/api/admin/faults',
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json(),
    ).toEqual({
      errorRate: 1,
      latencyMs: 0,
      routes: [],
    });
    expect((await setFaults(admin, { errorRate: 0, latencyMs: 0, routes: [] })).statusCode).toBe(200);
    expect((await backend.request({ method: 'GET', url: '/api/templates' })).statusCode).toBe(200);
  });

  it('reads FAULT_* from the environment and adds latency', async () => {
    const slow = await startBackend(
      { FAULT_LATENCY_MS: '60', FAULT_ERROR_RATE: '0.5', FAULT_ROUTES: '/api/temp*' },
      { random: () => 0.7 },
    );
    const started = performance.now();
    const response = await slow.request({ method: 'GET', url: '/api/templates' });
    expect(response.statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    await slow.close();
  });
});
