import { readMetric } from '@myco-gates/service-kit';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('main', () => {
  it('names the engine and the bad variable in one line, and exits 1', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main({ LLM_PROVIDER: 'anthropic' })).toBeUndefined();
    expect(error).toHaveBeenCalledExactlyOnceWith(
      'sample-ai-engine: LLM_PROVIDER="anthropic" is invalid: use local or openai.',
    );
    expect(process.exitCode).toBe(1);
  });

  it('probes the provider at start-up, so llm_provider_up is set before the first request', async () => {
    const app = (await main({ PORT: '0', LOG_LEVEL: 'silent' }))!;
    try {
      const { address, port } = app.server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const url = `http://127.0.0.1:${port}`;
      await vi.waitFor(async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        expect(readMetric(text, 'llm_provider_up', { provider: 'local', service: 'ai-engine' })).toBe(1);
      });
    } finally {
      await app.close();
    }
  });
});
