import { DomainError, expiryFor, type LedgerKind, type Lot, normalizePhone, type Program } from "../../domain/index.js";
import { type Sql, type SqlTx, sql } from "../db/sql.js";

/**
 * The one way points move. Every balance change in Kopilka is a call to
 * `postEntry` inside a unit of work (`db.unitOfWork`) that has locked the
 * member first; the entry and the cached balance are written by one statement.
 */

export interface LockedMember {
  id: number;
  balance: number;
  status: "active" | "unreachable" | "deleted";
  /** Where and how to tell the shopper about what just happened (null: never wrote to the bot). */
  chatId: bigint | number | string | null;
  notifications: boolean;
  language: string | null;
}

/** How callers name a member: by id, the cashier's code, phone or Telegram id. */
export type MemberKey = { id: number } | { memberCode: string } | { phone: string } | { telegramId: bigint | number };

function memberWhere(key: MemberKey) {
  if ("id" in key) return sql`id = ${key.id}`;
  if ("memberCode" in key) return sql`"memberCode" = ${key.memberCode.trim().toUpperCase()}`;
  if ("phone" in key) return sql`phone = ${normalizePhone(key.phone) ?? ""}`;
  return sql`"telegramId" = ${String(key.telegramId)}::int8`;
}

/**
 * Locks the member's row until the unit of work ends, so operations on one
 * member take turns (a row lock on PostgreSQL; PGlite runs one transaction at
 * a time anyway).
 *
 * Every member lock in Kopilka is FOR NO KEY UPDATE, never FOR UPDATE: a
 * member's row refers to their referrer's ("referredById"), and a second
 * update of a row in one transaction re-checks that key with a key-share lock
 * on the referrer. FOR UPDATE on the referrer (the expiry sweep, a referral
 * reward, the referrer's own purchase) blocks that check, so a friend's
 * transaction holding the friend and a sweep holding the referrer waited for
 * each other (found by the property test on PostgreSQL). NO KEY UPDATE
 * excludes every other member lock just the same, but not key checks. Deleted members are not found, unless `includeDeleted`:
 * what they did before deleting their data (receipts, spends) still replays
 * and can be returned, because the ledger stays.
 */
export async function lockMember(
  tx: SqlTx,
  key: MemberKey | number,
  opts: { includeDeleted?: boolean } = {},
): Promise<LockedMember> {
  const k = typeof key === "number" ? { id: key } : key;
  const m = await tx.one<LockedMember>(sql`
    SELECT id, balance, status::text AS status, "chatId", notifications, language FROM "Member"
    WHERE ${memberWhere(k)} ${opts.includeDeleted ? sql`` : sql`AND status <> 'deleted'`} FOR NO KEY UPDATE`);
  if (!m) throw new DomainError("MEMBER.NOT_FOUND", "no such member", { key: String(Object.values(k)[0]) });
  return m;
}

export interface NewEntry {
  memberId: number;
  kind: LedgerKind;
  /** Signed: credits > 0, debits < 0. */
  points: number;
  /** Unique per business event: posting it again changes nothing. */
  idempotencyKey: string;
  /** When the event happened (a credit's points expire `expiry.months` after). */
  at: Date;
  purchaseId?: number;
  returnId?: number;
  redemptionId?: string;
  lotId?: number;
  note?: string;
}

export interface PostedEntry {
  id: number;
  memberId: number;
  kind: LedgerKind;
  points: number;
  balanceAfter: number;
  createdAt: Date;
  expiresAt: Date | null;
  /** True when the key was posted before and this call changed nothing. */
  replay: boolean;
}

const ENTRY_COLUMNS = sql`id, "memberId", kind::text AS kind, points, "balanceAfter", "expiresAt", "createdAt"`;

/**
 * The SQL that writes one entry, moves the cached balance and keeps the
 * member's lots with it, as CTEs named `e` (the entry, RETURNING its
 * columns), `u` (the balance) and `l` (the lots). A credit opens a lot; an
 * expiry ends the lot it names; any other debit takes from the live lots that
 * expire first, walking the live-lot index one lot at a time and stopping
 * when the debit is covered, so it touches only the lots it consumes however
 * long the history (`l` returns each lot's `take`). A key posted before
 * writes nothing, lots included. `purchaseId` may be an SQL expression, so a
 * statement that inserts the purchase can post its accrual in the same round
 * trip. `postEntry` is the usual way to run it; there is no other way an
 * entry is written (the sweep's batch form, `expireDueLots`, is the same
 * three writes for many lots at once).
 *
 * A CHECK in the database refuses a negative balance; another keeps a lot
 * between 0 and its points. The member must be locked by the caller
 * (`lockMember`) in the same unit of work.
 */
