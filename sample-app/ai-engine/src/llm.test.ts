import { readMetric } from '@myco-gates/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentManager } from './agents.js';
import { LruCache } from './cache.js';
import { LlmManager } from './llm.js';
import { createMetrics } from './metrics.js';
import { LocalProvider, OpenAiProvider, type LlmProvider } from './providers.js';
import { json, startFakeOpenAi, type FakeOpenAi } from './testing.js';

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.close());

function manager(options: { latencyMs?: number; defaultProvider?: string; timeoutMs?: number } = {}) {
  const metrics = createMetrics();
  const providers = new Map<string, LlmProvider>([
    ['local', new LocalProvider('local-deterministic', options.latencyMs ?? 0)],
    [
      'openai',
      new OpenAiProvider({
        baseUrl: fake.url,
        apiKey: 'sk-x',
        model: 'gpt-4o-mini',
        timeoutMs: options.timeoutMs ?? 2000,
      }),
    ],
  ]);
  const llm = new LlmManager(providers, options.defaultProvider ?? 'local', new LruCache(10, 60_000), metrics);
  const metric = async (name: string, labels?: Record<string, string>) =>
    readMetric(await metrics.registry.metrics(), name, labels);
  return { llm, metrics, metric };
}

describe('LlmManager', () => {
  it('serves repeats from the cache at zero cost and counts hits and misses', async () => {
    const { llm, metric } = manager();
    const first = await llm.generate({ prompt: 'reverse a list', language: 'python' });
    const second = await llm.generate({ prompt: 'reverse a list', language: 'python' });
    expect(first).toMatchObject({ cached: false, provider: 'local', model: 'local-deterministic', language: 'python' });
    expect(second).toEqual({ ...first, cached: true, costUsd: 0, latencyMs: 0 });
    await llm.generate({ prompt: 'reverse a list', language: 'go' });
    expect(await metric('llm_cache_hits_total')).toBe(1);
    expect(await metric('llm_cache_misses_total')).toBe(2);
    expect(await metric('llm_request_duration_seconds_count', { provider: 'local', status: 'success' })).toBe(2);
  });

  it('prices tokens per model and totals usage', async () => {
    const { llm, metric } = manager();
    const result = await llm.generate({ prompt: 'hello', provider: 'openai' });
    // 11 input tokens at $0.15/M plus 7 output tokens at $0.60/M.
    expect(result.costUsd).toBeCloseTo((11 * 0.15 + 7 * 0.6) / 1e6, 12);
    await llm.generate({ prompt: 'hello again', provider: 'openai' });
    expect(llm.usageReport()).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        requests: 2,
        inputTokens: 22,
        outputTokens: 14,
        costUsd: expect.closeTo(2 * result.costUsd, 12),
        priced: true,
      },
    ]);
    expect(await metric('llm_tokens_total', { provider: 'openai', direction: 'input' })).toBe(22);
    expect(await metric('llm_tokens_total', { provider: 'openai', direction: 'output' })).toBe(14);
    expect(await metric('llm_cost_usd_total', { model: 'gpt-4o-mini' })).toBeCloseTo(2 * result.costUsd, 12);
  });

  it('marks unknown models as unpriced', async () => {
    const metrics = createMetrics();
    const llm = new LlmManager(
      new Map([['local', new LocalProvider('mystery', 0)]]),
      'local',
      new LruCache(0, 0),
      metrics,
    );
    expect((await llm.generate({ prompt: 'x' })).costUsd).toBe(0);
    expect(llm.usageReport()[0]).toMatchObject({ model: 'mystery', priced: false });
  });

  it.each<[string, FakeOpenAi['handle'], number, string, string]>([
    ['a server error', (_q, _b, r) => json(r, 500, {}), 502, 'llm_error', 'server'],
    ['a timeout', () => undefined, 504, 'llm_timeout', 'timeout'],
  ])('maps %s to %s and marks the provider down', async (_case, handle, status, code, category) => {
    const previous = fake.handle;
    fake.handle = handle;
    const { llm, metric } = manager({ timeoutMs: 200 });
    const error = await llm.generate({ prompt: 'x', provider: 'openai' }).catch((e: unknown) => e);
    fake.handle = previous;
    expect(error).toMatchObject({ statusCode: status, code });
    expect(await metric('llm_errors_total', { provider: 'openai', category })).toBe(1);
    expect(await metric('llm_provider_up', { provider: 'openai' })).toBe(0);
    expect(await metric('llm_request_duration_seconds_count', { provider: 'openai', status: 'error' })).toBe(1);
    await llm.generate({ prompt: 'recovers', provider: 'openai' });
    expect(await metric('llm_provider_up', { provider: 'openai' })).toBe(1);
  });

  it('treats a thrown non-provider error as bad_response, and cancellation without blaming the provider', async () => {
    const metrics = createMetrics();
    const broken: LlmProvider = {
      name: 'broken',
      model: 'm',
      complete: async () => Promise.reject(new TypeError('oops')),
      check: async () => undefined,
    };
    const llm = new LlmManager(new Map([['broken', broken]]), 'broken', new LruCache(10, 1000), metrics);
    await expect(llm.generate({ prompt: 'x' })).rejects.toMatchObject({ statusCode: 502 });
    expect(readMetric(await metrics.registry.metrics(), 'llm_errors_total', { category: 'bad_response' })).toBe(1);

    const { llm: slow, metric } = manager({ latencyMs: 200 });
    const abort = new AbortController();
    const pending = slow.generate({ prompt: 'x' }, abort.signal);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ statusCode: 409, code: 'cancelled' });
    expect(await metric('llm_provider_up', { provider: 'local' })).toBe(1);
  });

  it('rejects an unconfigured provider with 422', async () => {
    const { llm } = manager();
    await expect(llm.generate({ prompt: 'x', provider: 'claude' })).rejects.toMatchObject({
      statusCode: 422,
      message: 'Provider "claude" is not configured; use one of local, openai.',
    });
  });

  it('probes readiness of the default provider', async () => {
    const { llm, metric } = manager({ defaultProvider: 'openai' });
    expect(await llm.ready(1000)).toBe(true);
    const previous = fake.handle;
    fake.handle = (_q, _b, r) => json(r, 500, {});
    expect(await llm.ready(1000)).toBe(false);
    fake.handle = previous;
    expect(await metric('llm_provider_up', { provider: 'openai' })).toBe(0);
  });
});

