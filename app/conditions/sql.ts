import {
  type Condition,
  type Leaf,
  localDate,
  type MemberFacts,
  type Program,
  RFM_THRESHOLDS,
  rfmSegment,
  tierForSpend,
  windowStart,
} from "../../domain/index.js";
import { type Sql, sql } from "../db/sql.js";

/**
 * The condition language (domain/conditions.ts) compiled to SQL: a boolean
 * expression over one member row aliased `m` ("Member" m), for counting a
 * segment, building a broadcast's audience, previewing an offer or scanning
 * for triggers in one statement instead of loading every member.
 *
 * It must agree with `evaluate` leaf by leaf (test/conditions/sql.test.ts
 * checks both on the same generated members, on both databases). Every value
 * is a parameter; nothing from a condition is spliced into the text.
 *
 * Definitions shared with the evaluator:
 * - a visit is a receipt not wholly returned; spend is net of returns;
 * - a window of D days is purchases at or after now − D days;
 * - the tier is the accrual's: net spend over the tier window (now − window, now];
 * - the member's zone (for birthdays) is that of the store of their latest
 *   purchase, else the program's, the rule quiet hours use.
 */
export function conditionSql(condition: Condition, now: Date, program: Program): Sql {
  switch (condition.kind) {
    case "and":
      return join(
        condition.of.map((c) => conditionSql(c, now, program)),
        "AND",
      );
    case "or":
      return join(
        condition.of.map((c) => conditionSql(c, now, program)),
        "OR",
      );
    case "not":
      // A leaf is never NULL below (each is coalesced), so NOT is exact.
      return sql`(NOT ${conditionSql(condition.of, now, program)})`;
    default:
      return leafSql(condition, now, program);
  }
}

function join(parts: Sql[], op: "AND" | "OR"): Sql {
  const glue = op === "AND" ? sql` AND ` : sql` OR `;
  return sql`(${parts.slice(1).reduce((acc, p) => sql`${acc}${glue}${p}`, parts[0] as Sql)})`;
}

const DAY_MS = 86_400_000;
const daysBefore = (now: Date, d: number) => new Date(now.getTime() - d * DAY_MS);
const ts = (d: Date) => sql`${d}::timestamp`;

/** Receipts of m not wholly returned. */
const visit = sql`p."memberId" = m.id AND p."returnedAmount" < p.amount`;

function between(value: Sql, r: { min?: number | undefined; max?: number | undefined }): Sql {
  const parts: Sql[] = [];
  if (r.min !== undefined) parts.push(sql`${value} >= ${r.min}::bigint`);
  if (r.max !== undefined) parts.push(sql`${value} <= ${r.max}::bigint`);
  return parts.length ? join(parts, "AND") : sql`TRUE`;
}

function netSpendSince(from: Date, upTo?: Date, strictlyAfter = false): Sql {
  const lower = strictlyAfter ? sql`p.at > ${ts(from)}` : sql`p.at >= ${ts(from)}`;
  const upper = upTo ? sql` AND p.at <= ${ts(upTo)}` : sql``;
  return sql`(SELECT coalesce(sum(p.amount - p."returnedAmount"), 0) FROM "Purchase" p
    WHERE p."memberId" = m.id AND ${lower}${upper})`;
}

function visitsSince(from: Date): Sql {
  return sql`(SELECT count(*) FROM "Purchase" p WHERE ${visit} AND p.at >= ${ts(from)})`;
}

const lastVisit = sql`(SELECT max(p.at) FROM "Purchase" p WHERE ${visit})`;

/** Whole days since the last visit; NULL when the member never bought. */
const daysSinceLast = (now: Date) => sql`floor(extract(epoch FROM (${ts(now)} - ${lastVisit})) / 86400)::bigint`;

function productMatch(product: { category?: string | undefined; sku?: string | undefined }): Sql {
  const parts: Sql[] = [sql`i."purchaseId" = p.id`];
  if (product.category !== undefined) parts.push(sql`i.category = ${product.category}`);
  if (product.sku !== undefined) parts.push(sql`i.sku = ${product.sku}`);
  return join(parts, "AND");
}

function receiptsWith(product: { category?: string | undefined; sku?: string | undefined }, from?: Date): Sql {
  const window = from ? sql` AND p.at >= ${ts(from)}` : sql``;
  return sql`FROM "Purchase" p WHERE ${visit}${window}
    AND EXISTS (SELECT 1 FROM "PurchaseItem" i WHERE ${productMatch(product)})`;
}

