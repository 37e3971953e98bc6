import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors.js';
import { listenUntilSignal, loadConfigOrReport } from './start.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('loadConfigOrReport', () => {
  it('returns the configuration', () => {
    expect(loadConfigOrReport('sample-x', () => ({ port: 1 }))).toEqual({ port: 1 });
    expect(process.exitCode).toBeUndefined();
  });

  it('prints one line naming the service and the bad variable, and exits 1', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const config = loadConfigOrReport('sample-x', () => {
      throw new ConfigError('PORT="eighty" is invalid: set it to a whole number from 0 to 65535.');
    });
    expect(config).toBeUndefined();
    expect(error).toHaveBeenCalledExactlyOnceWith(
      'sample-x: PORT="eighty" is invalid: set it to a whole number from 0 to 65535.',
    );
    expect(process.exitCode).toBe(1);
  });

  it('lets a bug through with its stack trace', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() =>
      loadConfigOrReport('sample-x', () => {
        throw new TypeError('our bug');
      }),
    ).toThrow(TypeError);
    expect(error).not.toHaveBeenCalled();
    expect(process.exitCode).toBeUndefined();
  });
});

describe('listenUntilSignal', () => {
  const added = (signal: NodeJS.Signals, before: NodeJS.SignalsListener[]) =>
    process.listeners(signal).filter((listener) => !before.includes(listener));

  it('listens on the configured address and removes its signal handlers when the app closes', async () => {
    const [sigint, sigterm] = [process.listeners('SIGINT'), process.listeners('SIGTERM')];
    const app = Fastify({ logger: false });
    app.get('/healthz', async () => ({ status: 'ok' }));
    const url = await listenUntilSignal(app, { port: 0, host: '127.0.0.1' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(added('SIGINT', sigint)).toHaveLength(1);
    expect(added('SIGTERM', sigterm)).toHaveLength(1);
    await app.close();
    expect(added('SIGINT', sigint)).toHaveLength(0);
    expect(added('SIGTERM', sigterm)).toHaveLength(0);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('closes the app and exits 0 on %s', async (signal) => {
    const before = process.listeners(signal);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    const app = Fastify({ logger: false });
    await listenUntilSignal(app, { port: 0, host: '127.0.0.1' });
    const [shutdown] = added(signal, before);
    // Call the handler itself: emitting a real signal would also reach the test runner's own handlers.
    shutdown(signal);
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(app.server.listening).toBe(false);
    expect(added(signal, before)).toHaveLength(0);
  });
});
