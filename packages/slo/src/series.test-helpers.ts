/**
 * Deterministic request series for slo-validate's tests and benchmark: per case, the counters a service would expose
 * (`http_requests_total{case,pod,code}` and a latency histogram), sampled every `step` seconds, as OpenMetrics text
 * for promtool's backfill or VictoriaMetrics' import.
 */

/** One pod's traffic over a time range: requests per second, bad share and slow share (> 2 s). */
export interface PodPhase {
  pod: string;
  from: number;
  to: number;
  rps: number;
  errorShare: number;
  slowShare?: number;
  /** Seconds of alternating on/off for errors (flapping); the bad share applies in "on" periods only. */
  flapSeconds?: number;
}

/** A named case: the phases of its pods. */
export interface SeriesCase {
  name: string;
  phases: PodPhase[];
}

/**
 * Renders cases as OpenMetrics samples with timestamps in seconds. Counters start at 0 when a pod's phase starts
 * (a new pod after a restart), so rate/increase see a reset or a new series exactly as Prometheus would.
 * @param cases the cases.
 * @param step seconds between samples (a scrape interval).
 * @param format `openmetrics` (seconds, `# EOF`) or `prometheus` (milliseconds, for VictoriaMetrics' import).
 * @returns the text.
 */
export function renderSeries(
  cases: SeriesCase[],
  step = 5,
  format: 'openmetrics' | 'prometheus' = 'openmetrics',
): string {
  const lines: string[] = [];
  const requests: string[] = [];
  const buckets: string[] = [];
  const ts = (t: number) => (format === 'openmetrics' ? String(t) : String(t * 1000));
  for (const c of cases)
    for (const p of c.phases) {
      let total = 0;
      let errors = 0;
      let slow = 0;
      for (let t = p.from; t <= p.to; t += step) {
        if (t > p.from) {
          const n = p.rps * step;
          const on = !p.flapSeconds || Math.floor((t - p.from) / p.flapSeconds) % 2 === 0;
          total += n;
          errors += on ? n * p.errorShare : 0;
          slow += n * (p.slowShare ?? 0);
        }
        const l = `case="${c.name}",pod="${p.pod}"`;
        // Each series is rounded on its own so every counter stays monotonic (a difference of two rounded counters
        // can step down, which Prometheus reads as a reset).
        const e = Math.round(errors);
        const ok = Math.round(total - errors);
        const fast = Math.round(total - slow);
        const all = fast + Math.round(slow);
        requests.push(`http_requests_total{${l},code="500"} ${e} ${ts(t)}`);
        requests.push(`http_requests_total{${l},code="200"} ${ok} ${ts(t)}`);
        buckets.push(`http_request_duration_seconds_bucket{${l},le="2"} ${fast} ${ts(t)}`);
        buckets.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${all} ${ts(t)}`);
        buckets.push(`http_request_duration_seconds_count{${l}} ${all} ${ts(t)}`);
      }
    }
  if (format === 'openmetrics') {
    lines.push(
      '# TYPE http_requests counter',
      ...requests,
      '# TYPE http_request_duration_seconds histogram',
      ...buckets,
      '# EOF',
    );
  } else lines.push(...requests, ...buckets);
  return lines.join('\n') + '\n';
}

/**
 * A Sloth spec with an availability and a latency SLO per case, for parseSloSpec.
 * @param cases case names.
 * @returns YAML text.
 */
export function casesSpec(cases: string[]): string {
  const slos = cases.flatMap((c) => [
    `  - name: ${c}-availability
    objective: 99.5
    labels: { rollback_trigger: critical }
    sli:
      events:
        error_query: sum(rate(http_requests_total{case="${c}",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{case="${c}"}[{{.window}}]))`,
    `  - name: ${c}-latency
    objective: 95
    labels: { rollback_trigger: critical }
    sli:
      events:
        error_query: (sum(rate(http_request_duration_seconds_count{case="${c}"}[{{.window}}])) - sum(rate(http_request_duration_seconds_bucket{case="${c}",le="2"}[{{.window}}])))
        total_query: sum(rate(http_request_duration_seconds_count{case="${c}"}[{{.window}}]))`,
  ]);
  return `version: prometheus/v1\nservice: test\nslos:\n${slos.join('\n')}\n`;
}
