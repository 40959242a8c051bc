import { Composer } from "grammy";
import type { Card } from "../../app/services/index.js";
import type { Context, ConversationContext } from "../context.js";
import { mainMenu } from "../keyboards.js";
import { fmtDate, fmtPercent, fmtPoints, fmtRub, fmtShortDate, labels } from "../i18n.js";

/** The card as text: balance, tier and rate, progress, expiring points, code, last operations. */
export function renderCard(ctx: ConversationContext, card: Card): string {
  const progress = card.next
    ? card.deadline
      ? ctx.t("card-progress-next", {
          next: card.next.name,
          remaining: fmtRub(ctx, card.remainingKopecks),
          deadline: fmtDate(ctx, card.deadline),
        })
      : ctx.t("card-progress-next-nodate", { next: card.next.name, remaining: fmtRub(ctx, card.remainingKopecks) })
    : ctx.t("card-progress-top");
  const parts = [
    ctx.t("card", {
      name: card.firstName ?? "",
      balance: fmtPoints(ctx, card.balance),
      tier: card.tier.name,
      rate: fmtPercent(ctx, card.tier.rateBp),
      progress,
      code: card.memberCode,
    }),
  ];
  if (card.expiring.length) {
    parts.push(
      [
        ctx.t("card-expiring-title"),
        ...card.expiring.map((e) =>
          ctx.t("card-expiring-line", { points: fmtPoints(ctx, e.points), date: fmtDate(ctx, e.date) }),
        ),
      ].join("\n"),
    );
  }
  const ops = card.lastOperations.map((o) =>
    ctx.t("card-op-line", {
      date: fmtShortDate(ctx, o.at),
      points: `${o.points > 0 ? "+" : "−"}${fmtPoints(ctx, Math.abs(o.points))}`,
      what:
        o.kind === "accrual" && o.storeName ? ctx.t("op-accrual-at", { store: o.storeName }) : ctx.t(`op-${o.kind}`),
    }),
  );
  parts.push([ctx.t("card-ops-title"), ...(ops.length ? ops : [ctx.t("card-ops-none")])].join("\n"));
  return parts.join("\n\n");
}

/** Sends the card with the main menu under it. */
export async function showCard(ctx: ConversationContext) {
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  const card = await ctx.deps.services.cards.card(ctx.member.id);
  return ctx.reply(renderCard(ctx, card), { reply_markup: mainMenu(ctx) });
}

export const cardFeature = new Composer<Context>();
cardFeature.command("card", (ctx) => showCard(ctx));
cardFeature.hears(labels("menu-card"), (ctx) => showCard(ctx));
