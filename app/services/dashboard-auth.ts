import { createHash, randomBytes } from "node:crypto";
import { addHours, addMinutes } from "date-fns";
import type { ServiceContext } from "./context.js";

export type DashboardRole = "admin" | "marketer";

/** A login link works once, within this many minutes. */
export const LOGIN_LINK_MINUTES = 10;
/** A session lasts this long from login. */
export const SESSION_HOURS = 12;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * Who may open the dashboard (admins and marketers from configuration; admins
 * are marketers too), the one-time login links the bot hands them, and the
 * sessions those links open. Only hashes of tokens are stored; the role is
 * read from configuration on every request, so taking someone off the list
 * ends their access at once.
 */
export function createDashboardAuth(
  ctx: ServiceContext,
  roles: { adminIds: ReadonlySet<string>; marketerIds: ReadonlySet<string> },
) {
  const { db } = ctx;

  function roleOf(telegramId: number | bigint | string): DashboardRole | null {
    const id = String(telegramId);
    if (roles.adminIds.has(id)) return "admin";
    if (roles.marketerIds.has(id)) return "marketer";
    return null;
  }

  /** A one-time login token for an admin or marketer; null for anyone else. */
  async function issueLogin(
    telegramId: number | bigint,
  ): Promise<{ token: string; expiresAt: Date; minutes: number } | null> {
    if (!roleOf(telegramId)) return null;
    const token = randomBytes(24).toString("base64url");
    const expiresAt = addMinutes(ctx.now(), LOGIN_LINK_MINUTES);
    await db.prisma.dashboardLogin.create({
      data: { tokenHash: sha256(token), telegramId: BigInt(telegramId), expiresAt },
    });
    return { token, expiresAt, minutes: LOGIN_LINK_MINUTES };
  }

  /**
   * Spends a login token (once: of two tabs racing, one wins) and opens a
   * session. Null when the token is unknown, used, expired, or its owner is
   * no longer an admin or marketer.
   */
  async function redeemLogin(token: string) {
    if (!/^[\w-]{16,64}$/.test(token)) return null;
    const now = ctx.now();
    const [row] = await db.query<{ telegramId: string | number }>(
      `UPDATE "DashboardLogin" SET "usedAt" = $2::timestamp
       WHERE "tokenHash" = $1 AND "usedAt" IS NULL AND "expiresAt" > $2::timestamp RETURNING "telegramId"`,
      [sha256(token), now.toISOString().replace("Z", "")],
    );
    if (!row) return null;
    const role = roleOf(row.telegramId);
    if (!role) return null;
    const session = randomBytes(32).toString("base64url");
    const expiresAt = addHours(now, SESSION_HOURS);
    await db.prisma.dashboardSession.create({
      data: { tokenHash: sha256(session), telegramId: BigInt(row.telegramId), expiresAt },
    });
    return { session, role, expiresAt, maxAgeSeconds: SESSION_HOURS * 3600 };
  }

  /** The signed-in user behind a session cookie, or null. */
  async function session(token: string | undefined): Promise<{ telegramId: string; role: DashboardRole } | null> {
    if (!token || !/^[\w-]{16,64}$/.test(token)) return null;
    const s = await db.prisma.dashboardSession.findUnique({ where: { tokenHash: sha256(token) } });
    if (!s || s.expiresAt <= ctx.now()) return null;
    const role = roleOf(s.telegramId);
    return role ? { telegramId: String(s.telegramId), role } : null;
  }

  async function logout(token: string | undefined) {
    if (token) await db.prisma.dashboardSession.deleteMany({ where: { tokenHash: sha256(token) } });
  }

  return { roleOf, issueLogin, redeemLogin, session, logout };
}
export type DashboardAuth = ReturnType<typeof createDashboardAuth>;
