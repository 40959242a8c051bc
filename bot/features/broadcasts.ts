import { Composer } from "grammy";
import { DomainError } from "../../domain/index.js";
import { renderProgress } from "../broadcaster.js";
import type { Context } from "../context.js";
import { isMarketer } from "../filters/is-marketer.js";
import { tailToHtml } from "../views/html.js";

/**
 * Broadcasts in Telegram: a marketer starts one with `/broadcast <text>` (to
 * every reachable member, 10 % control) and steers it with the buttons of
 * its self-editing progress message; a shopper's press on a broadcast's
 * button is counted for the results. `/broadcast` alone starts the guided
 * walk (bot/features/broadcast-walk.ts); this is the quick path.
 */
export const broadcastsFeature = new Composer<Context>();

broadcastsFeature.command("broadcast", async (ctx, next) => {
  if (!isMarketer(ctx)) return next();
  const plain = ctx.match.trim();
  if (!plain) return ctx.reply(ctx.t("broadcast-usage"));
  // Sent as HTML, as the walk's are: the marketer's "&" and "<" escaped, their bold and links kept.
  const full = ctx.msg?.text ?? "";
  const text = tailToHtml(full, ctx.msg?.entities, full.length - ctx.match.length);
  const b = ctx.deps.services.broadcasts;
  const id = await b.create({ name: plain.slice(0, 60), variants: [{ message: { text } }] }, String(ctx.from?.id));
  await b.start(id);
  const p = await b.progress(id);
  const view = renderProgress(ctx.locale ?? "ru", p);
  const m = await ctx.reply(view.text, { reply_markup: view.buttons });
  await b.attachProgress(id, BigInt(m.chat.id), m.message_id);
});

broadcastsFeature.callbackQuery(/^bc([prx]):(\d+)$/, async (ctx) => {
  if (!isMarketer(ctx)) return ctx.answerCallbackQuery(ctx.t("broadcast-toast-forbidden"));
  const [, op, idText] = ctx.match;
  const id = Number(idText);
  const b = ctx.deps.services.broadcasts;
  try {
    if (op === "p") await b.pause(id);
    else if (op === "r") await b.resume(id);
    else await b.cancel(id);
  } catch (e) {
    if (e instanceof DomainError) return ctx.answerCallbackQuery(ctx.t("broadcast-toast-not-now"));
    throw e;
  }
  await ctx.answerCallbackQuery(
    ctx.t(op === "p" ? "broadcast-toast-paused" : op === "r" ? "broadcast-toast-resumed" : "broadcast-toast-cancelled"),
  );
  const view = renderProgress(ctx.locale ?? "ru", await b.progress(id));
  await ctx.editMessageText(view.text, { reply_markup: view.buttons }).catch(() => {});
});

broadcastsFeature.callbackQuery(/^bc:(\d+)$/, async (ctx) => {
  await ctx.deps.services.broadcasts.click(Number(ctx.match[1]), ctx.from.id);
  await ctx.answerCallbackQuery(ctx.t("broadcast-click-thanks"));
});
