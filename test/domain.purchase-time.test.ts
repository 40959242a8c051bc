import { describe, expect, it } from "vitest";
import { checkPurchaseTime, defaultProgram, EARLIEST_PURCHASE, parseProgram } from "../domain/index.js";

const now = new Date("2026-06-15T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
const days = (n: number) => minutes(n * 24 * 60);
const refused = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string; details?: { field?: string } }).code === "INPUT.INVALID" &&
      (e as { details?: { field?: string } }).details?.field === "at"
      ? "refused"
      : e;
  }
  return "accepted";
};

describe("the purchase time window", () => {
  it("When no window is configured, then it is 7 days back and 5 minutes ahead", () => {
    expect(defaultProgram.purchaseTimeWindow).toEqual({ backDays: 7, aheadMinutes: 5 });
    const at = (d: Date, importHistory = false) =>
      refused(() => checkPurchaseTime(defaultProgram, d, now, { importHistory }));
    expect([at(days(-7)), at(minutes(5)), at(now)]).toEqual(["accepted", "accepted", "accepted"]);
    expect([at(new Date(days(-7).getTime() - 1)), at(new Date(minutes(5).getTime() + 1))]).toEqual([
      "refused",
      "refused",
    ]);
  });

  it("When the caller imports history, then any time since 2000 up to 5 minutes ahead is accepted, and 1970 or year 0001 never", () => {
    const at = (d: Date) => refused(() => checkPurchaseTime(defaultProgram, d, now, { importHistory: true }));
    expect([at(days(-364)), at(EARLIEST_PURCHASE)]).toEqual(["accepted", "accepted"]);
    expect([
      at(new Date("1970-01-01T00:00:00Z")),
      at(new Date("0001-01-01T00:00:00Z")),
      at(minutes(6)),
      at(new Date(Number.NaN)),
    ]).toEqual(["refused", "refused", "refused", "refused"]);
  });

  it("When the program configures the window, then it is validated and applies", () => {
    const p = parseProgram({ purchaseTimeWindow: { backDays: 30, aheadMinutes: 0 } });
    expect(refused(() => checkPurchaseTime(p, days(-30), now))).toBe("accepted");
    expect(refused(() => checkPurchaseTime(p, minutes(1), now))).toBe("refused");
    expect(() => parseProgram({ purchaseTimeWindow: { backDays: -1 } })).toThrow();
    expect(() => parseProgram({ purchaseTimeWindow: { aheadMinutes: 1.5 } })).toThrow();
  });
});
