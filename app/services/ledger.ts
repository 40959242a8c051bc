import {
  DomainError,
  dueLots,
  type EntryView,
  expiryFor,
  type LedgerKind,
  type Lot,
  liveLots,
  nextBalance,
  type Program,
} from "../../domain/index.js";
import type { Tx } from "../db/database.js";

/**
 * The one way points move. Every balance change in Kopilka is a call to
 * `postEntry` inside a unit of work that has locked the member first; the
 * entry and the cached balance are written together or not at all.
 */

export interface LockedMember {
  id: number;
  balance: number;
  status: "active" | "unreachable" | "deleted";
}

/**
 * Locks the member's row until the unit of work ends, so operations on one
 * member take turns (row lock; PGlite has one connection and serializes anyway).
 */
export async function lockMember(tx: Tx, memberId: number): Promise<LockedMember> {
  const rows = await tx.$queryRaw<LockedMember[]>`
    SELECT id, balance, status::text AS status FROM "Member" WHERE id = ${memberId} FOR UPDATE`;
  const m = rows[0];
  if (!m) throw new DomainError("MEMBER.NOT_FOUND", `no member ${memberId}`, { memberId });
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

/**
 * Appends one entry and updates the cached balance. The member must be locked
 * by the caller (`lockMember`) in the same unit of work.
 */
export async function postEntry(tx: Tx, program: Program, e: NewEntry): Promise<PostedEntry> {
  const existing = await tx.ledgerEntry.findUnique({ where: { idempotencyKey: e.idempotencyKey } });
  if (existing) {
    if (existing.memberId !== e.memberId || existing.points !== e.points || existing.kind !== e.kind) {
      throw new DomainError("LEDGER.IDEMPOTENCY_CONFLICT", `key ${e.idempotencyKey} was used for another entry`, {
        idempotencyKey: e.idempotencyKey,
      });
    }
    return { ...existing, replay: true };
  }
  const member = await tx.member.findUniqueOrThrow({ where: { id: e.memberId }, select: { balance: true } });
  const balanceAfter = nextBalance(member.balance, e.points);
  const entry = await tx.ledgerEntry.create({
    data: {
      memberId: e.memberId,
      kind: e.kind,
      points: e.points,
      balanceAfter,
      expiresAt: e.points > 0 ? expiryFor(e.at, program.expiry.months) : null,
      purchaseId: e.purchaseId ?? null,
      returnId: e.returnId ?? null,
      redemptionId: e.redemptionId ?? null,
      lotId: e.lotId ?? null,
      note: e.note ?? null,
      idempotencyKey: e.idempotencyKey,
      createdAt: e.at,
    },
  });
  await tx.member.update({ where: { id: e.memberId }, data: { balance: balanceAfter } });
  return { ...entry, replay: false };
}

export async function memberLots(tx: Tx, memberId: number): Promise<Lot[]> {
  const entries: EntryView[] = await tx.ledgerEntry.findMany({
    where: { memberId },
    orderBy: { id: "asc" },
    select: { id: true, points: true, expiresAt: true, lotId: true },
  });
  return liveLots(entries);
}

/**
 * Posts an expiry for every lot of the member due at `now`. Runs before any
 * debit, so points are never spent after they expired.
 */
export async function expireMember(tx: Tx, program: Program, memberId: number, now: Date): Promise<number> {
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
