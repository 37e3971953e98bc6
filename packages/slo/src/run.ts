import { resolve } from 'node:path';
import type { GateReportInput, InputSpec } from '@myco-gates/core';
import { createPrometheusClient, normalizePrometheusUrl, type PrometheusClient } from './prometheus.js';
import { readSloSpec, SloSpecError, type SloDefinition } from './spec.js';
import {
  buildSloReport,
  validateSlos,
  type SloPolicyOutcome,
  type ValidatePolicy,
  type ValidationResult,
  type WatchClock,
  type WatchPlan,
} from './validate.js';

/**
 * A mistake in the slo-validate settings or files. It has the shape of core's `GateError` (`name`, `fix`, `file`,
 * `line`) without importing core's runtime, so the action prints one line with the fix instead of a stack.
 */
export class SloInputError extends Error {
  readonly fix: string;
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, fix: string, file?: string, line?: number) {
    super(message);
    // The name core's isGateError looks for: a user mistake.
    this.name = 'GateError';
    this.fix = fix;
    this.file = file;
    this.line = line;
  }
}

/** The inputs of actions/slo-validate (and the flags of `myco-gates slo validate`), keyed by action.yml id. */
export const SLO_VALIDATE_INPUTS = {
  'prometheus-url': {
    kind: 'string',
    required: true,
    description:
      'Base URL of any Prometheus HTTP API; a path prefix is kept: `http://prometheus:9090`, Thanos Query, Mimir `https://mimir/prometheus`, VictoriaMetrics `http://vm:8428` or cluster `http://vmselect:8481/select/0/prometheus`.',
  },
  'slo-spec': {
    kind: 'string',
    required: true,
    description:
      'The SLO file observability already uses: OpenSLO v1 (`kind: SLO`/`SLI`) or Sloth `prometheus/v1`, with `{{.window}}` in its queries. Relative to `working-directory`.',
  },
  slos: {
    kind: 'list',
    description: 'SLO ids to check, comma or newline separated. Default: every SLO of the spec.',
  },
  since: {
    kind: 'string',
    required: true,
    description:
      'Start of the deploy window: an RFC 3339 time (`2026-12-06T10:00:00Z`), unix seconds, or a duration back from now (`10m`).',
  },
  until: {
    kind: 'string',
    description:
      'End of the window, same formats as `since`; default now. With `duration: 0` this judges a past deploy again.',
  },
  duration: {
    kind: 'string',
    default: '0',
    description:
      'How long to keep watching after `since` (`5m`, `300`); `0` judges [since, until] once. While watching, the step stops early on a critical breach and passes when every SLO held for the whole duration.',
  },
  interval: {
    kind: 'string',
    default: '15s',
    description: 'Time between samples while watching (`15s`, `1m`).',
  },
  'initial-delay': {
    kind: 'string',
    default: '0',
    description: 'Warm-up after `since` before the first sample while watching (`30s`).',
  },
  baseline: {
    kind: 'enum',
    values: ['none', 'previous-window'],
    default: 'none',
    description:
      '`previous-window`: measure the same queries over the window just before `since`; a SLO already breached before the deploy and not significantly worse after it is `warn` (pre-existing), never a rollback trigger.',
  },
  confidence: {
    kind: 'number',
    default: '0.95',
    min: 0.5,
    max: 0.9999,
    description:
      'Confidence of the exact binomial test: a breach is decided only when the bad share is significantly above `1 − objective`, a pass only when its upper bound is within it.',
  },
  'on-inconclusive': {
    kind: 'list',
    description:
      'What an SLO with too little traffic to decide becomes: `pass`, `warn` (default) or `fail`; per SLO as `id=fail`, e.g. `warn, backend-availability=fail`.',
  },
  'on-no-data': {
    kind: 'list',
    description:
      'What an SLO without any traffic (no series, 0 events, NaN) becomes: `pass`, `warn` (default) or `fail`; per SLO as `id=fail`.',
  },
  'min-events': {
    kind: 'list',
    description:
      'Traffic floor: below this many events in the window an SLO is inconclusive whatever the counts say. Default 0; per SLO as `id=200`.',
  },
  headers: {
    kind: 'string',
    secret: true,
    description: 'Extra request headers, one `Name: value` per line (e.g. `X-Scope-OrgID: team-a`). Masked.',
  },
  'bearer-token': {
    kind: 'string',
    secret: true,
    description: 'Sent as `Authorization: Bearer …`. Masked.',
  },
  'basic-auth': {
    kind: 'string',
    secret: true,
    description: '`user:password` for HTTP basic authentication. Masked.',
  },
  'request-timeout': {
    kind: 'string',
    default: '10s',
    description: 'Timeout of one query request (`10s`).',
  },
  'retry-timeout': {
    kind: 'string',
    default: '30s',
    description:
      'How long one query is retried when the engine is unreachable, times out or answers 5xx/429 (backoff, Retry-After honoured); then the status is `error`, never `fail`.',
  },
  'github-token': {
    kind: 'string',
    default: '${{ github.token }}',
    secret: true,
    description: 'Token for the pull request comment (`pull-requests: write`).',
  },
  comment: {
    kind: 'boolean',
    default: 'true',
    description: 'Post or update one sticky comment on the pull request, when the workflow runs for one.',
  },
  'comment-id': {
    kind: 'string',
    description: 'Distinguishes the sticky comments of several runs (e.g. one per environment).',
  },
  'working-directory': {
    kind: 'string',
    default: '.',
    description: 'Folder `slo-spec` is relative to.',
  },
  'fail-on-error': {
    kind: 'boolean',
    default: 'true',
    description:
      'Fail the step when the SLOs could not be checked (engine unreachable, query rejected, bad input). `false` turns that into a warning. Either way `status` is `error` and `rollback` is `false`.',
  },
} as const satisfies InputSpec;

