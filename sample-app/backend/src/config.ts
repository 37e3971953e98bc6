import { randomBytes } from 'node:crypto';
import { parseFaultSettings, type FaultSettings } from './faults.js';

/** Everything the backend reads from the environment, validated once at startup. */
export interface BackendConfig {
  port: number;
  host: string;
  databasePath: string;
  /** HS256 key; a random one is generated when JWT_SECRET is unset (tokens then die with the process). */
  jwtSecret: Uint8Array;
  jwtSecretGenerated: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  adminEmails: string[];
  aiEngineUrl: string;
  aiEngineTimeoutMs: number;
  readinessTimeoutMs: number;
  faults: FaultSettings;
  logLevel: string;
}

/** A bad environment variable: the message names the variable and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: set it to a whole number from ${min} to ${max}.`);
  }
  return value;
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
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(logLevel)} is invalid: use one of ${LOG_LEVELS.join(', ')}.`);
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databasePath: env.DATABASE_PATH || ':memory:',
    jwtSecret: secret ? new TextEncoder().encode(secret) : randomBytes(32),
    jwtSecretGenerated: !secret,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, 86_400),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 7 * 86_400, 1, 90 * 86_400),
    adminEmails: (env.ADMIN_EMAILS ?? '')
      .split(',')
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
    aiEngineUrl: aiEngineUrl.replace(/\/+$/, ''),
    aiEngineTimeoutMs: integer(env, 'AI_ENGINE_TIMEOUT_MS', 30_000, 1, 600_000),
    readinessTimeoutMs: integer(env, 'READINESS_TIMEOUT_MS', 2_000, 1, 60_000),
    faults: parseFaultSettings(env, (message) => new ConfigError(message)),
    logLevel,
  };
}
