import { ApiError, errorBody, FaultInjector, registerServiceBasics, serverOptions } from '@myco-gates/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { aiRoutes } from './ai.js';
import { authRoutes } from './auth.js';
import type { BackendConfig } from './config.js';
import type { AppContext } from './context.js';
import { Store } from './db.js';
import { createMetrics } from './metrics.js';
import { checkResponse, describeErrors, loadContract, type Contract } from './openapi.js';
import { projectRoutes } from './projects.js';

/** Options for {@link buildApp}; everything but `config` exists so tests can reach the process boundary. */
export interface BuildOptions {
  config: BackendConfig;
  /** scrypt cost N (default 16384); tests lower it to keep the suite fast. */
  scryptCost?: number;
  /** Random source for fault injection (default Math.random). */
  random?: () => number;
  /** HTTP client for the AI engine (default global fetch). */
  fetch?: typeof fetch;
  /** When set, every response is checked against openapi.yaml and each violation is reported here. */
  onContractViolation?: (problem: string) => void;
  logger?: boolean;
}

/** Builds the backend: routes, contract validation, metrics, fault injection and the SQLite store. */
export function buildApp(
  options: BuildOptions,
): FastifyInstance & { contract: Contract; store: Store; routes: string[] } {
  const { config } = options;
  const app = Fastify(serverOptions({ logLevel: config.logLevel, logger: options.logger }));
  const metrics = createMetrics();
  const contract = loadContract();
  const ctx: AppContext = {
    config,
    metrics,
    store: new Store(config.databasePath, metrics),
    faults: new FaultInjector(config.faults, { switchRoute: '/api/admin/faults', random: options.random }),
    scryptCost: options.scryptCost ?? 16_384,
    fetch: options.fetch ?? fetch,
    // Replaced by authRoutes; failing closed guards against a route registered before auth exists.
    authenticate: async () => {
      throw new Error('authenticate used before authRoutes registered it');
    },
    requireAdmin: async () => {
      throw new Error('requireAdmin used before authRoutes registered it');
    },
  };

  // Recorded so a test can prove every served route is documented in openapi.yaml and vice versa.
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  registerServiceBasics(app, { metrics, faults: ctx.faults, notFoundHint: 'see openapi.yaml' });
  app.addHook('preValidation', async (request) => {
    const operation = contract.find(request.method, request.routeOptions.url);
    if (!operation) return;
    const fail = (where: string, errors: Parameters<typeof describeErrors>[1]) => {
      throw new ApiError(
        400,
        'validation_failed',
        `${describeErrors(where, errors)} (see openapi.yaml, ${operation.operationId}).`,
      );
    };
    if (operation.params && !operation.params(request.params)) fail('path', operation.params.errors);
    if (operation.query && !operation.query(request.query)) fail('query', operation.query.errors);
    if (request.body === undefined) {
      if (operation.bodyRequired) {
        throw new ApiError(
          400,
          'body_required',
          'A JSON body is required: send one with `Content-Type: application/json`.',
        );
      }
    } else if (!operation.body) {
      throw new ApiError(400, 'unexpected_body', `${operation.operationId} takes no request body; drop it.`);
    } else if (!operation.body(request.body)) {
      fail('body', operation.body.errors);
    }
  });
  const onContractViolation = options.onContractViolation;
  if (onContractViolation) {
    app.addHook('onSend', async (request, reply, payload) => {
      const text = typeof payload === 'string' ? payload : payload == null ? '' : String(payload);
      const contentType = reply.getHeader('content-type') as string | undefined;
      for (const problem of checkResponse(
        contract,
        request.method,
        request.routeOptions.url,
        reply.statusCode,
        contentType,
        text,
      )) {
        onContractViolation(problem);
      }
      return payload;
    });
  }
  app.addHook('onClose', async () => ctx.store.close());

  app.get('/readyz', async (request, reply) => {
    const probe = async (check: () => Promise<void> | void) => {
      const started = performance.now();
      let status: 'up' | 'down' = 'up';
      try {
        await check();
      } catch {
        status = 'down';
      }
      return { status, latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
    };
    const database = await probe(() => void ctx.store.timed('readiness', (db) => db.prepare('SELECT 1').get()));
    const aiEngine = await probe(async () => {
      const response = await ctx.fetch(`${config.aiEngineUrl}/readyz`, {
        signal: AbortSignal.timeout(config.readinessTimeoutMs),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`status ${response.status}`);
    });
    const down = Object.entries({ database, aiEngine }).filter(([, check]) => check.status === 'down');
    if (down.length > 0) {
      return reply
        .code(503)
        .send(
          errorBody(
            'not_ready',
            `Not ready: ${down.map(([name]) => name).join(', ')} down (AI_ENGINE_URL=${config.aiEngineUrl}).`,
            request.id,
          ),
        );
    }
    return { status: 'ready', checks: { database, aiEngine } };
  });

  authRoutes(app, ctx);
  projectRoutes(app, ctx);
  aiRoutes(app, ctx);
  // The PUT body is checked against openapi.yaml in preValidation, like every other body.
  ctx.faults.registerSwitch(app, { guard: ctx.requireAdmin });

  return Object.assign(app, { contract, store: ctx.store, routes });
}
