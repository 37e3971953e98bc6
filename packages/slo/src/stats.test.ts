import { describe, expect, it } from 'vitest';
import { binomialUpperTail, eventsNeeded, regularizedBeta, shareBounds } from './stats.js';

/** P(X ≥ k) by direct summation of the binomial pmf in log space: the reference the beta form must match. */
function tailBySum(k: number, n: number, p: number): number {
  let logC = 0;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) sum += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return sum;
}

describe('exact binomial tail', () => {
  it.each([
    [1, 30, 0.005],
    [3, 30, 0.005],
    [0, 10, 0.1],
    [10, 10, 0.5],
    [7, 200, 0.01],
    [60, 1000, 0.05],
    [25, 5000, 0.005],
    [600, 10_000, 0.05],
  ])('P(X ≥ %i | n=%i, p=%f) equals the summed pmf', (k, n, p) => {
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(tailBySum(k, n, p), 10);
  });

  it('one error in 30 requests is no evidence against a 99.5 % objective', () => {
    expect(binomialUpperTail(1, 30, 0.005)).toBeCloseTo(1 - 0.995 ** 30, 12);
    expect(binomialUpperTail(1, 30, 0.005)).toBeGreaterThan(0.05);
  });

  it('is symmetric: I_x(a,b) = 1 − I_{1−x}(b,a)', () => {
    expect(regularizedBeta(0.3, 2.5, 7) + regularizedBeta(0.7, 7, 2.5)).toBeCloseTo(1, 12);
  });
});

describe('Clopper-Pearson bounds', () => {
  it('match the textbook interval for 0/30 and 5/100', () => {
    // 0 of n at 95 % one-sided: upper = 1 − 0.05^(1/n) (the "rule of three" is its approximation).
    expect(shareBounds(0, 30, 0.95).upper).toBeCloseTo(1 - 0.05 ** (1 / 30), 9);
    const b = shareBounds(5, 100, 0.95);
    expect(binomialUpperTail(5, 100, b.lower)).toBeCloseTo(0.05, 9);
    expect(1 - binomialUpperTail(6, 100, b.upper)).toBeCloseTo(0.05, 9);
    expect(b.lower).toBeLessThan(0.05);
    expect(b.upper).toBeGreaterThan(0.05);
  });

  it('lower bound above the allowed share is the same decision as the test', () => {
    for (const [k, n] of [
      [3, 100],
      [8, 300],
      [2, 20],
    ]) {
      const b = shareBounds(k, n, 0.95);
      expect(b.lower > 0.01).toBe(binomialUpperTail(k, n, 0.01) < 0.05);
    }
  });
});

describe('events needed', () => {
  it('is the smallest total that decides at the observed share', () => {
    const n = eventsNeeded(0, 0.005, 0.95)!;
    // 0 bad in n: upper bound 1 − 0.05^(1/n) ≤ 0.005 needs n ≥ ln 0.05 / ln 0.995 ≈ 597.6.
    expect(n).toBe(598);
    expect(shareBounds(0, n - 1, 0.95).upper).toBeGreaterThan(0.005);
    const m = eventsNeeded(0.05, 0.005, 0.95)!;
    expect(shareBounds(0.05 * m, m, 0.95).lower).toBeGreaterThan(0.005);
    expect(shareBounds(0.05 * (m - 1), m - 1, 0.95).lower).toBeLessThanOrEqual(0.005);
    expect(eventsNeeded(0.005, 0.005, 0.95)).toBeUndefined();
  });
});
