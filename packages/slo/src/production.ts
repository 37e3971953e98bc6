import type { RuleGroup } from './rules.js';

/** Settings of the production (non-SLO) alerts; the defaults suit the sample app. */
export interface ProductionAlertOptions {
  /** Prometheus `job` names of the services to watch. */
  services: string[];
  /** P95 latency above this many seconds for 10 minutes is a latency spike. */
  latencySpikeSeconds?: number;
  /** A 5xx ratio above this over 5 minutes is an error spike. */
  errorSpikeRatio?: number;
  /** Failed logins and refreshes per second above this for 5 minutes (credential stuffing, broken auth). */
  authFailuresPerSecond?: number;
  /** A cache hit ratio below this for 15 minutes, while there is traffic, is a collapse. */
  cacheHitRatioFloor?: number;
}

/**
 * Production alerts that don't come from an SLO: instance down, latency and error spikes, auth-failure spikes, an
 * unhealthy LLM provider and a collapsing response cache. They use the metric names the Myco services export
 * (`http_requests_total`, `http_request_duration_seconds`, `auth_attempts_total`, `llm_provider_up`,
 * `llm_cache_hits_total`, `llm_cache_misses_total`).
 * @param options services and thresholds.
 * @returns one rule group.
 */
export function productionAlertRules(options: ProductionAlertOptions): RuleGroup {
  const jobs = options.services.join('|');
  const latency = options.latencySpikeSeconds ?? 2;
  const errorRatio = options.errorSpikeRatio ?? 0.05;
  const authRate = options.authFailuresPerSecond ?? 1;
  const cacheFloor = options.cacheHitRatioFloor ?? 0.2;
  return {
    name: 'production-alerts',
    rules: [
      {
        alert: 'InstanceDown',
        expr: `up{job=~"${jobs}"} == 0`,
        for: '1m',
        labels: { severity: 'page' },
        annotations: {
          summary: '{{ $labels.job }} instance {{ $labels.instance }} is down',
          description: 'Prometheus has not been able to scrape {{ $labels.instance }} for a minute.',
        },
      },
      {
        alert: 'LatencySpike',
        expr: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{route!~"/healthz|/readyz|/metrics"}[5m]))) > ${latency}`,
        for: '10m',
        labels: { severity: 'ticket' },
        annotations: {
          summary: '{{ $labels.service }}: P95 latency above ' + latency + ' s',
          description: 'P95 latency of {{ $labels.service }} is {{ $value | humanizeDuration }} for 10 minutes.',
        },
      },
      {
        alert: 'ErrorSpike',
        expr: `sum by (service) (rate(http_requests_total{status_code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > ${errorRatio}`,
        for: '5m',
        labels: { severity: 'page' },
        annotations: {
          summary: '{{ $labels.service }}: more than ' + errorRatio * 100 + '% of requests fail',
          description: '{{ $value | humanizePercentage }} of requests to {{ $labels.service }} answer 5xx.',
        },
      },
      {
        alert: 'AuthFailureSpike',
        expr: `sum(rate(auth_attempts_total{result="failure"}[5m])) > ${authRate}`,
        for: '5m',
        labels: { severity: 'ticket' },
        annotations: {
          summary: 'Authentication failures spike',
          description:
            '{{ $value | humanize }} failed logins or refreshes per second: credential stuffing or broken auth.',
        },
      },
      {
        alert: 'LLMProviderUnhealthy',
        expr: 'llm_provider_up == 0',
        for: '2m',
        labels: { severity: 'page' },
        annotations: {
          summary: 'LLM provider {{ $labels.provider }} is unhealthy',
          description:
            'The AI engine reports provider {{ $labels.provider }} down for 2 minutes; code generation fails or falls back.',
        },
      },
      {
        alert: 'CacheHitRateCollapse',
        expr: `sum(rate(llm_cache_hits_total[15m])) / (sum(rate(llm_cache_hits_total[15m])) + sum(rate(llm_cache_misses_total[15m]))) < ${cacheFloor}\nand\n(sum(rate(llm_cache_hits_total[15m])) + sum(rate(llm_cache_misses_total[15m]))) > 0`,
        for: '15m',
        labels: { severity: 'ticket' },
        annotations: {
          summary: 'LLM response cache hit rate collapsed',
          description: 'Only {{ $value | humanizePercentage }} of LLM requests hit the cache: cost and latency go up.',
        },
      },
    ],
  };
}
