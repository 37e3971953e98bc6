import { describe, expect, it } from 'vitest';
import { readInteger, readServiceConfig } from './config.js';
import { ConfigError } from './errors.js';

describe('readInteger', () => {
  it.each([
    [undefined, 3000],
    ['', 3000],
    ['  ', 3000],
    ['0', 0],
    ['65535', 65535],
    [' 8080 ', 8080],
  ])('PORT=%j -> %s', (raw, expected) => {
    expect(readInteger({ PORT: raw }, 'PORT', 3000, 0, 65535)).toBe(expected);
  });

  it.each([
    ['http', 'PORT="http" is invalid: set it to a whole number from 0 to 65535.'],
    ['70000', 'PORT="70000" is invalid'],
    ['-1', 'PORT="-1" is invalid'],
    ['1.5', 'PORT="1.5" is invalid'],
  ])('rejects PORT=%j with one clear message', (raw, message) => {
    expect(() => readInteger({ PORT: raw }, 'PORT', 3000, 0, 65535)).toThrow(ConfigError);
    expect(() => readInteger({ PORT: raw }, 'PORT', 3000, 0, 65535)).toThrow(message);
  });
});

describe('readServiceConfig', () => {
  const defaults = { port: 3001, exampleRoute: '/v1/generate' };

  it('has safe defaults: loopback only, info logs, no faults', () => {
    expect(readServiceConfig({}, defaults)).toEqual({
      port: 3001,
      host: '127.0.0.1',
      logLevel: 'info',
      readinessTimeoutMs: 2000,
      faults: { errorRate: 0, latencyMs: 0, routes: [] },
    });
  });

  it('reads every variable', () => {
    expect(
      readServiceConfig(
        {
          PORT: '8080',
          HOST: '0.0.0.0',
          LOG_LEVEL: 'silent',
          READINESS_TIMEOUT_MS: '500',
          FAULT_ERROR_RATE: '0.5',
          FAULT_ROUTES: '/v1/*',
        },
        defaults,
      ),
    ).toEqual({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'silent',
      readinessTimeoutMs: 500,
      faults: { errorRate: 0.5, latencyMs: 0, routes: ['/v1/*'] },
    });
  });

  it.each([
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud" is invalid: use one of fatal, error, warn, info, debug, trace, silent.'],
    [{ PORT: '-1' }, 'PORT="-1" is invalid: set it to a whole number from 0 to 65535.'],
    [{ READINESS_TIMEOUT_MS: '0' }, 'READINESS_TIMEOUT_MS="0" is invalid: set it to a whole number from 1 to 60000.'],
    [{ FAULT_ROUTES: 'v1' }, 'FAULT_ROUTES entry "v1" is invalid: list route templates such as /v1/generate.'],
  ])('rejects %j with one ConfigError', (env, message) => {
    expect(() => readServiceConfig(env, defaults)).toThrow(ConfigError);
    expect(() => readServiceConfig(env, defaults)).toThrow(message);
  });
});
