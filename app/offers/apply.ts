import {
  type Accrual,
  evaluate,
  type LineItem,
  type LiveOffer,
  offerReversal,
  planOfferRewards,
  type Program,
  rewardPoints,
} from "../../domain/index.js";
import { type FactsRow, factsSelect, toFacts } from "../conditions/sql.js";
import { type Sql, type SqlTx, sql } from "../db/sql.js";
import { type NewEntry, postEntry } from "../services/ledger.js";
import type { CatalogOffer, OfferCatalog } from "./catalog.js";

/**
 * Offers at the till, inside the purchase's unit of work (the member is
 * locked by the caller), costing it as few round trips as possible: what
 * is open and the member's history are read in the purchase's first
 * statement (`openOffersFrom`, `offerReadColumns`); `reserveOffers` decides
 * what pays (pure, on what was read); the ledger credit, the applications
 * and the budgets are written in the purchase's insert (`offersCredit`,
 * `offersCtes`). All roll back with the purchase.
 */

export interface AppliedOffer {
  offerId: number;
  points: number;
  title: { ru: string; en: string };
  /** Takes from the offer's budget (see `offersCtes`). */
  budgeted?: boolean;
}

interface Candidate {
  id: number;
  condition: LiveOffer["condition"];
  reward: LiveOffer["reward"];
  titleRu: string;
  titleEn: string;
}

export interface OfferPurchase {
  memberId: number;
  storeId: number;
  at: Date;
  amountKopecks: number;
  items: readonly LineItem[];
  accrual: Accrual;
}

/**
 * A member's own offer (a trigger's) never changes its condition, reward and
 * titles once created (no route edits them; status, budget and window do,
 * and are read every time), so their parsed definitions are kept per
 * process once read. The general offers' come with the catalog
 * (app/offers/catalog.ts), which follows every change.
 */
export type OfferDefinitions = Map<number, Candidate>;
/** One per service (so per database: offer ids of two databases never meet in one cache). */
export const offerDefinitions = (): OfferDefinitions => new Map();
const DEFINITIONS_MAX = 50_000;

async function definitionsOf(
  tx: SqlTx,
  definitions: OfferDefinitions,
  catalog: OfferCatalog,
  ids: readonly number[],
): Promise<Candidate[]> {
  // The general offers' are in the catalog; a member's own are read once and kept here.
  const known = (id: number) => catalog.byId.get(id) ?? definitions.get(id);
  const missing = ids.filter((id) => known(id) === undefined);
  if (missing.length) {
    if (definitions.size + missing.length > DEFINITIONS_MAX) definitions.clear();
    const rows = await tx.many<Candidate>(sql`
      SELECT id, condition, reward, "titleRu", "titleEn" FROM "Offer" WHERE id = ANY(${missing as number[]}::int[])`);
    for (const r of rows) definitions.set(r.id, r);
  }
  return ids.map(known).filter((c): c is Candidate => c !== undefined);
}

/** What the till reads of offers, in the purchase's own first statement (see `offerReadSql`). */
export interface OfferRead {
  /** The offers open to this member at this store now, in id order; null when none. */
  openOffers: { id: number; budgeted: boolean }[] | null;
  /** The member's facts (history before this purchase), read only when an offer is open. */
  offerFacts: FactsRow | null;
}

/**
 * Two columns, "openOffers" and "offerFacts", for the purchase's first
 * statement (app/services/purchases.ts), so that offers cost the till no
 * round trip of their own: the offers open to this member at this store
 * now — the kept general ones (`catalog`, already filtered by window and
 * pilot stores: `catalogAt`) in their region, activated when they need it,
 * under the member's limit and their budget; and the member's own
 * (personal) offers, read by index — and, only when one is open, the
 * member's history. Gifts are handed over by the cashier
 * (app/offers/gift.ts), never paid here. The columns need `FROM (…) oo` (the
 * `openOffersFrom` fragment) in the statement, and the statement must read
 * `catalogVersion` too (the caller checks it against the catalog's).
 */
