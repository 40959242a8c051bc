import { DomainError } from "./errors.js";

/**
 * Money is integer kopecks and points are integer points, everywhere.
 * Rates and shares are integer basis points (1 bp = 0.01 %), so no rule ever
 * touches a float.
 */

/** Largest amount accepted for one receipt: 10^9 kopecks = 10 million ₽. */
export const MAX_AMOUNT_KOPECKS = 1_000_000_000;
export const BP = 10_000;

export function assertAmount(value: unknown, field = "amount"): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_AMOUNT_KOPECKS) {
    throw new DomainError(
      "INPUT.INVALID_AMOUNT",
      `${field} must be a whole number of kopecks from 1 to ${MAX_AMOUNT_KOPECKS}, got ${String(value)}`,
      { field, value, max: MAX_AMOUNT_KOPECKS },
    );
  }
}

export function assertPoints(value: unknown, field = "points"): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > MAX_AMOUNT_KOPECKS) {
    throw new DomainError("INPUT.INVALID_POINTS", `${field} must be a positive whole number, got ${String(value)}`, {
      field,
      value,
    });
  }
}

/** floor(amount × bp / 10 000), exact for any amount up to 10^9 and bp up to 10^4. */
export function applyBp(amountKopecks: number, bp: number): number {
  return Math.floor((amountKopecks * bp) / BP);
}

/** Whole points worth at most `kopecks` (never rounds up: points are never over-issued). */
export function kopecksToPoints(kopecks: number, pointValueKopecks: number): number {
  return Math.floor(kopecks / pointValueKopecks);
}

/**
 * A cashier's "1250", "1 250,50" or "1250.5" (rubles) → kopecks; null when it
 * is not a positive amount with at most two decimals.
 */
export function parseRubles(text: string): number | null {
  const t = text.replace(/[\s\u00a0₽]|руб\.?/g, "").replace(",", ".");
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  const kopecks = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return kopecks > 0 && kopecks <= MAX_AMOUNT_KOPECKS ? kopecks : null;
}
