import { describe, expect, it } from "vitest";
import { defaultProgram, parseProgram, purchaseNeedsConfirmation, usualBasket } from "../domain/index.js";

describe("a purchase's second look", () => {
  it("When a member has fewer than three purchases, then there is no usual basket yet", () => {
    expect(usualBasket([])).toBeNull();
    expect(usualBasket([100, 200])).toBeNull();
  });

  it("When a member has purchases, then the usual basket is their median, so one big receipt does not move it", () => {
    expect(usualBasket([100_000, 90_000, 5_000_000])).toBe(100_000);
    expect(usualBasket([100, 200, 300, 400])).toBe(250);
  });

  it("When the amount is above 30,000 ₽ by default, then it needs confirming; at the limit it does not", () => {
    expect(purchaseNeedsConfirmation(defaultProgram, 3_000_000, null)).toBeNull();
    expect(purchaseNeedsConfirmation(defaultProgram, 3_000_001, null)).toEqual({
      reason: "above-limit",
      limitKopecks: 3_000_000,
    });
  });

  it("When the amount is above 5× the usual basket, then it needs confirming; a configured limit and multiple apply", () => {
    expect(purchaseNeedsConfirmation(defaultProgram, 500_000, 100_000)).toBeNull();
    expect(purchaseNeedsConfirmation(defaultProgram, 500_001, 100_000)).toEqual({
      reason: "above-usual",
      usualKopecks: 100_000,
      multiple: 5,
    });
    const strict = parseProgram({ cashier: { confirmAboveKopecks: 1_000_000, confirmBasketMultiple: 3 } });
    expect(purchaseNeedsConfirmation(strict, 1_000_001, null)?.reason).toBe("above-limit");
    expect(purchaseNeedsConfirmation(strict, 300_001, 100_000)?.reason).toBe("above-usual");
  });
});
