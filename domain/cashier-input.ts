import { MAX_AMOUNT_KOPECKS } from "./money.js";
import { normalizePhone } from "./phone.js";

/**
 * What a cashier types after /purchase, /spend and /return, read the way
 * people write it — and never guessed. The grammar:
 *
 *   /purchase <member> <amount> [receipt]
 *   /spend    <member> <points> <amount> [receipt]
 *   /return   <receipt> <amount> [return number]
 *
 * <member>  an 8-digit member code, or a phone: "+7 912 345-67-89",
 *           "8 (912) 345 67 89", "9123456789" (a Russian number may be split
 *           by spaces; a foreign one must be written as one token).
 * <amount>  rubles: "1240", "1240.50", "1240,50", "1 240,50", "1 240 ₽",
 *           "1240р". Spaces only group thousands (1–3 digits, then groups of
 *           exactly 3), so "1 240,50" is 1,240.50 ₽ and never 1 ₽ plus
 *           "240,50". A single "." or "," followed by exactly three digits
 *           ("1.240") could be a thousands mark or a decimal one: asked back.
 * <points>  a whole number in one token ("300", "300б").
 * [receipt] either marked — "#1002", "№1002", "№ 1002", "чек 1002" — or a
 *           token no amount can be ("R-1002", "A17"). A bare number after
 *           the amount is asked back: is "1240 1002" an amount or a receipt?
 *
 * The answer is a value or a `problem` naming what to ask the cashier.
 */
export type CashierProblem =
  | { kind: "missing"; what: "member" | "amount" | "points" | "receipt" }
  | { kind: "member"; text: string }
  | { kind: "amount"; text: string }
  | { kind: "ambiguous-amount"; text: string; readings: number[] }
  | { kind: "receipt-unmarked"; amountText: string; receiptText: string }
  | { kind: "points"; text: string }
  | { kind: "extra"; text: string };

export type MemberRef = { memberCode: string } | { phone: string };

export type Parsed<T> = ({ ok: true } & T) | { ok: false; problem: CashierProblem };

