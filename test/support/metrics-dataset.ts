import { addMonths } from "date-fns";
import type { Database } from "../../app/db/database.js";
import { computeAccrual, type Program } from "../../domain/index.js";

/**
 * A small chain generated in memory (seeded, so every run is the same) and
 * written to the database as rows: the metric tests compute each figure from
 * these arrays in TypeScript and compare it with the SQL.
 */
export interface StoreRow {
  id: number;
  region: string;
  timeZone: string;
}
export interface MemberRow {
  id: number;
  createdAt: Date;
}
export interface PurchaseRow {
  id: number;
  storeId: number;
  memberId: number;
  amount: number;
  pointsRedeemed: number;
  pointsAccrued: number;
  returnedAmount: number;
  at: Date;
}
export interface ItemRow {
  id: number;
  purchaseId: number;
  category: string;
  amount: number;
}
export interface EntryRow {
  id: number;
  memberId: number;
  kind: string;
  points: number;
  balanceAfter: number;
  createdAt: Date;
}
export interface NpsRow {
  id: number;
  memberId: number;
  storeId: number | null;
  score: number;
  answeredAt: Date;
}
export interface ReceiptDayRow {
  storeId: number;
  day: string;
  receipts: number;
}
export interface Dataset {
  stores: StoreRow[];
  members: MemberRow[];
  purchases: PurchaseRow[];
  items: ItemRow[];
  entries: EntryRow[];
  nps: NpsRow[];
  receiptDays: ReceiptDayRow[];
}

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const CATEGORIES = ["bakery", "coffee", "tobacco"];

