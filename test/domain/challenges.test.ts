import { describe, expect, it } from "vitest";
import {
  type Challenge,
  type ChallengePurchase,
  categoryMonthStart,
  challengeProgress,
  challengesMovedBy,
  challengeReversalTarget,
  sharesReturnedBefore,
  challengeSchema,
  isDomainError,
  localDate,
  parseProgram,
  rewardShares,
} from "../../domain/index.js";

/** Challenges as pure rules: each goal, the calendar they count in, returns and rounds, the reward's shares. */
const challenge = (over: Partial<Challenge> & Pick<Challenge, "goal">): Challenge =>
  challengeSchema.parse({
    code: "c",
    title: { ru: "Задание", en: "Challenge" },
    reward: { points: 100 },
    startsOn: "2026-01-01",
    ...over,
  });

let seq = 0;
const buy = (at: string, over: Partial<ChallengePurchase> = {}): ChallengePurchase => ({
  id: ++seq,
  at: new Date(at),
  storeId: 1,
  region: "Moscow",
  timeZone: "Europe/Moscow",
  netKopecks: 50_000,
  categories: [],
  ...over,
});
const MSK = "Europe/Moscow";

describe("challenge goals", () => {
  it("When three visits fall within 14 days, then the visits goal is met by those three", () => {
    const c = challenge({ goal: { kind: "visits", count: 3, withinDays: 14 } });
    const a = buy("2026-02-01T09:00:00Z");
    const b = buy("2026-02-07T09:00:00Z");
    const d = buy("2026-02-14T09:00:00Z"); // day 14 counting the first: inside
    expect(challengeProgress(c, [a, b, d], new Date("2026-02-14T10:00:00Z"), MSK)).toEqual({
      done: 3,
      target: 3,
      completedBy: [a.id, b.id, d.id],
    });
  });

  it("When the third visit is on the 15th day, or two receipts share a day, then the goal is not met", () => {
    const c = challenge({ goal: { kind: "visits", count: 3, withinDays: 14 } });
    const late = [buy("2026-02-01T09:00:00Z"), buy("2026-02-07T09:00:00Z"), buy("2026-02-15T09:00:00Z")];
    expect(challengeProgress(c, late, new Date("2026-02-15T10:00:00Z"), MSK)).toMatchObject({
      done: 2,
      completedBy: null,
    });
    const oneDay = [buy("2026-02-01T09:00:00Z"), buy("2026-02-01T10:00:00Z"), buy("2026-02-01T11:00:00Z")];
    expect(challengeProgress(c, oneDay, new Date("2026-02-01T12:00:00Z"), MSK)).toMatchObject({
      done: 1,
      completedBy: null,
    });
  });

  it("When a visit is returned in full, then it no longer counts (a return undoes progress before the reward)", () => {
    const c = challenge({ goal: { kind: "visits", count: 2, withinDays: 7 } });
    const p = [buy("2026-02-01T09:00:00Z", { netKopecks: 0 }), buy("2026-02-02T09:00:00Z")];
    expect(challengeProgress(c, p, new Date("2026-02-02T10:00:00Z"), MSK)).toMatchObject({
      done: 1,
      completedBy: null,
    });
    const partly = [buy("2026-02-01T09:00:00Z", { netKopecks: 1 }), buy("2026-02-02T09:00:00Z")];
    expect(challengeProgress(c, partly, new Date("2026-02-02T10:00:00Z"), MSK).completedBy).toHaveLength(2);
  });

  it("When coffee is bought on four days of one calendar month, then the category goal is met; across two months it is not", () => {
    const c = challenge({ goal: { kind: "category", category: "Coffee", count: 4 } });
    const coffee = { categories: ["coffee", "bakery"] };
    const march = ["03", "10", "17", "31"].map((d) => buy(`2026-03-${d}T09:00:00Z`, coffee));
    expect(challengeProgress(c, march, new Date("2026-03-31T10:00:00Z"), MSK).completedBy).toEqual(
      march.map((p) => p.id),
    );
    // 31 March 22:30 UTC is already 1 April in Moscow: that visit belongs to April.
    const split = [
      ...["03", "10", "17"].map((d) => buy(`2026-03-${d}T09:00:00Z`, coffee)),
      buy("2026-03-31T22:30:00Z", coffee),
    ];
    expect(challengeProgress(c, split, new Date("2026-04-01T08:00:00Z"), MSK)).toEqual({
      done: 1,
      target: 4,
      completedBy: null,
    });
    const tea = ["03", "10", "17", "24"].map((d) => buy(`2026-03-${d}T09:00:00Z`, { categories: ["tea"] }));
    expect(challengeProgress(c, tea, new Date("2026-03-25T10:00:00Z"), MSK).done).toBe(0);
  });

  it("When a streak crosses the spring DST change in Berlin, then a Sunday-night purchase stays in its own week", () => {
    const c = challenge({ goal: { kind: "streak", weeks: 3, forgive: 0 } });
    const berlin = { timeZone: "Europe/Berlin" };
    // Weeks (Mon–Sun): 16–22 March, 23–29 March (DST starts Sunday 29th at 02:00), 30 March–5 April.
    const p = [
      buy("2026-03-18T12:00:00Z", berlin),
      buy("2026-03-29T21:30:00Z", berlin), // Sunday 23:30 CEST: still the week of the 23rd
      buy("2026-03-30T06:00:00Z", berlin), // Monday 08:00: the next week
    ];
    expect(challengeProgress(c, p, new Date("2026-03-30T07:00:00Z"), "Europe/Berlin").completedBy).toEqual(
      p.map((x) => x.id),
    );
    // An hour later it is Monday 00:30 CEST: the week of the 23rd has no purchase, and with no week
    // forgiven the streak starts again.
    const q = [
      buy("2026-03-18T12:00:00Z", berlin),
      buy("2026-03-29T22:30:00Z", berlin), // Monday 00:30 CEST: the week of the 30th
      buy("2026-03-31T06:00:00Z", berlin),
    ];
    expect(challengeProgress(c, q, new Date("2026-03-31T07:00:00Z"), "Europe/Berlin")).toMatchObject({
      done: 1,
      completedBy: null,
    });
  });

  it("When the shopper moves from Moscow to Vladivostok, then each purchase's week is read in its store's zone", () => {
    const c = challenge({ goal: { kind: "streak", weeks: 2, forgive: 0 } });
    const moscow = buy("2026-03-12T09:00:00Z"); // Thursday 12 March, Moscow
    // Sunday 15 March 16:30 UTC is Monday 16 March 02:30 in Vladivostok: the next week there,
    // though it is still Sunday in Moscow.
    const vlad = buy("2026-03-15T16:30:00Z", { storeId: 2, timeZone: "Asia/Vladivostok" });
    expect(
      challengeProgress(c, [moscow, vlad], new Date("2026-03-16T00:00:00Z"), "Asia/Vladivostok").completedBy,
    ).toEqual([moscow.id, vlad.id]);
    const inMoscow = buy("2026-03-15T16:30:00Z");
    expect(challengeProgress(c, [moscow, inMoscow], new Date("2026-03-16T00:00:00Z"), MSK).completedBy).toBeNull();
  });

  it("When one week is missed, then the streak goes on (one forgiven); a second miss starts it again", () => {
    const c = challenge({ goal: { kind: "streak", weeks: 4, forgive: 1 } });
    const weeks = (days: string[]) => days.map((d) => buy(`2026-02-${d}T09:00:00Z`));
    // Mondays 2, 9, (16 missed), 23 February, 2 March.
    const forgiven = [...weeks(["02", "09", "23"]), buy("2026-03-02T09:00:00Z")];
    expect(challengeProgress(c, forgiven, new Date("2026-03-02T10:00:00Z"), MSK).completedBy).toHaveLength(4);
    const twice = [...weeks(["02", "09", "23"]), buy("2026-03-09T09:00:00Z")];
    const p = challengeProgress(c, twice, new Date("2026-03-09T10:00:00Z"), MSK);
    expect(p).toMatchObject({ done: 1, completedBy: null }); // the run restarted at 9 March
    // Progress shown: a run is alive while its misses are forgivable, then drops to 0.
    const alive = weeks(["02", "09"]);
    expect(challengeProgress(c, alive, new Date("2026-02-23T10:00:00Z"), MSK).done).toBe(2);
    expect(challengeProgress(c, alive, new Date("2026-03-02T10:00:00Z"), MSK).done).toBe(0);
  });

  it("When the second store is visited, then the stores goal is met by the first purchase in each", () => {
    const c = challenge({ goal: { kind: "stores", count: 2 } });
    const a = buy("2026-02-01T09:00:00Z");
    const a2 = buy("2026-02-02T09:00:00Z");
    const b = buy("2026-02-03T09:00:00Z", { storeId: 7 });
    expect(challengeProgress(c, [a, a2], new Date("2026-02-03T10:00:00Z"), MSK)).toMatchObject({ done: 1 });
    expect(challengeProgress(c, [a, a2, b], new Date("2026-02-03T10:00:00Z"), MSK).completedBy).toEqual([a.id, b.id]);
  });
});