export function entryCtes(program: Program, e: NewEntry, purchaseId: Sql = sql`${e.purchaseId ?? null}::int`): Sql {
  if (!Number.isInteger(e.points) || e.points === 0)
    throw new Error("a ledger entry moves a whole, non-zero number of points");
  const expiresAt = e.points > 0 ? expiryFor(e.at, program.expiry.months) : null;
  const debit = -e.points;
  let lots: Sql;
  if (e.points > 0) {
    lots = sql`INSERT INTO "PointLot" (id, "memberId", "expiresAt", points, remaining)
        SELECT id, "memberId", "expiresAt", points, points FROM e RETURNING 0 AS take`;
  } else if (e.lotId != null) {
    lots = sql`UPDATE "PointLot" SET remaining = remaining - ${debit}::int FROM e
        WHERE "PointLot".id = ${e.lotId}::int AND "PointLot"."memberId" = e."memberId" RETURNING ${debit}::int AS take`;
  } else {
    const member = sql`${e.memberId}::int`;
    lots = sql`UPDATE "PointLot" SET remaining = "PointLot".remaining - w.take
        FROM (
          WITH RECURSIVE walk (id, "expiresAt", take, rest) AS (
            (SELECT id, "expiresAt", LEAST(remaining, ${debit}::int), ${debit}::int - LEAST(remaining, ${debit}::int)
             FROM "PointLot" WHERE "memberId" = ${member} AND remaining > 0 ORDER BY "expiresAt", id LIMIT 1)
            UNION ALL
            (SELECT n.id, n."expiresAt", LEAST(n.remaining, w.rest), w.rest - LEAST(n.remaining, w.rest)
             FROM walk w CROSS JOIN LATERAL (
               SELECT id, "expiresAt", remaining FROM "PointLot"
               WHERE "memberId" = ${member} AND remaining > 0 AND ("expiresAt", id) > (w."expiresAt", w.id)
               ORDER BY "expiresAt", id LIMIT 1) n
             WHERE w.rest > 0)
          ) SELECT id, take FROM walk
        ) w
        WHERE "PointLot".id = w.id AND EXISTS (SELECT 1 FROM e) RETURNING w.take`;
  }
  return sql`e AS (
        INSERT INTO "LedgerEntry" ("memberId", kind, points, "balanceAfter", "expiresAt", "purchaseId", "returnId",
                                   "redemptionId", "lotId", note, "idempotencyKey", "createdAt")
        SELECT m.id, ${e.kind}::"LedgerKind", ${e.points}::int, m.balance + ${e.points}::int, ${expiresAt}::timestamp,
               ${purchaseId}, ${e.returnId ?? null}::int, ${e.redemptionId ?? null}::text,
               ${e.lotId ?? null}::int, ${e.note ?? null}::text, ${e.idempotencyKey}, ${e.at}::timestamp
        FROM "Member" m WHERE m.id = ${e.memberId}
        ON CONFLICT ("idempotencyKey") DO NOTHING
        RETURNING ${ENTRY_COLUMNS}
      ), u AS (
        UPDATE "Member" SET balance = e."balanceAfter", "updatedAt" = now() FROM e WHERE "Member".id = e."memberId"
      ), l AS (
        ${lots}
      )`;
}

/**
 * Several credits of one member in one statement, as the same CTEs `e`, `u`
 * and `l` (see `entryCtes`): a purchase's accrual and its offers' points in
 * the purchase's own round trip. The entries are written in the order given,
 * each `balanceAfter` the running balance; the cached balance moves once
 * (two UPDATEs of one row in one statement would keep only one of them);
 * each entry opens its lot. The caller posts them for a new purchase, so no
 * key was used before.
 */
