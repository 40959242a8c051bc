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
});
