import type { ServiceContext } from "./context.js";
import { createCardService } from "./cards.js";
import { createExpiryService } from "./expiry.js";
import { createMemberService } from "./members.js";
import { createPurchaseService } from "./purchases.js";
import { createRedemptionService } from "./redemptions.js";
import { createApiKeyService, createStaffService } from "./staff.js";
import { createStoreService } from "./stores.js";

export { auditLedger } from "./audit.js";
export type { ServiceContext } from "./context.js";
export type { Card } from "./cards.js";
export type { Role } from "./staff.js";
export type { NearbyStore, StorePoint } from "./stores.js";
export { loadTiers } from "./program.js";

/** The application services every transport (bot, HTTP API, CLI) calls. */
export function createServices(ctx: ServiceContext, opts: { adminIds?: Iterable<string | number> } = {}) {
  const members = createMemberService(ctx);
  return {
    ctx,
    members,
    purchases: createPurchaseService(ctx),
    redemptions: createRedemptionService(ctx),
    expiry: createExpiryService(ctx),
    cards: createCardService(ctx),
    stores: createStoreService(ctx),
    staff: createStaffService(ctx, new Set([...(opts.adminIds ?? [])].map(String))),
    apiKeys: createApiKeyService(ctx),
  };
}
export type Services = ReturnType<typeof createServices>;
