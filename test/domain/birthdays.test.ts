import { describe, expect, it } from "vitest";
import { birthdayWithin, daysUntilBirthday, localDate } from "../../domain/index.js";

describe("birthdays", () => {
  it("When today is the birthday, then it is 0 days away and within any window", () => {
    expect(daysUntilBirthday({ month: 3, day: 4 }, { year: 2026, month: 3, day: 4 })).toBe(0);
    expect(birthdayWithin({ month: 3, day: 4 }, { year: 2026, month: 3, day: 4 }, 0)).toBe(true);
  });

  it("When the birthday passed this year, then the next one is counted across New Year", () => {
    expect(daysUntilBirthday({ month: 1, day: 2 }, { year: 2026, month: 12, day: 30 })).toBe(3);
    expect(birthdayWithin({ month: 1, day: 2 }, { year: 2026, month: 12, day: 30 }, 2)).toBe(false);
  });

  it("When someone was born on 29 February, then a common year celebrates on 28 February", () => {
    expect(daysUntilBirthday({ month: 2, day: 29 }, { year: 2027, month: 2, day: 27 })).toBe(1);
    expect(daysUntilBirthday({ month: 2, day: 29 }, { year: 2028, month: 2, day: 27 })).toBe(2);
  });

  it("When it is still the evening of the 3rd in Moscow, then it is already the 4th in Vladivostok", () => {
    const now = new Date("2026-03-03T20:30:00Z");
    expect(localDate(now, "Europe/Moscow")).toEqual({ year: 2026, month: 3, day: 3 });
    expect(localDate(now, "Asia/Vladivostok")).toEqual({ year: 2026, month: 3, day: 4 });
  });

  it("When a day has a clock change or a zone is off by half or three quarters of an hour, then the date is the zone's own", () => {
    const zones = [
      "Europe/Moscow",
      "America/New_York", // DST on 8 March and 1 November 2026
      "Europe/London",
      "Australia/Adelaide", // +9:30 / +10:30
      "Australia/Lord_Howe", // a half-hour clock change
      "Asia/Kathmandu", // +5:45
      "Pacific/Chatham", // +12:45 / +13:45
      "Pacific/Kiritimati", // +14
      "Pacific/Pago_Pago", // −11
    ];
    for (const timeZone of zones) {
      const intl = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
      // Every 7½ minutes over the days around the 2026 changes, both hemispheres.
      for (const start of [
        "2026-03-06T00:00:00Z",
        "2026-04-03T00:00:00Z",
        "2026-09-25T00:00:00Z",
        "2026-10-30T00:00:00Z",
      ])
        for (let t = Date.parse(start); t < Date.parse(start) + 4 * 86_400_000; t += 450_000) {
          const d = localDate(new Date(t), timeZone);
          const want = intl.format(new Date(t));
          expect(
            `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`,
            `${timeZone} ${new Date(t).toISOString()}`,
          ).toBe(want);
        }
    }
  });
});
