import { TZDate } from "@date-fns/tz";
import { createHash } from "node:crypto";
import { z } from "zod";
import { readTelegramHtml, TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT } from "./telegram-html.js";

/**
 * Broadcasts and the experiments they carry, as rules over plain values.
 *
 * A broadcast goes to a segment. Every member of it falls, by a hash of
 * their id and the broadcast's salt, into one of 10,000 buckets; the first
 * `controlBp` buckets are the control group (counted, never messaged) and the
 * rest are split between the variants by their shares. The same member and
 * salt always land in the same bucket, so a restart, a second process or a
 * re-count assigns exactly as before; the database computes the same hash in
 * SQL (app/broadcasts/sql.ts) so 100,000 rows are assigned in one statement.
 */
export const BUCKETS = 10_000;

/** md5(salt:memberId) → its first 32 bits → 0…9999; PostgreSQL's md5() gives the same. */
export function bucketOf(memberId: number, salt: string): number {
  const h = createHash("md5").update(`${salt}:${memberId}`).digest();
  return h.readUInt32BE(0) % BUCKETS;
}

const bp = z.number().int().min(0).max(BUCKETS);

export const broadcastButtonSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("link"), text: z.string().min(1).max(64), url: z.url() }),
  z.object({ kind: z.literal("offer"), text: z.string().min(1).max(64), offerId: z.string().min(1).max(48) }),
  z.object({ kind: z.literal("activate"), text: z.string().min(1).max(64), offerId: z.string().min(1).max(48) }),
]);
export type BroadcastButton = z.infer<typeof broadcastButtonSchema>;

export const broadcastMessageSchema = z
  .object({
    /**
     * Telegram HTML (<b>, <i>, <a href>…): the marketer's formatting. Telegram's limits are checked
     * below, on the text as shown; this one only bounds the markup.
     */
    text: z.string().trim().min(1).max(65_536),
    /** A photo by URL or Telegram file_id; the text becomes its caption (then at most 1,024 characters). */
    photo: z.string().min(1).max(2048).optional(),
    button: broadcastButtonSchema.optional(),
  })
  .superRefine((m, ctx) => {
    // Checked as Telegram will read it: HTML it refuses would fail every send; the limits count what is shown.
    const html = readTelegramHtml(m.text);
    if (!html.ok) {
      ctx.addIssue({ code: "custom", path: ["text"], message: `not Telegram HTML: ${html.problem}` });
      return;
    }
    const limit = m.photo ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_TEXT_LIMIT;
    if (html.length === 0)
      ctx.addIssue({ code: "custom", path: ["text"], message: "the message shows no text, only tags" });
    else if (html.length > limit)
      ctx.addIssue({
        code: "custom",
        path: ["text"],
        message: m.photo
          ? `a photo's caption is at most ${limit} characters as shown (this one is ${html.length})`
          : `a message is at most ${limit} characters as shown (this one is ${html.length})`,
      });
  });
export type BroadcastMessage = z.infer<typeof broadcastMessageSchema>;

export const VARIANT_KEYS = ["A", "B", "C", "D"] as const;

export const broadcastDraftSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    segment: z.unknown().default({ kind: "all" }),
    /** One message, or 2–4 variants of an A/B test. */
    variants: z
      .array(z.object({ message: broadcastMessageSchema, shareBp: bp.optional() }))
      .min(1)
      .max(4),
    /** Share of the segment that gets nothing, to measure against (default 10 %). */
    controlBp: z.number().int().min(0).max(5000).default(1000),
    /** Share of the segment to send to now (e.g. 2000: an A/B test on 20 %, the winner to the rest later). */
    sampleBp: z.number().int().min(1).max(BUCKETS).default(BUCKETS),
    paid: z.boolean().default(false),
    attributionDays: z.number().int().min(1).max(90).default(7),
    startAt: z.coerce.date().optional(),
  })
  .superRefine((d, ctx) => {
    if (d.variants.some((v) => v.shareBp !== undefined)) {
      const sum = d.variants.reduce((s, v) => s + (v.shareBp ?? 0), 0);
      if (d.variants.some((v) => v.shareBp === undefined) || sum !== BUCKETS)
        ctx.addIssue({
          code: "custom",
          path: ["variants"],
          message: "variant shares must all be given and add up to 10000 basis points",
        });
    }
  });
