import { BP, type Reward } from "../../domain/index.js";
import { conditionSql } from "../conditions/sql.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";
import { readOffer } from "./manage.js";

export interface OfferPreview {
  /** Active members who satisfy the condition now (the offer's own member for a personal one). */
  members: number;
  /** Points the offer would cost if each of them used it as often as allowed, capped by its budget. */
  estimatedPoints: number;
  estimatedCostKopecks: number;
  /**
   * What the margin guard leaves for offers on these members' receipts of
   * the last 30 days: maxLoyaltyShareOfMargin × their margin, less the
   * accrual they earned. The guard applies per receipt at the till; this is
   * the same rule summed, to judge the offer before it starts.
   */
  marginHeadroomPoints: number;
  withinMarginGuard: boolean;
}

const WINDOW_DAYS = 30;

/**
 * How many members qualify now and what the offer would cost, one statement
 * over the member table (the condition compiled to SQL), with the last 30
 * days of the qualifying members' receipts as the basis of a multiplier's
 * cost and of the margin guard.
 */
export function createOfferPreview(ctx: ServiceContext) {
  const { db, program } = ctx;

  return async function preview(id: number): Promise<OfferPreview> {
    return db.unitOfWork(async (tx) => {
      const o = await readOffer(tx, id);
      const now = ctx.now();
      const from = new Date(now.getTime() - WINDOW_DAYS * 86_400_000);
      const e = program.economics;
      const marginBp = BP - e.default.costShareBp - e.default.acquisitionShareBp;
      const reward: Reward = o.reward;
      const product =
        reward.kind === "multiplier"
          ? sql`(${reward.product.category ?? null}::text IS NULL OR i.category = ${reward.product.category ?? null}::text)
                AND (${reward.product.sku ?? null}::text IS NULL OR i.sku = ${reward.product.sku ?? null}::text)`
          : sql`FALSE`;
      const extraBp = reward.kind === "multiplier" ? reward.factorBp - BP : 0;
      const r = await tx.one<{
        members: number;
        margin: string | number;
        accrued: string | number;
        lines: string | number;
      }>(
        sql`
        WITH q AS (
          SELECT m.id FROM "Member" m
          WHERE m.status = 'active' AND (${o.memberId}::int IS NULL OR m.id = ${o.memberId}::int)
            AND ${conditionSql(o.condition, now, program)}
        ), p AS (
          SELECT p.* FROM "Purchase" p JOIN q ON q.id = p."memberId" WHERE p.at >= ${from}::timestamp
        )
        SELECT (SELECT count(*)::int FROM q) AS members,
          (SELECT coalesce(sum((p.amount - p."returnedAmount")::int8 * ${marginBp}::int8 / ${BP}::int8
                   * ${e.maxLoyaltyShareOfMarginBp}::int8 / ${BP}::int8), 0) FROM p) AS margin,
          (SELECT coalesce(sum(p."pointsAccrued"), 0) FROM p) AS accrued,
          (SELECT coalesce(sum(i.amount::int8 * p."rateBp" / ${BP}::int8 * ${extraBp}::int8 / ${BP}::int8), 0)
             FROM p JOIN "PurchaseItem" i ON i."purchaseId" = p.id WHERE ${product}) AS lines`,
      );
      const members = r?.members ?? 0;
      let points: number;
      switch (reward.kind) {
        case "bonus":
        case "skuPoints":
          points = members * reward.points * o.perMemberLimit;
          if (o.budgetRedemptions !== null) points = Math.min(points, o.budgetRedemptions * reward.points);
          break;
        case "multiplier":
          // Their last 30 days' lines of the product, as if bought again while the offer runs.
          points = Math.floor(Number(r?.lines ?? 0) / program.pointValueKopecks);
          break;
        case "gift":
          points = 0;
          break;
      }
      if (o.budgetPoints !== null) points = Math.min(points, o.budgetPoints - o.spentPoints);
      const headroom = Math.max(
        0,
        Math.floor(Number(r?.margin ?? 0) / program.pointValueKopecks) - Number(r?.accrued ?? 0),
      );
      return {
        members,
        estimatedPoints: points,
        estimatedCostKopecks: points * program.pointValueKopecks,
        marginHeadroomPoints: headroom,
        withinMarginGuard: points <= headroom,
      };
    });
  };
}
