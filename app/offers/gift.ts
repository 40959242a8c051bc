import { DomainError } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";

/** A gift the cashier handed over. */
export interface RedeemedGift {
  offerId: number;
  memberId: number;
  code: string;
  title: { ru: string; en: string };
  gift: { ru: string; en: string };
  storeId: number;
  redeemedAt: Date;
}

/** What a shopper shows at the till, as a cashier may type it: case, spaces and dashes do not matter. */
export const normalizeGiftCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, "");

/**
 * The cashier's side of a gift offer: the code the shopper got on activation
 * (app/offers/member.ts) is handed over once, in a store of the offer's
 * pilot, while the offer runs. The code's row is locked, so two tills typing
 * it at the same moment hand over one gift; the offer's row only when it has
 * a redemptions budget.
 */
export function createGiftRedemption(ctx: ServiceContext) {
  async function redeem(input: { storeId: number; code: string }): Promise<RedeemedGift> {
    const code = normalizeGiftCode(input.code);
    if (!/^[A-Z0-9]{1,64}$/.test(code))
      throw new DomainError("GIFT.NOT_FOUND", "no gift with this code", { code: input.code.slice(0, 64) });
    return ctx.db.unitOfWork(async (tx) => {
      const now = ctx.now();
      const g = await tx.one<{
        offerId: number;
        memberId: number;
        giftRedeemedAt: Date | null;
        giftStoreId: number | null;
        giftStoreName: string | null;
        status: string;
        startsAt: Date;
        endsAt: Date;
        updatedAt: Date;
        storeIds: number[] | null;
        regions: string[] | null;
        budgeted: boolean;
        reward: { kind: string; giftRu?: string; giftEn?: string };
        titleRu: string;
        titleEn: string;
        storeRegion: string | null;
        storeActive: boolean | null;
      }>(sql`
        SELECT om."offerId", om."memberId", om."giftRedeemedAt", om."giftStoreId",
          (SELECT name FROM "Store" WHERE id = om."giftStoreId") AS "giftStoreName",
          o.status, o."startsAt", o."endsAt", o."updatedAt", o."storeIds", o.regions, o.reward, o."titleRu", o."titleEn",
          o."budgetRedemptions" IS NOT NULL AS budgeted,
          (SELECT region FROM "Store" WHERE id = ${input.storeId}) AS "storeRegion",
          (SELECT active FROM "Store" WHERE id = ${input.storeId}) AS "storeActive"
        FROM "OfferMember" om JOIN "Offer" o ON o.id = om."offerId"
        WHERE om."giftCode" = ${code}
        FOR UPDATE OF om`);
      if (!g || g.reward.kind !== "gift") throw new DomainError("GIFT.NOT_FOUND", "no gift with this code", { code });
      if (g.storeActive === null)
        throw new DomainError("STORE.NOT_FOUND", `no store ${input.storeId}`, { storeId: input.storeId });
      if (g.giftRedeemedAt !== null)
        throw new DomainError("GIFT.ALREADY_REDEEMED", "this gift was already handed over", {
          code,
          redeemedAt: g.giftRedeemedAt.toISOString(),
          storeId: g.giftStoreId,
          storeName: g.giftStoreName,
        });
      if (g.status === "ended" || g.endsAt <= now) {
        // Ended early by the marketer: it ended then, not at the end of its window.
        const ended = g.status === "ended" && g.updatedAt < g.endsAt ? g.updatedAt : g.endsAt;
        throw new DomainError("GIFT.EXPIRED", "the offer of this gift has ended", {
          code,
          endsAt: ended.toISOString(),
        });
      }
      if (g.status !== "active" || g.startsAt > now)
        throw new DomainError("GIFT.NOT_ACTIVE", "the offer of this gift is not running now", { code });
      const stores = g.storeIds ?? [];
      const regions = g.regions ?? [];
      const inScope =
        (stores.length === 0 || stores.includes(input.storeId)) &&
        (regions.length === 0 || (g.storeRegion !== null && regions.includes(g.storeRegion)));
      if (!inScope)
        throw new DomainError("GIFT.WRONG_STORE", "this gift is handed over only in the offer's stores", {
          code,
          storeId: input.storeId,
        });
      if (g.budgeted) {
        const took = await tx.one<{ id: number }>(sql`
          UPDATE "Offer" SET redemptions = redemptions + 1
          WHERE id = ${g.offerId} AND redemptions < "budgetRedemptions" RETURNING id`);
        if (!took) throw new DomainError("GIFT.EXPIRED", "the offer's gifts have all been handed over", { code });
      }
      await tx.many(sql`
        UPDATE "OfferMember" SET "giftRedeemedAt" = ${now}::timestamp, "giftStoreId" = ${input.storeId},
          uses = uses + 1
        WHERE "offerId" = ${g.offerId} AND "memberId" = ${g.memberId}`);
      return {
        offerId: g.offerId,
        memberId: g.memberId,
        code,
        title: { ru: g.titleRu, en: g.titleEn },
        gift: { ru: g.reward.giftRu ?? "", en: g.reward.giftEn ?? "" },
        storeId: input.storeId,
        redeemedAt: now,
      };
    });
  }
  return { redeem };
}