/** The values read from {@link SLO_VALIDATE_INPUTS} (camelCase keys, as core's `readInputs` returns them). */
export interface SloValidateInputValues {
  prometheusUrl: string;
  sloSpec: string;
  slos: string[];
  since: string;
  until?: string;
  duration: string;
  interval: string;
  initialDelay: string;
  baseline: 'none' | 'previous-window';
  confidence: number;
  onInconclusive: string[];
  onNoData: string[];
  minEvents: string[];
  headers?: string;
  bearerToken?: string;
  basicAuth?: string;
  requestTimeout: string;
  retryTimeout: string;
  workingDirectory: string;
}

/** Everything one slo-validate run needs, validated. */
export interface SloValidateConfig {
  engineUrl: string;
  specFile: string;
  slos: SloDefinition[];
  plan: WatchPlan;
  policy: ValidatePolicy;
  headers: Record<string, string>;
  bearerToken?: string;
  /** `user:password`. */
  basicAuth?: string;
  requestTimeoutMs: number;
  retryBudgetMs: number;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Parses a duration: Prometheus syntax (`90s`, `5m`, `1h30m`, `500ms`) or plain seconds (`300`, `0`).
 * @param text the value.
 * @param input the input name, for the error.
 * @returns seconds.
 * @throws SloInputError naming the input and the accepted forms.
 */
export function parseDurationSeconds(text: string, input: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== value)
    throw new SloInputError(
      `input \`${input}\`: \`${text}\` is not a duration`,
      'write seconds (`300`) or a duration like `90s`, `5m`, `1h30m`',
    );
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]], 0);
}

/**
 * Parses a point in time: RFC 3339 (`2026-12-06T10:00:00Z`, with offset or fraction), unix seconds, or a duration
 * back from `now` (`10m`).
 * @param text the value.
 * @param input the input name, for the error.
 * @param now the current time.
 * @returns the time.
 * @throws SloInputError naming the input and the accepted forms.
 */
