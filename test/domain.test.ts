import { describe, expect, it } from "vitest";
import {
  checkRedemption,
  computeAccrual,
  computeReturn,
  DomainError,
  defaultProgram,
  liveLots,
  marginKopecks,
  parseProgram,
  quoteRedemption,
  tierForSpend,
  tierProgress,
} from "../domain/index.js";

const p = defaultProgram;
const RUB = 100;

function accrue(amountRub: number, spendBeforeRub: number, extra: Partial<Parameters<typeof computeAccrual>[0]> = {}) {
  return computeAccrual({
    program: p,
    storeId: 1,
    amountKopecks: amountRub * RUB,
    pointsRedeemed: 0,
    items: [],
    spendBeforeKopecks: spendBeforeRub * RUB,
    ...extra,
  });
}

describe("tiers (article: 5 % from 5,000 ₽, 10 % from 10,000 ₽)", () => {
  it("defaults are Base 3 %, Silver 5 % from 5,000 ₽, Gold 10 % from 10,000 ₽ over 365 days", () => {
    expect(p.tiers.map((t) => [t.code, t.thresholdKopecks, t.rateBp])).toEqual([
      ["base", 0, 300],
      ["silver", 500_000, 500],
      ["gold", 1_000_000, 1000],
    ]);
    expect(p.tierWindowDays).toBe(365);
  });

  it.each([
    [4_999.99, "base"],
    [5_000, "silver"],
    [9_999.99, "silver"],
    [10_000, "gold"],
  ])("spend of %s ₽ is %s", (rub, code) => {
    expect(tierForSpend(p.tiers, Math.round(rub * RUB)).code).toBe(code);
  });

  it("the purchase that crosses a threshold earns at the old tier, the next at the new", () => {
    // 4,000 ₽ spent; a 2,000 ₽ purchase crosses 5,000 ₽ but earns Base 3 %.
    const crossing = accrue(2_000, 4_000);
    expect(crossing.tier.code).toBe("base");
    expect(crossing.points).toBe(60);
    // The next 2,000 ₽ purchase earns Silver 5 %.
    const next = accrue(2_000, 6_000);
    expect(next.tier.code).toBe("silver");
    expect(next.points).toBe(100);
    // Crossing into Gold: 9,000 + 2,000 earns Silver; the next earns Gold.
    expect(accrue(2_000, 9_000).points).toBe(100);
    expect(accrue(2_000, 11_000).points).toBe(200);
  });

  it("progress says how much more to spend and before when", () => {
    const now = new Date("2026-03-01T00:00:00Z");
    const pr = tierProgress(
      p.tiers,
      [
        { at: new Date("2025-03-12T00:00:00Z"), amountKopecks: 300_000 },
        { at: new Date("2026-01-10T00:00:00Z"), amountKopecks: 576_000 },
        { at: new Date("2024-01-01T00:00:00Z"), amountKopecks: 900_000 }, // outside the window
      ],
      now,
      365,
    );
    expect(pr.tier.code).toBe("silver");
    expect(pr.next?.code).toBe("gold");
    expect(pr.remainingKopecks).toBe(124_000); // 1,240 ₽
    expect(pr.deadline?.toISOString()).toBe("2026-03-12T00:00:00.000Z");
  });
});

describe("accrual", () => {
  it("points = floor(amount × rate), 1 point = 1 ₽", () => {
    expect(accrue(999.99, 0).points).toBe(29); // 29.9997 → 29
    expect(
      computeAccrual({
        program: p,
        storeId: 1,
        amountKopecks: 3333,
        pointsRedeemed: 0,
        items: [],
        spendBeforeKopecks: 0,
      }).points,
    ).toBe(0);
  });

  it("points paid with points earn nothing", () => {
    const a = accrue(1_000, 0, { pointsRedeemed: 300 });
    expect(a.paidKopecks).toBe(70_000);
    expect(a.points).toBe(21);
  });

  it.each([0, -1, 1.5, 1_000_000_001, Number.NaN])("rejects amount %s", (amount) => {
    expect(() =>
      computeAccrual({
        program: p,
        storeId: 1,
        amountKopecks: amount,
        pointsRedeemed: 0,
        items: [],
        spendBeforeKopecks: 0,
      }),
    ).toThrow(expect.objectContaining({ code: "INPUT.INVALID_AMOUNT" }));
  });

  it("economics guard: article's price 10,000, cost 4,000, acquisition 2,000 → margin 4,000, loyalty ≤ 1,000", () => {
    expect(marginKopecks(p, 1, 1_000_000, [])).toBe(400_000);
    const gold = accrue(10_000, 20_000);
    expect(gold.tierPoints).toBe(1_000);
    expect(gold.marginCapPoints).toBe(1_000);
    expect(gold.points).toBe(1_000);
    expect(gold.cappedByMargin).toBe(false);
  });

  it("caps points by a thin-margin category and by a store override", () => {
    const prog = parseProgram({
      economics: {
        categories: { tobacco: { costShareBp: 9000, acquisitionShareBp: 500 } },
        stores: { "7": { costShareBp: 8000, acquisitionShareBp: 1000 } },
      },
    });
    // 10,000 ₽ of tobacco at Gold: margin 5 % = 500 ₽, loyalty ≤ 25 % = 125 points.
    const a = computeAccrual({
      program: prog,
      storeId: 1,
      amountKopecks: 1_000_000,
      pointsRedeemed: 0,
      items: [{ sku: "T1", category: "tobacco", amountKopecks: 1_000_000 }],
      spendBeforeKopecks: 2_000_000,
    });
    expect(a.points).toBe(125);
    expect(a.cappedByMargin).toBe(true);
    // Store 7: margin 10 % of 10,000 = 1,000 → cap 250.
    const b = computeAccrual({
      program: prog,
      storeId: 7,
      amountKopecks: 1_000_000,
      pointsRedeemed: 0,
      items: [],
      spendBeforeKopecks: 2_000_000,
    });
    expect(b.points).toBe(250);
  });

  it("refuses line items that add up to more than the receipt", () => {
    expect(() =>
      computeAccrual({
        program: p,
        storeId: 1,
        amountKopecks: 100,
        pointsRedeemed: 0,
        items: [{ sku: "a", category: "c", amountKopecks: 101 }],
        spendBeforeKopecks: 0,
      }),
    ).toThrow(expect.objectContaining({ code: "PURCHASE.ITEMS_EXCEED_AMOUNT" }));
  });
});

