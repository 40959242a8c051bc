import { ACTIVE_WINDOW_DAYS, type Program, RFM_THRESHOLDS } from "../../domain/index.js";
import type { Database } from "../db/database.js";
import { type Sql, sql, type SqlTx } from "../db/sql.js";
import { Prisma } from "../../generated/prisma/client.js";

/**
 * The dashboard's pre-aggregates (migration 20261204110000_metrics_rollups),
 * so its queries read thousands of rows instead of months of purchases.
 *
 * Additive day tables (store × day, category × day, ledger × day) take each
 * new row once. Distinct counts (active members, repeat customers, cohorts,
 * retention) are not additive over days, so they live in cubes of member
 * counts keyed by months, where each member contributes rows that are a pure
 * function of their purchases (and enrollment month):
 *
 * - `act` (scope, a = month, b = the member's previous month with a purchase
 *   in the scope or 0, c = enrollment month when b = 0 else 0, d = 1 when they
 *   bought more than once that month): members and purchases. Active in
 *   [f, t) = Σ a ∈ [f, t), b < f; in a scope at t (bought there before) = Σ b = 0, a < t.
 * - `rep` (scope, a = month, b = previous month, c = the one before): members
 *   whose previous month had a single purchase. Repeat customers in [f, t) =
 *   act(a ∈ [f, t), b < f, d = 1) + rep(a ∈ [f, t), b ≥ f, c < f).
 * - `coh` (a = enrollment month, b = month bought): members (chain only).
 * - `enr` (a = enrollment month): members (chain only).
 * - MetricsRetention: members by the month starts at which they were active.
 *
 * Scopes: '' the chain, 'r:<region>', 's:<store id>', 'c:<category>' (act for
 * all; rep for all but stores; retention for the chain and regions).
 *
 * Dimensions (the tier and cohort filters; filled after the rest by their
 * own resumable backfill on a deployment that had the rollups before them):
 * - 'T<i>@<t>' and 'T<i>@<t>|r:<region>': members whose tier at month start t
 *   is the program's tier i (i > 0: the tier of a spend of 0 is the rest),
 *   act and rep of their purchases before t as in the chain or the region, a
 *   `rev` cube (a = month, purchases = net revenue) and, for the chain, `tmem`
 *   (a = enrollment month): the members themselves.
 * - 'K<m>' and 'K<m>|r:<region>': members who enrolled in month m: act, rep,
 *   rev and retention.
 * - 'E<m>' and 'E<m>|r:<region>': act, rep and rev of purchases dated before
 *   the member's enrollment month m (imported history), which a member filter
 *   leaves out of a period ending before m.
 * - coh for 'r:' and 's:' scopes (cohort retention in a region or a store).
 *
 * Tier scopes (their own backfill, after the dimensions): for the members of
 * 'T<i>@<t>', their rows before t as MetricsTierCost (loyalty cost), category
 * scopes 'T<i>@<t>|c:<category>', and in 'T<i>@<t>' itself `tret` (retention:
 * a = a month start ≤ t they were active at, b = 1 when active at t too),
 * `coh` (a = enrollment month, b = month bought), `rfm` (their cell at t),
 * `pts` (ledger: a = month, b = kind, members = credits, purchases = the sum),
 * `nps` (answers: a = month, b = store or -1, c = class) and `tsc` (a =
 * store, b = the member's last month there). Their own backfill after
 * those: `trc` (a = store, b = local day as days since 1970-01-01, members =
 * receipts) for the store-days a POS reported (StoreReceiptDay, a source
 * like the others: a new report changes the contribution of the members who
 * bought there that day). Their own backfill after those, for a tier with a
 * region: for each region the member bought in before t, 'T<i>@<t>|r:<region>'
 * `tret`, `coh` and `rfm` of their purchases there and `nps` of their answers
 * about its stores, category scopes 'T<i>@<t>|cr:<region's length>:<region><category>',
 * and MetricsTierCost rows per region and category (kind 'r'). A new ledger
 * entry or NPS answer changes its member's contribution like a purchase.
 *
 * When a member's purchases change, their old contribution is subtracted and
 * the new one added (both computed from the raw rows: the old set is the new
 * one without the ids being applied), so a purchase dated in the past, or
 * two of them in one month, lands exactly.
 *
 * Sources advance by id watermark. An id under the new watermark that is not
 * visible yet (its transaction still open) is kept as a gap, excluded from
 * every contribution until it appears, then applied like a new row; a gap
 * never seen after an hour was rolled back.
 */

/** A ledger entry's kind as the rollups count it: 1 redemption, 2 expiry, 3 reversal, 0 the rest (credits). */
const LEDGER_KIND = sql`CASE e.kind::text WHEN 'redemption' THEN 1 WHEN 'expiry' THEN 2 WHEN 'reversal' THEN 3 ELSE 0 END`;
const MONTH = (col: Sql) => sql`(extract(year FROM ${col})::int * 12 + extract(month FROM ${col})::int - 1)`;
const raw = Prisma.raw;
/** Month number (year * 12 + month − 1) of a month-start Date. */
export const monthNumber = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
/** Whether a Date is the start of a UTC month. */
export const isMonthStart = (d: Date) =>
  d.getUTCDate() === 1 &&
  d.getUTCHours() === 0 &&
  d.getUTCMinutes() === 0 &&
  d.getUTCSeconds() === 0 &&
  d.getUTCMilliseconds() === 0;

const GAP_TTL_MS = 3_600_000;
const SOURCES = [
  { name: "purchase", table: "Purchase", col: "purchaseId" },
  { name: "return", table: "Return", col: "returnId" },
  { name: "ledger", table: "LedgerEntry", col: "ledgerId" },
  { name: "member", table: "Member", col: "memberId" },
  { name: "nps", table: "NpsAnswer", col: "npsId" },
  { name: "receipts", table: "StoreReceiptDay", col: "receiptDayId" },
] as const;
type SourceName = (typeof SOURCES)[number]["name"];

interface State {
  purchaseId: number;
  returnId: number;
  ledgerId: number;
  memberId: number;
  npsId: number;
  receiptDayId: number;
  economics: string;
  catchUpCursor: number | null;
  dimensionsCursor: number | null;
  storeCategoryCursor: number | null;
  categoryScopesCursor: number | null;
  tierScopesCursor: number | null;
  receiptScopesCursor: number | null;
  cohortLedgerCursor: number | null;
  tierRegionsCursor: number | null;
}

/**
 * Which rows a contribution makes: those before the dimensions (`base`), and
 * the dimensions' rows for the members matching `dims`.
 */
interface Parts {
  base: boolean;
  dims: (memberCol: Sql) => Sql;
  /** Members whose category × region ('cr:') and category × cohort ('ck:') rows are made; null: none. */
  cats: ((memberCol: Sql) => Sql) | null;
  /** Members whose tier scopes (MetricsTierCost, 'T<i>@<t>|c:' cube scopes) are made; null: none. */
  tiers: ((memberCol: Sql) => Sql) | null;
  /** Members whose receipts on reported store-days are made in their tier scopes ('trc'); null: none. */
  receipts: ((memberCol: Sql) => Sql) | null;
  /** Members whose tier scopes' rows per region ('T<i>@<t>|r:' tret, coh, rfm, nps; 'T<i>@<t>|cr:'; MetricsTierCost 'r') are made; null: none. */
  regions: ((memberCol: Sql) => Sql) | null;
}
const all = () => sql`true`;
const none = () => sql`false`;

const notGap = (source: SourceName, col: Sql) =>
  sql`NOT EXISTS (SELECT 1 FROM "MetricsRollupGap" g WHERE g.source = ${source}::text AND g.id = ${col})`;

/** Which rows of each source a contribution counts: conditions on the aliases p, m, r, e and a. */
type Applied = Record<SourceName, Sql>;
const ALIAS: Record<SourceName, string> = {
  purchase: "p",
  return: "r",
  ledger: "e",
  member: "m",
  nps: "a",
  receipts: "rd",
};

/**
 * The rows applied up to the watermarks `hi` (and not in a gap); with
 * `except`, minus the rows it says are being applied now (the old set).
 */
function appliedUpTo(hi: Record<SourceName, number>, except?: (source: SourceName, col: Sql) => Sql): Applied {
  const out = {} as Applied;
  for (const { name } of SOURCES) {
    const col = raw(`${ALIAS[name]}.id`);
    out[name] =
      sql`${col} <= ${hi[name]}::int AND ${notGap(name, col)}${except ? sql` AND NOT ${except(name, col)}` : sql``}`;
  }
  return out;
}

/** The watermarks of a state, by source. */
const watermarks = (st: State): Record<SourceName, number> => ({
  purchase: st.purchaseId,
  return: st.returnId,
  ledger: st.ledgerId,
  member: st.memberId,
  nps: st.npsId,
  receipts: st.receiptDayId,
});

/**
 * One member set's cube contribution as CTEs `<p>_cube(cube, scope, a, b, c, d, members, purchases)`
 * and `<p>_ret(scope, months, members)`: members matching `memberCond`, and of
 * their rows (purchases, returns, enrollment, ledger entries, NPS answers) those `applied` says.
 */