export function creditsCtes(program: Program, entries: readonly NewEntry[], purchaseId: Sql): Sql {
  const first = entries[0];
  if (!first) throw new Error("credits need at least one entry");
  for (const e of entries) {
    if (!Number.isInteger(e.points) || e.points <= 0)
      throw new Error("a credit moves a whole, positive number of points");
    if (e.memberId !== first.memberId) throw new Error("the credits of one statement are one member's");
  }
  let sum = 0;
  const running = entries.map((e) => (sum += e.points));
  // Timestamps inside arrays are not converted by the driver's parameter mapping: UTC text here.
  const utc = (d: Date | null) => (d ? d.toISOString().replace("Z", "") : null);
  return sql`e AS (
        INSERT INTO "LedgerEntry" ("memberId", kind, points, "balanceAfter", "expiresAt", "purchaseId", note,
                                   "idempotencyKey", "createdAt")
        SELECT m.id, x.kind::"LedgerKind", x.points, m.balance + x.running, x.expires, ${purchaseId}, x.note, x.key, x.at
        FROM "Member" m,
          unnest(${entries.map((e) => e.kind)}::text[], ${entries.map((e) => e.points)}::int[], ${running}::int[],
                 ${entries.map((e) => utc(expiryFor(e.at, program.expiry.months)))}::timestamp[],
                 ${entries.map((e) => e.note ?? null)}::text[], ${entries.map((e) => e.idempotencyKey)}::text[],
                 ${entries.map((e) => utc(e.at))}::timestamp[])
            WITH ORDINALITY AS x(kind, points, running, expires, note, key, at, ord)
        WHERE m.id = ${first.memberId}
        ORDER BY x.ord
        ON CONFLICT ("idempotencyKey") DO NOTHING
        RETURNING ${ENTRY_COLUMNS}
      ), u AS (
        UPDATE "Member" SET balance = (SELECT max("balanceAfter") FROM e), "updatedAt" = now()
        WHERE id = ${first.memberId} AND EXISTS (SELECT 1 FROM e)
      ), l AS (
        INSERT INTO "PointLot" (id, "memberId", "expiresAt", points, remaining)
        SELECT id, "memberId", "expiresAt", points, points FROM e RETURNING 0 AS take
      )`;
}

/**
 * Appends one entry (see `entryCtes`). A key posted before writes nothing and
 * returns the first entry.
 */
export async function postEntry(tx: SqlTx, program: Program, e: NewEntry): Promise<PostedEntry> {
  const ctes = entryCtes(program, e);
  let posted: (Omit<PostedEntry, "replay"> & { consumed: number }) | undefined;
  try {
    posted = await tx.one(sql`WITH ${ctes} SELECT *, (SELECT COALESCE(SUM(take), 0)::int8 FROM l) AS consumed FROM e`);
  } catch (err) {
    if (String((err as Error).message).includes("balance_nonnegative")) {
      throw new DomainError("LEDGER.INSUFFICIENT_POINTS", `not enough points for ${e.points}`, {
        requested: -e.points,
      });
    }
    throw err;
  }
  if (posted) {
    const { consumed, ...entry } = posted;
    // The lots must cover every debit exactly, or they no longer mirror the
    // ledger: refuse the entry (the unit of work rolls back) rather than drift.
    if (e.points < 0 && consumed !== -e.points)
      throw new Error(`lots of member ${e.memberId} cover ${consumed} of a ${-e.points}-point debit`);
    return { ...entry, replay: false };
  }
  const existing = await tx.one<Omit<PostedEntry, "replay">>(
    sql`SELECT ${ENTRY_COLUMNS} FROM "LedgerEntry" WHERE "idempotencyKey" = ${e.idempotencyKey}`,
  );
  if (!existing) throw new DomainError("MEMBER.NOT_FOUND", `no member ${e.memberId}`, { memberId: e.memberId });
  if (existing.memberId !== e.memberId || existing.points !== e.points || existing.kind !== e.kind) {
    throw new DomainError("LEDGER.IDEMPOTENCY_CONFLICT", `key ${e.idempotencyKey} was used for another entry`, {
      idempotencyKey: e.idempotencyKey,
    });
  }
  return { ...existing, replay: true };
}

/** The member's live lots, soonest-expiring first (read from the lots table). */
export async function memberLots(tx: SqlTx, memberId: number): Promise<Lot[]> {
  return tx.many<Lot>(sql`SELECT id, "expiresAt", remaining FROM "PointLot"
    WHERE "memberId" = ${memberId} AND remaining > 0 ORDER BY "expiresAt", id`);
}