describe("what counts", () => {
  it("When purchases fall outside the dates or the pilot stores, then they do not count", () => {
    const c = challenge({
      goal: { kind: "visits", count: 2, withinDays: 30 },
      startsOn: "2026-02-01",
      endsOn: "2026-02-28",
      scope: { stores: [5], regions: ["Kazan"] },
    });
    const now = new Date("2026-03-05T10:00:00Z");
    const before = buy("2026-01-31T20:30:00Z", { storeId: 5 }); // 31 January 23:30 in Moscow
    const inPilot = buy("2026-02-10T09:00:00Z", { storeId: 5 });
    const elsewhere = buy("2026-02-11T09:00:00Z", { storeId: 6 });
    const kazan = buy("2026-02-12T09:00:00Z", { storeId: 8, region: "kazan" });
    const after = buy("2026-03-01T09:00:00Z", { storeId: 5 });
    expect(challengeProgress(c, [before, inPilot, elsewhere, after], now, MSK).completedBy).toBeNull();
    expect(challengeProgress(c, [before, inPilot, elsewhere, kazan, after], now, MSK).completedBy).toEqual([
      inPilot.id,
      kazan.id,
    ]);
  });

  it("When a repeating challenge is done once, then the next round counts only purchases after the completing one", () => {
    const c = challenge({ goal: { kind: "visits", count: 2, withinDays: 30 }, repeat: true });
    const p = ["01", "02", "03"].map((d) => buy(`2026-02-${d}T09:00:00Z`));
    const [, last] = p;
    if (!last) throw new Error("no purchase");
    const next = challengeProgress(c, p, new Date("2026-02-03T10:00:00Z"), MSK, { at: last.at, id: last.id });
    expect(next).toMatchObject({ done: 1, completedBy: null });
  });
});