function contribution(
  program: Program,
  p: string,
  memberCond: (col: Sql) => Sql,
  applied: Applied,
  few = false,
  parts: Parts = { base: true, dims: all, cats: all, tiers: all, receipts: all, regions: all },
): Sql {
  const purchaseCond = applied.purchase;
  const enrolledCond = applied.member;
  const returnCond = applied.return;
  const w = ACTIVE_WINDOW_DAYS;
  const P = (n: string) => raw(`${p}_${n}`);
  const tw = program.tierWindowDays;
  const rw = RFM_THRESHOLDS.windowDays;
  const t = RFM_THRESHOLDS;
  // Month starts within the longer window after a purchase.
  const ahead = Math.ceil(Math.max(tw, rw) / 28) + 1;
  const tiers = sql`(VALUES ${Prisma.join(program.tiers.map((x, i) => sql`(${i}::int, ${x.thresholdKopecks}::bigint)`))}) AS v(i, threshold)`;
  const T = sql`make_timestamp(b / 12, b % 12 + 1, 1, 0, 0, 0)`;
  return sql`${P("p")} AS (
      SELECT p.id, p."memberId", p."storeId", p.at, ${MONTH(sql`p.at`)} AS mo, st.region,
             p.amount::bigint AS gross, p."pointsAccrued"::bigint AS pts,
             p.amount::bigint - COALESCE((SELECT SUM(r.amount) FROM "Return" r WHERE r."purchaseId" = p.id AND ${returnCond}), 0) AS net
      FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
      WHERE ${memberCond(sql`p."memberId"`)} AND ${purchaseCond}),
    ${P("bnd")} AS (
      SELECT b, ${T} AS ts, ${T} - ${tw}::int * interval '1 day' AS tier_from, ${T} - ${rw}::int * interval '1 day' AS rfm_from,
             ${T} - ${Math.max(tw, rw)}::int * interval '1 day' AS lo
      FROM generate_series((SELECT min(mo) + 1 FROM ${P("p")}), (SELECT max(mo) + ${ahead}::int FROM ${P("p")})) b),
    ${P("win")} AS (
      SELECT x."memberId", d.b AS t,
             SUM(x.net) FILTER (WHERE x.at > d.tier_from) AS spend,
             count(*) FILTER (WHERE x.at > d.rfm_from) AS f,
             COALESCE(SUM(x.net) FILTER (WHERE x.at > d.rfm_from), 0) AS m,
             floor(extract(epoch FROM (max(d.ts) - max(x.at) FILTER (WHERE x.at > d.rfm_from))) / 86400)::int AS days
      FROM ${P("p")} x JOIN ${P("bnd")} d ON d.b > x.mo AND d.b <= x.mo + ${ahead}::int AND x.at > d.lo
      GROUP BY 1, 2),
    ${P("mem")} AS (SELECT m.id, ${MONTH(sql`m."createdAt"`)} AS cm FROM "Member" m WHERE ${memberCond(sql`m.id`)} AND ${enrolledCond}),
    ${P("pc")} AS (
      SELECT DISTINCT x.id, x."memberId", x.mo, x.at, x.region, i.category
        FROM ${P("p")} x ${
          !parts.base && parts.cats === null && parts.tiers === null && parts.regions === null
            ? sql`JOIN (SELECT NULL::text AS category) i ON false WHERE true`
            : few
              ? // A few members' purchases lie all over the table: look up each one's items by index.
                sql`CROSS JOIN LATERAL (SELECT i.category FROM "PurchaseItem" i WHERE i."purchaseId" = x.id) i WHERE true`
              : // A batch's purchases are near each other: the id range lets the planner read the items by index instead of all of them.
                sql`JOIN "PurchaseItem" i ON i."purchaseId" = x.id
                  WHERE i."purchaseId" BETWEEN (SELECT min(id) FROM ${P("p")}) AND (SELECT max(id) FROM ${P("p")})`
        } AND (${raw(parts.base ? "true" : "false")} OR ${parts.cats === null ? sql`false` : parts.cats(sql`x."memberId"`)}
               OR ${parts.tiers === null ? sql`false` : parts.tiers(sql`x."memberId"`)}
               OR ${parts.regions === null ? sql`false` : parts.regions(sql`x."memberId"`)})),
    ${P("pm")} AS (
      SELECT ''::text AS scope, "memberId", mo, count(*)::int AS k, max(at) AS last, SUM(net)::bigint AS rev FROM ${P("p")} GROUP BY 2, 3
      UNION ALL SELECT 'r:' || region, "memberId", mo, count(*)::int, max(at), SUM(net)::bigint FROM ${P("p")} GROUP BY 1, 2, 3
      UNION ALL SELECT 's:' || "storeId", "memberId", mo, count(*)::int, max(at), SUM(net)::bigint FROM ${P("p")} GROUP BY 1, 2, 3
      UNION ALL SELECT 'c:' || category, "memberId", mo, count(*)::int, max(at), 0 FROM ${P("pc")}
        WHERE ${raw(parts.base ? "true" : "false")} OR ${parts.tiers === null ? sql`false` : parts.tiers(sql`"memberId"`)} GROUP BY 1, 2, 3
      -- Category × region and category × cohort: the region's (or the cohort month's) length-prefixed name, then the category.
      UNION ALL SELECT 'cr:' || char_length(region) || ':' || region || category, "memberId", mo, count(*)::int, max(at), 0
        FROM ${P("pc")} x
        WHERE ${parts.cats === null ? sql`false` : parts.cats(sql`x."memberId"`)}
           OR ${parts.regions === null ? sql`false` : parts.regions(sql`x."memberId"`)}
        GROUP BY 1, 2, 3
      UNION ALL SELECT 'ck:' || m.cm || ':' || x.category, x."memberId", x.mo, count(*)::int, max(x.at), 0
        FROM ${P("pc")} x JOIN ${P("mem")} m ON m.id = x."memberId"
        WHERE ${parts.cats === null ? sql`false` : parts.cats(sql`x."memberId"`)} GROUP BY 1, 2, 3),
    ${P("seq")} AS (
      SELECT pm.*, COALESCE(lag(mo) OVER w, 0) AS prev, COALESCE(lag(mo, 2) OVER w, 0) AS prev2, lag(k) OVER w AS prevk
      FROM ${P("pm")} pm WINDOW w AS (PARTITION BY scope, "memberId" ORDER BY mo)),
    -- Members in a tier i > 0 at month start t (the tier of 0 is the chain minus these), computed once for
    -- the dimensions ('ti'), the tier scopes ('tt') and their receipts (trc).
    ${P("tall")} AS (
      SELECT * FROM (
        SELECT w."memberId", w.t, m.cm,
               (SELECT v.i FROM ${tiers} WHERE v.threshold <= w.spend ORDER BY v.threshold DESC LIMIT 1) AS i
        FROM ${P("win")} w JOIN ${P("mem")} m ON m.id = w."memberId" AND m.cm < w.t
        WHERE w.spend IS NOT NULL
          AND (${parts.dims(sql`w."memberId"`)}
               OR ${parts.tiers === null ? sql`false` : parts.tiers(sql`w."memberId"`)}
               OR ${parts.receipts === null ? sql`false` : parts.receipts(sql`w."memberId"`)}
               OR ${parts.regions === null ? sql`false` : parts.regions(sql`w."memberId"`)})) x
      WHERE i > 0),
    ${P("ti")} AS (SELECT * FROM ${P("tall")} WHERE ${parts.dims(sql`"memberId"`)}),
    ${P("tt")} AS (SELECT * FROM ${P("tall")} WHERE ${parts.tiers === null ? sql`false` : parts.tiers(sql`"memberId"`)}),
    -- The same members, whose rows per region are made ('T<i>@<t>|r:', '|cr:', MetricsTierCost 'r').
    ${P("tr")} AS (SELECT * FROM ${P("tall")} WHERE ${parts.regions === null ? sql`false` : parts.regions(sql`"memberId"`)}),
    -- Receipts on the store-days a POS reported (local days before t), of the members in a tier at t.
    ${P("trc")} AS (
      SELECT tr.i, tr.t, x."storeId", x.lday - DATE '1970-01-01' AS lday, count(*)::bigint AS k
      FROM (SELECT x."memberId", x."storeId", ((x.at AT TIME ZONE 'UTC') AT TIME ZONE st."timeZone")::date AS lday
            FROM ${P("p")} x JOIN "Store" st ON st.id = x."storeId"
            WHERE ${parts.receipts === null ? sql`false` : parts.receipts(sql`x."memberId"`)}) x
      JOIN "StoreReceiptDay" rd ON rd."storeId" = x."storeId" AND rd.day = x.lday AND ${applied.receipts}
      JOIN ${P("tall")} tr ON tr."memberId" = x."memberId" AND x.lday < make_date(tr.t / 12, tr.t % 12 + 1, 1)
      WHERE ${parts.receipts === null ? sql`false` : parts.receipts(sql`tr."memberId"`)}
      GROUP BY 1, 2, 3, 4),
    ${tierCost(program, p, few)},
    -- The tier scopes' members' ledger by month and kind, and NPS answers by month, store and class.
    ${P("tlg")} AS (
      SELECT e."memberId", ${MONTH(sql`e."createdAt"`)} AS mo,
             ${LEDGER_KIND} AS kind,
             COALESCE(SUM(e.points) FILTER (WHERE e.points > 0), 0)::bigint AS credits, SUM(e.points)::bigint AS total
      FROM "LedgerEntry" e
      WHERE ${parts.tiers === null ? sql`false` : sql`${memberCond(sql`e."memberId"`)} AND e."memberId" IN (SELECT "memberId" FROM ${P("tt")})`}
        AND ${applied.ledger}
      GROUP BY 1, 2, 3),
    ${P("tna")} AS (
      SELECT a."memberId", ${MONTH(sql`a."answeredAt"`)} AS mo, COALESCE(a."storeId", -1) AS store,
             CASE WHEN a.score <= 6 THEN 0 WHEN a.score <= 8 THEN 1 ELSE 2 END AS class, count(*)::bigint AS k
      FROM "NpsAnswer" a
      WHERE ${memberCond(sql`a."memberId"`)}
        AND a."memberId" IN (SELECT "memberId" FROM ${P("tt")} UNION SELECT "memberId" FROM ${P("tr")})
        AND ${applied.nps}
      GROUP BY 1, 2, 3, 4),
    -- The month starts at which the tier scopes' members were active (bought in the window before).
    ${P("tact")} AS (
      SELECT DISTINCT x."memberId", b
      FROM ${P("pm")} x CROSS JOIN LATERAL generate_series(x.mo + 1, x.mo + 4) b
      WHERE x.scope = '' AND x."memberId" IN (SELECT "memberId" FROM ${P("tt")})
        AND make_timestamp(b / 12, b % 12 + 1, 1, 0, 0, 0) - ${w}::int * interval '1 day' <= x.last),
    -- The month starts at which the members of tr were active in each region they bought in ('r:<region>').
    ${P("tactr")} AS (
      SELECT DISTINCT x."memberId", x.scope, b
      FROM ${P("pm")} x CROSS JOIN LATERAL generate_series(x.mo + 1, x.mo + 4) b
      WHERE x.scope LIKE 'r:%' AND x."memberId" IN (SELECT "memberId" FROM ${P("tr")})
        AND make_timestamp(b / 12, b % 12 + 1, 1, 0, 0, 0) - ${w}::int * interval '1 day' <= x.last),
    -- Their RFM figures at t by region: their purchases there in the window before t.
    ${P("wr")} AS (
      SELECT tr.i, tr.t, x.region, count(*) AS f, SUM(x.net) AS m,
             floor(extract(epoch FROM (make_timestamp(tr.t / 12, tr.t % 12 + 1, 1, 0, 0, 0) - max(x.at))) / 86400)::int AS days
      FROM ${P("tr")} tr JOIN ${P("p")} x ON x."memberId" = tr."memberId" AND x.mo < tr.t
        AND x.at > make_timestamp(tr.t / 12, tr.t % 12 + 1, 1, 0, 0, 0) - ${rw}::int * interval '1 day'
      GROUP BY tr."memberId", tr.i, tr.t, x.region),
    ${P("dseq")} AS (
      SELECT 'T' || ti.i || '@' || ti.t || CASE WHEN s.scope = '' THEN '' ELSE '|' || s.scope END AS scope,
             s.mo, s.prev, s.prev2, s.k, s.prevk, s.rev, ti.cm
      FROM ${P("seq")} s JOIN ${P("ti")} ti ON ti."memberId" = s."memberId" AND s.mo < ti.t
      WHERE s.scope = '' OR s.scope LIKE 'r:%'
      UNION ALL
      SELECT 'K' || m.cm || CASE WHEN s.scope = '' THEN '' ELSE '|' || s.scope END, s.mo, s.prev, s.prev2, s.k, s.prevk, s.rev, m.cm
      FROM ${P("seq")} s JOIN ${P("mem")} m ON m.id = s."memberId"
      WHERE (s.scope = '' OR s.scope LIKE 'r:%') AND ${parts.dims(sql`s."memberId"`)}
      UNION ALL
      SELECT 'E' || m.cm || CASE WHEN s.scope = '' THEN '' ELSE '|' || s.scope END, s.mo, s.prev, s.prev2, s.k, s.prevk, s.rev, m.cm
      FROM ${P("seq")} s JOIN ${P("mem")} m ON m.id = s."memberId" AND s.mo < m.cm
      WHERE (s.scope = '' OR s.scope LIKE 'r:%') AND ${parts.dims(sql`s."memberId"`)}
      UNION ALL
      -- Repurchase by category for a tier: 'T<i>@<t>|c:<category>'.
      SELECT 'T' || tt.i || '@' || tt.t || '|' || s.scope, s.mo, s.prev, s.prev2, s.k, s.prevk, 0, 0
      FROM ${P("seq")} s JOIN ${P("tt")} tt ON tt."memberId" = s."memberId" AND s.mo < tt.t
      WHERE s.scope LIKE 'c:%'
      UNION ALL
      -- And in a region: 'T<i>@<t>|cr:<length of the region's name>:<region><category>'.
      SELECT 'T' || tr.i || '@' || tr.t || '|' || s.scope, s.mo, s.prev, s.prev2, s.k, s.prevk, 0, 0
      FROM ${P("seq")} s JOIN ${P("tr")} tr ON tr."memberId" = s."memberId" AND s.mo < tr.t
      WHERE s.scope LIKE 'cr:%'),
    ${P("cube")} AS (
      SELECT 'act'::text AS cube, scope, mo AS a, prev AS b, CASE WHEN prev = 0 THEN cm ELSE 0 END AS c, (k > 1)::int AS d,
             1::bigint AS members, k::bigint AS purchases
      FROM ${P("dseq")}
      UNION ALL
      SELECT 'rep', scope, mo, prev, prev2, 0, 1, 0 FROM ${P("dseq")} WHERE prev > 0 AND prevk = 1
      UNION ALL
      SELECT 'rev', scope, mo, 0, 0, 0, 0, rev FROM ${P("dseq")} WHERE rev <> 0
      UNION ALL
      SELECT 'tmem', 'T' || i || '@' || t, cm, 0, 0, 0, 1, 0 FROM ${P("ti")}
      UNION ALL
      -- The tier scopes (tt): retention ('tret', a = a month start b ≤ t the member was active at, b = whether
      -- active at t too), cohort months ('coh'), RFM cells at t ('rfm'), the ledger ('pts', a = month,
      -- b = kind: 1 redemption, 2 expiry, 3 reversal, 0 the rest; members = credits, purchases = the sum)
      -- and NPS answers ('nps', a = month, b = store or -1, c = 0 detractor, 1 passive, 2 promoter).
      SELECT 'tret', 'T' || tt.i || '@' || tt.t, x.b, (y."memberId" IS NOT NULL)::int, 0, 0, 1, 0
      FROM ${P("tact")} x JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.b <= tt.t
      LEFT JOIN ${P("tact")} y ON y."memberId" = tt."memberId" AND y.b = tt.t
      UNION ALL
      SELECT 'coh', 'T' || tt.i || '@' || tt.t, m.cm, s.mo, 0, 0, 1, 0
      FROM ${P("seq")} s JOIN ${P("tt")} tt ON tt."memberId" = s."memberId" AND s.mo < tt.t JOIN ${P("mem")} m ON m.id = s."memberId"
      WHERE s.scope = ''
      UNION ALL
      SELECT 'rfm', 'T' || tt.i || '@' || tt.t, tt.t,
             CASE WHEN w.days <= ${t.recencyDays[0]}::int THEN 3 WHEN w.days <= ${t.recencyDays[1]}::int THEN 2 ELSE 1 END,
             CASE WHEN w.f >= ${t.frequency[1]}::int THEN 3 WHEN w.f >= ${t.frequency[0]}::int THEN 2 ELSE 1 END,
             CASE WHEN w.m >= ${t.monetaryKopecks[1]}::bigint THEN 3 WHEN w.m >= ${t.monetaryKopecks[0]}::bigint THEN 2 ELSE 1 END,
             1, 0
      FROM ${P("win")} w JOIN ${P("tt")} tt ON tt."memberId" = w."memberId" AND tt.t = w.t WHERE w.f > 0
      UNION ALL
      SELECT 'pts', 'T' || tt.i || '@' || tt.t, x.mo, x.kind, 0, 0, SUM(x.credits)::bigint, SUM(x.total)::bigint
      FROM ${P("tlg")} x JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.mo < tt.t GROUP BY 2, 3, 4
      UNION ALL
      -- Customers of a store ('tsc', a = store, b = the member's last month there before t): those who bought
      -- there in [f, t) are those whose last month there is f or later.
      SELECT 'tsc', 'T' || tt.i || '@' || tt.t, substr(x.scope, 3)::int, max(x.mo), 0, 0, 1, 0
      FROM ${P("pm")} x JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.mo < tt.t
      WHERE x.scope LIKE 's:%' GROUP BY tt.i, tt.t, x."memberId", x.scope
      UNION ALL
      SELECT 'trc', 'T' || i || '@' || t, "storeId", lday, 0, 0, k, 0 FROM ${P("trc")}
      UNION ALL
      SELECT 'nps', 'T' || tt.i || '@' || tt.t, x.mo, x.store, x.class, 0, SUM(x.k)::bigint, 0
      FROM ${P("tna")} x JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.mo < tt.t GROUP BY 2, 3, 4, 5
      UNION ALL
      -- The tier scopes per region (tr, 'T<i>@<t>|r:<region>'), for each region the member bought in before t:
      -- retention and cohort months of their purchases there, their RFM cell there, and their answers about
      -- its stores.
      SELECT 'tret', 'T' || tr.i || '@' || tr.t || '|' || x.scope, x.b, (y."memberId" IS NOT NULL)::int, 0, 0, 1, 0
      FROM ${P("tactr")} x JOIN ${P("tr")} tr ON tr."memberId" = x."memberId" AND x.b <= tr.t
      LEFT JOIN ${P("tactr")} y ON y."memberId" = tr."memberId" AND y.scope = x.scope AND y.b = tr.t
      UNION ALL
      SELECT 'coh', 'T' || tr.i || '@' || tr.t || '|' || s.scope, m.cm, s.mo, 0, 0, 1, 0
      FROM ${P("seq")} s JOIN ${P("tr")} tr ON tr."memberId" = s."memberId" AND s.mo < tr.t JOIN ${P("mem")} m ON m.id = s."memberId"
      WHERE s.scope LIKE 'r:%'
      UNION ALL
      SELECT 'rfm', 'T' || i || '@' || t || '|r:' || region, t,
             CASE WHEN days <= ${t.recencyDays[0]}::int THEN 3 WHEN days <= ${t.recencyDays[1]}::int THEN 2 ELSE 1 END,
             CASE WHEN f >= ${t.frequency[1]}::int THEN 3 WHEN f >= ${t.frequency[0]}::int THEN 2 ELSE 1 END,
             CASE WHEN m >= ${t.monetaryKopecks[1]}::bigint THEN 3 WHEN m >= ${t.monetaryKopecks[0]}::bigint THEN 2 ELSE 1 END,
             1, 0
      FROM ${P("wr")}
      UNION ALL
      SELECT 'nps', 'T' || tr.i || '@' || tr.t || '|r:' || st.region, x.mo, x.store, x.class, 0, SUM(x.k)::bigint, 0
      FROM ${P("tna")} x JOIN "Store" st ON st.id = x.store JOIN ${P("tr")} tr ON tr."memberId" = x."memberId" AND x.mo < tr.t
      WHERE EXISTS (SELECT 1 FROM ${P("pm")} y WHERE y.scope = 'r:' || st.region AND y."memberId" = x."memberId" AND y.mo < tr.t)
      GROUP BY 2, 3, 4, 5
      UNION ALL
      SELECT 'coh', s.scope, m.cm, s.mo, 0, 0, 1, 0 FROM ${P("seq")} s JOIN ${P("mem")} m ON m.id = s."memberId"
      WHERE (s.scope LIKE 'r:%' OR s.scope LIKE 's:%') AND ${parts.dims(sql`s."memberId"`)}
      UNION ALL
      -- The rows before the dimensions (none in a backfill of the dimensions alone).
      SELECT * FROM (
      SELECT 'act'::text AS cube, s.scope, s.mo AS a, s.prev AS b,
             CASE WHEN s.prev = 0 THEN COALESCE(m.cm, -1) ELSE 0 END AS c, (s.k > 1)::int AS d,
             1::bigint AS members, s.k::bigint AS purchases
      FROM ${P("seq")} s LEFT JOIN ${P("mem")} m ON m.id = s."memberId" WHERE s.scope NOT LIKE 'cr:%' AND s.scope NOT LIKE 'ck:%'
      UNION ALL
      SELECT 'rep', scope, mo, prev, prev2, 0, 1, 0 FROM ${P("seq")}
      WHERE prev > 0 AND prevk = 1 AND scope NOT LIKE 's:%' AND scope NOT LIKE 'cr:%' AND scope NOT LIKE 'ck:%'
      UNION ALL
      SELECT 'coh', '', m.cm, s.mo, 0, 0, 1, 0 FROM ${P("seq")} s JOIN ${P("mem")} m ON m.id = s."memberId" WHERE s.scope = ''
      UNION ALL
      SELECT 'enr', '', cm, 0, 0, 0, 1, 0 FROM ${P("mem")}
      UNION ALL
      -- Tier at a month start, for members enrolled before it who spent in the window (the rest have the tier of 0).
      SELECT 'tier', '', w.t, (SELECT v.i FROM ${tiers} WHERE v.threshold <= w.spend ORDER BY v.threshold DESC LIMIT 1), 0, 0, 1, 0
      FROM ${P("win")} w JOIN ${P("mem")} m ON m.id = w."memberId" AND m.cm < w.t WHERE w.spend IS NOT NULL
      UNION ALL
      -- RFM cell at a month start, for members who bought in the window (the rest who bought before are cell 1-1-1).
      SELECT 'rfm', '', t,
             CASE WHEN days <= ${t.recencyDays[0]}::int THEN 3 WHEN days <= ${t.recencyDays[1]}::int THEN 2 ELSE 1 END,
             CASE WHEN f >= ${t.frequency[1]}::int THEN 3 WHEN f >= ${t.frequency[0]}::int THEN 2 ELSE 1 END,
             CASE WHEN m >= ${t.monetaryKopecks[1]}::bigint THEN 3 WHEN m >= ${t.monetaryKopecks[0]}::bigint THEN 2 ELSE 1 END,
             1, 0
      FROM ${P("win")} WHERE f > 0) base WHERE ${raw(parts.base ? "true" : "false")}
      UNION ALL
      -- Category × region and × cohort (their pm rows exist only for the members in parts.cats).
      -- (pm also holds the category × region rows of the members in parts.regions, for their tier scopes.)
      SELECT 'act', scope, mo, prev, 0, (k > 1)::int, 1, k FROM ${P("seq")}
      WHERE scope LIKE 'ck:%' OR (scope LIKE 'cr:%' AND ${parts.cats === null ? sql`false` : parts.cats(sql`"memberId"`)})
      UNION ALL
      SELECT 'rep', scope, mo, prev, prev2, 0, 1, 0 FROM ${P("seq")}
      WHERE prev > 0 AND prevk = 1
        AND (scope LIKE 'ck:%' OR (scope LIKE 'cr:%' AND ${parts.cats === null ? sql`false` : parts.cats(sql`"memberId"`)}))),
    ${P("ret")} AS (
      SELECT scope, months, count(*)::bigint AS members FROM (
        SELECT scope, "memberId", ',' || string_agg(DISTINCT b::text, ',') || ',' AS months
        FROM (SELECT scope, "memberId", mo, last FROM ${P("pm")}
              WHERE ${raw(parts.base ? "true" : "false")} AND (scope = '' OR scope LIKE 'r:%')
              UNION ALL
              SELECT 'K' || m.cm || CASE WHEN x.scope = '' THEN '' ELSE '|' || x.scope END, x."memberId", x.mo, x.last
              FROM ${P("pm")} x JOIN ${P("mem")} m ON m.id = x."memberId"
              WHERE (x.scope = '' OR x.scope LIKE 'r:%') AND ${parts.dims(sql`x."memberId"`)}) pm
        CROSS JOIN LATERAL generate_series(mo + 1, mo + 4) b
        WHERE make_timestamp(b / 12, b % 12 + 1, 1, 0, 0, 0) - ${w}::int * interval '1 day' <= last
        GROUP BY 1, 2) r
      GROUP BY 1, 2)`;
}

