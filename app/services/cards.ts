import { addDays } from "date-fns";
import {
  birthdayOf,
  birthdayWithin,
  DomainError,
  localDate,
  type Tier,
  tierProgressOfWindow,
  windowStart,
} from "../../domain/index.js";
import { coalesce } from "../db/batch.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "./context.js";
import type { Member as MemberRow } from "../../generated/prisma/client.js";
import { type MemberJson, memberFromJson } from "./members.js";
import { utcFromJson } from "./json-time.js";

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
  /** Telegram's file_id of this member code's card picture, once uploaded. */
  imageFileId: string | null;
  /** When the card was read (the program's clock): dates in another year show it. */
  asOf: Date;
}

/** What cardsSql returns; timestamps come as JSON text in UTC without a zone. */
interface CardRow {
  /** By member id only: by Telegram id the whole row comes beside the card (`row`), and is not built twice. */
  member?: {
    id: number;
    firstName: string | null;
    lastName: string | null;
    memberCode: string;
    balance: number;
    status: "active" | "unreachable" | "deleted";
    birthday: string | null;
  };
  /** The tier window's totals, summed by the database (index-only on Purchase(memberId, at, amount, returnedAmount)). */
  window: { spend: number; visits: number; oldest: string | null };
  /** Live lots expiring in the card's horizon (the lots table the write path keeps, not a replay of the ledger). */
  expiring: { expiresAt: string; remaining: number }[];
  last: { kind: string; points: number; at: string; store: string | null }[];
  imageFileId: string | null;
}

/**
 * Cards of several members as of `now`, each row its member's id and card:
 * the tier window's purchases after `from`, the live lots expiring by `horizon`.
 * By Telegram id, each row has the whole member row too (`row`), in place of
 * the card's own few member fields: a chat's /card reads its member and card
 * in one statement.
 */
