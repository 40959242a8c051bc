/**
 * Metrics are ratios of counts the database returns. They are reported as
 * percents with one decimal (a display figure, not money), or null when there
 * is nothing to divide by: "no answers" is not "NPS 0".
 */
export function percent(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part * 1000) / whole) / 10;
}

/** Change from `before` to `now` in percent of `before` (period over period); null from zero. */
export function change(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return Math.round(((now - before) * 1000) / Math.abs(before)) / 10;
}

/** Whole kopecks per unit, rounded half up; null for no units. */
export function perUnit(totalKopecks: number, units: number): number | null {
  if (units === 0) return null;
  return Math.floor((2 * totalKopecks + units) / (2 * units));
}
