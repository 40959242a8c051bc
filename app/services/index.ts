import type { ServiceContext } from "./context.js";
import { createCardService } from "./cards.js";
import { createExpiryService } from "./expiry.js";
import { createMemberService } from "./members.js";
import { createPurchaseService } from "./purchases.js";
import { createRedemptionService } from "./redemptions.js";
import { createApiKeyService, createStaffService } from "./staff.js";
import { createStoreService } from "./stores.js";
import { createDashboardAuth } from "./dashboard-auth.js";
import { createSupportService } from "./support.js";
import { createMetricsService } from "../metrics/index.js";

export { auditLedger } from "./audit.js";
export type { ServiceContext } from "./context.js";
export type { Card } from "./cards.js";
export type { Role, VerifiedKey } from "./staff.js";
export type { DashboardRole } from "./dashboard-auth.js";
export type { MetricsScope } from "../metrics/index.js";
export type { NearbyStore, StorePoint } from "./stores.js";
export { loadTiers } from "./program.js";

/** The application services every transport (bot, HTTP API, CLI) calls. */
export function createServices(
  ctx: ServiceContext,
  opts: { adminIds?: Iterable<string | number>; marketerIds?: Iterable<string | number> } = {},
) {
  const members = createMemberService(ctx);
  const cards = createCardService(ctx);
  const adminIds = new Set([...(opts.adminIds ?? [])].map(String));
  return {
    ctx,
    members,
    purchases: createPurchaseService(ctx),
    redemptions: createRedemptionService(ctx),
    expiry: createExpiryService(ctx),
    cards,
    stores: createStoreService(ctx),
    staff: createStaffService(ctx, adminIds),
    apiKeys: createApiKeyService(ctx),
    metrics: createMetricsService(ctx),
    support: createSupportService(ctx, cards),
    dashboardAuth: createDashboardAuth(ctx, {
      adminIds,
      marketerIds: new Set([...(opts.marketerIds ?? [])].map(String)),
    }),
  };
}
export type Services = ReturnType<typeof createServices>;
