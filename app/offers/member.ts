import { randomInt } from "node:crypto";
import { DomainError, evaluate, giftCode, type Leaf, reasonOrder, reasons } from "../../domain/index.js";
import { memberFacts } from "../conditions/sql.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";
import { type OfferView, readOffer, toView } from "./manage.js";

/** An offer as the shopper sees it in /offers. */
export interface MemberOffer {
  offer: OfferView;
  /** Why they got it: the condition's leaves they satisfy, the most telling first. */
  reasons: Leaf[];
  activated: boolean;
  /** A gift's code, once activated. */
  giftCode: string | null;
  usesLeft: number;
  /** Where it applies: store names of a pilot (empty: everywhere). */
  stores: string[];
}

/** The offers open to a member now, read with their one round trip of history. */
async function openOffers(tx: SqlTx, memberId: number, now: Date) {
  return tx.many<Parameters<typeof toView>[0] & { activatedAt: unknown; uses: number | null; giftCode: string | null }>(
    sql`SELECT o.id, o.status, o."titleRu", o."titleEn", o."textRu", o."textEn", o.picture, o.condition, o.reward,
      to_char(o."startsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startsAt",
      to_char(o."endsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endsAt",
      o."storeIds", o.regions, o."budgetPoints", o."budgetRedemptions", o."spentPoints", o.redemptions,
      o."perMemberLimit", o."needsActivation", o."memberId", o.trigger, o."createdBy",
      om."activatedAt", om.uses, om."giftCode"
    FROM "Offer" o LEFT JOIN "OfferMember" om ON om."offerId" = o.id AND om."memberId" = ${memberId}
    WHERE o.status = 'active' AND (o."memberId" IS NULL OR o."memberId" = ${memberId})
      AND o."startsAt" <= ${now}::timestamp AND o."endsAt" > ${now}::timestamp
      AND coalesce(om.uses, 0) < o."perMemberLimit"
      AND (o."budgetPoints" IS NULL OR o."spentPoints" < o."budgetPoints")
      AND (o."budgetRedemptions" IS NULL OR o.redemptions < o."budgetRedemptions")
    ORDER BY o."endsAt", o.id`,
  );
}

/** The shopper's side: their offers with the reasons, and activating one. */
export function createMemberOffers(ctx: ServiceContext) {
  const { db, program } = ctx;

  async function list(memberId: number): Promise<MemberOffer[]> {
    return db.unitOfWork(async (tx) => {
      const now = ctx.now();
      const rows = await openOffers(tx, memberId, now);
      if (!rows.length) return [];
      const facts = (await memberFacts(tx, [memberId], now, program)).get(memberId);
      if (!facts) return [];
      const storeIds = [...new Set(rows.flatMap((r) => r.storeIds ?? []))];
      const names = new Map(
        (storeIds.length
          ? await tx.many<{ id: number; name: string }>(
              sql`SELECT id, name FROM "Store" WHERE id = ANY(${storeIds}::int[])`,
            )
          : []
        ).map((s) => [s.id, s.name]),
      );
      const out: MemberOffer[] = [];
      for (const r of rows) {
        const offer = toView(r);
        const activated = r.activatedAt != null;
        // An activated offer stays listed even if the member no longer qualifies: they were promised it.
        if (!activated && !evaluate(offer.condition, facts)) continue;
        out.push({
          offer,
          reasons: reasonOrder(reasons(offer.condition, facts)),
          activated: activated || !offer.needsActivation,
          giftCode: r.giftCode,
          usesLeft: offer.perMemberLimit - (r.uses ?? 0),
          stores: offer.storeIds.map((id) => names.get(id) ?? "").filter(Boolean),
        });
      }
      return out;
    });
  }

  /**
   * Activates an offer for a member who qualifies now; again: nothing new.
   * A gift gets its code here, the one the cashier will ask for.
   */
  async function activate(memberId: number, offerId: number): Promise<MemberOffer> {
    await db.unitOfWork(async (tx) => {
      const now = ctx.now();
      const o = await readOffer(tx, offerId);
      if (
        o.status !== "active" ||
        o.startsAt > now ||
        o.endsAt <= now ||
        (o.memberId !== null && o.memberId !== memberId)
      )
        throw new DomainError("OFFER.BAD_STATE", "this offer is not open", { offerId });
      const facts = (await memberFacts(tx, [memberId], now, program)).get(memberId);
      const prior = await tx.one<{ activatedAt: unknown }>(sql`
        SELECT "activatedAt" FROM "OfferMember" WHERE "offerId" = ${offerId} AND "memberId" = ${memberId}`);
      if (prior?.activatedAt != null) return;
      if (!facts || !evaluate(o.condition, facts))
        throw new DomainError("OFFER.NOT_ELIGIBLE", "the member does not qualify for this offer", { offerId });
      const code = o.reward.kind === "gift" ? giftCode(() => randomInt(1_000_000) / 1_000_000) : null;
      await tx.many(sql`
        INSERT INTO "OfferMember" ("offerId", "memberId", "activatedAt", "giftCode", "createdAt")
        VALUES (${offerId}, ${memberId}, ${now}::timestamp, ${code}, ${now}::timestamp)
        ON CONFLICT ("offerId", "memberId") DO UPDATE
          SET "activatedAt" = coalesce("OfferMember"."activatedAt", EXCLUDED."activatedAt"),
              "giftCode" = coalesce("OfferMember"."giftCode", EXCLUDED."giftCode")`);
    });
    const mine = (await list(memberId)).find((m) => m.offer.id === offerId);
    if (!mine) throw new DomainError("OFFER.BAD_STATE", "this offer is not open", { offerId });
    return mine;
  }

  return { list, activate };
}
