import {
  type Challenge,
  type ChallengePurchase,
  categoryMonthStart,
  challengeMet,
  type Program,
} from "../../domain/index.js";
import { type Sql, sql } from "../db/sql.js";
import {
  categoriesOf,
  completionsColumn,
  type Facts,
  type FactsOptions,
  type FactsRow,
  factsOf,
  historySince,
  nextRound,
} from "./facts.js";

/**
 * What a purchase's challenges are weighed from: the facts of the challenges
 * it can move, with no zone (it sways progress shown, never a completion),
 * each challenge's latest round only (where the next one starts), and
 * categories from the purchase's month on (a category goal is met within
 * one month).
 */
export function purchaseFactsOptions(at: Date): FactsOptions {
  return { zone: false, latestRounds: true, categoriesSince: categoryMonthStart(at) };
}

/** The rounds of `candidates` that the member's purchases in `facts` meet, with the purchases that meet each. */
export function dueRounds(
  candidates: readonly Challenge[],
  facts: Facts,
): { c: Challenge; round: number; completedBy: number[] }[] {
  return candidates.flatMap((c) => {
    const round = nextRound(c, facts.completions, facts.purchases);
    if (!round) return [];
    const completedBy = challengeMet(c, facts.purchases, round.after);
    return completedBy ? [{ c, round: round.round, completedBy }] : [];
  });
}

/** What purchaseHistory adds to a purchase's read. */
export interface PurchaseHistoryRow {
  /** Net spend in the tier window before the purchase. */
  spend: number;
  /** [id, ms since epoch, store, net kopecks, categories] of the member's purchases the movable challenges count. */
  challengePurchases: [number, number, number, number, string[] | null][] | null;
  /** [id, active, region, zone] of the stores of those purchases and of this one (absent: no such store). */
  challengeStores: [number, boolean, string, string][] | null;
  completions: FactsRow["completions"];
}

/**
 * What a purchase that can move challenges reads in its first statement
 * (under the member's lock; no round trip of its own) instead of its store
 * and tier-window columns: one scan of the member's purchases gives both the
 * tier window's spend and the challenges' history (a row per purchase with
 * its store's id; the few stores they name are read once, with this one's
 * `active`, region and zone), and each challenge's latest completion.
 * `from` joins the statement's FROM; `columns` are its columns
 * (PurchaseHistoryRow).
 */
export function purchaseHistory(
  memberId: number,
  storeId: number,
  at: Date,
  movable: readonly Challenge[],
  tierWindowStart: Date,
): { from: Sql; columns: Sql } {
  const since = historySince(movable);
  const scanFrom = since < tierWindowStart ? since : tierWindowStart;
  return {
    from: sql`, (SELECT
        COALESCE(SUM(p.amount - p."returnedAmount") FILTER (WHERE p.at > ${tierWindowStart}::timestamp
                                                             AND p.at <= ${at}::timestamp), 0)::int8 AS spend,
        json_agg(json_build_array(p.id, (extract(epoch FROM p.at) * 1000)::int8, p."storeId", p.amount - p."returnedAmount",
                                  ${categoriesOf(movable, categoryMonthStart(at))}))
          FILTER (WHERE p.at >= ${since}::timestamp) AS purchases,
        array_agg(p."storeId") FILTER (WHERE p.at >= ${since}::timestamp) AS stores
      FROM "Purchase" p WHERE p."memberId" = ${memberId} AND p.at >= ${scanFrom}::timestamp) h`,
    columns: sql`h.spend AS spend, h.purchases AS "challengePurchases",
      (SELECT json_agg(json_build_array(id, active, region, "timeZone")) FROM "Store"
        WHERE id = ANY(h.stores || ${storeId}::int)) AS "challengeStores",
      ${completionsColumn(memberId, { latestRounds: true })},`,
  };
}

/** Whether the purchase's store is open for purchases (null: no such store), from purchaseHistory's read. */
export function storeActiveIn(row: Partial<PurchaseHistoryRow>, storeId: number): boolean | null {
  return row.challengeStores?.find((s) => s[0] === storeId)?.[1] ?? null;
}

/**
 * The challenges whose goal a purchase meets, weighed in its own unit of
 * work before it is written: the member's purchases read beside its first
 * statement, and the purchase itself. The member is locked, so every earlier
 * purchase of theirs is in the read. What is not met now cannot be met
 * later without another purchase (a return only takes progress away, a
 * completion only moves the next round later), so the reaction to this
 * purchase weighs these alone (app/challenges/complete.ts).
 */
export function challengesMetBy(
  program: Program,
  movable: readonly Challenge[],
  row: Partial<PurchaseHistoryRow>,
  purchase: { storeId: number; at: Date; amountKopecks: number; categories: readonly string[] },
): string[] {
  const stores = new Map((row.challengeStores ?? []).map(([id, , region, timeZone]) => [id, { region, timeZone }]));
  const here = stores.get(purchase.storeId);
  if (movable.length === 0 || !here) return [];
  const purchases = (row.challengePurchases ?? []).map(([id, at, storeId, netKopecks, cats]): ChallengePurchase => {
    const store = stores.get(storeId);
    if (!store) throw new Error("unreachable: the read names every store of the purchases (a foreign key keeps them)");
    return {
      id,
      at: new Date(at),
      storeId,
      region: store.region,
      timeZone: store.timeZone,
      netKopecks,
      categories: cats ?? [],
    };
  });
  purchases.push({
    // Not written yet: any id after the member's others (theirs were written under the same lock) orders it last.
    id: Number.MAX_SAFE_INTEGER,
    at: purchase.at,
    storeId: purchase.storeId,
    region: here.region,
    timeZone: here.timeZone,
    netKopecks: purchase.amountKopecks,
    categories: purchase.categories,
  });
  const facts: Facts = { ...factsOf({ purchases: null, completions: row.completions ?? null }, program), purchases };
  return dueRounds(movable, facts).map((d) => d.c.code);
}
