import { type Program, inHoldout, quietUntil, withinCaps } from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";

/**
 * "May this member get a marketing message now, and if not, when?" — asked
 * for one member by a notice job (deliver.ts) and for a batch of hundreds by
 * the broadcast sender, with the same rules: the program-wide holdout never
 * gets one; quiet hours in the member's own zone (the zone of the store they
 * last bought in, else the chain's) move it to their morning; the frequency
 * caps count every marketing message the member got, notices and broadcasts
 * alike.
 */
export type MarketingVerdict =
  { kind: "now" } | { kind: "wait"; until: Date } | { kind: "capped" } | { kind: "holdout" };

interface Row {
  id: number;
  timeZone: string | null;
  sent: (Date | string)[] | null;
}

const WEEK_MS = 7 * 86_400_000;

export async function marketingVerdicts(
  tx: SqlTx,
  program: Program,
  now: Date,
  memberIds: readonly number[],
  exclude: { jobId?: number; broadcastId?: number; holdoutToo?: boolean } = {},
): Promise<Map<number, MarketingVerdict>> {
  const out = new Map<number, MarketingVerdict>();
  const asked = memberIds.filter((id) => {
    // Feedback reaches the holdout too (it is not marketing); only quiet hours hold it.
    if (exclude.holdoutToo || !inHoldout(id, program.marketing.holdoutBp, program.marketing.holdoutSalt)) return true;
    out.set(id, { kind: "holdout" });
    return false;
  });
  if (!asked.length) return out;
  const since = new Date(now.getTime() - WEEK_MS);
  const rows = await tx.many<Row>(sql`
    SELECT m.id,
           (SELECT s."timeZone" FROM "Purchase" p JOIN "Store" s ON s.id = p."storeId"
             WHERE p."memberId" = m.id ORDER BY p.at DESC LIMIT 1) AS "timeZone",
           ARRAY(SELECT n."createdAt" FROM "Notification" n
                  WHERE n."memberId" = m.id AND n.class = 'marketing'
                    AND n.status IN ('sending', 'sent', 'unknown', 'failed')
                    AND n."createdAt" > ${since}::timestamp AND n."jobId" IS DISTINCT FROM ${exclude.jobId ?? null}::int
                 UNION ALL
                 SELECT d."sentAt" FROM "BroadcastDelivery" d
                  WHERE d."memberId" = m.id AND d.status IN ('sending', 'sent', 'unknown')
                    AND d."sentAt" > ${since}::timestamp AND d."broadcastId" IS DISTINCT FROM ${exclude.broadcastId ?? null}::int
           ) AS sent
    FROM "Member" m WHERE m.id = ANY(${asked}::int[])`);
  for (const r of rows) {
    const until = quietUntil(now, r.timeZone ?? program.timeZone, program.messaging.quietHours);
    if (until) out.set(r.id, { kind: "wait", until });
    else if (!withinCaps((r.sent ?? []).map(asUtc), now, program.messaging.caps)) out.set(r.id, { kind: "capped" });
    else out.set(r.id, { kind: "now" });
  }
  return out;
}

/** A `timestamp` column read back: PGlite gives a Date, node-postgres inside an array gives text. */
function asUtc(v: Date | string): Date {
  if (v instanceof Date) return v;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(" ", "T")}Z`);
}