export function openOffersFrom(
  memberId: number,
  storeId: number,
  at: Date,
  program: Program,
  kept: readonly CatalogOffer[],
): Sql {
  const general = kept.filter((o) => !o.needsActivation);
  const activated = kept.filter((o) => o.needsActivation);
  const regional = general.flatMap((o) => o.regions.map((r) => ({ id: o.id, region: r })));
  const cols = (list: readonly CatalogOffer[]) =>
    sql`${list.map((o) => o.id)}::int[], ${list.map((o) => o.perMemberLimit)}::int[],
        ${list.map((o) => o.budgeted)}::bool[], ${list.map((o) => o.historyDays)}::int[],
        ${list.map((o) => o.readsLines)}::bool[]`;
  const budgeted = sql`o."budgetPoints" IS NOT NULL OR o."budgetRedemptions" IS NOT NULL`;
  const budgetLeft = sql`(o."budgetPoints" IS NULL OR o."spentPoints" < o."budgetPoints")
      AND (o."budgetRedemptions" IS NULL OR o.redemptions < o."budgetRedemptions")`;
  // What an offer read live (not kept: `catalogAt` checked those) must meet to pay here and now:
  // its window, not a gift, budget left, and this store in its pilot stores and regions.
  const openHere = sql`o."startsAt" <= ${at}::timestamp AND o."endsAt" > ${at}::timestamp
        AND o.reward->>'kind' <> 'gift'
        AND ${budgetLeft}
        AND (coalesce(cardinality(o."storeIds"), 0) = 0 OR ${storeId}::int = ANY(o."storeIds"))
        AND (coalesce(cardinality(o.regions), 0) = 0
             OR (SELECT region FROM "Store" WHERE id = ${storeId}) = ANY(o.regions))`;
  // Only the parts there is something for: with no general offer kept (all paused, say), the
  // statement reads no more than the member's own offers, as the till did before offers.
  const ctes: Sql[] = [];
  if (general.length)
    // The member's few rows of "OfferMember", read once by the member index (a join probed the
    // offer-and-member key once per open offer). MATERIALIZED: read once, not per offer.
    ctes.push(sql`mine AS MATERIALIZED (
      SELECT coalesce(array_agg("offerId"), '{}') AS ids, array_agg(uses) AS uses
      FROM "OfferMember" WHERE "memberId" = ${memberId})`);
  if (regional.length)
    ctes.push(sql`here AS MATERIALIZED (
      SELECT coalesce(array_agg(g.o), '{}') AS ids FROM unnest(${regional.map((r) => r.id)}::int[],
        ${regional.map((r) => r.region)}::text[]) AS g(o, r)
      WHERE g.r = (SELECT region FROM "Store" WHERE id = ${storeId}))`);
  const open: Sql[] = [];
  if (activated.length)
    // Those that need activation (and may pay: `catalogAt`) from the member's own rows, not
    // every such offer, read by key under the same terms as the kept ones (the version read with
    // them says they are the kept catalog's). coalesce keeps the status index out of the plan.
    open.push(sql`
      SELECT o.id, ${budgeted} AS budgeted, o."historyDays" AS days, o."readsLines" AS lines
      FROM "OfferMember" om JOIN "Offer" o ON o.id = om."offerId"
      WHERE om."memberId" = ${memberId} AND om."activatedAt" IS NOT NULL AND om.uses < o."perMemberLimit"
        AND om."offerId" = ANY(${activated.map((o) => o.id)}::int[])
        AND o."memberId" IS NULL AND o."needsActivation" AND coalesce(o.status, '') = 'active'
        AND ${openHere}`);
  if (general.length) {
    // The kept offers open to all, under the member's limit, in their region, with budget left.
    open.push(sql`
      SELECT c.id, c.budgeted, c.days, c.lines
      FROM unnest(${cols(general)}) AS c(id, lim, budgeted, days, lines), mine
      WHERE coalesce(mine.uses[array_position(mine.ids, c.id)], 0) < c.lim${
        regional.length
          ? sql`
        AND (c.id <> ALL(${regional.map((r) => r.id)}::int[]) OR c.id = ANY((SELECT ids FROM here)::int[]))`
          : sql``
      }
        AND (NOT c.budgeted OR EXISTS (SELECT 1 FROM "Offer" o WHERE o.id = c.id AND ${budgetLeft}))`);
  }
  // The member's own offers (a trigger's), by the (status, member) index.
  open.push(sql`
      SELECT o.id, ${budgeted} AS budgeted, o."historyDays" AS days, o."readsLines" AS lines
      FROM "Offer" o
      LEFT JOIN "OfferMember" om ON om."offerId" = o.id AND om."memberId" = ${memberId}
      WHERE o.status = 'active' AND o."memberId" = ${memberId}
        AND (NOT o."needsActivation" OR om."activatedAt" IS NOT NULL)
        AND coalesce(om.uses, 0) < o."perMemberLimit"
        AND ${openHere}`);
  ctes.push(sql`open AS (${open.slice(1).reduce((acc, o) => sql`${acc} UNION ALL ${o}`, open[0] as Sql)})`);
  return sql`(
    WITH ${ctes.slice(1).reduce((acc, c) => sql`${acc}, ${c}`, ctes[0] as Sql)}
    -- How far back the open offers' conditions read (a NULL: all history) and whether they read
    -- the lines, as each offer keeps it (conditions never change once created).
    SELECT json_agg(json_build_object('id', id, 'budgeted', budgeted) ORDER BY id) AS offers,
      bool_or(lines) AS lines,
      CASE WHEN bool_or(days IS NULL) THEN NULL
           -- The tier reads its own window whatever the conditions read.
           ELSE ${at}::timestamp - make_interval(days => greatest(max(days), ${program.tierWindowDays}::int))
      END AS "from"
    FROM open) oo`;
}

