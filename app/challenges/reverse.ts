import { challengeReversalTarget, isDomainError, rewardShares } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { lockMember, postEntry } from "../services/ledger.js";

/**
 * After a return: each completed challenge that this purchase helped complete
 * gives back the purchase's share of its points, in proportion to the part
 * of the receipt returned so far (domain/challenges.ts), minus what was
 * taken back for it before (a completion starts with the part returned
 * before the reward counted as taken: app/challenges/complete.ts) — so a
 * retried or replayed reaction takes nothing twice, whatever the order. What the balance cannot cover (points already
 * spent) waits: the next return of that purchase tries again, not a
 * redelivery of this one (each completion notes the returns it was weighed
 * for), so a reaction's outcome never depends on how often it ran. A badge is
 * not split: it stays through partial returns and is no longer shown once
 * a completing purchase is returned in full — the goal is then not met, as
 * before the reward (app/challenges/overview.ts).
 */
export function createReverseChallenges(ctx: ServiceContext) {
  const { db, program } = ctx;
  return async function reverseChallenges(e: {
    returnId: number;
    purchaseId: number;
    memberId: number;
  }): Promise<{ points: number; balance: number } | null> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      // Locked before reading, so two reactions for one member take turns on what is left to take back.
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
        reversedByPurchase: number[] | null;
      }>(sql`
        SELECT id, challenge, "purchaseIds", points, "reversedPoints", "reversedByPurchase" FROM "ChallengeCompletion"
        WHERE "memberId" = ${e.memberId} AND ${e.purchaseId}::int = ANY("purchaseIds") AND points > "reversedPoints"
          AND (${e.returnId}::int = ANY("reversedReturns")) IS NOT TRUE
        ORDER BY id`);
      if (completions.length === 0) return null;
      const purchase = await tx.one<{ amount: number; returnedAmount: number }>(
        sql`SELECT amount, "returnedAmount" FROM "Purchase" WHERE id = ${e.purchaseId}`,
      );
      if (!purchase) return null;
      let taken = 0;
      let balance = member.balance;
      for (const c of completions) {
        const i = c.purchaseIds.indexOf(e.purchaseId);
        const share = rewardShares(c.points, c.purchaseIds.length)[i] ?? 0;
        const before = c.reversedByPurchase?.[i] ?? 0;
        const target = challengeReversalTarget(share, purchase.amount, purchase.returnedAmount);
        const points = Math.max(0, Math.min(target - before, c.points - c.reversedPoints, balance));
        if (points > 0)
          await postEntry(tx, program, {
            memberId: e.memberId,
            kind: "challenge",
            points: -points,
            // What was taken before is part of the key: each step is its own entry, and a step is posted once.
            idempotencyKey: `challenge-reversal:${c.id}:${e.purchaseId}:${before}`,
            at: now,
            returnId: e.returnId,
            note: c.challenge,
          });
        // Noted as weighed for this return even when nothing could be taken.
        const per = c.purchaseIds.map((_, k) => (k === i ? before + points : (c.reversedByPurchase?.[k] ?? 0)));
        await tx.many(sql`UPDATE "ChallengeCompletion"
          SET "reversedPoints" = "reversedPoints" + ${points}::int, "reversedByPurchase" = ${per}::int[],
            "reversedReturns" = array_append("reversedReturns", ${e.returnId}::int) WHERE id = ${c.id}`);
        taken += points;
        balance -= points;
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