/**
 * `<p>_tcost(tier, at, month, kind, key, cost, margin, points, purchases)`: the
 * loyalty cost rows of the `<p>_tt` members (tier i > 0 at month start t): every
 * purchase of theirs dated before t, split as loyaltyCost splits it (value.ts),
 * per store ('s') and per category ('c', '' for the amount without line items);
 * and of the `<p>_tr` members per region and category ('r').
 */
function tierCost(program: Program, p: string, few: boolean): Sql {
  const P = (n: string) => raw(`${p}_${n}`);
  const e = program.economics;
  const pv = program.pointValueKopecks;
  return sql`${P("tpe")} AS (
      SELECT x.id, x."memberId", x."storeId", x.region, x.mo, x.gross AS amount, x.pts, x.net,
             COALESCE(es.cost, ${e.default.costShareBp}::int) AS scost, COALESCE(es.acq, ${e.default.acquisitionShareBp}::int) AS sacq
      FROM ${P("p")} x LEFT JOIN (${overrides(Object.entries(e.stores), sql`int`)}) es ON es.k = x."storeId"
      WHERE x."memberId" IN (SELECT "memberId" FROM ${P("tt")} UNION SELECT "memberId" FROM ${P("tr")})),
    ${P("tim")} AS (
      SELECT pe.id, i.category, i.amount::bigint AS amount,
             (i.amount::bigint * (10000 - COALESCE(ec.cost, pe.scost) - COALESCE(ec.acq, pe.sacq))) / 10000 AS margin,
             pe.pts * ${pv}::int * i.amount::numeric / pe.amount AS cost
      FROM ${
        few
          ? // A few members' purchases lie all over the table: look up each one's items by index.
            sql`${P("tpe")} pe CROSS JOIN LATERAL (SELECT i.category, i.amount FROM "PurchaseItem" i WHERE i."purchaseId" = pe.id) i`
          : sql`"PurchaseItem" i JOIN ${P("tpe")} pe ON pe.id = i."purchaseId"`
      }
      LEFT JOIN (${overrides(Object.entries(e.categories), sql`text`)}) ec ON ec.k = i.category
      ${
        few
          ? sql``
          : // A batch's purchases are near each other: the id range lets the planner read the items by index.
            sql`WHERE i."purchaseId" BETWEEN (SELECT min(id) FROM ${P("tpe")}) AND (SELECT max(id) FROM ${P("tpe")})`
      }),
    ${P("tpm")} AS (
      SELECT pe.*, COALESCE(ii.total, 0) AS items_total, COALESCE(ii.margin, 0) AS items_margin,
             ((pe.amount - COALESCE(ii.total, 0)) * (10000 - pe.scost - pe.sacq)) / 10000 AS rest_margin
      FROM ${P("tpe")} pe
      LEFT JOIN (SELECT id, SUM(amount)::bigint AS total, SUM(margin)::bigint AS margin FROM ${P("tim")} GROUP BY 1) ii ON ii.id = pe.id),
    ${P("tpc")} AS (
      SELECT x.id, x.category, SUM(x.cost) AS cost, SUM(x.margin) AS margin FROM ${P("tim")} x GROUP BY 1, 2
      UNION ALL
      SELECT id, '', pts * ${pv}::int * (amount - items_total)::numeric / amount, rest_margin FROM ${P("tpm")} WHERE amount > items_total),
    ${P("tcost")} AS (
      SELECT tt.i AS tier, tt.t AS at, x.mo AS month, 's'::text AS kind, x."storeId"::text AS key, 0::numeric AS cost,
             SUM(x.items_margin + x.rest_margin)::bigint AS margin, SUM(x.pts)::bigint AS points, count(*)::bigint AS purchases,
             SUM(x.net)::bigint AS revenue
      FROM ${P("tpm")} x JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.mo < tt.t GROUP BY 1, 2, 3, 4, 5
      UNION ALL
      SELECT tt.i, tt.t, x.mo, 'c', c.category, SUM(c.cost), SUM(c.margin)::bigint, 0, count(*), 0
      FROM ${P("tpc")} c JOIN ${P("tpe")} x ON x.id = c.id JOIN ${P("tt")} tt ON tt."memberId" = x."memberId" AND x.mo < tt.t
      GROUP BY 1, 2, 3, 4, 5
      UNION ALL
      -- Per region and category ('r', key: the region's length, ':', the region, the category), for the members of tr.
      SELECT tr.i, tr.t, x.mo, 'r', char_length(x.region) || ':' || x.region || c.category, SUM(c.cost), SUM(c.margin)::bigint, 0,
             count(*), 0
      FROM ${P("tpc")} c JOIN ${P("tpe")} x ON x.id = c.id JOIN ${P("tr")} tr ON tr."memberId" = x."memberId" AND x.mo < tr.t
      GROUP BY 1, 2, 3, 4, 5)`;
}

