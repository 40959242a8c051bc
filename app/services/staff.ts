import { createHash, randomBytes } from "node:crypto";
import { addHours } from "date-fns";
import { DomainError } from "../../domain/index.js";
import type { ServiceContext } from "./context.js";

export type Role =
  | { role: "admin"; language?: string | null }
  | { role: "staff"; storeId: number; staffId: number; language: string | null }
  | { role: "shopper" };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * Who may do what: admins (Telegram ids from configuration) invite staff with
 * a one-time link (24 hours, single use; only its hash is stored); staff act
 * for their own store.
 */
export function createStaffService(ctx: ServiceContext, adminIds: ReadonlySet<string>) {
  const { db } = ctx;

  async function roleOf(telegramId: number | bigint): Promise<Role> {
    const s = await db.prisma.staffMember.findUnique({ where: { telegramId: BigInt(telegramId) } });
    if (adminIds.has(String(telegramId))) return { role: "admin", language: s?.language ?? null };
    return s && !s.revokedAt
      ? { role: "staff", storeId: s.storeId, staffId: s.id, language: s.language }
      : { role: "shopper" };
  }

  async function createInvite(storeId: number, createdBy: number | bigint) {
    const store = await db.prisma.store.findUnique({ where: { id: storeId } });
    if (!store) throw new DomainError("STORE.NOT_FOUND", `no store ${storeId}`, { storeId });
    const token = randomBytes(18).toString("base64url");
    const expiresAt = addHours(ctx.now(), 24);
    await db.prisma.staffInvite.create({
      data: { tokenHash: sha256(token), storeId, createdBy: BigInt(createdBy), expiresAt },
    });
    return { token, store, expiresAt };
  }

  /** Binds the account to the invite's store; an invite works once, within 24 hours. */
  async function acceptInvite(
    token: string,
    who: { telegramId: number; chatId: number; name: string; language?: string | null },
  ) {
    const now = ctx.now();
    const invite = await db.prisma.staffInvite.findUnique({
      where: { tokenHash: sha256(token) },
      include: { store: true },
    });
    if (!invite || invite.usedAt || invite.expiresAt <= now)
      throw new DomainError("INPUT.INVALID", "the invite is unknown, used or expired", { field: "invite" });
    // Claim it atomically: of two people racing for one link, one wins.
    const claimed = await db.prisma.staffInvite.updateMany({
      where: { tokenHash: invite.tokenHash, usedAt: null },
      data: { usedAt: now, usedBy: BigInt(who.telegramId) },
    });
    if (claimed.count !== 1) throw new DomainError("INPUT.INVALID", "the invite was used", { field: "invite" });
    const staff = await db.prisma.staffMember.upsert({
      where: { telegramId: BigInt(who.telegramId) },
      create: {
        telegramId: BigInt(who.telegramId),
        chatId: BigInt(who.chatId),
        name: who.name,
        storeId: invite.storeId,
        language: who.language ?? null,
      },
      update: { chatId: BigInt(who.chatId), name: who.name, storeId: invite.storeId, revokedAt: null },
    });
    return { staff, store: invite.store };
  }

  const list = () =>
    db.prisma.staffMember.findMany({ where: { revokedAt: null }, include: { store: true }, orderBy: { id: "asc" } });

  /** A staff member still in office, with their store, or null. */
  const get = (staffId: number) =>
    db.prisma.staffMember.findFirst({ where: { id: staffId, revokedAt: null }, include: { store: true } });

  /** Revokes access; returns who lost it (to tell them), or null when it was revoked already. */
  async function revoke(staffId: number) {
    const s = await get(staffId);
    const done = await db.prisma.staffMember.updateMany({
      where: { id: staffId, revokedAt: null },
      data: { revokedAt: ctx.now() },
    });
    return done.count === 1 ? s : null;
  }

  /** Every store with the id admins type in /staff_invite. */
  const stores = () =>
    db.prisma.store.findMany({
      select: { id: true, name: true, address: true, active: true },
      orderBy: { id: "asc" },
    });

  /** The language a staff member's messages are written in (ru or en). */
  async function setLanguage(telegramId: number | bigint, language: string) {
    const r = await db.prisma.staffMember.updateMany({ where: { telegramId: BigInt(telegramId) }, data: { language } });
    return r.count > 0;
  }

  return { roleOf, createInvite, acceptInvite, list, get, revoke, stores, setLanguage };
}
export type StaffService = ReturnType<typeof createStaffService>;

