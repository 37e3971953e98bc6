import { ConfigError } from '@myco-gates/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the local provider with no network', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      provider: 'local',
      localModel: 'local-deterministic',
      localLatencyMs: 0,
      openai: undefined,
      adminToken: undefined,
      cacheMaxEntries: 500,
      cacheTtlMs: 300_000,
      prices: {},
      faults: { errorRate: 0, latencyMs: 0, routes: [] },
    });
  });

  it('switches to openai when a key is set and reads its settings', () => {
    expect(
      loadConfig({
        OPENAI_API_KEY: 'sk-1',
        OPENAI_BASE_URL: 'http://llm:8000/v1/',
        OPENAI_MODEL: 'qwen',
        OPENAI_TIMEOUT_MS: '5000',
      }),
    ).toMatchObject({
      provider: 'openai',
      openai: { baseUrl: 'http://llm:8000/v1', apiKey: 'sk-1', model: 'qwen', timeoutMs: 5000 },
    });
    expect(loadConfig({ OPENAI_API_KEY: 'sk-1', LLM_PROVIDER: 'local' }).provider).toBe('local');
    expect(loadConfig({ OPENAI_API_KEY: 'sk-1' }).openai).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
    });
    expect(loadConfig({ MODEL_PRICES: '{"qwen":{"input":0.1,"output":0.2}}' }).prices).toEqual({
      qwen: { input: 0.1, output: 0.2 },
    });
  });

  it.each([
    [{ PORT: '-1' }, 'PORT="-1" is invalid: set it to a whole number from 0 to 65535.'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL="verbose" is invalid'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN is too short'],
    [{ OPENAI_BASE_URL: 'ftp://x' }, 'OPENAI_BASE_URL="ftp://x" is invalid'],
    [{ LLM_PROVIDER: 'anthropic' }, 'LLM_PROVIDER="anthropic" is invalid: use local or openai.'],
    [{ LLM_PROVIDER: 'openai' }, 'LLM_PROVIDER=openai needs OPENAI_API_KEY'],
    [{ MODEL_PRICES: '{' }, 'MODEL_PRICES is not valid JSON'],
    [{ MODEL_PRICES: '{"m":{"input":-1,"output":1}}' }, 'MODEL_PRICES has the wrong shape'],
    [{ MODEL_PRICES: '[1]' }, 'MODEL_PRICES has the wrong shape'],
    [{ FAULT_ERROR_RATE: '2' }, 'FAULT_ERROR_RATE="2" is invalid'],
    [
      { FAULT_ROUTES: 'v1/generate' },
      'FAULT_ROUTES entry "v1/generate" is invalid: list route templates such as /v1/generate.',
    ],
    [{ CACHE_TTL_MS: 'forever' }, 'CACHE_TTL_MS="forever" is invalid'],
  ])('rejects %j with one clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never puts the API key into an error', () => {
    expect(() => loadConfig({ OPENAI_API_KEY: 'sk-secret-value', OPENAI_BASE_URL: 'nope' })).not.toThrow(
      /sk-secret-value/,
    );
  });
});
