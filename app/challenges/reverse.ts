import { challengeReversal, isDomainError, rewardShares } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { lockMember, postEntry } from "../services/ledger.js";

/**
 * After a return: each completed challenge that this purchase helped complete
 * gives back the purchase's share of its points, in proportion to the part
 * of the receipt returned (cumulatively, like an accrual's reversal, so
 * partial returns add up to a full one). What the balance cannot cover —
 * points already spent — is not collected, as with a purchase's own points.
 * One ledger entry per completion and return: a retried job posts nothing
 * twice. Badges stay: they mark a moment, they are not money.
 */
export function createReverseChallenges(ctx: ServiceContext) {
  const { db, program } = ctx;
  return async function reverseChallenges(e: {
    returnId: number;
    purchaseId: number;
    memberId: number;
    amountKopecks: number;
  }): Promise<{ points: number; balance: number } | null> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      // Locked before reading, so two returns of one purchase take turns on what is left to take back.
      const member = await lockMember(tx, e.memberId, { includeDeleted: true }).catch((err: unknown) => {
        if (isDomainError(err)) return null;
        throw err;
      });
      if (!member) return null;
      const completions = await tx.many<{
        id: number;
        challenge: string;
        purchaseIds: number[];
        points: number;
        reversedPoints: number;
      }>(sql`
        SELECT id, challenge, "purchaseIds", points, "reversedPoints" FROM "ChallengeCompletion"
        WHERE "memberId" = ${e.memberId} AND ${e.purchaseId}::int = ANY("purchaseIds") AND points > "reversedPoints"
        ORDER BY id`);
      if (completions.length === 0) return null;
      const purchase = await tx.one<{ amount: number; before: number }>(sql`
        SELECT p.amount, COALESCE((SELECT SUM(r.amount) FROM "Return" r WHERE r."purchaseId" = p.id AND r.id < ${e.returnId}), 0)::int AS before
        FROM "Purchase" p WHERE p.id = ${e.purchaseId}`);
      if (!purchase) return null;
      let taken = 0;
      let balance = member.balance;
      for (const c of completions) {
        const share = rewardShares(c.points, c.purchaseIds.length)[c.purchaseIds.indexOf(e.purchaseId)] ?? 0;
        const due = Math.min(
          challengeReversal(
            share,
            { amountKopecks: purchase.amount, returnedBeforeKopecks: purchase.before },
            e.amountKopecks,
          ),
          c.points - c.reversedPoints,
        );
        const points = Math.min(due, balance);
        if (points <= 0) continue;
        const entry = await postEntry(tx, program, {
          memberId: e.memberId,
          kind: "challenge",
          points: -points,
          idempotencyKey: `challenge-reversal:${c.id}:${e.returnId}`,
          at: now,
          returnId: e.returnId,
          note: c.challenge,
        });
        if (entry.replay) continue;
        await tx.many(
          sql`UPDATE "ChallengeCompletion" SET "reversedPoints" = "reversedPoints" + ${points}::int WHERE id = ${c.id}`,
        );
        taken += points;
        balance = entry.balanceAfter;
      }
      if (taken === 0) return null;
      await enqueue(
        tx,
        now,
        [
          {
            name: "challenge.tell",
            key: `challenge-tell:return:${e.returnId}`,
            runAt: now,
            payload: { memberId: e.memberId, notice: { kind: "challenge-reversed", points: taken, balance } },
          },
        ],
        ctx.outbox.wake,
      );
      return { points: taken, balance };
    });
  };
}
