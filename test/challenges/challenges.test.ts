import { describe, expect, it } from "vitest";
import { parseProgram } from "../../domain/index.js";
import { enrollShopper } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { challengesOverPos } from "./over-pos.js";

/**
 * Challenges end to end: purchases and returns over the POS API, progress
 * and rewards through the events and jobs, the celebration and /challenges
 * through the fake Bot API.
 */
/** `pilotStore`: the id of a store that alone runs the "second-visit" pilot. */
const programWith = (pilotStore: number) =>
  parseProgram({
    gamification: {
      challenges: [
        {
          code: "second-visit",
          title: { ru: "Второй визит", en: "Second visit" },
          goal: { kind: "visits", count: 2, withinDays: 14 },
          reward: { points: 70 },
          startsOn: "2026-03-01",
          scope: { stores: [pilotStore] },
        },
        {
          code: "three-visits",
          title: { ru: "Три визита", en: "Three visits" },
          goal: { kind: "visits", count: 3, withinDays: 14 },
          reward: {
            points: 100,
            badge: { code: "regular", emoji: "🏅", name: { ru: "Постоянный гость", en: "Regular" } },
          },
          startsOn: "2026-03-01",
          endsOn: "2026-12-31",
        },
        {
          code: "coffee",
          title: { ru: "Кофейный месяц", en: "Coffee month" },
          goal: { kind: "category", category: "coffee", count: 2 },
          reward: { points: 30 },
          startsOn: "2026-03-01",
          repeat: true,
        },
        {
          code: "kazan-pilot",
          title: { ru: "Пилот в Казани", en: "Kazan pilot" },
          goal: { kind: "visits", count: 1, withinDays: 1 },
          reward: { points: 500 },
          startsOn: "2026-03-01",
          scope: { regions: ["Kazan"] },
        },
      ],
    },
  });

