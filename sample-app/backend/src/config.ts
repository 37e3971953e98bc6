import { ConfigError, readInteger, readServiceConfig, type ServiceConfig } from '@myco-gates/service-kit';
import { randomBytes } from 'node:crypto';

/** Everything the backend reads from the environment, validated once at startup. */
export interface BackendConfig extends ServiceConfig {
  databasePath: string;
  /** HS256 key; a random one is generated when JWT_SECRET is unset (tokens then die with the process). */
  jwtSecret: Uint8Array;
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  adminEmails: string[];
  aiEngineUrl: string;
  aiEngineTimeoutMs: number;
}

/** Reads and validates the backend configuration; throws one ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BackendConfig {
  const secret = env.JWT_SECRET;
  if (secret !== undefined && secret !== '' && Buffer.byteLength(secret) < 32) {
    throw new ConfigError('JWT_SECRET is too short: set it to at least 32 characters (e.g. `openssl rand -hex 32`).');
  }
  const aiEngineUrl = env.AI_ENGINE_URL || 'http://127.0.0.1:3001';
  if (!URL.canParse(aiEngineUrl) || !/^https?:$/.test(new URL(aiEngineUrl).protocol)) {
    throw new ConfigError(
      `AI_ENGINE_URL=${JSON.stringify(aiEngineUrl)} is invalid: set an http(s) URL such as http://127.0.0.1:3001.`,
    );
  }
  return {
    ...readServiceConfig(env, { port: 3000, exampleRoute: '/api/projects/:id' }),
    databasePath: env.DATABASE_PATH || ':memory:',
    jwtSecret: secret ? new TextEncoder().encode(secret) : randomBytes(32),
    jwtSecretGenerated: !secret,
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, 86_400),
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, 1, 90 * 86_400),
    adminEmails: (env.ADMIN_EMAILS ?? '')
      .split(',')
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
    aiEngineUrl: aiEngineUrl.replace(/\/+$/, ''),
    aiEngineTimeoutMs: readInteger(env, 'AI_ENGINE_TIMEOUT_MS', 30_000, 1, 600_000),
  };
}
