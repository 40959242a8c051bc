import { localeOr } from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { ClaimedJob } from "../jobs/runner.js";
import type { ServiceContext } from "../services/context.js";
import { marketingVerdicts } from "./marketing.js";
import type { Delivery, Messenger, Recipient } from "./messenger.js";
import { ESSENTIAL, NOTICE_CLASS, type Notice } from "./notices.js";

interface MemberRow {
  id: number;
  chatId: bigint | number | string | null;
  status: string;
  language: string | null;
  notifications: boolean;
}

/**
 * The one place where Kopilka decides whether, when and how a message goes
 * out, for every notice any job sends:
 *
 * - a member who blocked the bot, deleted their data or never opened a chat
 *   gets nothing (and a 403 now marks them unreachable until they return);
 * - marketing notices wait out quiet hours in the member's local time (the
 *   job is moved to the morning, not dropped) and obey the frequency caps
 *   (one over the cap is recorded as capped and not sent);
 * - the row is marked `sending` before the send; a job that finds it still
 *   `sending` ran in a process that died mid-send, so we cannot know whether
 *   Telegram got it. A marketing notice is then marked `unknown` and not sent
 *   again (never spam); a transactional one is sent again (a spend prompt or
 *   a purchase notice that never arrived is worse than a rare repeat).
 */
export function createDelivery(ctx: ServiceContext, messenger: Messenger) {
  const { db, program } = ctx;

  /** Claims the job's notification row; false when it was handled before. */
  async function begin(
    tx: SqlTx,
    job: ClaimedJob,
    who: { memberId: number | null; chatId: bigint | null },
    notice: Notice,
    status: string,
  ) {
    const prior = await tx.one<{ status: string }>(sql`SELECT status FROM "Notification" WHERE "jobId" = ${job.id}`);
    if (prior && ["sent", "unknown", "capped", "skipped", "unreachable"].includes(prior.status)) return false;
    // Telegram has no idempotency key: a marketing message that may have gone out is not risked twice.
    if (prior?.status === "sending" && NOTICE_CLASS[notice.kind] === "marketing") {
      await tx.many(sql`UPDATE "Notification" SET status = 'unknown' WHERE "jobId" = ${job.id}`);
      ctx.log.warn(
        { job: job.id, kind: notice.kind },
        "a notice may or may not have gone out before a crash; not resent",
      );
      return false;
    }
    const now = ctx.now();
    await tx.many(sql`
      INSERT INTO "Notification" ("jobId", "memberId", "chatId", class, kind, status, "createdAt")
      VALUES (${job.id}, ${who.memberId}::int, ${who.chatId === null ? null : String(who.chatId)}::int8,
              ${NOTICE_CLASS[notice.kind]}, ${notice.kind}, ${status}, ${now}::timestamp)
      ON CONFLICT ("jobId") DO UPDATE SET status = EXCLUDED.status, "createdAt" = EXCLUDED."createdAt"`);
    return status === "sending";
  }

  async function finish(job: ClaimedJob, d: Delivery, memberId: number | null, chatId: bigint) {
    const now = ctx.now();
    if (d.status === "sent") {
      await db.unitOfWork((tx) =>
        tx.many(sql`UPDATE "Notification" SET status = 'sent', "sentAt" = ${now}::timestamp, "messageId" = ${d.messageId}
                    WHERE "jobId" = ${job.id}`),
      );
      return d;
    }
    await db.unitOfWork(async (tx) => {
      await tx.many(sql`UPDATE "Notification" SET status = 'unreachable' WHERE "jobId" = ${job.id}`);
      await markUnreachable(tx, memberId, chatId);
    });
    return d;
  }

  async function markUnreachable(tx: SqlTx, memberId: number | null, chatId: bigint) {
    if (memberId !== null)
      await tx.many(sql`UPDATE "Member" SET status = 'unreachable' WHERE id = ${memberId} AND status = 'active'`);
    else
      await tx.many(
        sql`UPDATE "Member" SET status = 'unreachable' WHERE "chatId" = ${String(chatId)}::int8 AND status = 'active'`,
      );
  }

  async function attempt(job: ClaimedJob, send: () => Promise<Delivery>, memberId: number | null, chatId: bigint) {
    let d: Delivery;
    try {
      d = await send();
    } catch (e) {
      // Not sent (network, Telegram down, 429): the job retries; the row says so meanwhile.
      await db
        .unitOfWork((tx) => tx.many(sql`UPDATE "Notification" SET status = 'failed' WHERE "jobId" = ${job.id}`))
        .catch(() => {});
      throw e;
    }
    return finish(job, d, memberId, chatId);
  }

  /**
   * Sends (or edits, with `editMessageId`) a notice to a member, by the rules
   * above. Returns a retry time when quiet hours hold it.
   */
  async function toMember(
    job: ClaimedJob,
    memberId: number,
    notice: Notice,
    opts: { editMessageId?: number } = {},
  ): Promise<{ retryAt?: Date; delivery?: Delivery }> {
    const cls = NOTICE_CLASS[notice.kind];
    const plan = await db.unitOfWork(async (tx) => {
      const m = await tx.one<MemberRow>(sql`
        SELECT m.id, m."chatId", m.status::text AS status, m.language, m.notifications
        FROM "Member" m WHERE m.id = ${memberId} FOR NO KEY UPDATE OF m`);
      const chatId = m?.chatId != null ? BigInt(m.chatId) : null;
      const who = { memberId, chatId };
      if (!m || chatId === null || m.status !== "active" || (!m.notifications && !ESSENTIAL.has(notice.kind))) {
        await begin(tx, job, who, notice, m?.status === "unreachable" ? "unreachable" : "skipped");
        return null;
      }
      const now = ctx.now();
      if (cls === "marketing" || cls === "feedback") {
        const verdict = (
          await marketingVerdicts(tx, program, now, [memberId], { jobId: job.id, holdoutToo: cls === "feedback" })
        ).get(memberId);
        if (verdict?.kind === "wait") return { retryAt: verdict.until };
        if (cls === "marketing" && (verdict?.kind === "capped" || verdict?.kind === "holdout")) {
          await begin(tx, job, who, notice, verdict.kind === "capped" ? "capped" : "skipped");
          return null;
        }
      }
      if (!(await begin(tx, job, who, notice, "sending"))) return null;
      return { to: { chatId, locale: localeOr(m.language) } satisfies Recipient };
    });
    if (!plan) return {};
    if ("retryAt" in plan) return { retryAt: plan.retryAt };
    const { editMessageId } = opts;
    const delivery = await attempt(
      job,
      () => (editMessageId ? messenger.edit(plan.to, editMessageId, notice) : messenger.send(plan.to, notice)),
      memberId,
      plan.to.chatId,
    );
    return { delivery };
  }

  /** A transactional notice to a staff chat, in the staff member's language. */
  async function toStaffChat(job: ClaimedJob, chatId: bigint, notice: Notice): Promise<Delivery | undefined> {
    const to = await db.unitOfWork(async (tx) => {
      const s = await tx.one<{ language: string | null }>(
        sql`SELECT language FROM "StaffMember" WHERE "chatId" = ${String(chatId)}::int8 ORDER BY id DESC LIMIT 1`,
      );
      if (!(await begin(tx, job, { memberId: null, chatId }, notice, "sending"))) return null;
      return { chatId, locale: localeOr(s?.language) } satisfies Recipient;
    });
    if (!to) return undefined;
    return attempt(job, () => messenger.send(to, notice), null, chatId);
  }

  return { toMember, toStaffChat };
}
export type Notifications = ReturnType<typeof createDelivery>;
