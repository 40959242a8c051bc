import type { Challenge, ChallengePurchase, Program } from "../../domain/index.js";
import { type Sql, type SqlTx, sql } from "../db/sql.js";

/** A stored completion, as the rules need it. */
export interface Completion {
  id: number;
  challenge: string;
  round: number;
  purchaseIds: number[];
  points: number;
  badge: string | null;
  reversedPoints: number;
  completedAt: Date;
  /** Whether every purchase that completed it still counts (none returned in full); read when asked for. */
  stands?: boolean;
}

const DAY_MS = 86_400_000;

/** What challengeFacts reads, and what a purchase's own read may ask for alongside its columns. */
export interface FactsOptions {
  zone?: boolean;
  /**
   * Only each challenge's latest round (what nextRound needs), of any
   * challenge: fewer rows to read and send than every round, and no list of
   * codes to probe the index with one by one.
   */
  latestRounds?: boolean;
  categoriesSince?: Date;
  stands?: boolean;
}

/** The row factsColumns reads. */
export interface FactsRow {
  zone?: string | null;
  /** [id, ms since epoch, store, its region, its zone, net kopecks, categories] */
  purchases: [number, number, number, string, string, number, string[] | null][] | null;
  completions: (Omit<Completion, "completedAt"> & { completedAt: string })[] | null;
}

/**
 * What the challenges of one member are computed from, in one round trip on
 * indexes: their purchases since the earliest start among `challenges` (a
 * day early, for zones east of UTC), their completions (with
 * `latestRounds`, each challenge's latest round only), and — when `zone`
 * is asked for (progress "this week", "this month") — the member's zone
 * (their latest store's, else the chain's). Categories are
 * read only when a category goal needs them, and with `categoriesSince`
 * only for the purchases from then on (older ones show none). With
 * `stands`, each completion says whether its purchases all still count.
 */
export async function challengeFacts(
  tx: Pick<SqlTx, "one">,
  program: Program,
  memberId: number,
  challenges: readonly Challenge[],
  opts: FactsOptions = {},
): Promise<Facts> {
  const row = await tx.one<FactsRow>(sql`SELECT ${factsColumns(memberId, challenges, opts)}`);
  return factsOf(row, program);
}

export interface Facts {
  zone: string;
  purchases: ChallengePurchase[];
  completions: Completion[];
}

/**
 * The columns of challengeFacts' read (zone when asked, purchases,
 * completions), for a statement that reads them beside its own: a purchase
 * weighs the challenges it may move in the read it makes anyway.
 */
export function factsColumns(memberId: number, challenges: readonly Challenge[], opts: FactsOptions = {}): Sql {
  const { zone = true } = opts;
  return sql`
      ${
        zone
          ? sql`(SELECT st."timeZone" FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
                WHERE p."memberId" = ${memberId} ORDER BY p.at DESC, p.id DESC LIMIT 1) AS zone,`
          : sql``
      }
      ${
        challenges.length === 0
          ? sql`NULL::json`
          : // In no order: the rules sort them.
            sql`(SELECT json_agg(json_build_array(
                   p.id, (extract(epoch FROM p.at) * 1000)::int8, p."storeId", st.region, st."timeZone",
                   p.amount - p."returnedAmount", ${categoriesOf(challenges, opts.categoriesSince)}))
                 FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
                 WHERE p."memberId" = ${memberId} AND p.at >= ${historySince(challenges)}::timestamp)`
      } AS purchases,
      ${completionsColumn(memberId, opts)}`;
}

/** From when `challenges` read a member's purchases: the earliest start among them, a day early (zones east of UTC). */
export function historySince(challenges: readonly Challenge[]): Date {
  return new Date(Math.min(...challenges.map((c) => Date.parse(`${c.startsOn}T00:00:00Z`))) - DAY_MS);
}

/**
 * A purchase `p`'s categories as `challenges` need them: none when no
 * category goal is among them; with `since`, only for purchases from then on.
 */
export function categoriesOf(challenges: readonly Challenge[], since: Date | undefined): Sql {
  if (!challenges.some((c) => c.goal.kind === "category")) return sql`NULL::text[]`;
  return since ? sql`CASE WHEN p.at >= ${since}::timestamp THEN ${purchaseCategories} END` : purchaseCategories;
}

/** The member's completions as a json column "completions" (FactsRow's). */
export function completionsColumn(memberId: number, opts: Pick<FactsOptions, "latestRounds" | "stands">): Sql {
  const { latestRounds = false, stands = false } = opts;
  return sql`(SELECT json_agg(json_build_object(
                'id', id, 'challenge', challenge, 'round', round, 'purchaseIds', "purchaseIds", 'points', points,
                'badge', badge, 'reversedPoints', "reversedPoints",
                'completedAt', to_char("completedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')${
                  stands
                    ? sql`, 'stands', NOT EXISTS (SELECT 1 FROM "Purchase" p
                            WHERE p.id = ANY(c."purchaseIds") AND p."returnedAmount" >= p.amount)`
                    : sql``
                }) ORDER BY challenge, round)
        FROM ${
          latestRounds
            ? sql`(SELECT DISTINCT ON (challenge) * FROM "ChallengeCompletion"
                   WHERE "memberId" = ${memberId} ORDER BY challenge, round DESC) c`
            : sql`"ChallengeCompletion" c WHERE "memberId" = ${memberId}`
        }) AS completions`;
}

/** A purchase's categories: written with it, or looked up in its items for one written before they were. */
const purchaseCategories = sql`COALESCE(p.categories,
  (SELECT array_agg(DISTINCT i.category) FROM "PurchaseItem" i WHERE i."purchaseId" = p.id))`;

/** The facts in a row read with factsColumns. */
export function factsOf(row: FactsRow | undefined, program: Program): Facts {
  return {
    zone: row?.zone ?? program.timeZone,
    purchases: (row?.purchases ?? []).map(([id, at, storeId, region, timeZone, netKopecks, cats]) => ({
      id,
      at: new Date(at),
      storeId,
      region,
      timeZone,
      netKopecks,
      categories: cats ?? [],
    })),
    completions: (row?.completions ?? []).map((c) => ({ ...c, completedAt: new Date(c.completedAt) })),
  };
}

/**
 * Where the member's next round of a challenge starts: after the purchase
 * that completed the last round. Undefined for the first round; null when a
 * one-off challenge is done.
 */
export function nextRound(
  c: Challenge,
  completions: readonly Completion[],
  purchases: readonly ChallengePurchase[],
): { round: number; after?: { at: Date; id: number } } | null {
  const mine = completions.filter((k) => k.challenge === c.code);
  const last = mine[mine.length - 1];
  if (!last) return { round: 1 };
  if (!c.repeat) return null;
  const lastId = last.purchaseIds[last.purchaseIds.length - 1];
  const p = purchases.find((q) => q.id === lastId);
  return { round: last.round + 1, after: { at: p?.at ?? last.completedAt, id: lastId ?? 0 } };
}