describe("rewards and their reversal", () => {
  it("When a reward is split over its purchases, then the shares add up to it exactly", () => {
    expect(rewardShares(100, 3)).toEqual([34, 33, 33]);
    expect(rewardShares(2, 4)).toEqual([1, 1, 0, 0]);
    for (const [points, n] of [
      [1, 1],
      [7, 3],
      [150, 4],
      [99_999, 7],
    ] as const)
      expect(rewardShares(points, n).reduce((a, b) => a + b, 0)).toBe(points);
  });

  it("When completing purchases were partly returned before the reward, then that part of each share counts as taken from the start", () => {
    // 100 points over three purchases (34, 33, 33); half of the first returned, none of the others.
    expect(
      sharesReturnedBefore(100, [
        { amountKopecks: 100_000, returnedKopecks: 50_000 },
        { amountKopecks: 100_000, returnedKopecks: 0 },
        { amountKopecks: 80_000, returnedKopecks: 80_000 },
      ]),
    ).toEqual([17, 0, 33]);
  });

  it("When a completing purchase is returned in parts, then the parts take back exactly what a full return would", () => {
    expect(challengeReversalTarget(34, 99_999, 99_999)).toBe(34);
    expect(challengeReversalTarget(34, 99_999, 50_000)).toBe(17); // rounded down, for the shopper
    let taken = 0;
    let returned = 0;
    for (const part of [10_000, 33_333, 1, 56_665]) {
      returned += part;
      taken += challengeReversalTarget(34, 99_999, returned) - taken;
    }
    expect(taken).toBe(34);
    expect(challengeReversalTarget(34, 99_999, 200_000)).toBe(34); // never more than the share
  });

  it("When a challenge is misconfigured, then the program names the field", () => {
    const bad = (challenges: unknown) => {
      try {
        parseProgram({ gamification: { challenges } });
        return "";
      } catch (e) {
        return isDomainError(e) ? e.message : String(e);
      }
    };
    const ok = {
      code: "a",
      title: { ru: "А", en: "A" },
      goal: { kind: "stores" },
      reward: { points: 10 },
      startsOn: "2026-01-01",
    };
    expect(bad([ok])).toBe("");
    expect(bad([ok, ok])).toMatch(/gamification\.challenges\.1\.code: duplicate challenge code/);
    expect(bad([{ ...ok, reward: {} }])).toMatch(/reward.*points, a badge or both/);
    expect(bad([{ ...ok, endsOn: "2025-12-31" }])).toMatch(/endsOn is before startsOn/);
    expect(bad([{ ...ok, goal: { kind: "streak", weeks: 1 } }])).toMatch(/goal\.weeks/);
    expect(bad([{ ...ok, startsOn: undefined }])).toMatch(/startsOn/);
  });
});

