import { challengesMovedBy, isDomainError } from "../../domain/index.js";
import { type Sql, sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { lockMember, postEntry } from "../services/ledger.js";
import { challengeFacts } from "./facts.js";
import { dueRounds, purchaseFactsOptions } from "./weigh.js";

export interface Completed {
  completionId: number;
  challenge: string;
  points: number;
  badge: string | null;
}

/**
 * After a purchase: every challenge that counts it (domain
 * challengesMovedBy) and whose goal the member's purchases now meet is
 * completed — a completion row (unique per member, challenge and round) and,
 * for points, a ledger credit under the same identity — and the celebration
 * is queued, all in one unit of work with the member locked. Running it
 * again (a redelivered event, a retried job) finds the round done and
 * changes nothing. The purchase weighed its challenges in its own unit of
 * work and its event names those it met (app/challenges/weigh.ts): only
 * they are weighed again here, under the lock, and a purchase that met none
 * reads nothing. An event written before purchases weighed them is weighed
 * here first, with one read outside a transaction.
 */
export function createCompleteChallenges(ctx: ServiceContext) {
  const { db, program } = ctx;
  return async function completeChallenges(purchase: {
    memberId: number;
    storeId: number;
    at: Date;
    categories?: readonly string[] | undefined;
    /** The challenges the purchase met when it was written (its event's); absent in events written before. */
    challengesMet?: readonly string[] | undefined;
  }): Promise<Completed[]> {
    const { memberId, challengesMet } = purchase;
    if (challengesMet?.length === 0) return []; // weighed by the purchase: nothing met
    const met = challengesMet && new Set(challengesMet);
    const candidates = challengesMovedBy(program.gamification.challenges, purchase).filter(
      (c) => !met || met.has(c.code),
    );
    if (candidates.length === 0) return [];
    const now = ctx.now();
    const lean = purchaseFactsOptions(purchase.at);
    if (!met) {
      // Most purchases complete nothing: one read, no lock. Only when something is due does the member's
      // row get locked and the facts read again under it (the last purchase's reaction always sees them all).
      // One statement outside a transaction (a consistent snapshot on its own): no BEGIN or COMMIT to pay for.
      const reader = { one: async <T>(q: Sql) => (await db.read<T>(q))[0] };
      const glance = await challengeFacts(reader, program, memberId, candidates, lean);
      if (dueRounds(candidates, glance).length === 0) return [];
    }
    return db.unitOfWork(async (tx) => {
      const member = await lockMember(tx, memberId).catch((e: unknown) => {
        if (isDomainError(e)) return null; // deleted meanwhile: nothing to celebrate
        throw e;
      });
      if (!member) return [];
      const done: Completed[] = [];
      for (const { c, round, completedBy } of dueRounds(
        candidates,
        await challengeFacts(tx, program, memberId, candidates, lean),
      )) {
        const row = await tx.one<{ id: number }>(sql`
          INSERT INTO "ChallengeCompletion" ("memberId", challenge, round, "purchaseIds", points, badge, "completedAt")
          VALUES (${memberId}, ${c.code}, ${round}, ${completedBy}::int[], ${c.reward.points},
                  ${c.reward.badge?.code ?? null}, ${now}::timestamp)
          ON CONFLICT ("memberId", challenge, round) DO NOTHING RETURNING id`);
        if (!row) continue;
        let balance = member.balance;
        if (c.reward.points > 0) {
          const e = await postEntry(tx, program, {
            memberId,
            kind: "challenge",
            points: c.reward.points,
            idempotencyKey: `challenge:${memberId}:${c.code}:${round}`,
            at: now,
            note: c.code,
          });
          balance = e.balanceAfter;
          member.balance = balance;
        }
        done.push({
          completionId: row.id,
          challenge: c.code,
          points: c.reward.points,
          badge: c.reward.badge?.code ?? null,
        });
        await enqueue(
          tx,
          now,
          [
            {
              name: "challenge.tell",
              key: `challenge-tell:${row.id}`,
              runAt: now,
              payload: {
                memberId,
                notice: {
                  kind: "challenge-completed",
                  title: c.title,
                  points: c.reward.points,
                  badge: c.reward.badge ? { emoji: c.reward.badge.emoji, name: c.reward.badge.name } : null,
                  balance,
                },
              },
            },
          ],
          ctx.outbox.wake,
        );
      }
      return done;
    });
  };
}
