import { Composer, InlineKeyboard } from "grammy";
import type { MemberOffer } from "../../app/offers/index.js";
import { isDomainError, type Leaf } from "../../domain/index.js";
import type { Context } from "../context.js";
import { currentLocale, fmtDate, fmtPoints, fmtRub, labels, tierName } from "../i18n.js";
import { escapeHtml as escape } from "../views/html.js";

/**
 * /offers and the menu button: the shopper's personal offers, each with why
 * they got it (the condition's leaves they satisfy), until when and where,
 * and an "Activate" button on those that need it. Points are the services';
 * this only words them.
 */

const product = (p: { category?: string | undefined; sku?: string | undefined }) => p.category ?? p.sku ?? "";

/**
 * An offer goes out as Telegram HTML: every value put into its lines (store,
 * category, gift, tier names from the config) is escaped, so "Кофе & Чай"
 * reads as named instead of making Telegram refuse the message; the texts'
 * own tags (the gift code's <b>) stay.
 */
function t(ctx: Context, key: string, vars?: Record<string, string | number>): string {
  if (!vars) return ctx.t(key);
  return ctx.t(
    key,
    Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === "string" ? escape(v) : v])),
  );
}

function reason(ctx: Context, leaf: Leaf): string | null {
  switch (leaf.kind) {
    case "bought":
      return t(ctx, "offers-why-bought", { product: product(leaf.product), regular: leaf.times > 1 ? "yes" : "no" });
    case "daysSinceLastPurchase":
      return ctx.t(leaf.min !== undefined ? "offers-why-missed" : "offers-why-recent");
    case "visits":
      return ctx.t("offers-why-visits");
    case "spend":
      return ctx.t("offers-why-spend");
    case "birthdayWithin":
      return ctx.t("offers-why-birthday");
    case "tier":
      return t(ctx, "offers-why-tier", {
        tier: leaf.in.map((c) => tierName(ctx, { code: c, name: c })).join(", "),
      });
    case "rfm":
      return ctx.t("offers-why-loyal");
    case "homeStore":
      return ctx.t("offers-why-home");
    case "enrolledWithin":
      return ctx.t("offers-why-new");
    default:
      return null; // balance ≥ 0 (everyone), language: not a reason a shopper reads
  }
}

function rewardLine(ctx: Context, m: MemberOffer): string {
  const r = m.offer.reward;
  const en = currentLocale(ctx) === "en";
  switch (r.kind) {
    case "bonus":
      return r.minBasketKopecks > 0
        ? t(ctx, "offers-reward-bonus-min", {
            points: fmtPoints(ctx, r.points),
            basket: fmtRub(ctx, r.minBasketKopecks),
          })
        : t(ctx, "offers-reward-bonus", { points: fmtPoints(ctx, r.points) });
    case "multiplier":
      return t(ctx, "offers-reward-multiplier", {
        times: String(r.factorBp / 10_000).replace(".", en ? "." : ","),
        product: product(r.product),
      });
    case "skuPoints":
      return t(ctx, "offers-reward-sku", { points: fmtPoints(ctx, r.points), sku: r.sku });
    case "gift":
      return t(ctx, "offers-reward-gift", { gift: en ? r.giftEn : r.giftRu });
  }
}

export function offerText(ctx: Context, m: MemberOffer): string {
  const en = currentLocale(ctx) === "en";
  const why = m.reasons.map((l) => reason(ctx, l)).filter((x): x is string => x !== null);
  const where = m.stores.length
    ? t(ctx, "offers-where-stores", { stores: m.stores.join(", ") })
    : m.offer.regions.length
      ? t(ctx, "offers-where-stores", { stores: m.offer.regions.join(", ") })
      : ctx.t("offers-where-all");
  const lines = [
    `<b>${escape(en ? m.offer.title.en : m.offer.title.ru)}</b>`,
    escape(en ? m.offer.text.en : m.offer.text.ru),
    rewardLine(ctx, m),
    // The reasons were escaped as they were worded: not again.
    ...(why.length ? [ctx.t("offers-why", { reasons: why.join(", ") })] : []),
    t(ctx, "offers-until", { date: fmtDate(ctx, m.offer.endsAt, ctx.deps.services.program.timeZone) }),
    where,
  ];
  if (m.giftCode) lines.push(t(ctx, "offers-gift-code", { code: m.giftCode }));
  else if (m.activated && m.offer.needsActivation) lines.push(ctx.t("offers-activated"));
  return lines.join("\n");
}

function keyboard(ctx: Context, m: MemberOffer) {
  return m.activated ? undefined : new InlineKeyboard().text(ctx.t("offers-activate"), `of:act:${m.offer.id}`);
}

async function list(ctx: Context) {
  if (!ctx.member) return ctx.reply(ctx.t("not-enrolled"));
  const offers = await ctx.deps.services.offers.forMember.list(ctx.member.id);
  if (!offers.length) return ctx.reply(ctx.t("offers-none"));
  await ctx.reply(ctx.t("offers-title", { count: offers.length }));
  for (const m of offers) {
    const kb = keyboard(ctx, m);
    await ctx.reply(offerText(ctx, m), { parse_mode: "HTML", ...(kb ? { reply_markup: kb } : {}) });
  }
}

export const offersFeature = new Composer<Context>();
offersFeature.command("offers", list);
offersFeature.hears(labels("menu-offers"), list);
offersFeature.callbackQuery("of:list", async (ctx) => {
  await ctx.answerCallbackQuery();
  return list(ctx);
});
offersFeature.callbackQuery(/^of:act:(\d+)$/, async (ctx) => {
  if (!ctx.member) return ctx.answerCallbackQuery({ text: ctx.t("not-enrolled") });
  const id = Number(ctx.match[1]);
  try {
    const m = await ctx.deps.services.offers.forMember.activate(ctx.member.id, id);
    await ctx.answerCallbackQuery({ text: ctx.t("offers-activated") });
    await ctx.editMessageText(offerText(ctx, m), { parse_mode: "HTML" });
  } catch (e) {
    if (
      isDomainError(e, "OFFER.NOT_ELIGIBLE") ||
      isDomainError(e, "OFFER.BAD_STATE") ||
      isDomainError(e, "OFFER.NOT_FOUND")
    )
      return ctx.answerCallbackQuery({ text: ctx.t("offers-closed"), show_alert: true });
    throw e;
  }
});