/** Adds `<n>` minus `<o>` (contribution CTEs) to the cubes. */
async function applyCubeDelta(tx: SqlTx, ctes: Sql, n: string, o: string | null) {
  const N = (x: string) => raw(`${n}_${x}`);
  const O = (x: string) => raw(`${o}_${x}`);
  await tx.many(sql`WITH ${ctes},
    ret AS (
      INSERT INTO "MetricsRetention" (scope, months, members)
      SELECT scope, months, SUM(members) FROM (
        SELECT scope, months, members FROM ${N("ret")}
        ${o ? sql`UNION ALL SELECT scope, months, -members FROM ${O("ret")}` : sql``}) x
      GROUP BY 1, 2 HAVING SUM(members) <> 0
      ON CONFLICT (scope, months) DO UPDATE SET members = "MetricsRetention".members + excluded.members
      RETURNING 1),
    tc AS (
      INSERT INTO "MetricsTierCost" (tier, at, month, kind, key, cost, margin, points, purchases, revenue)
      SELECT tier, at, month, kind, key, SUM(cost), SUM(margin), SUM(points), SUM(purchases), SUM(revenue) FROM (
        SELECT * FROM ${N("tcost")}
        ${o ? sql`UNION ALL SELECT tier, at, month, kind, key, -cost, -margin, -points, -purchases, -revenue FROM ${O("tcost")}` : sql``}) x
      GROUP BY 1, 2, 3, 4, 5
      HAVING SUM(cost) <> 0 OR SUM(margin) <> 0 OR SUM(points) <> 0 OR SUM(purchases) <> 0 OR SUM(revenue) <> 0
      ON CONFLICT (tier, at, month, kind, key) DO UPDATE SET
        cost = "MetricsTierCost".cost + excluded.cost, margin = "MetricsTierCost".margin + excluded.margin,
        points = "MetricsTierCost".points + excluded.points, purchases = "MetricsTierCost".purchases + excluded.purchases,
        revenue = "MetricsTierCost".revenue + excluded.revenue
      RETURNING 1)
    INSERT INTO "MetricsCube" (cube, scope, a, b, c, d, members, purchases)
    SELECT cube, scope, a, b, c, d, SUM(members), SUM(purchases) FROM (
      SELECT * FROM ${N("cube")}
      ${o ? sql`UNION ALL SELECT cube, scope, a, b, c, d, -members, -purchases FROM ${O("cube")}` : sql``}) x
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(members) <> 0 OR SUM(purchases) <> 0
    ON CONFLICT (cube, scope, a, b, c, d) DO UPDATE
      SET members = "MetricsCube".members + excluded.members, purchases = "MetricsCube".purchases + excluded.purchases
    RETURNING (SELECT count(*) FROM ret) + (SELECT count(*) FROM tc)`);
}

