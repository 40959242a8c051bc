import { challengesMovedBy, isDomainError, sharesReturnedBefore } from "../../domain/index.js";
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
        // Returns made before the reward are not taken back from it (sharesReturnedBefore): noted as
        // weighed, with their part of each share, so their reactions — late or run again — take nothing.
        const returned = await tx.one<{
          purchases: { id: number; amount: number; returned: number }[];
          returns: number[];
        }>(sql`
          SELECT (SELECT json_agg(json_build_object('id', id, 'amount', amount, 'returned', "returnedAmount"))
                  FROM "Purchase" WHERE id = ANY(${completedBy}::int[])) AS purchases,
                 (SELECT COALESCE(array_agg(id), '{}') FROM "Return" WHERE "purchaseId" = ANY(${completedBy}::int[])) AS returns`);
        const byId = new Map((returned?.purchases ?? []).map((p) => [p.id, p]));
        const before = sharesReturnedBefore(
          c.reward.points,
          completedBy.map((id) => {
            const p = byId.get(id);
            if (!p) throw new Error(`unreachable: completing purchase ${id} not found under the member's lock`);
            return { amountKopecks: p.amount, returnedKopecks: p.returned };
          }),
        );
        const row = await tx.one<{ id: number }>(sql`
          INSERT INTO "ChallengeCompletion" ("memberId", challenge, round, "purchaseIds", points, badge, "completedAt",
                                             "reversedByPurchase", "reversedReturns")
          VALUES (${memberId}, ${c.code}, ${round}, ${completedBy}::int[], ${c.reward.points},
                  ${c.reward.badge?.code ?? null}, ${now}::timestamp, ${before}::int[], ${returned?.returns ?? []}::int[])
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
