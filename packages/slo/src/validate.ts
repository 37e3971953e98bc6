import type { Check, GateReportInput, Status } from '@myco-gates/core';
import { PrometheusQueryError, type PrometheusClient } from './prometheus.js';
import type { SloDefinition } from './spec.js';
import { binomialUpperTail, eventsNeeded, shareBounds } from './stats.js';
import { withWindow } from './spec.js';

/** What an undecided or empty SLI turns into. */
export type SloPolicyOutcome = 'pass' | 'warn' | 'fail';

/** The knobs of the decision; one per run, with per-SLO overrides. */
export interface ValidatePolicy {
  /** Confidence of the exact test, e.g. 0.95. */
  confidence: number;
  /** What an SLI that is neither evidenced breached nor evidenced within becomes. Default warn. */
  onInconclusive: SloPolicyOutcome;
  /** What an SLI without traffic (no series, 0 events, NaN) becomes. Default warn. */
  onNoData: SloPolicyOutcome;
  /** Below this many events in the window the SLI is inconclusive whatever the counts say. Default 0. */
  minEvents: number;
  /** Per SLO id overrides. */
  perSlo?: Record<string, Partial<Pick<ValidatePolicy, 'onInconclusive' | 'onNoData' | 'minEvents'>>>;
}

/** Bad and total events in one window. */
export interface WindowCounts {
  bad: number;
  total: number;
}

/** Which rule made the decision, shown in the report. */
export type DecidedBy = 'breached' | 'within' | 'inconclusive' | 'min-events' | 'no-data' | 'pre-existing';

/** The verdict on one SLO for one window. */
export interface SloJudgement {
  slo: string;
  status: Exclude<Status, 'error'>;
  decidedBy: DecidedBy;
  /** The policy that turned an undecided result into `status` (`on-inconclusive: warn`), when one did. */
  policy?: string;
  counts?: WindowCounts;
  /** 1 − objective. */
  allowed: number;
  share?: number;
  lower?: number;
  upper?: number;
  /** p-value of "bad share > allowed". */
  pValue?: number;
  /** Total events that would decide at the observed share (inconclusive only). */
  eventsNeeded?: number;
  baseline?: { counts?: WindowCounts; share?: number; breached: boolean; worse?: boolean };
  /** A critical SLO that failed: a rollback trigger. */
  rollback: boolean;
}

function policyFor(policy: ValidatePolicy, slo: string) {
  return { ...policy, ...policy.perSlo?.[slo] };
}

/**
 * Judges one SLO from its window counts — a pure function. Breached only when the bad share is significantly above
 * `1 − objective` by the exact one-sided binomial test; within when the exact upper bound is at most the allowed share;
 * anything between is inconclusive and left to the policy. With a baseline, a breach that was already there before the
 * deploy and is not significantly worse after it is `warn` (pre-existing), never a rollback trigger.
 * @param slo the SLO.
 * @param counts bad/total events in the deploy window; undefined or non-finite means no data.
 * @param policy confidence and policies.
 * @param baseline counts over the window before the deploy, when `baseline: previous-window`.
 * @param breachConfidence confidence for the breach test (higher than `policy.confidence` while watching, so repeated
 *   looks do not add up to false rollbacks); default `policy.confidence`.
 * @returns the judgement.
 */
