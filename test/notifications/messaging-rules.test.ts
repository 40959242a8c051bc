import { describe, expect, it } from "vitest";
import { localeFromLanguageCode, quietUntil, withinCaps } from "../../domain/index.js";

const quiet = { start: "21:00", end: "09:00" };

describe("quiet hours (domain/messaging.ts)", () => {
  it("When it is 23:00 in Moscow, then a marketing message waits until 09:00 there", () => {
    expect(quietUntil(new Date("2026-03-01T20:00:00Z"), "Europe/Moscow", quiet)).toEqual(
      new Date("2026-03-02T06:00:00Z"),
    );
  });

  it("When it is 03:00, then it waits until 09:00 the same day", () => {
    expect(quietUntil(new Date("2026-03-02T00:00:00Z"), "Europe/Moscow", quiet)).toEqual(
      new Date("2026-03-02T06:00:00Z"),
    );
  });

  it("When it is daytime, then nothing waits", () => {
    expect(quietUntil(new Date("2026-03-01T09:00:00Z"), "Europe/Moscow", quiet)).toBeNull();
    expect(quietUntil(new Date("2026-03-01T06:00:00Z"), "Europe/Moscow", quiet)).toBeNull(); // 09:00 sharp
  });

  it("When the member lives in another zone, then their local clock counts", () => {
    // 23:00 in Moscow is 01:00 in Yekaterinburg: quiet there too, until 09:00 local = 04:00 UTC.
    expect(quietUntil(new Date("2026-03-01T20:00:00Z"), "Asia/Yekaterinburg", quiet)).toEqual(
      new Date("2026-03-02T04:00:00Z"),
    );
    // 18:00 in Moscow is 22:00 in Novosibirsk: quiet there until 09:00 local (02:00 UTC).
    expect(quietUntil(new Date("2026-03-01T15:00:00Z"), "Asia/Novosibirsk", quiet)).toEqual(
      new Date("2026-03-02T02:00:00Z"),
    );
  });

  it("When the clocks change overnight (Berlin, spring forward), then the morning is 09:00 local, not 8 hours later", () => {
    // 2026-03-29 02:00 CET → 03:00 CEST. At 22:00 CET (21:00 UTC) the next 09:00 is 07:00 UTC.
    expect(quietUntil(new Date("2026-03-28T21:00:00Z"), "Europe/Berlin", quiet)).toEqual(
      new Date("2026-03-29T07:00:00Z"),
    );
  });

  it("When quiet hours lie within one day, then only that span waits", () => {
    const lunch = { start: "13:00", end: "15:00" };
    expect(quietUntil(new Date("2026-03-01T11:00:00Z"), "Europe/Moscow", lunch)).toEqual(
      new Date("2026-03-01T12:00:00Z"),
    );
    expect(quietUntil(new Date("2026-03-01T13:00:00Z"), "Europe/Moscow", lunch)).toBeNull();
  });
});

describe("frequency caps (domain/messaging.ts)", () => {
  const caps = { perDay: 1, perWeek: 3 };
  const now = new Date("2026-03-10T10:00:00Z");
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

  it("When nothing went out this week, then one may", () => {
    expect(withinCaps([], now, caps)).toBe(true);
  });
  it("When one went out in the last 24 hours, then the next waits for tomorrow", () => {
    expect(withinCaps([daysAgo(0.5)], now, caps)).toBe(false);
    expect(withinCaps([daysAgo(1)], now, caps)).toBe(true);
  });
  it("When three went out in the last 7 days, then the fourth is not sent", () => {
    expect(withinCaps([daysAgo(1), daysAgo(3), daysAgo(5)], now, caps)).toBe(false);
    expect(withinCaps([daysAgo(1), daysAgo(3), daysAgo(7)], now, caps)).toBe(true);
  });
});

describe("the language saved for a member (domain/locale.ts)", () => {
  it("When Telegram says de, fr or nothing English-like, then English is saved; the region's languages read Russian", () => {
    expect(localeFromLanguageCode("de")).toBe("en");
    expect(localeFromLanguageCode("fr-FR")).toBe("en");
    expect(localeFromLanguageCode("en")).toBe("en");
    expect(localeFromLanguageCode("uk")).toBe("ru");
    expect(localeFromLanguageCode(undefined)).toBe("ru");
  });
});
