import { ConfigError, readInteger, readServiceConfig, type ServiceConfig } from '@myco-gates/service-kit';

/** Everything the AI engine reads from the environment, validated once at startup. */
export interface EngineConfig extends ServiceConfig {
  /** Bearer token for PUT/GET /admin/faults; the endpoint is closed when unset. */
  adminToken: string | undefined;
  provider: 'local' | 'openai';
  localModel: string;
  localLatencyMs: number;
  openai: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | undefined;
  cacheMaxEntries: number;
  cacheTtlMs: number;
  /** Extra or overriding prices in US dollars per million tokens, from MODEL_PRICES. */
  prices: Record<string, { input: number; output: number }>;
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
  const service = readServiceConfig(env, { port: 3001, exampleRoute: '/v1/generate' });
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
    ...service,
    adminToken,
    provider,
    localModel: env.LOCAL_MODEL || 'local-deterministic',
    localLatencyMs: readInteger(env, 'LOCAL_LATENCY_MS', 0, 0, 120_000),
    openai: env.OPENAI_API_KEY
      ? {
          baseUrl: baseUrl || 'https://api.openai.com/v1',
          apiKey: env.OPENAI_API_KEY,
          model: env.OPENAI_MODEL || 'gpt-4o-mini',
          timeoutMs: readInteger(env, 'OPENAI_TIMEOUT_MS', 60_000, 1, 600_000),
        }
      : undefined,
    cacheMaxEntries: readInteger(env, 'CACHE_MAX_ENTRIES', 500, 0, 1_000_000),
    cacheTtlMs: readInteger(env, 'CACHE_TTL_MS', 300_000, 0, 86_400_000),
    prices: parsePrices(env.MODEL_PRICES),
  };
}
