import { type Database, openDatabase } from "../../app/db/database.js";
import { auditLedger } from "../../app/services/index.js";
import { createStore, kopilkaFor } from "../support/fixtures.js";

/**
 * POS traffic for the fault tests: purchases (by receipt id) and returns (by
 * return id) as a till sends them, with what each one was acknowledged with.
 * An operation not acknowledged (503, a dropped connection, a dead server)
 * stays pending and is sent again, as a till retries; so at the end every
 * operation is acknowledged, and the database must hold each exactly once.
 */
export interface Op {
  path: "/purchases" | "/returns";
  id: string;
  body: Record<string, unknown>;
  /** The first acknowledgement (status 201 and body). */
  ack?: Record<string, unknown>;
}

export interface Shop {
  key: string;
  storeId: number;
  codes: string[];
}

/** A store with an API key and `members` enrolled shoppers, made before the server starts. */
export async function prepareShop(open: () => Promise<Database>, members = 12): Promise<Shop> {
  const db = await open();
  try {
    const { services } = kopilkaFor(db);
    const store = await createStore(db, { name: "Fault store" });
    const key = (await services.apiKeys.create(store.id)).key;
    const codes: string[] = [];
    for (let i = 0; i < members; i++) {
      const m = await services.members.enroll({
        telegramId: 8_000_000 + i,
        chatId: 8_000_000 + i,
        phone: `+7999${String(i).padStart(7, "0")}`,
      });
      codes.push(m.memberCode);
    }
    return { key, storeId: store.id, codes };
  } finally {
    await db.close();
  }
}

export class PosLoad {
  readonly ops: Op[] = [];
  /** Answers by kind: how many 201s, 503 DB.UNAVAILABLE, network failures and anything else. */
  readonly seen = { ok: 0, unavailable: 0, network: 0, other: [] as string[] };
  private running = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(
    private readonly shop: Shop,
    private base: () => string,
  ) {}

  async send(op: Op): Promise<boolean> {
    try {
      const res = await fetch(this.base() + op.path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.shop.key}` },
        body: JSON.stringify(op.body),
        signal: AbortSignal.timeout(15_000),
      });
      const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
      if (res.status === 201 && json) {
        this.seen.ok++;
        if (op.ack) {
          // A replay answers what the first time answered.
          const { balance: _b, ...same } = json;
          const { balance: _a, ...was } = op.ack;
          if (JSON.stringify(same) !== JSON.stringify(was))
            this.seen.other.push(`${op.id}: replay ${JSON.stringify(json)} ≠ ${JSON.stringify(op.ack)}`);
        } else op.ack = json;
        return true;
      }
      const code = (json as { error?: { code?: string } } | null)?.error?.code;
      if (res.status === 503 && code === "DB.UNAVAILABLE") this.seen.unavailable++;
      else this.seen.other.push(`${op.id}: ${res.status} ${JSON.stringify(json)}`);
      return false;
    } catch {
      this.seen.network++;
      return false;
    }
  }

  /** The next operation: mostly new purchases, now and then a partial return of an acknowledged one. */
  private next(): Op {
    const n = this.seq++;
    const acked = this.ops.filter((o) => o.path === "/purchases" && o.ack);
    if (n % 4 === 3 && acked.length > 0) {
      const p = acked[n % acked.length] as Op;
      const id = `R-${p.id}-${n}`;
      if (!this.ops.some((o) => o.body.receiptId === p.id && o.path === "/returns")) {
        const op: Op = { path: "/returns", id, body: { receiptId: p.id, amount: 1_000, returnId: id } };
        this.ops.push(op);
        return op;
      }
    }
    const code = this.shop.codes[n % this.shop.codes.length] as string;
    const op: Op = {
      path: "/purchases",
      id: `F-${n}`,
      body: { memberCode: code, receiptId: `F-${n}`, amount: 50_000 + (n % 17) * 1_000 },
    };
    this.ops.push(op);
    return op;
  }

  /** Starts `concurrency` tills sending new operations back to back. */
  start(concurrency = 6) {
    this.running = true;
    for (let i = 0; i < concurrency; i++)
      this.loops.push(
        (async () => {
          while (this.running) {
            const ok = await this.send(this.next());
            if (!ok) await new Promise((r) => setTimeout(r, 50));
          }
        })(),
      );
  }

  async stop() {
    this.running = false;
    await Promise.all(this.loops.splice(0));
  }

  /** Every operation sent again until acknowledged (each acknowledged one answers the same). */
  async replayAll(deadlineMs = 60_000) {
    const until = Date.now() + deadlineMs;
    for (const op of this.ops)
      while (!(await this.send(op))) {
        if (Date.now() > until) throw new Error(`${op.id} never acknowledged: ${this.seen.other.slice(-3).join("; ")}`);
        await new Promise((r) => setTimeout(r, 200));
      }
  }

  get acknowledged() {
    return this.ops.filter((o) => o.ack).length;
  }
}

/** What the database holds against what was acknowledged, and the ledger audit. */
export async function verify(db: Database, load: PosLoad, storeId: number) {
  const purchases = await db.query<{ receiptId: string; n: number; points: number; amount: number }>(
    `SELECT "receiptId", count(*)::int AS n, max("pointsAccrued") AS points, max(amount) AS amount
     FROM "Purchase" WHERE "storeId" = $1 GROUP BY "receiptId"`,
    [storeId],
  );
  const returns = await db.query<{ key: string; n: number }>(
    `SELECT "idempotencyKey" AS key, count(*)::int AS n FROM "Return" GROUP BY "idempotencyKey"`,
  );
  const byReceipt = new Map(purchases.map((p) => [p.receiptId, p]));
  const problems: string[] = [];
  for (const op of load.ops) {
    if (op.path === "/purchases") {
      const row = byReceipt.get(op.id);
      if (!row || row.n !== 1) problems.push(`${op.id}: ${row?.n ?? 0} rows`);
      else if (row.points !== op.ack?.points) problems.push(`${op.id}: ${row.points} points, acked ${op.ack?.points}`);
    } else if (!returns.some((r) => r.key.endsWith(`:${op.id}`) && r.n === 1))
      problems.push(`${op.id}: return missing`);
  }
  const planned = load.ops.filter((o) => o.path === "/purchases").length;
  if (purchases.length !== planned) problems.push(`${purchases.length} receipts in the database, ${planned} sent`);
  const plannedReturns = load.ops.filter((o) => o.path === "/returns").length;
  if (returns.length !== plannedReturns)
    problems.push(`${returns.length} returns in the database, ${plannedReturns} sent`);
  return { problems, audit: await auditLedger(db) };
}

export { openDatabase };
