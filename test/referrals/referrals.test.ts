import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { defaultProgram, judgeReferral } from "../../domain/index.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock, uniquePhone } from "../support/fixtures.js";
import type { SimUser } from "../support/telegram-server.js";

/**
 * Two-sided referrals through the jobs and the fake Bot API: both earn once
 * the friend's first purchase (at least 500 ₽) can no longer be returned; a
 * return inside the window cancels both; each refusal keeps its reason; the
 * referrer hears of every step.
 */
describe.each(testDatabases)("referrals on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  let storeId: number;
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow
  let receipt = 0;
  const DAY = 86_400_000;

  beforeAll(async () => {
    db = await open();
    storeId = (await createStore(db, { name: "Копилка на Тверской" })).id;
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function member(name: string, referralCode?: string, phone = uniquePhone()) {
    const u = h.tg.user({ first_name: name, language_code: "ru" });
    const m = await h.services.members.enroll({
      telegramId: u.id,
      chatId: u.id,
      phone,
      firstName: name,
      ...(referralCode ? { referralCode } : {}),
    });
    await h.idle();
    return { u, m };
  }
  async function buy(memberId: number, amountKopecks: number) {
    const r = await h.services.purchases.recordPurchase({
      storeId,
      member: { id: memberId },
      receiptId: `RF-${++receipt}`,
      amountKopecks,
    });
    await h.idle();
    return r;
  }
  const later = async (ms: number) => {
    clock.set(new Date(clock.now().getTime() + ms));
    await h.idle();
  };
  const referralOf = async (friendId: number) =>
    (
      await db.query<{ status: string; reason: string | null }>(
        `SELECT status, reason FROM "Referral" WHERE "friendId" = $1`,
        [friendId],
      )
    )[0];
  const credits = (memberId: number) =>
    db.prisma.ledgerEntry.findMany({ where: { memberId, kind: "referral" }, select: { points: true } });
  const said = (u: SimUser, re: RegExp) => u.inbox.filter((x) => re.test(x.text ?? "")).map((x) => x.text);

  it("When the friend's first purchase of 600 ₽ outlives the return window, then both earn 200 once and the referrer hears each step", async () => {
    const a = await member("Анна");
    const f = await member("Фёдор", a.m.referralCode);
    expect(await referralOf(f.m.id)).toEqual({ status: "pending", reason: null });
    await buy(f.m.id, 60_000);
    expect(said(a.u, /первую покупку/)).toEqual([
      "🛍 Фёдор сделал(а) первую покупку. Баллы за приглашение придут, когда закроется срок возврата.",
    ]);
    expect(await credits(a.m.id)).toEqual([]); // not before the window closes
    await later(14 * DAY + 60_000);
    expect(await credits(a.m.id)).toEqual([{ points: 200 }]);
    expect(await credits(f.m.id)).toEqual([{ points: 200 }]);
    expect(await referralOf(f.m.id)).toEqual({ status: "rewarded", reason: null });
    expect(said(a.u, /за приглашение: Фёдор/)).toHaveLength(1);
    expect(said(f.u, /подарок за то, что вы пришли по приглашению/)).toHaveLength(1);
    // The reward job run again (a retry, a second process) pays nothing more.
    const [r] = await db.query<{ id: number }>(`SELECT id FROM "Referral" WHERE "friendId" = $1`, [f.m.id]);
    expect(await h.services.referrals.reward(r?.id as number)).toBeNull();
    expect(await credits(a.m.id)).toHaveLength(1);
  });

  it("When the first purchase is returned inside the window, then neither side earns and the referrer is told why", async () => {
    const a = await member("Борис");
    const f = await member("Галина", a.m.referralCode);
    const p = await buy(f.m.id, 80_000);
    await later(5 * DAY);
    await h.services.purchases.recordReturn({
      storeId,
      receiptId: p.receiptId,
      amountKopecks: 80_000,
      returnKey: `ret-${p.purchaseId}`,
    });
    await h.idle();
    await later(10 * DAY);
    expect(await referralOf(f.m.id)).toEqual({ status: "cancelled", reason: "RETURNED" });
    expect(await credits(a.m.id)).toEqual([]);
    expect(await credits(f.m.id)).toEqual([]);
    expect(said(a.u, /первую покупку вернули/)).toHaveLength(1);
  });

  it("When the first purchase is below 500 ₽, then the referral is refused with its reason, and a later bigger one does not revive it", async () => {
    const a = await member("Вера");
    const f = await member("Денис", a.m.referralCode);
    await buy(f.m.id, 30_000);
    await buy(f.m.id, 100_000);
    await later(15 * DAY);
    expect(await referralOf(f.m.id)).toEqual({ status: "refused", reason: "BASKET_TOO_SMALL" });
    expect(await credits(a.m.id)).toEqual([]);
    expect(said(a.u, /первая покупка меньше минимальной суммы/)).toHaveLength(1);
  });

  it("When a former member (who deleted their data) joins again on an invitation, then it is refused as a returning member", async () => {
    const a = await member("Ева");
    const phone = uniquePhone();
    const before = await member("Жанна", undefined, phone);
    await h.services.members.deleteData(before.m.id);
    const again = await member("Жанна", a.m.referralCode, phone);
    expect(await referralOf(again.m.id)).toEqual({ status: "refused", reason: "RETURNING_MEMBER" });
  });

  it("When a referrer brings ten friends in a week, then the next is held for review; ten in a month, then the next is refused", async () => {
    clock.set(new Date("2026-05-04T08:00:00Z"));
    const burst = await member("Зоя");
    const friends = [];
    for (let i = 0; i < 11; i++) friends.push(await member(`Друг ${i}`, burst.m.referralCode));
    const statuses = [];
    for (const f of friends) statuses.push(await referralOf(f.m.id));
    expect(statuses.slice(0, 10).every((s) => s?.status === "pending")).toBe(true);
    // The cap (10 a month) is reached at the same time as the burst: the cap decides.
    expect(statuses[10]).toEqual({ status: "refused", reason: "MONTHLY_CAP" });
    expect(
      judgeReferral(
        { sameAccount: false, returningMember: false, recentCount: 10, monthCount: 3 },
        defaultProgram.gamification.referrals,
      ),
    ).toEqual({
      status: "held",
      reason: "REFERRER_BURST",
    });
  });
});

describe("referral rules", () => {
  it("When the friend is the referrer, then it is refused as a self-referral before anything else", () => {
    const rules = defaultProgram.gamification.referrals;
    expect(judgeReferral({ sameAccount: true, returningMember: true, recentCount: 0, monthCount: 0 }, rules)).toEqual({
      status: "refused",
      reason: "SELF_REFERRAL",
    });
    expect(judgeReferral({ sameAccount: false, returningMember: false, recentCount: 0, monthCount: 0 }, rules)).toEqual(
      {
        status: "pending",
      },
    );
  });
});
