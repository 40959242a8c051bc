import {
  type Accrual,
  evaluate,
  historyDays,
  type LineItem,
  type LiveOffer,
  offerReversal,
  planOfferRewards,
  type Program,
  rewardPoints,
} from "../../domain/index.js";
import { memberFacts } from "../conditions/sql.js";
import { type SqlTx, sql } from "../db/sql.js";
import { postEntry } from "../services/ledger.js";

/**
 * Offers at the till, inside the purchase's unit of work (the member is
 * locked by the caller). Two halves around the purchase's insert: `reserve`
 * finds what applies and takes it from each offer's budget before the
 * purchase row exists (so the receipt's balance and event include it);
 * `post` writes the ledger entries and the applications once the purchase
 * has an id. Both roll back with the purchase.
 */

export interface AppliedOffer {
  offerId: number;
  points: number;
  title: { ru: string; en: string };
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
 * The offers that pay on this receipt, their budget already taken. Only
 * active offers in their window and pilot scope, general or this member's
 * own, activated when they need it, under the member's limit, are read; the
 * member's history is loaded only when one is left.
 */
/**
 * An offer's condition, reward and titles never change once created (no
 * route edits them; status, budget and window do, and are read every time),
 * so their parsed definitions are kept per process: the till's query reads
 * only the ids of what applies, not 200 JSON documents.
 */
export type OfferDefinitions = Map<number, Candidate>;
/** One per service (so per database: offer ids of two databases never meet in one cache). */
export const offerDefinitions = (): OfferDefinitions => new Map();
const DEFINITIONS_MAX = 50_000;

async function definitionsOf(tx: SqlTx, definitions: OfferDefinitions, ids: readonly number[]): Promise<Candidate[]> {
  const missing = ids.filter((id) => !definitions.has(id));
  if (missing.length) {
    if (definitions.size + missing.length > DEFINITIONS_MAX) definitions.clear();
    const rows = await tx.many<Candidate>(sql`
      SELECT id, condition, reward, "titleRu", "titleEn" FROM "Offer" WHERE id = ANY(${missing as number[]}::int[])`);
    for (const r of rows) definitions.set(r.id, r);
  }
  return ids.map((id) => definitions.get(id)).filter((c): c is Candidate => c !== undefined);
}

export async function reserveOffers(
  tx: SqlTx,
  program: Program,
  now: Date,
  p: OfferPurchase,
  definitions: OfferDefinitions,
): Promise<AppliedOffer[]> {
  const headroom = p.accrual.marginCapPoints - p.accrual.points;
  // The margin guard leaves nothing for offers: no need to look.
  if (headroom <= 0) return [];
  const open = await tx.many<{ id: number; budgeted: boolean }>(sql`
    SELECT o.id, (o."budgetPoints" IS NOT NULL OR o."budgetRedemptions" IS NOT NULL) AS budgeted
    FROM "Offer" o
    LEFT JOIN "OfferMember" om ON om."offerId" = o.id AND om."memberId" = ${p.memberId}
    WHERE o.status = 'active' AND (o."memberId" IS NULL OR o."memberId" = ${p.memberId})
      AND o."startsAt" <= ${p.at}::timestamp AND o."endsAt" > ${p.at}::timestamp
      AND o.reward->>'kind' <> 'gift'
      AND (NOT o."needsActivation" OR om."activatedAt" IS NOT NULL)
      AND coalesce(om.uses, 0) < o."perMemberLimit"
      AND (o."budgetPoints" IS NULL OR o."spentPoints" < o."budgetPoints")
      AND (o."budgetRedemptions" IS NULL OR o.redemptions < o."budgetRedemptions")
      AND (coalesce(cardinality(o."storeIds"), 0) = 0 OR ${p.storeId}::int = ANY(o."storeIds"))
      AND (coalesce(cardinality(o.regions), 0) = 0
           OR (SELECT region FROM "Store" WHERE id = ${p.storeId}) = ANY(o.regions))
    ORDER BY o.id`);
  if (!open.length) return [];
  const candidates = await definitionsOf(
    tx,
    definitions,
    open.map((o) => o.id),
  );
  const basis = {
    amountKopecks: p.amountKopecks,
    paidKopecks: p.accrual.paidKopecks,
    rateBp: p.accrual.rateBp,
    pointValueKopecks: program.pointValueKopecks,
    items: p.items,
  };
  // Rewards first (pure, cheap): history is read only for offers that would pay and could fit the margin.
  const paying = candidates
    .map((c) => ({ c, points: rewardPoints(c.reward, basis) }))
    .filter((x) => x.points > 0 && x.points <= headroom)
    .map((x) => x.c.id);
  if (!paying.length) return [];
  const byId = new Map(candidates.map((c) => [c.id, c]));
  let since: number | null = 0;
  for (const id of paying) {
    const d = historyDays(byId.get(id)?.condition ?? { kind: "balance", min: 0 });
    since = since === null || d === null ? null : Math.max(since, d);
  }
  // The facts as of the purchase, before it: "bought coffee" means an earlier receipt.
  const facts = (
    await memberFacts(tx, [p.memberId], p.at, program, since === null ? {} : { sinceDays: Math.max(since, 1) })
  ).get(p.memberId);
  if (!facts) return [];
  const qualified = paying.map((id) => byId.get(id) as Candidate).filter((c) => evaluate(c.condition, facts));
  const planned = planOfferRewards(qualified, basis, headroom);
  const budgeted = new Set(open.filter((o) => o.budgeted).map((o) => o.id));
  const out: AppliedOffer[] = [];
  for (const r of planned) {
    const c = byId.get(r.offerId) as Candidate;
    // An offer without a budget has nothing to take: its row is not locked, so purchases
    // never queue on a popular offer (what it paid is the sum of its applications).
    if (!budgeted.has(r.offerId)) {
      out.push({ offerId: r.offerId, points: r.points, title: { ru: c.titleRu, en: c.titleEn } });
      continue;
    }
    // The budget is taken by one conditional UPDATE: concurrent purchases queue on the
    // offer's row and each re-checks the budget it finds, so it is never exceeded.
    const took = await tx.one<{ id: number }>(sql`
      UPDATE "Offer" SET "spentPoints" = "spentPoints" + ${r.points}::int, redemptions = redemptions + 1
      WHERE id = ${r.offerId} AND status = 'active'
        AND ("budgetPoints" IS NULL OR "spentPoints" + ${r.points}::int <= "budgetPoints")
        AND ("budgetRedemptions" IS NULL OR redemptions < "budgetRedemptions")
      RETURNING id`);
    if (!took) continue;
    out.push({ offerId: r.offerId, points: r.points, title: { ru: c.titleRu, en: c.titleEn } });
  }
  return out;
}

/**
 * Writes the reserved offers for the purchase just inserted: one ledger
 * entry for all of them (its note names them; the applications say which
 * paid what, for returns), then the applications and the members' uses in
 * one statement.
 */
export async function postOffers(
  tx: SqlTx,
  program: Program,
  now: Date,
  purchase: { id: number; memberId: number; storeId: number; receiptId: string; at: Date },
  applied: readonly AppliedOffer[],
): Promise<void> {
  if (!applied.length) return;
  await postEntry(tx, program, {
    memberId: purchase.memberId,
    kind: "offer",
    points: applied.reduce((s, a) => s + a.points, 0),
    idempotencyKey: `offers:purchase:${purchase.storeId}:${purchase.receiptId}`,
    at: purchase.at,
    purchaseId: purchase.id,
    note: `offers ${applied.map((a) => a.offerId).join(",")}`,
  });
  const ids = applied.map((a) => a.offerId);
  const points = applied.map((a) => a.points);
  await tx.many(sql`
    WITH a AS (
      INSERT INTO "OfferApplication" ("offerId", "memberId", "purchaseId", points, "createdAt")
      SELECT o, ${purchase.memberId}, ${purchase.id}, p, ${now}::timestamp FROM unnest(${ids}::int[], ${points}::int[]) AS x(o, p)
    )
    INSERT INTO "OfferMember" ("offerId", "memberId", uses, "createdAt")
    SELECT o, ${purchase.memberId}, 1, ${now}::timestamp FROM unnest(${ids}::int[]) AS x(o)
    ON CONFLICT ("offerId", "memberId") DO UPDATE SET uses = "OfferMember".uses + 1`);
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
