import { createBirthdayBonus } from "../birthdays/bonus.js";
import { createChallengeService } from "../challenges/index.js";
import { createBroadcastService } from "../broadcasts/service.js";
import { createReferralReview } from "../referrals/review.js";
import { createOfferService } from "../offers/index.js";
import { createReferralService } from "../referrals/service.js";
import { createReviewService } from "../reviews/service.js";
import { createNpsSurveys } from "../surveys/nps.js";
import { defaultOutbox, type Outbox } from "../events/outbox.js";
import type { ServiceContext } from "./context.js";
import { createCardService } from "./cards.js";
import { createConversationStore } from "./conversations.js";
import { createCashierService } from "./cashier.js";
import { createExpiryService } from "./expiry.js";
import { createHealthService } from "./health.js";
import { createMemberService } from "./members.js";
import { createPurchaseService } from "./purchases.js";
import { createRedemptionService } from "./redemptions.js";
import { createApiKeyService, createStaffService } from "./staff.js";
import { createStoreService } from "./stores.js";
import { createUpdateLog } from "./updates.js";
import { createDashboardAuth } from "./dashboard-auth.js";
import { createSupportService } from "./support.js";
import { createMetricsService } from "../metrics/index.js";

export { auditLedger, CLEAN_AUDIT, type LedgerAudit } from "./audit.js";
export type { ServiceContext } from "./context.js";
export type { Card } from "./cards.js";
export type { Role, VerifiedKey } from "./staff.js";
export type { DashboardRole } from "./dashboard-auth.js";
export type { MetricsScope } from "../metrics/index.js";
export type { FoundStore, NearbyStore, StorePoint } from "./stores.js";
export { loadTiers } from "./program.js";

export type ServiceInput = Omit<ServiceContext, "outbox"> & { outbox?: Outbox };

/**
 * The application services every transport (bot, HTTP API, CLI) calls. The
 * database stays behind them: transports see use cases and read-only program
 * rules, never the context the services run in.
 */
export function createServices(
  input: ServiceInput,
  opts: { adminIds?: Iterable<string | number>; marketerIds?: Iterable<string | number> } = {},
) {
  const ctx: ServiceContext = { ...input, outbox: input.outbox ?? defaultOutbox() };
  const members = createMemberService(ctx);
  const purchases = createPurchaseService(ctx);
  const redemptions = createRedemptionService(ctx);
  const cards = createCardService(ctx);
  const referrals = createReferralService(ctx);
  const adminIds = new Set([...(opts.adminIds ?? [])].map(String));
  return {
    /** The program's rules (read-only): tiers, caps, bonuses. */
    program: ctx.program,
    members,
    purchases,
    cashier: createCashierService(ctx, purchases, redemptions),
    redemptions,
    expiry: createExpiryService(ctx),
    cards,
    stores: createStoreService(ctx),
    staff: createStaffService(ctx, adminIds),
    apiKeys: createApiKeyService(ctx),
    updates: createUpdateLog(ctx),
    conversations: createConversationStore(ctx),
    health: createHealthService(ctx),
    broadcasts: createBroadcastService(ctx),
    surveys: { nps: createNpsSurveys(ctx) },
    reviews: createReviewService(ctx),
    birthdays: createBirthdayBonus(ctx),
    referrals,
    referralReview: createReferralReview(ctx, referrals),
    challenges: createChallengeService(ctx),
    offers: createOfferService(ctx),
    metrics: createMetricsService(ctx),
    support: createSupportService(ctx, cards),
    dashboardAuth: createDashboardAuth(ctx, {
      adminIds,
      marketerIds: new Set([...(opts.marketerIds ?? [])].map(String)),
    }),
  };
}
export type Services = ReturnType<typeof createServices>;
