import type { Program } from "./program.js";

/**
 * A cashier's typo costs the chain real points ("1000000" instead of
 * "1000,00" once posted 50,000 points), so an unusual amount gets a second
 * look before it posts: above the configured limit, or above a multiple of
 * what this member usually spends.
 */

/** Purchases it takes before "usual" means anything. */
export const USUAL_BASKET_MIN_PURCHASES = 3;

/** The member's usual basket: the median of their recent receipts (kopecks), or null with too few. */
export function usualBasket(amountsKopecks: readonly number[]): number | null {
  if (amountsKopecks.length < USUAL_BASKET_MIN_PURCHASES) return null;
  const sorted = [...amountsKopecks].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : Math.floor(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

export type ConfirmReason =
  { reason: "above-limit"; limitKopecks: number } | { reason: "above-usual"; usualKopecks: number; multiple: number };

/** Why this purchase needs the cashier's confirmation, or null when it may post at once. */
export function purchaseNeedsConfirmation(
  program: Program,
  amountKopecks: number,
  usualKopecks: number | null,
): ConfirmReason | null {
  const { confirmAboveKopecks, confirmBasketMultiple } = program.cashier;
  if (amountKopecks > confirmAboveKopecks) return { reason: "above-limit", limitKopecks: confirmAboveKopecks };
  if (usualKopecks !== null && amountKopecks > usualKopecks * confirmBasketMultiple)
    return { reason: "above-usual", usualKopecks, multiple: confirmBasketMultiple };
  return null;
}
