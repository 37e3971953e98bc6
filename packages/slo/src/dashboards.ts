import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { errorRatioRecord } from './rules.js';
import type { SloDefinition } from './spec.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function query(expr: string, legend = '', refId = 'A'): DataqueryBuilder {
  return new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DATASOURCE);
}

function thresholds(steps: Array<[number | null, string]>): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

function timeseries(title: string, unit: string, ...targets: DataqueryBuilder[]): TimeseriesPanel {
  const panel = new TimeseriesPanel().title(title).unit(unit).height(8).span(12).datasource(DATASOURCE);
  for (const t of targets) panel.withTarget(t);
  return panel;
}

/** A dashboard with our uid, tags, refresh and time range, and a datasource variable so it imports into any Grafana. */
function dashboard(title: string, uid: string, tag: string, refresh: string, from: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['myco', tag])
    .refresh(refresh)
    .time({ from, to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
}

/**
 * The production overview: traffic, errors, latency and the LLM economy of every service.
 * @param services Prometheus `service` label values (the sample app's `backend`, `ai-engine`).
 * @returns a Grafana dashboard model, ready to be written as JSON.
 */
export function productionOverviewDashboard(services: string[]): Dashboard {
  const sel = `service=~"${services.join('|')}"`;
  const builder = dashboard('Production overview', 'myco-production-overview', 'production', '30s', 'now-6h');
  builder
    .withRow(new RowBuilder('Traffic and errors'))
    .withPanel(
      new StatPanel()
        .title('Availability (1h)')
        .unit('percentunit')
        .decimals(3)
        .height(6)
        .span(6)
        .datasource(DATASOURCE)
        .thresholds(
          thresholds([
            [null, 'red'],
            [0.99, 'orange'],
            [0.995, 'green'],
          ]),
        )
        .withTarget(
          query(
            `1 - (sum(rate(http_requests_total{${sel},status_code=~"5.."}[1h])) or vector(0)) / sum(rate(http_requests_total{${sel}}[1h]))`,
            'availability',
          ),
        ),
    )
    .withPanel(
      timeseries(
        'Request rate',
        'reqps',
        query(`sum by (service) (rate(http_requests_total{${sel}}[5m]))`, '{{service}}'),
      ).span(18),
    )
    .withPanel(
      timeseries(
        'Error rate (5xx)',
        'percentunit',
        // `or … * 0`: a service that never answered 5xx has no such series; show 0 %, not "No data".
        query(
          `(sum by (service) (rate(http_requests_total{${sel},status_code=~"5.."}[5m])) or sum by (service) (rate(http_requests_total{${sel}}[5m])) * 0) / sum by (service) (rate(http_requests_total{${sel}}[5m]))`,
          '{{service}}',
        ),
      ),
    )
    .withPanel(
      timeseries(
        'Latency P95',
        's',
        query(
          `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`,
          '{{service}} p95',
        ),
      ).thresholds(
        thresholds([
          [null, 'green'],
          [2, 'red'],
        ]),
      ),
    )
    .withRow(new RowBuilder('Backend'))
    .withPanel(
      timeseries(
        'Auth attempts',
        'ops',
        query('sum by (type, result) (rate(auth_attempts_total[5m]))', '{{type}} {{result}}'),
      ),
    )
    .withPanel(
      timeseries(
        'DB query P95',
        's',
        query(
          'histogram_quantile(0.95, sum by (operation, le) (rate(db_query_duration_seconds_bucket[5m])))',
          '{{operation}}',
        ),
      ),
    )
    .withRow(new RowBuilder('AI engine'))
    .withPanel(
      timeseries(
        'LLM latency P95',
        's',
        query(
          'histogram_quantile(0.95, sum by (provider, le) (rate(llm_request_duration_seconds_bucket[5m])))',
          '{{provider}} p95',
        ),
      ).thresholds(
        thresholds([
          [null, 'green'],
          [30, 'red'],
        ]),
      ),
    )
    .withPanel(
      timeseries('LLM tokens', 'short', query('sum by (direction) (rate(llm_tokens_total[5m]))', '{{direction}}')),
    )
    .withPanel(
      timeseries(
        'LLM cost',
        'currencyUSD',
        query('sum by (model) (increase(llm_cost_usd_total[1h]))', '{{model}} per hour'),
      ),
    )
    .withPanel(
      timeseries(
        'Cache hit rate',
        'percentunit',
        query(
          'sum(rate(llm_cache_hits_total[5m])) / (sum(rate(llm_cache_hits_total[5m])) + sum(rate(llm_cache_misses_total[5m])))',
          'hit rate',
        ),
      ),
    )
    .withPanel(timeseries('Provider health', 'short', query('llm_provider_up', '{{provider}}')))
    .withPanel(timeseries('Agent sessions', 'short', query('agent_sessions_active', 'active')));
  return builder.build();
}

/**
 * The SLO dashboard: per SLO, how much of the objective holds, budget left and burn rate, from the recording rules.
 * @param slos the normalized SLOs.
 * @returns a Grafana dashboard model.
 */
export function sloDashboard(slos: SloDefinition[]): Dashboard {
  const builder = dashboard('SLOs', 'myco-slos', 'slo', '1m', 'now-7d');
  for (const slo of slos) {
    const sel = `{slo="${slo.name}"}`;
    const objective = slo.objective;
    builder
      .withRow(
        new RowBuilder(
          `${slo.displayName} — ${Number((objective * 100).toPrecision(6))}% over ${slo.window}${slo.critical ? ' (rollback trigger)' : ''}`,
        ),
      )
      .withPanel(
        new GaugePanel()
          .title(`${slo.displayName}: SLI over ${slo.window}`)
          .unit('percentunit')
          .decimals(3)
          .min(Math.max(0, 1 - (1 - objective) * 10))
          .max(1)
          .height(7)
          .span(6)
          .datasource(DATASOURCE)
          .thresholds(
            thresholds([
              [null, 'red'],
              [objective, 'green'],
            ]),
          )
          .withTarget(query(`1 - ${errorRatioRecord(slo.window)}${sel}`, 'SLI')),
      )
      .withPanel(
        new StatPanel()
          .title('Error budget left')
          .unit('percentunit')
          .decimals(1)
          .height(7)
          .span(6)
          .datasource(DATASOURCE)
          .thresholds(
            thresholds([
              [null, 'red'],
              [0.25, 'orange'],
              [0.5, 'green'],
            ]),
          )
          .withTarget(query(`slo:period_error_budget_remaining:ratio${sel}`, 'budget left')),
      )
      .withPanel(
        timeseries(
          'Burn rate',
          'short',
          query(`slo:current_burn_rate:ratio${sel}`, 'burn rate (5m)', 'A'),
          query(`${errorRatioRecord('1h')}${sel} / on (slo) slo:error_budget:ratio${sel}`, 'burn rate (1h)', 'B'),
          query(`${errorRatioRecord('6h')}${sel} / on (slo) slo:error_budget:ratio${sel}`, 'burn rate (6h)', 'C'),
        ).thresholds(
          thresholds([
            [null, 'green'],
            [1, 'orange'],
            [14.4, 'red'],
          ]),
        ),
      );
  }
  return builder.build();
}

/**
 * Every PromQL expression on every panel of a dashboard, for tests that check each one returns data.
 * @param dashboard a dashboard model (or its parsed JSON).
 * @returns panel title and expression pairs.
 */
export function dashboardQueries(dashboard: { panels?: unknown[] }): Array<{ panel: string; expr: string }> {
  const panels = (dashboard.panels ?? []) as Array<{
    title?: string;
    type?: string;
    targets?: Array<{ expr?: string }>;
  }>;
  return panels
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets ?? []).filter((t) => t.expr).map((t) => ({ panel: p.title ?? '', expr: t.expr! })));
}
