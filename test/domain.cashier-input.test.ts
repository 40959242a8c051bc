import { describe, expect, it } from "vitest";
import { parsePurchase, parseReturn, parseSpend, readAmount } from "../domain/cashier-input.js";

describe("cashier amounts", () => {
  it.each([
    ["1240", 124_000],
    ["1240.50", 124_050],
    ["1240,50", 124_050],
    ["1240,5", 124_050],
    ["1 240,50", 124_050],
    ["1\u00a0240,50", 124_050],
    ["1 240 ₽", 124_000],
    ["1240₽", 124_000],
    ["1240 руб.", 124_000],
    ["1 240р", 124_000],
    ["1 234 567", 123_456_700],
    ["1.240,50", 124_050],
    ["1,240.50", 124_050],
    ["0,50", 50],
  ])("When a cashier types %j, then it reads as %i kopecks", (text, kopecks) => {
    expect(readAmount(text)).toEqual({ kopecks });
  });

  it.each(["0", "abc", "1 24", "12 3456", "1240,505", "-5", "1 240 240,5 1", "₽", "100000000000", "12 345 678"])(
    "When a cashier types %j, then it is not an amount",
    (text) => {
      expect(readAmount(text)).toBeNull();
    },
  );

  it("When a cashier types 1.240 or 1,240, then both readings are offered instead of a guess", () => {
    expect(readAmount("1.240")).toEqual({ ambiguous: [124_000, 124] });
    expect(readAmount("1,240")).toEqual({ ambiguous: [124_000, 124] });
    expect(readAmount("1,245")).toEqual({ ambiguous: [124_500] });
  });
});

describe("/purchase input", () => {
  it("When the amount has a space and the receipt a letter, then the whole amount posts with that receipt", () => {
    expect(parsePurchase("75386496 1 240,50 R-1002")).toEqual({
      ok: true,
      member: { memberCode: "75386496" },
      amountKopecks: 124_050,
      receipt: "R-1002",
    });
  });

  it.each([
    ["75386496 1240 #1002", "1002"],
    ["75386496 1240 №1002", "1002"],
    ["75386496 1240 № 1002", "1002"],
    ["75386496 1 240 чек 1002", "1002"],
    ["75386496 1240", null],
  ])("When the receipt is marked (%j), then it is read as %j", (text, receipt) => {
    const r = parsePurchase(text);
    expect(r).toMatchObject({ ok: true, receipt });
  });

  it("When a bare number follows the amount, then the cashier is asked whether it is a receipt", () => {
    expect(parsePurchase("75386496 1240 1002")).toEqual({
      ok: false,
      problem: { kind: "receipt-unmarked", amountText: "1240", receiptText: "1002" },
    });
  });

  it("When 1 240 stands alone, then it is one thousand two hundred forty rubles, not 1 ₽ and receipt 240", () => {
    expect(parsePurchase("75386496 1 240")).toMatchObject({ ok: true, amountKopecks: 124_000, receipt: null });
  });

  it.each([
    ["+7 912 345-67-89 1 240", "+79123456789"],
    ["8 (912) 345 67 89 1240", "+79123456789"],
    ["8-912-345-67-89 1240", "+79123456789"],
    ["9123456789 1240", "+79123456789"],
    ["+79123456789 1240", "+79123456789"],
    ["+380501234567 1240", "+380501234567"],
  ])("When the member is a phone written %j, then it reads as %s", (text, phone) => {
    expect(parsePurchase(text)).toMatchObject({ ok: true, member: { phone }, amountKopecks: 124_000 });
  });

  it("When the phone is short a digit, then the member is asked back, not a 14-digit number", () => {
    expect(parsePurchase("+7 912 345 67 8 1240")).toMatchObject({ ok: false, problem: { kind: "member" } });
  });

  it.each([
    ["", "missing"],
    ["75386496", "missing"],
    ["Иванов 1240", "member"],
    ["75386496 много", "extra"],
    ["75386496 1.240", "ambiguous-amount"],
    ["75386496 12,3456", "amount"],
    ["75386496 1240 #", "missing"],
    ["75386496 1240 R-1 R-2", "extra"],
  ])("When the input is %j, then the problem is %s", (text, kind) => {
    expect(parsePurchase(text)).toMatchObject({ ok: false, problem: { kind } });
  });
});

describe("/spend and /return input", () => {
  it("When a cashier spends points on a spaced amount, then points and amount are read apart", () => {
    expect(parseSpend("75386496 300 1 240,50 R-7")).toEqual({
      ok: true,
      member: { memberCode: "75386496" },
      points: 300,
      amountKopecks: 124_050,
      receipt: "R-7",
    });
    expect(parseSpend("75386496 300б 1240")).toMatchObject({ ok: true, points: 300 });
    expect(parseSpend("75386496 три 1240")).toMatchObject({ ok: false, problem: { kind: "points" } });
    expect(parseSpend("75386496 300")).toMatchObject({ ok: false, problem: { kind: "missing", what: "amount" } });
  });

  it("When a cashier returns part of a receipt, then the receipt, amount and return number are read", () => {
    expect(parseReturn("R-1002 1 240,50")).toEqual({
      ok: true,
      receipt: "R-1002",
      amountKopecks: 124_050,
      returnId: null,
    });
    expect(parseReturn("№1002 500 #V-1")).toMatchObject({ ok: true, receipt: "1002", returnId: "V-1" });
    expect(parseReturn("1002 500 77")).toMatchObject({ ok: false, problem: { kind: "receipt-unmarked" } });
  });
});
