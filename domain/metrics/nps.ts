import { DomainError } from "../errors.js";

/**
 * Net Promoter Score (article 001): a 0–10 answer to "would you recommend us";
 * 0–6 detractors, 7–8 passives (left out), 9–10 promoters;
 * NPS = % promoters − % detractors, from −100 to +100.
 * 1,000 answers, 200 detractors, 500 promoters → 50 % − 20 % = 30.
 */
export type NpsGroup = "detractor" | "passive" | "promoter";

export function npsGroup(score: number): NpsGroup {
  if (!Number.isInteger(score) || score < 0 || score > 10)
    throw new DomainError("INPUT.INVALID", `an NPS answer is a whole number from 0 to 10, got ${score}`, {
      field: "score",
    });
  return score <= 6 ? "detractor" : score <= 8 ? "passive" : "promoter";
}

export interface NpsCounts {
  detractors: number;
  passives: number;
  promoters: number;
}

export function npsCounts(scores: Iterable<number>): NpsCounts {
  const c = { detractors: 0, passives: 0, promoters: 0 };
  for (const s of scores) {
    const g = npsGroup(s);
    if (g === "detractor") c.detractors++;
    else if (g === "passive") c.passives++;
    else c.promoters++;
  }
  return c;
}

/** NPS with one decimal; null with no answers. */
export function nps(c: NpsCounts): number | null {
  const total = c.detractors + c.passives + c.promoters;
  if (total === 0) return null;
  return Math.round(((c.promoters - c.detractors) * 1000) / total) / 10;
}
