import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import {
  cohortCostKey,
  cohortPointRows,
  fromTierScopes,
  ledgerFlows,
  minusRows,
  rollupKey,
  tierPointRows,
  viaTierScopes,
} from "./rollup-read.js";
import { type MetricsScope, memberFiltered, n, type Rollups, rows, scopeCtes, viaRollups } from "./scope.js";

export interface PointsFlow {
  /** Points outstanding at the end of the period (what the program owes). */
  outstandingPoints: number;
  /** Their value in kopecks at the program's point value. */
  liabilityKopecks: number;
  /** Credits posted in the period (accruals, bonuses, positive adjustments). */
  issued: number;
  redeemed: number;
  expired: number;
  /** Accruals taken back by returns. */
  reversed: number;
}

/**
 * The points liability and the period's flows, from the ledger. Points are
 * chain-wide, so a store or region does not narrow this (tier and cohort do).
 */
export async function pointsFlow(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<PointsFlow> {
  // Points are chain-wide: a store or region does not narrow them.
  const key = await viaRollups(ru, rollupKey({ ...s, storeId: undefined, region: undefined }, ["chain"]));
  // A tier (with or without a store or region, which do not narrow points): its members' ledger from the tier scopes.
  const plan =
    key === null ? await viaTierScopes(ru, { ...s, storeId: undefined, region: undefined }, ctx.program.tiers) : null;
  // A cohort (with or without a store or region): its ledger by enrollment month, once filled.
  const ck = key === null && plan === null ? cohortCostKey({ ...s, storeId: undefined, region: undefined }) : null;
  const cohort = ck !== null && ru !== undefined && (await ru.cohortLedger()) ? ck : null;
  const [r] =
    key !== null
      ? [await ledgerFlows(ctx.db, s)]
      : plan === "empty" || cohort === "empty"
        ? [{}]
        : plan !== null
          ? await fromTierScopes(plan, {
              scopes: async (scopes) => [(await tierPointRows(ctx.db, s, scopes)) ?? {}],
              chain: async () => [(await ledgerFlows(ctx.db, s)) ?? {}],
              late: () => ledgerRows(ctx, { ...s, tierCode: undefined, lateMembers: true }),
              minus: minusRows<Record<string, unknown>>(
                () => "",
                ["outstanding", "issued", "redeemed", "expired", "reversed"],
              ),
            })
          : cohort !== null
            ? [await cohortPointRows(ctx.db, s, cohort)]
            : await ledgerRows(ctx, s);
  const outstanding = n(r?.outstanding);
  return {
    outstandingPoints: outstanding,
    liabilityKopecks: outstanding * ctx.program.pointValueKopecks,
    issued: n(r?.issued),
    redeemed: n(r?.redeemed),
    expired: n(r?.expired),
    reversed: n(r?.reversed),
  };
}

/** The points liability and flows from the ledger's raw rows. */
function ledgerRows(ctx: ServiceContext, s: MetricsScope) {
  return rows<Record<string, unknown>>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, { ...s, storeId: undefined, region: undefined })}
    SELECT COALESCE(SUM(e.points), 0) AS outstanding,
           COALESCE(SUM(e.points) FILTER (WHERE e."createdAt" >= ${s.from}::timestamp AND e.points > 0), 0) AS issued,
           COALESCE(-SUM(e.points) FILTER (WHERE e."createdAt" >= ${s.from}::timestamp AND e.kind = 'redemption'), 0) AS redeemed,
           COALESCE(-SUM(e.points) FILTER (WHERE e."createdAt" >= ${s.from}::timestamp AND e.kind = 'expiry'), 0) AS expired,
           COALESCE(-SUM(e.points) FILTER (WHERE e."createdAt" >= ${s.from}::timestamp AND e.kind = 'reversal'), 0) AS reversed
    FROM "LedgerEntry" e ${memberFiltered(s) ? sql`JOIN sm ON sm.id = e."memberId"` : sql``}
    WHERE e."createdAt" < ${s.to}::timestamp`,
  );
}