export function generateDataset(
  program: Program,
  stores: StoreRow[],
  opts: { members: number; seed: number },
): Dataset {
  const rnd = mulberry32(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const start = Date.UTC(2025, 0, 1);
  const end = Date.UTC(2026, 4, 1);
  const members: MemberRow[] = [];
  const purchases: PurchaseRow[] = [];
  const items: ItemRow[] = [];
  const entries: EntryRow[] = [];
  for (let i = 1; i <= opts.members; i++) {
    const createdAt = new Date(start + Math.floor(rnd() * (end - start - 20 * DAY)));
    members.push({ id: i, createdAt });
    type Ev = { at: Date; kind: "welcome" | "purchase" | "return" | "expiry"; p?: PurchaseRow };
    const events: Ev[] = [{ at: createdAt, kind: "welcome" }];
    // Heavy, regular and one-off shoppers, so every RFM cell and tier is reached.
    const k = rnd() < 0.2 ? int(15, 40) : rnd() < 0.6 ? int(2, 8) : int(0, 1);
    const home = stores[int(0, stores.length - 1)] as StoreRow;
    const times = Array.from({ length: k }, () => createdAt.getTime() + Math.floor(rnd() * (end - createdAt.getTime())))
      .sort((a, b) => a - b)
      .map((t) => new Date(t));
    for (const at of times) {
      const store = rnd() < 0.8 ? home : (stores[int(0, stores.length - 1)] as StoreRow);
      const amount = int(100, 400_000);
      const p: PurchaseRow = {
        id: purchases.length + 1,
        storeId: store.id,
        memberId: i,
        amount,
        pointsRedeemed: 0,
        pointsAccrued: 0,
        returnedAmount: 0,
        at,
      };
      purchases.push(p);
      let left = amount;
      for (const cat of CATEGORIES) {
        if (rnd() < 0.5 || left < 2) continue;
        const a = int(1, Math.floor(left / 2));
        left -= a;
        items.push({ id: items.length + 1, purchaseId: p.id, category: cat, amount: a });
      }
      events.push({ at, kind: "purchase", p });
      if (rnd() < 0.1) events.push({ at: new Date(at.getTime() + int(1, 10) * DAY), kind: "return", p });
    }
    events.push({ at: addMonths(createdAt, program.expiry.months), kind: "expiry" });
    events.sort((a, b) => a.at.getTime() - b.at.getTime());
    let balance = 0;
    let debited = false;
    const post = (kind: string, points: number, at: Date) => {
      if (points === 0) return;
      balance += points;
      entries.push({ id: entries.length + 1, memberId: i, kind, points, balanceAfter: balance, createdAt: at });
    };
    const history: PurchaseRow[] = [];
    for (const ev of events) {
      if (ev.at.getTime() >= end) continue;
      if (ev.kind === "welcome") post("welcome", program.welcomeBonusPoints, ev.at);
      else if (ev.kind === "expiry") {
        if (!debited) post("expiry", -Math.min(balance, program.welcomeBonusPoints), ev.at);
      } else if (ev.kind === "return" && ev.p) {
        ev.p.returnedAmount = Math.floor(ev.p.amount / 2);
        const back = Math.min(balance, Math.floor(ev.p.pointsAccrued / 2));
        if (back > 0) debited = true;
        post("reversal", -back, ev.at);
      } else if (ev.p) {
        const p = ev.p;
        if (rnd() < 0.3) p.pointsRedeemed = Math.min(balance, Math.floor((p.amount * 0.3) / 100));
        if (p.pointsRedeemed > 0) debited = true;
        post("redemption", -p.pointsRedeemed, p.at);
        const spend = history
          .filter((h) => h.at.getTime() > p.at.getTime() - program.tierWindowDays * DAY)
          .reduce((s, h) => s + h.amount - h.returnedAmount, 0);
        const acc = computeAccrual({
          program,
          storeId: p.storeId,
          amountKopecks: p.amount,
          pointsRedeemed: p.pointsRedeemed,
          items: items
            .filter((it) => it.purchaseId === p.id)
            .map((it) => ({ sku: "x", category: it.category, amountKopecks: it.amount })),
          spendBeforeKopecks: spend,
        });
        p.pointsAccrued = acc.points;
        post("accrual", acc.points, p.at);
        history.push(p);
      }
    }
  }
  const nps: NpsRow[] = [];
  for (let i = 1; i <= opts.members * 2; i++) {
    const m = members[int(0, members.length - 1)] as MemberRow;
    const at = new Date(m.createdAt.getTime() + Math.floor(rnd() * (end - m.createdAt.getTime())));
    nps.push({
      id: i,
      memberId: m.id,
      storeId: rnd() < 0.8 ? (stores[int(0, stores.length - 1)] as StoreRow).id : null,
      score: int(0, 10),
      answeredAt: at,
    });
  }
  // Two stores report every receipt of the day, members' or not.
  const receiptDays: ReceiptDayRow[] = [];
  for (const st of stores.slice(0, 2))
    for (let t = Date.UTC(2025, 11, 1); t < Date.UTC(2026, 4, 1); t += DAY)
      receiptDays.push({ storeId: st.id, day: new Date(t).toISOString().slice(0, 10), receipts: 5 + int(0, 20) });
  for (const r of receiptDays) {
    const st = stores.find((s) => s.id === r.storeId) as StoreRow;
    r.receipts += purchases.filter((p) => p.storeId === st.id && localDay(p.at, st.timeZone) === r.day).length;
  }
  return { stores, members, purchases, items, entries, nps, receiptDays };
}

export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

async function insert(db: Database, table: string, rowsIn: object[]) {
  for (let i = 0; i < rowsIn.length; i += 2000) {
    const chunk = rowsIn.slice(i, i + 2000);
    // The rows' own columns: the rest take their defaults (a serial id, say), not NULL.
    const cols = Object.keys(chunk[0] ?? {})
      .map((c) => `"${c}"`)
      .join(", ");
    await db.query(
      `INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::"${table}", $1::json)`,
      [JSON.stringify(chunk)],
    );
  }
}

/** Writes the dataset; the stores must exist already. */
export async function writeDataset(db: Database, d: Dataset) {
  const now = new Date("2026-05-01T00:00:00Z");
  await insert(
    db,
    "Member",
    d.members.map((m) => ({
      id: m.id,
      memberCode: `M${m.id}`,
      referralCode: `R${m.id}`,
      status: "active",
      notifications: true,
      balance: d.entries.filter((e) => e.memberId === m.id).reduce((s, e) => s + e.points, 0),
      createdAt: m.createdAt,
      updatedAt: now,
    })),
  );
  await insert(
    db,
    "Purchase",
    d.purchases.map((p) => ({
      ...p,
      receiptId: `r${p.id}`,
      tierCode: "base",
      rateBp: 300,
      balanceAfter: 0,
      createdAt: p.at,
    })),
  );
  await insert(
    db,
    "PurchaseItem",
    d.items.map((i) => ({ ...i, sku: `${i.category}-1` })),
  );
  await insert(
    db,
    "LedgerEntry",
    d.entries.map((e) => ({
      ...e,
      idempotencyKey: `gen:${e.id}`,
      expiresAt: e.points > 0 ? addMonths(e.createdAt, 12) : null,
    })),
  );
  // Each returned receipt has its Return row, as the write path keeps them (the rollups count returns from these).
  await insert(
    db,
    "Return",
    d.purchases
      .filter((p) => p.returnedAmount > 0)
      .map((p) => ({
        id: p.id,
        purchaseId: p.id,
        idempotencyKey: `ret:${p.id}`,
        amount: p.returnedAmount,
        pointsReversed: 0,
        pointsRefunded: 0,
        pointsUncollected: 0,
        createdAt: p.at,
      })),
  );
  await insert(db, "NpsAnswer", d.nps);
  await insert(db, "StoreReceiptDay", d.receiptDays);
}