/** Economics shares as a relation (the loyalty cost metric applies the same). */
function overrides(entries: [string, { costShareBp: number; acquisitionShareBp: number }][], keyType: Sql): Sql {
  if (entries.length === 0) return sql`SELECT NULL::${keyType} AS k, 0 AS cost, 0 AS acq WHERE false`;
  return sql`SELECT * FROM (VALUES ${Prisma.join(
    entries.map(([k, e]) => sql`(${k}::${keyType}, ${e.costShareBp}::int, ${e.acquisitionShareBp}::int)`),
  )}) AS v(k, cost, acq)`;
}

/**
 * Adds the purchases matching `cond` (alias p) to the store and category day
 * tables (`days`) and to the store × category days for the purchases whose id
 * matches `storeCategories` (their backfill follows the purchase ids).
 */
async function applyPurchaseDays(
  tx: SqlTx,
  program: Program,
  cond: Sql,
  to: { days: boolean; storeCategories: (id: Sql) => Sql } = { days: true, storeCategories: all },
) {
  const e = program.economics;
  const pv = program.pointValueKopecks;
  await tx.many(sql`WITH
    es AS (${overrides(Object.entries(e.stores), sql`int`)}),
    ec AS (${overrides(Object.entries(e.categories), sql`text`)}),
    pe AS (SELECT p.id, p."storeId", st.region, p.at, st."timeZone", p.amount::bigint AS amount, p."pointsAccrued"::bigint AS pts,
                  ${MONTH(sql`p.at`)} AS mo, (SELECT ${MONTH(sql`m."createdAt"`)} FROM "Member" m WHERE m.id = p."memberId") AS cohort,
                  COALESCE(es.cost, ${e.default.costShareBp}::int) AS scost,
                  COALESCE(es.acq, ${e.default.acquisitionShareBp}::int) AS sacq
           FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId" LEFT JOIN es ON es.k = p."storeId"
           WHERE ${cond}),
    im AS (SELECT pe.at, pe."storeId", i."purchaseId", i.category, i.amount::bigint AS amount,
                  (i.amount::bigint * (10000 - COALESCE(ec.cost, pe.scost) - COALESCE(ec.acq, pe.sacq))) / 10000 AS margin,
                  pe.pts * ${pv}::int * i.amount::numeric / pe.amount AS cost
           FROM "PurchaseItem" i JOIN pe ON pe.id = i."purchaseId" LEFT JOIN ec ON ec.k = i.category
           WHERE i."purchaseId" BETWEEN (SELECT min(id) FROM pe) AND (SELECT max(id) FROM pe)),
    ii AS (SELECT "purchaseId", SUM(amount)::bigint AS total, SUM(margin)::bigint AS margin FROM im GROUP BY 1),
    pm AS (SELECT pe.*, COALESCE(ii.total, 0) AS items_total, COALESCE(ii.margin, 0) AS items_margin,
                  ((pe.amount - COALESCE(ii.total, 0)) * (10000 - pe.scost - pe.sacq)) / 10000 AS rest_margin
           FROM pe LEFT JOIN ii ON ii."purchaseId" = pe.id),
    -- Each receipt's cost and margin by category ('' for the amount without line items).
    cm AS (SELECT "purchaseId" AS id, "storeId", at::date AS day, category, cost, margin FROM im
           UNION ALL
           SELECT id, "storeId", at::date, '', pts * ${pv}::int * (amount - items_total)::numeric / amount, rest_margin
           FROM pm WHERE amount > items_total),
    kc AS (
      INSERT INTO "MetricsCohortCost" (cohort, month, kind, key, cost, margin, points, purchases)
      SELECT pm.cohort, pm.mo, 's', pm."storeId"::text, 0, SUM(pm.items_margin + pm.rest_margin), SUM(pm.pts), count(*)
      FROM pm WHERE ${to.storeCategories(sql`pm.id`)} GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT pe.cohort, pe.mo, 'c', cm.category, SUM(cm.cost), SUM(cm.margin), 0, count(DISTINCT cm.id)
      FROM cm JOIN pe ON pe.id = cm.id WHERE ${to.storeCategories(sql`cm.id`)} GROUP BY 1, 2, 3, 4
      UNION ALL
      -- Per region and category: the region's length-prefixed name, then the category.
      SELECT pe.cohort, pe.mo, 'r', char_length(pe.region) || ':' || pe.region || cm.category, SUM(cm.cost), SUM(cm.margin), 0,
             count(DISTINCT cm.id)
      FROM cm JOIN pe ON pe.id = cm.id WHERE ${to.storeCategories(sql`cm.id`)} GROUP BY 1, 2, 3, 4
      ON CONFLICT (cohort, month, kind, key) DO UPDATE SET
        cost = "MetricsCohortCost".cost + excluded.cost, margin = "MetricsCohortCost".margin + excluded.margin,
        points = "MetricsCohortCost".points + excluded.points, purchases = "MetricsCohortCost".purchases + excluded.purchases
      RETURNING 1),
    scd AS (
      INSERT INTO "MetricsStoreCategoryDay" ("storeId", day, category, cost, margin, purchases)
      SELECT "storeId", day, category, SUM(cost), SUM(margin), count(DISTINCT id) FROM cm WHERE ${to.storeCategories(sql`cm.id`)}
      GROUP BY 1, 2, 3
      ON CONFLICT ("storeId", day, category) DO UPDATE SET
        cost = "MetricsStoreCategoryDay".cost + excluded.cost, margin = "MetricsStoreCategoryDay".margin + excluded.margin,
        purchases = "MetricsStoreCategoryDay".purchases + excluded.purchases
      RETURNING 1)${
        to.days
          ? sql`,
    sd AS (
      INSERT INTO "MetricsStoreDay" ("storeId", day, "localDay", purchases, amount, returned, points, margin)
      SELECT "storeId", at::date, ((at AT TIME ZONE 'UTC') AT TIME ZONE "timeZone")::date,
             count(*), SUM(amount), 0, SUM(pts), SUM(items_margin + rest_margin)
      FROM pm GROUP BY 1, 2, 3
      ON CONFLICT ("storeId", day, "localDay") DO UPDATE SET
        purchases = "MetricsStoreDay".purchases + excluded.purchases, amount = "MetricsStoreDay".amount + excluded.amount,
        points = "MetricsStoreDay".points + excluded.points, margin = "MetricsStoreDay".margin + excluded.margin
      RETURNING 1),
    cd AS (
      INSERT INTO "MetricsCategoryDay" (day, category, cost, margin, purchases)
      SELECT day, category, SUM(cost), SUM(margin), count(DISTINCT id) FROM cm GROUP BY 1, 2
      ON CONFLICT (day, category) DO UPDATE SET
        cost = "MetricsCategoryDay".cost + excluded.cost, margin = "MetricsCategoryDay".margin + excluded.margin,
        purchases = "MetricsCategoryDay".purchases + excluded.purchases
      RETURNING 1)
    SELECT (SELECT count(*) FROM sd) + (SELECT count(*) FROM cd) + (SELECT count(*) FROM scd) + (SELECT count(*) FROM kc) AS k`
          : sql`
    SELECT (SELECT count(*) FROM scd) + (SELECT count(*) FROM kc) AS k`
      }`);
}

