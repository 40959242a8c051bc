import { Composer } from "grammy";
import type { Context } from "../context.js";

/**
 * The NPS survey's answers: a press on 0–10 under the question records the
 * score once (the question then says thank you), a detractor is asked one
 * follow-up question, and a reply to that question is their comment. Only a
 * message that replies to one of ours is looked up, so a shopper's every
 * other message costs nothing here.
 */
export const surveysFeature = new Composer<Context>();

surveysFeature.callbackQuery(/^nps:(\d+):(\d+)$/, async (ctx) => {
  const nps = ctx.deps.services.surveys.nps;
  const r = await nps.answer(ctx.from.id, Number(ctx.match[1]), Number(ctx.match[2]));
  if (r.status !== "recorded") {
    await ctx.answerCallbackQuery({ text: ctx.t(`nps-${r.status}`) });
    if (r.status !== "unknown") await ctx.editMessageReplyMarkup().catch(() => {});
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("nps-thanks", { score: r.score })).catch(() => {});
  if (r.asksWhy) {
    const q = await ctx.reply(ctx.t("nps-why"), {
      reply_markup: { force_reply: true, input_field_placeholder: ctx.t("nps-why-placeholder") },
    });
    await nps.askedWhy(r.surveyId, q.message_id);
  }
});

surveysFeature.on("message:text", async (ctx, next) => {
  const to = ctx.msg.reply_to_message;
  if (!to || to.from?.id !== ctx.me.id) return next();
  if (!(await ctx.deps.services.surveys.nps.comment(ctx.from.id, to.message_id, ctx.msg.text))) return next();
  await ctx.reply(ctx.t("nps-comment-thanks"));
});
