import jstat from "jstat";

/**
 * The statistics of a broadcast experiment. The distributions come from
 * jStat (a well-kept package) rather than hand-rolled approximations; what is
 * here is only which test answers which question.
 *
 * - Sample-ratio mismatch: are the groups the sizes their shares promise? A
 *   chi-squared goodness-of-fit over the assigned counts; p < 0.001 means the
 *   assignment (or the data) is broken and the results should not be trusted.
 * - Conversion (members with at least one purchase in the attribution
 *   window, of all members assigned — intention to treat, so an undelivered
 *   message counts against its variant): Wilson interval, and a pooled
 *   two-proportion z-test against control.
 * - Revenue per member: Welch's t-test (unequal variances) against control.
 */
const { jStat } = jstat;

export const SRM_ALPHA = 0.001;

export interface SrmCheck {
  chi2: number;
  df: number;
  p: number;
  /** p < 0.001: the split is not what the shares promise. */
  mismatch: boolean;
}

export function sampleRatioMismatch(observed: readonly number[], sharesBp: readonly number[]): SrmCheck {
  const total = observed.reduce((s, x) => s + x, 0);
  const shareTotal = sharesBp.reduce((s, x) => s + x, 0);
  let chi2 = 0;
  let df = -1;
  observed.forEach((o, i) => {
    const expected = (total * (sharesBp[i] ?? 0)) / shareTotal;
    if (expected > 0) {
      chi2 += (o - expected) ** 2 / expected;
      df += 1;
    }
  });
  if (total === 0 || df < 1) return { chi2: 0, df: Math.max(df, 0), p: 1, mismatch: false };
  const p = 1 - jStat.chisquare.cdf(chi2, df);
  return { chi2, df, p, mismatch: p < SRM_ALPHA };
}

export interface Interval {
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

/** Wilson score interval for a proportion (95 %). */
export function wilson(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 0 };
  const p = successes / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Comparison {
  /** Difference treatment − control. */
  diff: number;
  /** Relative uplift (diff / control), null when control is 0. */
  uplift: number | null;
  statistic: number;
  /** Two-sided. */
  p: number;
}

export function twoProportionTest(x1: number, n1: number, x0: number, n0: number): Comparison | null {
  if (n1 === 0 || n0 === 0) return null;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  const diff = p1 - p0;
  const z = se === 0 ? 0 : diff / se;
  const p = se === 0 ? 1 : 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1));
  return { diff, uplift: p0 === 0 ? null : diff / p0, statistic: z, p };
}

export interface Sample {
  n: number;
  mean: number;
  /** Sample variance (n − 1). */
  variance: number;
}

export function welchTest(a: Sample, b: Sample): (Comparison & { df: number }) | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const diff = a.mean - b.mean;
  const uplift = b.mean === 0 ? null : diff / b.mean;
  if (va + vb === 0) return { diff, uplift, statistic: 0, p: diff === 0 ? 1 : 0, df: a.n + b.n - 2 };
  const t = diff / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const p = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  return { diff, uplift, statistic: t, p, df };
}
