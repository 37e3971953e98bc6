import { METRICS, percent, type Totals } from '../model.js';
import type { MetricPercents } from './baseline.js';

/**
 * The rounded-down percentages of some totals (see `percent` in model.ts; totals come from merge.ts `totals`).
 * @param sums counts per metric.
 * @returns percentages; metrics without data (or with nothing to cover) are absent.
 */
export function percentsOf(sums: Totals): MetricPercents {
  const result: MetricPercents = {};
  for (const m of METRICS) {
    const value = percent(sums[m]);
    if (value !== null) result[m] = value;
  }
  return result;
}
