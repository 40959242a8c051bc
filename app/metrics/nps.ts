import { nps, type NpsCounts } from "../../domain/index.js";
import type { ServiceContext } from "../services/context.js";
import { sql } from "../db/sql.js";
import { fromTierScopes, minusRows, tierNpsRows, viaTierScopes } from "./rollup-read.js";
import {
  hasStoreFilter,
  type MetricsScope,
  memberFiltered,
  n,
  type Rollups,
  rows,
  scopeCtes,
  storeCond,
} from "./scope.js";

/** An answer's member bought at a store in scope before the period's end. */
export const boughtThere = (s: MetricsScope) =>
  sql`AND EXISTS (SELECT 1 FROM "Purchase" p0 WHERE p0."memberId" = a."memberId" AND p0.at < ${s.to}::timestamp ${storeCond(s, sql`p0."storeId"`)})`;

export interface NpsResult extends NpsCounts {
  answers: number;
  nps: number | null;
}
export interface NpsReport {
  overall: NpsResult;
  byMonth: (NpsResult & { month: string })[];
  byStore: (NpsResult & { storeId: number | null })[];
}

const result = (c: NpsCounts): NpsResult => ({ ...c, answers: c.detractors + c.passives + c.promoters, nps: nps(c) });
const add = (a: NpsCounts, b: NpsCounts): NpsCounts => ({
  detractors: a.detractors + b.detractors,
  passives: a.passives + b.passives,
  promoters: a.promoters + b.promoters,
});
const zero = (): NpsCounts => ({ detractors: 0, passives: 0, promoters: 0 });

type NpsRow = { month: string; storeId: number | null; d: unknown; p: unknown; pr: unknown };

/**
 * The period's answers in scope by month and store, from the raw rows (answers are few: their own index
 * serves them). With `buyers`, in a store or region without a member filter, only the answers of members
 * who bought there before the period's end (as a member filter counts them).
 */
export function answerRows(ctx: ServiceContext, s: MetricsScope, buyers = false) {
  return rows<NpsRow>(
    ctx.db,
    sql`WITH ${scopeCtes(ctx.program, s)}
    SELECT to_char(a."answeredAt", 'YYYY-MM') AS month, a."storeId",
           count(*) FILTER (WHERE a.score <= 6) AS d,
           count(*) FILTER (WHERE a.score BETWEEN 7 AND 8) AS p,
           count(*) FILTER (WHERE a.score >= 9) AS pr
    FROM "NpsAnswer" a ${memberFiltered(s) ? sql`JOIN sm ON sm.id = a."memberId"` : sql``}
    WHERE a."answeredAt" >= ${s.from}::timestamp AND a."answeredAt" < ${s.to}::timestamp ${storeCond(s, sql`a."storeId"`)}
      ${buyers && hasStoreFilter(s) && !memberFiltered(s) ? boughtThere(s) : sql``}
    GROUP BY 1, 2`,
  );
}

/**
 * NPS of the answers given in the period, overall, by month and by store
 * (answers about a store in scope). A tier, alone or in a region, reads its
 * answers from the tier scopes (a member's tier would otherwise come from a
 * year of purchases).
 */
export async function npsReport(ctx: ServiceContext, s: MetricsScope, ru?: Rollups): Promise<NpsReport> {
  const plan = await viaTierScopes(ru, s, ctx.program.tiers, { region: true });
  const r =
    plan === null
      ? await answerRows(ctx, s)
      : plan === "empty"
        ? []
        : await fromTierScopes(plan, {
            scopes: (scopes) => tierNpsRows(ctx.db, s, scopes),
            // In a region, the answers of members who bought there (the tier's members are those).
            chain: () => answerRows(ctx, { ...s, tierCode: undefined }, true),
            late: () => answerRows(ctx, { ...s, tierCode: undefined, lateMembers: true }),
            minus: minusRows<NpsRow>((x) => `${x.month} ${x.storeId}`, ["d", "p", "pr"]),
          });
  let overall = zero();
  const months = new Map<string, NpsCounts>();
  const stores = new Map<number | null, NpsCounts>();
  for (const x of r) {
    const c = { detractors: n(x.d), passives: n(x.p), promoters: n(x.pr) };
    overall = add(overall, c);
    months.set(x.month, add(months.get(x.month) ?? zero(), c));
    stores.set(x.storeId, add(stores.get(x.storeId) ?? zero(), c));
  }
  return {
    overall: result(overall),
    byMonth: [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, c]) => ({ month, ...result(c) })),
    byStore: [...stores].sort(([a], [b]) => (a ?? 0) - (b ?? 0)).map(([storeId, c]) => ({ storeId, ...result(c) })),
  };
}
