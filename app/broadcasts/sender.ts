import { randomBytes } from "node:crypto";
import { localeOr, type Variant } from "../../domain/index.js";
import { sql } from "../db/sql.js";
import { marketingVerdicts } from "../notifications/marketing.js";
import type { BroadcastOutcome, Broadcaster, Recipient } from "../notifications/messenger.js";
import type { ServiceContext } from "../services/context.js";
import type { BroadcastService } from "./service.js";

export interface BroadcastSenderOptions {
  /** Rows claimed per round trip. */
  batchSize?: number;
  /** Messages in flight at once (the Broadcaster's rate gate paces them). */
  concurrency?: number;
  /** How long a claim or a send holds a row before another process may treat it as abandoned. */
  leaseMs?: number;
  pollMs?: number;
  workerId?: string;
  /** Minimum time between edits of a progress message. */
  progressEveryMs?: number;
}

interface Claimed {
  id: number;
  broadcastId: number;
  memberId: number;
  variant: string;
}

interface Result {
  id: number;
  memberId: number;
  outcome: BroadcastOutcome;
}

/**
 * Sends running broadcasts from their outbox, so that a member gets one at
 * most once, whatever crashes:
 *
 * 1. claim a batch of queued rows (FOR UPDATE SKIP LOCKED: several processes
 *    on one PostgreSQL share a broadcast, never a row) as `claimed` with a lease;
 * 2. ask the marketing rules about the whole batch at once (holdout, quiet
 *    hours in each member's zone → back to the queue until their morning,
 *    caps → `capped`);
 * 3. mark a few rows `sending` just before they go out (only rows this
 *    worker still holds), send them through the Broadcaster with small
 *    concurrency, and record the outcomes in one statement;
 * 4. a row whose lease ran out while `sending` is `unknown` (the process
 *    died mid-send; Telegram has no idempotency key, so it is never resent);
 *    one that was only `claimed` goes back to the queue.
 */
