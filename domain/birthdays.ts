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

/**
 * The calendar date of `now` in an IANA time zone. One formatter per zone,
 * built once: challenges read every purchase's date on every purchase, and
 * a formatter's construction costs a hundred times its use.
 */
export function localDate(now: Date, timeZone: string): LocalDate {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, f);
  }
  // en-CA writes YYYY-MM-DD.
  const s = f.format(now);
  return { year: Number(s.slice(0, 4)), month: Number(s.slice(5, 7)), day: Number(s.slice(8, 10)) };
}
