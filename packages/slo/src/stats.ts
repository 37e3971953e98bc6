/**
 * Exact binomial statistics for "is this bad share evidence of a breach?". Counts read from Prometheus windows
 * (`rate × seconds`, `increase`) are rarely whole numbers, so everything is written with the regularized incomplete
 * beta function, which is the binomial tail at whole counts and its continuous extension in between.
 */

/** ln Γ(x), Lanczos approximation (g = 7, 9 terms): about 15 significant digits for x > 0. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b).
 * @param x in [0, 1].
 * @param a > 0.
 * @param b > 0.
 * @returns I_x(a, b) in [0, 1].
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The continued fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * P(X ≥ bad) for X ~ Binomial(total, p): the chance of seeing at least this many bad events if the true bad share
 * were exactly p. This is the p-value of the one-sided exact test "bad share > p".
 * @param bad bad events (may be fractional).
 * @param total all events, ≥ bad.
 * @param p the allowed bad share, 1 − objective.
 * @returns the tail probability in [0, 1].
 * @example binomialUpperTail(1, 30, 0.005) // 0.1396…: one error in 30 requests is no evidence against 99.5 %
 */
export function binomialUpperTail(bad: number, total: number, p: number): number {
  if (bad <= 0) return 1;
  if (bad > total) return 0;
  return regularizedBeta(p, bad, total - bad + 1);
}

/** Inverse of a monotone increasing function on [0, 1] by bisection (60 steps: below 1e-18). */
function invert(f: (x: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** One-sided Clopper-Pearson bounds of a bad share. */
export interface ShareBounds {
  /** Observed share bad / total (0 when total is 0). */
  share: number;
  /** The share is at least this, at the given confidence. */
  lower: number;
  /** The share is at most this, at the given confidence. */
  upper: number;
}

/**
 * Exact (Clopper-Pearson) one-sided confidence bounds of the bad share. `lower > allowed` is the same statement as
 * `binomialUpperTail(bad, total, allowed) < 1 − confidence`.
 * @param bad bad events.
 * @param total all events.
 * @param confidence e.g. 0.95.
 * @returns the observed share and its lower and upper bounds.
 */
export function shareBounds(bad: number, total: number, confidence: number): ShareBounds {
  if (!(total > 0)) return { share: 0, lower: 0, upper: 1 };
  const alpha = 1 - confidence;
  const k = Math.min(Math.max(bad, 0), total);
  // lower: the p at which P(X ≥ k | p) = α; upper: the p at which P(X ≤ k | p) = α.
  const lower = k <= 0 ? 0 : invert((p) => regularizedBeta(p, k, total - k + 1), alpha);
  const upper = k >= total ? 1 : invert((p) => regularizedBeta(p, k + 1, total - k), 1 - alpha);
  return { share: k / total, lower, upper };
}

/**
 * How many events it would take, at the observed bad share, for the exact test to decide either way: the smallest
 * total whose bounds exclude `allowed`. When the observed share equals the allowed share no amount of traffic decides.
 * @param share observed bad share.
 * @param allowed 1 − objective.
 * @param confidence e.g. 0.95.
 * @returns the total events needed, or undefined when no finite amount decides.
 */
export function eventsNeeded(share: number, allowed: number, confidence: number): number | undefined {
  if (share === allowed) return undefined;
  const decided = (n: number) => {
    const b = shareBounds(share * n, n, confidence);
    return share > allowed ? b.lower > allowed : b.upper <= allowed;
  };
  let hi = 1;
  while (!decided(hi)) {
    hi *= 2;
    if (hi > 1e12) return undefined;
  }
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (decided(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
