import { Composer } from "grammy";
import type { Context } from "../context.js";

/**
 * /dashboard: an admin or marketer gets a one-time link to the web dashboard
 * (short-lived, single use). The link opens a page with a
 * "sign in" button, so a link preview fetching it spends nothing; previews
 * are off anyway.
 */
export const dashboardFeature = new Composer<Context>();
dashboardFeature.chatType("private").command("dashboard", async (ctx) => {
  const login = await ctx.deps.services.dashboardAuth.issueLogin(ctx.from.id);
  if (!login) return ctx.reply(ctx.t("dashboard-not-allowed"));
  const link = `${ctx.deps.publicUrl ?? "http://localhost:3000"}/dashboard/login?token=${login.token}`;
  await ctx.reply(ctx.t("dashboard-link", { link, minutes: login.minutes }), {
    link_preview_options: { is_disabled: true },
  });
});