describe.each(testDatabases)("challenges on $name", ({ open }) => {
  const { t, at, purchase, giveBack: returned, rerunJobs } = challengesOverPos(open, programWith, "CH");
  /** A purchase whose reactions have run. */
  async function buy(
    code: string,
    amount: number,
    items?: { sku: string; category: string; amount: number }[],
    key?: string,
  ) {
    const r = await purchase(code, amount, { ...(items ? { items } : {}), ...(key ? { key } : {}) });
    await t.h.idle();
    return r;
  }
  async function giveBack(receiptId: string, amount: number) {
    await returned(receiptId, amount);
    await t.h.idle();
  }
  const challengeEntries = (memberId: number, challenge = "three-visits") =>
    t.db.prisma.ledgerEntry.findMany({
      where: { memberId, kind: "challenge", note: challenge },
      orderBy: { id: "asc" },
      select: { points: true },
    });

  /** A new shopper's three visits of 1,000 ₽ on days `day`, `day + 1` and `day + 2`: "Three visits" pays 100. */
  async function threeVisitsRewarded(day: number, name: string) {
    at(day);
    const s = await enrollShopper(t.h, name);
    const first = await buy(s.code, 100_000);
    at(day + 1);
    await buy(s.code, 100_000);
    at(day + 2);
    await buy(s.code, 100_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
    return { s, first };
  }

  it("When a shopper makes three visits in 14 days, then the challenge pays 100 points and a badge once, and the chat celebrates", async () => {
    at(0);
    const s = await enrollShopper(t.h, "Анна");
    await buy(s.code, 50_000);
    at(5);
    await buy(s.code, 40_000);
    expect(await challengeEntries(s.member.id)).toEqual([]);
    at(13);
    await buy(s.code, 30_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
    expect(s.user.inbox.map((m) => m.text)).toContain(
      "🏆 Задание «Три визита» выполнено! +100 баллов и значок 🏅 Постоянный гость. Баланс: 236 баллов.",
    );
    // A fourth visit, and the jobs run again for every event: a one-off challenge pays once.
    at(14);
    await buy(s.code, 30_000);
    await rerunJobs("challenge.%");
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
    expect(s.user.inbox.filter((m) => /выполнено/.test(m.text ?? ""))).toHaveLength(1);

    s.user.send("/challenges");
    const [answer] = await s.user.replies(1);
    expect(answer?.text).toContain("«Три визита» — 3 визита за 14 дней\n✅ Выполнено");
    expect(answer?.text).toContain("«Кофейный месяц» — 2 покупки в категории «coffee» за месяц\n▱▱ 0 из 2");
    expect(answer?.text).toContain("Ваши значки: 🏅 Постоянный гость");
    expect(answer?.text).not.toContain("Пилот в Казани"); // a pilot elsewhere is not shown
  });

  it("When a visit is returned before the third, then it stops counting and the reward waits for another visit", async () => {
    at(30);
    const s = await enrollShopper(t.h, "Борис");
    const first = await buy(s.code, 50_000);
    at(31);
    await buy(s.code, 50_000);
    await giveBack(first.receiptId, 50_000);
    at(32);
    await buy(s.code, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([]);
    at(33);
    await buy(s.code, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
  });

  it("When a completing purchase is returned after the reward, then its share is taken back in proportion", async () => {
    const { s, first: a } = await threeVisitsRewarded(60, "Вера");
    // The first purchase's share is 34 (100 over three: 34, 33, 33); half of it returned takes back 17.
    await giveBack(a.receiptId, 50_000);
    await giveBack(a.receiptId, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -17 }, { points: -17 }]);
    const completion = await t.db.prisma.challengeCompletion.findFirstOrThrow({ where: { memberId: s.member.id } });
    expect(completion.reversedPoints).toBe(34);
    // 100 welcome + 3 × 30 + 100, then each half-return: −15 of the accrual, −17 of the challenge.
    expect(s.user.inbox.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        "Покупку из выполненного задания вернули: −17 баллов из награды. Баланс: 258 баллов.",
        "Покупку из выполненного задания вернули: −17 баллов из награды. Баланс: 226 баллов.",
      ]),
    );
    // Running the return jobs again takes nothing more.
    await rerunJobs("challenge.return");
    expect(await challengeEntries(s.member.id)).toHaveLength(3);
  });

  it("When the balance cannot cover a returned share, then the return takes what is there, a rerun of its job takes nothing more, and the next return takes the rest", async () => {
    const { s, first: a } = await threeVisitsRewarded(93, "Глеб");
    // 100 welcome + 3 × 30 + 100 = 290; 265 spent leaves 25.
    const store = await t.db.prisma.store.findFirstOrThrow({ where: { name: "Копилка на Тверской" } });
    await t.h.services.redemptions.spend({
      storeId: store.id,
      member: { id: s.member.id },
      receiptId: "CH-SPEND-1",
      receiptAmountKopecks: 10_000_000,
      points: 265,
    });
    // Half of the first purchase back: −15 of its accrual leaves 10, so 10 of the share's 17.
    await giveBack(a.receiptId, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -10 }]);
    // New points, then the return's job runs again (a redelivery): it took its turn, it takes nothing.
    at(96);
    await buy(s.code, 300_000);
    await rerunJobs("challenge.return");
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -10 }]);
    // The other half back: the share's 34 in all, so 24 now.
    await giveBack(a.receiptId, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -10 }, { points: -24 }]);
    const completion = await t.db.prisma.challengeCompletion.findFirstOrThrow({ where: { memberId: s.member.id } });
    expect(completion.reversedPoints).toBe(34);
  });

  it("When part of a visit was returned before the reward, then that part is never taken back: its job run again takes nothing, and a return after the reward takes only its own part", async () => {
    at(170);
    const s = await enrollShopper(t.h, "Дина");
    const a = await buy(s.code, 100_000);
    // Half of the first visit back before the third: it still counts (not returned in full).
    await giveBack(a.receiptId, 50_000);
    at(171);
    await buy(s.code, 100_000);
    at(172);
    await buy(s.code, 100_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
    await rerunJobs("challenge.return");
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }]);
    // The other half after the reward: half of the first visit's share of 34.
    await giveBack(a.receiptId, 50_000);
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -17 }]);
  });

  it("When a purchase that earned a badge is returned in part, then the badge stays; in full, then it is withdrawn", async () => {
    at(200);
    const s = await enrollShopper(t.h, "Зоя");
    const first = await buy(s.code, 100_000);
    at(201);
    await buy(s.code, 100_000);
    at(202);
    await buy(s.code, 100_000);
    const badges = async () => {
      s.user.send("/challenges");
      return (await s.user.reply()).text ?? "";
    };
    expect(await badges()).toContain("Ваши значки: 🏅 Постоянный гость");
    await giveBack(first.receiptId, 40_000); // a visit that still happened
    expect(await badges()).toContain("Ваши значки: 🏅 Постоянный гость");
    await giveBack(first.receiptId, 60_000); // now it did not: two visits, the goal is not met
    expect(await badges()).not.toContain("Постоянный гость");
    // The points went back in proportion with the returns: the first purchase's whole share (34).
    expect(await challengeEntries(s.member.id)).toEqual([{ points: 100 }, { points: -13 }, { points: -21 }]);
  });

  it("When coffee is bought on two days of a month, twice, then the repeating challenge pays each round", async () => {
    at(93);
    const s = await enrollShopper(t.h, "Глеб");
    const coffee = (amount: number) => [{ sku: "LATTE", category: "coffee", amount }];
    await buy(s.code, 20_000, coffee(20_000));
    await buy(s.code, 20_000, coffee(20_000)); // the same day: one visit
    at(94);
    await buy(s.code, 20_000, [{ sku: "TEA", category: "tea", amount: 20_000 }]);
    expect(await challengeEntries(s.member.id, "coffee")).toEqual([]);
    at(95);
    await buy(s.code, 20_000, coffee(20_000));
    expect(await challengeEntries(s.member.id, "coffee")).toEqual([{ points: 30 }]);
    at(96);
    await buy(s.code, 20_000, coffee(20_000));
    at(97);
    await buy(s.code, 20_000, coffee(20_000));
    expect(await challengeEntries(s.member.id, "coffee")).toEqual([{ points: 30 }, { points: 30 }]);
  });

  it("When coffee is bought on the last day of a month and the first of the next, then the month's goal waits for a second coffee day", async () => {
    at(29); // 31 March
    const s = await enrollShopper(t.h, "Лев");
    const coffee = [{ sku: "LATTE", category: "coffee", amount: 20_000 }];
    await buy(s.code, 20_000, coffee);
    at(30); // 1 April
    const first = await buy(s.code, 20_000, coffee);
    expect(await challengeEntries(s.member.id, "coffee")).toEqual([]);
    at(31);
    const second = await buy(s.code, 20_000, coffee);
    expect(await challengeEntries(s.member.id, "coffee")).toEqual([{ points: 30 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "coffee" },
      select: { purchaseIds: true },
    });
    expect(done).toEqual([{ purchaseIds: [first.purchaseId, second.purchaseId] }]);
  });

  it("When a challenge is a pilot in one store, then a visit elsewhere neither counts nor completes it, and a second one there does", async () => {
    at(60);
    const s = await enrollShopper(t.h, "Вера");
    const first = await buy(s.code, 50_000, undefined, t.secondKey);
    at(61);
    await buy(s.code, 50_000); // another store: the pilot does not count it
    expect(await challengeEntries(s.member.id, "second-visit")).toEqual([]);
    at(62);
    const second = await buy(s.code, 50_000, undefined, t.secondKey);
    expect(await challengeEntries(s.member.id, "second-visit")).toEqual([{ points: 70 }]);
    const done = await t.db.prisma.challengeCompletion.findMany({
      where: { memberId: s.member.id, challenge: "second-visit" },
      select: { purchaseIds: true },
    });
    expect(done).toEqual([{ purchaseIds: [first.purchaseId, second.purchaseId] }]);
  });

  it("When a challenge is a pilot in Kazan, then purchases in Moscow never earn it and one in Kazan does", async () => {
    at(150);
    const s = await enrollShopper(t.h, "Дина");
    await buy(s.code, 50_000);
    expect(await challengeEntries(s.member.id, "kazan-pilot")).toEqual([]);
    const kazan = await t.db.prisma.store.create({
      data: {
        name: "Копилка на Баумана",
        address: "Баумана 1, Казань",
        latitude: 55.79,
        longitude: 49.12,
        timeZone: "Europe/Moscow",
        hours: {},
        region: "Kazan",
      },
    });
    const kazanKey = (await t.h.services.apiKeys.create(kazan.id)).key;
    await buy(s.code, 50_000, undefined, kazanKey);
    expect(await challengeEntries(s.member.id, "kazan-pilot")).toEqual([{ points: 500 }]);
  });

  it("When an English-speaking shopper asks for /challenges, then progress bars and rewards read in English", async () => {
    at(120);
    const s = await enrollShopper(t.h, "Emma");
    await t.db.prisma.member.update({ where: { id: s.member.id }, data: { language: "en" } });
    await buy(s.code, 50_000);
    s.user.send("/challenges");
    const [answer] = await s.user.replies(1);
    expect(answer?.text).toContain(
      "“Three visits” — 3 visits in 14 days\n▰▱▱ 1 of 3 · until 31 December · reward: 100 points and the 🏅 Regular badge",
    );
  });
});
