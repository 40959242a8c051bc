import {
  type Challenge,
  type ChallengePurchase,
  categoryMonthStart,
  challengeMet,
  type Program,
} from "../../domain/index.js";
import { type Sql, sql } from "../db/sql.js";
import { type Facts, type FactsOptions, type FactsRow, factsColumns, factsOf, nextRound } from "./facts.js";

/**
 * What a purchase's challenges are weighed from: the facts of the challenges
 * it can move, with no zone (it sways progress shown, never a completion),
 * only their completions, and categories from the purchase's month on (a
 * category goal is met within one month).
 */
export function purchaseFactsOptions(at: Date): FactsOptions {
  return { zone: false, allCompletions: false, categoriesSince: categoryMonthStart(at) };
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

/** The row purchaseChallengeColumns adds to a purchase's read. */
export type PurchaseChallengeRow = Partial<FactsRow> & { challengeStore?: [string, string] | null };

/**
 * The columns a purchase adds to the read it makes anyway (its first
 * statement, under the member's lock) to weigh the challenges it can move:
 * the member's purchases and completions as the reaction reads them, and
 * the store's region and zone, which the new purchase will have. No
 * round trip of their own; nothing when no challenge can move.
 */
export function purchaseChallengeColumns(
  memberId: number,
  storeId: number,
  at: Date,
  movable: readonly Challenge[],
): Sql {
  if (movable.length === 0) return sql``;
  return sql`(SELECT json_build_array(region, "timeZone") FROM "Store" WHERE id = ${storeId}) AS "challengeStore",
    ${factsColumns(memberId, movable, purchaseFactsOptions(at))},`;
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
  row: PurchaseChallengeRow,
  purchase: { storeId: number; at: Date; amountKopecks: number; categories: readonly string[] },
): string[] {
  if (movable.length === 0 || !row.challengeStore) return [];
  const facts = factsOf({ purchases: row.purchases ?? null, completions: row.completions ?? null }, program);
  const [region, timeZone] = row.challengeStore;
  const self: ChallengePurchase = {
    // Not written yet: any id after the member's others (theirs were written under the same lock) orders it last.
    id: Number.MAX_SAFE_INTEGER,
    at: purchase.at,
    storeId: purchase.storeId,
    region,
    timeZone,
    netKopecks: purchase.amountKopecks,
    categories: purchase.categories,
  };
  facts.purchases.push(self);
  return dueRounds(movable, facts).map((d) => d.c.code);
}
