import { Composer, Keyboard } from "grammy";
import type { FoundStore, NearbyStore } from "../../app/services/index.js";
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

/** Beyond this, a store is not "near": the shopper is told and given the nearest city with stores. */
const NEAR_METERS = 50_000;

/** The city a store is in: addresses start with it ("Казань, ул. Баумана, 5"). */
const cityOf = (s: FoundStore) => s.address.split(",")[0]?.trim() || s.region || s.name;

/** Where to put the pin: the first store on the list that is open now, else the first. */
async function pin(ctx: Context, stores: readonly FoundStore[]) {
  const s = stores.find((x) => x.status.open) ?? stores[0];
  if (s) await ctx.replyWithVenue(s.latitude, s.longitude, s.name, s.address, { reply_markup: mainMenu(ctx) });
}

/** Each store's line with its rating from shoppers' reviews (last 90 days), when it has one: one query for all. */
async function ratings(ctx: Context, stores: readonly { id: number }[]) {
  const r = await ctx.deps.services.reviews.storeRatings(stores.map((s) => s.id));
  return (id: number, line: string) => {
    const x = r.get(id);
    return x ? `${line}\n   ${ctx.t("stores-rating", { average: x.average, count: x.count })}` : line;
  };
}

/** Three nearest active stores (distance, open now or when it opens, in the store's time zone) and a venue for the nearest open one. */
async function answerLocation(ctx: Context, latitude: number, longitude: number) {
  const stores = await ctx.deps.services.stores.nearest(latitude, longitude, 3);
  const first = stores[0];
  if (!first) return ctx.reply(ctx.t("stores-invalid-location"), { reply_markup: mainMenu(ctx) });
  if (first.distanceMeters > NEAR_METERS)
    return ctx.reply(ctx.t("stores-far", { city: cityOf(first), distance: distance(ctx, first.distanceMeters) }), {
      reply_markup: mainMenu(ctx),
    });
  const rated = await ratings(ctx, stores);
  const lines = stores.map((s, i) =>
    rated(
      s.id,
      ctx.t("stores-line", {
        n: String(i + 1),
        name: s.name,
        distance: distance(ctx, s.distanceMeters),
        address: s.address,
        status: status(ctx, s.status),
      }),
    ),
  );
  await ctx.reply([ctx.t("stores-title"), ...lines].join("\n\n"), { reply_markup: mainMenu(ctx) });
  await pin(ctx, stores);
}

/** Stores by a typed city or street; anything that names no store goes on to the usual hint. */
async function answerText(ctx: Context, next: () => Promise<void>) {
  const text = ctx.message?.text ?? "";
  if (text.startsWith("/") || text.length > 100) return next();
  const stores = await ctx.deps.services.stores.search(text, 3);
  if (stores.length === 0) return next();
  const rated = await ratings(ctx, stores);
  const lines = stores.map((s, i) =>
    rated(
      s.id,
      ctx.t("stores-line-found", { n: String(i + 1), name: s.name, address: s.address, status: status(ctx, s.status) }),
    ),
  );
  await ctx.reply([ctx.t("stores-found-title", { query: text.trim() }), ...lines].join("\n\n"), {
    reply_markup: mainMenu(ctx),
  });
  await pin(ctx, stores);
}

export const storesFeature = new Composer<Context>();
storesFeature.command("stores", askLocation);
storesFeature.hears(labels("menu-stores"), askLocation);
storesFeature.on("message:text", answerText);
storesFeature.on(":location", (ctx) => {
  const loc = ctx.msg.venue?.location ?? ctx.msg.location;
  return answerLocation(ctx, loc.latitude, loc.longitude);
});
