import type { ServiceContext } from "./context.js";
import type { createCardService } from "./cards.js";

/**
 * Member lookup for support: the card as staff see it, recent purchases and
 * the ledger, by member code or phone.
 */
export function createSupportService(ctx: ServiceContext, cards: ReturnType<typeof createCardService>) {
  const { db } = ctx;
  async function lookup(query: string) {
    const q = query.trim();
    const digits = q.replace(/\D/g, "");
    const member = /^\d{8}$/.test(q)
      ? await db.prisma.member.findUnique({ where: { memberCode: q } })
      : digits.length >= 10
        ? await db.prisma.member.findFirst({ where: { phone: { endsWith: digits.slice(-10) } } })
        : null;
    if (!member || member.status === "deleted") return null;
    const [status, purchases, ledger] = await Promise.all([
      cards.status(member.id),
      db.prisma.purchase.findMany({
        where: { memberId: member.id },
        orderBy: { at: "desc" },
        take: 50,
        include: { store: { select: { name: true } } },
      }),
      db.prisma.ledgerEntry.findMany({ where: { memberId: member.id }, orderBy: { id: "desc" }, take: 100 }),
    ]);
    return {
      status,
      enrolledAt: member.createdAt,
      purchases: purchases.map((p) => ({
        at: p.at,
        storeName: p.store.name,
        receiptId: p.receiptId,
        amountKopecks: p.amount,
        returnedKopecks: p.returnedAmount,
        pointsRedeemed: p.pointsRedeemed,
        pointsAccrued: p.pointsAccrued,
      })),
      ledger: ledger.map((e) => ({ at: e.createdAt, kind: e.kind, points: e.points, balanceAfter: e.balanceAfter })),
    };
  }
  return { lookup };
}
