import Fastify, { type FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ApiError, ConfigError, handleError } from './errors.js';
import { faultApplies, FaultInjector, parseFaultSettings, PROBE_ROUTES, type FaultSettings } from './faults.js';

describe('parseFaultSettings', () => {
  it.each([
    [{}, { errorRate: 0, latencyMs: 0, routes: [] }],
    [
      { FAULT_ERROR_RATE: '0.25', FAULT_LATENCY_MS: '100', FAULT_ROUTES: '/api/projects, ,/api/ai/*' },
      { errorRate: 0.25, latencyMs: 100, routes: ['/api/projects', '/api/ai/*'] },
    ],
    [
      { FAULT_ERROR_RATE: ' 1 ', FAULT_LATENCY_MS: '60000' },
      { errorRate: 1, latencyMs: 60_000, routes: [] },
    ],
  ])('%j -> %j', (env, expected) => {
    expect(parseFaultSettings(env, '/v1/generate')).toEqual(expected);
  });

  it.each([
    [{ FAULT_ERROR_RATE: '1.5' }, 'FAULT_ERROR_RATE="1.5" is invalid: set a number from 0 to 1'],
    [{ FAULT_ERROR_RATE: 'lots' }, 'FAULT_ERROR_RATE="lots" is invalid'],
    [{ FAULT_ERROR_RATE: '-0.1' }, 'FAULT_ERROR_RATE="-0.1" is invalid'],
    [{ FAULT_LATENCY_MS: '-1' }, 'FAULT_LATENCY_MS="-1" is invalid: set whole milliseconds from 0 to 60000.'],
    [{ FAULT_LATENCY_MS: '1.5' }, 'FAULT_LATENCY_MS="1.5" is invalid'],
    [{ FAULT_LATENCY_MS: '60001' }, 'FAULT_LATENCY_MS="60001" is invalid'],
    [
      { FAULT_ROUTES: 'v1/generate' },
      'FAULT_ROUTES entry "v1/generate" is invalid: list route templates such as /v1/generate.',
    ],
  ])('rejects %j with one ConfigError', (env, message) => {
    expect(() => parseFaultSettings(env, '/v1/generate')).toThrow(ConfigError);
    expect(() => parseFaultSettings(env, '/v1/generate')).toThrow(message);
  });
});

describe('faultApplies', () => {
  const settings = (routes: string[]): FaultSettings => ({ errorRate: 1, latencyMs: 0, routes });
  const exempt = [...PROBE_ROUTES, '/api/admin/faults'];
  it.each([
    [[], '/api/projects', true],
    [[], '/healthz', false],
    [[], '/readyz', false],
    [[], '/metrics', false],
    [[], '/api/admin/faults', false],
    [[], undefined, false],
    [['/api/projects/:id'], '/api/projects/:id', true],
    [['/api/projects/:id'], '/api/projects', false],
    [['/api/projects*'], '/api/projects/:id/files', true],
    [['/api/*'], '/api/admin/faults', false],
    [['/api/*'], '/healthz', false],
  ] as const)('routes %j, request %s -> %s', (routes, route, expected) => {
    expect(faultApplies(settings([...routes]), route, exempt)).toBe(expected);
  });
});

