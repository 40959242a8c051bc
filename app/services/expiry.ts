import { addDays } from "date-fns";
import { tz } from "@date-fns/tz";
import { format } from "date-fns";
import { domainEvent, expiringBetween } from "../../domain/index.js";
import { emit } from "../events/outbox.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "./context.js";
import { expireMember, lockMember, memberLots } from "./ledger.js";

const SWEEP_KEY = "expiry:sweptUntil";
/** How far ahead a shopper hears that points will expire. */
export const REMIND_DAYS = 14;

/**
 * Posts the expiries that fell due since the last sweep. Members are found by
 * their credits whose expiry date passed since then, so a sweep reads only
 * what is new; each member expires in a unit of work of its own.
 */
export function createExpiryService(ctx: ServiceContext) {
  const { db, program } = ctx;

  async function sweep(onProgress?: (done: number, total: number) => void) {
    const now = ctx.now();
    const mark = await db.prisma.keyValue.findUnique({ where: { key: SWEEP_KEY } });
    const since = mark ? new Date(String(mark.value)) : new Date(0);
    const due = await db.prisma.ledgerEntry.findMany({
      where: { points: { gt: 0 }, expiresAt: { gt: since, lte: now } },
      distinct: ["memberId"],
      select: { memberId: true },
    });
    let points = 0;
    for (const [i, { memberId }] of due.entries()) {
      points += await db.unitOfWork(async (tx) => {
        await lockMember(tx, memberId);
        const expired = await expireMember(tx, program, memberId, now);
        if (expired > 0) {
          const { balance } = await lockMember(tx, memberId);
          await emit(
            tx,
            ctx.outbox,
            now,
            domainEvent("points.expired", { memberId, points: expired, balance, at: now.toISOString() }),
          );
        }
        return expired;
      });
      onProgress?.(i + 1, due.length);
    }
    await db.prisma.keyValue.upsert({
      where: { key: SWEEP_KEY },
      create: { key: SWEEP_KEY, value: now.toISOString() },
      update: { value: now.toISOString() },
    });
    return { members: due.length, points };
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
    const members = await db.query<{ memberId: number }>(
      `SELECT DISTINCT e."memberId" FROM "LedgerEntry" e JOIN "Member" m ON m.id = e."memberId"
       WHERE e.points > 0 AND e."expiresAt" > $1 AND e."expiresAt" <= $2 AND m.status = 'active'`,
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
