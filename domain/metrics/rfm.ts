/**
 * RFM segments (article 001: recency of the last visit, frequency of visits,
 * monetary sum). Each score is 1–3 by fixed thresholds a marketer can read;
 * the 27 cells fold into named segments.
 */
export const RFM_THRESHOLDS = {
  /** Days since the last purchase: ≤ 30 → 3, ≤ 90 → 2, else 1. */
  recencyDays: [30, 90] as const,
  /** Purchases in the last 365 days: ≥ 12 → 3, ≥ 4 → 2, else 1. */
  frequency: [4, 12] as const,
  /** Net spend in the last 365 days, kopecks: ≥ 10,000 ₽ → 3, ≥ 5,000 ₽ → 2, else 1 (the tier thresholds). */
  monetaryKopecks: [500_000, 1_000_000] as const,
  windowDays: 365,
};

export type Score = 1 | 2 | 3;

export function recencyScore(days: number): Score {
  const [a, b] = RFM_THRESHOLDS.recencyDays;
  return days <= a ? 3 : days <= b ? 2 : 1;
}
export function frequencyScore(purchases: number): Score {
  const [a, b] = RFM_THRESHOLDS.frequency;
  return purchases >= b ? 3 : purchases >= a ? 2 : 1;
}
export function monetaryScore(kopecks: number): Score {
  const [a, b] = RFM_THRESHOLDS.monetaryKopecks;
  return kopecks >= b ? 3 : kopecks >= a ? 2 : 1;
}

export const RFM_SEGMENTS = ["champions", "loyal", "big_spenders", "new", "at_risk", "lost", "others"] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export function rfmSegment(r: Score, f: Score, m: Score): RfmSegment {
  if (r === 3 && f === 3) return "champions";
  if (r >= 2 && f >= 2) return "loyal";
  if (r >= 2 && m === 3) return "big_spenders";
  if (r === 3 && f === 1) return "new";
  if (r === 1 && f >= 2) return "at_risk";
  if (r === 1) return "lost";
  return "others";
}

/** Folds cell counts into segment sizes (every segment present, zero when empty). */
export function rfmSegmentSizes(cells: readonly { r: Score; f: Score; m: Score; members: number }[]) {
  const sizes = Object.fromEntries(RFM_SEGMENTS.map((s) => [s, 0])) as Record<RfmSegment, number>;
  for (const c of cells) sizes[rfmSegment(c.r, c.f, c.m)] += c.members;
  return sizes;
}