export function offerReadColumns(memberId: number): Sql {
  // The history as far back as the open offers read, the lines only if one reads them
  // (most of what the facts cost): a receipt meeting chain-wide and pilot offers reads a year
  // of receipts, not every line ever bought.
  return sql`oo.offers AS "openOffers",
    CASE WHEN oo.offers IS NOT NULL
         THEN (SELECT row_to_json(f) FROM (${factsSelect(
           sql`ARRAY[${memberId}::int]`,
           sql`oo."from"`,
           sql`oo.lines`,
         )}) f) END AS "offerFacts"`;
}

/**
 * The offers that pay on this receipt, from what the purchase's first
 * statement read: rewards first (pure, cheap), then the conditions of those
 * that would pay and fit the margin guard, then the budgets of the budgeted
 * ones, taken under their rows' locks.
 */
export async function reserveOffers(
  tx: SqlTx,
  program: Program,
  p: OfferPurchase,
  read: OfferRead,
  definitions: OfferDefinitions,
  catalog: OfferCatalog,
  /** Offers whose budget ran out under this purchase in an earlier attempt (`BudgetRace`). */
  spent: ReadonlySet<number> = new Set(),
): Promise<AppliedOffer[]> {
  const open = (read.openOffers ?? []).filter((o) => !spent.has(o.id));
  const headroom = p.accrual.marginCapPoints - p.accrual.points;
  // The margin guard leaves nothing for offers: no need to look.
  if (headroom <= 0 || !open.length || !read.offerFacts) return [];
  const candidates = await definitionsOf(
    tx,
    definitions,
    catalog,
    open.map((o) => o.id),
  );
  const basis = {
    amountKopecks: p.amountKopecks,
    paidKopecks: p.accrual.paidKopecks,
    rateBp: p.accrual.rateBp,
    pointValueKopecks: program.pointValueKopecks,
    items: p.items,
  };
  const paying = candidates.filter((c) => {
    const points = rewardPoints(c.reward, basis);
    return points > 0 && points <= headroom;
  });
  if (!paying.length) return [];
  // The facts as of the purchase, before it: "bought coffee" means an earlier receipt.
  const facts = toFacts(read.offerFacts, p.at, program);
  const qualified = paying.filter((c) => evaluate(c.condition, facts));
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const budgeted = new Set(open.filter((o) => o.budgeted).map((o) => o.id));
  return planOfferRewards(qualified, basis, headroom).map((r) => {
    const c = byId.get(r.offerId) as Candidate;
    return {
      offerId: r.offerId,
      points: r.points,
      title: { ru: c.titleRu, en: c.titleEn },
      ...(budgeted.has(r.offerId) ? { budgeted: true } : {}),
    };
  });
}

