import { Composer } from "grammy";
import type { Context } from "../context.js";
import { labels } from "../i18n.js";

/** The member's personal deep link and how many friends joined through it. */
async function invite(ctx: Context) {
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  const count = await ctx.deps.services.members.referralCount(ctx.member.id);
  const link = `https://t.me/${ctx.me.username}?start=ref_${ctx.member.referralCode}`;
  await ctx.reply(ctx.t("invite", { link, count: String(count) }), { link_preview_options: { is_disabled: true } });
}

export const inviteFeature = new Composer<Context>();
inviteFeature.command("invite", invite);
inviteFeature.hears(labels("menu-invite"), invite);
