import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorShapeProblem } from './errors.js';
import { FaultInjector } from './faults.js';
import { createServiceMetrics, readMetric } from './metrics.js';
import { BODY_LIMIT_BYTES, registerServiceBasics, serverOptions } from './service.js';

/** A service made of the basics plus one ordinary route, as both sample services are built. */
function service(notFoundHint?: string) {
  const app = Fastify(serverOptions({ logLevel: 'silent', logger: false }));
  const metrics = createServiceMetrics('kit-test');
  const faults = new FaultInjector({ errorRate: 0, latencyMs: 0, routes: [] }, { switchRoute: '/admin/faults' });
  registerServiceBasics(app, { metrics, faults, notFoundHint });
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  app.post('/items', async (request) => request.body);
  return {
    app,
    faults,
    metric: async (name: string, labels: Record<string, string>) => {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      return readMetric(text, name, labels);
    },
  };
}

let kit: ReturnType<typeof service>;
beforeAll(async () => {
  kit = service('see openapi.yaml');
  await kit.app.ready();
});
afterAll(() => kit.app.close());

describe('serverOptions', () => {
  it.each([
    [{ logLevel: 'warn' }, { level: 'warn', redact: ['req.headers.authorization'] }],
    [
      { logLevel: 'debug', logger: true },
      { level: 'debug', redact: ['req.headers.authorization'] },
    ],
    [{ logLevel: 'debug', logger: false }, false],
  ])('%j logs with %j', (input, logger) => {
    expect(serverOptions(input)).toMatchObject({ logger, bodyLimit: BODY_LIMIT_BYTES });
  });
});

describe('registerServiceBasics', () => {
  it.each([
    ['from-backend-1', 'from-backend-1'],
    ['a.b:c_d-1', 'a.b:c_d-1'],
    ['bad id\u0007', /^[0-9a-f-]{36}$/],
    ['x'.repeat(129), /^[0-9a-f-]{36}$/],
    [undefined, /^[0-9a-f-]{36}$/],
  ])('answers incoming request id %j with %s', async (incoming, expected) => {
    const response = await kit.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: incoming === undefined ? {} : { 'x-request-id': incoming },
    });
    expect(response.json()).toEqual({ status: 'ok' });
    if (typeof expected === 'string') expect(response.headers['x-request-id']).toBe(expected);
    else expect(response.headers['x-request-id']).toMatch(expected);
  });

  it.each([
    ['a text/plain body', { 'content-type': 'text/plain' }, 'hi', 415, 'unsupported_media_type'],
    [
      'a body over 1 MB',
      { 'content-type': 'application/json' },
      `"${'x'.repeat(BODY_LIMIT_BYTES)}"`,
      413,
      'payload_too_large',
    ],
  ])('refuses %s with the Error schema', async (_what, headers, payload, status, code) => {
    const response = await kit.app.inject({ method: 'POST', url: '/items', headers, payload });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(errorShapeProblem(response.body)).toBeUndefined();
  });

  it.each([
    ['see openapi.yaml', 'No route GET /no/such; see openapi.yaml.'],
    [undefined, 'No route GET /no/such.'],
  ])('answers unknown routes with 404 and hint %j', async (hint, message) => {
    const { app } = service(hint);
    const response = await app.inject({ method: 'GET', url: '/no/such?x=1', headers: { 'x-request-id': 'r-404' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message, requestId: 'r-404' } });
    await app.close();
  });

  it('counts responses by route template, never the raw URL, and unknown routes as unmatched', async () => {
    await kit.app.inject({ method: 'GET', url: '/items/42' });
    await kit.app.inject({ method: 'GET', url: '/items/43' });
    await kit.app.inject({ method: 'GET', url: '/elsewhere' });
    const scrape = await kit.app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(scrape.body).not.toContain('/items/42');
    const labels = { route: '/items/:id', method: 'GET', status_code: '200', service: 'kit-test' };
    expect(await kit.metric('http_requests_total', labels)).toBe(2);
    expect(await kit.metric('http_request_duration_seconds_count', labels)).toBe(2);
    expect(await kit.metric('http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
  });

  it('injects faults into ordinary routes, counts them, and spares the probes', async () => {
    kit.faults.set({ errorRate: 1, latencyMs: 0, routes: [] });
    try {
      const failed = await kit.app.inject({ method: 'GET', url: '/items/7' });
      expect(failed.statusCode).toBe(503);
      expect(failed.json().error.code).toBe('fault_injected');
      expect((await kit.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect(await kit.metric('http_requests_total', { route: '/items/:id', status_code: '503' })).toBe(1);
    } finally {
      kit.faults.set({ errorRate: 0, latencyMs: 0, routes: [] });
    }
  });
});
