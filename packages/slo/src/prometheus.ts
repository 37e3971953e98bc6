/**
 * A small client for the Prometheus HTTP query API, as served by Prometheus, Thanos Query, Mimir (`/prometheus`) and
 * VictoriaMetrics (`/select/0/prometheus` in a cluster). Only instant queries are needed: every SLI is one number per
 * window.
 */

/** Why a query gave no answer: the engine could not be reached (infrastructure) or it rejected the query (user). */
export type QueryErrorKind = 'unreachable' | 'rejected' | 'auth';

/** A query that failed; `kind` decides whether it is the user's PromQL or the infrastructure. */
export class PrometheusQueryError extends Error {
  constructor(
    message: string,
    readonly kind: QueryErrorKind,
    readonly query: string,
  ) {
    super(message);
    this.name = 'PrometheusQueryError';
  }
}

/** How to reach the engine. */
export interface PrometheusClientOptions {
  /** Base URL; a path prefix is kept (`https://mimir/prometheus` → `https://mimir/prometheus/api/v1/query`). */
  url: string;
  /** Extra headers such as `X-Scope-OrgID`. */
  headers?: Record<string, string>;
  bearerToken?: string;
  /** `user:password`. */
  basicAuth?: string;
  /** Timeout of one HTTP request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Total time one query may take with its retries. Default 30 s. */
  retryBudgetMs?: number;
  /** Injected for tests of the backoff; defaults to real timers. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, for the log. */
  onRetry?: (reason: string, waitMs: number) => void;
}

/** One instant query's answer, summed over the series it returned. */
export interface InstantValue {
  /** Sum of the sample values; NaN when any sample is NaN (a 0/0 ratio), undefined when the vector was empty. */
  value: number | undefined;
  series: number;
}

/** Runs instant queries; what slo-validate calls for each SLI and window. */
export interface PrometheusClient {
  /**
   * @param query PromQL.
   * @param time evaluation time.
   * @returns the summed value of the result.
   */
  instant(query: string, time: Date): Promise<InstantValue>;
  /** How many HTTP requests were made, retries included. */
  readonly requests: number;
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Checks and normalizes the engine URL.
 * @param url e.g. `http://prometheus:9090` or `https://vm/select/0/prometheus/`.
 * @returns the URL without a trailing slash.
 * @throws Error with the fix when it has no http(s) scheme.
 */
export function normalizePrometheusUrl(url: string): string {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new Error(
      `\`prometheus-url\` \`${trimmed}\` is not a URL — write it with its scheme, e.g. \`http://prometheus:9090\``,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(
      `\`prometheus-url\` \`${trimmed}\` has no http(s) scheme — write it with its scheme, e.g. \`http://${trimmed}\``,
    );
  return trimmed.replace(/\/+$/, '');
}

/**
 * A client with retries: connection errors, timeouts, 429 and 5xx are retried with exponential backoff (Retry-After
 * honoured) within `retryBudgetMs`; then `PrometheusQueryError('unreachable')`. A 400/422 is the query's fault and is
 * not retried.
 * @param options where and how to connect.
 * @returns the client.
 */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = normalizePrometheusUrl(options.url);
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.bearerToken) headers.Authorization = `Bearer ${options.bearerToken}`;
  else if (options.basicAuth) headers.Authorization = `Basic ${Buffer.from(options.basicAuth).toString('base64')}`;
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const sleep = options.sleep ?? sleepReal;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const budgetMs = options.retryBudgetMs ?? 30_000;
  let requests = 0;

  async function once(
    query: string,
    time: Date,
  ): Promise<{ retry?: { reason: string; afterMs?: number }; value?: InstantValue }> {
    requests++;
    const body = new URLSearchParams({ query, time: (time.getTime() / 1000).toFixed(3) });
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1/query`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      return { retry: { reason: `cannot reach ${base} (${cause})` } };
    }
    const text = await response.text().catch(() => '');
    let json: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
    try {
      json = JSON.parse(text);
    } catch {
      json = {};
    }
    if (response.status === 429 || response.status >= 500) {
      const after = Number(response.headers.get('retry-after'));
      return {
        retry: {
          reason: `${base} answered HTTP ${response.status}${json.error ? `: ${json.error}` : ''}`,
          afterMs: Number.isFinite(after) && after >= 0 ? after * 1000 : undefined,
        },
      };
    }
    if (response.status === 401 || response.status === 403)
      throw new PrometheusQueryError(
        `${base} answered HTTP ${response.status}: check \`bearer-token\`, \`basic-auth\` or \`headers\``,
        'auth',
        query,
      );
    if (response.status === 404)
      throw new PrometheusQueryError(
        `${base}/api/v1/query does not exist (HTTP 404): \`prometheus-url\` must be the base of the Prometheus API (Mimir: …/prometheus, VictoriaMetrics cluster: …/select/0/prometheus)`,
        'rejected',
        query,
      );
    if (json.status !== 'success')
      throw new PrometheusQueryError(
        json.error ? `${json.errorType ?? 'error'}: ${json.error}` : `HTTP ${response.status}: ${text.slice(0, 200)}`,
        'rejected',
        query,
      );
    return { value: sumResult(json.data?.resultType, json.data?.result) };
  }

  return {
    get requests() {
      return requests;
    },
    async instant(query, time) {
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        const result = await once(query, time);
        if (result.value) return result.value;
        const retry = result.retry!;
        const backoff = Math.min(500 * 2 ** attempt, 8_000);
        const waitMs = Math.max(retry.afterMs ?? 0, backoff);
        if (Date.now() - started + waitMs > budgetMs)
          throw new PrometheusQueryError(
            `${retry.reason}; gave up after ${attempt + 1} attempts in ${((Date.now() - started) / 1000).toFixed(1)} s`,
            'unreachable',
            query,
          );
        options.onRetry?.(retry.reason, waitMs);
        await sleep(waitMs);
      }
    },
  };
}

function sumResult(resultType: string | undefined, result: unknown): InstantValue {
  if (resultType === 'scalar' && Array.isArray(result)) return { value: Number(result[1]), series: 1 };
  if (resultType !== 'vector' || !Array.isArray(result)) return { value: undefined, series: 0 };
  if (!result.length) return { value: undefined, series: 0 };
  let sum = 0;
  for (const sample of result as Array<{ value: [number, string] }>) sum += Number(sample.value[1]);
  return { value: sum, series: result.length };
}
