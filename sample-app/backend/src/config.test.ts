import { ConfigError } from '@myco-gates/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databasePath: ':memory:',
      jwtSecretGenerated: true,
      accessTokenTtlSeconds: 900,
      aiEngineUrl: 'http://127.0.0.1:3001',
      faults: { errorRate: 0, latencyMs: 0, routes: [] },
      logLevel: 'info',
    });
    expect(config.jwtSecret.length).toBe(32);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/tmp/x.db',
      JWT_SECRET: 's'.repeat(32),
      ADMIN_EMAILS: ' A@x.io, ,b@y.io',
      AI_ENGINE_URL: 'http://engine:3001/',
      AI_ENGINE_TIMEOUT_MS: '5000',
      FAULT_ERROR_RATE: '0.25',
      FAULT_LATENCY_MS: '100',
      FAULT_ROUTES: '/api/projects, /api/ai/*',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/tmp/x.db',
      jwtSecretGenerated: false,
      adminEmails: ['a@x.io', 'b@y.io'],
      aiEngineUrl: 'http://engine:3001',
      aiEngineTimeoutMs: 5000,
      faults: { errorRate: 0.25, latencyMs: 100, routes: ['/api/projects', '/api/ai/*'] },
      logLevel: 'debug',
    });
  });

  it.each([
    [{ PORT: 'http' }, 'PORT="http" is invalid: set it to a whole number from 0 to 65535.'],
    [{ PORT: '70000' }, 'PORT="70000" is invalid'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET is too short: set it to at least 32 characters'],
    [{ AI_ENGINE_URL: 'engine:3001' }, 'AI_ENGINE_URL="engine:3001" is invalid: set an http(s) URL'],
    [{ AI_ENGINE_URL: 'not a url' }, 'AI_ENGINE_URL="not a url" is invalid'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud" is invalid: use one of fatal, error'],
    [{ READINESS_TIMEOUT_MS: '0' }, 'READINESS_TIMEOUT_MS="0" is invalid: set it to a whole number from 1 to 60000.'],
    [{ FAULT_ERROR_RATE: '1.5' }, 'FAULT_ERROR_RATE="1.5" is invalid: set a number from 0 to 1'],
    [
      { FAULT_ROUTES: 'api/projects' },
      'FAULT_ROUTES entry "api/projects" is invalid: list route templates such as /api/projects/:id.',
    ],
  ])('rejects %j with one clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
