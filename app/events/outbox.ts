import { type DomainEvent, EVENT_VERSION, type EventType } from "../../domain/index.js";
import { Prisma } from "../../generated/prisma/client.js";
import { type SqlTx, sql } from "../db/sql.js";
import { SUBSCRIPTIONS } from "./subscriptions.js";

export interface Outbox {
  /** Job names per event type (tests and features may add their own). */
  subscriptions: Partial<Record<EventType, readonly string[]>>;
  /** Nudges this process's job runner after a commit that queued jobs. */
  wake: () => void;
}

export const defaultOutbox = (wake: () => void = () => {}): Outbox => ({ subscriptions: SUBSCRIPTIONS, wake });

/**
 * Writes a domain event and the jobs that react to it, in one statement of
 * the caller's unit of work: the change, its event and its reactions commit
 * together or not at all. Returns the event's id.
 */
export async function emit(tx: SqlTx, outbox: Outbox, now: Date, event: DomainEvent): Promise<number> {
  const memberId = "memberId" in event.payload ? event.payload.memberId : null;
  const names = outbox.subscriptions[event.type] ?? [];
  const payload = JSON.stringify(event.payload);
  const ev = sql`ev AS (
      INSERT INTO "DomainEvent" (type, version, "memberId", payload, "occurredAt", "createdAt")
      VALUES (${event.type}, ${EVENT_VERSION}, ${memberId}::int, ${payload}::jsonb, ${now}::timestamp, ${now}::timestamp)
      RETURNING id)`;
  const row = names.length
    ? await tx.one<{ id: number }>(sql`WITH ${ev}, jobs AS (
        INSERT INTO "Job" (name, key, payload, "runAt", "createdAt")
        SELECT j.name, j.name || ':' || ev.id, jsonb_build_object('eventId', ev.id, 'type', ${event.type}::text,
               'event', ${payload}::jsonb), ${now}::timestamp, ${now}::timestamp
        FROM ev, (VALUES ${Prisma.join(names.map((n) => sql`(${n}::text)`))}) AS j(name)
        ON CONFLICT (key) DO NOTHING)
      SELECT id FROM ev`)
    : await tx.one<{ id: number }>(sql`WITH ${ev} SELECT id FROM ev`);
  if (!row) throw new Error("unreachable: INSERT … RETURNING returns the row");
  if (names.length) tx.afterCommit(outbox.wake);
  return row.id;
}
