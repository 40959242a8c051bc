import { describe, expect, it } from "vitest";
import { parseProgram } from "../../domain/index.js";
import { enrollShopper } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { challengesOverPos } from "./over-pos.js";

/**
 * A purchase weighs the challenges it can move in its own unit of work and
 * its purchase.recorded event names those it met; the reaction (a job)
 * completes only these, after weighing them again under the member's lock.
 * These tests hold that against what can happen in between: a return before
 * the reaction runs, two purchases of one member at once, an event written
 * before purchases named what they met.
 */
const program = parseProgram({
  gamification: {
    challenges: [
      {
        code: "three-visits",
        title: { ru: "Три визита", en: "Three visits" },
        goal: { kind: "visits", count: 3, withinDays: 14 },
        reward: { points: 100 },
        startsOn: "2026-03-01",
      },
      {
        code: "two-stores",
        title: { ru: "Два магазина", en: "Two stores" },
        goal: { kind: "stores", count: 2 },
        reward: { points: 50 },
        startsOn: "2026-03-01",
      },
      {
        code: "streak",
        title: { ru: "Три недели подряд", en: "Three weeks in a row" },
        goal: { kind: "streak", weeks: 3, forgive: 0 },
        reward: { points: 70 },
        startsOn: "2026-03-01",
      },
    ],
  },
});

describe.each(testDatabases)("challenges weighed by the purchase on $name", ({ open }) => {
  const { t, at, purchase, giveBack } = challengesOverPos(open, () => program, "W");
  /** A purchase over the POS API; its reactions run only when the test says (t.h.idle()). */
  const post = (code: string, amount: number, key?: string) => purchase(code, amount, key ? { key } : {});
  const rewards = (memberId: number, challenge: string) =>
    t.db.prisma.ledgerEntry.findMany({
      where: { memberId, kind: "challenge", note: challenge },
      orderBy: { id: "asc" },
      select: { points: true },
    });
  const metBy = async (purchaseId: number) => {
    const events = await t.db.prisma.domainEvent.findMany({ where: { type: "purchase.recorded" } });
    const e = events.find((x) => (x.payload as { purchaseId: number }).purchaseId === purchaseId);
    return (e?.payload as { challengesMet?: string[] } | undefined)?.challengesMet;
  };

  it("When a purchase meets a goal, then its event names the challenge; one that meets none names none", async () => {
    at(0);
    const s = await enrollShopper(t.h, "Анна");
    const first = await post(s.code, 50_000);
    at(3);
    const second = await post(s.code, 50_000);
    at(6);
    const third = await post(s.code, 50_000);
    expect(await metBy(first.purchaseId)).toEqual([]);
    expect(await metBy(second.purchaseId)).toEqual([]);
    expect(await metBy(third.purchaseId)).toEqual(["three-visits"]);
    await t.h.idle();
    expect(await rewards(s.member.id, "three-visits")).toEqual([{ points: 100 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "three-visits" },
      select: { purchaseIds: true },
    });
    expect(done).toEqual([{ purchaseIds: [first.purchaseId, second.purchaseId, third.purchaseId] }]);
  });

  it("When a week of the streak is returned before the reaction to the week that met it runs, then the streak goes back and is met again by three weeks in a row", async () => {
    at(70); // a Monday
    const s = await enrollShopper(t.h, "Борис");
    await post(s.code, 50_000);
    at(77);
    const week2 = await post(s.code, 50_000);
    await t.h.idle();
    at(84);
    const week3 = await post(s.code, 50_000);
    expect(await metBy(week3.purchaseId)).toEqual(["streak"]);
    // Returned in full before the reaction to week 3 runs: week 2 had no purchase, and none is forgiven.
    await giveBack(week2.receiptId, 50_000);
    await t.h.idle();
    expect(await rewards(s.member.id, "streak")).toEqual([]);
    at(91);
    const week4 = await post(s.code, 50_000);
    expect(await metBy(week4.purchaseId)).toEqual([]);
    at(98);
    const week5 = await post(s.code, 50_000);
    expect(await metBy(week5.purchaseId)).toEqual(["streak"]);
    await t.h.idle();
    expect(await rewards(s.member.id, "streak")).toEqual([{ points: 70 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "streak" },
      select: { purchaseIds: true },
    });
    expect(done).toEqual([{ purchaseIds: [week3.purchaseId, week4.purchaseId, week5.purchaseId] }]);
  });

  it("When two purchases of one member in two stores land at once, then the count is 2 and the challenge is completed once, by both", async () => {
    at(120);
    const s = await enrollShopper(t.h, "Вера");
    const [a, b] = await Promise.all([post(s.code, 50_000), post(s.code, 50_000, t.secondKey)]);
    // The member is locked by each: the one that went second saw the first and met the goal.
    const met = [await metBy(a.purchaseId), await metBy(b.purchaseId)];
    expect(met).toContainEqual(["two-stores"]);
    expect(met).toContainEqual([]);
    await t.h.idle();
    // Both reactions ran; the first found nothing to do, and running them all again changes nothing.
    await t.db.exec(`UPDATE "Job" SET status = 'queued', "runAt" = '2026-01-01', attempts = 0
                   WHERE name = 'challenge.purchase'`);
    await t.h.idle();
    expect(await rewards(s.member.id, "two-stores")).toEqual([{ points: 50 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "two-stores" },
      select: { purchaseIds: true },
    });
    expect(done.map((d) => [...d.purchaseIds].sort((x, y) => x - y))).toEqual([
      [a.purchaseId, b.purchaseId].sort((x, y) => x - y),
    ]);
  });

  it("When the reaction is given an event written before purchases named what they met, then it weighs the challenges itself", async () => {
    at(150);
    const s = await enrollShopper(t.h, "Глеб");
    await post(s.code, 50_000);
    await t.h.idle();
    const second = await post(s.code, 50_000, t.secondKey);
    await t.db.exec(`UPDATE "Job" SET payload = payload #- '{event,challengesMet}'
                   WHERE name = 'challenge.purchase' AND status = 'queued'`);
    expect(
      await t.db.query(
        `SELECT 1 FROM "Job" WHERE name = 'challenge.purchase' AND status = 'queued' AND payload->'event' ? 'challengesMet'`,
      ),
    ).toEqual([]);
    await t.h.idle();
    expect(await rewards(s.member.id, "two-stores")).toEqual([{ points: 50 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "two-stores" },
      select: { purchaseIds: true },
    });
    expect(done[0]?.purchaseIds.at(-1)).toBe(second.purchaseId);
  });
});
