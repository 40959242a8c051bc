import { describe, expect, it } from "vitest";
import { sampleRatioMismatch, twoProportionTest, welchTest, wilson } from "../../domain/index.js";

/** The experiment statistics against values worked by hand from their textbook formulas. */
describe("experiment statistics", () => {
  it("When 60 of 100 convert against 45 of 100, then the two-proportion test gives z ≈ 2.12 and p ≈ 0.034", () => {
    const r = twoProportionTest(60, 100, 45, 100);
    expect(r?.statistic).toBeCloseTo(2.124, 3);
    expect(r?.p).toBeCloseTo(0.0337, 3);
    expect(r?.uplift).toBeCloseTo(0.15 / 0.45, 6);
  });

  it("When two groups of 10 differ by 2 with variance 4 each, then Welch's t is 2.236 on 18 degrees of freedom, p ≈ 0.038", () => {
    const r = welchTest({ n: 10, mean: 20, variance: 4 }, { n: 10, mean: 18, variance: 4 });
    expect(r?.statistic).toBeCloseTo(2.2361, 4);
    expect(r?.df).toBeCloseTo(18, 6);
    expect(r?.p).toBeCloseTo(0.0382, 3);
  });

  it("When a 50/50 split comes out 5,200 to 4,800, then the sample-ratio check warns (χ² = 16, p < 0.001); 5,020 to 4,980 passes", () => {
    const bad = sampleRatioMismatch([5200, 4800], [5000, 5000]);
    expect(bad.chi2).toBeCloseTo(16, 6);
    expect(bad.mismatch).toBe(true);
    expect(sampleRatioMismatch([5020, 4980], [5000, 5000]).mismatch).toBe(false);
  });

  it("When nobody of 10 converts, then the Wilson interval starts at 0 and stays under a third", () => {
    const ci = wilson(0, 10);
    expect(ci.low).toBe(0);
    expect(ci.high).toBeCloseTo(0.2775, 3);
  });
});
