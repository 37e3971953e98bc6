import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The HTTP request duration buckets of both sample services (the SLO rules assume these edges). */
export const HTTP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10];

/**
 * Creates a service's registry with the metrics every sample service exposes: the Node.js defaults and
 * `http_requests_total` / `http_request_duration_seconds` by route template, method and status code. Names,
 * labels and buckets are fixed because the SLO rules and dashboards query them.
 *
 * @param service - the `service` label on every sample (`backend`, `ai-engine`)
 * @returns the registry (add the service's own metrics to it) and the two HTTP metrics
 * @example
 * const http = createServiceMetrics('backend');
 * const logins = new Counter({ name: 'auth_attempts_total', help: '…', registers: [http.registry] });
 */
export function createServiceMetrics(service: string) {
  // One registry per app instance so several apps (tests) never collide on metric names.
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpLabels = ['route', 'method', 'status_code'] as const;
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route template, method and status code.',
      labelNames: httpLabels,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds by route template, method and status code.',
      labelNames: httpLabels,
      buckets: HTTP_BUCKETS,
      registers,
    }),
  };
}

/** The metrics {@link createServiceMetrics} returns; services extend it with their own. */
export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;

/**
 * Sums the samples of one metric in a Prometheus text exposition; tests read `/metrics` with it.
 *
 * @param text - the exposition, e.g. the body of GET /metrics
 * @param name - the sample name, e.g. `http_requests_total` or `http_request_duration_seconds_count`
 * @param labels - labels a sample must carry to count; other labels are ignored
 * @returns the sum, 0 when no sample matches
 */
export function readMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => sample[key] === value)) total += Number(match[3]);
  }
  return total;
}
