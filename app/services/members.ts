import { randomInt } from "node:crypto";
import { DomainError, domainEvent, judgeReferral, normalizePhone } from "../../domain/index.js";
import { emit } from "../events/outbox.js";
import { withRetry } from "../db/retry.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { Member as MemberRow } from "../../generated/prisma/client.js";
import { coalesce } from "../db/batch.js";
import type { ServiceContext } from "./context.js";
import { utcFromJson } from "./json-time.js";
import { phoneHash, serverSecret } from "./secrets.js";
import { lockMember, type MemberKey, postEntry } from "./ledger.js";

export type { MemberKey } from "./ledger.js";

export interface EnrollInput {
  telegramId?: bigint | number | null;
  chatId?: bigint | number | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Digits with a leading "+", as normalizePhone returns. */
  phone?: string | null;
  birthday?: Date | null;
  language?: string | null;
  referralCode?: string | null;
}

/** A Member row as row_to_json renders it: int8 as numbers, timestamps as text in UTC without a zone. */
export type MemberJson = Omit<
  MemberRow,
  "telegramId" | "chatId" | "birthday" | "consentAt" | "createdAt" | "updatedAt" | "deletedAt"
> & {
  telegramId: number | string | null;
  chatId: number | string | null;
  birthday: string | null;
  consentAt: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export function memberFromJson(j: MemberJson): MemberRow {
  const big = (v: number | string | null) => (v === null ? null : BigInt(v));
  const date = (v: string | null) => (v === null ? null : utcFromJson(v));
  return {
    ...j,
    telegramId: big(j.telegramId),
    chatId: big(j.chatId),
    birthday: date(j.birthday),
    consentAt: date(j.consentAt),
    createdAt: utcFromJson(j.createdAt),
    updatedAt: utcFromJson(j.updatedAt),
    deletedAt: date(j.deletedAt),
  };
}

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function randomCode(len: number, alphabet: string) {
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

export function createMemberService(ctx: ServiceContext) {
  const { db, program } = ctx;
  let phoneKey: Promise<string> | undefined;
  /** The keyed hash of a normalized phone; the key is made once per database. */
  const hashPhone = async (phone: string) => {
    phoneKey ??= serverSecret(db, "phone-hash").catch((e: unknown) => {
      phoneKey = undefined;
      throw e;
    });
    return phoneHash(await phoneKey, phone);
  };

  /**
   * Whether this phone was enrolled before, also by a member who deleted their
   * data since (only a keyed hash of the number is kept). A returning phone
   * gets no second welcome bonus, and is no new referral.
   */
  async function wasMemberBefore(phone: string): Promise<boolean> {
    const normalized = normalizePhone(phone);
    if (!normalized) return false;
    const [row] = await db.query(`SELECT 1 FROM "KnownPhone" WHERE hash = $1`, [await hashPhone(normalized)]);
    return row !== undefined;
  }

  /**
   * The member behind a Telegram update — read on every update, so by one
   * plain statement rather than through Prisma's query engine, which costs
   * several times the query itself on the embedded database; and the
   * updates handled together read their members in one statement
   * (app/db/batch.ts). Each asker gets a row of its own to change.
   */
  const byTelegramIds = coalesce(
    async (ids: string[]) => {
      // Prepared once (db.read): every update of a member's chat starts with this read.
      const rows = await db.read<{ m: MemberJson }>(
        sql`SELECT row_to_json(m) AS m FROM "Member" m WHERE "telegramId" = ANY(${ids}::int8[])`,
      );
      const found = new Map(rows.map((r) => [String(r.m.telegramId), r.m]));
      return ids.map((id) => found.get(id));
    },
    { concurrency: db.kind === "pglite" ? 1 : 4 },
  );
  async function byTelegramId(telegramId: bigint | number): Promise<MemberRow | null> {
    const m = await byTelegramIds(String(telegramId));
    return m ? memberFromJson(m) : null;
  }

  /** Reads a member (deleted ones too) by any key. */
  async function find(key: MemberKey) {
    if ("phone" in key) {
      const phone = normalizePhone(key.phone);
      return phone ? db.prisma.member.findUnique({ where: { phone } }) : null;
    }
    if ("telegramId" in key) return byTelegramId(key.telegramId);
    if ("memberCode" in key)
      return db.prisma.member.findUnique({ where: { memberCode: key.memberCode.trim().toUpperCase() } });
    return db.prisma.member.findUnique({ where: { id: key.id } });
  }

  /** A member who has not deleted their data, or MEMBER.NOT_FOUND. */
  async function get(key: MemberKey) {
    const m = await find(key);
    if (!m || m.status === "deleted")
      throw new DomainError("MEMBER.NOT_FOUND", "no such member", { key: String(Object.values(key)[0]) });
    return m;
  }

  /** Whether a phone already belongs to a member (enrollment says so right after the contact). */
  async function phoneTaken(raw: string): Promise<boolean> {
    const phone = normalizePhone(raw);
    if (!phone) return false;
    return (await db.query(`SELECT 1 FROM "Member" WHERE phone = $1`, [phone])).length > 0;
  }

  /**
   * Creates a member and posts the welcome bonus, in one unit of work. A phone
   * or Telegram account that is already enrolled is refused, not enrolled twice.
   */
  async function enroll(input: EnrollInput) {
    const phone = input.phone ? normalizePhone(input.phone) : null;
    if (input.phone && !phone) throw new DomainError("INPUT.INVALID", "not a phone number", { field: "phone" });
    const telegramId = input.telegramId != null ? String(input.telegramId) : null;
    const hash = phone ? await hashPhone(phone) : null;
    const id = await withRetry(() =>
      db.unitOfWork(async (tx) => {
        if (telegramId !== null) {
          const existing = await tx.one<{ id: number }>(
            sql`SELECT id FROM "Member" WHERE "telegramId" = ${telegramId}::int8 AND status <> 'deleted'`,
          );
          if (existing)
            throw new DomainError("MEMBER.ALREADY_ENROLLED", "this Telegram account is enrolled", {
              memberId: existing.id,
            });
        }
        if (phone && (await tx.one(sql`SELECT id FROM "Member" WHERE phone = ${phone}`)))
          throw new DomainError("MEMBER.PHONE_TAKEN", "this phone belongs to another member");
        // The referrer's row is locked here, before the new member's row refers to it: that insert takes a
        // key-share lock on the referrer, and two friends joining at once who each held one and then asked
        // for the update lock would deadlock. Locked first, they take turns (and the caps count both).
        const referrer = input.referralCode
          ? await tx.one<{ id: number; telegramId: string | null; phone: string | null }>(
              sql`SELECT id, "telegramId"::text AS "telegramId", phone FROM "Member"
                  WHERE "referralCode" = ${input.referralCode} AND status <> 'deleted' FOR NO KEY UPDATE`,
            )
          : undefined;
        const now = ctx.now();
        const member = await tx.one<{ id: number }>(sql`
          INSERT INTO "Member" ("telegramId", "chatId", "firstName", "lastName", phone, birthday, "birthdaySetAt", language, "consentAt",
                                "memberCode", "referralCode", "referredById", "updatedAt")
          VALUES (${telegramId}::int8, ${input.chatId != null ? String(input.chatId) : null}::int8,
                  ${input.firstName ?? null}, ${input.lastName ?? null}, ${phone},
                  ${input.birthday ?? null}::date, ${input.birthday ? now : null}::timestamp,
                  ${input.language ?? null}, ${now}::timestamp,
                  ${String(randomInt(10_000_000, 100_000_000))}, ${randomCode(8, CODE_ALPHABET)},
                  ${referrer?.id ?? null}::int, ${now}::timestamp)
          RETURNING id`);
        if (!member) throw new Error("unreachable: INSERT … RETURNING returns the row");
        // A phone seen before (its member deleted their data) enrolls without
        // a second welcome bonus: deleting and re-joining must not farm it.
        const firstTime =
          hash === null ||
          (await tx.one(sql`
            INSERT INTO "KnownPhone" (hash, "firstEnrolledAt") VALUES (${hash}, ${now}::timestamp)
            ON CONFLICT (hash) DO NOTHING RETURNING hash`)) !== undefined;
        if (referrer) await recordReferral(tx, referrer, { id: member.id, telegramId, phone, firstTime }, now);
        const welcomePoints = firstTime ? program.welcomeBonusPoints : 0;
        if (welcomePoints > 0) {
          await lockMember(tx, member.id);
          await postEntry(tx, program, {
            memberId: member.id,
            kind: "welcome",
            points: welcomePoints,
            idempotencyKey: `welcome:${member.id}`,
            at: now,
          });
        }
        await emit(
          tx,
          ctx.outbox,
          now,
          domainEvent("member.enrolled", {
            memberId: member.id,
            referredById: referrer?.id ?? null,
            welcomePoints,
            at: now.toISOString(),
          }),
        );
        return member.id;
      }),
    );
    return get({ id });
  }

  /**
   * The referral behind an enrollment, judged at once (domain/referrals.ts):
   * pending its first purchase, held for an admin, or refused with a reason.
   * The referrer's row, locked by the caller before the friend's row was
   * inserted, orders two friends joining at once, so the caps count both.
   */
  async function recordReferral(
    tx: SqlTx,
    referrer: { id: number; telegramId: string | null; phone: string | null },
    friend: { id: number; telegramId: string | null; phone: string | null; firstTime: boolean },
    now: Date,
  ) {
    const rules = program.gamification.referrals;
    if (!rules.enabled) return;
    const counts = await tx.one<{ recent: number; month: number }>(sql`
      SELECT count(*) FILTER (WHERE "createdAt" > ${new Date(now.getTime() - rules.burstDays * 86_400_000)}::timestamp)::int AS recent,
             count(*) FILTER (WHERE "createdAt" >= date_trunc('month', ${now}::timestamp) AND status <> 'refused')::int AS month
      FROM "Referral" WHERE "referrerId" = ${referrer.id}`);
    const verdict = judgeReferral(
      {
        sameAccount:
          (friend.telegramId !== null && friend.telegramId === referrer.telegramId) ||
          (friend.phone !== null && friend.phone === referrer.phone),
        returningMember: !friend.firstTime,
        recentCount: counts?.recent ?? 0,
        monthCount: counts?.month ?? 0,
      },
      rules,
    );
    await tx.many(sql`
      INSERT INTO "Referral" ("referrerId", "friendId", status, reason, "createdAt", "decidedAt")
      VALUES (${referrer.id}, ${friend.id}, ${verdict.status}, ${"reason" in verdict ? verdict.reason : null},
              ${now}::timestamp, ${verdict.status === "refused" ? now : null}::timestamp)`);
  }

  async function setLanguage(memberId: number, language: string) {
    await db.prisma.member.update({ where: { id: memberId }, data: { language } });
  }

  async function setNotifications(memberId: number, on: boolean) {
    await db.prisma.member.update({ where: { id: memberId }, data: { notifications: on } });
  }

  /** Sends to this chat fail with 403: the shopper blocked the bot. */
  async function markUnreachable(chatId: bigint | number) {
    await db.prisma.member.updateMany({
      where: { chatId: BigInt(chatId), status: "active" },
      data: { status: "unreachable" },
    });
  }

  /** The shopper wrote again or unblocked the bot. */
  async function markReachable(memberId: number, chatId: bigint | number) {
    await db.prisma.member.updateMany({
      where: { id: memberId, status: "unreachable" },
      data: { status: "active", chatId: BigInt(chatId) },
    });
  }

  async function referralCount(memberId: number) {
    return db.prisma.member.count({ where: { referredById: memberId } });
  }

  /** Everything Kopilka stores about a member, for "export my data". */
  async function exportData(memberId: number) {
    const m = await db.prisma.member.findUniqueOrThrow({
      where: { id: memberId },
      include: {
        purchases: {
          include: { items: true, returns: true, store: { select: { name: true } } },
          orderBy: { id: "asc" },
        },
        ledger: { orderBy: { id: "asc" } },
        redemptions: { orderBy: { createdAt: "asc" } },
      },
    });
    return JSON.parse(
      JSON.stringify({ exportedAt: ctx.now(), program: "Kopilka", member: m }, (_k, v) =>
        typeof v === "bigint" ? v.toString() : v,
      ),
    ) as Record<string, unknown>;
  }

  /**
   * Erases the member's personal data. The ledger and purchases stay, tied to
   * an anonymous member row, because accounting needs them; the balance is
   * forfeited with the account.
   */
  async function deleteData(memberId: number) {
    const now = ctx.now();
    const m = await db.prisma.member.findUnique({ where: { id: memberId }, select: { phone: true, createdAt: true } });
    const hash = m?.phone ? await hashPhone(m.phone) : null;
    await db.unitOfWork(async (tx) => {
      // Members who joined before phones were remembered: remember theirs now,
      // as the number itself is about to go.
      if (hash)
        await tx.many(sql`
          INSERT INTO "KnownPhone" (hash, "firstEnrolledAt") VALUES (${hash}, ${m?.createdAt ?? now}::timestamp)
          ON CONFLICT (hash) DO NOTHING`);
      await tx.many(sql`
        UPDATE "Member" SET "telegramId" = NULL, "chatId" = NULL, "firstName" = NULL, "lastName" = NULL, phone = NULL,
               birthday = NULL, language = NULL, status = 'deleted', notifications = false,
               "deletedAt" = ${now}::timestamp, "updatedAt" = ${now}::timestamp
        WHERE id = ${memberId}`);
      await emit(tx, ctx.outbox, now, domainEvent("member.deleted", { memberId, at: now.toISOString() }));
    });
  }

  /**
   * Saves the language a member reads in, when they have none yet (members
   * who joined before it was saved): messages sent later use it.
   */
  async function rememberLanguage(memberId: number, language: string) {
    await db.prisma.member.updateMany({ where: { id: memberId, language: null }, data: { language } });
  }

  return {
    phoneTaken,
    find,
    get,
    enroll,
    wasMemberBefore,
    setLanguage,
    rememberLanguage,
    setNotifications,
    markUnreachable,
    markReachable,
    referralCount,
    exportData,
    deleteData,
  };
}
export type MemberService = ReturnType<typeof createMemberService>;

/** A member as services return it (personal fields, settings, balance). */
export type Member = NonNullable<Awaited<ReturnType<MemberService["find"]>>>;