export function judgeSlo(
  slo: SloDefinition,
  counts: WindowCounts | undefined,
  policy: ValidatePolicy,
  baseline?: WindowCounts,
  breachConfidence = policy.confidence,
): SloJudgement {
  const p = policyFor(policy, slo.name);
  const allowed = Number((1 - slo.objective).toPrecision(12));
  const base = { slo: slo.name, allowed, rollback: false };
  const undecided = (decidedBy: DecidedBy, outcome: SloPolicyOutcome, name: string): SloJudgement => ({
    ...base,
    status: outcome,
    decidedBy,
    policy: `${name}: ${outcome}`,
    rollback: outcome === 'fail' && slo.critical,
  });
  if (!counts || !Number.isFinite(counts.total) || !(counts.total > 0) || !Number.isFinite(counts.bad))
    return { ...undecided('no-data', p.onNoData, 'on-no-data'), counts };
  const total = counts.total;
  const bad = Math.min(Math.max(counts.bad, 0), total);
  const bounds = shareBounds(bad, total, policy.confidence);
  const breachBounds = breachConfidence === policy.confidence ? bounds : shareBounds(bad, total, breachConfidence);
  const measured = {
    counts: { bad, total },
    share: bounds.share,
    lower: breachBounds.lower,
    upper: bounds.upper,
    pValue: binomialUpperTail(bad, total, allowed),
  };
  if (total < p.minEvents)
    return {
      ...undecided('min-events', p.onInconclusive, `min-events ${p.minEvents}`),
      ...measured,
      eventsNeeded: p.minEvents,
    };
  if (breachBounds.lower > allowed) {
    const before = baseline && Number.isFinite(baseline.total) && baseline.total > 0 ? baseline : undefined;
    if (before) {
      const beforeBad = Math.min(Math.max(before.bad, 0), before.total);
      const beforeBreached = shareBounds(beforeBad, before.total, policy.confidence).lower > allowed;
      // Conditional exact test of two rates: given all bad events of both windows, under "the deploy changed nothing"
      // the after-window holds each of them with probability total / (total + before.total).
      const worse = binomialUpperTail(bad, bad + beforeBad, total / (total + before.total)) < 1 - policy.confidence;
      const baselineInfo = { counts: before, share: beforeBad / before.total, breached: beforeBreached, worse };
      if (beforeBreached && !worse)
        return { ...base, ...measured, status: 'warn', decidedBy: 'pre-existing', baseline: baselineInfo };
      return {
        ...base,
        ...measured,
        status: 'fail',
        decidedBy: 'breached',
        baseline: baselineInfo,
        rollback: slo.critical,
      };
    }
    return { ...base, ...measured, status: 'fail', decidedBy: 'breached', rollback: slo.critical };
  }
  const baselineInfo =
    baseline && baseline.total > 0
      ? {
          counts: baseline,
          share: baseline.bad / baseline.total,
          breached: shareBounds(baseline.bad, baseline.total, policy.confidence).lower > allowed,
        }
      : undefined;
  if (bounds.upper <= allowed)
    return { ...base, ...measured, status: 'pass', decidedBy: 'within', baseline: baselineInfo };
  return {
    ...undecided('inconclusive', p.onInconclusive, 'on-inconclusive'),
    ...measured,
    baseline: baselineInfo,
    eventsNeeded: eventsNeeded(bounds.share, allowed, policy.confidence),
  };
}

/** The two PromQL queries sent for one SLO and window. */
export interface WindowQueries {
  bad: string;
  total: string;
  /** Whether the query's value is a per-second rate to multiply by the window's seconds (false for `increase`). */
  perSecond: boolean;
}

/**
 * The queries for a window of `seconds`: the SLO's own queries with `{{.window}}` set to `<seconds>s`. Queries
 * written with `rate` give events per second, so counts are `rate × seconds`; both `rate` and `increase` handle
 * counter resets (a pod restart) and series that start inside the window (new pods).
 * @param slo the SLO.
 * @param seconds window length.
 * @returns the queries.
 */