export function parseTime(text: string, input: string, now: Date): Date {
  const value = text.trim();
  if (/^\d{9,}(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/.test(value)) {
    const time = new Date(value.replace(' ', 'T'));
    if (!Number.isNaN(time.getTime())) return time;
  }
  try {
    return new Date(now.getTime() - parseDurationSeconds(value, input) * 1000);
  } catch {
    throw new SloInputError(
      `input \`${input}\`: \`${text}\` is not a time`,
      'write an RFC 3339 time with a zone (`2026-12-06T10:00:00Z`), unix seconds (`1796551200`), or a duration back from now (`10m`)',
    );
  }
}

/** `warn, backend-availability=fail` → default and per-SLO values. */
function perSloList<T>(
  items: string[],
  input: string,
  parse: (value: string) => T | undefined,
  accepted: string,
  known: Set<string>,
): { fallback?: T; perSlo: Record<string, T> } {
  const out: { fallback?: T; perSlo: Record<string, T> } = { perSlo: {} };
  for (const item of items) {
    const eq = item.indexOf('=');
    const id = eq < 0 ? undefined : item.slice(0, eq).trim();
    const raw = (eq < 0 ? item : item.slice(eq + 1)).trim();
    const value = parse(raw);
    if (value === undefined)
      throw new SloInputError(
        `input \`${input}\`: \`${item}\` is not valid`,
        `use ${accepted}, or \`<slo-id>=<value>\``,
      );
    if (id === undefined) out.fallback = value;
    else if (!known.has(id))
      throw new SloInputError(
        `input \`${input}\`: unknown SLO \`${id}\``,
        `use one of the spec's SLO ids: ${[...known].join(', ')}`,
      );
    else out.perSlo[id] = value;
  }
  return out;
}

const outcome = (v: string): SloPolicyOutcome | undefined =>
  v === 'pass' || v === 'warn' || v === 'fail' ? v : undefined;
const count = (v: string): number | undefined => (/^\d+$/.test(v) ? Number(v) : undefined);

function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [i, line] of (text ?? '').split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    // Never echo the line: it may hold a credential.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
      throw new SloInputError(
        `input \`headers\`: line ${i + 1} is not a \`Name: value\` header`,
        'write one header per line, e.g. `X-Scope-OrgID: team-a`',
      );
    headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Builds the validated configuration from the input values: reads the spec, resolves times and durations, checks SLO
 * ids and policies. Every mistake is one {@link SloInputError} naming the input or file (and line) and the fix.
 * @param values the inputs, as core's readInputs returns them.
 * @param now the current time (for `until` and durations back from now).
 * @returns the configuration.
 */
export function buildValidateConfig(values: SloValidateInputValues, now: Date = new Date()): SloValidateConfig {
  let engineUrl: string;
  try {
    engineUrl = normalizePrometheusUrl(values.prometheusUrl);
  } catch (error) {
    throw new SloInputError(
      `input \`prometheus-url\`: ${(error as Error).message}`,
      'give the full base URL with its scheme, e.g. `http://prometheus:9090` or `https://mimir.example.com/prometheus`',
    );
  }
  const specFile = resolve(values.workingDirectory || '.', values.sloSpec);
  let all: SloDefinition[];
  try {
    all = readSloSpec(specFile);
  } catch (error) {
    if (error instanceof SloSpecError) {
      const problem = error.message.replace(`${error.file}${error.line ? `:${error.line}` : ''}: `, '');
      throw new SloInputError(problem.replace(` — ${error.fix}`, ''), error.fix, values.sloSpec, error.line);
    }
    throw error;
  }
  const known = new Set(all.map((s) => s.name));
  const unknown = values.slos.filter((id) => !known.has(id));
  if (unknown.length)
    throw new SloInputError(
      `input \`slos\`: ${unknown.map((id) => `\`${id}\``).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in ${values.sloSpec}`,
      `use ids of the spec: ${[...known].join(', ')}`,
    );
  const slos = values.slos.length ? all.filter((s) => values.slos.includes(s.name)) : all;

  const until = values.until?.trim() ? parseTime(values.until, 'until', now) : now;
  const since = parseTime(values.since, 'since', now);
  const durationSeconds = parseDurationSeconds(values.duration, 'duration');
  if (durationSeconds === 0 && since.getTime() >= until.getTime())
    throw new SloInputError(
      `input \`since\` (${since.toISOString()}) is not before \`until\` (${until.toISOString()})`,
      'set `since` to the start of the deploy window, before `until`',
    );
  if (since.getTime() > now.getTime() + 60_000)
    throw new SloInputError(
      `input \`since\` (${since.toISOString()}) is in the future`,
      'set `since` to when the deploy started (e.g. `${{ steps.deploy.outputs.started-at }}` or `5m`)',
    );
  const intervalSeconds = parseDurationSeconds(values.interval, 'interval');
  if (durationSeconds > 0 && intervalSeconds < 1)
    throw new SloInputError('input `interval` must be at least 1s while watching', 'use e.g. `15s`');
  const initialDelaySeconds = parseDurationSeconds(values.initialDelay, 'initial-delay');
  if (durationSeconds > 0 && initialDelaySeconds > durationSeconds)
    throw new SloInputError(
      'input `initial-delay` is longer than `duration`',
      'make `duration` cover the warm-up and the watch',
    );
  const requestTimeoutMs = parseDurationSeconds(values.requestTimeout, 'request-timeout') * 1000;
  const retryBudgetMs = parseDurationSeconds(values.retryTimeout, 'retry-timeout') * 1000;

  const accepted = '`pass`, `warn` or `fail`';
  const inconclusive = perSloList(values.onInconclusive, 'on-inconclusive', outcome, accepted, known);
  const noData = perSloList(values.onNoData, 'on-no-data', outcome, accepted, known);
  const minEvents = perSloList(values.minEvents, 'min-events', count, 'a whole number', known);
  const perSlo: NonNullable<ValidatePolicy['perSlo']> = {};
  for (const [key, map] of [
    ['onInconclusive', inconclusive.perSlo],
    ['onNoData', noData.perSlo],
    ['minEvents', minEvents.perSlo],
  ] as const)
    for (const [id, v] of Object.entries(map)) perSlo[id] = { ...perSlo[id], [key]: v };
  const policy: ValidatePolicy = {
    confidence: values.confidence,
    onInconclusive: inconclusive.fallback ?? 'warn',
    onNoData: noData.fallback ?? 'warn',
    minEvents: minEvents.fallback ?? 0,
    perSlo,
  };

  if (values.basicAuth && values.basicAuth.indexOf(':') < 1)
    throw new SloInputError('input `basic-auth` is not `user:password`', 'write it as `user:password`');
  return {
    engineUrl,
    specFile: values.sloSpec,
    slos,
    plan: {
      since,
      until: durationSeconds === 0 ? until : undefined,
      durationSeconds,
      intervalSeconds,
      initialDelaySeconds,
      baseline: values.baseline,
    },
    policy,
    headers: parseHeaders(values.headers),
    bearerToken: values.bearerToken || undefined,
    basicAuth: values.basicAuth || undefined,
    requestTimeoutMs,
    retryBudgetMs,
  };
}

/** What {@link runSloValidate} produced. */
export interface SloValidateRun {
  result: ValidationResult;
  report: GateReportInput;
}

/**
 * Runs slo-validate: queries the engine, decides, builds the GateReport. Never throws for engine trouble: that is
 * `status: error` in the result (and never a rollback).
 * @param config from {@link buildValidateConfig}.
 * @param options log lines, a clock for tests, or a ready client.
 * @returns the decision and its report.
 */
export async function runSloValidate(
  config: SloValidateConfig,
  options: { log?: (line: string) => void; clock?: WatchClock; client?: PrometheusClient } = {},
): Promise<SloValidateRun> {
  const client =
    options.client ??
    createPrometheusClient({
      url: config.engineUrl,
      headers: config.headers,
      bearerToken: config.bearerToken,
      basicAuth: config.basicAuth,
      requestTimeoutMs: config.requestTimeoutMs,
      retryBudgetMs: config.retryBudgetMs,
      onRetry: (reason) => options.log?.(`retrying: ${reason}`),
    });
  const result = await validateSlos(config.slos, client, config.plan, config.policy, {
    log: options.log,
    clock: options.clock,
  });
  const report = buildSloReport(config.slos, result, config.policy, config.engineUrl);
  return { result, report };
}