export function createBroadcastSender(
  ctx: ServiceContext,
  service: BroadcastService,
  broadcaster: Broadcaster,
  o: BroadcastSenderOptions = {},
) {
  const { db, program, log } = ctx;
  const batchSize = o.batchSize ?? 200;
  const concurrency = o.concurrency ?? 4;
  const leaseMs = o.leaseMs ?? 60_000;
  const pollMs = o.pollMs ?? 1000;
  const workerId = o.workerId ?? `broadcast-${process.pid}-${randomBytes(3).toString("hex")}`;
  const progressEveryMs = o.progressEveryMs ?? 3000;
  const variantsCache = new Map<number, { variants: Variant[]; paid: boolean; status: string; checkedAt: number }>();
  const lastProgress = new Map<number, number>();
  let running = false;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  /** Rows abandoned by a dead process: `sending` → unknown, `claimed` → queued. */
  async function recover() {
    const now = ctx.now();
    const rows = await db.unitOfWork((tx) =>
      tx.many<{ status: string; n: number }>(sql`
        WITH r AS (
          UPDATE "BroadcastDelivery" d
          SET status = CASE WHEN d.status = 'sending' THEN 'unknown' ELSE 'queued' END,
              "claimedBy" = NULL, "leaseUntil" = NULL
          WHERE d."broadcastId" IN (SELECT id FROM "Broadcast" WHERE status IN ('running', 'paused', 'cancelled'))
            AND d.status IN ('claimed', 'sending') AND d."leaseUntil" < ${now}::timestamp
          RETURNING d.status)
        SELECT status, count(*)::int AS n FROM r GROUP BY status`),
    );
    for (const r of rows)
      if (r.status === "unknown")
        log.warn({ rows: r.n }, "broadcast messages may or may not have gone out before a crash; not resent");
  }

  async function claim(): Promise<Claimed[]> {
    const now = ctx.now();
    return db.unitOfWork((tx) =>
      tx.many<Claimed>(sql`
        UPDATE "BroadcastDelivery" d SET status = 'claimed', "claimedBy" = ${workerId},
               "leaseUntil" = ${new Date(now.getTime() + leaseMs)}::timestamp
        WHERE d.id IN (
          SELECT q.id FROM "BroadcastDelivery" q
          WHERE q."broadcastId" IN (SELECT id FROM "Broadcast" WHERE status = 'running')
            AND q.status = 'queued' AND (q."notBefore" IS NULL OR q."notBefore" <= ${now}::timestamp)
          ORDER BY q."broadcastId", q.id LIMIT ${batchSize}::int
          FOR UPDATE OF q SKIP LOCKED)
        RETURNING d.id, d."broadcastId", d."memberId", d.variant`),
    );
  }

  async function broadcastOf(id: number, fresh = false) {
    const c = variantsCache.get(id);
    if (c && !fresh && Date.now() - c.checkedAt < 500) return c;
    const b = await service.get(id);
    const v = { variants: b.variants, paid: b.paid, status: b.status, checkedAt: Date.now() };
    variantsCache.set(id, v);
    return v;
  }

  /** Decides each claimed row: send now, wait for the morning, capped, or gone. */
  async function plan(rows: Claimed[]) {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const members = await tx.many<{
        id: number;
        chatId: string | number | bigint | null;
        status: string;
        language: string | null;
        notifications: boolean;
      }>(sql`SELECT id, "chatId", status::text AS status, language, notifications FROM "Member"
             WHERE id = ANY(${rows.map((r) => r.memberId)}::int[])`);
      const byId = new Map(members.map((m) => [m.id, m]));
      const broadcastId = rows[0]?.broadcastId;
      const verdicts = await marketingVerdicts(
        tx,
        program,
        now,
        members.filter((m) => m.status === "active" && m.chatId !== null && m.notifications).map((m) => m.id),
        broadcastId !== undefined ? { broadcastId } : {},
      );
      const send: (Claimed & { to: Recipient })[] = [];
      const ids: number[] = [];
      const statuses: string[] = [];
      const notBefore: (Date | null)[] = [];
      for (const r of rows) {
        const m = byId.get(r.memberId);
        const v = verdicts.get(r.memberId);
        let s: string;
        let nb: Date | null = null;
        if (!m || m.chatId === null || m.status !== "active" || !m.notifications)
          s = m?.status === "unreachable" ? "unreachable" : "skipped";
        else if (v?.kind === "wait") {
          s = "queued";
          nb = v.until;
        } else if (v?.kind === "capped") s = "capped";
        else if (v?.kind === "holdout") s = "skipped";
        else {
          send.push({ ...r, to: { chatId: BigInt(m.chatId), locale: localeOr(m.language) } });
          continue;
        }
        ids.push(r.id);
        statuses.push(s);
        notBefore.push(nb);
      }
      if (ids.length)
        await tx.many(sql`
          UPDATE "BroadcastDelivery" d SET status = u.status, "notBefore" = u.nb,
                 "claimedBy" = NULL, "leaseUntil" = NULL
          FROM unnest(${ids}::int[], ${statuses}::text[], ${notBefore.map((d) => (d ? d.toISOString().replace("Z", "") : null))}::timestamp[])
               AS u(id, status, nb)
          WHERE d.id = u.id AND d."claimedBy" = ${workerId}`);
      return send;
    });
  }

  /** Marks rows `sending` just before they go out; only rows this worker still holds come back. */
  async function markSending(ids: number[]): Promise<Set<number>> {
    const now = ctx.now();
    const rows = await db.unitOfWork((tx) =>
      tx.many<{ id: number }>(sql`
        UPDATE "BroadcastDelivery" SET status = 'sending', "sentAt" = ${now}::timestamp, attempts = attempts + 1,
               "leaseUntil" = ${new Date(now.getTime() + leaseMs)}::timestamp
        WHERE id = ANY(${ids}::int[]) AND status = 'claimed' AND "claimedBy" = ${workerId}
        RETURNING id`),
    );
    return new Set(rows.map((r) => r.id));
  }

  async function record(results: Result[]) {
    if (!results.length) return;
    const now = ctx.now();
    const ids = results.map((r) => r.id);
    const status = results.map((r) => (r.outcome.status === "retry" ? "queued" : r.outcome.status));
    const messageIds = results.map((r) => (r.outcome.status === "sent" ? r.outcome.messageId : null));
    const notBefore = results.map((r) =>
      r.outcome.status === "retry" ? new Date(now.getTime() + r.outcome.afterMs).toISOString().replace("Z", "") : null,
    );
    const errors = results.map((r) =>
      r.outcome.status === "failed" || r.outcome.status === "unknown" ? r.outcome.error.slice(0, 500) : null,
    );
    const unreachable = results.filter((r) => r.outcome.status === "unreachable").map((r) => r.memberId);
    await db.unitOfWork(async (tx) => {
      await tx.many(sql`
        UPDATE "BroadcastDelivery" d
        SET status = u.status, "messageId" = u.mid, "notBefore" = u.nb, error = u.err,
            "sentAt" = CASE WHEN u.status = 'queued' THEN NULL ELSE d."sentAt" END,
            "claimedBy" = NULL, "leaseUntil" = NULL
        FROM unnest(${ids}::int[], ${status}::text[], ${messageIds}::int[], ${notBefore}::timestamp[], ${errors}::text[])
             AS u(id, status, mid, nb, err)
        WHERE d.id = u.id`);
      if (unreachable.length)
        await tx.many(
          sql`UPDATE "Member" SET status = 'unreachable' WHERE id = ANY(${unreachable}::int[]) AND status = 'active'`,
        );
    });
  }

  async function release(ids: number[]) {
    if (!ids.length) return;
    await db.unitOfWork((tx) =>
      tx.many(sql`UPDATE "BroadcastDelivery" SET status = 'queued', "claimedBy" = NULL, "leaseUntil" = NULL
                  WHERE id = ANY(${ids}::int[]) AND status = 'claimed' AND "claimedBy" = ${workerId}`),
    );
  }

  async function sendOne(row: Claimed & { to: Recipient }): Promise<BroadcastOutcome> {
    const b = await broadcastOf(row.broadcastId);
    const v = b.variants.find((x) => x.key === row.variant);
    if (!v) return { status: "failed", error: `no variant ${row.variant}` };
    try {
      return await broadcaster.send(row.to, v.message, { paid: b.paid, clickData: `bc:${row.id}` });
    } catch (e) {
      return { status: "unknown", error: (e as Error).message };
    }
  }

  type Planned = Awaited<ReturnType<typeof plan>>;

  /** Claims and plans the next batch, per broadcast (a batch may straddle two). */
  async function prepare(): Promise<Planned[]> {
    const rows = await claim();
    const groups = new Map<number, Claimed[]>();
    for (const r of rows) groups.set(r.broadcastId, [...(groups.get(r.broadcastId) ?? []), r]);
    const out: Planned[] = [];
    for (const g of groups.values()) {
      await broadcastOf(g[0]?.broadcastId as number, true);
      out.push(await plan(g));
    }
    return rows.length ? out : [];
  }

  /** Sends one planned batch; returns how many rows went out. */
  async function sendBatch(todo: Planned): Promise<number> {
    let done = 0;
    let pending: Result[] = [];
    let flushing: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const batch = pending;
      pending = [];
      flushing = flushing.then(() => record(batch));
      return flushing;
    };
    // Outcomes are written in groups, but never later than 100 ms after they are known:
    // a crash leaves as few sent rows looking `sending` (and so `unknown`) as possible.
    const soon = () => {
      if (pending.length >= 50) void flush();
      else timer ??= setTimeout(() => void flush(), 100);
    };
    const inFlight = new Set<Promise<void>>();
    // Small chunks keep the pipe full: the next chunk is marked while most of the last one is still in flight.
    const step = Math.max(1, Math.ceil(concurrency / 4));
    for (let i = 0; i < todo.length; i += step) {
      const chunk = todo.slice(i, i + step);
      const b = await broadcastOf(chunk[0]?.broadcastId as number);
      if (b.status !== "running" || stopping) {
        await Promise.all(inFlight);
        await flush();
        await release(todo.slice(i).map((r) => r.id));
        break;
      }
      // Rows become `sending` only when a slot is free for them: at most `concurrency` are ever in that state.
      while (inFlight.size > 0 && inFlight.size + chunk.length > concurrency) await Promise.race(inFlight);
      const mine = await markSending(chunk.map((r) => r.id));
      for (const row of chunk) {
        if (!mine.has(row.id)) continue;
        const p: Promise<void> = sendOne(row).then((outcome) => {
          inFlight.delete(p);
          pending.push({ id: row.id, memberId: row.memberId, outcome });
          if (outcome.status === "sent") done++;
          soon();
        });
        inFlight.add(p);
      }
    }
    await Promise.all(inFlight);
    await flush();
    return done;
  }

  async function finishDone() {
    const now = ctx.now();
    await db.unitOfWork((tx) =>
      tx.many(sql`
        UPDATE "Broadcast" b SET status = 'done', "finishedAt" = ${now}::timestamp
        WHERE b.status = 'running' AND NOT EXISTS (
          SELECT 1 FROM "BroadcastDelivery" d WHERE d."broadcastId" = b.id AND d.status IN ('queued', 'claimed', 'sending'))`),
    );
  }

  async function reportProgress(force = false) {
    const rows = await db.unitOfWork((tx) =>
      tx.many<{ id: number; chatId: string | number; messageId: number | null; lang: string | null }>(sql`
        SELECT b.id, b."progressChatId" AS "chatId", b."progressMessageId" AS "messageId",
               coalesce((SELECT language FROM "StaffMember" s WHERE s."chatId" = b."progressChatId" LIMIT 1),
                        (SELECT language FROM "Member" m WHERE m."chatId" = b."progressChatId" LIMIT 1)) AS lang
        FROM "Broadcast" b WHERE b."progressChatId" IS NOT NULL
          AND (b.status IN ('running', 'paused') OR b."finishedAt" > ${new Date(ctx.now().getTime() - 60_000)}::timestamp
               OR b.status = 'cancelled')`),
    );
    for (const r of rows) {
      const last = lastProgress.get(r.id) ?? 0;
      if (!force && Date.now() - last < progressEveryMs) continue;
      lastProgress.set(r.id, Date.now());
      const p = await service.progress(r.id);
      try {
        await broadcaster.progress(BigInt(r.chatId), r.messageId, localeOr(r.lang), p);
      } catch (e) {
        log.debug({ err: e, broadcast: r.id }, "progress message not updated");
      }
    }
  }

  /** One pass: start due broadcasts, recover, claim and send until nothing is due. Returns messages sent. */
  async function drain(): Promise<number> {
    await service.startDue();
    await recover();
    let sent = 0;
    // The next batch is claimed and planned while this one is sending: no pause between batches.
    let next = prepare();
    for (;;) {
      const batch = await next;
      if (!batch.length) break;
      next = stopping ? Promise.resolve([]) : prepare();
      for (const todo of batch) sent += await sendBatch(todo);
      await reportProgress();
      if (stopping) {
        for (const todo of await next) await release(todo.map((r) => r.id));
        break;
      }
    }
    await finishDone();
    await reportProgress(true);
    return sent;
  }

  return {
    workerId,
    drain,
    recover,
    start() {
      if (running) return;
      running = true;
      stopping = false;
      loop = (async () => {
        while (running) {
          try {
            await drain();
          } catch (e) {
            log.error({ err: e }, "broadcast sender pass failed");
          }
          if (!running) break;
          await new Promise<void>((r) => {
            const t = setTimeout(r, pollMs);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
        }
      })();
    },
    async stop() {
      running = false;
      stopping = true;
      wake?.();
      await loop;
      loop = null;
    },
    wake: () => wake?.(),
  };
}
export type BroadcastSender = ReturnType<typeof createBroadcastSender>;
