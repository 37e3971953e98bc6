import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrometheus } from '@myco-gates/testkit/prometheus';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderMonitoring } from './generate.js';

// The generated rules, judged by real promtool: `check rules` for syntax and `test rules` unit tests in which each
// alert fires on a matching series and stays silent on a healthy one.
const root = join(import.meta.dirname, '..', '..', '..');
const spec = join(root, 'sample-app', 'monitoring', 'slos.yaml');
let promtool = '';
let dir = '';
let ruleFiles: string[] = [];

beforeAll(() => {
  promtool = ensurePrometheus().promtool;
  dir = mkdtempSync(join(tmpdir(), 'myco-rules-'));
  ruleFiles = [];
  for (const [file, content] of renderMonitoring(spec)) {
    if (!file.endsWith('.yaml')) continue;
    const path = join(dir, file.replace('/', '-'));
    writeFileSync(path, content);
    ruleFiles.push(path);
  }
});

/** `values` for a counter growing by `step` per sample, `count` samples. */
const grow = (step: number, count: number) => `0+${step}x${count}`;

interface Scenario {
  name: string;
  interval: string;
  evalTime: string;
  series: Record<string, string>;
  firing: string[];
}

// Backend API traffic: 100 requests per 30 s interval; `errors` of them 5xx, `slow` of them slower than 2 s.
function backend(errors: number, slow: number, points = 300): Record<string, string> {
  const route = 'service="backend",route="/api/projects",method="GET"';
  return {
    [`http_requests_total{${route},status_code="200"}`]: grow(100 - errors, points),
    [`http_requests_total{${route},status_code="500"}`]: grow(errors, points),
    [`http_request_duration_seconds_count{${route},status_code="200"}`]: grow(100, points),
    [`http_request_duration_seconds_bucket{${route},status_code="200",le="2"}`]: grow(100 - slow, points),
    [`http_request_duration_seconds_bucket{${route},status_code="200",le="5"}`]: grow(100, points),
    [`http_request_duration_seconds_bucket{${route},status_code="200",le="+Inf"}`]: grow(100, points),
    'up{job="backend",instance="backend:3000"}': `1x${points}`,
  };
}

// LLM traffic: 10 requests per interval, `slow` of them slower than 30 s; cache `hits` of 10 lookups.
function llm(slow: number, hits = 5, points = 300): Record<string, string> {
  const labels = 'provider="local",model="local-coder",status="success"';
  return {
    [`llm_request_duration_seconds_count{${labels}}`]: grow(10, points),
    [`llm_request_duration_seconds_bucket{${labels},le="30"}`]: grow(10 - slow, points),
    [`llm_request_duration_seconds_bucket{${labels},le="+Inf"}`]: grow(10, points),
    'llm_cache_hits_total{service="ai-engine"}': grow(hits, points),
    'llm_cache_misses_total{service="ai-engine"}': grow(10 - hits, points),
    'llm_provider_up{service="ai-engine",provider="local"}': `1x${points}`,
    'up{job="ai-engine",instance="ai-engine:3001"}': `1x${points}`,
  };
}

const scenarios: Scenario[] = [
  { name: 'healthy traffic', interval: '30s', evalTime: '70m', series: { ...backend(0, 1), ...llm(0) }, firing: [] },
  {
    name: '20% backend 5xx',
    interval: '30s',
    evalTime: '70m',
    series: { ...backend(20, 1), ...llm(0) },
    firing: [
      'BackendAvailabilityErrorBudgetBurnPage',
      'BackendAvailabilityErrorBudgetBurnTicket',
      'BackendErrorRateErrorBudgetBurnPage',
      'BackendErrorRateErrorBudgetBurnTicket',
      'ErrorSpike',
    ],
  },
  {
    name: '90% of API requests slower than 2 s',
    interval: '30s',
    evalTime: '70m',
    series: { ...backend(0, 90), ...llm(0) },
    firing: ['BackendLatencyErrorBudgetBurnPage', 'BackendLatencyErrorBudgetBurnTicket', 'LatencySpike'],
  },
  {
    name: '90% of LLM requests slower than 30 s',
    interval: '30s',
    evalTime: '70m',
    series: { ...backend(0, 1), ...llm(9) },
    firing: ['LlmLatencyErrorBudgetBurnPage', 'LlmLatencyErrorBudgetBurnTicket'],
  },
  {
    // 2 % errors burn 4x the 0.5 % budget: too slow to page (needs 6x or 14.4x), fast enough for a ticket (1d/2h x 3).
    name: 'a slow burn tickets but does not page',
    interval: '2m',
    evalTime: '26h',
    series: { ...backend(2, 0, 800), ...llm(0, 5, 800) },
    firing: ['BackendAvailabilityErrorBudgetBurnTicket', 'BackendErrorRateErrorBudgetBurnTicket'],
  },
  {
    name: 'no metrics at all',
    interval: '30s',
    evalTime: '15m',
    series: { 'up{job="unrelated",instance="x"}': '1x40' },
    firing: [
      'BackendAvailabilitySLIAbsent',
      'BackendErrorRateSLIAbsent',
      'BackendLatencySLIAbsent',
      'LlmLatencySLIAbsent',
    ],
  },
  {
    name: 'backend down, provider down, cache collapsed, auth failures',
    interval: '30s',
    evalTime: '40m',
    series: {
      ...backend(0, 1),
      ...llm(0, 1),
      'up{job="backend",instance="backend:3000"}': '1x20 0x100',
      'llm_provider_up{service="ai-engine",provider="local"}': '1x20 0x100',
      'auth_attempts_total{service="backend",type="login",result="failure"}': grow(60, 300),
    },
    firing: ['AuthFailureSpike', 'CacheHitRateCollapse', 'InstanceDown', 'LLMProviderUnhealthy'],
  },
];

describe('generated rules under promtool', () => {
  it('pass `promtool check rules`', () => {
    const result = spawnSync(promtool, ['check', 'rules', ...ruleFiles], { encoding: 'utf8' });
    expect(result.stderr + result.stdout).toContain('SUCCESS');
    expect(result.status, result.stderr).toBe(0);
  });

  it.each(scenarios)('$name: fires exactly $firing', (scenario) => {
    const test = {
      rule_files: ruleFiles,
      evaluation_interval: scenario.interval,
      tests: [
        {
          interval: scenario.interval,
          input_series: Object.entries(scenario.series).map(([series, values]) => ({ series, values })),
          promql_expr_test: [
            {
              expr: 'count by (alertname) (ALERTS{alertstate="firing"})',
              eval_time: scenario.evalTime,
              exp_samples: scenario.firing.map((alertname) => ({ labels: `{alertname="${alertname}"}`, value: 1 })),
            },
          ],
        },
      ],
    };
    const file = join(dir, `${scenario.name.replace(/\W+/g, '-')}.test.yaml`);
    writeFileSync(file, stringify(test));
    const result = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('the unit tests bite: a wrong expectation fails under promtool', () => {
    const test = {
      rule_files: ruleFiles,
      evaluation_interval: '30s',
      tests: [
        {
          interval: '30s',
          input_series: Object.entries(backend(0, 1)).map(([series, values]) => ({ series, values })),
          promql_expr_test: [
            {
              expr: 'count by (alertname) (ALERTS{alertstate="firing"})',
              eval_time: '70m',
              exp_samples: [{ labels: '{alertname="BackendAvailabilityErrorBudgetBurnPage"}', value: 1 }],
            },
          ],
        },
      ],
    };
    const file = join(dir, 'wrong.test.yaml');
    writeFileSync(file, stringify(test));
    expect(spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
