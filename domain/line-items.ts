import { DomainError } from "./errors.js";
import { assertAmount } from "./money.js";
import type { LineItem } from "./accrual.js";

export const MAX_LINE_ITEMS = 500;
const MAX_CODE = 64;

/**
 * A receipt's lines as offers and triggers read them: each names a SKU and a
 * category (1–64 characters, not blank) and a whole positive amount; together
 * they may not exceed the receipt. Lines may cover only part of it (a till
 * that itemizes some goods): the rest earns by the store's economics. Checked
 * before anything is written, so a bad receipt leaves no trace.
 */
export function checkLineItems(amountKopecks: number, items: readonly LineItem[]): void {
  if (items.length > MAX_LINE_ITEMS)
    throw new DomainError("INPUT.INVALID", `a receipt has at most ${MAX_LINE_ITEMS} lines`, { field: "items" });
  let total = 0;
  items.forEach((i, n) => {
    assertAmount(i.amountKopecks, `items.${n}.amount`);
    for (const field of ["sku", "category"] as const) {
      const v = i[field];
      if (typeof v !== "string" || v.trim() === "" || v.length > MAX_CODE)
        throw new DomainError("INPUT.INVALID", `every line needs a ${field} of 1 to ${MAX_CODE} characters`, {
          field: `items.${n}.${field}`,
        });
    }
    total += i.amountKopecks;
  });
  if (total > amountKopecks)
    throw new DomainError("PURCHASE.ITEMS_EXCEED_AMOUNT", "line items add up to more than the receipt", {
      itemsTotal: total,
      amountKopecks,
    });
}