/**
 * A budgeted offer that was open when the purchase read it had too little
 * left when its row was locked (a concurrent purchase took the rest): the
 * purchase rolls back and is posted again without these offers (see
 * recordPurchase).
 */
export class BudgetRace extends Error {
  constructor(readonly offerIds: readonly number[]) {
    super(`the budget of offers ${offerIds.join(",")} ran out under this purchase`);
  }
}

/**
 * The reserved offers' ledger credit: one entry for all of them (its note
 * names them; the applications say which paid what, for returns). The
 * purchase posts it beside its accrual, in its own statement (`creditsCtes`).
 */
export function offersCredit(
  purchase: { memberId: number; storeId: number; receiptId: string; at: Date },
  applied: readonly AppliedOffer[],
): NewEntry {
  return {
    memberId: purchase.memberId,
    kind: "offer",
    points: applied.reduce((s, a) => s + a.points, 0),
    idempotencyKey: `offers:purchase:${purchase.storeId}:${purchase.receiptId}`,
    at: purchase.at,
    note: `offers ${applied.map((a) => a.offerId).join(",")}`,
  };
}

/**
 * The rest of the reserved offers' writes as CTEs of the purchase's own
 * statement (`purchaseId` is its new row's id): the applications, the
 * members' uses, and the budgets. Budgets are taken here, at the end of the
 * purchase, so their rows stay locked for as short a time as possible:
 * `obl` locks the budgeted rows in id order (two purchases never deadlock),
 * `ob` takes from each only if it still fits — a concurrent purchase that
 * committed first is seen by the UPDATE's re-check, so no budget is ever
 * exceeded. `ob` returns the offers it took from; the caller compares them
 * with what it planned (`budgetsTaken`) and throws `BudgetRace` on a miss.
 */
export function offersCtes(purchaseId: Sql, memberId: number, now: Date, applied: readonly AppliedOffer[]): Sql {
  const ids = applied.map((a) => a.offerId);
  const points = applied.map((a) => a.points);
  const budgeted = applied.filter((a) => a.budgeted);
  return sql`oa AS (
      INSERT INTO "OfferApplication" ("offerId", "memberId", "purchaseId", points, "createdAt")
      SELECT o, ${memberId}, ${purchaseId}, p, ${now}::timestamp FROM unnest(${ids}::int[], ${points}::int[]) AS x(o, p)
    ), om AS (
      INSERT INTO "OfferMember" ("offerId", "memberId", uses, "createdAt")
      SELECT o, ${memberId}, 1, ${now}::timestamp FROM unnest(${ids}::int[]) AS x(o)
      ON CONFLICT ("offerId", "memberId") DO UPDATE SET uses = "OfferMember".uses + 1
    ), obl AS (
      SELECT id FROM "Offer" WHERE id = ANY(${budgeted.map((a) => a.offerId)}::int[]) ORDER BY id FOR UPDATE
    ), ob AS (
      UPDATE "Offer" SET "spentPoints" = "Offer"."spentPoints" + x.p, redemptions = "Offer".redemptions + 1
      FROM unnest(${budgeted.map((a) => a.offerId)}::int[], ${budgeted.map((a) => a.points)}::int[]) AS x(o, p)
      -- The offers by their key: planned on the status index, the update read every active offer
      -- to join the few it takes from (coalesce keeps that index out of the plan).
      WHERE "Offer".id = ANY(${budgeted.map((a) => a.offerId)}::int[])
        AND "Offer".id = x.o AND "Offer".id IN (SELECT id FROM obl) AND coalesce("Offer".status, '') = 'active'
        AND ("Offer"."budgetPoints" IS NULL OR "Offer"."spentPoints" + x.p <= "Offer"."budgetPoints")
        AND ("Offer"."budgetRedemptions" IS NULL OR "Offer".redemptions < "Offer"."budgetRedemptions")
      RETURNING "Offer".id
    )`;
}

