import { addDays } from "date-fns";
import { tz } from "@date-fns/tz";
import { format } from "date-fns";
import { domainEvent, expiringBetween } from "../../domain/index.js";
import { emit } from "../events/outbox.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "./context.js";
import { expireDueLots, memberLots } from "./ledger.js";

/** How far ahead a shopper hears that points will expire. */
export const REMIND_DAYS = 14;
/** Lots whose members one unit of work expires (bounds memory and the work a crash can lose). */
const BATCH = 500;
/** Any 64-bit number unique among Kopilka's advisory locks (the migration lock is 7305520). */
const SWEEP_LOCK = 7305521;

/**
 * Posts an expiry for every due lot, whatever its date: due lots are read
 * from the live-lot index (no "since the last sweep" mark to leave gaps), a
 * batch at a time, each batch one unit of work of set-based SQL (and a
 * points.expired event per member), so memory stays bounded by the batch and
 * a crash loses at most the batch in flight (the next sweep finds those lots
 * still due). One sweep runs at a time: within a process a second call joins
 * the running one; across processes an advisory lock makes the later one
 * return at once.
 */
export function createExpiryService(ctx: ServiceContext) {
  const { db, program } = ctx;
  let running: Promise<{ members: number; points: number }> | null = null;

  async function run(onProgress?: (done: number, total: number) => void) {
    const now = ctx.now();
    return db.withConnection(async (c) => {
      const [lock] = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${SWEEP_LOCK}) AS ok`);
      if (!lock?.ok) return { members: 0, points: 0 };
      try {
        let members = 0;
        let points = 0;
        for (;;) {
          const done = await db.unitOfWork(async (tx) => {
            const expired = await expireDueLots(tx, now, BATCH);
            for (const e of expired)
              await emit(tx, ctx.outbox, now, domainEvent("points.expired", { ...e, at: now.toISOString() }));
            return expired;
          });
          if (done.length === 0) break;
          members += done.length;
          points += done.reduce((sum, e) => sum + e.points, 0);
          // The total is unknown up front (counting would read every due lot twice): report what is done.
          onProgress?.(members, members);
        }
        return { members, points };
      } finally {
        await c.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK})`);
      }
    });
  }

  function sweep(onProgress?: (done: number, total: number) => void) {
    running ??= run(onProgress).finally(() => {
      running = null;
    });
    return running;
  }

  /**
   * Queues one reminder per member for the soonest batch of points that
   * expire within REMIND_DAYS (a batch: the lots that expire on the same
   * local day). The job key names the member and the day, so a batch is
   * reminded once however often this runs.
   */
  async function queueReminders(): Promise<number> {
    const now = ctx.now();
    const until = addDays(now, REMIND_DAYS);
    // Live lots by expiry (the sweep's index), not every credit ever posted.
    const members = await db.query<{ memberId: number }>(
      `SELECT DISTINCT l."memberId" FROM "PointLot" l JOIN "Member" m ON m.id = l."memberId"
       WHERE l.remaining > 0 AND l."expiresAt" > $1 AND l."expiresAt" <= $2 AND m.status = 'active'`,
      [now.toISOString().replace("Z", ""), until.toISOString().replace("Z", "")],
    );
    const day = (d: Date) => format(d, "yyyy-MM-dd", { in: tz(program.timeZone) });
    let queued = 0;
    for (let i = 0; i < members.length; i += 200) {
      const chunk = members.slice(i, i + 200);
      queued += await db.unitOfWork(async (tx) => {
        const jobs = [];
        for (const { memberId } of chunk) {
          const soon = expiringBetween(await memberLots(tx, memberId), now, until);
          const first = soon[0];
          if (!first) continue;
          const batch = soon.filter((l) => day(l.expiresAt) === day(first.expiresAt));
          const points = batch.reduce((s, l) => s + l.remaining, 0);
          jobs.push({
            name: "notify.expiring",
            key: `notify.expiring:${memberId}:${day(first.expiresAt)}`,
            runAt: now,
            payload: { memberId, points, expiresAt: first.expiresAt.toISOString() },
          });
        }
        return enqueue(tx, now, jobs, ctx.outbox.wake);
      });
    }
    return queued;
  }

  return { sweep, queueReminders };
}
export type ExpiryService = ReturnType<typeof createExpiryService>;
