import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { Context } from "../context.js";
import { fmtPoints } from "../i18n.js";

/** "Export my data" (a JSON file) and "delete my data" (confirmed; ledger kept anonymized). */
export const privacyFeature = new Composer<Context>();

privacyFeature.command("privacy", (ctx) =>
  ctx.member
    ? ctx.reply(ctx.t("privacy"), {
        reply_markup: new InlineKeyboard()
          .text(ctx.t("privacy-export"), "privacy:export")
          .row()
          .text(ctx.t("privacy-delete"), "privacy:delete"),
      })
    : ctx.reply(ctx.t("not-enrolled")),
);

privacyFeature.callbackQuery("privacy:export", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (!ctx.member) return;
  const data = await ctx.deps.services.members.exportData(ctx.member.id);
  const file = new InputFile(Buffer.from(JSON.stringify(data, null, 2)), `kopilka-${ctx.member.memberCode}.json`);
  await ctx.replyWithDocument(file, { caption: ctx.t("privacy-export-caption") });
});

privacyFeature.callbackQuery("privacy:delete", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (!ctx.member) return;
  await ctx.reply(ctx.t("privacy-delete-confirm", { balance: fmtPoints(ctx, ctx.member.balance) }), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("privacy-delete-yes"), "privacy:delete-yes")
      .text(ctx.t("privacy-delete-no"), "privacy:delete-no"),
  });
});

privacyFeature.callbackQuery("privacy:delete-yes", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  if (!ctx.member) return;
  await ctx.deps.services.members.deleteData(ctx.member.id);
  ctx.member = null;
  await ctx.reply(ctx.t("privacy-deleted"), { reply_markup: { remove_keyboard: true } });
});

privacyFeature.callbackQuery("privacy:delete-no", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  await ctx.reply(ctx.t("privacy-kept"));
});
