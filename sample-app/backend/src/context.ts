import type { FaultInjector } from '@myco-gates/service-kit';
import type { FastifyRequest } from 'fastify';
import type { BackendConfig } from './config.js';
import type { Store } from './db.js';
import type { BackendMetrics } from './metrics.js';

/** What the route modules share: config, storage, metrics and the auth guards. */
export interface AppContext {
  config: BackendConfig;
  store: Store;
  metrics: BackendMetrics;
  faults: FaultInjector;
  scryptCost: number;
  fetch: typeof fetch;
  authenticate: (request: FastifyRequest) => Promise<void>;
  requireAdmin: (request: FastifyRequest) => Promise<void>;
}
