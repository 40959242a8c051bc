import { randomBytes } from "node:crypto";
import {
  tomorrowAt,
  type BroadcastAction,
  type BroadcastDraft,
  type BroadcastState,
  broadcastDraftSchema,
  bucketRanges,
  DomainError,
  etaSeconds,
  nextState,
  sampleRatioMismatch,
  twoProportionTest,
  type Variant,
  variantsOf,
  welchTest,
  wilson,
} from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { BroadcastProgress } from "../notifications/messenger.js";
import type { ServiceContext } from "../services/context.js";
import { createSegmentLibrary } from "./saved-segments.js";
import { bucketSql, type Segment, segmentWhere } from "./segments.js";

export interface BroadcastRow {
  id: number;
  name: string;
  status: BroadcastState;
  segment: Segment;
  variants: Variant[];
  controlBp: number;
  sampleBp: number;
  salt: string;
  paid: boolean;
  attributionDays: number;
  parentId: number | null;
  startAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  progressChatId: bigint | string | null;
  progressMessageId: number | null;
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError("INPUT.INVALID", message, details);

/**
 * Broadcasts as use cases: define, count, start (which builds the outbox in
 * one statement), pause, resume, cancel, progress and results. Sending is
 * the sender's (sender.ts); everything here is a short transaction.
 */
export function createBroadcastService(ctx: ServiceContext) {
  const { db, program } = ctx;

  async function load(tx: SqlTx, id: number, lock = false): Promise<BroadcastRow> {
    const b = await tx.one<BroadcastRow>(
      lock
        ? sql`SELECT * FROM "Broadcast" WHERE id = ${id} FOR UPDATE`
        : sql`SELECT * FROM "Broadcast" WHERE id = ${id}`,
    );
    if (!b) throw new DomainError("BROADCAST.NOT_FOUND", `no broadcast ${id}`, { id });
    return b;
  }

  const segments = createSegmentLibrary(ctx);

  /** Members a segment reaches now (control group included, holdout and unreachable members not). */
  const countSegment = (input: unknown): Promise<number> => segments.count(input);

  async function create(input: unknown, createdBy: string | null = null, parentId: number | null = null) {
    const r = broadcastDraftSchema.safeParse(input);
    if (!r.success) throw invalid(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    const d: BroadcastDraft = r.data;
    const segment = await segments.resolve(d.segment);
    const variants = variantsOf(d);
    const now = ctx.now();
    const row = await db.unitOfWork((tx) =>
      tx.one<{ id: number }>(sql`
        INSERT INTO "Broadcast" (name, status, segment, variants, "controlBp", "sampleBp", salt, paid, "attributionDays",
                                 "parentId", "createdBy", "startAt", "createdAt")
        VALUES (${d.name}, 'draft', ${JSON.stringify(segment)}::jsonb, ${JSON.stringify(variants)}::jsonb,
                ${d.controlBp}::int, ${d.sampleBp}::int, ${randomBytes(8).toString("hex")}, ${d.paid}, ${d.attributionDays}::int,
                ${parentId}::int, ${createdBy}, ${d.startAt ?? null}::timestamp, ${now}::timestamp)
        RETURNING id`),
    );
    return row?.id as number;
  }

  /**
   * Builds the outbox: one row per member of the segment (sampled), assigned
   * by hash to control or a variant, in one INSERT … SELECT. A broadcast that
   * sends a winner leaves out everyone its parent already assigned.
   */
  async function buildOutbox(tx: SqlTx, b: BroadcastRow, now: Date): Promise<number> {
    const ranges = bucketRanges(b.controlBp, b.variants);
    const bucket = bucketSql(sql`m.id`, b.salt);
    const cases = ranges
      .slice(1)
      .reduce(
        (acc, r) => sql`${acc} WHEN x.bucket < ${r.to}::int THEN ${r.variant}`,
        sql`CASE WHEN x.bucket < ${b.controlBp}::int THEN 'control'`,
      );
    const sample =
      b.sampleBp < 10_000 ? sql`AND ${bucketSql(sql`m.id`, `${b.salt}:sample`)} < ${b.sampleBp}::int` : sql``;
    const notParent =
      b.parentId !== null
        ? sql`AND NOT EXISTS (SELECT 1 FROM "BroadcastDelivery" pd WHERE pd."broadcastId" = ${b.parentId}::int AND pd."memberId" = m.id)`
        : sql``;
    const rows = await tx.many<{ n: number }>(sql`
      WITH ins AS (
        INSERT INTO "BroadcastDelivery" ("broadcastId", "memberId", variant, status)
        SELECT ${b.id}::int, x.id, ${cases} ELSE ${ranges[ranges.length - 1]?.variant ?? "A"} END,
               CASE WHEN x.bucket < ${b.controlBp}::int THEN 'control' ELSE 'queued' END
        FROM (SELECT m.id, ${bucket} AS bucket FROM "Member" m
              WHERE ${segmentWhere(b.segment, program, now)} ${sample} ${notParent}) x
        ON CONFLICT ("broadcastId", "memberId") DO NOTHING
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`);
    return rows[0]?.n ?? 0;
  }

  async function act(id: number, action: BroadcastAction) {
    return db.unitOfWork(async (tx) => {
      const b = await load(tx, id, true);
      const now = ctx.now();
      const scheduled = action === "start" && b.startAt !== null && new Date(b.startAt) > now;
      const to = nextState(b.status, action, scheduled);
      if (!to)
        throw new DomainError("BROADCAST.BAD_STATE", `cannot ${action} a broadcast that is ${b.status}`, {
          status: b.status,
          action,
        });
      if (to === "running" && b.startedAt === null) await begin(tx, b, now);
      else await tx.many(sql`UPDATE "Broadcast" SET status = ${to} WHERE id = ${id}`);
      // Rows a sender holds go back to the queue: another sender may take them on resume.
      if (to === "paused" || to === "cancelled")
        await tx.many(sql`UPDATE "BroadcastDelivery" SET status = 'queued', "claimedBy" = NULL, "leaseUntil" = NULL
                          WHERE "broadcastId" = ${id} AND status = 'claimed'`);
      return to;
    });
  }

  async function begin(tx: SqlTx, b: BroadcastRow, now: Date) {
    await buildOutbox(tx, b, now);
    await tx.many(sql`UPDATE "Broadcast" SET status = 'running', "startedAt" = ${now}::timestamp WHERE id = ${b.id}`);
  }

  /** Scheduled broadcasts whose time has come start (their segment is evaluated now). */
  async function startDue(): Promise<number> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const due = await tx.many<BroadcastRow>(sql`
        SELECT * FROM "Broadcast" WHERE status = 'scheduled' AND "startAt" <= ${now}::timestamp
        ORDER BY id FOR UPDATE SKIP LOCKED`);
      for (const b of due) await begin(tx, b, now);
      return due.length;
    });
  }

  async function progress(id: number): Promise<BroadcastProgress> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const b = await load(tx, id);
      const rows = await tx.many<{ status: string; n: number; recent: number }>(sql`
        SELECT status, count(*)::int AS n,
               count(*) FILTER (WHERE status = 'sent' AND "sentAt" > ${new Date(now.getTime() - 30_000)}::timestamp)::int AS recent
        FROM "BroadcastDelivery" WHERE "broadcastId" = ${id} GROUP BY status`);
      const by = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
      const total = rows.reduce((s, r) => s + r.n, 0);
      const left = by("queued") + by("claimed") + by("sending");
      const perSecond = rows.reduce((s, r) => s + r.recent, 0) / 30;
      return {
        broadcastId: id,
        name: b.name,
        state: b.status,
        total,
        sent: by("sent"),
        failed: by("failed"),
        unreachable: by("unreachable"),
        unknown: by("unknown"),
        left,
        control: by("control"),
        skipped: by("skipped") + by("capped"),
        perSecond,
        etaSeconds: b.status === "running" ? etaSeconds(left, perSecond) : null,
      };
    });
  }

  /**
   * The experiment's results: per variant and control, over everyone
   * assigned (intention to treat) within the attribution window from the
   * start; conversion with a Wilson interval, uplift against control with a
   * two-proportion test, revenue per member with Welch's t-test, the points
   * the program paid for those purchases, and the sample-ratio check.
   */
  async function results(id: number) {
    return db.unitOfWork(async (tx) => {
      const b = await load(tx, id);
      const from = b.startedAt ? new Date(b.startedAt) : ctx.now();
      const to = new Date(from.getTime() + b.attributionDays * 86_400_000);
      const rows = await tx.many<{
        variant: string;
        n: number;
        delivered: number;
        clicks: number;
        converters: number;
        purchases: number;
        revenue: string | number;
        mean: number | null;
        variance: number | null;
        points: string | number;
      }>(sql`
        WITH a AS (SELECT "memberId", variant, status, "clickedAt" FROM "BroadcastDelivery" WHERE "broadcastId" = ${id}),
        p AS (SELECT a."memberId", count(p.id)::int AS purchases,
                     coalesce(sum(p.amount - p."returnedAmount"), 0)::bigint AS revenue,
                     coalesce(sum(p."pointsAccrued"), 0)::bigint AS points
              FROM a LEFT JOIN "Purchase" p ON p."memberId" = a."memberId"
                     AND p.at >= ${from}::timestamp AND p.at < ${to}::timestamp
              GROUP BY a."memberId")
        SELECT a.variant, count(*)::int AS n,
               count(*) FILTER (WHERE a.status = 'sent')::int AS delivered,
               count(a."clickedAt")::int AS clicks,
               count(*) FILTER (WHERE p.purchases > 0)::int AS converters,
               coalesce(sum(p.purchases), 0)::int AS purchases,
               coalesce(sum(p.revenue), 0)::bigint AS revenue,
               avg(p.revenue)::float8 AS mean,
               coalesce(var_samp(p.revenue), 0)::float8 AS variance,
               coalesce(sum(p.points), 0)::bigint AS points
        FROM a JOIN p ON p."memberId" = a."memberId"
        GROUP BY a.variant ORDER BY a.variant`);
      const groups = ["control", ...b.variants.map((v) => v.key)];
      const get = (k: string) =>
        rows.find((r) => r.variant === k) ?? {
          variant: k,
          n: 0,
          delivered: 0,
          clicks: 0,
          converters: 0,
          purchases: 0,
          revenue: 0,
          mean: 0,
          variance: 0,
          points: 0,
        };
      const control = get("control");
      const ranges = bucketRanges(b.controlBp, b.variants);
      const srm = sampleRatioMismatch(
        groups.map((g) => get(g).n),
        groups.map((g) => {
          const r = ranges.find((x) => x.variant === g);
          return r ? r.to - r.from : 0;
        }),
      );
      const variants = groups.map((g) => {
        const r = get(g);
        const revenuePerMember = r.mean ?? 0;
        const conv = twoProportionTest(r.converters, r.n, control.converters, control.n);
        const rev = welchTest(
          { n: r.n, mean: revenuePerMember, variance: r.variance ?? 0 },
          { n: control.n, mean: control.mean ?? 0, variance: control.variance ?? 0 },
        );
        return {
          variant: g,
          members: r.n,
          delivered: r.delivered,
          clicks: r.clicks,
          purchases: r.purchases,
          buyers: r.converters,
          revenueKopecks: Number(r.revenue),
          revenuePerMemberKopecks: Math.round(revenuePerMember),
          conversion: r.n ? r.converters / r.n : 0,
          conversionCi: wilson(r.converters, r.n),
          pointsCost: Number(r.points),
          ...(g === "control"
            ? {}
            : {
                vsControl: {
                  conversionUplift: conv?.diff ?? null,
                  conversionRelativeUplift: conv?.uplift ?? null,
                  conversionP: conv?.p ?? null,
                  revenuePerMemberUpliftKopecks: rev ? Math.round(rev.diff) : null,
                  revenueP: rev?.p ?? null,
                },
              }),
        };
      });
      const winner =
        variants
          .filter((v) => v.variant !== "control")
          .sort((x, y) => y.revenuePerMemberKopecks - x.revenuePerMemberKopecks || y.conversion - x.conversion)[0]
          ?.variant ?? null;
      return {
        broadcastId: id,
        name: b.name,
        state: b.status,
        window: { from, to, days: b.attributionDays },
        sampleRatio: srm,
        variants,
        /** The variant with the most revenue per member (ties: conversion); whether it is significant is in its p-values. */
        leader: winner,
      };
    });
  }

  /** "Send the winner to the rest": a new broadcast of that variant's message to the segment members not yet assigned. */
  async function sendWinner(id: number, variant: string, createdBy: string | null = null) {
    const b = await db.unitOfWork((tx) => load(tx, id));
    const v = b.variants.find((x) => x.key === variant);
    if (!v) throw invalid(`broadcast ${id} has no variant ${variant}`, { variant });
    const child = await create(
      {
        name: `${b.name} — ${variant}`,
        segment: b.segment,
        variants: [{ message: v.message }],
        controlBp: 0,
        paid: b.paid,
        attributionDays: b.attributionDays,
      },
      createdBy,
      id,
    );
    await act(child, "start");
    return child;
  }

  /** A member pressed a broadcast's button; the first press counts. */
  async function click(deliveryId: number, telegramId: number | bigint) {
    const now = ctx.now();
    const r = await db.unitOfWork((tx) =>
      tx.one<{ id: number }>(sql`
        UPDATE "BroadcastDelivery" d SET "clickedAt" = coalesce(d."clickedAt", ${now}::timestamp)
        FROM "Member" m WHERE d.id = ${deliveryId} AND m.id = d."memberId" AND m."telegramId" = ${String(telegramId)}::int8
        RETURNING d.id`),
    );
    return r !== undefined;
  }

  async function attachProgress(id: number, chatId: bigint, messageId: number) {
    await db.unitOfWork((tx) =>
      tx.many(sql`UPDATE "Broadcast" SET "progressChatId" = ${String(chatId)}::int8, "progressMessageId" = ${messageId}
                  WHERE id = ${id}`),
    );
  }

  /** The latest broadcasts, newest first, with how far each got (the dashboard's list). */
  async function list(limit = 50) {
    return db.unitOfWork((tx) =>
      tx.many<{
        id: number;
        name: string;
        status: BroadcastState;
        startedAt: Date | null;
        total: number;
        sent: number;
      }>(sql`
        SELECT b.id, b.name, b.status, b."startedAt",
               (SELECT count(*)::int FROM "BroadcastDelivery" d WHERE d."broadcastId" = b.id) AS total,
               (SELECT count(*)::int FROM "BroadcastDelivery" d WHERE d."broadcastId" = b.id AND d.status = 'sent') AS sent
        FROM "Broadcast" b ORDER BY b.id DESC LIMIT ${limit}::int`),
    );
  }

  async function get(id: number) {
    return db.unitOfWork((tx) => load(tx, id));
  }

  return {
    segments,
    /** Tomorrow at 10:00 in the chain's zone: the "send tomorrow morning" choice. */
    tomorrowMorning: () => tomorrowAt(ctx.now(), program.timeZone),
    countSegment,
    create,
    get,
    list,
    start: (id: number) => act(id, "start"),
    pause: (id: number) => act(id, "pause"),
    resume: (id: number) => act(id, "resume"),
    cancel: (id: number) => act(id, "cancel"),
    startDue,
    progress,
    results,
    sendWinner,
    click,
    attachProgress,
  };
}
export type BroadcastService = ReturnType<typeof createBroadcastService>;
