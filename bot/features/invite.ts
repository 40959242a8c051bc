import { Composer, InlineKeyboard } from "grammy";
import type { Context } from "../context.js";
import { fmtPoints, fmtRub, labels } from "../i18n.js";

/**
 * The member's personal deep link, what both sides earn and when, how many
 * friends joined, and a button that opens Telegram's share sheet with the
 * link and a line for the friend.
 */
async function invite(ctx: Context) {
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  const rules = ctx.deps.services.program.gamification.referrals;
  const count = await ctx.deps.services.members.referralCount(ctx.member.id);
  const link = `https://t.me/${ctx.me.username}?start=ref_${ctx.member.referralCode}`;
  const l = ctx.locale ?? "ru";
  const share = `https://t.me/share/url?url=${encodeURIComponent(link)}&text=${encodeURIComponent(
    ctx.t("invite-share-text", { points: fmtPoints(l, rules.points) }),
  )}`;
  await ctx.reply(
    ctx.t("invite", {
      link,
      count: String(count),
      points: fmtPoints(l, rules.points),
      basket: fmtRub(l, rules.minBasketKopecks),
      days: rules.returnWindowDays,
    }),
    {
      link_preview_options: { is_disabled: true },
      reply_markup: new InlineKeyboard().url(ctx.t("invite-share"), share),
    },
  );
}

export const inviteFeature = new Composer<Context>();
inviteFeature.command("invite", invite);
inviteFeature.hears(labels("menu-invite"), invite);
