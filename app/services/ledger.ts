import {
  DomainError,
  dueLots,
  type EntryView,
  expiryFor,
  type LedgerKind,
  type Lot,
  liveLots,
  normalizePhone,
  type Program,
} from "../../domain/index.js";
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
 * a time anyway). Deleted members are not found, unless `includeDeleted`:
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
    WHERE ${memberWhere(k)} ${opts.includeDeleted ? sql`` : sql`AND status <> 'deleted'`} FOR UPDATE`);
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
 * Appends one entry and moves the cached balance with it, in one statement:
 * the entry's balanceAfter is the locked balance plus its points, and the
 * member's balance becomes that value only if the entry was written. A key
 * posted before writes nothing and returns the first entry. A CHECK in the
 * database refuses a negative balance. The member must be locked by the
 * caller (`lockMember`) in the same unit of work.
 */
/**
 * The SQL that writes one entry and moves the cached balance with it, as two
 * CTEs named `e` (the entry, RETURNING its columns) and `u` (the balance).
 * `purchaseId` may be an SQL expression, so a statement that inserts the
 * purchase can post its accrual in the same round trip. `postEntry` is the
 * usual way to run it; there is no other way an entry is written.
 */
export function entryCtes(program: Program, e: NewEntry, purchaseId: Sql = sql`${e.purchaseId ?? null}::int`): Sql {
  if (!Number.isInteger(e.points) || e.points === 0)
    throw new Error("a ledger entry moves a whole, non-zero number of points");
  const expiresAt = e.points > 0 ? expiryFor(e.at, program.expiry.months) : null;
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
      )`;
}

export async function postEntry(tx: SqlTx, program: Program, e: NewEntry): Promise<PostedEntry> {
  const ctes = entryCtes(program, e);
  let posted: Omit<PostedEntry, "replay"> | undefined;
  try {
    posted = await tx.one(sql`WITH ${ctes} SELECT * FROM e`);
  } catch (err) {
    if (String((err as Error).message).includes("balance_nonnegative")) {
      throw new DomainError("LEDGER.INSUFFICIENT_POINTS", `not enough points for ${e.points}`, {
        requested: -e.points,
      });
    }
    throw err;
  }
  if (posted) return { ...posted, replay: false };
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

export async function memberLots(tx: SqlTx, memberId: number): Promise<Lot[]> {
  const entries = await tx.many<EntryView>(
    sql`SELECT id, points, "expiresAt", "lotId" FROM "LedgerEntry" WHERE "memberId" = ${memberId} ORDER BY id`,
  );
  return liveLots(entries);
}

/**
 * Posts an expiry for every lot of the member due at `now`. Runs before any
 * debit, so points are never spent after they expired.
 */
export async function expireMember(tx: SqlTx, program: Program, memberId: number, now: Date): Promise<number> {
  let expired = 0;
  for (const lot of dueLots(await memberLots(tx, memberId), now)) {
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

/** The store, if it exists and is open for business. */
export async function activeStore(tx: SqlTx, storeId: number) {
  const store = await tx.one<{ id: number; active: boolean; trustedPos: boolean }>(
    sql`SELECT id, active, "trustedPos" FROM "Store" WHERE id = ${storeId}`,
  );
  if (!store) throw new DomainError("STORE.NOT_FOUND", `no store ${storeId}`, { storeId });
  if (!store.active) throw new DomainError("STORE.INACTIVE", `store ${storeId} is closed`, { storeId });
  return store;
}