/** Adds the returns matching `cond` (alias r) to their purchases' store days. */
async function applyReturnDays(tx: SqlTx, cond: Sql) {
  await tx.many(sql`INSERT INTO "MetricsStoreDay" ("storeId", day, "localDay", purchases, amount, returned, points, margin)
    SELECT p."storeId", p.at::date, ((p.at AT TIME ZONE 'UTC') AT TIME ZONE st."timeZone")::date, 0, 0, SUM(r.amount), 0, 0
    FROM "Return" r JOIN "Purchase" p ON p.id = r."purchaseId" JOIN "Store" st ON st.id = p."storeId"
    WHERE ${cond} GROUP BY 1, 2, 3
    ON CONFLICT ("storeId", day, "localDay") DO UPDATE SET returned = "MetricsStoreDay".returned + excluded.returned`);
}

/**
 * Adds the ledger entries matching `cond` (alias e) to the ledger days and,
 * for those matching `to.cohorts` (their backfill follows the entry ids), to
 * the ledger by enrollment month (MetricsCohortLedger: a cohort's points).
 */
async function applyLedgerDays(
  tx: SqlTx,
  cond: Sql,
  to: { days: boolean; cohorts: (id: Sql) => Sql } = { days: true, cohorts: all },
) {
  if (to.days)
    await tx.many(sql`INSERT INTO "MetricsLedgerDay" (day, kind, credits, total)
    SELECT e."createdAt"::date, e.kind::text, COALESCE(SUM(e.points) FILTER (WHERE e.points > 0), 0), SUM(e.points)
    FROM "LedgerEntry" e WHERE ${cond} GROUP BY 1, 2
    ON CONFLICT (day, kind) DO UPDATE SET
      credits = "MetricsLedgerDay".credits + excluded.credits, total = "MetricsLedgerDay".total + excluded.total`);
  await tx.many(sql`INSERT INTO "MetricsCohortLedger" (cohort, month, kind, credits, total)
    SELECT ${MONTH(sql`m."createdAt"`)}, ${MONTH(sql`e."createdAt"`)}, ${LEDGER_KIND},
           COALESCE(SUM(e.points) FILTER (WHERE e.points > 0), 0), SUM(e.points)
    FROM "LedgerEntry" e JOIN "Member" m ON m.id = e."memberId" WHERE ${cond} AND ${to.cohorts(sql`e.id`)} GROUP BY 1, 2, 3
    ON CONFLICT (cohort, month, kind) DO UPDATE SET
      credits = "MetricsCohortLedger".credits + excluded.credits, total = "MetricsCohortLedger".total + excluded.total`);
}

/**
 * What the rollups were built for: a change rebuilds them. `v` is the shape
 * of their rows: 2 added the tier scopes' retention, cohorts, RFM, ledger and
 * NPS answers, 3 their sales by store and the receipts per category day
 * and per cohort and category, which rollups built before lack.
 */
const economicsKey = (program: Program) =>
  JSON.stringify({
    v: 3,
    e: program.economics,
    pv: program.pointValueKopecks,
    w: ACTIVE_WINDOW_DAYS,
    tiers: program.tiers.map((t) => t.thresholdKopecks),
    tw: program.tierWindowDays,
    rfm: RFM_THRESHOLDS,
  });

async function readState(tx: SqlTx): Promise<State | undefined> {
  return tx.one<State>(sql`SELECT "purchaseId", "returnId", "ledgerId", "memberId", "npsId", economics, "catchUpCursor", "dimensionsCursor",
    "storeCategoryCursor", "categoryScopesCursor", "tierScopesCursor", "receiptDayId", "receiptScopesCursor",
    "cohortLedgerCursor", "tierRegionsCursor" FROM "MetricsRollupState" WHERE id = 1`);
}

/**
 * A batch of the catch-up sorts and hashes hundreds of thousands of rows
 * several times over; with the 4 MB default every step spills to disk.
 */
async function roomToSort(db: Database, tx: SqlTx) {
  if (db.kind === "postgres")
    await tx.many(sql`SELECT set_config('work_mem', '128MB', true), set_config('jit', 'off', true)`);
}

/** A lock on the rollups for this transaction: two refreshers never apply the same rows. */
const lock = (tx: SqlTx) => tx.many(sql`SELECT pg_advisory_xact_lock(8613, 13)`);

/**
 * What a batch fills: the past (by member), the tier and cohort rollups, the
 * category and tier scopes and the tier scopes' receipts (by member), the
 * store × category days (by purchase id), the cohorts' ledger (by entry id).
 */
export type Phase =
  | "past"
  | "dimensions"
  | "storeCategories"
  | "cohortLedger"
  | "categoryScopes"
  | "tierScopes"
  | "receiptScopes"
  | "tierRegions";

export interface RefreshOptions {
  /** Run the catch-up of the past when it is not done (minutes on a large chain); otherwise only report. */
  catchUp: boolean;
  /** Members per catch-up batch (one transaction each). */
  batchMembers?: number;
  /** Purchase ids per batch of the store × category days' backfill (one transaction each). */
  batchPurchases?: number;
  /** Ledger entry ids per batch of the cohorts' ledger backfill (one transaction each). */
  batchLedger?: number;
  /** Ids per incremental round. */
  batchIds?: number;
  onBatch?: (done: number, total: number, phase?: Phase) => void;
}

export interface RollupStatus {
  caughtUp: boolean;
  /** Whether the tier and cohort rollups are filled too. */
  dimensions: boolean;
  /** Whether the store × category days are filled too. */
  storeCategories: boolean;
  /** Whether the category × region and × cohort cube scopes are filled too. */
  categoryScopes: boolean;
  /** Whether the tier scopes (loyalty cost and repurchase by category for a tier) are filled too. */
  tierScopes: boolean;
  /** Whether the tier scopes' receipts on reported store-days (receipt share for a tier) are filled too. */
  receiptScopes: boolean;
  /** Whether the ledger by enrollment month (a cohort's points) is filled too. */
  cohortLedger: boolean;
  /** Whether the tier scopes' rows per region (a tier with a region) are filled too. */
  tierRegions: boolean;
}

/**
 * Brings the rollups up to date: starts them (or restarts them when the
 * economics changed) at the current ids, catches up the past member batch by
 * member batch (resumable: the cursor commits with each batch), then applies
 * whatever rows arrived since, round by round.
 */