export function windowQueries(slo: SloDefinition, seconds: number): WindowQueries {
  const range = `${Math.max(1, Math.round(seconds))}s`;
  const perSecond = /\b(rate|irate)\s*\(/.test(slo.totalQuery) || !/\bincrease\s*\(/.test(slo.totalQuery);
  return { bad: withWindow(slo.errorQuery, range), total: withWindow(slo.totalQuery, range), perSecond };
}

/** A query Prometheus rejected, or an engine that did not answer; the action maps it to `error`. */
export class SloMeasureError extends Error {
  constructor(
    message: string,
    readonly slo: string,
    readonly query: string,
    readonly kind: PrometheusQueryError['kind'],
  ) {
    super(message);
    this.name = 'SloMeasureError';
  }
}

/**
 * Measures one SLO's counts for the window (end − seconds, end].
 * @param client the engine.
 * @param slo the SLO.
 * @param end end of the window.
 * @param seconds window length.
 * @returns the counts (undefined when the total has no series) and the queries sent.
 * @throws SloMeasureError naming the SLO, the query and the engine's message.
 */
export async function measureSlo(
  client: PrometheusClient,
  slo: SloDefinition,
  end: Date,
  seconds: number,
): Promise<{ counts?: WindowCounts; queries: WindowQueries }> {
  const queries = windowQueries(slo, seconds);
  const run = async (query: string) => {
    try {
      return await client.instant(query, end);
    } catch (error) {
      if (error instanceof PrometheusQueryError)
        throw new SloMeasureError(
          error.kind === 'rejected'
            ? `SLO \`${slo.name}\`: Prometheus rejected the query \`${query}\`: ${error.message}`
            : `SLO \`${slo.name}\`: ${error.message}`,
          slo.name,
          query,
          error.kind,
        );
      throw error;
    }
  };
  const [bad, total] = await Promise.all([run(queries.bad), run(queries.total)]);
  if (total.value === undefined) return { queries };
  const scale = queries.perSecond ? seconds : 1;
  // No series for the bad query is the usual "no errors at all" (a 5xx series that was never created), not no data.
  return { counts: { bad: (bad.value ?? 0) * scale, total: total.value * scale }, queries };
}

/** One look at every SLO while watching. */
export interface ValidationSample {
  /** End of the window. */
  at: string;
  /** Seconds since `since`. */
  windowSeconds: number;
  judgements: SloJudgement[];
}

/** When and how long to look. */
export interface WatchPlan {
  since: Date;
  /** End of a one-off judgement (duration 0); default now. */
  until?: Date;
  /** How long to keep watching, seconds; 0 judges [since, until] once. */
  durationSeconds: number;
  intervalSeconds: number;
  initialDelaySeconds: number;
  baseline: 'none' | 'previous-window';
}

/** The outcome of {@link validateSlos}. */
export interface ValidationResult {
  status: Status;
  rollback: boolean;
  breached: string[];
  /** The judgements of the last sample (the verdict). */
  final: SloJudgement[];
  samples: ValidationSample[];
  /** The queries sent per SLO (for the last window) and the window. */
  queries: Record<string, WindowQueries>;
  window: { since: string; until: string; seconds: number };
  baselineWindow?: { since: string; until: string };
  baselines: Record<string, WindowCounts | undefined>;
  /** Set when the engine failed or rejected a query. */
  error?: { message: string; slo: string; query: string; kind: string };
  stoppedEarly: boolean;
  queriesSent: number;
}

/** Clock and sleep, injected so the watch loop is testable without waiting. */
export interface WatchClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

const realClock: WatchClock = { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * Decides whether the SLOs hold after a deploy: judges [since, until] once, or, while watching, every `interval`
 * after `initialDelay` over [since, now], stopping early with `fail` as soon as a critical SLO is evidenced breached
 * and ending with the last sample's verdict. Breach tests while watching use a Bonferroni share of `1 − confidence`
 * per planned look, so watching longer does not make false rollbacks likelier.
 * @param slos the SLOs to check.
 * @param client the engine.
 * @param plan the windows.
 * @param policy the decision policy.
 * @param options log and clock.
 * @returns the verdict, each sample and what was queried.
 */
export async function validateSlos(
  slos: SloDefinition[],
  client: PrometheusClient,
  plan: WatchPlan,
  policy: ValidatePolicy,
  options: { clock?: WatchClock; log?: (line: string) => void } = {},
): Promise<ValidationResult> {
  const clock = options.clock ?? realClock;
  const log = options.log ?? (() => {});
  const watching = plan.durationSeconds > 0;
  // The client may be shared between runs; count this run's requests only.
  const requestsBefore = client.requests;
  const looks = watching
    ? Math.max(1, Math.floor((plan.durationSeconds - plan.initialDelaySeconds) / Math.max(1, plan.intervalSeconds)) + 1)
    : 1;
  const breachConfidence = 1 - (1 - policy.confidence) / looks;
  const result: ValidationResult = {
    status: 'pass',
    rollback: false,
    breached: [],
    final: [],
    samples: [],
    queries: {},
    window: { since: plan.since.toISOString(), until: plan.since.toISOString(), seconds: 0 },
    baselines: {},
    stoppedEarly: false,
    queriesSent: 0,
  };
  try {
    const firstEnd = watching ? undefined : (plan.until ?? clock.now());
    if (plan.baseline === 'previous-window') {
      const length = watching ? plan.durationSeconds : (firstEnd!.getTime() - plan.since.getTime()) / 1000;
      result.baselineWindow = {
        since: new Date(plan.since.getTime() - length * 1000).toISOString(),
        until: plan.since.toISOString(),
      };
      for (const slo of slos) result.baselines[slo.name] = (await measureSlo(client, slo, plan.since, length)).counts;
    }
    const started = clock.now().getTime();
    if (watching && plan.initialDelaySeconds > 0) {
      log(`Waiting ${plan.initialDelaySeconds} s (initial-delay) before the first sample`);
      await clock.sleep(plan.initialDelaySeconds * 1000);
    }
    for (;;) {
      const end = firstEnd ?? clock.now();
      const seconds = (end.getTime() - plan.since.getTime()) / 1000;
      const judgements: SloJudgement[] = [];
      for (const slo of slos) {
        const { counts, queries } = await measureSlo(client, slo, end, seconds);
        result.queries[slo.name] = queries;
        judgements.push(judgeSlo(slo, counts, policy, result.baselines[slo.name], breachConfidence));
      }
      result.samples.push({ at: end.toISOString(), windowSeconds: seconds, judgements });
      result.window = { since: plan.since.toISOString(), until: end.toISOString(), seconds };
      result.final = judgements;
      log(
        `Sample ${result.samples.length} at ${end.toISOString()} (${Math.round(seconds)} s): ` +
          judgements
            .map((j) => `${j.slo} ${j.status}${j.share === undefined ? '' : ` ${(j.share * 100).toFixed(3)}%`}`)
            .join(', '),
      );
      if (!watching) break;
      if (judgements.some((j) => j.rollback && j.decidedBy === 'breached')) {
        result.stoppedEarly = true;
        break;
      }
      const elapsed = (clock.now().getTime() - started) / 1000;
      if (elapsed + plan.intervalSeconds > plan.durationSeconds + 0.001) break;
      await clock.sleep(plan.intervalSeconds * 1000);
    }
  } catch (error) {
    if (!(error instanceof SloMeasureError)) throw error;
    result.error = { message: error.message, slo: error.slo, query: error.query, kind: error.kind };
    result.status = 'error';
    result.queriesSent = client.requests - requestsBefore;
    return result;
  }
  const statuses = result.final.map((j) => j.status);
  result.status = statuses.includes('fail')
    ? 'fail'
    : statuses.includes('warn')
      ? 'warn'
      : statuses.includes('inconclusive')
        ? 'inconclusive'
        : 'pass';
  result.rollback = result.final.some((j) => j.rollback);
  result.breached = result.final.filter((j) => j.status === 'fail').map((j) => j.slo);
  result.queriesSent = client.requests - requestsBefore;
  return result;
}

const pct = (share: number | undefined, digits = 3) =>
  share === undefined || !Number.isFinite(share) ? 'n/a' : `${(share * 100).toFixed(digits)}%`;
const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * One line saying why, per SLO: the number that decided it.
 * @param slo the SLO.
 * @param j its judgement.
 * @param confidence the run's confidence.
 * @returns e.g. `5.1% bad (46 of 900), at least 3.9% at 95% confidence — over the 0.5% allowed`.
 */
export function explainJudgement(slo: SloDefinition, j: SloJudgement, confidence: number): string {
  const allowed = pct(j.allowed, 2);
  const conf = `${Number((confidence * 100).toPrecision(6))}%`;
  const c = j.counts ? `${count(j.counts.bad)} of ${count(j.counts.total)}` : '';
  switch (j.decidedBy) {
    case 'no-data':
      return `no traffic in the window (no series or 0 events) — ${j.policy}`;
    case 'min-events':
      return `${c} events, below the minimum of ${j.eventsNeeded} — ${j.policy}`;
    case 'breached':
      return (
        `${pct(j.share)} bad (${c}), at least ${pct(j.lower)} — over the ${allowed} allowed` +
        (j.baseline ? ` (before the deploy: ${pct(j.baseline.share)})` : '')
      );
    case 'pre-existing':
      return `${pct(j.share)} bad (${c}), over the ${allowed} allowed, but already ${pct(j.baseline?.share)} before the deploy and not significantly worse — pre-existing, not a rollback trigger`;
    case 'within':
      return `${pct(j.share)} bad (${c}), at most ${pct(j.upper)} at ${conf} confidence — within the ${allowed} allowed`;
    case 'inconclusive':
      return (
        `${pct(j.share)} bad (${c}): between ${pct(j.lower)} and ${pct(j.upper)}, not evidence either way against ${allowed}` +
        (j.eventsNeeded ? `; about ${j.eventsNeeded} events at this share would decide` : '') +
        ` — ${j.policy}`
      );
  }
  return slo.name;
}

/**
 * The GateReport of a validation: verdict first, then a row per SLO, each sample, and the queries.
 * @param slos the SLOs checked.
 * @param result the validation.
 * @param policy the policy (for the confidence stated).
 * @param engineUrl the engine's URL (no credentials) for the report.
 * @returns the report input for core's publisher.
 */
export function buildSloReport(
  slos: SloDefinition[],
  result: ValidationResult,
  policy: ValidatePolicy,
  engineUrl: string,
): GateReportInput {
  const byName = new Map(slos.map((s) => [s.name, s]));
  const checks: Check[] = result.final.map((j) => {
    const slo = byName.get(j.slo)!;
    return {
      id: j.slo,
      title: `${slo.displayName}${slo.critical ? ' (rollback trigger)' : ''}`,
      status: j.status,
      actual: j.share === undefined ? 'no data' : pct(1 - j.share),
      expected: `≥ ${pct(slo.objective, 2)}`,
      message: explainJudgement(slo, j, policy.confidence),
      location: { file: slo.source.file, line: slo.source.line },
    };
  });
  const metrics: Record<string, number> = {};
  const metricUnits: Record<string, 'percent'> = {};
  for (const j of result.final)
    if (j.share !== undefined && Number.isFinite(j.share)) {
      metrics[`sli-${j.slo}`] = Number(((1 - j.share) * 100).toFixed(4));
      metricUnits[`sli-${j.slo}`] = 'percent';
    }
  let headline: string;
  if (result.error) headline = `SLOs could not be checked: ${result.error.message}`;
  else {
    const first = result.final.find((j) => j.status === result.status) ?? result.final[0];
    const slo = first && byName.get(first.slo);
    const lead =
      result.status === 'fail'
        ? `SLO breached${result.rollback ? ' — rollback' : ''}`
        : result.status === 'pass'
          ? 'SLOs hold'
          : result.status === 'warn'
            ? 'SLOs hold with warnings'
            : 'SLOs inconclusive';
    headline = slo ? `${lead}: ${slo.name} ${explainJudgement(slo, first, policy.confidence)}` : lead;
    if (headline.length > 500) headline = `${headline.slice(0, 499)}…`;
  }
  const rows = result.final.map((j) => {
    const slo = byName.get(j.slo)!;
    return [
      slo.name,
      j.status,
      j.counts ? `${count(j.counts.bad)} / ${count(j.counts.total)}` : '—',
      pct(j.share),
      j.lower === undefined ? '—' : `${pct(j.lower)} – ${pct(j.upper)}`,
      pct(j.allowed, 2),
      j.baseline?.share === undefined ? '—' : pct(j.baseline.share),
      j.policy ?? j.decidedBy,
    ];
  });
  const sections: GateReportInput['sections'] = [
    {
      title: 'SLOs',
      priority: 10,
      collapsed: false,
      table: {
        columns: [
          'SLO',
          'status',
          'bad / total',
          'bad share',
          `bounds (${pct(policy.confidence, 0)})`,
          'allowed',
          'before deploy',
          'decided by',
        ],
        align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'],
        rows,
      },
      note:
        `Window ${result.window.since} → ${result.window.until} (${Math.round(result.window.seconds)} s) on ${engineUrl}` +
        (result.baselineWindow ? `; baseline ${result.baselineWindow.since} → ${result.baselineWindow.until}` : '') +
        `. Breached means the bad share is above the allowed share by an exact one-sided binomial test at ${pct(policy.confidence, 0)} confidence.`,
    },
  ];
  if (result.samples.length > 1)
    sections.push({
      title: `Samples (${result.samples.length}${result.stoppedEarly ? ', stopped early on a critical breach' : ''})`,
      collapsed: true,
      priority: 60,
      table: {
        columns: ['at', 'window', ...slos.map((s) => s.name)],
        rows: result.samples.map((s) => [
          s.at,
          `${Math.round(s.windowSeconds)} s`,
          ...s.judgements.map((j) => `${j.status} ${pct(j.share)}`),
        ]),
      },
    });
  const queryLines = Object.entries(result.queries).map(
    ([name, q]) => `${name}\n  bad:   ${q.bad}\n  total: ${q.total}${q.perSecond ? '\n  (rate × window seconds)' : ''}`,
  );
  if (result.error) queryLines.push(`failed: ${result.error.query}`);
  if (queryLines.length)
    sections.push({
      title: 'Queries',
      collapsed: true,
      priority: 80,
      markdown: '```\n' + queryLines.join('\n') + '\n```',
    });
  return {
    schemaVersion: 1,
    gate: 'slo',
    status: result.status,
    headline,
    checks: result.error
      ? [{ id: 'engine', title: 'Prometheus', status: 'error', message: result.error.message }, ...checks]
      : checks,
    metrics,
    metricUnits,
    facts: {
      rollback: String(result.rollback),
      breached: result.breached.join(','),
      window: `${result.window.since}/${result.window.until}`,
    },
    sections,
    generatedAt: new Date().toISOString(),
  };
}
