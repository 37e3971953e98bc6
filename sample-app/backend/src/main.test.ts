import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('main', () => {
  it('names the backend and the bad variable in one line, and exits 1', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await main({ JWT_SECRET: 'short' })).toBeUndefined();
    expect(error).toHaveBeenCalledExactlyOnceWith(
      'sample-backend: JWT_SECRET is too short: set it to at least 32 characters (e.g. `openssl rand -hex 32`).',
    );
    expect(process.exitCode).toBe(1);
  });

  it('serves the API on the configured address, signing tokens with a random key when JWT_SECRET is unset', async () => {
    const app = (await main({ PORT: '0', LOG_LEVEL: 'silent' }))!;
    try {
      const { address, port } = app.server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const register = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'main@example.com', password: 'correct horse battery', name: 'Main' }),
      });
      expect(register.status).toBe(201);
      const { tokens } = (await register.json()) as { tokens: { accessToken: string } };
      const me = await fetch(`http://127.0.0.1:${port}/api/auth/me`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      expect(me.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
