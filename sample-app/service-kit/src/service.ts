import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errorBody, handleError } from './errors.js';
import type { FaultInjector } from './faults.js';
import type { ServiceMetrics } from './metrics.js';

/** The largest request body a service accepts; larger ones get 413 `payload_too_large`. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Options for {@link serverOptions}. */
export interface ServerOptionsInput {
  /** The pino level from LOG_LEVEL. */
  logLevel: string;
  /** `false` turns logging off (tests); anything else logs at `logLevel`. */
  logger?: boolean;
}

/**
 * The Fastify options both services start from: logging that never prints the Authorization header, the 1 MB
 * body limit, and request ids that follow a request from the backend into the AI engine.
 *
 * @param input - the log level and whether to log at all
 * @returns options to spread into `Fastify({...})`, next to any of the service's own
 * @example
 * const app = Fastify({ ...serverOptions({ logLevel: config.logLevel, logger: options.logger }), ajv });
 */
export function serverOptions(input: ServerOptionsInput): FastifyServerOptions {
  return {
    logger: input.logger === false ? false : { level: input.logLevel, redact: ['req.headers.authorization'] },
    bodyLimit: BODY_LIMIT_BYTES,
    // Reuse a caller's request id so one id follows a request through backend and AI engine logs; an id that is
    // not safe to log or echo is replaced.
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  };
}

/** What {@link registerServiceBasics} wires into an app. */
export interface ServiceBasics {
  /** The registry and HTTP metrics from createServiceMetrics. */
  metrics: ServiceMetrics;
  /** The service's fault injector. */
  faults: FaultInjector;
  /** Appended to the 404 message, e.g. `see openapi.yaml`. */
  notFoundHint?: string;
}

/**
 * Registers what both services share, before their own routes: only JSON bodies (text/plain is 415), the
 * Error-schema error and 404 handlers, fault injection on every request, the `x-request-id` response header,
 * `http_requests_total`/`http_request_duration_seconds` for every response (route = template, `unmatched` when
 * none), `GET /healthz` and `GET /metrics`. `/readyz` stays with the service: what "ready" means differs.
 *
 * @param app - the service's Fastify instance, before `ready()`
 * @param basics - its metrics, fault injector and 404 hint
 */
export function registerServiceBasics(app: FastifyInstance, basics: ServiceBasics): void {
  const { metrics, faults, notFoundHint } = basics;
  // Only JSON bodies are part of the contract; anything else must be 415, not a string the handlers never expect.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const hint = notFoundHint ? `; ${notFoundHint}` : '';
    void reply
      .code(404)
      .send(errorBody('not_found', `No route ${request.method} ${request.url.split('?')[0]}${hint}.`, request.id));
  });
  app.addHook('onRequest', async (request) => faults.inject(request));
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
