import { randomInt } from "node:crypto";
import { DomainError } from "../../domain/index.js";
import type { Tx } from "../db/database.js";
import { withRetry } from "../db/retry.js";
import type { ServiceContext } from "./context.js";
import { lockMember, postEntry } from "./ledger.js";

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

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function randomCode(len: number, alphabet: string) {
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** "8 (912) 345-67-89" → "+79123456789"; null when it is not a phone number. */
export function normalizePhone(raw: string): string | null {
  let d = raw.replace(/[^\d]/g, "");
  if (d.length === 11 && d.startsWith("8")) d = `7${d.slice(1)}`;
  if (d.length === 10 && d.startsWith("9")) d = `7${d}`;
  return d.length >= 10 && d.length <= 15 ? `+${d}` : null;
}

export type MemberKey = { id: number } | { memberCode: string } | { phone: string } | { telegramId: bigint | number };

export function createMemberService(ctx: ServiceContext) {
  const { db, program } = ctx;

  async function find(key: MemberKey, tx: Tx = db.prisma) {
    if ("phone" in key) {
      const phone = normalizePhone(key.phone);
      return phone ? tx.member.findUnique({ where: { phone } }) : null;
    }
    if ("telegramId" in key) return tx.member.findUnique({ where: { telegramId: BigInt(key.telegramId) } });
    if ("memberCode" in key)
      return tx.member.findUnique({ where: { memberCode: key.memberCode.trim().toUpperCase() } });
    return tx.member.findUnique({ where: { id: key.id } });
  }

  async function get(key: MemberKey, tx?: Tx) {
    const m = await find(key, tx);
    if (!m || m.status === "deleted")
      throw new DomainError("MEMBER.NOT_FOUND", "no such member", { key: String(Object.values(key)[0]) });
    return m;
  }

  /**
   * Creates a member and posts the welcome bonus, in one unit of work. A phone
   * or Telegram account that is already enrolled is refused, not enrolled twice.
   */
  async function enroll(input: EnrollInput) {
    const phone = input.phone ? normalizePhone(input.phone) : null;
    if (input.phone && !phone) throw new DomainError("INPUT.INVALID", "not a phone number", { field: "phone" });
    return withRetry(() =>
      db.transaction(async (tx) => {
        if (input.telegramId != null) {
          const existing = await tx.member.findUnique({ where: { telegramId: BigInt(input.telegramId) } });
          if (existing && existing.status !== "deleted")
            throw new DomainError("MEMBER.ALREADY_ENROLLED", "this Telegram account is enrolled", {
              memberId: existing.id,
            });
        }
        if (phone && (await tx.member.findUnique({ where: { phone } })))
          throw new DomainError("MEMBER.PHONE_TAKEN", "this phone belongs to another member");
        const referrer = input.referralCode
          ? await tx.member.findUnique({ where: { referralCode: input.referralCode } })
          : null;
        const now = ctx.now();
        const member = await tx.member.create({
          data: {
            telegramId: input.telegramId != null ? BigInt(input.telegramId) : null,
            chatId: input.chatId != null ? BigInt(input.chatId) : null,
            firstName: input.firstName ?? null,
            lastName: input.lastName ?? null,
            phone,
            birthday: input.birthday ?? null,
            language: input.language ?? null,
            consentAt: now,
            // Digits only, so a cashier types it on a numeric keypad; a clash retries.
            memberCode: String(randomInt(10_000_000, 100_000_000)),
            referralCode: randomCode(8, CODE_ALPHABET),
            referredById: referrer && referrer.status !== "deleted" ? referrer.id : null,
          },
        });
        if (program.welcomeBonusPoints > 0) {
          await lockMember(tx, member.id);
          await postEntry(tx, program, {
            memberId: member.id,
            kind: "welcome",
            points: program.welcomeBonusPoints,
            idempotencyKey: `welcome:${member.id}`,
            at: now,
          });
        }
        return tx.member.findUniqueOrThrow({ where: { id: member.id } });
      }),
    );
  }

  return { find, get, enroll };
}
export type MemberService = ReturnType<typeof createMemberService>;