/** The column the purchase's statement answers with: the budgeted offers `ob` took from. */
export const budgetsTaken = sql`(SELECT coalesce(array_agg(id), '{}') FROM ob) AS "budgetsTaken"`;

/** Throws `BudgetRace` when a planned budget was not taken (see `offersCtes`). */
export function checkBudgets(applied: readonly AppliedOffer[], taken: readonly number[] | null | undefined) {
  const got = new Set(taken ?? []);
  const missed = applied.filter((a) => a.budgeted && !got.has(a.offerId)).map((a) => a.offerId);
  if (missed.length) throw new BudgetRace(missed);
}

/** The offers that paid on a receipt, for a replay's answer. */
export async function appliedTo(tx: SqlTx, purchaseId: number): Promise<AppliedOffer[]> {
  const rows = await tx.many<{ offerId: number; points: number; titleRu: string; titleEn: string }>(sql`
    SELECT a."offerId", a.points, o."titleRu", o."titleEn" FROM "OfferApplication" a
    JOIN "Offer" o ON o.id = a."offerId" WHERE a."purchaseId" = ${purchaseId} ORDER BY a."offerId"`);
  return rows.map((r) => ({ offerId: r.offerId, points: r.points, title: { ru: r.titleRu, en: r.titleEn } }));
}

/**
 * A return takes back each offer's points for the returned share, like the
 * accrual, and as far as the balance allows (the rest is uncollected).
 * Answers the points taken back and those that could not be.
 */
export async function reverseOffers(
  tx: SqlTx,
  program: Program,
  now: Date,
  r: {
    purchaseId: number;
    memberId: number;
    returnId: number;
    amountKopecks: number;
    returnedBefore: number;
    returning: number;
  },
): Promise<{ reversed: number; uncollected: number }> {
  const apps = await tx.many<{ id: number; offerId: number; points: number; reversedPoints: number }>(sql`
    SELECT id, "offerId", points, "reversedPoints" FROM "OfferApplication"
    WHERE "purchaseId" = ${r.purchaseId} ORDER BY id`);
  let reversed = 0;
  let uncollected = 0;
  for (const a of apps) {
    const due = offerReversal(a.points, r.amountKopecks, r.returnedBefore, r.returning);
    if (due <= 0) continue;
    const bal = await tx.one<{ balance: number }>(sql`SELECT balance FROM "Member" WHERE id = ${r.memberId}`);
    const take = Math.min(due, bal?.balance ?? 0);
    uncollected += due - take;
    // What is due counts as reversed on the application even when the balance fell short,
    // so the next partial return takes only its own share.
    await tx.many(sql`UPDATE "OfferApplication" SET "reversedPoints" = "reversedPoints" + ${due}::int
                      WHERE id = ${a.id}`);
    if (take <= 0) continue;
    await postEntry(tx, program, {
      memberId: r.memberId,
      kind: "reversal",
      points: -take,
      idempotencyKey: `return:${r.returnId}:offer:${a.offerId}`,
      at: now,
      purchaseId: r.purchaseId,
      returnId: r.returnId,
      note: `offer ${a.offerId} for returned goods`,
    });
    reversed += take;
  }
  return { reversed, uncollected };
}
