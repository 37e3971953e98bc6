import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('main', () => {
  it('prints one line naming the bad variable and exits 1', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await main({ PORT: 'eighty' });
    expect(error).toHaveBeenCalledExactlyOnceWith(
      'sample-backend: PORT="eighty" is invalid: set it to a whole number from 0 to 65535.',
    );
    expect(process.exitCode).toBe(1);
  });

  it('listens on the configured host and port and answers', async () => {
    const app = await main({ PORT: '0', LOG_LEVEL: 'silent' });
    const address = app!.server.address() as { address: string; port: number };
    expect(address.address).toBe('127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${address.port}/healthz`);
    expect(await response.json()).toEqual({ status: 'ok' });
    await app!.close();
  });
});
