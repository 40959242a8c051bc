import { TZDate } from "@date-fns/tz";
import { z } from "zod";

/**
 * Weekly opening hours of a store, in the store's own time zone:
 * `{ "mon": [["08:00", "22:00"]], "sat": [["10:00", "02:00"]] }`. A range that
 * ends before it starts runs past midnight; "24:00" closes at midnight; a day
 * left out is closed.
 */
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM");
export const weeklyHoursSchema = z.partialRecord(z.enum(WEEKDAYS), z.array(z.tuple([time, time])).max(4));
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>;

const WEEK = 7 * 1440;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (m: number) =>
  `${String(Math.floor((m % 1440) / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export type StoreStatus =
  /** closesAt null: open around the clock. */
  | { open: true; closesAt: string | null }
  | { open: false; opensAt: string; opensDay: Weekday; opensToday: boolean; opensTomorrow: boolean }
  | { open: false; opensAt: null };

/** Whether the store is open at `now`, and when it closes or next opens (local time). */
export function storeStatus(hours: WeeklyHours, timeZone: string, now: Date): StoreStatus {
  const local = new TZDate(now.getTime(), timeZone);
  const nowMin = local.getDay() * 1440 + local.getHours() * 60 + local.getMinutes();
  const ranges: [number, number][] = [];
  WEEKDAYS.forEach((day, d) => {
    for (const [from, to] of hours[day] ?? []) {
      const start = d * 1440 + minutes(from);
      let end = d * 1440 + minutes(to);
      if (end <= start) end += 1440;
      ranges.push([start, end]);
    }
  });
  for (const [start, end] of ranges) {
    for (const shift of [0, -WEEK]) {
      if (nowMin >= start + shift && nowMin < end + shift) {
        // Follow ranges that continue where this one ends (e.g. 00:00–24:00 every day).
        let close = end;
        for (let guard = 0; guard < ranges.length; guard++) {
          const next = ranges.find(([s]) => s % WEEK === close % WEEK);
          if (!next) break;
          close += next[1] - next[0];
          if (close - start >= WEEK) return { open: true, closesAt: null };
        }
        return { open: true, closesAt: hhmm(close) };
      }
    }
  }
  let best: number | null = null;
  for (const [start] of ranges) {
    const ahead = (start - nowMin + WEEK) % WEEK;
    if (best === null || ahead < best) best = ahead;
  }
  if (best === null) return { open: false, opensAt: null };
  const at = (nowMin + best) % WEEK;
  const day = Math.floor(at / 1440);
  const today = local.getDay();
  return {
    open: false,
    opensAt: hhmm(at),
    opensDay: WEEKDAYS[day] as Weekday,
    opensToday: day === today && best < 1440,
    opensTomorrow: day === (today + 1) % 7 && best < 2 * 1440,
  };
}
