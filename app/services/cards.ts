import { addDays } from "date-fns";
import { DomainError, expiringBetween, liveLots, type Tier, tierProgress, windowStart } from "../../domain/index.js";
import type { ServiceContext } from "./context.js";

/** Whether the next birthday (month and day of `birthday`) falls within `days` from now. */
export function birthdayWithin(birthday: Date, now: Date, days: number): boolean {
  for (let i = 0; i <= days; i++) {
    const d = addDays(now, i);
    if (d.getUTCMonth() === birthday.getUTCMonth() && d.getUTCDate() === birthday.getUTCDate()) return true;
  }
  return false;
}

export interface CardOperation {
  kind: string;
  points: number;
  at: Date;
  storeName: string | null;
}

export interface Card {
  memberId: number;
  firstName: string | null;
  memberCode: string;
  balance: number;
  tier: Tier;
  next: Tier | null;
  remainingKopecks: number;
  deadline: Date | null;
  spendKopecks: number;
  /** Purchases in the tier window. */
  visitsInWindow: number;
  /** Points expiring within `expiringDays`, by date, soonest first. */
  expiring: { points: number; date: Date }[];
  lastOperations: CardOperation[];
}

/** What a shopper's card shows, read in one go. */
export function createCardService(ctx: ServiceContext) {
  const { db, program } = ctx;

  /** The card and the member row it was read from. */
  async function load(memberId: number, expiringDays: number) {
    const now = ctx.now();
    const member = await db.prisma.member.findUnique({ where: { id: memberId } });
    if (!member || member.status === "deleted")
      throw new DomainError("MEMBER.NOT_FOUND", "no such member", { memberId });
    const [history, entries, last] = await Promise.all([
      db.prisma.purchase.findMany({
        where: { memberId, at: { gt: windowStart(now, program.tierWindowDays), lte: now } },
        select: { at: true, amount: true, returnedAmount: true },
      }),
      db.prisma.ledgerEntry.findMany({
        where: { memberId },
        orderBy: { id: "asc" },
        select: { id: true, points: true, expiresAt: true, lotId: true },
      }),
      db.prisma.ledgerEntry.findMany({
        where: { memberId },
        orderBy: { id: "desc" },
        take: 5,
        include: { purchase: { select: { store: { select: { name: true } } } } },
      }),
    ]);
    const progress = tierProgress(
      program.tiers,
      history.map((h) => ({ at: h.at, amountKopecks: h.amount - h.returnedAmount })),
      now,
      program.tierWindowDays,
    );
    const byDate = new Map<number, number>();
    for (const lot of expiringBetween(liveLots(entries), now, addDays(now, expiringDays))) {
      const day = lot.expiresAt.getTime();
      byDate.set(day, (byDate.get(day) ?? 0) + lot.remaining);
    }
    const card: Card = {
      memberId,
      firstName: member.firstName,
      memberCode: member.memberCode,
      balance: member.balance,
      tier: progress.tier,
      next: progress.next,
      remainingKopecks: progress.remainingKopecks,
      deadline: progress.deadline,
      spendKopecks: progress.spendKopecks,
      visitsInWindow: history.length,
      expiring: [...byDate.entries()].sort((a, b) => a[0] - b[0]).map(([d, points]) => ({ points, date: new Date(d) })),
      lastOperations: last.map((e) => ({
        kind: e.kind,
        points: e.points,
        at: e.createdAt,
        storeName: e.purchase?.store.name ?? null,
      })),
    };
    return { card, member };
  }

  async function card(memberId: number, expiringDays = 30): Promise<Card> {
    return (await load(memberId, expiringDays)).card;
  }

  /**
   * What a cashier (or a POS) sees about a member: tier and rate, balance,
   * points expiring soon, visits and spend in the tier window, last purchase,
   * whether the birthday falls within the next 7 days, and status.
   */
  async function status(memberId: number) {
    const now = ctx.now();
    const { card: c, member: m } = await load(memberId, 30);
    const last = await db.prisma.purchase.findFirst({
      where: { memberId },
      orderBy: { at: "desc" },
      include: { store: { select: { name: true } } },
    });
    return {
      memberId,
      memberCode: m.memberCode,
      name: [m.firstName, m.lastName].filter(Boolean).join(" ") || null,
      status: m.status,
      tier: { code: c.tier.code, name: c.tier.name, rateBp: c.tier.rateBp },
      balance: c.balance,
      expiringSoon: c.expiring.reduce((s, e) => s + e.points, 0),
      expiring: c.expiring,
      visitsInWindow: c.visitsInWindow,
      spendInWindowKopecks: c.spendKopecks,
      lastPurchase: last ? { at: last.at, amountKopecks: last.amount, storeName: last.store.name } : null,
      birthdayThisWeek: m.birthday ? birthdayWithin(m.birthday, now, 7) : false,
    };
  }

  return { card, status };
}
export type CardService = ReturnType<typeof createCardService>;