/** The tier as the accrual computes it, by net spend over the tier window. */
function tierIn(codes: readonly string[], now: Date, program: Program): Sql {
  const tiers = program.tiers;
  const spend = netSpendSince(windowStart(now, program.tierWindowDays), now, true);
  // Each tier owns [its threshold, the next one's): a tier set is a union of ranges.
  const ranges: Sql[] = [];
  tiers.forEach((t, i) => {
    if (!codes.includes(t.code)) return;
    const next = tiers[i + 1];
    const lower = i === 0 ? sql`TRUE` : sql`s.v >= ${t.thresholdKopecks}::bigint`;
    ranges.push(next ? sql`(${lower} AND s.v < ${next.thresholdKopecks}::bigint)` : sql`(${lower})`);
  });
  if (!ranges.length) return sql`FALSE`;
  return sql`EXISTS (SELECT 1 FROM (SELECT ${spend} AS v) s WHERE ${join(ranges, "OR")})`;
}

function rfmSql(leaf: Extract<Leaf, { kind: "rfm" }>, now: Date): Sql {
  const t = RFM_THRESHOLDS;
  const yearAgo = daysBefore(now, t.windowDays);
  const r = sql`CASE WHEN x.d <= ${t.recencyDays[0]}::bigint THEN 3 WHEN x.d <= ${t.recencyDays[1]}::bigint THEN 2 ELSE 1 END`;
  const f = sql`CASE WHEN x.n >= ${t.frequency[1]}::bigint THEN 3 WHEN x.n >= ${t.frequency[0]}::bigint THEN 2 ELSE 1 END`;
  const mon = sql`CASE WHEN x.s >= ${t.monetaryKopecks[1]}::bigint THEN 3 WHEN x.s >= ${t.monetaryKopecks[0]}::bigint THEN 2 ELSE 1 END`;
  const parts: Sql[] = [sql`x.d IS NOT NULL`];
  if (leaf.recency) parts.push(between(r, leaf.recency));
  if (leaf.frequency) parts.push(between(f, leaf.frequency));
  if (leaf.monetary) parts.push(between(mon, leaf.monetary));
  if (leaf.segments) {
    // The 27 score cells that fold into the wanted segments, from the domain's own rule.
    const cells: string[] = [];
    for (const a of [1, 2, 3] as const)
      for (const b of [1, 2, 3] as const)
        for (const c of [1, 2, 3] as const) if (leaf.segments.includes(rfmSegment(a, b, c))) cells.push(`${a}${b}${c}`);
    parts.push(sql`((${r})::text || (${f})::text || (${mon})::text) = ANY(${cells}::text[])`);
  }
  return sql`EXISTS (SELECT 1 FROM (SELECT ${daysSinceLast(now)} AS d, ${visitsSince(yearAgo)} AS n,
    ${netSpendSince(yearAgo)} AS s) x WHERE ${join(parts, "AND")})`;
}

/** The member's local date, in the zone of their latest purchase's store, else the program's. */
function localToday(now: Date, program: Program): Sql {
  const zone = sql`coalesce((SELECT st."timeZone" FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
    WHERE p."memberId" = m.id ORDER BY p.at DESC, p.id DESC LIMIT 1), ${program.timeZone})`;
  return sql`((${ts(now)} AT TIME ZONE 'UTC') AT TIME ZONE ${zone})::date`;
}

/** Birthday within `days` of the local today; 29 February is kept on 28 February in a common year. */
function birthdaySql(days: number, now: Date, program: Program): Sql {
  return sql`(m.birthday IS NOT NULL AND EXISTS (
    SELECT 1 FROM (SELECT ${localToday(now, program)} AS t) today, generate_series(0, ${days}::int) g(i)
    WHERE to_char(today.t + g.i, 'MM-DD') = to_char(m.birthday, 'MM-DD')
       OR (to_char(m.birthday, 'MM-DD') = '02-29' AND to_char(today.t + g.i, 'MM-DD') = '02-28'
           AND to_char(make_date(extract(year FROM today.t + g.i)::int, 3, 1) - 1, 'DD') = '28')))`;
}

export function leafSql(leaf: Leaf, now: Date, program: Program): Sql {
  switch (leaf.kind) {
    case "tier":
      return tierIn(leaf.in, now, program);
    case "rfm":
      return rfmSql(leaf, now);
    case "daysSinceLastPurchase":
      return sql`coalesce(${between(daysSinceLast(now), leaf)}, FALSE)`;
    case "visits":
      return between(visitsSince(daysBefore(now, leaf.withinDays)), leaf);
    case "spend":
      return between(netSpendSince(daysBefore(now, leaf.withinDays)), leaf);
    case "bought": {
      const from = leaf.withinDays === undefined ? undefined : daysBefore(now, leaf.withinDays);
      if (leaf.times === 1) return sql`EXISTS (SELECT 1 ${receiptsWith(leaf.product, from)})`;
      return sql`((SELECT count(*) ${receiptsWith(leaf.product, from)}) >= ${leaf.times}::bigint)`;
    }
    case "neverBought": {
      const from = leaf.withinDays === undefined ? undefined : daysBefore(now, leaf.withinDays);
      return sql`NOT EXISTS (SELECT 1 ${receiptsWith(leaf.product, from)})`;
    }
    case "homeStore":
      return sql`coalesce((SELECT p."storeId" FROM "Purchase" p WHERE ${visit}
        GROUP BY p."storeId" ORDER BY count(*) DESC, max(p.at) DESC LIMIT 1) = ANY(${leaf.storeIds}::int[]), FALSE)`;
    case "birthdayWithin":
      return birthdaySql(leaf.days, now, program);
    case "enrolledWithin":
      return sql`m."createdAt" >= ${ts(daysBefore(now, leaf.days))}`;
    case "language":
      return sql`coalesce(m.language, 'ru') = ANY(${leaf.in}::text[])`;
    case "balance":
      return between(sql`m.balance`, leaf);
  }
}

