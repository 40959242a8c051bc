import { DomainError } from "./errors.js";
import { assertAmount } from "./money.js";

export interface ReturnablePurchase {
  amountKopecks: number;
  pointsAccrued: number;
  pointsRedeemed: number;
  returnedKopecks: number;
}

export interface ReturnPoints {
  /** Points of the accrual to take back. */
  pointsReversed: number;
  /** Points that paid for the returned goods, given back. */
  pointsRefunded: number;
}

/**
 * A return of `amount` reverses the accrual proportionally and gives back the
 * points that paid for the returned share. Both are computed on the cumulative
 * returned amount, so partial returns add up exactly to a full return and no
 * rounding is ever taken twice. Rounding favours the shopper: reversals round
 * down, refunds round up.
 */
export function computeReturn(p: ReturnablePurchase, amountKopecks: number): ReturnPoints {
  assertAmount(amountKopecks);
  const left = p.amountKopecks - p.returnedKopecks;
  if (amountKopecks > left) {
    throw new DomainError("RETURN.EXCEEDS_PURCHASE", `only ${left} kopecks of this receipt are left to return`, {
      requested: amountKopecks,
      returnable: left,
    });
  }
  const before = p.returnedKopecks;
  const after = before + amountKopecks;
  const share = (points: number, returned: number, up: boolean) => {
    const n = BigInt(points) * BigInt(returned);
    const d = BigInt(p.amountKopecks);
    return Number(up ? (n + d - 1n) / d : n / d);
  };
  return {
    pointsReversed: share(p.pointsAccrued, after, false) - share(p.pointsAccrued, before, false),
    pointsRefunded: share(p.pointsRedeemed, after, true) - share(p.pointsRedeemed, before, true),
  };
}
