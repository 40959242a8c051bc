import { Composer } from "grammy";
import type { Context } from "../context.js";
import { mainMenu } from "../keyboards.js";
import { howToSpend } from "./card.js";

export const helpFeature = new Composer<Context>();
/**
 * /help: shoppers get the commands and how points are spent; staff get their
 * commands with examples first (and the shopper part too when they are members).
 */
helpFeature.command("help", async (ctx) => {
  const shopper = `${ctx.t("help")}\n\n${howToSpend(ctx, ctx.deps.services.cards.spendRules())}`;
  const role = ctx.from ? (await ctx.deps.services.staff.roleOf(ctx.from.id)).role : "shopper";
  const staff =
    role === "admin"
      ? `${ctx.t("staff-help")}\n\n${ctx.t("admin-help")}`
      : role === "staff"
        ? ctx.t("staff-help")
        : null;
  const text = staff ? (ctx.member ? `${staff}\n\n${shopper}` : staff) : shopper;
  return ctx.reply(text, ctx.member ? { reply_markup: mainMenu(ctx) } : {});
});

/**
 * Last in the chain: anything no feature handled. Members get a hint and the
 * menu; everyone else an invitation to enroll. Callback queries nobody
 * handled (an old button) get a toast saying so, and the old buttons go.
 */
export const fallbackFeature = new Composer<Context>();
fallbackFeature.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
  await ctx.editMessageReplyMarkup().catch(() => {});
});
fallbackFeature.on("message", (ctx) => {
  if (ctx.chat.type !== "private") return;
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  return ctx.reply(ctx.t("fallback"), { reply_markup: mainMenu(ctx) });
});
