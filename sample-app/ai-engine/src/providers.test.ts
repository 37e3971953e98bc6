import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { estimateTokens, LocalProvider, OpenAiProvider, ProviderError } from './providers.js';
import { chatCompletion, json, startFakeOpenAi, type FakeOpenAi } from './testing.js';

describe('LocalProvider', () => {
  const local = new LocalProvider('local-deterministic', 0);

  it('is deterministic and counts tokens from the text', async () => {
    const request = { prompt: 'Slugify a title', language: 'typescript', maxTokens: 512 };
    const [first, second] = await Promise.all([local.complete(request), local.complete(request)]);
    expect(first).toEqual(second);
    expect(first.text).toContain('export function slugifyATitle(input: string): string');
    expect(first.inputTokens).toBe(estimateTokens('Slugify a title'));
    expect(first.outputTokens).toBe(estimateTokens(first.text));
    expect((await local.complete({ ...request, prompt: 'Slugify a title!' })).text).not.toBe(first.text);
  });

  it.each([
    ['javascript', 'export function sumTwoNumbers(input) {'],
    ['python', 'def sum_two_numbers(value: str) -> str:'],
    ['go', 'func sumTwoNumbers(input string) string {'],
    ['rust', 'pub fn sum_two_numbers(input: &str) -> String {'],
    ['cobol', 'export function sumTwoNumbers(input: string)'],
  ])('writes %s', async (language, expected) => {
    expect((await local.complete({ prompt: 'Sum two numbers', language, maxTokens: 512 })).text).toContain(expected);
  });

  it('names functions from prompts without letters or starting with a digit', async () => {
    expect((await local.complete({ prompt: '!!!', language: 'typescript', maxTokens: 99 })).text).toContain(
      'function generated(',
    );
    expect((await local.complete({ prompt: '3 ways', language: 'typescript', maxTokens: 99 })).text).toContain(
      'function _3Ways(',
    );
  });

  it('caps the output at maxTokens', async () => {
    const completion = await local.complete({ prompt: 'long', language: 'go', maxTokens: 5 });
    expect(completion.text.length).toBe(20);
    expect(completion.outputTokens).toBe(5);
  });

  it('simulates latency and honours cancellation', async () => {
    const slow = new LocalProvider('m', 80);
    const started = performance.now();
    await slow.complete({ prompt: 'x', language: 'go', maxTokens: 10 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);

    const abort = new AbortController();
    const pending = slow.complete({ prompt: 'x', language: 'go', maxTokens: 10, signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toMatchObject({ category: 'cancelled' });
    await expect(slow.complete({ prompt: 'x', language: 'go', maxTokens: 10, signal: abort.signal })).rejects.toThrow(
      ProviderError,
    );
    await expect(slow.check()).resolves.toBeUndefined();
  });
});

describe('OpenAiProvider against a local chat-completions server', () => {
  let fake: FakeOpenAi;
  let provider: OpenAiProvider;
  const KEY = 'sk-test-secret-key-123';
  const defaultHandle = () => fake.handle;
  let ok: FakeOpenAi['handle'];
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    ok = defaultHandle();
    provider = new OpenAiProvider({ baseUrl: fake.url, apiKey: KEY, model: 'gpt-4o-mini', timeoutMs: 300 });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.handle = ok;
  });

  it('sends a chat-completions request and strips the code fence', async () => {
    const completion = await provider.complete({ prompt: 'x = 1', language: 'typescript', maxTokens: 50 });
    expect(completion).toEqual({ text: 'export const x = 1;\n', inputTokens: 11, outputTokens: 7 });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      authorization: `Bearer ${KEY}`,
      body: {
        model: 'gpt-4o-mini',
        max_tokens: 50,
        temperature: 0,
        messages: [
          { role: 'system', content: 'You write typescript code. Answer with code only, no prose.' },
          { role: 'user', content: 'x = 1' },
        ],
      },
    });
  });

  it('estimates tokens when the server reports no usage and keeps unfenced text', async () => {
    fake.handle = (_request, _body, response) => json(response, 200, chatCompletion('print(1)', null));
    expect(await provider.complete({ prompt: 'abcdefgh', language: 'python', maxTokens: 5 })).toEqual({
      text: 'print(1)',
      inputTokens: 2,
      outputTokens: 2,
    });
  });

  it.each<[string, FakeOpenAi['handle'], string, string]>([
    [
      '401',
      (_q, _b, r) => json(r, 401, { error: { message: 'bad key' } }),
      'auth',
      'answered 401 (check OPENAI_API_KEY)',
    ],
    ['403', (_q, _b, r) => json(r, 403, {}), 'auth', 'answered 403'],
    ['429', (_q, _b, r) => json(r, 429, {}), 'rate_limit', 'answered 429'],
    ['500', (_q, _b, r) => json(r, 500, {}), 'server', 'answered 500'],
    ['400', (_q, _b, r) => json(r, 400, {}), 'bad_response', 'answered 400'],
    ['invalid JSON', (_q, _b, r) => r.end('{'), 'bad_response', 'invalid JSON'],
    ['no choices', (_q, _b, r) => json(r, 200, { choices: [] }), 'bad_response', 'without choices[0].message.content'],
    ['silence', () => undefined, 'timeout', 'did not answer within 300 ms'],
  ])('classifies %s and never leaks the key', async (_case, handle, category, message) => {
    fake.handle = handle;
    const error = await provider.complete({ prompt: 'p', language: 'go', maxTokens: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ category });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain(KEY);
  });

  it('classifies an unreachable server as network and a cancel as cancelled', async () => {
    const down = new OpenAiProvider({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY, model: 'm', timeoutMs: 1000 });
    await expect(down.complete({ prompt: 'p', language: 'go', maxTokens: 5 })).rejects.toMatchObject({
      category: 'network',
    });
    fake.handle = () => undefined;
    const abort = new AbortController();
    const pending = provider.complete({ prompt: 'p', language: 'go', maxTokens: 5, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(pending).rejects.toMatchObject({ category: 'cancelled' });
  });

  it('probes readiness with GET /models', async () => {
    await provider.check();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models', authorization: `Bearer ${KEY}` });
    fake.handle = (_q, _b, r) => json(r, 503, {});
    await expect(provider.check()).rejects.toMatchObject({ category: 'server' });
  });
});
