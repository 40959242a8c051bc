import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { auditLedger, CLEAN_AUDIT, type Services } from "../app/services/index.js";
import { defaultProgram } from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { createStore, servicesFor, testClock, uniquePhone } from "./support/fixtures.js";

const RUB = 100;

describe.each(testDatabases)("loyalty core on $name", ({ open }) => {
  let db: Database;
  let s: Services;
  const clock = testClock();
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    s = servicesFor(db, { clock });
    storeId = (await createStore(db)).id;
  });
  afterAll(async () => {
    const audit = await auditLedger(db);
    expect(audit).toEqual(CLEAN_AUDIT);
    await db.close();
  });

  const enroll = (over: Partial<Parameters<Services["members"]["enroll"]>[0]> = {}) =>
    s.members.enroll({ phone: uniquePhone(), firstName: "Anna", ...over });
  const ledgerOf = (memberId: number) =>
    db.prisma.ledgerEntry.findMany({ where: { memberId }, orderBy: { id: "asc" } });

  it("enrollment posts the welcome bonus through the ledger", async () => {
    const m = await enroll({ telegramId: 1001 });
    expect(m.balance).toBe(defaultProgram.welcomeBonusPoints);
    expect(m.memberCode).toMatch(/^\d{8}$/);
    const entries = await ledgerOf(m.id);
    expect(entries.map((e) => [e.kind, e.points, e.balanceAfter])).toEqual([["welcome", 100, 100]]);
    await expect(enroll({ telegramId: 1001 })).rejects.toMatchObject({ code: "MEMBER.ALREADY_ENROLLED" });
    await expect(enroll({ phone: m.phone })).rejects.toMatchObject({ code: "MEMBER.PHONE_TAKEN" });
  });

  it("a purchase accrues at the tier before it; the crossing purchase earns the old rate", async () => {
    const m = await enroll();
    const post = (receiptId: string, rub: number) =>
      s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId, amountKopecks: rub * RUB });
    const a = await post("tier-1", 4_999);
    expect([a.tierCode, a.points]).toEqual(["base", 149]);
    const b = await post("tier-2", 2); // spend before 4,999 → still base; crosses 5,000
    expect([b.tierCode, b.points]).toEqual(["base", 0]);
    const c = await post("tier-3", 1_000); // spend 5,001 → silver
    expect([c.tierCode, c.points]).toEqual(["silver", 50]);
    const d = await post("tier-4", 3_999); // 6,001 + 3,999 = 10,000 → crosses gold, earns silver
    expect([d.tierCode, d.points]).toEqual(["silver", 199]);
    const e = await post("tier-5", 1_000);
    expect([e.tierCode, e.points]).toEqual(["gold", 100]);
    expect(e.balance).toBe(100 + 149 + 50 + 199 + 100);
  });

  it("spend older than the window no longer counts toward the tier", async () => {
    const local = testClock(new Date("2026-01-01T12:00:00Z"));
    const svc = servicesFor(db, { clock: local });
    const m = await svc.members.enroll({ phone: uniquePhone() });
    await svc.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "win-1", amountKopecks: 600_000 });
    local.advanceDays(364);
    const inside = await svc.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: "win-2",
      amountKopecks: 10_000,
    });
    expect(inside.tierCode).toBe("silver");
    local.advanceDays(2);
    const outside = await svc.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: "win-3",
      amountKopecks: 10_000,
    });
    expect(outside.tierCode).toBe("base");
  });

  it("posting the same receipt twice returns the first result and changes nothing", async () => {
    const m = await enroll();
    const input = { storeId, member: { id: m.id }, receiptId: "R-dup", amountKopecks: 123_456 };
    const first = await s.purchases.recordPurchase(input);
    const again = await s.purchases.recordPurchase(input);
    expect(again).toEqual({ ...first, replay: true });
    expect((await ledgerOf(m.id)).length).toBe(2);
    await expect(s.purchases.recordPurchase({ ...input, amountKopecks: 1 })).rejects.toMatchObject({
      code: "PURCHASE.RECEIPT_CONFLICT",
    });
  });

  it("50 concurrent posts of one receipt make exactly one accrual", async () => {
    const m = await enroll();
    const input = { storeId, member: { memberCode: m.memberCode }, receiptId: "R-race", amountKopecks: 500_000 };
    const results = await Promise.all(Array.from({ length: 50 }, () => s.purchases.recordPurchase(input)));
    expect(new Set(results.map((r) => r.purchaseId)).size).toBe(1);
    expect(results.filter((r) => !r.replay)).toHaveLength(1);
    const accruals = (await ledgerOf(m.id)).filter((e) => e.kind === "accrual");
    expect(accruals).toHaveLength(1);
    expect((await s.members.get({ id: m.id })).balance).toBe(100 + 150);
  });

  it.each([
    ["zero", 0, "INPUT.INVALID_AMOUNT"],
    ["negative", -100, "INPUT.INVALID_AMOUNT"],
    ["fractional", 10.5, "INPUT.INVALID_AMOUNT"],
    ["absurd", 1_000_000_001, "INPUT.INVALID_AMOUNT"],
    ["a string", "100" as unknown as number, "INPUT.INVALID_AMOUNT"],
  ])("a %s amount is refused and writes nothing", async (_label, amount, code) => {
    const m = await enroll();
    const before = await db.prisma.purchase.count();
    await expect(
      s.purchases.recordPurchase({
        storeId,
        member: { id: m.id },
        receiptId: `bad-${String(amount)}`,
        amountKopecks: amount,
      }),
    ).rejects.toMatchObject({ code });
    expect(await db.prisma.purchase.count()).toBe(before);
    expect(await ledgerOf(m.id)).toHaveLength(1);
  });

  it("unknown member and unknown store are refused", async () => {
    const m = await enroll();
    await expect(
      s.purchases.recordPurchase({ storeId, member: { memberCode: "00000000" }, receiptId: "u1", amountKopecks: 100 }),
    ).rejects.toMatchObject({ code: "MEMBER.NOT_FOUND" });
    await expect(
      s.purchases.recordPurchase({ storeId: 999_999, member: { id: m.id }, receiptId: "u2", amountKopecks: 100 }),
    ).rejects.toMatchObject({ code: "STORE.NOT_FOUND" });
    await expect(
      s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "", amountKopecks: 100 }),
    ).rejects.toMatchObject({ code: "INPUT.INVALID" });
  });

  it("redemption is capped at 30 % of the receipt and at the balance", async () => {
    const m = await enroll(); // 100 points
    await s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "earn", amountKopecks: 2_000_000 }); // +600
    const spend = (receiptId: string, rub: number, points: number) =>
      s.redemptions.spend({ storeId, member: { id: m.id }, receiptId, receiptAmountKopecks: rub * RUB, points });
    await expect(spend("cap", 1_000, 301)).rejects.toMatchObject({ code: "REDEMPTION.CAP_EXCEEDED" });
    await expect(spend("bal", 10_000, 701)).rejects.toMatchObject({ code: "LEDGER.INSUFFICIENT_POINTS" });
    expect((await s.members.get({ id: m.id })).balance).toBe(700);
    const ok = await spend("cap", 1_000, 300);
    expect(ok).toMatchObject({ status: "confirmed", points: 300, balance: 400 });
    await expect(spend("cap", 1_000, 1)).rejects.toMatchObject({ code: "REDEMPTION.CAP_EXCEEDED" });
    // The purchase on that receipt earns only on the money paid: 1,000 − 300 = 700 ₽ at Gold 10 %
    // (20,000 ₽ spent before it).
    const p = await s.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: "cap",
      amountKopecks: 100_000,
    });
    expect([p.pointsRedeemed, p.tierCode, p.points]).toEqual([300, "gold", 70]);
  });

  it("a return reverses the accrual proportionally and gives back the points that paid", async () => {
    const m = await enroll(); // 100
    await s.redemptions.spend({
      storeId,
      member: { id: m.id },
      receiptId: "ret",
      receiptAmountKopecks: 1_000_000,
      points: 100,
    });
    const p = await s.purchases.recordPurchase({
      storeId,
      member: { id: m.id },
      receiptId: "ret",
      amountKopecks: 1_000_000,
    });
    expect(p.points).toBe(297); // (10,000 − 100) × 3 %
    const half = await s.purchases.recordReturn({ storeId, receiptId: "ret", amountKopecks: 500_000, returnKey: "r1" });
    expect(half).toMatchObject({ pointsReversed: 148, pointsRefunded: 50, balance: 297 - 148 + 50, replay: false });
    const replay = await s.purchases.recordReturn({
      storeId,
      receiptId: "ret",
      amountKopecks: 500_000,
      returnKey: "r1",
    });
    expect(replay).toMatchObject({ returnId: half.returnId, replay: true, balance: half.balance });
    await expect(
      s.purchases.recordReturn({ storeId, receiptId: "ret", amountKopecks: 500_001, returnKey: "r2" }),
    ).rejects.toMatchObject({ code: "RETURN.EXCEEDS_PURCHASE" });
    const rest = await s.purchases.recordReturn({ storeId, receiptId: "ret", amountKopecks: 500_000, returnKey: "r2" });
    expect(rest).toMatchObject({ pointsReversed: 149, pointsRefunded: 50, balance: 100 });
    await expect(
      s.purchases.recordReturn({ storeId, receiptId: "nope", amountKopecks: 1, returnKey: "r3" }),
    ).rejects.toMatchObject({ code: "PURCHASE.NOT_FOUND" });
  });

  it("a return never drives the balance negative: spent points are reported uncollected", async () => {
    const m = await enroll(); // 100
    await s.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "spent", amountKopecks: 1_000_000 }); // +300
    await s.redemptions.spend({
      storeId,
      member: { id: m.id },
      receiptId: "other",
      receiptAmountKopecks: 2_000_000,
      points: 350,
    });
    const r = await s.purchases.recordReturn({ storeId, receiptId: "spent", amountKopecks: 1_000_000, returnKey: "x" });
    expect(r).toMatchObject({ pointsReversed: 50, pointsUncollected: 250, balance: 0 });
  });

  it("points expire 12 months after they were earned, oldest first", async () => {
    const local = testClock(new Date("2026-01-10T09:00:00Z"));
    const svc = servicesFor(db, { clock: local });
    const m = await svc.members.enroll({ phone: uniquePhone() }); // 100 on 2026-01-10
    local.set(new Date("2026-06-01T09:00:00Z"));
    await svc.purchases.recordPurchase({ storeId, member: { id: m.id }, receiptId: "exp-1", amountKopecks: 1_000_000 }); // 300
    local.set(new Date("2026-07-01T09:00:00Z"));
    await svc.redemptions.spend({
      storeId,
      member: { id: m.id },
      receiptId: "exp-2",
      receiptAmountKopecks: 1_000_000,
      points: 150,
    });
    // the spend took the 100 welcome points first and 50 of the June points
    local.set(new Date("2027-01-11T09:00:00Z"));
    await svc.expiry.sweep();
    expect((await svc.members.get({ id: m.id })).balance).toBe(250);
    local.set(new Date("2027-06-02T09:00:00Z"));
    const swept = await svc.expiry.sweep();
    expect(swept.points).toBeGreaterThanOrEqual(250);
    expect((await svc.members.get({ id: m.id })).balance).toBe(0);
    const kinds = (await ledgerOf(m.id)).map((e) => [e.kind, e.points]);
    expect(kinds).toEqual([
      ["welcome", 100],
      ["accrual", 300],
      ["redemption", -150],
      ["expiry", -250],
    ]);
    // A second sweep finds nothing new.
    expect(await svc.expiry.sweep()).toEqual({ members: 0, points: 0 });
  });

  it("a spend confirmed by the shopper posts once; declined or expired posts nothing", async () => {
    const local = testClock(new Date("2026-05-01T10:00:00Z"));
    const svc = servicesFor(db, { clock: local });
    const m = await svc.members.enroll({ phone: uniquePhone() });
    const req = (receiptId: string) =>
      svc.redemptions.request({ storeId, member: { id: m.id }, receiptId, receiptAmountKopecks: 100_000, points: 30 });
    const a = await req("c-1");
    expect(a.status).toBe("pending");
    expect((await svc.members.get({ id: m.id })).balance).toBe(100);
    const ok = await svc.redemptions.decide(a.id, m.id, true);
    expect(ok).toMatchObject({ status: "confirmed", balance: 70 });
    expect(await svc.redemptions.decide(a.id, m.id, true)).toMatchObject({ status: "confirmed", replay: true });
    const b = await req("c-2");
    expect(await svc.redemptions.decide(b.id, m.id, false)).toMatchObject({ status: "declined", balance: 70 });
    const c = await req("c-3");
    local.advanceDays(1);
    // Too late: the request is expired for good (not spent), and a second press says the same.
    expect(await svc.redemptions.decide(c.id, m.id, true)).toMatchObject({ status: "expired", replay: false });
    await expect(svc.redemptions.decide(c.id, m.id, true)).rejects.toMatchObject({ code: "REDEMPTION.NOT_PENDING" });
    await expect(svc.redemptions.decide(c.id, m.id + 1, true)).rejects.toMatchObject({ code: "REDEMPTION.NOT_FOUND" });
    expect((await svc.members.get({ id: m.id })).balance).toBe(70);
  });

  it("ledger history cannot be changed, and the balance cannot go negative, even by hand", async () => {
    const m = await enroll();
    await expect(db.exec(`UPDATE "LedgerEntry" SET points = 1000 WHERE "memberId" = ${m.id}`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.exec(`DELETE FROM "LedgerEntry" WHERE "memberId" = ${m.id}`)).rejects.toThrow(/append-only/);
    await expect(db.exec(`UPDATE "Member" SET balance = -1 WHERE id = ${m.id}`)).rejects.toThrow(/balance_nonnegative/);
  });
});
