import { Composer, InlineKeyboard } from "grammy";
import { stars } from "../../domain/index.js";
import type { Context } from "../context.js";

/**
 * Reviews of a visit: the shopper's stars under the day-after question, a
 * comment or a photo as a reply to the prompt that follows, and `/reviews`
 * for moderators (the store's staff, admins) with Approve / Reject. Points
 * are the service's business; this only carries presses and texts.
 */
export const reviewsFeature = new Composer<Context>();

reviewsFeature.callbackQuery(/^rv:(\d+):([1-5])$/, async (ctx) => {
  const r = await ctx.deps.services.reviews.rate(ctx.from.id, Number(ctx.match[1]), Number(ctx.match[2]));
  if (r.status !== "recorded" && r.status !== "updated") {
    await ctx.answerCallbackQuery({ text: ctx.t(`review-${r.status}`) });
    if (r.status !== "unknown") await ctx.editMessageReplyMarkup().catch(() => {});
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("review-thanks", { stars: stars(r.rating) })).catch(() => {});
  if (r.status === "recorded") {
    const q = await ctx.reply(ctx.t("review-more"), {
      reply_markup: { force_reply: true, input_field_placeholder: ctx.t("review-more-placeholder") },
    });
    await ctx.deps.services.reviews.prompted(r.reviewId, q.message_id);
  }
});

reviewsFeature.on(["message:text", "message:photo"], async (ctx, next) => {
  const to = ctx.msg.reply_to_message;
  if (!to || to.from?.id !== ctx.me.id) return next();
  const photo = ctx.msg.photo?.at(-1)?.file_id;
  const text = ctx.msg.text ?? ctx.msg.caption;
  if (!(await ctx.deps.services.reviews.comment(ctx.from.id, to.message_id, { text, photoFileId: photo })))
    return next();
  await ctx.reply(ctx.t("review-comment-thanks"));
});

async function moderatorOf(ctx: Context) {
  if (!ctx.from) return null;
  const role = await ctx.deps.services.staff.roleOf(ctx.from.id);
  if (role.role === "admin") return { who: `telegram:${ctx.from.id}`, admin: true as const, storeId: undefined };
  if (role.role === "staff") return { who: `telegram:${ctx.from.id}`, admin: false as const, storeId: role.storeId };
  return null;
}

reviewsFeature.command("reviews", async (ctx, next) => {
  const by = await moderatorOf(ctx);
  if (!by) return next();
  const list = await ctx.deps.services.reviews.pending({ storeId: by.storeId });
  if (!list.length) return ctx.reply(ctx.t("reviews-none"));
  for (const r of list) {
    const text = ctx.t(r.comment ? "reviews-item-comment" : "reviews-item", {
      store: r.storeName,
      stars: stars(r.rating),
      name: r.memberName ?? "—",
      comment: r.comment ?? "",
    });
    const reply_markup = new InlineKeyboard()
      .text(ctx.t("reviews-approve"), `rvm:${r.id}:a`)
      .text(ctx.t("reviews-reject"), `rvm:${r.id}:r`);
    if (r.photoFileId) await ctx.replyWithPhoto(r.photoFileId, { caption: text, reply_markup });
    else await ctx.reply(text, { reply_markup });
  }
});

reviewsFeature.callbackQuery(/^rvm:(\d+):([ar])$/, async (ctx) => {
  const by = await moderatorOf(ctx);
  if (!by) return ctx.answerCallbackQuery({ text: ctx.t("reviews-forbidden") });
  const r = await ctx.deps.services.reviews.moderate(
    Number(ctx.match[1]),
    ctx.match[2] === "a" ? "approve" : "reject",
    by,
  );
  const key =
    r.status === "approved" ? (r.overCap ? "reviews-approved-cap" : "reviews-approved") : `reviews-${r.status}`;
  await ctx.answerCallbackQuery({ text: ctx.t(key, { points: r.status === "approved" ? r.points : 0 }) });
  if (r.status === "approved" || r.status === "rejected" || r.status === "not-pending")
    await ctx.editMessageReplyMarkup().catch(() => {});
});
