import { errorShapeProblem, HTTP_BUCKETS, readMetric } from '@myco-gates/service-kit';
import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { LLM_BUCKETS } from './metrics.js';
import { json, startFakeOpenAi, type FakeOpenAi } from './testing.js';

const ADMIN = 'admin-token-0123456789';
const problems: string[] = [];

function engine(env: NodeJS.ProcessEnv = {}, random?: () => number) {
  const app = buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN: ADMIN, ...env }),
    logger: false,
    random,
  });
  // Every 4xx/5xx from any test must be exactly the shared Error shape.
  const request = async (options: InjectOptions) => {
    const response = await app.inject(options);
    if (response.statusCode >= 400) {
      const problem = errorShapeProblem(response.body);
      if (problem) problems.push(`${options.method} ${options.url} -> ${response.statusCode}: ${problem}`);
    }
    return response;
  };
  const metric = async (name: string, labels?: Record<string, string>) =>
    readMetric((await request({ method: 'GET', url: '/metrics' })).body, name, labels);
  return { app, request, metric };
}

let main: ReturnType<typeof engine>;
beforeAll(() => {
  main = engine();
});
afterAll(() => main.app.close());
afterEach(() => {
  expect(problems).toEqual([]);
  problems.length = 0;
});

describe('POST /v1/generate', () => {
  it('generates code and echoes the request id', async () => {
    const response = await main.request({
      method: 'POST',
      url: '/v1/generate',
      payload: { prompt: 'sort numbers', language: 'rust', maxTokens: 100 },
      headers: { 'x-request-id': 'from-backend-1' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('from-backend-1');
    expect(response.json()).toMatchObject({
      language: 'rust',
      provider: 'local',
      model: 'local-deterministic',
      cached: false,
      costUsd: 0,
      usage: { inputTokens: 3, outputTokens: expect.any(Number) },
    });
    expect(response.json().code).toContain('pub fn sort_numbers(');
    // The backend's GenerateResponse is built from exactly these fields (sample-app/backend/src/ai.ts).
    expect(Object.keys(response.json()).sort()).toEqual([
      'cached',
      'code',
      'costUsd',
      'language',
      'latencyMs',
      'model',
      'provider',
      'usage',
    ]);
  });

  it.each<[string, InjectOptions, number, string, string]>([
    [
      'an unknown field',
      { payload: { prompt: 'x', temperature: 2 } },
      400,
      'validation_failed',
      'body must NOT have additional property "temperature"',
    ],
    [
      'an empty prompt',
      { payload: { prompt: '' } },
      400,
      'validation_failed',
      'body.prompt must NOT have fewer than 1 characters',
    ],
    [
      'a string maxTokens',
      { payload: { prompt: 'x', maxTokens: '10' } },
      400,
      'validation_failed',
      'body.maxTokens must be integer',
    ],
    [
      'malformed JSON',
      { payload: '{"prompt":', headers: { 'content-type': 'application/json' } },
      400,
      'malformed_json',
      'not valid JSON',
    ],
    [
      'text/plain',
      { payload: 'hi', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
      'application/json',
    ],
    ['a body over 1 MB', { payload: { prompt: 'x'.repeat(1_100_000) } }, 413, 'payload_too_large', '1 MB'],
    [
      'an unknown provider',
      { payload: { prompt: 'x', provider: 'claude' } },
      422,
      'unknown_provider',
      'use one of local',
    ],
  ])('answers %s with %s', async (_case, options, status, code, message) => {
    const response = await main.request({ method: 'POST', url: '/v1/generate', ...options });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    expect(response.json().error.message).toContain(message);
  });

  it('uses the OpenAI-compatible provider when configured', async () => {
    const fake: FakeOpenAi = await startFakeOpenAi();
    const openai = engine({ OPENAI_API_KEY: 'sk-live-abc', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-4o' });
    const response = await openai.request({ method: 'POST', url: '/v1/generate', payload: { prompt: 'one' } });
    expect(response.json()).toMatchObject({ provider: 'openai', model: 'gpt-4o', code: 'export const x = 1;\n' });
    expect((await openai.request({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
      provider: 'openai',
    });
    fake.handle = (_q, _b, r) => json(r, 500, {});
    const failed = await openai.request({ method: 'POST', url: '/v1/generate', payload: { prompt: 'two' } });
    expect(failed.statusCode).toBe(502);
    expect(failed.body).not.toContain('sk-live-abc');
    expect((await openai.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    expect(await openai.metric('llm_provider_up', { provider: 'openai' })).toBe(0);
    const usage = (await openai.request({ method: 'GET', url: '/v1/usage' })).json();
    expect(usage.models).toEqual([
      expect.objectContaining({ provider: 'openai', model: 'gpt-4o', requests: 1, priced: true }),
    ]);
    await openai.app.close();
    await fake.close();
  });
});

describe('agent sessions', () => {
  it('creates, reads and cancels sessions', async () => {
    const slow = engine({ LOCAL_LATENCY_MS: '2000' });
    const created = await slow.request({
      method: 'POST',
      url: '/v1/agents',
      payload: { goal: 'build a cli', language: 'go' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect((await slow.request({ method: 'GET', url: `/v1/agents/${id}` })).json()).toMatchObject({
      status: 'running',
      goal: 'build a cli',
    });
    const cancelled = await slow.request({ method: 'POST', url: `/v1/agents/${id}/cancel` });
    expect(cancelled.json().status).toBe('cancelled');
    expect((await slow.request({ method: 'POST', url: `/v1/agents/${id}/cancel` })).statusCode).toBe(409);
    expect(
      (await slow.request({ method: 'GET', url: '/v1/agents/4b0e2f7c-3a0d-4c44-9b1f-3d4b2a1c0e9f' })).statusCode,
    ).toBe(404);
    expect((await slow.request({ method: 'GET', url: '/v1/agents/not-a-uuid' })).json().error.message).toContain(
      'params.id must match format "uuid"',
    );
    expect((await slow.request({ method: 'POST', url: '/v1/agents', payload: { goal: '' } })).statusCode).toBe(400);
    expect(await slow.metric('agent_sessions_total', { status: 'cancelled' })).toBe(1);
    await slow.app.close();
  });
});

describe('admin faults', () => {
  const put = (app: ReturnType<typeof engine>, payload: object, token = ADMIN) =>
    app.request({ method: 'PUT', url: '/admin/faults', payload, headers: { authorization: `Bearer ${token}` } });

  it('is guarded by ADMIN_TOKEN and closed without it', async () => {
    expect((await put(main, { errorRate: 1, latencyMs: 0, routes: [] }, 'wrong-token-0123456')).statusCode).toBe(401);
    expect((await main.request({ method: 'GET', url: '/admin/faults' })).statusCode).toBe(401);
    const closed = engine({ ADMIN_TOKEN: '' });
    const response = await put(closed, { errorRate: 1, latencyMs: 0, routes: [] });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('admin_disabled');
    await closed.app.close();
  });

  it('injects 503s into matching routes, counts them, spares probes, and turns off', async () => {
    expect((await put(main, { errorRate: 1, latencyMs: 0, routes: ['relative'] })).statusCode).toBe(400);
    expect((await put(main, { errorRate: 1, latencyMs: 0, routes: ['/v1/generate'] })).json()).toEqual({
      errorRate: 1,
      latencyMs: 0,
      routes: ['/v1/generate'],
    });
    const failed = await main.request({ method: 'POST', url: '/v1/generate', payload: { prompt: 'x' } });
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe('fault_injected');
    expect((await main.request({ method: 'GET', url: '/v1/usage' })).statusCode).toBe(200);
    expect((await main.request({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect(await main.metric('http_requests_total', { route: '/v1/generate', status_code: '503' })).toBe(1);
    expect(
      (
        await main.request({ method: 'GET', url: '/admin/faults', headers: { authorization: `Bearer ${ADMIN}` } })
      ).json().errorRate,
    ).toBe(1);
    await put(main, { errorRate: 0, latencyMs: 0, routes: [] });
    expect((await main.request({ method: 'POST', url: '/v1/generate', payload: { prompt: 'x' } })).statusCode).toBe(
      200,
    );
  });

  it('reads FAULT_* from the environment', async () => {
    const faulty = engine({ FAULT_ERROR_RATE: '0.5', FAULT_LATENCY_MS: '40' }, () => 0.1);
    const started = performance.now();
    expect((await faulty.request({ method: 'GET', url: '/v1/usage' })).statusCode).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    await faulty.app.close();
  });
});

describe('health and metrics', () => {
  it('answers probes and exposes the fixed metric names with route templates', async () => {
    expect((await main.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await main.request({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
      provider: 'local',
    });
    expect((await main.request({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
    const text = (await main.request({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'llm_request_duration_seconds',
      'llm_tokens_total',
      'llm_cost_usd_total',
      'llm_provider_up',
      'llm_cache_hits_total',
      'llm_cache_misses_total',
      'agent_sessions_active',
      'agent_sessions_total',
      'llm_errors_total',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    for (const bucket of HTTP_BUCKETS)
      expect(text).toMatch(new RegExp(`http_request_duration_seconds_bucket\\{le="${bucket}"`));
    for (const bucket of LLM_BUCKETS)
      expect(text).toMatch(new RegExp(`llm_request_duration_seconds_bucket\\{le="${bucket}"`));
    expect(text).toContain(
      'http_requests_total{route="unmatched",method="GET",status_code="404",service="ai-engine"} 1',
    );
    expect(text).toContain(
      'http_requests_total{route="/v1/generate",method="POST",status_code="200",service="ai-engine"}',
    );
  });
});
