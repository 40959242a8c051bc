/**
 * Birthdays, one rule for the card, the offers' conditions and the birthday
 * bonus. A birthday is a calendar date (month and day; the year only says how
 * old someone is), compared with the shopper's own local date, never with a
 * UTC instant: "your birthday is tomorrow" must be true in Vladivostok too.
 */

/** A calendar date; month 1–12. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const DAY_MS = 86_400_000;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Day number of a calendar date (days since 1970-01-01), exact in integers. */
export function dayNumber(d: LocalDate): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / DAY_MS);
}

/**
 * The birthday's date in `year`. Someone born on 29 February celebrates on
 * 28 February in a common year (the usual choice of Russian retailers, and
 * the day that is still in February).
 */
export function birthdayIn(year: number, birthday: { month: number; day: number }): LocalDate {
  if (birthday.month === 2 && birthday.day === 29 && !isLeap(year)) return { year, month: 2, day: 28 };
  return { year, month: birthday.month, day: birthday.day };
}

/** Days from `today` to the next birthday: 0 on the day itself, up to 365. */
export function daysUntilBirthday(birthday: { month: number; day: number }, today: LocalDate): number {
  const thisYear = birthdayIn(today.year, birthday);
  const diff = dayNumber(thisYear) - dayNumber(today);
  if (diff >= 0) return diff;
  return dayNumber(birthdayIn(today.year + 1, birthday)) - dayNumber(today);
}

/** Whether the next birthday falls within `days` days from `today` (today counts). */
export function birthdayWithin(birthday: { month: number; day: number }, today: LocalDate, days: number): boolean {
  return daysUntilBirthday(birthday, today) <= days;
}

/** Month and day of a birthday stored as a DATE (read at UTC midnight). */
export function birthdayOf(date: Date): { month: number; day: number } {
  return { month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** A calendar date as YYYY-MM-DD (how config and challenges write dates). */
export function isoLocalDate(d: LocalDate): string {
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const wallFormats = new Map<string, Intl.DateTimeFormat>();
/** Per zone, per UTC day: the zone's offset when it holds all that day, null on a day the offset changes. */
const dayOffsets = new Map<string, Map<number, number | null>>();
let dayOffsetCount = 0;

/** How far the zone's wall clock is ahead of UTC at an instant (whole seconds), in ms. */
function zoneOffset(ms: number, timeZone: string): number {
  let f = wallFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    wallFormats.set(timeZone, f);
  }
  const part: Record<string, number> = {};
  for (const p of f.formatToParts(ms)) if (p.type !== "literal") part[p.type] = Number(p.value);
  const wall = Date.UTC(
    part.year ?? 0,
    (part.month ?? 1) - 1,
    part.day ?? 1,
    part.hour ?? 0,
    part.minute ?? 0,
    part.second ?? 0,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The calendar date of `now` in an IANA time zone. Challenges read every
 * purchase's date on every purchase, and asking Intl each time cost more
 * than all the rest of their rules: so the zone's offset is asked once per
 * UTC day (at its start and at the next day's), and on a day it does not
 * change the date is plain arithmetic. On a day with a change, Intl answers
 * for the very instant, as before.
 */
export function localDate(now: Date, timeZone: string): LocalDate {
  const ms = now.getTime();
  const utcDay = Math.floor(ms / DAY_MS);
  // Two lookups, no key built: a purchase's weighing reads every earlier purchase's date.
  let days = dayOffsets.get(timeZone);
  let offset = days?.get(utcDay);
  if (offset === undefined && Number.isFinite(ms)) {
    const start = zoneOffset(utcDay * DAY_MS, timeZone);
    offset = start === zoneOffset((utcDay + 1) * DAY_MS, timeZone) ? start : null;
    if (dayOffsetCount >= 100_000) {
      dayOffsets.clear();
      dayOffsetCount = 0;
      days = undefined;
    }
    if (!days) dayOffsets.set(timeZone, (days = new Map()));
    days.set(utcDay, offset);
    dayOffsetCount++;
  }
  if (typeof offset === "number") {
    const d = new Date(ms + offset);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, f);
  }
  // en-CA writes YYYY-MM-DD.
  const s = f.format(now);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}