/** How long a verified key is trusted without asking the database again. */
const KEY_CACHE_MS = 5_000;

/** What a verified key may do: a store's POS acts for that store only; an admin key reads the chain's metrics. */
export type VerifiedKey = ({ role: "pos" } & ApiKeyGrant) | { role: "admin"; id: number };

/**
 * API keys: a POS key for one store, or an admin key for the back office;
 * shown once, stored as SHA-256 only. Verified keys are remembered for 5
 * seconds, so a revocation made by another process (the CLI) takes effect
 * within that time.
 */
/** What a verified API key may do. */
export interface ApiKeyGrant {
  id: number;
  storeId: number;
  trustedPos: boolean;
  /** May post purchases dated outside the program's purchaseTimeWindow. */
  importHistory: boolean;
}

export function createApiKeyService(ctx: ServiceContext) {
  const { db } = ctx;
  const cache = new Map<string, { value: VerifiedKey | null; at: number }>();
  const newKey = () => `kp_${randomBytes(24).toString("base64url")}`;
  return {
    async create(storeId: number, opts: { importHistory?: boolean } = {}) {
      const store = await db.prisma.store.findUnique({ where: { id: storeId } });
      if (!store) throw new DomainError("STORE.NOT_FOUND", `no store ${storeId}`, { storeId });
      const key = newKey();
      const importHistory = opts.importHistory ?? false;
      const row = await db.prisma.apiKey.create({
        data: { storeId, keyHash: sha256(key), prefix: key.slice(0, 8), importHistory },
      });
      return { id: row.id, storeId, key, importHistory };
    },
    /** What a key may do, or null for an unknown or revoked key. */
    /** A key for the admin API (metrics, offers, broadcasts); it cannot post purchases for any store. */
    async createAdmin() {
      const key = newKey();
      const row = await db.prisma.apiKey.create({
        data: { role: "admin", storeId: null, keyHash: sha256(key), prefix: key.slice(0, 8) },
      });
      return { id: row.id, key };
    },
    async verify(key: string): Promise<VerifiedKey | null> {
      if (!key.startsWith("kp_") || key.length > 100) return null;
      const hash = sha256(key);
      const hit = cache.get(hash);
      if (hit && Date.now() - hit.at < KEY_CACHE_MS) return hit.value;
      // One indexed statement, no ORM round trip.
      const [row] = await db.query<{
        id: number;
        role: "pos" | "admin";
        storeId: number | null;
        trustedPos: boolean | null;
        importHistory: boolean;
      }>(
        `SELECT k.id, k.role::text AS role, k."storeId", s."trustedPos", k."importHistory" FROM "ApiKey" k LEFT JOIN "Store" s ON s.id = k."storeId"
         WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
        [hash],
      );
      const value: VerifiedKey | null = !row
        ? null
        : row.role === "admin"
          ? { role: "admin", id: row.id }
          : {
              role: "pos",
              id: row.id,
              storeId: row.storeId ?? 0,
              trustedPos: row.trustedPos ?? false,
              importHistory: row.importHistory,
            };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { value, at: Date.now() });
      return value;
    },
    async revoke(id: number) {
      cache.clear();
      const r = await db.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: ctx.now() } });
      return r.count === 1;
    },
    list: () => db.prisma.apiKey.findMany({ orderBy: { id: "asc" } }),
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
