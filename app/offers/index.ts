import type { ServiceContext } from "../services/context.js";
import { createGiftRedemption } from "./gift.js";
import { createOfferManagement } from "./manage.js";
import { createMemberOffers } from "./member.js";
import { createOfferPreview } from "./preview.js";
import { createTriggers } from "./triggers.js";

export type { AppliedOffer } from "./apply.js";
export type { RedeemedGift } from "./gift.js";
export type { OfferView } from "./manage.js";
export type { MemberOffer } from "./member.js";
export type { OfferPreview } from "./preview.js";

/** Offers: the marketer's side (create, preview, start, pause, end, audited) and the shopper's (list, activate). */
export function createOfferService(ctx: ServiceContext) {
  return {
    ...createOfferManagement(ctx),
    preview: createOfferPreview(ctx),
    forMember: createMemberOffers(ctx),
    triggers: createTriggers(ctx),
    gifts: createGiftRedemption(ctx),
  };
}
export type OfferService = ReturnType<typeof createOfferService>;
