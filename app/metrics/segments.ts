import { subDays } from "date-fns";
import {
  memberReceiptShare,
  RFM_THRESHOLDS,
  rfmSegmentSizes,
  type RfmSegment,
  type Score,
} from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  receiptRows,
  rfmCounts,
  rollupKey,
  fromTierScopes,
  minusRows,
  tierCounts,
  tierCountsByDimension,
  tierReceiptRows,
  tierRfmCounts,
  viaTierScopes,
} from "./rollup-read.js";
import {
  hasStoreFilter,
  type MetricsScope,
  memberFiltered,
  n,
  type Rollups,
  rows,
  scopeCtes,
  storeCond,
  tiersRelation,
  viaDimensions,
  viaRollups,
} from "./scope.js";

/**
 * RFM segment sizes at the period's end: the database scores every member
 * with a purchase (thresholds from domain/metrics/rfm.ts) and counts the 27
 * cells; the domain folds them into segments.
 */
export async function rfm(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<Record<RfmSegment, number>> {
  // Members who bought before the period's end but not within the window score 1-1-1.
  const cellsOf = (cells: { r: number; f: number; m: number; members: unknown }[]) => {
    const buyers = n(cells.find((c) => c.r === -1)?.members);
    const scored = cells
      .filter((c) => c.r !== -1)
      .map((c) => ({ r: c.r as Score, f: c.f as Score, m: c.m as Score, members: n(c.members) }));
    const rest = buyers - scored.reduce((a, c) => a + c.members, 0);
    return rest > 0 ? [...scored, { r: 1 as Score, f: 1 as Score, m: 1 as Score, members: rest }] : scored;
  };
  if ((await viaRollups(ru, rollupKey(s, ["chain"]))) !== null)
    return rfmSegmentSizes(cellsOf(await rfmCounts(ctx.db, s)));
  // A tier (alone or in a region): its members' cells from the tier scopes (the tier of a spend of 0: the chain,
  // or the region's raw cells, minus the others and minus the members enrolled at or after the period's end).
  const tier = await viaTierScopes(ru, s, ctx.program.tiers, { region: true });
  if (tier === "empty") return rfmSegmentSizes([]);
  if (tier !== null)
    return rfmSegmentSizes(
      await fromTierScopes(tier, {
        scopes: async (scopes) => cellsOf(await tierRfmCounts(ctx.db, s, scopes)),
        chain: async () =>
          s.region !== undefined ? rfmRows(ctx, { ...s, tierCode: undefined }) : cellsOf(await rfmCounts(ctx.db, s)),
        late: () => rfmRows(ctx, { ...s, tierCode: undefined, lateMembers: true }),
        minus: minusRows((c) => `${c.r}${c.f}${c.m}`, ["members"]),
      }),
    );
  return rfmSegmentSizes(await rfmRows(ctx, s));
}

/** RFM cells at the period's end from the raw rows. */
async function rfmRows(ctx: ServiceContext, s: MetricsScope) {
  const t = RFM_THRESHOLDS;
  const since = subDays(s.to, t.windowDays);
  const r = await rows<{ r: Score; f: Score; m: Score; members: unknown }>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      x AS (SELECT p."memberId",
                   floor(extract(epoch FROM (${s.to}::timestamp - max(p.at))) / 86400)::int AS days,
                   count(*) FILTER (WHERE p.at > ${since}::timestamp) AS f,
                   COALESCE(SUM(p.amount - p."returnedAmount") FILTER (WHERE p.at > ${since}::timestamp), 0) AS m
            FROM "Purchase" p ${memberFiltered(s) ? sql`JOIN sm ON sm.id = p."memberId"` : sql``}
            WHERE p.at < ${s.to}::timestamp ${storeCond(s, sql`p."storeId"`)}
            GROUP BY p."memberId")
    SELECT CASE WHEN days <= ${t.recencyDays[0]}::int THEN 3 WHEN days <= ${t.recencyDays[1]}::int THEN 2 ELSE 1 END AS r,
           CASE WHEN f >= ${t.frequency[1]}::int THEN 3 WHEN f >= ${t.frequency[0]}::int THEN 2 ELSE 1 END AS f,
           CASE WHEN m >= ${t.monetaryKopecks[1]}::bigint THEN 3 WHEN m >= ${t.monetaryKopecks[0]}::bigint THEN 2 ELSE 1 END AS m,
           count(*) AS members
    FROM x GROUP BY 1, 2, 3`,
  );
  return r.map((c) => ({ r: c.r, f: c.f, m: c.m, members: n(c.members) }));
}

/** Members in scope by their tier at the period's end (every tier listed, in program order). */
export async function tierDistribution(
  ctx: ServiceContext,
  s: MetricsScope,
  ru?: Rollups,
): Promise<{ tier: string; members: number }[]> {
  // Filtered by a tier: the members in scope without it who are in that tier.
  if (s.tierCode !== undefined) {
    const all = await tierDistribution(ctx, { ...s, tierCode: undefined }, ru);
    return all.map((x) => ({ tier: x.tier, members: x.tier === s.tierCode ? x.members : 0 }));
  }
  const dims =
    rollupKey({ ...s, cohort: undefined, region: undefined }, ["chain"]) !== null &&
    s.storeId === undefined &&
    (s.cohort === undefined) !== (s.region === undefined) &&
    (await viaDimensions(ru, true)) !== null;
  if (dims) {
    // A cohort or a region: the tiers above the one of a spend of 0 from their rollups, that one the rest.
    const tiers = ctx.program.tiers;
    const c = await tierCountsByDimension(ctx.db, s, tiers.length);
    const rest = c.total - c.by.reduce((a, k) => a + k, 0);
    return tiers.map((t, i) => ({ tier: t.code, members: i === 0 ? rest : (c.by[i - 1] ?? 0) }));
  }
  if ((await viaRollups(ru, rollupKey(s, ["chain"]))) !== null) {
    const tiers = ctx.program.tiers;
    const counts = await tierCounts(ctx.db, s);
    const total = n(counts.find((c) => c.i === -1)?.members);
    const by = tiers.map((_, i) => n(counts.find((c) => c.i === i)?.members));
    // Members without spend in the window (or enrolled without buying) have the tier a spend of 0 gives.
    const zero = tiers.reduce((best, t, i) => (t.thresholdKopecks <= 0 ? i : best), -1);
    if (zero >= 0) by[zero] = (by[zero] ?? 0) + total - by.reduce((a, k) => a + k, 0);
    return tiers.map((t, i) => ({ tier: t.code, members: by[i] ?? 0 }));
  }
  const r = await rows<{ tier: string; members: unknown }>(
    ctx.db,
    s.tierCode === undefined && (hasStoreFilter(s) || s.cohort !== undefined)
      ? // A store's (or a cohort's) members are a few: each one's spend in the window through the
        // (member, at, amount) index, instead of every member's tier from a year of purchases.
        sql`WITH ${scopeCtes(ctx.program, s)}
    SELECT ta.tier, count(*) AS members FROM sm CROSS JOIN LATERAL (
      SELECT (SELECT t.code FROM ${tiersRelation(ctx.program)}
              WHERE t.threshold <= COALESCE(SUM(p.amount - p."returnedAmount"), 0) ORDER BY t.threshold DESC LIMIT 1) AS tier
      FROM "Purchase" p
      WHERE p."memberId" = sm.id AND p.at > ${subDays(s.to, ctx.program.tierWindowDays)}::timestamp AND p.at < ${s.to}::timestamp) ta
    GROUP BY ta.tier`
      : sql`WITH ${scopeCtes(ctx.program, s, { tierAt: true })}
    SELECT ta.tier, count(*) AS members FROM sm JOIN tier_at ta ON ta."memberId" = sm.id GROUP BY ta.tier`,
  );
  const by = new Map(r.map((x) => [x.tier, n(x.members)]));
  return ctx.program.tiers.map((t) => ({ tier: t.code, members: by.get(t.code) ?? 0 }));
}

export interface ReceiptShare {
  storeId: number;
  memberReceipts: number;
  allReceipts: number;
  sharePercent: number | null;
}

/**
 * Share of receipts that carried a member's card, for the store-days whose
 * POS reported its total receipt count (StoreReceiptDay; a store that does not
 * report is left out, not counted as zero). Days are the store's local dates.
 */
export async function receiptShare(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<ReceiptShare[]> {
  const key = await viaRollups(ru, rollupKey(s, ["chain", "region", "store"]));
  // A tier (with or without a store or region): its receipts on the reported store-days from the tier scopes,
  // store by store (a customer of a store in scope is in its scope); the tier of a spend of 0: the chain's
  // minus the other tiers' and minus those of members enrolled at or after the period's end.
  const tier =
    key === null ? await viaTierScopes(ru, { ...s, storeId: undefined, region: undefined }, ctx.program.tiers) : null;
  const plan = tier !== null && ru !== undefined && (await ru.receiptScopes()) ? tier : null;
  const r =
    key !== null
      ? await receiptRows(ctx.db, s)
      : plan === "empty"
        ? await tierReceiptRows(ctx.db, s, [])
        : plan !== null
          ? await fromTierScopes(plan, {
              scopes: (scopes) => tierReceiptRows(ctx.db, s, scopes),
              chain: () => receiptRows(ctx.db, s),
              late: () => rawReceipts(ctx, { ...s, tierCode: undefined, lateMembers: true }),
              // Every reporting store stays listed, with its total (from the chain's rows).
              minus: minusRows<ReceiptRow>((x) => String(x.storeId), ["mine"], { keepZero: true }),
            })
          : await rawReceipts(ctx, s);
  return r.map((x) => {
    const c = { memberReceipts: n(x.mine), allReceipts: n(x.total) };
    return { storeId: x.storeId, ...c, sharePercent: memberReceiptShare(c) };
  });
}

type ReceiptRow = { storeId: number; mine: unknown; total: unknown };

/** Receipt share's rows from the raw rows. */
function rawReceipts(ctx: ServiceContext, s: MetricsScope) {
  const fromDay = s.from.toISOString().slice(0, 10);
  const toDay = s.to.toISOString().slice(0, 10);
  return rows<ReceiptRow>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)},
      d AS (SELECT "storeId", day, receipts FROM "StoreReceiptDay"
            WHERE day >= ${fromDay}::date AND day < ${toDay}::date ${storeCond(s, sql`"storeId"`)}),
      mp AS (SELECT p."storeId", ((p.at AT TIME ZONE 'UTC') AT TIME ZONE st."timeZone")::date AS day, count(*) AS k
             FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
             ${memberFiltered(s) ? sql`JOIN sm ON sm.id = p."memberId"` : sql``}
             WHERE p."storeId" IN (SELECT DISTINCT "storeId" FROM d)
               AND p.at >= ${subDays(s.from, 1)}::timestamp AND p.at < ${subDays(s.to, -1)}::timestamp
             GROUP BY 1, 2)
    SELECT d."storeId", COALESCE(SUM(mp.k), 0) AS mine, SUM(d.receipts) AS total
    FROM d LEFT JOIN mp ON mp."storeId" = d."storeId" AND mp.day = d.day
    GROUP BY d."storeId" ORDER BY d."storeId"`,
  );
}
