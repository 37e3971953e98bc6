import { parseFaultSettings, type FaultSettings } from './faults.js';

/** Everything the AI engine reads from the environment, validated once at startup. */
export interface EngineConfig {
  port: number;
  host: string;
  logLevel: string;
  /** Bearer token for PUT/GET /admin/faults; the endpoint is closed when unset. */
  adminToken: string | undefined;
  provider: 'local' | 'openai';
  localModel: string;
  localLatencyMs: number;
  openai: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | undefined;
  cacheMaxEntries: number;
  cacheTtlMs: number;
  readinessTimeoutMs: number;
  /** Extra or overriding prices in US dollars per million tokens, from MODEL_PRICES. */
  prices: Record<string, { input: number; output: number }>;
  faults: FaultSettings;
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

function parsePrices(raw: string | undefined): EngineConfig['prices'] {
  if (!raw) return {};
  const fix = 'set JSON like {"my-model":{"input":0.5,"output":1.5}} (US dollars per million tokens).';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`MODEL_PRICES is not valid JSON: ${fix}`);
  }
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every(
      (price) =>
        typeof price?.input === 'number' && typeof price?.output === 'number' && price.input >= 0 && price.output >= 0,
    );
  if (!valid) throw new ConfigError(`MODEL_PRICES has the wrong shape: ${fix}`);
  return parsed as EngineConfig['prices'];
}

/** Reads and validates the engine configuration; throws one ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(logLevel)} is invalid: use one of ${LOG_LEVELS.join(', ')}.`);
  }
  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN is too short: set at least 16 characters (e.g. `openssl rand -hex 16`).');
  }
  const baseUrl = env.OPENAI_BASE_URL?.replace(/\/+$/, '');
  if (baseUrl && (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol))) {
    throw new ConfigError(
      `OPENAI_BASE_URL=${JSON.stringify(baseUrl)} is invalid: set an http(s) URL such as https://api.openai.com/v1.`,
    );
  }
  const provider = env.LLM_PROVIDER || (env.OPENAI_API_KEY ? 'openai' : 'local');
  if (provider !== 'local' && provider !== 'openai') {
    throw new ConfigError(`LLM_PROVIDER=${JSON.stringify(provider)} is invalid: use local or openai.`);
  }
  // Never echo the key itself in an error: this message may end up in CI logs.
  if (provider === 'openai' && !env.OPENAI_API_KEY) {
    throw new ConfigError(
      'LLM_PROVIDER=openai needs OPENAI_API_KEY: set it (and OPENAI_BASE_URL for a compatible server).',
    );
  }
  return {
    port: integer(env, 'PORT', 3001, 0, 65535),
    host: env.HOST || '127.0.0.1',
    logLevel,
    adminToken,
    provider,
    localModel: env.LOCAL_MODEL || 'local-deterministic',
    localLatencyMs: integer(env, 'LOCAL_LATENCY_MS', 0, 0, 120_000),
    openai: env.OPENAI_API_KEY
      ? {
          baseUrl: baseUrl || 'https://api.openai.com/v1',
          apiKey: env.OPENAI_API_KEY,
          model: env.OPENAI_MODEL || 'gpt-4o-mini',
          timeoutMs: integer(env, 'OPENAI_TIMEOUT_MS', 60_000, 1, 600_000),
        }
      : undefined,
    cacheMaxEntries: integer(env, 'CACHE_MAX_ENTRIES', 500, 0, 1_000_000),
    cacheTtlMs: integer(env, 'CACHE_TTL_MS', 300_000, 0, 86_400_000),
    readinessTimeoutMs: integer(env, 'READINESS_TIMEOUT_MS', 2_000, 1, 60_000),
    prices: parsePrices(env.MODEL_PRICES),
    faults: parseFaultSettings(env, (message) => new ConfigError(message)),
  };
}
