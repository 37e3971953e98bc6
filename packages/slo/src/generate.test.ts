import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardQueries } from './dashboards.js';
import { generateMonitoring, renderMonitoring, GENERATED_FILES } from './generate.js';

const spec = join(import.meta.dirname, '..', '..', '..', 'sample-app', 'monitoring', 'slos.yaml');

describe('generated monitoring files', () => {
  it('are committed and up to date with slos.yaml (run `myco-gates slo generate` after editing it)', () => {
    expect(generateMonitoring(spec, { check: true })).toEqual([]);
  });

  it('contain both dashboards with a query on every panel', () => {
    const files = renderMonitoring(spec);
    for (const file of [GENERATED_FILES.productionDashboard, GENERATED_FILES.sloDashboard]) {
      const dashboard = JSON.parse(files.get(file)!);
      const panels = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
      expect(panels.length, file).toBeGreaterThan(4);
      for (const panel of panels) expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
      expect(dashboard.templating.list[0]).toMatchObject({ type: 'datasource', name: 'datasource' });
    }
    const slo = dashboardQueries(JSON.parse(files.get(GENERATED_FILES.sloDashboard)!));
    expect(slo.map((q) => q.panel)).toContain('Error budget left');
    expect(slo.filter((q) => q.expr.startsWith('slo:period_error_budget_remaining:ratio'))).toHaveLength(4);
  });

  it('write nothing in check mode and report what is stale', () => {
    const stale = generateMonitoring(join(import.meta.dirname, '__fixtures__', 'slos.yaml'), { check: true });
    expect(stale).toEqual(Object.values(GENERATED_FILES));
  });
});
