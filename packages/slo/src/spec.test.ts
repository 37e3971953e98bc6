import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSloSpec, readSloSpec, SloSpecError, withWindow } from './spec.js';

const openSlo = (overrides = '') => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  displayName: API availability
  annotations:
    myco-gates.dev/rollback-trigger: critical
spec:
  service: api
  description: most requests succeed
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.999 }]
  indicator:
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(errors_total[{{.window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(requests_total[{{.window}}]))' } } }
${overrides}`;

describe('readSloSpec', () => {
  it('reads the sample app spec: four SLOs, three of them rollback triggers', () => {
    const slos = readSloSpec(join(import.meta.dirname, '..', '..', '..', 'sample-app', 'monitoring', 'slos.yaml'));
    expect(slos.map((s) => [s.name, s.service, s.objective, s.window, s.critical])).toEqual([
      ['backend-availability', 'backend', 0.995, '30d', true],
      ['backend-latency', 'backend', 0.95, '30d', true],
      ['backend-error-rate', 'backend', 0.995, '30d', false],
      ['llm-latency', 'ai-engine', 0.95, '30d', true],
    ]);
  });

  it('normalizes OpenSLO v1 with an inline indicator', () => {
    const [slo] = parseSloSpec(openSlo(), 'slos.yaml');
    expect(slo).toMatchObject({
      name: 'api-availability',
      service: 'api',
      objective: 0.999,
      window: '30d',
      critical: true,
      errorQuery: 'sum(rate(errors_total[{{.window}}]))',
      totalQuery: 'sum(rate(requests_total[{{.window}}]))',
      source: { file: 'slos.yaml', line: 1 },
    });
    expect(withWindow(slo.errorQuery, '5m')).toBe('sum(rate(errors_total[5m]))');
  });

  it('resolves indicatorRef to an SLI document and derives bad events from good ones', () => {
    const text = `apiVersion: openslo/v1
kind: SLI
metadata: { name: ok-ratio }
spec:
  ratioMetric:
    good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(ok_total[{{.window}}]))' } } }
    total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(all_total[{{.window}}]))' } } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: ok }
spec:
  service: api
  indicatorRef: ok-ratio
  timeWindow: [{ duration: 7d }]
  objectives: [{ target: 0.99 }]
`;
    const [slo] = parseSloSpec(text, 'f.yaml');
    expect(slo.errorQuery).toBe('(sum(rate(all_total[{{.window}}]))) - (sum(rate(ok_total[{{.window}}])))');
    expect(slo).toMatchObject({ window: '7d', critical: false, source: { line: 9 } });
  });

  it('reads Sloth prometheus/v1', () => {
    const text = `version: prometheus/v1
service: myservice
slos:
  - name: requests-availability
    objective: 99.9
    labels: { rollback_trigger: critical }
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
`;
    expect(parseSloSpec(text, 's.yaml')).toEqual([
      expect.objectContaining({
        name: 'requests-availability',
        service: 'myservice',
        objective: 0.999,
        window: '30d',
        critical: true,
      }),
    ]);
  });

  it.each([
    ['invalid YAML', 'kind: SLO\n  bad: [', /s\.yaml:\d+: invalid YAML/],
    ['an empty file', '', /no SLOs found/],
    ['another apiVersion', 'apiVersion: openslo/v2\nkind: SLO\n', /unsupported apiVersion `openslo\/v2`/],
    [
      'an objective over 100 %',
      openSlo().replace('target: 0.999', 'target: 99.9'),
      /objective must be between 0 and 100 %.*target: 0.995/,
    ],
    [
      'no range placeholder',
      openSlo().replace('errors_total[{{.window}}]', 'errors_total[5m]'),
      /no `\{\{\.window\}\}` range placeholder/,
    ],
    [
      'a name that is not a label value',
      openSlo().replace('name: api-availability', 'name: API Availability'),
      /is not a DNS label/,
    ],
    [
      'a missing window',
      openSlo().replace('timeWindow: [{ duration: 30d, isRolling: true }]', 'timeWindow: []'),
      /no valid timeWindow/,
    ],
    ['a threshold metric', openSlo().replace('ratioMetric:', 'thresholdMetric:'), /only ratioMetric/],
    [
      'a dangling indicatorRef',
      openSlo().replace(/ {2}indicator:[\s\S]*$/, '  indicatorRef: nope\n'),
      /indicatorRef `nope` names no SLI/,
    ],
    ['a duplicate name', `${openSlo()}---\n${openSlo()}`, /defined twice/],
    [
      'an alias bomb',
      'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
      /s\.yaml/,
    ],
  ])('rejects %s with one clear error naming the file', (_, text, message) => {
    expect(() => parseSloSpec(text, 's.yaml')).toThrow(SloSpecError);
    expect(() => parseSloSpec(text, 's.yaml')).toThrow(message);
  });

  it('names the file when it cannot be read', () => {
    expect(() => readSloSpec('/nonexistent/slos.yaml')).toThrow('/nonexistent/slos.yaml: cannot read the SLO spec');
  });
});