describe('AgentManager', () => {
  it('runs plan, implement and review, summing usage', async () => {
    const { llm, metric, metrics } = manager();
    const agents = new AgentManager(llm, metrics);
    const created = agents.create('a stack', 'go');
    expect(created.status).toBe('running');
    expect(await metric('agent_sessions_active')).toBe(1);
    const done = await agents.settled(created.id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['plan', 'completed'],
      ['implement', 'completed'],
      ['review', 'completed'],
    ]);
    expect(done.steps[1].output).toContain('func implementAStackFollowing');
    expect(done.usage.outputTokens).toBe(done.steps.reduce((sum, s) => sum + Math.ceil(s.output!.length / 4), 0));
    expect(await metric('agent_sessions_active')).toBe(0);
    expect(await metric('agent_sessions_total', { status: 'completed' })).toBe(1);
  });

  it('cancels a running session mid-step; cancelling again is a 409', async () => {
    const { llm, metric, metrics } = manager({ latencyMs: 5_000 });
    const agents = new AgentManager(llm, metrics);
    const { id } = agents.create('slow thing');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(agents.cancel(id).status).toBe('cancelled');
    const settled = await agents.settled(id);
    expect(settled.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(() => agents.cancel(id)).toThrow(expect.objectContaining({ statusCode: 409 }));
    expect(await metric('agent_sessions_total', { status: 'cancelled' })).toBe(1);
    expect(await metric('agent_sessions_active')).toBe(0);
  });

  it('fails a session when a step fails and reports why', async () => {
    const previous = fake.handle;
    fake.handle = (_q, _b, r) => json(r, 429, {});
    const { llm, metric, metrics } = manager({ defaultProvider: 'openai' });
    const agents = new AgentManager(llm, metrics);
    const done = await agents.settled(agents.create('rate limited').id);
    fake.handle = previous;
    expect(done.status).toBe('failed');
    expect(done.error).toContain('rate_limit');
    expect(done.steps.map((s) => s.status)).toEqual(['failed', 'cancelled', 'cancelled']);
    expect(await metric('agent_sessions_total', { status: 'failed' })).toBe(1);
  });

  it('404s unknown sessions, evicts finished ones and refuses beyond the limit', async () => {
    const { llm, metrics } = manager({ latencyMs: 5_000 });
    const agents = new AgentManager(llm, metrics, 2);
    expect(() => agents.get('nope')).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(() => agents.cancel('nope')).toThrow(expect.objectContaining({ statusCode: 404 }));
    const a = agents.create('a');
    agents.create('b');
    expect(() => agents.create('c')).toThrow(expect.objectContaining({ statusCode: 503 }));
    agents.cancel(a.id);
    const c = agents.create('c');
    expect(() => agents.get(a.id)).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(agents.get(c.id).status).toBe('running');
    agents.cancelAll();
    expect(agents.get(c.id).status).toBe('cancelled');
  });
});
