import type { ServiceContext } from "./context.js";
import { expireMember, lockMember } from "./ledger.js";

const SWEEP_KEY = "expiry:sweptUntil";

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
        return expireMember(tx, program, memberId, now);
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

  return { sweep };
}
export type ExpiryService = ReturnType<typeof createExpiryService>;
