/**
 * Kopilka's business rules: pure functions over plain values. Nothing here
 * knows about Telegram, HTTP or the database (a dependency-cruiser rule in CI
 * keeps it that way); application services in app/ run these rules inside a
 * database transaction.
 */
export * from "./accrual.js";
export * from "./big-purchase.js";
export * from "./cashier-input.js";
export * from "./errors.js";
export * from "./geo.js";
export * from "./hours.js";
export * from "./ledger.js";
export * from "./money.js";
export * from "./phone.js";
export * from "./program.js";
export * from "./purchase-time.js";
export * from "./redemption.js";
export * from "./returns.js";
export * from "./tiers.js";
export * from "./events.js";
export * from "./locale.js";
export * from "./messaging.js";
export * from "./broadcasts.js";
export * from "./telegram-html.js";
export * from "./experiments.js";
export * from "./metrics/index.js";
export * from "./birthdays.js";
export * from "./conditions.js";
export * from "./surveys.js";
export * from "./reviews.js";
export * from "./referrals.js";
export * from "./challenges.js";
export * from "./line-items.js";
export * from "./offers.js";
export * from "./triggers.js";
