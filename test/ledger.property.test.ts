import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "../app/db/database.js";
import { auditLedger, CLEAN_AUDIT, type Services } from "../app/services/index.js";
import {
  challengeReversalTarget,
  type EventPayload,
  isDomainError,
  liveLots,
  parseProgram,
  rewardShares,
} from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { createStore, servicesFor, testClock, uniquePhone } from "./support/fixtures.js";

/**
 * Random interleavings of every operation that moves points, run concurrently
 * and with duplicates, then the ledger's invariants: cached balance = sum of
 * entries, every balanceAfter = running sum, no negative balance, one purchase
 * and one accrual per receipt, returns within the receipt, the lots the
 * ledger replays to agree with the balance, and the lots table the write path
 * keeps equals that replay.
 */
const receiptOps = fc.oneof(
  fc.record({
    t: fc.constant("purchase" as const),
    m: fc.nat(2),
    r: fc.nat(5),
    amount: fc.oneof(fc.integer({ min: 1, max: 3_000_000 }), fc.constantFrom(0, -5, 1_000_000_001)),
  }),
  fc.record({
    t: fc.constant("spend" as const),
    m: fc.nat(2),
    r: fc.nat(5),
    amount: fc.integer({ min: 1, max: 2_000_000 }),
    points: fc.integer({ min: 1, max: 800 }),
  }),
  fc.record({
    t: fc.constant("return" as const),
    r: fc.nat(5),
    key: fc.nat(3),
    amount: fc.integer({ min: 1, max: 2_000_000 }),
  }),
  fc.record({ t: fc.constant("time" as const), days: fc.integer({ min: 0, max: 200 }) }),
);
// A review of the member's latest receipt, approved at once, and the reactions to a member's purchases and
// returns (challenges completed and taken back, referrals qualified, cancelled and rewarded), run as the jobs
// run them but racing the receipts' own operations, duplicated and in any order. One draw in ten each, so the
// receipts' own operations keep the frequency the checks below were tuned for.
const op = fc.oneof(
  { arbitrary: receiptOps, weight: 8 },
  {
    arbitrary: fc.record({ t: fc.constant("review" as const), m: fc.nat(2), stars: fc.integer({ min: 1, max: 5 }) }),
    weight: 1,
  },
  { arbitrary: fc.record({ t: fc.constant("react" as const), m: fc.nat(2) }), weight: 1 },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
/**
 * Purchases that complete challenges and qualify a referral; a spend, a review and the jobs racing; a
 * return that takes a challenge's reward back; a month for the referral to be rewarded. The first of the
 * runs (fast-check's `examples`), so each kind of work the checks at the end ask for is done whatever the
 * draws hold: they failed a CI run once when none of 25 draws held a return that succeeded.
 */
const everyKindOnce: { ops: Op[]; jobs: boolean }[] = [
  {
    ops: [
      { t: "purchase", m: 0, r: 0, amount: 500_000 },
      { t: "purchase", m: 1, r: 1, amount: 300_000 },
    ],
    jobs: true,
  },
  {
    ops: [
      { t: "spend", m: 0, r: 2, amount: 100_000, points: 5 },
      { t: "review", m: 1, stars: 5 },
      { t: "react", m: 1 },
    ],
    jobs: false,
  },
  {
    ops: [{ t: "return", r: 0, key: 0, amount: 500_000 }],
    jobs: true,
  },
  // The referral's return window closes: the jobs reward it.
  { ops: [{ t: "time", days: 30 }], jobs: true },
];
/** How long the runs and any shrinking may take: PROPERTY_TIME_MS (PROPERTY_RUNS=1000 takes ~100 s a database). */
const PROPERTY_MS = Number(process.env.PROPERTY_TIME_MS ?? 120_000);
// 25 runs of up to 96 racing operations each, then two catch-up passes: more than the default minute on a
// busy machine, and the runs' limit above with time to report.
vi.setConfig({ testTimeout: PROPERTY_MS + 60_000 });

describe.each(testDatabases)("ledger invariants under concurrent random operations on $name", ({ open }) => {
  let db: Database;
  const clock = testClock(new Date("2026-01-01T10:00:00Z"));
  let s: Services;
  let storeId: number;
  let run = 0;

  beforeAll(async () => {
    db = await open();
    // Reviews never close here (beyond what the config allows): the time steps jump months, and the
    // point is the credit racing the receipt's other operations, not the review window.
    // Two repeating challenges: every visit completes a round of the first (so most runs have completions
    // to take back), two visits on different days one of the second, whose 101 points split unevenly (51 + 50).
    const program = parseProgram({
      gamification: {
        reviews: { answerWithinDays: 90 },
        challenges: [
          {
            code: "every-visit",
            title: { ru: "Визит", en: "A visit" },
            goal: { kind: "visits", count: 1, withinDays: 1 },
            reward: { points: 7 },
            startsOn: "2025-01-01",
            repeat: true,
          },
          {
            code: "two-visits",
            title: { ru: "Два визита", en: "Two visits" },
            goal: { kind: "visits", count: 2, withinDays: 366 },
            reward: { points: 101 },
            startsOn: "2025-01-01",
            repeat: true,
          },
        ],
      },
    });
    const reviews = { ...program.gamification.reviews, answerWithinDays: 100_000 };
    s = servicesFor(db, {
      clock,
      program: { ...program, gamification: { ...program.gamification, reviews } },
    });
    storeId = (await createStore(db)).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  it("holds for every interleaving", async () => {
    const succeeded = { purchase: 0, spend: 0, return: 0, time: 0, review: 0, react: 0 };
    const succeededRewards = { challenge: 0, reversal: 0, referral: 0 };
    /**
     * What the jobs do for member `i`'s purchases and returns (challenges completed and taken back,
     * referrals qualified or cancelled) and for referrals whose return window closed. Eager: started at
     * once, to race; lazy: one at a time, in the order of the events.
     */
    function reactions(members: { id: number }[], i: number): Promise<unknown>[];
    function reactions(members: { id: number }[], i: number, lazy: true): (() => Promise<unknown>)[];
    function reactions(members: { id: number }[], i: number, lazy = false) {
      const m = members[i];
      if (!m) throw new Error("bad index");
      const steps: (() => Promise<unknown>)[] = [
        async () => {
          const events = await db.prisma.domainEvent.findMany({
            where: { memberId: m.id, type: { in: ["purchase.recorded", "return.recorded"] } },
            orderBy: { id: "asc" },
          });
          for (const e of events) {
            if (e.type === "purchase.recorded") {
              const p = e.payload as EventPayload<"purchase.recorded">;
              const both = [() => s.challenges.complete({ ...p, at: new Date(p.at) }), () => s.referrals.onPurchase(p)];
              if (lazy) for (const f of both) await f();
              else await Promise.all(both.map((f) => f()));
            } else {
              const r = e.payload as EventPayload<"return.recorded">;
              const both = [() => s.challenges.reverse(r), () => s.referrals.onReturn(r)];
              if (lazy) for (const f of both) await f();
              else await Promise.all(both.map((f) => f()));
            }
          }
        },
        async () => {
          const due = await db.prisma.referral.findMany({
            where: { friendId: { in: members.map((x) => x.id) }, status: "qualifying" },
          });
          for (const r of due) await s.referrals.reward(r.id);
        },
      ];
      return lazy ? steps : steps.map((f) => f());
    }
    await fc.assert(
      fc.asyncProperty(
        // Each batch, then (one batch in two) the jobs catching up as they do between receipts: so later
        // batches return purchases whose challenges were already completed, and the reward is taken back.
        fc.array(fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 8 }), jobs: fc.boolean() }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (batches) => {
          run += 1;
          // Members 1 and 2 were invited by member 0: their first purchases qualify referrals.
          const inviter = await s.members.enroll({ phone: uniquePhone(), telegramId: 9_000_000 + run * 10 });
          const members = [
            inviter,
            ...(await Promise.all(
              [1, 2].map((i) =>
                s.members.enroll({
                  phone: uniquePhone(),
                  telegramId: 9_000_000 + run * 10 + i,
                  referralCode: inviter.referralCode,
                }),
              ),
            )),
          ];
          const receipt = (r: number) => `p${run}-r${r}`;
          const exec = async (o: Op) => {
            switch (o.t) {
              case "purchase": {
                const m = members[o.m];
                if (!m) throw new Error("bad index");
                return s.purchases.recordPurchase({
                  storeId,
                  member: { id: m.id },
                  receiptId: receipt(o.r),
                  amountKopecks: o.amount,
                });
              }
              case "spend": {
                const m = members[o.m];
                if (!m) throw new Error("bad index");
                return s.redemptions.spend({
                  storeId,
                  member: { id: m.id },
                  receiptId: receipt(o.r),
                  receiptAmountKopecks: o.amount,
                  points: o.points,
                });
              }
              case "return":
                return s.purchases.recordReturn({
                  storeId,
                  receiptId: receipt(o.r),
                  amountKopecks: o.amount,
                  returnKey: `${run}-${o.key}`,
                });
              case "time":
                clock.advanceDays(o.days);
                return s.expiry.sweep();
              case "react":
                // Every reaction to the member's events so far, at once (a redelivery is one more of them).
                return Promise.all(reactions(members, o.m));
              case "review": {
                // The member's latest receipt of this run (the time steps would make older ones late).
                const m = members[o.m];
                if (!m) throw new Error("bad index");
                const p = await db.prisma.purchase.findFirst({
                  where: { memberId: m.id, receiptId: { startsWith: `p${run}-` } },
                  orderBy: { at: "desc" },
                  include: { member: { select: { telegramId: true } } },
                });
                if (!p?.member.telegramId) return null;
                const rated = await s.reviews.rate(Number(p.member.telegramId), p.id, o.stars);
                if (rated.status !== "recorded" && rated.status !== "updated") return null;
                return s.reviews.moderate(rated.reviewId, "approve", { who: "property", admin: true });
              }
            }
          };
          for (const { ops: batch, jobs } of batches) {
            // Every operation of a batch at once, each twice: duplicates race their originals.
            const doubled = [...batch, ...batch];
            const results = await Promise.allSettled(doubled.map(exec));
            results.forEach((r, i) => {
              if (r.status === "rejected" && !isDomainError(r.reason)) throw r.reason;
              const o = doubled[i];
              if (r.status === "fulfilled" && o) succeeded[o.t] += 1;
            });
            if (jobs) for (let i = 0; i < members.length; i++) for (const r of reactions(members, i, true)) await r();
          }

          // Then the jobs catch up, in order, as they would: twice, and the second pass changes nothing.
          for (let i = 0; i < members.length; i++) for (const r of reactions(members, i, true)) await r();
          const settled = await db.prisma.ledgerEntry.count({ where: { memberId: { in: members.map((m) => m.id) } } });
          for (let i = 0; i < members.length; i++) for (const r of reactions(members, i, true)) await r();
          expect(await db.prisma.ledgerEntry.count({ where: { memberId: { in: members.map((m) => m.id) } } })).toBe(
            settled,
          );

          const audit = await auditLedger(db);
          expect(audit).toEqual(CLEAN_AUDIT);
          for (const m of members) {
            const entries = await db.prisma.ledgerEntry.findMany({ where: { memberId: m.id }, orderBy: { id: "asc" } });
            const balance = (await db.prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance;
            expect(balance).toBeGreaterThanOrEqual(0);
            expect(entries.every((e) => e.balanceAfter >= 0)).toBe(true);
            expect(liveLots(entries).reduce((sum, l) => sum + l.remaining, 0)).toBe(balance);
          }
          // One credit per approved review, the points the review says, however often it was approved.
          const reviews = await db.prisma.review.findMany({ where: { memberId: { in: members.map((m) => m.id) } } });
          for (const r of reviews) {
            const credits = await db.prisma.ledgerEntry.findMany({ where: { idempotencyKey: `review:${r.id}` } });
            expect(credits.reduce((sum, e) => sum + e.points, 0)).toBe(r.rewardPoints);
            expect(credits.length).toBeLessThanOrEqual(1);
          }
          // Each challenge round pays its points once; what its reversals took back is what it says, within
          // the reward, and never more than each completing purchase's returned share.
          const completions = await db.prisma.challengeCompletion.findMany({
            where: { memberId: { in: members.map((m) => m.id) } },
          });
          for (const c of completions) {
            const entries = await db.prisma.ledgerEntry.findMany({
              where: { memberId: c.memberId, kind: "challenge" },
            });
            const credit = entries.filter(
              (e) => e.idempotencyKey === `challenge:${c.memberId}:${c.challenge}:${c.round}`,
            );
            expect(credit.map((e) => e.points)).toEqual([c.points]);
            const taken = entries.filter((e) => e.idempotencyKey.startsWith(`challenge-reversal:${c.id}:`));
            expect(taken.reduce((sum, e) => sum - e.points, 0)).toBe(c.reversedPoints);
            expect(c.reversedPoints).toBeLessThanOrEqual(c.points);
            for (const [i, id] of c.purchaseIds.entries()) {
              const p = await db.prisma.purchase.findUniqueOrThrow({ where: { id } });
              const share = rewardShares(c.points, c.purchaseIds.length)[i] ?? 0;
              expect(c.reversedByPurchase[i] ?? 0).toBeLessThanOrEqual(
                challengeReversalTarget(share, p.amount, p.returnedAmount),
              );
            }
          }
          // A referral pays each side once, only when rewarded; a cancelled or refused one pays nothing.
          const referrals = await db.prisma.referral.findMany({ where: { referrerId: inviter.id } });
          const referralCredits = await db.prisma.ledgerEntry.findMany({
            where: { memberId: { in: members.map((m) => m.id) }, kind: "referral" },
          });
          const rewarded = referrals.filter((r) => r.status === "rewarded");
          expect(referralCredits.filter((e) => e.memberId === inviter.id)).toHaveLength(rewarded.length);
          for (const r of referrals)
            expect(referralCredits.filter((e) => e.memberId === r.friendId)).toHaveLength(
              r.status === "rewarded" ? 1 : 0,
            );
          succeededRewards.challenge += completions.length;
          succeededRewards.reversal += completions.filter((c) => c.reversedPoints > 0).length;
          succeededRewards.referral += rewarded.length;
          const purchases = await db.prisma.purchase.findMany({
            where: { receiptId: { startsWith: `p${run}-` } },
            include: { returns: true },
          });
          for (const p of purchases) {
            const accruals = await db.prisma.ledgerEntry.findMany({ where: { purchaseId: p.id, kind: "accrual" } });
            expect(accruals.reduce((sum, e) => sum + e.points, 0)).toBe(p.pointsAccrued);
            expect(accruals.length).toBeLessThanOrEqual(1);
            expect(p.returns.reduce((sum, r) => sum + r.amount, 0)).toBe(p.returnedAmount);
            expect(p.returnedAmount).toBeLessThanOrEqual(p.amount);
          }
        },
      ),
      // Shrinking stops at PROPERTY_MS and reports the smallest case found by then: each try replays a
      // race, and an unbounded shrink outlasted the test's timeout, so a real failure (a redelivered
      // challenge reversal taking more, 2026-12) read as a hang. PROPERTY_NO_SHRINK=1 reports the first
      // failing case as drawn.
      {
        examples: [[everyKindOnce]],
        numRuns: Number(process.env.PROPERTY_RUNS ?? 25),
        endOnFailure: process.env.PROPERTY_NO_SHRINK === "1",
        plugins: [fc.interruptAfterTimeLimit(PROPERTY_MS, { failOnInterrupt: true })],
      },
    );
    console.log(`property run: ${JSON.stringify({ ...succeeded, ...succeededRewards })}`);
    // The runs did real work, not just refusals: everyKindOnce does each kind, the draws most of them.
    expect(succeeded.purchase).toBeGreaterThan(10);
    expect(succeeded.spend).toBeGreaterThan(0);
    expect(succeeded.return).toBeGreaterThan(0);
    expect(succeeded.review).toBeGreaterThan(0);
    expect(succeededRewards.challenge).toBeGreaterThan(0);
    expect(succeededRewards.reversal).toBeGreaterThan(0);
    expect(succeededRewards.referral).toBeGreaterThan(0);
  });
});
