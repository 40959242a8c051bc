import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { auditLedger, CLEAN_AUDIT } from "../../app/services/index.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock } from "../support/fixtures.js";

/**
 * Offers at the till over the POS API: only activated offers pay, in their
 * pilot stores, within the member's limit, the margin guard and the budget
 * (50 purchases racing for a small budget); the answer lists them; a return
 * takes their points back in proportion.
 */
describe.each(testDatabases)("offers at purchase on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let keyA: string;
  let keyB: string;
  let storeA: number;
  let storeB: number;
  let keyKazan: string;
  const clock = testClock(new Date("2026-06-15T09:00:00Z"));
  let receipt = 0;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db, { clock });
    storeA = (await createStore(db, { name: "A" })).id;
    storeB = (await createStore(db, { name: "B" })).id;
    keyA = (await h.services.apiKeys.create(storeA)).key;
    keyB = (await h.services.apiKeys.create(storeB)).key;
    keyKazan = (await h.services.apiKeys.create((await createStore(db, { name: "K", region: "Kazan" })).id)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  const base = (over: Record<string, unknown> = {}) => ({
    title: { ru: "Кофе", en: "Coffee" },
    text: { ru: "Баллы за кофе", en: "Points for coffee" },
    condition: { kind: "balance", min: 0 },
    reward: { kind: "bonus", points: 50 },
    startsAt: "2026-06-01T00:00:00Z",
    endsAt: "2026-07-01T00:00:00Z",
    ...over,
  });
  async function started(over: Record<string, unknown> = {}) {
    const o = await h.services.offers.create(base(over), "test");
    await h.services.offers.start(o.id, "test");
    return o.id;
  }
  const buy = (key: string, code: string, amount: number, items?: unknown[]) =>
    h.call("POST", "/purchases", {
      key,
      body: { memberCode: code, receiptId: `R-${++receipt}`, amount, ...(items ? { items } : {}) },
    });

  it("When an offer needs activation, then it pays only once activated, lists itself on the receipt, and not beyond the member's limit", async () => {
    const id = await started();
    const { member, code } = await enrollShopper(h);
    const before = await buy(keyA, code, 250_000);
    expect(before.json.offers).toEqual([]);
    await h.services.offers.forMember.activate(member.id, id);
    const after = await buy(keyA, code, 250_000);
    expect(after.status).toBe(201);
    expect(after.json.offers).toEqual([{ id, title: "Кофе", titleEn: "Coffee", points: 50 }]);
    expect(after.json.balance).toBe(before.json.balance + 75 + 50);
    const entries = await db.prisma.ledgerEntry.findMany({ where: { memberId: member.id, kind: "offer" } });
    expect(entries.map((e) => e.points)).toEqual([50]);
    // The limit is one use: the next receipt earns only its accrual.
    expect((await buy(keyA, code, 250_000)).json.offers).toEqual([]);
    await h.services.offers.end(id, "test");
  });

  it("When an offer is for pilot stores, then a purchase elsewhere does not get it; a replay answers the same offers", async () => {
    const id = await started({ storeIds: [storeA], needsActivation: false, perMemberLimit: 5 });
    const { code } = await enrollShopper(h);
    expect((await buy(keyB, code, 100_000)).json.offers).toEqual([]);
    const body = { memberCode: code, receiptId: "PILOT-1", amount: 100_000 };
    const first = await h.call("POST", "/purchases", { key: keyA, body });
    expect(first.json.offers).toEqual([{ id, title: "Кофе", titleEn: "Coffee", points: 50 }]);
    const again = await h.call("POST", "/purchases", { key: keyA, body });
    expect(again.json).toEqual(first.json);
    await h.services.offers.end(id, "test");
  });

  it("When the condition and the reward read the basket, then a multiplier on a category pays on those lines for coffee buyers only", async () => {
    const id = await started({
      needsActivation: false,
      perMemberLimit: 10,
      condition: { kind: "bought", product: { category: "coffee" } },
      reward: { kind: "multiplier", product: { category: "coffee" }, factorBp: 30_000 },
    });
    const buyer = await enrollShopper(h);
    const other = await enrollShopper(h);
    const coffee = [{ sku: "COF-1", category: "coffee", amount: 40_000 }];
    // The first coffee is what makes them a coffee buyer: it does not qualify itself.
    expect((await buy(keyA, buyer.code, 100_000, coffee)).json.offers).toEqual([]);
    const second = await buy(keyA, buyer.code, 100_000, coffee);
    // 400 ₽ of coffee at 3 % = 12 points; ×3 adds 24.
    expect(second.json.offers).toEqual([{ id, title: "Кофе", titleEn: "Coffee", points: 24 }]);
    expect((await buy(keyA, other.code, 100_000, [{ sku: "T", category: "tea", amount: 40_000 }])).json.offers).toEqual(
      [],
    );
    await h.services.offers.end(id, "test");
  });

  it("When the margin guard leaves no room, then the offer does not pay", async () => {
    const id = await started({ needsActivation: false, reward: { kind: "bonus", points: 500 } });
    const { code } = await enrollShopper(h);
    // 2,500 ₽: the margin allows 250 points; the accrual took 75; 500 do not fit.
    expect((await buy(keyA, code, 250_000)).json.offers).toEqual([]);
    await h.services.offers.end(id, "test");
  });

  it("When 50 purchases race for a budget of 10 rewards, then exactly 10 are paid and the ledger stays clean", async () => {
    const id = await started({ needsActivation: false, budgetPoints: 500, reward: { kind: "bonus", points: 50 } });
    const shoppers = await Promise.all(Array.from({ length: 50 }, (_, i) => enrollShopper(h, `S${i}`)));
    const answers = await Promise.all(shoppers.map((s) => buy(keyA, s.code, 250_000)));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.filter((a) => a.json.offers.length === 1)).toHaveLength(10);
    const offer = await db.prisma.offer.findUniqueOrThrow({ where: { id } });
    expect({ spent: offer.spentPoints, redemptions: offer.redemptions }).toEqual({ spent: 500, redemptions: 10 });
    const paid = await db.prisma.offerApplication.aggregate({ where: { offerId: id }, _sum: { points: true } });
    expect(paid._sum.points).toBe(500);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    await h.services.offers.end(id, "test");
  }, 120_000);

  it("When 30 purchases race for a budget the reward does not divide, then two pay, the rest post without it, none exceeds", async () => {
    // 120 points, 50 a receipt: after two, 20 are left — the offer still looks open, but never fits.
    const id = await started({ needsActivation: false, budgetPoints: 120, reward: { kind: "bonus", points: 50 } });
    const shoppers = await Promise.all(Array.from({ length: 30 }, (_, i) => enrollShopper(h, `R${i}`)));
    const answers = await Promise.all(shoppers.map((s) => buy(keyA, s.code, 250_000)));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.filter((a) => a.json.offers.length === 1)).toHaveLength(2);
    const offer = await db.prisma.offer.findUniqueOrThrow({ where: { id } });
    expect({ spent: offer.spentPoints, redemptions: offer.redemptions }).toEqual({ spent: 100, redemptions: 2 });
    // A later purchase reads it open (20 left), plans it, finds it does not fit, and posts without it.
    expect((await buy(keyA, (await enrollShopper(h, "R-late")).code, 250_000)).json.offers).toEqual([]);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    await h.services.offers.end(id, "test");
  }, 120_000);

  it("When a receipt with an offer is returned in two halves, then the offer's points come back in proportion", async () => {
    const id = await started({ needsActivation: false, reward: { kind: "bonus", points: 51 } });
    const { member, code } = await enrollShopper(h);
    const p = await buy(keyA, code, 200_000);
    expect(p.json.offers).toEqual([{ id, title: "Кофе", titleEn: "Coffee", points: 51 }]);
    const r1 = await h.call("POST", "/returns", {
      key: keyA,
      body: { receiptId: p.json.receiptId, amount: 100_000, returnId: "h1" },
    });
    // Half: 30 of the accrual's 60 and 25 of the offer's 51.
    expect(r1.json).toMatchObject({ pointsReversed: 30 + 25, balance: p.json.balance - 55 });
    const r2 = await h.call("POST", "/returns", {
      key: keyA,
      body: { receiptId: p.json.receiptId, amount: 100_000, returnId: "h2" },
    });
    expect(r2.json).toMatchObject({ pointsReversed: 30 + 26 });
    const offerNet = await db.prisma.ledgerEntry.aggregate({
      where: { memberId: member.id, OR: [{ kind: "offer" }, { note: { startsWith: `offer ${id}` } }] },
      _sum: { points: true },
    });
    expect(offerNet._sum.points).toBe(0);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    await h.services.offers.end(id, "test");
  });

  it("When an offer is for a region only, then purchases in other regions never get it, those in the region do", async () => {
    const id = await started({ regions: ["Kazan"], needsActivation: false, perMemberLimit: 5 });
    const { code } = await enrollShopper(h);
    expect((await buy(keyA, code, 100_000)).json.offers).toEqual([]);
    expect((await buy(keyB, code, 100_000)).json.offers).toEqual([]);
    expect((await buy(keyKazan, code, 100_000)).json.offers).toEqual([
      { id, title: "Кофе", titleEn: "Coffee", points: 50 },
    ]);
    // Stores and a region together: both must hold (store A is in Moscow).
    const both = await started({ storeIds: [storeA], regions: ["Kazan"], needsActivation: false });
    expect((await buy(keyA, code, 100_000)).json.offers.map((o: { id: number }) => o.id)).not.toContain(both);
    await h.services.offers.end(id, "test");
    await h.services.offers.end(both, "test");
  });

  it("When a receipt whose offer took the last of its budget is returned, then the points come back but the budget stays spent", async () => {
    const id = await started({ needsActivation: false, budgetRedemptions: 1, reward: { kind: "bonus", points: 50 } });
    const first = await enrollShopper(h);
    const p = await buy(keyA, first.code, 200_000);
    expect(p.json.offers).toEqual([{ id, title: "Кофе", titleEn: "Coffee", points: 50 }]);
    const r = await h.call("POST", "/returns", {
      key: keyA,
      body: { receiptId: p.json.receiptId, amount: 200_000, returnId: "all" },
    });
    // The whole accrual (60) and the whole offer (50) are taken back.
    expect(r.json).toMatchObject({ pointsReversed: 60 + 50, balance: p.json.balance - 110 });
    const offer = await db.prisma.offer.findUniqueOrThrow({ where: { id } });
    expect({ spent: offer.spentPoints, redemptions: offer.redemptions }).toEqual({ spent: 50, redemptions: 1 });
    // The budget is what the offer may hand out, not what stayed with shoppers: no second winner.
    const second = await enrollShopper(h);
    expect((await buy(keyA, second.code, 200_000)).json.offers).toEqual([]);
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    await h.services.offers.end(id, "test");
  });
});
