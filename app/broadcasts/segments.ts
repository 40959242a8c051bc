import { z } from "zod";
import { type Program, validCondition } from "../../domain/index.js";
import { conditionSql } from "../conditions/sql.js";
import { type Sql, sql } from "../db/sql.js";

/**
 * Who a broadcast goes to: everyone reachable, a small fixed filter (the
 * first form, kept for broadcasts already stored), or any condition of the
 * condition language (domain/conditions.ts) — the one offers and triggers
 * use, compiled by app/conditions/sql.ts, never a second language here.
 * A saved segment (`{ kind: "saved", id }`) is resolved to its definition
 * when a broadcast is created, so a later edit never changes who a past
 * broadcast was for.
 */
export const segmentSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("conditions"), where: validCondition }),
  z.object({
    kind: z.literal("filter"),
    language: z.enum(["ru", "en"]).optional(),
    /** Bought at least once in the last N days. */
    purchasedWithinDays: z.number().int().min(1).max(3660).optional(),
    /** Has not bought for at least N days (lapsed shoppers). */
    lapsedForDays: z.number().int().min(1).max(3660).optional(),
    /** Balance at least this many points. */
    minBalance: z.number().int().min(0).optional(),
    /** Bought at one of these stores (ever). */
    storeIds: z.array(z.number().int().positive()).min(1).max(500).optional(),
  }),
]);
export type Segment = z.infer<typeof segmentSchema>;

/** hash(member, salt) → bucket 0…9999 in SQL, the same as domain bucketOf(). */
export const bucketSql = (memberId: Sql, salt: string) =>
  sql`((('x' || substr(md5(${salt} || ':' || ${memberId}::text), 1, 8))::bit(32)::bigint) % 10000)::int`;

/**
 * The WHERE condition over "Member" m: the segment, and always only members
 * a marketing message can reach (active, a chat, notifications on, not in the
 * program-wide holdout). A member marked unreachable leaves every segment
 * until they write to the bot again.
 */
export function segmentWhere(segment: Segment, program: Program, now: Date): Sql {
  const parts: Sql[] = [
    sql`m.status = 'active'`,
    sql`m."chatId" IS NOT NULL`,
    sql`m.notifications`,
    sql`m."deletedAt" IS NULL`,
  ];
  if (program.marketing.holdoutBp > 0)
    parts.push(sql`${bucketSql(sql`m.id`, program.marketing.holdoutSalt)} >= ${program.marketing.holdoutBp}::int`);
  if (segment.kind === "conditions") parts.push(conditionSql(segment.where, now, program));
  if (segment.kind === "filter") {
    const day = 86_400_000;
    if (segment.language) parts.push(sql`coalesce(m.language, 'ru') = ${segment.language}`);
    if (segment.minBalance !== undefined) parts.push(sql`m.balance >= ${segment.minBalance}::int`);
    if (segment.purchasedWithinDays !== undefined)
      parts.push(
        sql`EXISTS (SELECT 1 FROM "Purchase" p WHERE p."memberId" = m.id AND p.at >= ${new Date(now.getTime() - segment.purchasedWithinDays * day)}::timestamp)`,
      );
    if (segment.lapsedForDays !== undefined)
      parts.push(
        sql`NOT EXISTS (SELECT 1 FROM "Purchase" p WHERE p."memberId" = m.id AND p.at >= ${new Date(now.getTime() - segment.lapsedForDays * day)}::timestamp)`,
      );
    if (segment.storeIds)
      parts.push(
        sql`EXISTS (SELECT 1 FROM "Purchase" p WHERE p."memberId" = m.id AND p."storeId" = ANY(${segment.storeIds}::int[]))`,
      );
  }
  return sql`(${joinAnd(parts)})`;
}

function joinAnd(parts: Sql[]): Sql {
  return parts.slice(1).reduce((acc, p) => sql`${acc} AND ${p}`, parts[0] as Sql);
}
