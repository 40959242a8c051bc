import { Composer, Keyboard } from "grammy";
import type { NearbyStore } from "../../app/services/index.js";
import type { Context, ConversationContext } from "../context.js";
import { labels } from "../i18n.js";
import { mainMenu } from "../keyboards.js";

function distance(ctx: ConversationContext, m: number) {
  return m < 1000
    ? ctx.t("distance-m", { n: String(Math.round(m / 10) * 10) })
    : ctx.t("distance-km", { n: (m / 1000).toFixed(m < 10_000 ? 1 : 0).replace(".", ctx.locale === "en" ? "." : ",") });
}

function status(ctx: ConversationContext, s: NearbyStore["status"]) {
  if (s.open) return s.closesAt ? ctx.t("stores-open", { time: s.closesAt }) : ctx.t("stores-open-24h");
  if (s.opensAt === null) return ctx.t("stores-closed");
  if (s.opensToday) return ctx.t("stores-opens-today", { time: s.opensAt });
  if (s.opensTomorrow) return ctx.t("stores-opens-tomorrow", { time: s.opensAt });
  return ctx.t("stores-opens-later", { day: ctx.t(`day-${s.opensDay}`), time: s.opensAt });
}

async function askLocation(ctx: Context) {
  await ctx.reply(ctx.t("stores-ask"), {
    reply_markup: new Keyboard()
      .requestLocation(ctx.t("stores-share-location"))
      .row()
      .text(ctx.t("menu-card"))
      .resized(),
  });
}

/** Three nearest active stores (distance, open now or when it opens, in the store's time zone) and a venue for the nearest. */
async function answerLocation(ctx: Context, latitude: number, longitude: number) {
  const stores = await ctx.deps.services.stores.nearest(latitude, longitude, 3);
  if (stores.length === 0) return ctx.reply(ctx.t("stores-invalid-location"));
  const lines = stores.map((s, i) =>
    ctx.t("stores-line", {
      n: String(i + 1),
      name: s.name,
      distance: distance(ctx, s.distanceMeters),
      address: s.address,
      status: status(ctx, s.status),
    }),
  );
  await ctx.reply([ctx.t("stores-title"), ...lines].join("\n\n"), { reply_markup: mainMenu(ctx) });
  const nearest = stores[0] as NearbyStore;
  await ctx.replyWithVenue(nearest.latitude, nearest.longitude, nearest.name, nearest.address);
}

export const storesFeature = new Composer<Context>();
storesFeature.command("stores", askLocation);
storesFeature.hears(labels("menu-stores"), askLocation);
storesFeature.on(":location", (ctx) => {
  const loc = ctx.msg.venue?.location ?? ctx.msg.location;
  return answerLocation(ctx, loc.latitude, loc.longitude);
});