export async function refreshRollups(
  db: Database,
  program: Program,
  now: () => Date,
  o: RefreshOptions,
): Promise<RollupStatus> {
  const econ = economicsKey(program);
  const started = await db.unitOfWork(async (tx) => {
    await lock(tx);
    const st = await readState(tx);
    if (st && st.economics === econ) return st;
    if (!o.catchUp) return undefined;
    await tx.many(sql`DELETE FROM "MetricsCube"`);
    await tx.many(sql`DELETE FROM "MetricsRetention"`);
    await tx.many(sql`DELETE FROM "MetricsStoreDay"`);
    await tx.many(sql`DELETE FROM "MetricsCategoryDay"`);
    await tx.many(sql`DELETE FROM "MetricsStoreCategoryDay"`);
    await tx.many(sql`DELETE FROM "MetricsCohortCost"`);
    await tx.many(sql`DELETE FROM "MetricsTierCost"`);
    await tx.many(sql`DELETE FROM "MetricsLedgerDay"`);
    await tx.many(sql`DELETE FROM "MetricsCohortLedger"`);
    await tx.many(sql`DELETE FROM "MetricsRollupGap"`);
    await tx.many(sql`DELETE FROM "MetricsRollupState"`);
    const [hi] = await tx.many<Record<string, number>>(sql`SELECT
      (SELECT COALESCE(max(id), 0) FROM "Purchase")::int AS purchase, (SELECT COALESCE(max(id), 0) FROM "Return")::int AS return,
      (SELECT COALESCE(max(id), 0) FROM "LedgerEntry")::int AS ledger, (SELECT COALESCE(max(id), 0) FROM "Member")::int AS member,
      (SELECT COALESCE(max(id), 0) FROM "NpsAnswer")::int AS nps,
      (SELECT COALESCE(max(id), 0) FROM "StoreReceiptDay")::int AS receipts`);
    // Ids under the starting watermarks not visible now: still open, or rolled back.
    for (const s of SOURCES)
      await tx.many(sql`INSERT INTO "MetricsRollupGap" (source, id, "seenAt")
        SELECT ${s.name}::text, g, ${now()}::timestamp FROM generate_series(1, ${hi?.[s.name] ?? 0}::int) g
        WHERE NOT EXISTS (SELECT 1 FROM ${raw(`"${s.table}"`)} x WHERE x.id = g)`);
    const [first] = await tx.many<{ id: number | null }>(sql`SELECT min(id) AS id FROM "Member"`);
    const s: State = {
      purchaseId: hi?.purchase ?? 0,
      returnId: hi?.return ?? 0,
      ledgerId: hi?.ledger ?? 0,
      memberId: hi?.member ?? 0,
      npsId: hi?.nps ?? 0,
      receiptDayId: hi?.receipts ?? 0,
      economics: econ,
      catchUpCursor: first?.id ?? null,
      dimensionsCursor: null,
      storeCategoryCursor: null,
      categoryScopesCursor: null,
      tierScopesCursor: null,
      receiptScopesCursor: null,
      cohortLedgerCursor: null,
      tierRegionsCursor: null,
    };
    await tx.many(sql`INSERT INTO "MetricsRollupState" (id, "purchaseId", "returnId", "ledgerId", "memberId", "npsId", "receiptDayId", economics, "catchUpCursor", "updatedAt")
      VALUES (1, ${s.purchaseId}::int, ${s.returnId}::int, ${s.ledgerId}::int, ${s.memberId}::int, ${s.npsId}::int, ${s.receiptDayId}::int,
              ${econ}, ${s.catchUpCursor}::int, ${now()}::timestamp)`);
    return s;
  });
  const no = {
    caughtUp: false,
    dimensions: false,
    storeCategories: false,
    categoryScopes: false,
    tierScopes: false,
    receiptScopes: false,
    cohortLedger: false,
    tierRegions: false,
  };
  if (!started) return no;
  if (started.catchUpCursor !== null) {
    if (!o.catchUp) return no;
    await catchUp(db, program, now, started, o.batchMembers ?? 50_000, o.onBatch);
  }
  while (await applyNew(db, program, now, o.batchIds ?? 50_000));
  if (o.catchUp) {
    await backfillByIds(db, now, econ, o.batchPurchases ?? 500_000, o.onBatch, {
      phase: "storeCategories",
      cursor: "storeCategoryCursor",
      source: "purchase",
      apply: (tx, cond) => applyPurchaseDays(tx, program, cond(sql`p.id`), { days: false, storeCategories: all }),
    });
    await backfillByIds(db, now, econ, o.batchLedger ?? 2_000_000, o.onBatch, {
      phase: "cohortLedger",
      cursor: "cohortLedgerCursor",
      source: "ledger",
      apply: (tx, cond) => applyLedgerDays(tx, cond(sql`e.id`), { days: false, cohorts: all }),
    });
    await backfillDimensions(db, program, now, econ, o.batchMembers ?? 50_000, o.onBatch, "categoryScopes");
    await backfillDimensions(db, program, now, econ, o.batchMembers ?? 50_000, o.onBatch, "dimensions");
    await backfillDimensions(db, program, now, econ, o.batchMembers ?? 50_000, o.onBatch, "tierScopes");
    await backfillDimensions(db, program, now, econ, o.batchMembers ?? 50_000, o.onBatch, "receiptScopes");
    await backfillDimensions(db, program, now, econ, o.batchMembers ?? 50_000, o.onBatch, "tierRegions");
  }
  const [st] = await db.query<{
    c: number | null;
    sc: number | null;
    cs: number | null;
    ts: number | null;
    rs: number | null;
    cl: number | null;
    tr: number | null;
  }>(
    `SELECT "dimensionsCursor" AS c, "storeCategoryCursor" AS sc, "categoryScopesCursor" AS cs, "tierScopesCursor" AS ts,
            "receiptScopesCursor" AS rs, "cohortLedgerCursor" AS cl, "tierRegionsCursor" AS tr
     FROM "MetricsRollupState" WHERE id = 1`,
  );
  return {
    caughtUp: true,
    dimensions: st !== undefined && st.c === null,
    storeCategories: st !== undefined && st.sc === null,
    categoryScopes: st !== undefined && st.cs === null,
    tierScopes: st !== undefined && st.ts === null,
    receiptScopes: st !== undefined && st.rs === null,
    cohortLedger: st !== undefined && st.cl === null,
    tierRegions: st !== undefined && st.tr === null,
  };
}

async function catchUp(
  db: Database,
  program: Program,
  now: () => Date,
  s: State,
  batch: number,
  onBatch?: (done: number, total: number, phase?: Phase) => void,
) {
  for (;;) {
    const more = await db.unitOfWork(async (tx) => {
      await lock(tx);
      await roomToSort(db, tx);
      const st = await readState(tx);
      if (!st || st.catchUpCursor === null || st.economics !== s.economics) return false;
      const a = st.catchUpCursor;
      const b = a + batch;
      const inBatch = (col: Sql) => sql`${col} >= ${a}::int AND ${col} < ${b}::int AND ${col} <= ${st.memberId}::int`;
      await applyCubeDelta(
        tx,
        contribution(
          program,
          "n",
          inBatch,
          appliedUpTo(watermarks(st)),
          false,
          // A rebuild fills the dimensions with the rest; otherwise their backfill follows.
          {
            base: true,
            dims: st.dimensionsCursor === null ? all : none,
            cats: st.categoryScopesCursor === null ? all : null,
            tiers: st.tierScopesCursor === null ? all : null,
            receipts: st.receiptScopesCursor === null ? all : null,
            regions: st.tierRegionsCursor === null ? all : null,
          },
        ),
        "n",
        null,
      );
      await applyPurchaseDays(
        tx,
        program,
        sql`${inBatch(sql`p."memberId"`)} AND p.id <= ${st.purchaseId}::int AND ${notGap("purchase", sql`p.id`)}`,
        // A rebuild fills the store × category days with the rest; otherwise their backfill follows.
        { days: true, storeCategories: st.storeCategoryCursor === null ? all : none },
      );
      await applyReturnDays(
        tx,
        sql`${inBatch(sql`p."memberId"`)} AND r.id <= ${st.returnId}::int AND ${notGap("return", sql`r.id`)}`,
      );
      await applyLedgerDays(
        tx,
        sql`${inBatch(sql`e."memberId"`)} AND e.id <= ${st.ledgerId}::int AND ${notGap("ledger", sql`e.id`)}`,
        // A rebuild fills the cohorts' ledger with the rest; otherwise its backfill follows.
        { days: true, cohorts: st.cohortLedgerCursor === null ? all : none },
      );
      const done = b > st.memberId;
      await tx.many(
        sql`UPDATE "MetricsRollupState" SET "catchUpCursor" = ${done ? null : b}::int, "updatedAt" = ${now()}::timestamp WHERE id = 1`,
      );
      onBatch?.(Math.min(b, st.memberId), st.memberId, "past");
      return !done;
    });
    if (!more) return;
  }
}

/** The rows each member-batch backfill makes (the rest of Parts: none). */
const only: Record<"dimensions" | "categoryScopes" | "tierScopes" | "receiptScopes" | "tierRegions", Partial<Parts>> = {
  dimensions: { dims: all },
  categoryScopes: { cats: all },
  tierScopes: { tiers: all },
  receiptScopes: { receipts: all },
  tierRegions: { regions: all },
};

/**
 * Fills the dimensions' rows member batch by member batch (resumable: the
 * cursor commits with each batch) on rollups that were caught up without
 * them. Rows arriving meanwhile update the members the backfill has passed
 * (applyNew); the members ahead of it get their rows from what is applied
 * when it reaches them.
 */
async function backfillDimensions(
  db: Database,
  program: Program,
  now: () => Date,
  econ: string,
  batch: number,
  onBatch: ((done: number, total: number, phase?: Phase) => void) | undefined,
  phase: "dimensions" | "categoryScopes" | "tierScopes" | "receiptScopes" | "tierRegions",
) {
  const column = (
    {
      dimensions: "dimensionsCursor",
      categoryScopes: "categoryScopesCursor",
      tierScopes: "tierScopesCursor",
      receiptScopes: "receiptScopesCursor",
      tierRegions: "tierRegionsCursor",
    } as const
  )[phase];
  for (;;) {
    const more = await db.unitOfWork(async (tx) => {
      await lock(tx);
      await roomToSort(db, tx);
      const st = await readState(tx);
      const cursor = st?.[column] ?? null;
      if (!st || st.catchUpCursor !== null || cursor === null || st.economics !== econ) return false;
      const [first] = await tx.many<{ id: number | null }>(
        sql`SELECT min(id) AS id FROM "Member" WHERE id >= ${cursor}::int`,
      );
      const a = Math.max(cursor, first?.id ?? st.memberId + 1);
      const b = a + batch;
      const inBatch = (col: Sql) => sql`${col} >= ${a}::int AND ${col} < ${b}::int AND ${col} <= ${st.memberId}::int`;
      if (a <= st.memberId)
        await applyCubeDelta(
          tx,
          contribution(program, "n", inBatch, appliedUpTo(watermarks(st)), false, {
            base: false,
            dims: none,
            cats: null,
            tiers: null,
            receipts: null,
            regions: null,
            ...only[phase],
          }),
          "n",
          null,
        );
      const done = b > st.memberId;
      await tx.many(
        sql`UPDATE "MetricsRollupState" SET ${raw(`"${column}"`)} = ${done ? null : b}::int, "updatedAt" = ${now()}::timestamp WHERE id = 1`,
      );
      onBatch?.(Math.min(b, st.memberId), st.memberId, phase);
      return !done;
    });
    if (!more) return;
  }
}

/**
 * Fills a table that follows a source's ids (MetricsStoreCategoryDay and
 * MetricsCohortCost by purchase id, MetricsCohortLedger by ledger entry id)
 * batch by batch (resumable: the cursor commits with each batch) on rollups
 * caught up without it: one set-based statement per batch. Rows applied
 * meanwhile land there only when the backfill has passed their id (applyNew);
 * the rest are taken when it reaches them — a row still in a gap then is
 * skipped and applied when it appears.
 */