const cardsSql = (by: { ids: number[] } | { telegramIds: string[] }, from: string, now: string, horizon: string) => sql`
  SELECT m.id, ${
    "telegramIds" in by
      ? sql`row_to_json(m) AS row, json_build_object(`
      : sql`json_build_object('member', json_build_object('id', m.id, 'firstName', m."firstName",
          'lastName', m."lastName", 'memberCode', m."memberCode", 'balance', m.balance, 'status', m.status,
          'birthday', m.birthday),`
  }
    'window', (SELECT json_build_object('spend', COALESCE(SUM(p.amount - p."returnedAmount"), 0), 'visits', count(*),
      'oldest', min(p.at))
      FROM "Purchase" p WHERE p."memberId" = m.id AND p.at > ${from}::timestamp AND p.at <= ${now}::timestamp),
    'expiring', COALESCE((SELECT json_agg(json_build_object('expiresAt', l."expiresAt", 'remaining', l.remaining)
      ORDER BY l."expiresAt", l.id) FROM "PointLot" l
      WHERE l."memberId" = m.id AND l.remaining > 0 AND l."expiresAt" > ${now}::timestamp AND l."expiresAt" <= ${horizon}::timestamp), '[]'::json),
    'last', COALESCE((SELECT json_agg(json_build_object('kind', l.kind, 'points', l.points, 'at', l."createdAt",
      'store', l.store) ORDER BY l.id DESC) FROM (
        SELECT e.id, e.kind, e.points, e."createdAt", s.name AS store FROM "LedgerEntry" e
        LEFT JOIN "Purchase" p ON p.id = e."purchaseId" LEFT JOIN "Store" s ON s.id = p."storeId"
        WHERE e."memberId" = m.id ORDER BY e.id DESC LIMIT 5) l), '[]'::json),
    'imageFileId', (SELECT c."fileId" FROM "CardImage" c WHERE c."memberCode" = m."memberCode")
  ) AS card
  FROM "Member" m WHERE ${"telegramIds" in by ? sql`m."telegramId" = ANY(${by.telegramIds}::int8[])` : sql`m.id = ANY(${by.ids}::int[])`}`;

/** The longest "expiring soon" horizon a card reads (the card and the cashier's status use 30 days). */
const MAX_EXPIRING_DAYS = 30;
/** How far ahead the shopper's card lists expiring points. */
const CARD_EXPIRING_DAYS = 30;

/** What a shopper's card shows, read in one go. */
export function createCardService(ctx: ServiceContext) {
  const { db, program } = ctx;

  /**
   * Cards read together (the /card of every update handled at the same
   * time) come from one statement, with one clock reading for all of them
   * (app/db/batch.ts): by member id, or by Telegram id with the member rows.
   */
  const batchedReads = <K, R>(by: (keys: K[]) => Parameters<typeof cardsSql>[0], keyOf: (row: R) => K) =>
    coalesce(
      async (keys: K[]) => {
        const now = ctx.now();
        // A prepared statement (db.read): planning this one anew cost more than running it.
        const rows = await db.read<R>(
          cardsSql(
            by([...new Set(keys)]),
            windowStart(now, program.tierWindowDays).toISOString(),
            now.toISOString(),
            // One horizon for the batch: the longest a caller asks for; each card keeps its own (toCard).
            addDays(now, MAX_EXPIRING_DAYS).toISOString(),
          ),
        );
        const byKey = new Map(rows.map((r) => [keyOf(r), r]));
        return keys.map((k) => ({ now, found: byKey.get(k) ?? null }));
      },
      { concurrency: db.kind === "pglite" ? 1 : 4 },
    );
  const readCards = batchedReads<number, { id: number; card: CardRow }>(
    (ids) => ({ ids }),
    (r) => r.id,
  );
  const readChatCards = batchedReads<string, { id: number; row: MemberJson; card: CardRow }>(
    (telegramIds) => ({ telegramIds }),
    (r) => String(r.row.telegramId),
  );

  /**
   * A chat's member row (deleted members too, as members.find reads them)
   * and, unless deleted, their card, in one statement: `/card` then needs no
   * read of the member before the card's.
   */
  async function ofChat(telegramId: bigint | number): Promise<{ member: MemberRow; card: Card | null } | null> {
    const { now, found } = await readChatCards(String(telegramId));
    if (!found) return null;
    const member = memberFromJson(found.row);
    return {
      member,
      card: member.status === "deleted" ? null : toCard(found.id, member, found.card, now, CARD_EXPIRING_DAYS),
    };
  }

  /**
   * The card and the member row it was read from, in one SQL round trip
   * (member, tier-window purchases, the live lots expiring soon, the
   * last operations and the stored card picture): `/card` is the command
   * shoppers send most, and every round trip is latency on it.
   */
  async function load(memberId: number, expiringDays: number) {
    const { now, found } = await readCards(memberId);
    const m = found?.card.member;
    if (!found || !m || m.status === "deleted")
      throw new DomainError("MEMBER.NOT_FOUND", "no such member", { memberId });
    const member = { ...m, birthday: m.birthday ? utcFromJson(m.birthday) : null };
    return { card: toCard(memberId, member, found.card, now, expiringDays), member };
  }

  /** The card of a row cardsSql read at `now`, for the member it was read with. */
  function toCard(
    memberId: number,
    member: Pick<MemberRow, "firstName" | "memberCode" | "balance">,
    found: CardRow,
    now: Date,
    expiringDays: number,
  ): Card {
    const last = found.last.map((e) => ({ ...e, createdAt: utcFromJson(e.at) }));
    const progress = tierProgressOfWindow(
      program.tiers,
      { spendKopecks: found.window.spend, oldest: found.window.oldest ? utcFromJson(found.window.oldest) : null },
      program.tierWindowDays,
    );
    const byDate = new Map<number, number>();
    // A heavy member's ledger is thousands of entries: replaying it cost ~40 ms a card (issue 14).
    const horizon = addDays(now, Math.min(expiringDays, MAX_EXPIRING_DAYS)).getTime();
    for (const lot of found.expiring) {
      const day = utcFromJson(lot.expiresAt).getTime();
      if (day > horizon) continue;
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
      visitsInWindow: found.window.visits,
      expiring: [...byDate.entries()].sort((a, b) => a[0] - b[0]).map(([d, points]) => ({ points, date: new Date(d) })),
      lastOperations: last.map((e) => ({ kind: e.kind, points: e.points, at: e.createdAt, storeName: e.store })),
      imageFileId: found.imageFileId,
      asOf: now,
    };
    return card;
  }

  async function card(memberId: number, expiringDays = CARD_EXPIRING_DAYS): Promise<Card> {
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
      // The cashier's own date (the store's zone is not known here: the chain's zone).
      birthdayThisWeek: m.birthday
        ? birthdayWithin(birthdayOf(m.birthday), localDate(now, ctx.program.timeZone), 7)
        : false,
    };
  }

  /** Keeps Telegram's file_id of the picture drawn for `memberCode`. */
  async function rememberImage(memberCode: string, fileId: string) {
    await db.prisma.cardImage.upsert({
      where: { memberCode },
      create: { memberCode, fileId },
      update: { fileId, createdAt: ctx.now() },
    });
  }

  /** Telegram no longer knows the stored file_id: the next card uploads again. */
  async function forgetImage(memberCode: string) {
    await db.prisma.cardImage.deleteMany({ where: { memberCode } });
  }

  /** How points are spent, for texts that tell shoppers: the share of a receipt, a point's worth, the expiry. */
  function spendRules() {
    return {
      maxShareBp: program.redemption.maxShareBp,
      pointValueKopecks: program.pointValueKopecks,
      expiryMonths: program.expiry.months,
    };
  }

  return { card, ofChat, status, rememberImage, forgetImage, spendRules };
}
export type CardService = ReturnType<typeof createCardService>;
