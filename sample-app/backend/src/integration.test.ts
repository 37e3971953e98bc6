// The backend against the real AI engine (its Fastify app on a real 127.0.0.1 port, not the stub): proves the
// engine's answers still fit the backend's GenerateResponse contract and that engine faults surface as 502.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp as buildEngine } from '../../ai-engine/src/app.js';
import { loadConfig as loadEngineConfig } from '../../ai-engine/src/config.js';
import { startBackend, type TestBackend } from './testing.js';

const ADMIN_TOKEN = 'integration-admin-token-0001';
let engine: ReturnType<typeof buildEngine>;
let backend: TestBackend;
let token: string;

beforeAll(async () => {
  engine = buildEngine({ config: loadEngineConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN }), logger: false });
  const engineUrl = await engine.listen({ port: 0, host: '127.0.0.1' });
  backend = await startBackend({ AI_ENGINE_URL: engineUrl });
  token = (await backend.register('integration@example.com')).token;
});
afterAll(async () => {
  await backend.close();
  await engine.close();
});
afterEach(() => expect(backend.violations).toEqual([]));

const generate = () =>
  backend.request({
    method: 'POST',
    url: '/api/ai/generate',
    payload: { prompt: 'merge two sorted arrays', language: 'python', maxTokens: 200 },
    headers: { authorization: `Bearer ${token}` },
  });

describe('backend + real AI engine', () => {
  it('is ready and generates code, the second time from the engine cache', async () => {
    expect((await backend.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const first = await generate();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ provider: 'local', language: 'python', cached: false });
    expect(first.json().code).toContain('def merge_two_sorted_arrays(');
    expect((await generate()).json()).toEqual({ ...first.json(), cached: true });
  });

  it('turns an engine-side bad release into 502 on the backend', async () => {
    const put = (errorRate: number) =>
      engine.inject({
        method: 'PUT',
        url: '/admin/faults',
        payload: { errorRate, latencyMs: 0, routes: ['/v1/generate'] },
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    expect((await put(1)).statusCode).toBe(200);
    const failed = await generate();
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.message).toContain('The AI engine answered 503: Fault injected');
    await put(0);
    expect((await generate()).statusCode).toBe(200);
  });
});