export type BroadcastDraft = z.infer<typeof broadcastDraftSchema>;

export interface Variant {
  key: string;
  shareBp: number;
  message: BroadcastMessage;
}

/** Shares as given, or equal (the remainder to the first variants). */
export function variantsOf(draft: Pick<BroadcastDraft, "variants">): Variant[] {
  const n = draft.variants.length;
  return draft.variants.map((v, i) => ({
    key: VARIANT_KEYS[i] as string,
    shareBp: v.shareBp ?? Math.floor(BUCKETS / n) + (i < BUCKETS % n ? 1 : 0),
    message: v.message,
  }));
}

export interface BucketRange {
  variant: string;
  /** Buckets from (inclusive) … to (exclusive). */
  from: number;
  to: number;
}

/** The buckets of the control group and of each variant, in integers. */
export function bucketRanges(controlBp: number, variants: readonly Pick<Variant, "key" | "shareBp">[]): BucketRange[] {
  const ranges: BucketRange[] = [{ variant: "control", from: 0, to: controlBp }];
  const treated = BUCKETS - controlBp;
  let cum = 0;
  for (const v of variants) {
    const from = controlBp + Math.floor((treated * cum) / BUCKETS);
    cum += v.shareBp;
    const to = controlBp + Math.floor((treated * cum) / BUCKETS);
    ranges.push({ variant: v.key, from, to });
  }
  return ranges;
}

export function variantOfBucket(ranges: readonly BucketRange[], bucket: number): string {
  for (const r of ranges) if (bucket >= r.from && bucket < r.to) return r.variant;
  return ranges[ranges.length - 1]?.variant ?? "control";
}

/**
 * Whether a member is in the program-wide holdout: members who never get a
 * marketing message, so the program's own incremental effect can be measured.
 */
export function inHoldout(memberId: number, holdoutBp: number, salt: string): boolean {
  return holdoutBp > 0 && bucketOf(memberId, salt) < holdoutBp;
}

/** Broadcast states and what a marketer may do in each. */
export const BROADCAST_STATES = ["draft", "scheduled", "running", "paused", "cancelled", "done"] as const;
export type BroadcastState = (typeof BROADCAST_STATES)[number];
export type BroadcastAction = "start" | "pause" | "resume" | "cancel";

export function nextState(from: BroadcastState, action: BroadcastAction, scheduled = false): BroadcastState | null {
  switch (action) {
    case "start":
      return from === "draft" ? (scheduled ? "scheduled" : "running") : null;
    case "pause":
      return from === "running" || from === "scheduled" ? "paused" : null;
    case "resume":
      return from === "paused" ? "running" : null;
    case "cancel":
      return from === "draft" || from === "scheduled" || from === "running" || from === "paused" ? "cancelled" : null;
  }
}

/** Outbox row states (one row per broadcast and member). */
export const DELIVERY_STATES = [
  "queued",
  "claimed",
  "sending",
  "sent",
  "failed",
  "unreachable",
  "unknown",
  "control",
  "capped",
  "skipped",
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** States a row never leaves. */
export const FINAL_DELIVERY: ReadonlySet<string> = new Set([
  "sent",
  "failed",
  "unreachable",
  "unknown",
  "control",
  "capped",
  "skipped",
]);

/** Seconds left at the current speed, or null when nothing is moving. */
export function etaSeconds(remaining: number, perSecond: number): number | null {
  if (remaining <= 0) return 0;
  if (perSecond <= 0) return null;
  return Math.ceil(remaining / perSecond);
}

/**
 * "Tomorrow at 10:00" in the chain's zone, the schedule a marketer picks for
 * a broadcast written in the evening (each member's quiet hours still apply).
 */
export function tomorrowAt(now: Date, timeZone: string, hour = 10): Date {
  const local = new TZDate(now.getTime(), timeZone);
  return new Date(
    new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + 1, hour, 0, 0, timeZone).getTime(),
  );
}