/** How conditions read a member's history: a statement that returns rows. */
export interface SqlReader {
  many<T>(q: Sql): Promise<T[]>;
}

export interface FactsRow {
  id: number;
  /** A Date from a column; text (UTC without zone) when the row came through row_to_json. */
  createdAt: Date | string;
  /** "MM-DD": a DATE column is read as text so no process time zone can shift it. */
  birthday: string | null;
  language: string | null;
  balance: number;
  zone: string | null;
  purchases:
    | { at: string; storeId: number; amount: number; returned: number; items: { sku: string; category: string }[] }[]
    | null;
}

/**
 * The SELECT of one facts row per member of `members` (an int[] expression):
 * the member, their purchases from `from` on (all when null) and, when
 * `lines` holds, their lines (the lines are most of what it reads).
 * The till embeds it in its own statement (app/offers/apply.ts) to spare a
 * round trip; `memberFacts` runs it alone.
 */
export function factsSelect(members: Sql, from: Sql, lines: Sql = sql`TRUE`): Sql {
  return sql`
    SELECT m.id, m."createdAt", to_char(m.birthday, 'MM-DD') AS birthday, m.language, m.balance,
      (SELECT st."timeZone" FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
        WHERE p."memberId" = m.id ORDER BY p.at DESC, p.id DESC LIMIT 1) AS zone,
      (SELECT json_agg(json_build_object('at', p.at, 'storeId', p."storeId", 'amount', p.amount,
          'returned', p."returnedAmount",
          'items', CASE WHEN ${lines} THEN
                    (SELECT coalesce(json_agg(json_build_object('sku', i.sku, 'category', i.category)), '[]'::json)
                     FROM "PurchaseItem" i WHERE i."purchaseId" = p.id) ELSE '[]'::json END))
        FROM "Purchase" p WHERE p."memberId" = m.id
          AND ((${from}) IS NULL OR p.at >= (${from}))) AS purchases
    FROM "Member" m WHERE m.id = ANY(${members})`;
}

/** One facts row as `evaluate` reads it, as of `now`. */
export function toFacts(r: FactsRow, now: Date, program: Program): MemberFacts {
  const purchases = (r.purchases ?? []).map((p) => ({
    // json_build_object writes a timestamp without zone as local text; it holds UTC.
    at: new Date(`${p.at}Z`),
    storeId: p.storeId,
    netKopecks: p.amount - p.returned,
    whollyReturned: p.returned >= p.amount,
    items: p.items,
  }));
  const tierFrom = windowStart(now, program.tierWindowDays).getTime();
  const tierSpend = purchases
    .filter((p) => p.at.getTime() > tierFrom && p.at.getTime() <= now.getTime())
    .reduce((s, p) => s + p.netKopecks, 0);
  return {
    now,
    today: localDate(now, r.zone ?? program.timeZone),
    tierCode: tierForSpend(program.tiers, tierSpend).code,
    enrolledAt: r.createdAt instanceof Date ? r.createdAt : new Date(`${r.createdAt}Z`),
    birthday: r.birthday ? { month: Number(r.birthday.slice(0, 2)), day: Number(r.birthday.slice(3, 5)) } : null,
    language: r.language === "en" ? "en" : "ru",
    balance: r.balance,
    purchases,
  };
}

/**
 * The facts `evaluate` needs for these members, in one round trip: the
 * member, their purchases (from `sinceDays` back when given: a caller whose
 * conditions all have windows need not read years of history) and the lines.
 */
export async function memberFacts(
  reader: SqlReader,
  memberIds: readonly number[],
  now: Date,
  program: Program,
  opts: { sinceDays?: number } = {},
): Promise<Map<number, MemberFacts>> {
  if (!memberIds.length) return new Map();
  // The tier needs the tier window whatever the conditions' own windows are.
  const from = opts.sinceDays === undefined ? null : daysBefore(now, Math.max(opts.sinceDays, program.tierWindowDays));
  const rows = await reader.many<FactsRow>(factsSelect(sql`${memberIds as number[]}::int[]`, sql`${from}::timestamp`));
  const out = new Map<number, MemberFacts>();
  for (const r of rows) out.set(r.id, toFacts(r, now, program));
  return out;
}