describe('FaultInjector', () => {
  /** A bare app whose onRequest hook is the injector, with the probes, the switch and one ordinary route. */
  async function appWith(injector: FaultInjector) {
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    app.addHook('onRequest', async (request) => injector.inject(request));
    for (const url of ['/healthz', '/admin/faults', '/work']) app.get(url, async () => ({ ok: true }));
    await app.ready();
    return app;
  }

  it('exempts the probes and its own switch', () => {
    const injector = new FaultInjector({ errorRate: 0, latencyMs: 0, routes: [] }, { switchRoute: '/admin/faults' });
    expect(injector.exemptRoutes).toEqual(['/healthz', '/readyz', '/metrics', '/admin/faults']);
  });

  it('fails the configured share with 503 naming the switch, and spares exempt routes', async () => {
    const draws = [0.1, 0.9];
    const injector = new FaultInjector(
      { errorRate: 0.5, latencyMs: 0, routes: [] },
      { switchRoute: '/admin/faults', random: () => draws.shift() ?? 0 },
    );
    const app = await appWith(injector);
    const failed = await app.inject({ method: 'GET', url: '/work' });
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error).toMatchObject({
      code: 'fault_injected',
      message: 'Fault injected by the bad-release switch; PUT /admin/faults to turn it off.',
    });
    expect((await app.inject({ method: 'GET', url: '/work' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/admin/faults' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    await app.close();
  });

  it('adds latency to matching routes only', async () => {
    const injector = new FaultInjector(
      { errorRate: 0, latencyMs: 50, routes: ['/work'] },
      { switchRoute: '/admin/faults', random: () => 0 },
    );
    const app = await appWith(injector);
    const timed = async (url: string) => {
      const started = performance.now();
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
      return performance.now() - started;
    };
    expect(await timed('/work')).toBeGreaterThanOrEqual(45);
    expect(await timed('/healthz')).toBeLessThan(45);
    await app.close();
  });

  it('switches live and hands out copies, so callers cannot change the settings behind its back', async () => {
    const initial = { errorRate: 0, latencyMs: 0, routes: ['/work'] };
    const injector = new FaultInjector(initial, { switchRoute: '/admin/faults', random: () => 0 });
    initial.routes.push('/healthz');
    injector.current.routes.push('/other');
    expect(injector.current).toEqual({ errorRate: 0, latencyMs: 0, routes: ['/work'] });

    const request = { routeOptions: { url: '/work' } } as Parameters<FaultInjector['inject']>[0];
    await expect(injector.inject(request)).resolves.toBeUndefined();
    const next = { errorRate: 1, latencyMs: 0, routes: [] as string[] };
    injector.set(next);
    next.routes.push('/nothing-else');
    expect(injector.current.routes).toEqual([]);
    await expect(injector.inject(request)).rejects.toBeInstanceOf(ApiError);
  });

  it('uses Math.random when no random source is given', async () => {
    const injector = new FaultInjector({ errorRate: 1, latencyMs: 0, routes: [] }, { switchRoute: '/admin/faults' });
    const request = { routeOptions: { url: '/work' } } as Parameters<FaultInjector['inject']>[0];
    // Math.random() < 1 always holds, so an error rate of 1 fails every request.
    await expect(injector.inject(request)).rejects.toMatchObject({ statusCode: 503, code: 'fault_injected' });
  });
});

describe('FaultInjector.registerSwitch', () => {
  const ADMIN = 'Bearer admin';
  const guard = async (request: FastifyRequest) => {
    if (request.headers.authorization !== ADMIN) throw new ApiError(401, 'unauthorized', 'Send the admin token.');
  };
  const bodySchema = {
    type: 'object',
    required: ['errorRate', 'latencyMs', 'routes'],
    properties: { errorRate: { type: 'number', maximum: 1 } },
  };

  async function appWithSwitch(schema?: object) {
    const injector = new FaultInjector({ errorRate: 0, latencyMs: 0, routes: [] }, { switchRoute: '/ops/faults' });
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    injector.registerSwitch(app, { guard, bodySchema: schema });
    await app.ready();
    return { app, injector };
  }

  it('serves the live settings and replaces them, admins only', async () => {
    const { app, injector } = await appWithSwitch(bodySchema);
    const put = (payload: object, authorization?: string) =>
      app.inject({ method: 'PUT', url: '/ops/faults', payload, headers: authorization ? { authorization } : {} });
    const on = { errorRate: 0.5, latencyMs: 10, routes: ['/work'] };

    expect((await app.inject({ method: 'GET', url: '/ops/faults' })).statusCode).toBe(401);
    expect((await put(on)).statusCode).toBe(401);
    expect(injector.current.errorRate).toBe(0);

    const changed = await put(on, ADMIN);
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual(on);
    expect(injector.current).toEqual(on);
    const read = await app.inject({ method: 'GET', url: '/ops/faults', headers: { authorization: ADMIN } });
    expect(read.json()).toEqual(on);
    await app.close();
  });

  it.each([
    ['with a body schema', bodySchema, 400],
    ['trusting the app to validate', undefined, 200],
  ])('checks the PUT body %s', async (_how, schema, status) => {
    const { app } = await appWithSwitch(schema);
    const response = await app.inject({
      method: 'PUT',
      url: '/ops/faults',
      payload: { errorRate: 2, latencyMs: 0, routes: [] },
      headers: { authorization: ADMIN },
    });
    expect(response.statusCode).toBe(status);
    if (status === 400) expect(response.json().error.code).toBe('validation_failed');
    await app.close();
  });
});
