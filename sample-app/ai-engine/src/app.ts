import { ApiError, errorBody, FaultInjector, registerServiceBasics, serverOptions } from '@myco-gates/service-kit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { AgentManager } from './agents.js';
import { LruCache } from './cache.js';
import type { EngineConfig } from './config.js';
import { LlmManager, MODEL_PRICES } from './llm.js';
import { createMetrics } from './metrics.js';
import { LocalProvider, OpenAiProvider, type LlmProvider } from './providers.js';

/** Options for {@link buildApp}; everything but `config` exists so tests can reach the process boundary. */
export interface BuildOptions {
  config: EngineConfig;
  random?: () => number;
  fetch?: typeof fetch;
  logger?: boolean;
}

const LANGUAGES = ['typescript', 'javascript', 'python', 'go', 'rust'];
const uuidParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' } },
  required: ['id'],
} as const;

/** Builds the AI engine: providers, cache, agents, metrics and fault injection behind a Fastify API. */
export function buildApp(options: BuildOptions): FastifyInstance & { llm: LlmManager; agents: AgentManager } {
  const { config } = options;
  const app = Fastify({
    ...serverOptions({ logLevel: config.logLevel, logger: options.logger }),
    // Unknown fields are errors, not silently dropped, and types are never coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // Name the offending field so the client knows what to fix, e.g. `body must NOT have additional property "x"`.
    schemaErrorFormatter: (errors, dataVar) =>
      new Error(
        errors
          .map((e) =>
            e.keyword === 'additionalProperties'
              ? `${dataVar}${e.instancePath.replace(/\//g, '.')} must NOT have additional property "${(e.params as { additionalProperty: string }).additionalProperty}"`
              : `${dataVar}${e.instancePath.replace(/\//g, '.')} ${e.message}`,
          )
          .join('; '),
      ),
  });
  const metrics = createMetrics();
  const providers = new Map<string, LlmProvider>([
    ['local', new LocalProvider(config.localModel, config.localLatencyMs)],
  ]);
  if (config.openai) providers.set('openai', new OpenAiProvider({ ...config.openai, fetch: options.fetch }));
  const llm = new LlmManager(
    providers,
    config.provider,
    new LruCache(config.cacheMaxEntries, config.cacheTtlMs),
    metrics,
    {
      ...MODEL_PRICES,
      ...config.prices,
    },
  );
  const agents = new AgentManager(llm, metrics);
  const faults = new FaultInjector(config.faults, { switchRoute: '/admin/faults', random: options.random });

  registerServiceBasics(app, { metrics, faults });
  app.addHook('onClose', async () => agents.cancelAll());

  const requireAdmin = async (request: FastifyRequest) => {
    if (!config.adminToken)
      throw new ApiError(403, 'admin_disabled', 'The admin API is off: start the engine with ADMIN_TOKEN set.');
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    const given = Buffer.from(match?.[1] ?? '');
    const expected = Buffer.from(config.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(401, 'unauthorized', 'Send `Authorization: Bearer <ADMIN_TOKEN>`.');
    }
  };

  app.get('/readyz', async (request, reply) => {
    if (await llm.ready(config.readinessTimeoutMs)) return { status: 'ready', provider: config.provider };
    return reply
      .code(503)
      .send(errorBody('not_ready', `Provider ${config.provider} failed its readiness probe.`, request.id));
  });

  app.post(
    '/v1/generate',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['prompt'],
          properties: {
            prompt: { type: 'string', minLength: 1, maxLength: 8000 },
            language: { type: 'string', enum: LANGUAGES },
            maxTokens: { type: 'integer', minimum: 1, maximum: 4096 },
            provider: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    async (request) => llm.generate(request.body as Parameters<LlmManager['generate']>[0]),
  );
  app.get('/v1/usage', async () => ({ models: llm.usageReport() }));
  app.post(
    '/v1/agents',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['goal'],
          properties: {
            goal: { type: 'string', minLength: 1, maxLength: 4000 },
            language: { type: 'string', enum: LANGUAGES },
          },
        },
      },
    },
    async (request, reply) => {
      const { goal, language } = request.body as { goal: string; language?: string };
      return reply.code(201).send(agents.create(goal, language));
    },
  );
  app.get('/v1/agents/:id', { schema: { params: uuidParams } }, async (request) =>
    agents.get((request.params as { id: string }).id),
  );
  app.post('/v1/agents/:id/cancel', { schema: { params: uuidParams } }, async (request) =>
    agents.cancel((request.params as { id: string }).id),
  );

  const faultBody = {
    type: 'object',
    additionalProperties: false,
    required: ['errorRate', 'latencyMs', 'routes'],
    properties: {
      errorRate: { type: 'number', minimum: 0, maximum: 1 },
      latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
      routes: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200, pattern: '^/' } },
    },
  };
  faults.registerSwitch(app, { guard: requireAdmin, bodySchema: faultBody });

  return Object.assign(app, { llm, agents });
}
