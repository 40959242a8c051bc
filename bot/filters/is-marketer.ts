import type { Context } from "../context.js";

/**
 * Admins and MARKETER_TELEGRAM_IDS send broadcasts. The check is an
 * in-memory set (the dashboard's roles), no database: the conversation
 * storage asks it on every update.
 */
export function isMarketer(ctx: { from?: { id: number } | undefined; deps: Context["deps"] }): boolean {
  return ctx.from ? ctx.deps.services.dashboardAuth.roleOf(ctx.from.id) !== null : false;
}
