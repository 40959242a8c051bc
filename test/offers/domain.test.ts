import { describe, expect, it } from "vitest";
import {
  historyDays,
  readsLines,
  offerInputSchema,
  offerReversal,
  planOfferRewards,
  reasonOrder,
  rewardCanPay,
  rewardPoints,
  rewardSchema,
} from "../../domain/index.js";

/** The offers' pure rules: each reward kind, the margin guard's room, reversal shares, validation. */
describe("offer rewards", () => {
  const basis = {
    amountKopecks: 100_000,
    paidKopecks: 100_000,
    rateBp: 500,
    pointValueKopecks: 100,
    items: [
      { sku: "COF-1", category: "coffee", amountKopecks: 40_000 },
      { sku: "TEA-1", category: "tea", amountKopecks: 10_000 },
    ],
  };
  const reward = (r: unknown) => rewardSchema.parse(r);

  it("When the till skips offers whose reward cannot pay on the basket, then it never skips one that would pay", () => {
    const rewards = [
      { kind: "bonus", points: 50, minBasketKopecks: 100_000 },
      { kind: "bonus", points: 50, minBasketKopecks: 100_001 },
      { kind: "skuPoints", sku: "COF-1", points: 30 },
      { kind: "skuPoints", sku: "MILK-1", points: 30 },
      { kind: "multiplier", product: { category: "coffee" }, factorBp: 30_000 },
      { kind: "multiplier", product: { category: "dairy" }, factorBp: 30_000 },
      { kind: "multiplier", product: { sku: "TEA-1" }, factorBp: 20_000 },
      { kind: "gift", giftRu: "Кофе", giftEn: "A coffee" },
    ].map((r) => reward(r));
    const baskets = [
      basis,
      { ...basis, paidKopecks: 0 },
      { ...basis, rateBp: 0 },
      { ...basis, amountKopecks: 0, paidKopecks: 0, items: [] },
      { ...basis, items: [{ sku: "COF-1", category: "coffee", amountKopecks: 1 }] },
    ];
    for (const r of rewards)
      for (const b of baskets)
        if (rewardPoints(r, b) > 0) expect(rewardCanPay(r, b), JSON.stringify([r, b])).toBe(true);
    expect(rewardCanPay(rewards[1] as never, basis)).toBe(false);
    expect(rewardCanPay(rewards[3] as never, basis)).toBe(false);
    expect(rewardCanPay(rewards[5] as never, basis)).toBe(false);
    expect(rewardCanPay(rewards[7] as never, basis)).toBe(false);
  });

  it("When a bonus has a minimum basket, then only a receipt that reaches it earns", () => {
    expect(rewardPoints(reward({ kind: "bonus", points: 50, minBasketKopecks: 100_000 }), basis)).toBe(50);
    expect(rewardPoints(reward({ kind: "bonus", points: 50, minBasketKopecks: 100_001 }), basis)).toBe(0);
  });

  it("When a multiplier names a category or a SKU, then it pays the rate's extra on those lines' paid share", () => {
    // 400 ₽ of coffee at 5 % = 20 points; ×3 adds 40.
    expect(rewardPoints(reward({ kind: "multiplier", product: { category: "coffee" }, factorBp: 30_000 }), basis)).toBe(
      40,
    );
    expect(rewardPoints(reward({ kind: "multiplier", product: { sku: "TEA-1" }, factorBp: 20_000 }), basis)).toBe(5);
    expect(rewardPoints(reward({ kind: "multiplier", product: { category: "milk" }, factorBp: 20_000 }), basis)).toBe(
      0,
    );
    // Half the receipt paid with points: half the lines earn.
    expect(
      rewardPoints(reward({ kind: "multiplier", product: { category: "coffee" }, factorBp: 30_000 }), {
        ...basis,
        paidKopecks: 50_000,
      }),
    ).toBe(20);
  });

  it("When a receipt holds the SKU, then fixed points are paid once; a gift pays no points", () => {
    expect(rewardPoints(reward({ kind: "skuPoints", sku: "COF-1", points: 30 }), basis)).toBe(30);
    expect(rewardPoints(reward({ kind: "skuPoints", sku: "COF-2", points: 30 }), basis)).toBe(0);
    expect(rewardPoints(reward({ kind: "gift", giftRu: "Кружка", giftEn: "A mug" }), basis)).toBe(0);
  });

  it("When the margin leaves less room than an offer pays, then that offer is skipped whole and the next may fit", () => {
    const offers = [
      { id: 1, condition: { kind: "balance" as const, min: 0 }, reward: reward({ kind: "bonus", points: 80 }) },
      { id: 2, condition: { kind: "balance" as const, min: 0 }, reward: reward({ kind: "bonus", points: 30 }) },
      { id: 3, condition: { kind: "balance" as const, min: 0 }, reward: reward({ kind: "bonus", points: 20 }) },
    ];
    expect(planOfferRewards(offers, basis, 60)).toEqual([
      { offerId: 2, points: 30 },
      { offerId: 3, points: 20 },
    ]);
    expect(planOfferRewards(offers, basis, 0)).toEqual([]);
  });

  it("When a receipt is returned in parts, then the offer's points come back in shares that add up to the whole", () => {
    const parts = [30_000, 30_001, 39_999].reduce<{ before: number; sum: number }>(
      (acc, part) => ({ before: acc.before + part, sum: acc.sum + offerReversal(77, 100_000, acc.before, part) }),
      { before: 0, sum: 0 },
    );
    expect(parts.sum).toBe(77);
    expect(offerReversal(77, 100_000, 0, 50_000)).toBe(38);
  });

  it("When an offer is posted with bad parts, then validation names them", () => {
    const ok = {
      title: { ru: "Кофе", en: "Coffee" },
      text: { ru: "x", en: "x" },
      condition: { kind: "bought", product: { category: "coffee" }, withinDays: 60 },
      reward: { kind: "bonus", points: 10 },
      startsAt: "2026-03-01T00:00:00Z",
      endsAt: "2026-04-01T00:00:00Z",
    };
    expect(offerInputSchema.safeParse(ok).success).toBe(true);
    expect(offerInputSchema.safeParse({ ...ok, endsAt: "2026-02-01T00:00:00Z" }).success).toBe(false);
    expect(offerInputSchema.safeParse({ ...ok, reward: { kind: "bonus", points: -1 } }).success).toBe(false);
    expect(
      offerInputSchema.safeParse({ ...ok, reward: { kind: "multiplier", product: {}, factorBp: 20_000 } }).success,
    ).toBe(false);
    expect(offerInputSchema.safeParse({ ...ok, condition: { kind: "weather" } }).success).toBe(false);
  });

  it("When reasons are ordered and history windows read, then what was bought comes first and unbounded leaves read all", () => {
    expect(
      reasonOrder([
        { kind: "tier", in: ["gold"] },
        { kind: "bought", product: { category: "c" }, times: 1 },
      ]).map((l) => l.kind),
    ).toEqual(["bought", "tier"]);
    expect(
      historyDays({
        kind: "and",
        of: [
          { kind: "visits", withinDays: 30 },
          { kind: "spend", withinDays: 90 },
        ],
      }),
    ).toBe(90);
    expect(
      historyDays({
        kind: "or",
        of: [
          { kind: "visits", withinDays: 30 },
          { kind: "daysSinceLastPurchase", min: 30 },
        ],
      }),
    ).toBe(null);
  });

  it("When the till asks what a condition reads, then only bought and never-bought (under any and/or/not) read the lines", () => {
    expect(readsLines({ kind: "tier", in: ["gold"] })).toBe(false);
    expect(
      readsLines({
        kind: "and",
        of: [
          { kind: "visits", withinDays: 30 },
          { kind: "balance", min: 0 },
        ],
      }),
    ).toBe(false);
    expect(
      readsLines({
        kind: "or",
        of: [
          { kind: "tier", in: ["gold"] },
          { kind: "not", of: { kind: "neverBought", product: { sku: "X" } } },
        ],
      }),
    ).toBe(true);
    expect(readsLines({ kind: "bought", product: { category: "coffee" }, times: 1 })).toBe(true);
  });
});
