import { type DomainEvent, EVENT_VERSION, type EventType } from "../../domain/index.js";
import { Prisma } from "../../generated/prisma/client.js";
import { type Sql, type SqlTx, sql } from "../db/sql.js";
import { SUBSCRIPTIONS } from "./subscriptions.js";

export interface Outbox {
  /** Job names per event type (tests and features may add their own). */
  subscriptions: Partial<Record<EventType, readonly string[]>>;
  /** Nudges this process's job runner after a commit that queued jobs. */
  wake: () => void;
}

export const defaultOutbox = (wake: () => void = () => {}): Outbox => ({ subscriptions: SUBSCRIPTIONS, wake });

/**
 * The SQL that writes a domain event and one job per subscriber, as CTEs
 * named `ev` and `evjobs`, to put in the statement that makes the change (no
 * extra round trip on a hot path). `extra` is an SQL jsonb expression merged
 * into the payload, for values only that statement knows (a new row's id).
 * `emit` is the usual way to run it; the caller registers `afterCommit`.
 */
export function eventCtes(outbox: Outbox, now: Date, event: DomainEvent, extra?: Sql): { ctes: Sql; queues: boolean } {
  const memberId = "memberId" in event.payload ? event.payload.memberId : null;
  const names = outbox.subscriptions[event.type] ?? [];
  const payload = extra
    ? sql`(${JSON.stringify(event.payload)}::jsonb || ${extra})`
    : sql`${JSON.stringify(event.payload)}::jsonb`;
  const ev = sql`ev AS (
      INSERT INTO "DomainEvent" (type, version, "memberId", payload, "occurredAt", "createdAt")
      VALUES (${event.type}, ${EVENT_VERSION}, ${memberId}::int, ${payload}, ${now}::timestamp, ${now}::timestamp)
      RETURNING id, payload)`;
  if (!names.length) return { ctes: ev, queues: false };
  return {
    queues: true,
    ctes: sql`${ev}, evjobs AS (
        INSERT INTO "Job" (name, key, payload, "runAt", "createdAt")
        SELECT j.name, j.name || ':' || ev.id, jsonb_build_object('eventId', ev.id, 'type', ${event.type}::text,
               'event', ev.payload), ${now}::timestamp, ${now}::timestamp
        FROM ev, (VALUES ${Prisma.join(names.map((n) => sql`(${n}::text)`))}) AS j(name)
        ON CONFLICT (key) DO NOTHING)`,
  };
}

/**
 * Writes a domain event and the jobs that react to it, in one statement of
 * the caller's unit of work: the change, its event and its reactions commit
 * together or not at all. Returns the event's id.
 */
export async function emit(tx: SqlTx, outbox: Outbox, now: Date, event: DomainEvent): Promise<number> {
  const { ctes, queues } = eventCtes(outbox, now, event);
  const row = await tx.one<{ id: number }>(sql`WITH ${ctes} SELECT id FROM ev`);
  if (!row) throw new Error("unreachable: INSERT … RETURNING returns the row");
  if (queues) tx.afterCommit(outbox.wake);
  return row.id;
}