describe("which challenges a purchase can move", () => {
  const visits = { kind: "visits" as const, count: 3, withinDays: 14 };
  const all = [
    challenge({ code: "any", goal: visits }),
    challenge({ code: "later", goal: visits, startsOn: "2026-03-01" }),
    challenge({ code: "over", goal: visits, startsOn: "2026-01-01", endsOn: "2026-01-31" }),
    challenge({ code: "store-7", goal: visits, scope: { stores: [7] } }),
    challenge({ code: "kazan", goal: visits, scope: { regions: ["Kazan"] } }),
    challenge({ code: "coffee", goal: { kind: "category", category: " Coffee ", count: 2 } }),
  ];
  const codes = (p: Parameters<typeof challengesMovedBy>[1]) => challengesMovedBy(all, p).map((c) => c.code);

  it("When a purchase is outside a store pilot, outside the dates or without the category, then those challenges pass it over", () => {
    const at = new Date("2026-02-10T12:00:00Z");
    expect(codes({ storeId: 1, at, categories: ["tea"] })).toEqual(["any", "kazan"]);
    expect(codes({ storeId: 7, at, categories: ["COFFEE"] })).toEqual(["any", "store-7", "kazan", "coffee"]);
  });

  it("When the store's region or the items are not known, then the challenges that may count it are kept", () => {
    // A region pilot may hold any store; an event without categories may carry any.
    expect(codes({ storeId: 1, at: new Date("2026-02-10T12:00:00Z") })).toEqual(["any", "kazan", "coffee"]);
  });

  it("When a purchase is near midnight UTC, then a challenge open on that day in some zone still counts it", () => {
    // 22:00 UTC on 28 February is already 1 March in Moscow, where "later" starts.
    expect(codes({ storeId: 1, at: new Date("2026-02-28T22:00:00Z"), categories: [] })).toContain("later");
    // Late on 1 February UTC it is still 31 January in the Americas, the last day of "over".
    expect(codes({ storeId: 1, at: new Date("2026-02-01T05:00:00Z"), categories: [] })).toContain("over");
    expect(codes({ storeId: 1, at: new Date("2026-02-03T05:00:00Z"), categories: [] })).not.toContain("over");
  });

  it("When a purchase's month is read in any zone, then every purchase of that local month is on or after its start", () => {
    const zones = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Moscow", "America/New_York"];
    for (const p of ["2026-03-01T00:30:00Z", "2026-03-01T13:00:00Z", "2026-02-28T11:00:00Z", "2026-03-31T23:00:00Z"]) {
      const at = new Date(p);
      const from = categoryMonthStart(at).getTime();
      for (const zone of zones) {
        const month = localDate(at, zone).month;
        // Every hour of the 40 days before: those in the purchase's local month are not before `from`.
        for (let t = at.getTime(); t > at.getTime() - 40 * 86_400_000; t -= 3_600_000)
          if (localDate(new Date(t), zone).month === month) expect(t, `${zone} ${p}`).toBeGreaterThanOrEqual(from);
      }
    }
  });
});
