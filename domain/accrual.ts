import { DomainError } from "./errors.js";
import { applyBp, assertAmount, BP, kopecksToPoints } from "./money.js";
import type { Economics, Program, Tier } from "./program.js";
import { tierForSpend } from "./tiers.js";

export interface LineItem {
  sku: string;
  category: string;
  amountKopecks: number;
}

export interface AccrualInput {
  program: Program;
  storeId: number;
  /** Receipt total. */
  amountKopecks: number;
  /** Points already spent on this receipt: they are not money and earn nothing. */
  pointsRedeemed: number;
  items: readonly LineItem[];
  /** Net spend in the tier window before this purchase. */
  spendBeforeKopecks: number;
}

export interface Accrual {
  tier: Tier;
  rateBp: number;
  /** Kopecks actually paid with money: the base that earns points. */
  paidKopecks: number;
  /** Points at the tier rate, before the economics guard. */
  tierPoints: number;
  /** The most points the margin allows for this purchase. */
  marginCapPoints: number;
  points: number;
  cappedByMargin: boolean;
}

/** Economics for a store (override) or the chain default. */
export function economicsFor(program: Program, storeId: number, category?: string): Economics {
  const e = program.economics;
  return (category !== undefined ? e.categories[category] : undefined) ?? e.stores[String(storeId)] ?? e.default;
}

/**
 * Margin of a receipt in kopecks: per line item by its category, the rest of
 * the receipt by the store's (or the chain's) cost and acquisition shares.
 * Article's example: price 10,000, cost 40 %, acquisition 20 % → margin 4,000.
 */
export function marginKopecks(program: Program, storeId: number, amountKopecks: number, items: readonly LineItem[]) {
  const itemsTotal = items.reduce((s, i) => s + i.amountKopecks, 0);
  if (itemsTotal > amountKopecks) {
    throw new DomainError("PURCHASE.ITEMS_EXCEED_AMOUNT", "line items add up to more than the receipt", {
      itemsTotal,
      amountKopecks,
    });
  }
  const marginOf = (amount: number, e: Economics) => applyBp(amount, BP - e.costShareBp - e.acquisitionShareBp);
  let margin = marginOf(amountKopecks - itemsTotal, economicsFor(program, storeId));
  for (const i of items) margin += marginOf(i.amountKopecks, economicsFor(program, storeId, i.category));
  return margin;
}

/**
 * Points for one purchase: floor(paid × tier rate), capped so the loyalty cost
 * stays within `maxLoyaltyShareOfMarginBp` of the margin on what was paid.
 */
export function computeAccrual(input: AccrualInput): Accrual {
  const { program, amountKopecks, pointsRedeemed, items, storeId } = input;
  assertAmount(amountKopecks);
  for (const i of items) assertAmount(i.amountKopecks, `items[${i.sku}].amount`);
  const paidKopecks = amountKopecks - pointsRedeemed * program.pointValueKopecks;
  if (paidKopecks < 0) throw new DomainError("REDEMPTION.CAP_EXCEEDED", "points paid for more than the receipt");
  const tier = tierForSpend(program.tiers, input.spendBeforeKopecks);
  const tierPoints = kopecksToPoints(applyBp(paidKopecks, tier.rateBp), program.pointValueKopecks);
  // margin on the paid part = margin × paid / amount; BigInt keeps the product exact.
  const margin = BigInt(marginKopecks(program, storeId, amountKopecks, items));
  const capKopecks =
    (margin * BigInt(paidKopecks) * BigInt(program.economics.maxLoyaltyShareOfMarginBp)) /
    (BigInt(amountKopecks) * BigInt(BP));
  const marginCapPoints = kopecksToPoints(Number(capKopecks), program.pointValueKopecks);
  const points = Math.min(tierPoints, marginCapPoints);
  return {
    tier,
    rateBp: tier.rateBp,
    paidKopecks,
    tierPoints,
    marginCapPoints,
    points,
    cappedByMargin: points < tierPoints,
  };
}
