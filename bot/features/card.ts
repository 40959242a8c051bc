import { Composer, GrammyError, InputFile } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { Card } from "../../app/services/index.js";
import { TELEGRAM_CAPTION_LIMIT } from "../../domain/index.js";
import { renderCardImage } from "../card-image.js";
import type { Context, ConversationContext } from "../context.js";
import { mainMenu } from "../keyboards.js";
import {
  currentLocale,
  fmtDate,
  fmtPercent,
  fmtPoints,
  fmtRub,
  fmtShortDate,
  i18n,
  labels,
  tierName,
} from "../i18n.js";

/** Stands for the member code while the text is composed, so the code's offset is known exactly. */
const CODE_MARK = "\u0000code\u0000";

interface SpendRules {
  maxShareBp: number;
  pointValueKopecks: number;
  expiryMonths: number;
}

/** How points are spent: the cap, a point's worth, the expiry (under the card and in /help). */
export function howToSpend(ctx: ConversationContext, rules: SpendRules): string {
  // The same few lines under every card: formatted once per language and rules.
  const locale = currentLocale(ctx);
  const key = `${locale}|${rules.maxShareBp}|${rules.pointValueKopecks}|${rules.expiryMonths}`;
  let text = spendTexts.get(key);
  if (text === undefined) {
    text = i18n.t(locale, "card-how-to-spend", {
      share: fmtPercent(locale, rules.maxShareBp),
      worth: fmtRub(locale, rules.pointValueKopecks),
      months: rules.expiryMonths,
    });
    spendTexts.set(key, text);
  }
  return text;
}
const spendTexts = new Map<string, string>();

/**
 * The card's caption: balance, tier and rate, progress, expiring points, the
 * code (a `code` entity, so one tap copies it), how points are spent and the
 * last operations — as many of those as fit Telegram's caption limit.
 */
export function cardCaption(
  ctx: ConversationContext,
  card: Card,
  rules: SpendRules,
): { caption: string; entities: MessageEntity[] } {
  const progress = card.next
    ? card.deadline
      ? ctx.t("card-progress-next", {
          next: tierName(ctx, card.next),
          remaining: fmtRub(ctx, card.remainingKopecks),
          deadline: fmtDate(ctx, card.deadline, undefined, card.asOf),
        })
      : ctx.t("card-progress-next-nodate", {
          next: tierName(ctx, card.next),
          remaining: fmtRub(ctx, card.remainingKopecks),
        })
    : ctx.t("card-progress-top");
  const parts = [
    ctx.t("card", {
      name: card.firstName ?? "",
      balance: fmtPoints(ctx, card.balance),
      tier: tierName(ctx, card.tier),
      rate: fmtPercent(ctx, card.tier.rateBp),
      progress,
      code: CODE_MARK,
    }),
  ];
  if (card.expiring.length) {
    parts.push(
      [
        ctx.t("card-expiring-title"),
        ...card.expiring.map((e) =>
          ctx.t("card-expiring-line", {
            points: fmtPoints(ctx, e.points),
            date: fmtDate(ctx, e.date, undefined, card.asOf),
          }),
        ),
      ].join("\n"),
    );
  }
  parts.push(howToSpend(ctx, rules));
  const ops = card.lastOperations.map((o) =>
    ctx.t("card-op-line", {
      date: fmtShortDate(ctx, o.at),
      points: `${o.points > 0 ? "+" : "−"}${fmtPoints(ctx, Math.abs(o.points))}`,
      what:
        o.kind === "accrual" && o.storeName ? ctx.t("op-accrual-at", { store: o.storeName }) : ctx.t(`op-${o.kind}`),
    }),
  );
  const compose = (n: number) =>
    [...parts, [ctx.t("card-ops-title"), ...(ops.length ? ops.slice(0, n) : [ctx.t("card-ops-none")])].join("\n")].join(
      "\n\n",
    );
  let n = ops.length;
  let text = compose(n);
  while (n > 0 && text.length - CODE_MARK.length + card.memberCode.length > TELEGRAM_CAPTION_LIMIT) text = compose(--n);
  if (text.length - CODE_MARK.length + card.memberCode.length > TELEGRAM_CAPTION_LIMIT) text = parts.join("\n\n");
  const offset = text.indexOf(CODE_MARK);
  const caption = text.replace(CODE_MARK, card.memberCode).slice(0, TELEGRAM_CAPTION_LIMIT);
  return { caption, entities: offset >= 0 ? [{ type: "code", offset, length: card.memberCode.length }] : [] };
}

/**
 * Sends the card: the picture with the barcode and QR (uploaded once per
 * member code, then by Telegram's file_id), the card's text under it and the
 * main menu.
 */
export async function showCard(ctx: ConversationContext) {
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  const { cards } = ctx.deps.services;
  // Read with the member when the middleware saw the request coming (bot/filters/asks-for-card.ts).
  const card = ctx.card ?? (await cards.card(ctx.member.id));
  const { caption, entities } = cardCaption(ctx, card, cards.spendRules());
  const extra = { caption, caption_entities: entities, reply_markup: mainMenu(ctx) };
  if (card.imageFileId) {
    try {
      return await ctx.replyWithPhoto(card.imageFileId, extra);
    } catch (e) {
      // Telegram forgot the file (or it belongs to another bot token): draw and upload again.
      if (!(e instanceof GrammyError && e.error_code === 400)) throw e;
      ctx.deps.log.warn({ err: e }, "stored card picture rejected; uploading it again");
      await cards.forgetImage(card.memberCode);
    }
  }
  const png = await renderCardImage(card.memberCode);
  const sent = await ctx.replyWithPhoto(new InputFile(png, "kopilka-card.png"), extra);
  const fileId = sent.photo.at(-1)?.file_id;
  if (fileId) await cards.rememberImage(card.memberCode, fileId);
  return sent;
}

export const cardFeature = new Composer<Context>();
cardFeature.command("card", (ctx) => showCard(ctx));
cardFeature.hears(labels("menu-card"), (ctx) => showCard(ctx));