describe("redemption", () => {
  it("is capped at 30 % of the receipt and at the balance", () => {
    expect(quoteRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 1_000, alreadyRedeemed: 0 })).toEqual({
      receiptCapPoints: 300,
      maxPoints: 300,
    });
    expect(
      quoteRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 120, alreadyRedeemed: 0 }).maxPoints,
    ).toBe(120);
    expect(
      quoteRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 1_000, alreadyRedeemed: 250 }).maxPoints,
    ).toBe(50);
    expect(() =>
      checkRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 1_000, alreadyRedeemed: 0, points: 301 }),
    ).toThrow(expect.objectContaining({ code: "REDEMPTION.CAP_EXCEEDED" }));
    expect(() =>
      checkRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 100, alreadyRedeemed: 0, points: 101 }),
    ).toThrow(expect.objectContaining({ code: "LEDGER.INSUFFICIENT_POINTS" }));
    expect(() =>
      checkRedemption({ program: p, receiptAmountKopecks: 100_000, balance: 100, alreadyRedeemed: 0, points: 0 }),
    ).toThrow(expect.objectContaining({ code: "INPUT.INVALID_POINTS" }));
  });
});

describe("returns", () => {
  const purchase = { amountKopecks: 1_000_000, pointsAccrued: 333, pointsRedeemed: 101, returnedKopecks: 0 };

  it("reverse the accrual proportionally and give back the points that paid", () => {
    expect(computeReturn(purchase, 500_000)).toEqual({ pointsReversed: 166, pointsRefunded: 51 });
  });

  it("partial returns add up exactly to the whole", () => {
    let returned = 0;
    let reversed = 0;
    let refunded = 0;
    for (const part of [300_000, 300_000, 399_999, 1]) {
      const r = computeReturn({ ...purchase, returnedKopecks: returned }, part);
      returned += part;
      reversed += r.pointsReversed;
      refunded += r.pointsRefunded;
    }
    expect([reversed, refunded]).toEqual([333, 101]);
  });

  it("refuse more than is left on the receipt", () => {
    expect(() => computeReturn({ ...purchase, returnedKopecks: 900_000 }, 100_001)).toThrow(
      expect.objectContaining({ code: "RETURN.EXCEEDS_PURCHASE" }),
    );
  });
});

describe("expiry lots", () => {
  const d = (s: string) => new Date(s);
  it("debits consume the oldest points first; an expiry ends its own lot", () => {
    const lots = liveLots([
      { id: 1, points: 100, expiresAt: d("2027-01-01"), lotId: null },
      { id: 2, points: 50, expiresAt: d("2027-06-01"), lotId: null },
      { id: 3, points: -120, expiresAt: null, lotId: null },
      { id: 4, points: 70, expiresAt: d("2027-09-01"), lotId: null },
      { id: 5, points: -30, expiresAt: null, lotId: 2 },
    ]);
    expect(lots.map((l) => [l.id, l.remaining])).toEqual([[4, 70]]);
  });
});

describe("program config", () => {
  it("rejects tiers that do not increase, a first tier above zero and rates over 100 %", () => {
    const bad = () =>
      parseProgram({
        tiers: [
          { code: "a", name: "A", thresholdKopecks: 10, rateBp: 300 },
          { code: "b", name: "B", thresholdKopecks: 5, rateBp: 20_000 },
        ],
      });
    expect(bad).toThrow(DomainError);
    try {
      bad();
    } catch (e) {
      expect((e as DomainError).message).toMatch(/first tier must start at 0/);
      expect((e as DomainError).message).toMatch(/tier thresholds must increase/);
      expect((e as DomainError).message).toMatch(/tiers\.1\.rateBp/);
    }
  });
});