/**
 * Posts an expiry for every lot of the member due at `now`, whatever its
 * date. Runs before any debit and any quote, so points are never spent or
 * offered after they expired.
 */
export async function expireMember(tx: SqlTx, program: Program, memberId: number, now: Date): Promise<number> {
  const due = await tx.many<{ id: number; remaining: number }>(sql`
    SELECT id, remaining FROM "PointLot"
    WHERE "memberId" = ${memberId} AND remaining > 0 AND "expiresAt" <= ${now}::timestamp ORDER BY "expiresAt", id`);
  let expired = 0;
  for (const lot of due) {
    await postEntry(tx, program, {
      memberId,
      kind: "expiry",
      points: -lot.remaining,
      idempotencyKey: `expiry:${lot.id}`,
      at: now,
      lotId: lot.id,
    });
    expired += lot.remaining;
  }
  return expired;
}

/**
 * The sweep's batch form of the write path: expires every due lot of up to
 * `batch` members in three set-based writes (the entries with their running
 * balances, the balances, the lots), members locked in id order first. Reads
 * due lots from the live-lot index, so lots of any date are caught and the
 * work is the due lots, not the history. Returns, per member, the points it
 * expired and the balance after.
 */
export async function expireDueLots(
  tx: SqlTx,
  now: Date,
  batch: number,
): Promise<{ memberId: number; points: number; balance: number }[]> {
  const locked = await tx.many<{ id: number }>(sql`
    SELECT id FROM "Member" WHERE id IN (
      SELECT "memberId" FROM "PointLot" WHERE remaining > 0 AND "expiresAt" <= ${now}::timestamp
      ORDER BY "expiresAt", id LIMIT ${batch}::int)
    ORDER BY id FOR NO KEY UPDATE`);
  if (locked.length === 0) return [];
  const ids = locked.map((m) => m.id);
  // Re-read under the locks: a spend may have expired some of them meanwhile.
  return tx.many<{ memberId: number; points: number; balance: number }>(sql`
    WITH due AS (
      SELECT id, "memberId", "expiresAt", remaining FROM "PointLot"
      WHERE "memberId" = ANY(${ids}::int[]) AND remaining > 0 AND "expiresAt" <= ${now}::timestamp
      ORDER BY "memberId", "expiresAt", id
    ), numbered AS (
      SELECT d.*, nextval(pg_get_serial_sequence('"LedgerEntry"', 'id')) AS entry,
             m.balance - SUM(d.remaining) OVER (PARTITION BY d."memberId" ORDER BY d."expiresAt", d.id) AS after
      FROM (SELECT * FROM due ORDER BY "memberId", "expiresAt", id) d JOIN "Member" m ON m.id = d."memberId"
    ), e AS (
      INSERT INTO "LedgerEntry" (id, "memberId", kind, points, "balanceAfter", "lotId", "idempotencyKey", "createdAt")
      SELECT entry, "memberId", 'expiry', -remaining, after, id, 'expiry:' || id, ${now}::timestamp FROM numbered
      RETURNING "memberId", points
    ), t AS (
      SELECT "memberId", SUM(points)::int AS points FROM e GROUP BY "memberId"
    ), u AS (
      UPDATE "Member" SET balance = balance + t.points, "updatedAt" = now()
      FROM t WHERE "Member".id = t."memberId" RETURNING "Member".id AS "memberId", -t.points AS points, balance
    ), l AS (
      UPDATE "PointLot" SET remaining = 0 FROM due WHERE "PointLot".id = due.id
    )
    SELECT "memberId", points, balance FROM u ORDER BY "memberId"`);
}

/** The store, if it exists and is open for business. */
export async function activeStore(tx: SqlTx, storeId: number) {
  const store = await tx.one<{ id: number; active: boolean; trustedPos: boolean }>(
    sql`SELECT id, active, "trustedPos" FROM "Store" WHERE id = ${storeId}`,
  );
  if (!store) throw new DomainError("STORE.NOT_FOUND", `no store ${storeId}`, { storeId });
  if (!store.active) throw new DomainError("STORE.INACTIVE", `store ${storeId} is closed`, { storeId });
  return store;
}
