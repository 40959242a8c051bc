import { describe, expect, it } from "vitest";
import {
  type Condition,
  evaluate,
  homeStoreOf,
  type MemberFacts,
  type PurchaseFact,
  reasons,
  rfmOf,
  validCondition,
} from "../../domain/index.js";

const now = new Date("2026-11-24T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const buy = (
  d: number,
  storeId: number,
  netKopecks: number,
  items: [string, string][] = [],
  whollyReturned = false,
): PurchaseFact => ({
  at: daysAgo(d),
  storeId,
  netKopecks,
  whollyReturned,
  items: items.map(([sku, category]) => ({ sku, category })),
});

const facts = (over: Partial<MemberFacts> = {}): MemberFacts => ({
  now,
  today: { year: 2026, month: 11, day: 24 },
  tierCode: "silver",
  enrolledAt: daysAgo(400),
  birthday: { month: 11, day: 30 },
  language: "ru",
  balance: 350,
  purchases: [
    buy(5, 1, 45_000, [["C-1", "coffee"]]),
    buy(35, 1, 52_000, [
      ["C-1", "coffee"],
      ["M-7", "milk"],
    ]),
    buy(66, 2, 30_000, [["C-2", "coffee"]]),
    buy(100, 2, 99_000, [["S-9", "shoes"]], true),
  ],
  ...over,
});

const parse = (c: unknown) => validCondition.parse(c);

describe("condition language", () => {
  it("When each leaf kind is evaluated on one shopper's history, then it answers as its words say", () => {
    const f = facts();
    const yes: unknown[] = [
      { kind: "tier", in: ["silver", "gold"] },
      { kind: "daysSinceLastPurchase", min: 5, max: 5 },
      { kind: "visits", withinDays: 90, min: 3 },
      { kind: "spend", withinDays: 40, min: 97_000, max: 97_000 },
      { kind: "bought", product: { category: "coffee" }, times: 3 },
      { kind: "bought", product: { sku: "M-7" }, withinDays: 40 },
      { kind: "neverBought", product: { category: "tea" } },
      { kind: "neverBought", product: { category: "shoes" } }, // wholly returned: not bought
      { kind: "homeStore", storeIds: [1] },
      { kind: "birthdayWithin", days: 6 },
      { kind: "enrolledWithin", days: 400 },
      { kind: "language", in: ["ru"] },
      { kind: "balance", min: 300 },
      { kind: "rfm", recency: { min: 3 }, frequency: { max: 1 } },
    ];
    const no: unknown[] = [
      { kind: "tier", in: ["gold"] },
      { kind: "daysSinceLastPurchase", min: 30 },
      { kind: "visits", withinDays: 30, min: 2 },
      { kind: "spend", withinDays: 40, min: 97_001 },
      { kind: "bought", product: { category: "coffee" }, times: 4 },
      { kind: "bought", product: { category: "coffee", sku: "M-7" } },
      { kind: "neverBought", product: { category: "milk" } },
      { kind: "homeStore", storeIds: [2] },
      { kind: "birthdayWithin", days: 5 },
      { kind: "enrolledWithin", days: 399 },
      { kind: "language", in: ["en"] },
      { kind: "balance", max: 349 },
      { kind: "rfm", segments: ["lost"] },
    ];
    for (const c of yes) expect(evaluate(parse(c), f), JSON.stringify(c)).toBe(true);
    for (const c of no) expect(evaluate(parse(c), f), JSON.stringify(c)).toBe(false);
  });

  it("When leaves are combined with and, or and not, then the tree decides as boolean logic does", () => {
    const f = facts();
    const coffee = { kind: "bought", product: { category: "coffee" } };
    const gold = { kind: "tier", in: ["gold"] };
    expect(evaluate(parse({ kind: "and", of: [coffee, gold] }), f)).toBe(false);
    expect(evaluate(parse({ kind: "or", of: [coffee, gold] }), f)).toBe(true);
    expect(evaluate(parse({ kind: "not", of: gold }), f)).toBe(true);
    expect(evaluate(parse({ kind: "and", of: [coffee, { kind: "not", of: gold }] }), f)).toBe(true);
  });

  it("When a shopper qualifies, then the reasons are the leaves they met, not the ones negated", () => {
    const c: Condition = parse({
      kind: "and",
      of: [
        { kind: "bought", product: { category: "coffee" }, times: 2 },
        { kind: "not", of: { kind: "tier", in: ["gold"] } },
        {
          kind: "or",
          of: [
            { kind: "tier", in: ["gold"] },
            { kind: "birthdayWithin", days: 7 },
          ],
        },
      ],
    });
    expect(reasons(c, facts()).map((l) => l.kind)).toEqual(["bought", "birthdayWithin"]);
  });

  it("When a shopper never bought, then recency, RFM and home store have no value and do not match", () => {
    const f = facts({ purchases: [] });
    expect(rfmOf(f)).toBeNull();
    expect(homeStoreOf(f)).toBeNull();
    expect(evaluate(parse({ kind: "daysSinceLastPurchase", min: 0 }), f)).toBe(false);
    expect(evaluate(parse({ kind: "neverBought", product: { category: "coffee" } }), f)).toBe(true);
  });

  it("When two stores have as many receipts, then the home store is the one visited last", () => {
    const f = facts({ purchases: [buy(10, 1, 100), buy(20, 2, 100), buy(3, 2, 100), buy(4, 1, 100)] });
    expect(homeStoreOf(f)).toBe(2);
  });

  it("When a condition is malformed or too big, then it is refused with a reason", () => {
    const bad = [
      { kind: "tier", in: [] },
      { kind: "visits", withinDays: 0, min: 1 },
      { kind: "bought", product: {} },
      { kind: "spend", withinDays: 30, min: 1.5 },
      { kind: "and", of: [] },
      { kind: "weather", is: "sunny" },
      {
        kind: "or",
        of: Array.from({ length: 20 }, () => ({
          kind: "and",
          of: [
            { kind: "tier", in: ["a"] },
            { kind: "tier", in: ["b"] },
          ],
        })),
      },
    ];
    for (const c of bad) expect(validCondition.safeParse(c).success, JSON.stringify(c)).toBe(false);
  });
});
