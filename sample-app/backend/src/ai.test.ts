import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_ANSWER, startBackend, startStubEngine, type StubEngine, type TestBackend } from './testing.js';

let engine: StubEngine;
let backend: TestBackend;
let token: string;
const defaultHandle = () => engine.handle;
let okHandle: StubEngine['handle'];

beforeAll(async () => {
  engine = await startStubEngine();
  okHandle = defaultHandle();
  backend = await startBackend({ AI_ENGINE_URL: engine.url, AI_ENGINE_TIMEOUT_MS: '300' });
  token = (await backend.register('coder@example.com')).token;
});
afterAll(async () => {
  await backend.close();
  await engine.close();
});
afterEach(() => {
  expect(backend.violations).toEqual([]);
  engine.handle = okHandle;
});

const generate = (payload: object, requestId?: string) =>
  backend.request({
    method: 'POST',
    url: '/api/ai/generate',
    payload,
    headers: { authorization: `Bearer ${token}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
  });

describe('POST /api/ai/generate', () => {
  it('forwards the prompt with the request id and returns the engine answer without extra fields', async () => {
    const response = await generate({ prompt: 'add two numbers', language: 'typescript', maxTokens: 64 }, 'req-42');
    expect(response.statusCode).toBe(200);
    const { latencyMs: _dropped, ...expected } = ENGINE_ANSWER;
    expect(response.json()).toEqual(expected);
    expect(response.headers['x-request-id']).toBe('req-42');
    expect(engine.requests.at(-1)).toEqual({
      url: '/v1/generate',
      body: { prompt: 'add two numbers', language: 'typescript', maxTokens: 64 },
      requestId: 'req-42',
    });
    expect(await backend.metric('ai_requests_total', { result: 'success' })).toBe(1);
    expect(await backend.metric('code_generations_total')).toBe(1);
  });

  it.each<[string, number, StubEngine['handle'], string]>([
    [
      'an engine error',
      502,
      (_request, _body, response) => {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'fault_injected', message: 'boom', requestId: 'x' } }));
      },
      'The AI engine answered 503: boom',
    ],
    [
      'a non-JSON error',
      502,
      (_request, _body, response) => {
        response.writeHead(500);
        response.end('<html>oops</html>');
      },
      'answered 500: no error message',
    ],
    [
      'a body of the wrong shape',
      502,
      (_request, _body, response) => response.end(JSON.stringify({ code: 42 })),
      'unexpected body',
    ],
    ['a slow engine', 504, () => undefined, 'did not answer within 300 ms'],
  ])('maps %s to %s with the Error schema', async (_case, status, handle, message) => {
    engine.handle = handle;
    const response = await generate({ prompt: 'hello' });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.message).toContain(message);
  });

  it('answers 502 when the engine is down', async () => {
    const down = await startBackend({ AI_ENGINE_URL: 'http://127.0.0.1:9' });
    const { token: downToken } = await down.register('down@example.com');
    const response = await down.request({
      method: 'POST',
      url: '/api/ai/generate',
      payload: { prompt: 'x' },
      headers: { authorization: `Bearer ${downToken}` },
    });
    expect(response.statusCode).toBe(502);
    expect(response.json().error.code).toBe('ai_engine_unavailable');
    expect(await down.metric('ai_requests_total', { result: 'failure' })).toBe(1);
    expect(down.violations).toEqual([]);
    await down.close();
  });

  it('checks projectId visibility before calling the engine', async () => {
    const calls = engine.requests.length;
    const response = await generate({ prompt: 'x', projectId: '3f1b1a43-8f42-4b43-9a3e-4a5f3f0c7c11' });
    expect(response.statusCode).toBe(404);
    expect(engine.requests.length).toBe(calls);
  });

  it('validates the request against the contract', async () => {
    const response = await generate({ prompt: '', language: 'cobol' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(
      /body.prompt must NOT have fewer than 1 characters; body.language must be equal to one of/,
    );
  });
});
