import { type SloDefinition, withWindow } from './spec.js';

/** A Prometheus rule (recording or alerting) as written to a rule file. */
export interface PrometheusRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rule group as written to a rule file. */
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: PrometheusRule[];
}

/** The short windows every SLO gets an error-ratio recording for (the SRE workbook's alert windows). */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/**
 * Multi-window, multi-burn-rate alerts as in the SRE workbook (chapter 5, table 5-8) and Sloth: a page when 2 % of the
 * monthly budget burns in an hour or 5 % in six hours, a ticket when 10 % burns in a day or in three days. The short
 * window makes the alert reset quickly once the burn stops.
 */
export const BURN_RATE_ALERTS = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'page', long: '6h', short: '30m', factor: 6 },
  { severity: 'ticket', long: '1d', short: '2h', factor: 3 },
  { severity: 'ticket', long: '3d', short: '6h', factor: 1 },
] as const;

/** Name of the recorded error ratio of an SLO over a window: `slo:sli_error:ratio_rate5m`. */
export const errorRatioRecord = (window: string): string => `slo:sli_error:ratio_rate${window}`;

function labels(slo: SloDefinition): Record<string, string> {
  return { slo: slo.name, service: slo.service };
}

function selector(slo: SloDefinition): string {
  return `{slo="${slo.name}"}`;
}

function alertName(slo: SloDefinition, suffix: string): string {
  const camel = slo.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  return `${camel}${suffix}`;
}

/** Trims float noise so `1 - 0.995` is written as `0.005`, not `0.0050000000000000044`. */
function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/**
 * Recording rules of one SLO: the error ratio over every alert window and over the SLO period, the objective, the
 * error budget, the current and period burn rates and the budget remaining.
 * @param slo the normalized SLO.
 * @returns one rule group, evaluated every 30 s.
 */
export function sloRecordingRules(slo: SloDefinition): RuleGroup {
  const budget = 1 - slo.objective;
  const lbl = labels(slo);
  const rules: PrometheusRule[] = SLI_WINDOWS.map((window) => ({
    record: errorRatioRecord(window),
    // `or vector(0)`: a healthy service may have no 5xx series at all, and an empty numerator must read as 0 % errors,
    // not as "no data" (which would fire the absent alert).
    expr: `((${withWindow(slo.errorQuery, window)}) or vector(0))\n/\n(${withWindow(slo.totalQuery, window)})`,
    labels: lbl,
  }));
  // The period ratio averages the 5m ratio instead of a 30d rate(): a 30d range over raw counters is what makes
  // Prometheus slow, and the average of equal-length windows is what error budgets are defined on.
  rules.push(
    {
      record: errorRatioRecord(slo.window),
      expr: `avg_over_time(${errorRatioRecord('5m')}${selector(slo)}[${slo.window}])`,
      labels: lbl,
    },
    { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})`, labels: lbl },
    { record: 'slo:error_budget:ratio', expr: `vector(${num(budget)})`, labels: lbl },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `${errorRatioRecord('5m')}${selector(slo)} / ${num(budget)}`,
      labels: lbl,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `${errorRatioRecord(slo.window)}${selector(slo)} / ${num(budget)}`,
      labels: lbl,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:period_burn_rate:ratio${selector(slo)}`,
      labels: lbl,
    },
  );
  return { name: `slo-${slo.name}-recordings`, interval: '30s', rules };
}

/**
 * Burn-rate alerts (page and ticket) and an absent-data alert for one SLO.
 * @param slo the normalized SLO.
 * @returns one rule group.
 */
export function sloAlertRules(slo: SloDefinition): RuleGroup {
  const budget = 1 - slo.objective;
  const lbl = { ...labels(slo), ...(slo.critical ? { rollback_trigger: 'critical' } : {}) };
  const rules: PrometheusRule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const pairs = BURN_RATE_ALERTS.filter((a) => a.severity === severity);
    const expr = pairs
      .map(
        (a) =>
          `(${errorRatioRecord(a.long)}${selector(slo)} > (${a.factor} * ${num(budget)})\nand\n${errorRatioRecord(a.short)}${selector(slo)} > (${a.factor} * ${num(budget)}))`,
      )
      .join('\nor\n');
    const windows = pairs.map((a) => `${a.long}/${a.short} × ${a.factor}`).join(', ');
    rules.push({
      alert: alertName(slo, severity === 'page' ? 'ErrorBudgetBurnPage' : 'ErrorBudgetBurnTicket'),
      expr,
      labels: { ...lbl, severity },
      annotations: {
        summary: `${slo.displayName}: the error budget is burning too fast`,
        description: `${slo.displayName} (objective ${num(slo.objective * 100)}% over ${slo.window}) burns its error budget faster than allowed (${windows}). Error ratio over the long window: {{ $value | humanizePercentage }}.`,
      },
    });
  }
  rules.push({
    alert: alertName(slo, 'SLIAbsent'),
    expr: `absent(${errorRatioRecord('5m')}${selector(slo)})`,
    for: '10m',
    labels: { ...labels(slo), severity: 'ticket' },
    annotations: {
      summary: `${slo.displayName}: no SLI data`,
      description: `The SLI of ${slo.displayName} has had no data for 10 minutes: the metrics are missing or the service is not scraped, so the SLO cannot be judged.`,
    },
  });
  return { name: `slo-${slo.name}-alerts`, rules };
}
