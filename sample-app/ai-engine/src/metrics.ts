import { createServiceMetrics } from '@myco-gates/service-kit';
import { Counter, Gauge, Histogram } from 'prom-client';

/** LLM calls are slow; these edges resolve the 0.5 s - 2 min range the latency SLO is written against. */
export const LLM_BUCKETS = [0.5, 1, 2, 5, 10, 15, 20, 25, 30, 45, 60, 120];

/** The AI engine's Prometheus metrics; names and labels are fixed because SLO rules and dashboards use them. */
export function createMetrics() {
  const http = createServiceMetrics('ai-engine');
  const registers = [http.registry];
  const llmLabels = ['provider', 'model'] as const;
  return {
    ...http,
    llmDuration: new Histogram({
      name: 'llm_request_duration_seconds',
      help: 'LLM provider call duration in seconds by provider, model and status (success, error).',
      labelNames: [...llmLabels, 'status'] as const,
      buckets: LLM_BUCKETS,
      registers,
    }),
    llmTokens: new Counter({
      name: 'llm_tokens_total',
      help: 'LLM tokens by provider, model and direction (input, output).',
      labelNames: [...llmLabels, 'direction'] as const,
      registers,
    }),
    llmCost: new Counter({
      name: 'llm_cost_usd_total',
      help: 'LLM spend in US dollars by provider and model.',
      labelNames: llmLabels,
      registers,
    }),
    providerUp: new Gauge({
      name: 'llm_provider_up',
      help: '1 when the provider answered its last call or probe, else 0.',
      labelNames: ['provider'] as const,
      registers,
    }),
    cacheHits: new Counter({ name: 'llm_cache_hits_total', help: 'Generations served from the cache.', registers }),
    cacheMisses: new Counter({ name: 'llm_cache_misses_total', help: 'Generations that missed the cache.', registers }),
    sessionsActive: new Gauge({ name: 'agent_sessions_active', help: 'Agent sessions currently running.', registers }),
    sessionsTotal: new Counter({
      name: 'agent_sessions_total',
      help: 'Finished agent sessions by status (completed, cancelled, failed).',
      labelNames: ['status'] as const,
      registers,
    }),
    llmErrors: new Counter({
      name: 'llm_errors_total',
      help: 'LLM provider errors by provider and category (timeout, rate_limit, auth, server, network, bad_response).',
      labelNames: ['provider', 'category'] as const,
      registers,
    }),
  };
}

export type EngineMetrics = ReturnType<typeof createMetrics>;
