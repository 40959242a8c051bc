import { type LineItem, type LiveOffer, rewardCanPay } from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";

/**
 * The general offers (for every member: no `memberId`, not a gift) that are
 * active, kept in memory per service so the till need not read 200 offer
 * rows on every receipt: each purchase filters them by window and pilot
 * stores here, and its first statement checks only what is the member's or
 * moves under purchases (activation, uses, what a budget has left, the
 * store's region) — and reads the catalog's version (`catalogVersion`).
 * A trigger moves that version on every change of an offer but a budget's
 * counters (prisma/migrations/…_offer_catalog), whichever process makes it;
 * a purchase that reads another version than the one kept reloads the
 * catalog and reads again (`OfferCatalog.current`), so it never applies
 * terms older than its own statement's. Personal offers (a trigger's, one
 * per member) are not kept: the statement reads the member's own by index.
 */
export interface CatalogOffer {
  id: number;
  condition: LiveOffer["condition"];
  reward: LiveOffer["reward"];
  titleRu: string;
  titleEn: string;
  startsAt: number;
  endsAt: number;
  storeIds: number[];
  regions: string[];
  needsActivation: boolean;
  perMemberLimit: number;
  budgeted: boolean;
  /** How far back its condition reads (null: all history), and whether it reads lines (domain/offers.ts). */
  historyDays: number | null;
  readsLines: boolean;
}

/** One version of the catalog (never changed: a newer version is a new object). */
export interface OfferCatalog {
  /** The version the offers below are of (text: an int8). */
  version: string | null;
  offers: CatalogOffer[];
  byId: Map<number, CatalogOffer>;
}

/** The catalog a service keeps: one per service (so per database); null until first loaded. */
export interface KeptCatalog {
  current: OfferCatalog | null;
}
export const keptCatalog = (): KeptCatalog => ({ current: null });

/** The column the till's first statement reads the version with. */
export const catalogVersion = sql`(SELECT version::text FROM "OfferCatalog" WHERE id = 1) AS "offerVersion"`;

/** Reads the catalog and its version in one statement (one snapshot: the offers are of that version). */
export async function loadCatalog(tx: SqlTx): Promise<OfferCatalog> {
  const row = await tx.one<{
    version: string | null;
    offers: (Omit<CatalogOffer, "startsAt" | "endsAt"> & { startsAt: string; endsAt: string })[] | null;
  }>(sql`
    SELECT (SELECT version::text FROM "OfferCatalog" WHERE id = 1) AS version,
      (SELECT json_agg(json_build_object('id', o.id, 'condition', o.condition, 'reward', o.reward,
          'titleRu', o."titleRu", 'titleEn', o."titleEn", 'startsAt', o."startsAt", 'endsAt', o."endsAt",
          'storeIds', o."storeIds", 'regions', o.regions, 'needsActivation', o."needsActivation",
          'perMemberLimit', o."perMemberLimit",
          'budgeted', o."budgetPoints" IS NOT NULL OR o."budgetRedemptions" IS NOT NULL,
          'historyDays', o."historyDays", 'readsLines', o."readsLines") ORDER BY o.id)
       FROM "Offer" o
       WHERE o.status = 'active' AND o."memberId" IS NULL AND o.reward->>'kind' <> 'gift') AS offers`);
  // json_build_object writes a timestamp without zone as local text; it holds UTC.
  const offers = (row?.offers ?? []).map((o) => ({
    ...o,
    startsAt: Date.parse(`${o.startsAt}Z`),
    endsAt: Date.parse(`${o.endsAt}Z`),
  }));
  return { version: row?.version ?? null, offers, byId: new Map(offers.map((o) => [o.id, o])) };
}

/**
 * The catalog read now, kept for the next purchases unless another purchase
 * kept a newer one meanwhile. A purchase whose statement read another
 * version than the catalog it was built with calls this and reads again.
 */
export async function refreshCatalog(tx: SqlTx, kept: KeptCatalog): Promise<OfferCatalog> {
  const fresh = await loadCatalog(tx);
  const now = kept.current;
  if (now === null || BigInt(fresh.version ?? 0) >= BigInt(now.version ?? 0)) kept.current = fresh;
  return fresh;
}

/**
 * The kept offers that may pay on this receipt: open at this store (its pilot
 * stores; regions are the statement's) and time, with a reward this basket
 * can earn (`rewardCanPay`: an offer that cannot pay is never evaluated, so
 * the statement reads no history for it).
 */
export function catalogAt(
  catalog: OfferCatalog,
  storeId: number,
  at: Date,
  basket: { amountKopecks: number; items: readonly LineItem[] },
): CatalogOffer[] {
  const t = at.getTime();
  return catalog.offers.filter(
    (o) =>
      o.startsAt <= t &&
      o.endsAt > t &&
      (o.storeIds.length === 0 || o.storeIds.includes(storeId)) &&
      rewardCanPay(o.reward, basket),
  );
}
