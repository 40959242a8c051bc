import { describe, expect, it } from "vitest";
import {
  churnRate,
  defaultProgram,
  isLoyal,
  loyaltyCostShare,
  marginKopecks,
  nps,
  npsCounts,
  npsGroup,
  projectedLtv,
  repurchaseRate,
  retentionRate,
  rfmSegment,
  rfmSegmentSizes,
  shareOfRequirements,
  averageBasket,
  visitFrequency,
  change,
} from "../domain/index.js";

describe("metric definitions (article 001's examples are the golden values)", () => {
  it("When 1,000 answer with 200 detractors and 500 promoters, then NPS is 30", () => {
    const scores = [...Array(200).fill(3), ...Array(300).fill(7), ...Array(500).fill(10)];
    const c = npsCounts(scores);
    expect(c).toEqual({ detractors: 200, passives: 300, promoters: 500 });
    expect(nps(c)).toBe(30);
  });

  it("When scores sit on the group edges, then 6 detracts, 7–8 are passive, 9 promotes; no answers is no NPS", () => {
    expect([0, 6, 7, 8, 9, 10].map(npsGroup)).toEqual([
      "detractor",
      "detractor",
      "passive",
      "passive",
      "promoter",
      "promoter",
    ]);
    expect(() => npsGroup(11)).toThrow(/0 to 10/);
    expect(nps({ detractors: 0, passives: 0, promoters: 0 })).toBeNull();
    expect(nps({ detractors: 3, passives: 0, promoters: 0 })).toBe(-100);
  });

  it("When 50 of 500 customers bought again in the quarter, then the repurchase rate is 10 %", () => {
    expect(repurchaseRate({ customers: 500, repeatCustomers: 50 })).toBe(10);
    expect(repurchaseRate({ customers: 0, repeatCustomers: 0 })).toBeNull();
  });

  it("When 50 start, 10 are new and 15 are lost, then retention is (45 − 10) / 50 = 70 % and churn 30 %", () => {
    const counts = { start: 50, new: 10, end: 50 + 10 - 15 };
    expect(counts.end).toBe(45);
    expect(retentionRate(counts)).toBe(70);
    expect(churnRate(counts)).toBe(30);
  });

  it("When 7 of 10 purchases are ours, then the share of requirements is 70 % and the customer is loyal (from 67 %)", () => {
    expect(shareOfRequirements(7, 10)).toBe(70);
    expect(isLoyal(shareOfRequirements(7, 10))).toBe(true);
    expect(isLoyal(shareOfRequirements(2, 3))).toBe(false); // 66.7 %
    expect(isLoyal(67)).toBe(true);
  });

  it("When price is 10,000, cost 4,000 and acquisition 2,000, then 1,000 of loyalty is 25 % of the 4,000 margin", () => {
    const margin = marginKopecks(defaultProgram, 1, 1_000_000, []);
    expect(margin).toBe(400_000);
    expect(loyaltyCostShare(100_000, margin)).toBe(25);
  });

  it("When revenue and counts are given, then basket, frequency and change round as people read them", () => {
    expect(averageBasket(1_000, 3)).toBe(333);
    expect(averageBasket(1_001, 2)).toBe(501);
    expect(visitFrequency(10, 3)).toBe(3.33);
    expect(change(110, 100)).toBe(10);
    expect(change(5, 0)).toBeNull();
  });

  it("When churn per period is 25 %, then a customer is projected to stay 4 periods; near-zero churn is capped", () => {
    expect(projectedLtv(100_000, 25)).toBe(400_000);
    expect(projectedLtv(100_000, 0)).toBe(2_000_000);
    expect(projectedLtv(null, 10)).toBeNull();
  });

  it("When RFM scores are folded, then every cell lands in exactly one named segment", () => {
    expect(rfmSegment(3, 3, 1)).toBe("champions");
    expect(rfmSegment(2, 2, 2)).toBe("loyal");
    expect(rfmSegment(1, 1, 1)).toBe("lost");
    const cells = [];
    for (const r of [1, 2, 3] as const)
      for (const f of [1, 2, 3] as const) for (const m of [1, 2, 3] as const) cells.push({ r, f, m, members: 1 });
    const sizes = rfmSegmentSizes(cells);
    expect(Object.values(sizes).reduce((a, b) => a + b, 0)).toBe(27);
  });
});
