import { DomainError } from "./errors.js";
import { applyBp, assertAmount, assertPoints, kopecksToPoints } from "./money.js";
import type { Program } from "./program.js";

export interface RedemptionQuoteInput {
  program: Program;
  receiptAmountKopecks: number;
  balance: number;
  /** Points already spent on the same receipt. */
  alreadyRedeemed: number;
}

export interface RedemptionQuote {
  /** Most points the receipt allows (share cap), before the balance. */
  receiptCapPoints: number;
  /** Most points that may be spent now: min(receipt cap − already spent, balance). */
  maxPoints: number;
}

export function quoteRedemption(i: RedemptionQuoteInput): RedemptionQuote {
  assertAmount(i.receiptAmountKopecks, "receiptAmount");
  const receiptCapPoints = kopecksToPoints(
    applyBp(i.receiptAmountKopecks, i.program.redemption.maxShareBp),
    i.program.pointValueKopecks,
  );
  const maxPoints = Math.max(0, Math.min(receiptCapPoints - i.alreadyRedeemed, i.balance));
  return { receiptCapPoints, maxPoints };
}

/** Throws unless `points` may be spent on the receipt now. */
export function checkRedemption(i: RedemptionQuoteInput & { points: number }): RedemptionQuote {
  assertPoints(i.points);
  const q = quoteRedemption(i);
  if (i.points > q.receiptCapPoints - i.alreadyRedeemed) {
    throw new DomainError(
      "REDEMPTION.CAP_EXCEEDED",
      `at most ${Math.max(0, q.receiptCapPoints - i.alreadyRedeemed)} points may pay for this receipt`,
      {
        requested: i.points,
        max: q.maxPoints,
        receiptCap: q.receiptCapPoints,
        capLeft: Math.max(0, q.receiptCapPoints - i.alreadyRedeemed),
        balance: i.balance,
        maxShareBp: i.program.redemption.maxShareBp,
      },
    );
  }
  if (i.points > i.balance) {
    throw new DomainError("LEDGER.INSUFFICIENT_POINTS", `balance is ${i.balance} points, ${i.points} requested`, {
      requested: i.points,
      balance: i.balance,
    });
  }
  return q;
}