async function backfillByIds(
  db: Database,
  now: () => Date,
  econ: string,
  batch: number,
  onBatch: ((done: number, total: number, phase?: Phase) => void) | undefined,
  what: {
    phase: "storeCategories" | "cohortLedger";
    cursor: "storeCategoryCursor" | "cohortLedgerCursor";
    source: "purchase" | "ledger";
    apply: (tx: SqlTx, cond: (col: Sql) => Sql) => Promise<void>;
  },
) {
  const { table, col } = SOURCES.find((x) => x.name === what.source) as (typeof SOURCES)[number];
  for (;;) {
    const more = await db.unitOfWork(async (tx) => {
      await lock(tx);
      await roomToSort(db, tx);
      const st = await readState(tx);
      const cursor = st?.[what.cursor] ?? null;
      if (!st || st.catchUpCursor !== null || cursor === null || st.economics !== econ) return false;
      const hi = st[col];
      const [first] = await tx.many<{ id: number | null }>(
        sql`SELECT min(id) AS id FROM ${raw(`"${table}"`)} WHERE id >= ${cursor}::int`,
      );
      const a = Math.max(cursor, first?.id ?? hi + 1);
      const b = a + batch;
      if (a <= hi)
        await what.apply(
          tx,
          (id) => sql`${id} >= ${a}::int AND ${id} < ${b}::int AND ${id} <= ${hi}::int AND ${notGap(what.source, id)}`,
        );
      const done = b > hi;
      await tx.many(
        sql`UPDATE "MetricsRollupState" SET ${raw(`"${what.cursor}"`)} = ${done ? null : b}::int, "updatedAt" = ${now()}::timestamp WHERE id = 1`,
      );
      onBatch?.(Math.min(b, hi), hi, what.phase);
      return !done;
    });
    if (!more) return;
  }
}

/** One incremental round: the rows of each source past its watermark or in a gap. Returns whether more may be waiting. */
async function applyNew(db: Database, program: Program, now: () => Date, batch: number): Promise<boolean> {
  return db.unitOfWork(async (tx) => {
    await lock(tx);
    const st = await readState(tx);
    if (!st || st.catchUpCursor !== null) return false;
    const t = now();
    const fresh = new Date(t.getTime() - GAP_TTL_MS);
    // Most refreshes (every dashboard read) find nothing new: one statement says so. max(id) reads
    // the primary key's end whatever plan a prepared statement settles on ("id > $1" may become a scan).
    const [idle] = await tx.many<{ idle: boolean }>(sql`SELECT
      COALESCE((SELECT max(id) FROM "Purchase"), 0) <= ${st.purchaseId}::int
      AND COALESCE((SELECT max(id) FROM "Return"), 0) <= ${st.returnId}::int
      AND COALESCE((SELECT max(id) FROM "LedgerEntry"), 0) <= ${st.ledgerId}::int
      AND COALESCE((SELECT max(id) FROM "Member"), 0) <= ${st.memberId}::int
      AND COALESCE((SELECT max(id) FROM "NpsAnswer"), 0) <= ${st.npsId}::int
      AND COALESCE((SELECT max(id) FROM "StoreReceiptDay"), 0) <= ${st.receiptDayId}::int
      AND NOT EXISTS (SELECT 1 FROM "MetricsRollupGap" WHERE "seenAt" > ${fresh}::timestamp) AS idle`);
    if (idle?.idle) return false;
    let more = false;
    const next: Record<string, number> = {};
    for (const s of SOURCES) {
      const from = st[s.col];
      // The watermark moves to what is visible now, at most `batch` ids at a time.
      const [r] = await tx.many<{ hi: number }>(
        sql`SELECT LEAST(COALESCE((SELECT max(id) FROM ${raw(`"${s.table}"`)}), 0), ${from + batch}::int)::int AS hi`,
      );
      const hi = Math.max(from, r?.hi ?? from);
      if (hi === from + batch) more = true;
      next[s.name] = hi;
      // Rows to apply: past the watermark, or gaps that appeared. Marked "pending" as gaps with a far-future
      // time, so every contribution below sees exactly the rows applied before (the old set) or also these (the new).
      await tx.many(
        sql`CREATE TEMP TABLE IF NOT EXISTS metrics_new (source text, id int, PRIMARY KEY (source, id)) ON COMMIT DELETE ROWS`,
      );
      await tx.many(sql`INSERT INTO metrics_new (source, id)
        SELECT ${s.name}::text, x.id FROM ${raw(`"${s.table}"`)} x WHERE x.id > ${from}::int AND x.id <= ${hi}::int
        UNION SELECT ${s.name}::text, g.id FROM "MetricsRollupGap" g JOIN ${raw(`"${s.table}"`)} x ON x.id = g.id
        WHERE g.source = ${s.name}::text AND g."seenAt" > ${fresh}::timestamp`);
      await tx.many(
        sql`DELETE FROM "MetricsRollupGap" g USING metrics_new n WHERE g.source = n.source AND g.id = n.id`,
      );
      await tx.many(sql`INSERT INTO "MetricsRollupGap" (source, id, "seenAt")
        SELECT ${s.name}::text, g, ${t}::timestamp FROM generate_series(${from + 1}::int, ${hi}::int) g
        WHERE NOT EXISTS (SELECT 1 FROM metrics_new n WHERE n.source = ${s.name}::text AND n.id = g)`);
    }
    const isNew = (source: SourceName, col: Sql) =>
      sql`EXISTS (SELECT 1 FROM metrics_new n WHERE n.source = ${source}::text AND n.id = ${col})`;
    const [{ k } = { k: 0 }] = await tx.many<{ k: number }>(sql`SELECT count(*)::int AS k FROM metrics_new`);
    if (k > 0) {
      await tx.many(sql`ANALYZE metrics_new`);
      // Members whose contribution changes: a new purchase, a new return (net spend), newly enrolled, a
      // new ledger entry or NPS answer (their tier scopes' points and answers), or a store-day a POS reported
      // (the receipts they made there that day).
      await tx.many(sql`CREATE TEMP TABLE IF NOT EXISTS metrics_touched (id int PRIMARY KEY) ON COMMIT DELETE ROWS`);
      await tx.many(sql`INSERT INTO metrics_touched (id)
        SELECT p."memberId" FROM "Purchase" p JOIN metrics_new n ON n.source = 'purchase' AND n.id = p.id
        UNION SELECT p."memberId" FROM "Return" r JOIN metrics_new n ON n.source = 'return' AND n.id = r.id
          JOIN "Purchase" p ON p.id = r."purchaseId"
        UNION SELECT n.id FROM metrics_new n WHERE n.source = 'member'
        UNION SELECT e."memberId" FROM "LedgerEntry" e JOIN metrics_new n ON n.source = 'ledger' AND n.id = e.id
        UNION SELECT a."memberId" FROM "NpsAnswer" a JOIN metrics_new n ON n.source = 'nps' AND n.id = a.id
        UNION SELECT p."memberId" FROM "StoreReceiptDay" rd JOIN metrics_new n ON n.source = 'receipts' AND n.id = rd.id
          JOIN "Store" st ON st.id = rd."storeId"
          JOIN "Purchase" p ON p."storeId" = rd."storeId" AND p.at >= rd.day - interval '1 day' AND p.at < rd.day + interval '2 days'
            AND ((p.at AT TIME ZONE 'UTC') AT TIME ZONE st."timeZone")::date = rd.day`);
      await tx.many(sql`ANALYZE metrics_touched`);
      const touched = (col: Sql) => sql`${col} IN (SELECT id FROM metrics_touched)`;
      const hi = { ...watermarks(st), ...next } as Record<SourceName, number>;
      // Dimensions only for the members their backfill has passed (it fills the rest from what is applied then).
      const cur = st.dimensionsCursor;
      const cc = st.categoryScopesCursor;
      const tc = st.tierScopesCursor;
      const rc = st.receiptScopesCursor;
      const gc = st.tierRegionsCursor;
      const dimsParts: Parts = {
        base: true,
        dims: cur === null ? all : (col) => sql`${col} < ${cur}::int`,
        cats: cc === null ? all : (col) => sql`${col} < ${cc}::int`,
        tiers: tc === null ? all : (col) => sql`${col} < ${tc}::int`,
        receipts: rc === null ? all : (col) => sql`${col} < ${rc}::int`,
        regions: gc === null ? all : (col) => sql`${col} < ${gc}::int`,
      };
      await applyCubeDelta(
        tx,
        sql`${contribution(program, "n", touched, appliedUpTo(hi), true, dimsParts)},
          ${contribution(program, "o", touched, appliedUpTo(hi, isNew), true, dimsParts)}`,
        "n",
        "o",
      );
      // Store × category days only for the purchases their backfill has passed (it takes the rest when it reaches them).
      const sc = st.storeCategoryCursor;
      await applyPurchaseDays(tx, program, isNew("purchase", sql`p.id`), {
        days: true,
        storeCategories: sc === null ? all : (id) => sql`${id} < ${sc}::int`,
      });
      await applyReturnDays(tx, isNew("return", sql`r.id`));
      // The cohorts' ledger only for the entries its backfill has passed (it takes the rest when it reaches them).
      const cl = st.cohortLedgerCursor;
      await applyLedgerDays(tx, isNew("ledger", sql`e.id`), {
        days: true,
        cohorts: cl === null ? all : (id) => sql`${id} < ${cl}::int`,
      });
    }
    await tx.many(sql`UPDATE "MetricsRollupState" SET "purchaseId" = ${next.purchase}::int, "returnId" = ${next.return}::int,
      "ledgerId" = ${next.ledger}::int, "memberId" = ${next.member}::int, "npsId" = ${next.nps}::int,
      "receiptDayId" = ${next.receipts}::int, "updatedAt" = ${t}::timestamp WHERE id = 1`);
    return more;
  });
}

/** Drops the cells members moved out of (zero: harmless to the sums, but the reads stay small). */
export async function pruneRollups(db: Database) {
  await db.unitOfWork(async (tx) => {
    await lock(tx);
    await tx.many(sql`DELETE FROM "MetricsCube" WHERE members = 0 AND purchases = 0`);
    await tx.many(sql`DELETE FROM "MetricsRetention" WHERE members = 0`);
    await tx.many(
      sql`DELETE FROM "MetricsTierCost" WHERE cost = 0 AND margin = 0 AND points = 0 AND purchases = 0 AND revenue = 0`,
    );
  });
}