const CURRENCY = /^(₽|р\.?|руб\.?|rub\.?|rur)$/i;
const CURRENCY_SUFFIX = /(₽|р\.?|руб\.?|rub\.?|rur)$/i;
const RECEIPT_WORD = /^(чек|receipt|ч\.?)$/i;
const RECEIPT_MARK = /^[#№]/;
const MAX_RECEIPT = 64;

/** Splits on any whitespace, including the no-break and thin spaces banking apps paste. */
function tokens(text: string): string[] {
  return text
    .trim()
    .split(/[\s\u00a0\u202f\u2009]+/)
    .filter(Boolean);
}

/**
 * An amount written as one token or spaced into thousands → kopecks; null when
 * it is not an amount; `ambiguous` when "." or "," could be either mark.
 */
export function readAmount(text: string): { kopecks: number } | { ambiguous: number[] } | null {
  const parts = tokens(text);
  if (parts.length === 0) return null;
  const last = parts.length - 1;
  if (CURRENCY.test(parts[last] ?? "") && parts.length > 1) parts.pop();
  const n = parts.length - 1;
  parts[n] = (parts[n] ?? "").replace(CURRENCY_SUFFIX, "");
  if (parts.some((p) => p === "")) return null;
  // Thousands grouped by spaces: the first group has 1–3 digits, the rest exactly 3 (the last may carry decimals).
  if (parts.length > 1) {
    if (!/^\d{1,3}$/.test(parts[0] ?? "")) return null;
    for (let i = 1; i < parts.length; i++) {
      const ok = i === parts.length - 1 ? /^\d{3}([.,]\d{1,2})?$/ : /^\d{3}$/;
      if (!ok.test(parts[i] ?? "")) return null;
    }
  }
  const joined = parts.join("");
  if (/^\d+$/.test(joined)) return toKopecks(joined, "");
  const m = /^(\d+)[.,](\d+)$/.exec(joined);
  if (m) {
    const [, whole = "", frac = ""] = m;
    if (frac.length <= 2) return toKopecks(whole, frac);
    if (frac.length === 3 && parts.length === 1 && whole.length <= 3) {
      const readings = [toKopecks(`${whole}${frac}`, ""), toKopecks(whole, frac.slice(0, 2))];
      if (frac.endsWith("0") && readings.every((r) => r)) {
        // "1.240" is 1 240 ₽ or 1,24 ₽: both are amounts, so the cashier picks.
        return { ambiguous: readings.map((r) => (r as { kopecks: number }).kopecks) };
      }
      const thousands = toKopecks(`${whole}${frac}`, "");
      return thousands ? { ambiguous: [thousands.kopecks] } : null;
    }
    return null;
  }
  // "1.240,50" / "1,240.50": the last mark is the decimal one, the others group thousands.
  const mixed = /^(\d{1,3}(?:([.,])\d{3})+)([.,])(\d{1,2})$/.exec(joined);
  if (mixed && mixed[2] !== mixed[3]) return toKopecks((mixed[1] ?? "").replace(/[.,]/g, ""), mixed[4] ?? "");
  return null;
}

function toKopecks(whole: string, frac: string): { kopecks: number } | null {
  if (whole.length > 10) return null;
  const kopecks = Number(whole) * 100 + Number(frac.padEnd(2, "0") || "0");
  return kopecks > 0 && kopecks <= MAX_AMOUNT_KOPECKS ? { kopecks } : null;
}

/** Could this token be (a part of) an amount? */
function amountish(t: string): boolean {
  return /^\d[\d.,]*(₽|р\.?|руб\.?|rub\.?|rur)?$/i.test(t) || CURRENCY.test(t);
}

/** Reads the member at the start of `parts`; returns it and how many tokens it took. */
function readMember(parts: string[]): { member: MemberRef; used: number } | { problem: CashierProblem } {
  const first = parts[0];
  if (!first) return { problem: { kind: "missing", what: "member" } };
  if (/^\d{8}$/.test(first)) return { member: { memberCode: first }, used: 1 };
  if (!/^[+\d(]/.test(first)) return { problem: { kind: "member", text: first } };
  // A Russian number may be spaced out: take tokens until 11 digits (7/8…) or 10 (9…) are in.
  let digits = "";
  let used = 0;
  const foreign = first.startsWith("+") && !first.startsWith("+7");
  for (const p of parts) {
    if (!/^[+\d()-]+$/.test(p)) break;
    digits += p.replace(/\D/g, "");
    used++;
    if (foreign) break;
    const complete = (/^[78]/.test(digits) && digits.length === 11) || (/^9/.test(digits) && digits.length === 10);
    if (complete || digits.length >= 11) break;
  }
  const text = parts.slice(0, used).join(" ");
  const phone = normalizePhone(text);
  if (!phone || (!foreign && !/^\+7\d{10}$/.test(phone))) return { problem: { kind: "member", text } };
  return { member: { phone }, used };
}

/**
 * Splits what follows into an amount and an optional receipt (or return number):
 * a marked receipt anywhere after the amount, else a trailing token that cannot
 * be an amount; a trailing bare number that breaks the thousands grouping is asked back.
 */
function readAmountAndReceipt(
  parts: string[],
): Parsed<{ amountKopecks: number; receipt: string | null; amountText: string }> {
  if (parts.length === 0) return { ok: false, problem: { kind: "missing", what: "amount" } };
  let receipt: string | null = null;
  let rest = parts;
  const marked = rest.findIndex((t, i) => i > 0 && (RECEIPT_MARK.test(t) || RECEIPT_WORD.test(t)));
  if (marked > 0) {
    const tail = rest.slice(marked);
    const head = (tail[0] ?? "").replace(RECEIPT_MARK, "");
    const words = RECEIPT_WORD.test(tail[0] ?? "") || head === "" ? tail.slice(1) : [head, ...tail.slice(1)];
    receipt = words.join(" ");
    if (!receipt) return { ok: false, problem: { kind: "missing", what: "receipt" } };
    if (words.length > 1) return { ok: false, problem: { kind: "extra", text: words.slice(1).join(" ") } };
    rest = rest.slice(0, marked);
  } else {
    const lastToken = rest[rest.length - 1] ?? "";
    if (rest.length > 1 && !amountish(lastToken)) {
      receipt = lastToken;
      rest = rest.slice(0, -1);
    }
  }
  const nonAmount = rest.find((t) => !amountish(t));
  if (nonAmount) return { ok: false, problem: { kind: "extra", text: nonAmount } };
  const amountText = rest.join(" ");
  const read = readAmount(amountText);
  if (read && "kopecks" in read) {
    if (receipt !== null && receipt.length > MAX_RECEIPT)
      return { ok: false, problem: { kind: "extra", text: receipt.slice(0, 16) } };
    return { ok: true, amountKopecks: read.kopecks, receipt, amountText };
  }
  if (read) return { ok: false, problem: { kind: "ambiguous-amount", text: amountText, readings: read.ambiguous } };
  // "1240 1002": the amount alone reads, the last number would be a receipt — ask which.
  if (receipt === null && rest.length > 1) {
    const head = readAmount(rest.slice(0, -1).join(" "));
    if (head && "kopecks" in head)
      return {
        ok: false,
        problem: {
          kind: "receipt-unmarked",
          amountText: rest.slice(0, -1).join(" "),
          receiptText: rest[rest.length - 1] ?? "",
        },
      };
  }
  return { ok: false, problem: { kind: "amount", text: amountText } };
}

export function parsePurchase(
  text: string,
): Parsed<{ member: MemberRef; amountKopecks: number; receipt: string | null }> {
  const parts = tokens(text);
  const m = readMember(parts);
  if ("problem" in m) return { ok: false, problem: m.problem };
  const r = readAmountAndReceipt(parts.slice(m.used));
  if (!r.ok) return r;
  return { ok: true, member: m.member, amountKopecks: r.amountKopecks, receipt: r.receipt };
}

export function parseSpend(
  text: string,
): Parsed<{ member: MemberRef; points: number; amountKopecks: number; receipt: string | null }> {
  const parts = tokens(text);
  const m = readMember(parts);
  if ("problem" in m) return { ok: false, problem: m.problem };
  const pointsText = parts[m.used];
  if (!pointsText) return { ok: false, problem: { kind: "missing", what: "points" } };
  const pm = /^(\d{1,9})(б|б\.|баллов|балла|балл|pts?|points?)?$/i.exec(pointsText);
  const points = pm ? Number(pm[1]) : NaN;
  if (!Number.isInteger(points) || points <= 0) return { ok: false, problem: { kind: "points", text: pointsText } };
  const r = readAmountAndReceipt(parts.slice(m.used + 1));
  if (!r.ok) return r;
  return { ok: true, member: m.member, points, amountKopecks: r.amountKopecks, receipt: r.receipt };
}

export function parseReturn(text: string): Parsed<{ receipt: string; amountKopecks: number; returnId: string | null }> {
  const parts = tokens(text);
  const first = parts[0];
  if (!first) return { ok: false, problem: { kind: "missing", what: "receipt" } };
  const receipt = first.replace(RECEIPT_MARK, "");
  if (!receipt || receipt.length > MAX_RECEIPT) return { ok: false, problem: { kind: "missing", what: "receipt" } };
  const r = readAmountAndReceipt(parts.slice(1));
  if (!r.ok) return r;
  return { ok: true, receipt, amountKopecks: r.amountKopecks, returnId: r.receipt };
}
