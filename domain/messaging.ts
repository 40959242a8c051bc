import { TZDate } from "@date-fns/tz";
import { z } from "zod";

/**
 * When Kopilka may write to a member on its own initiative.
 *
 * Every message has a class. *Transactional* messages answer something the
 * member or a cashier just did (a purchase, a spend to confirm, a return, the
 * tier that purchase reached): they go out at once, day or night. *Marketing*
 * messages (offers, reminders, broadcasts) obey quiet hours in the
 * member's local time — held until the morning, never dropped — and a
 * frequency cap; one over the cap is not sent at all. *Feedback* — the NPS
 * survey, and courtesies such as the birthday note — obeys quiet hours but
 * has its own, stricter limit (a survey per member in months, a birthday a
 * year) instead of the cap, and does not use up the cap: a survey must never
 * crowd out a reminder that points are about to expire.
 */
export const MESSAGE_CLASSES = ["transactional", "marketing", "feedback"] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day as HH:MM");

export const messagingSchema = z.object({
  /** Local time of day from which marketing messages wait (start) until which they wait (end). */
  quietHours: z.object({ start: hhmm.default("21:00"), end: hhmm.default("09:00") }).prefault({}),
  /** At most this many marketing messages per member in any 24 hours and in any 7 days (0: none). */
  caps: z
    .object({
      perDay: z.number().int().min(0).max(100).default(1),
      perWeek: z.number().int().min(0).max(700).default(3),
    })
    .prefault({}),
});
export type Messaging = z.infer<typeof messagingSchema>;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/**
 * Null when a marketing message may go out at `now` in `timeZone`; otherwise
 * the instant quiet hours end there (the next local `end`, correct across DST
 * changes because it is built from the local calendar date, not by adding
 * hours).
 */
export function quietUntil(now: Date, timeZone: string, quiet: Messaging["quietHours"]): Date | null {
  const local = new TZDate(now.getTime(), timeZone);
  const minute = local.getHours() * 60 + local.getMinutes();
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  // A window that wraps midnight (21:00–09:00) or one within a day (13:00–15:00).
  const inside = start > end ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return null;
  const dayOffset = minute >= end ? 1 : 0;
  const until = new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + dayOffset,
    Math.floor(end / 60),
    end % 60,
    0,
    0,
    timeZone,
  );
  return new Date(until.getTime());
}

const DAY_MS = 86_400_000;

/**
 * Whether one more marketing message fits the caps, given when the member's
 * earlier marketing messages went out. Windows are rolling (the last 24 hours,
 * the last 7 days), so no calendar edge lets two days' worth through at once.
 */
export function withinCaps(sentAt: readonly Date[], now: Date, caps: Messaging["caps"]): boolean {
  const t = now.getTime();
  const lastDay = sentAt.filter((d) => t - d.getTime() < DAY_MS).length;
  const lastWeek = sentAt.filter((d) => t - d.getTime() < 7 * DAY_MS).length;
  return lastDay < caps.perDay && lastWeek < caps.perWeek;
}
