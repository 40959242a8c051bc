import { Menu } from "@grammyjs/menu";
import { Composer } from "grammy";
import type { Context } from "../context.js";
import { labels, type Locale, switchLocale } from "../i18n.js";
import { mainMenu } from "../keyboards.js";

async function chooseLanguage(ctx: Context, locale: Locale) {
  if (!ctx.member) return;
  await ctx.deps.services.members.setLanguage(ctx.member.id, locale);
  // A cashier who also shops: one choice for both.
  if (ctx.from) await ctx.deps.services.staff.setLanguage(ctx.from.id, locale);
  ctx.member.language = locale;
  switchLocale(ctx, locale);
  await ctx.reply(ctx.t("language-set"), { reply_markup: mainMenu(ctx) });
}

/** ru/en picker; the choice is stored and wins over Telegram's language from then on. */
export const languageMenu = new Menu<Context>("language")
  .text("🇷🇺 Русский", (ctx) => chooseLanguage(ctx, "ru"))
  .text("🇬🇧 English", (ctx) => chooseLanguage(ctx, "en"));

/** Notifications on/off, and the way to the language picker. */
export const settingsMenu = new Menu<Context>("settings")
  .text(
    (ctx) => ctx.t(ctx.member?.notifications === false ? "settings-notifications-off" : "settings-notifications-on"),
    async (ctx) => {
      if (!ctx.member) return;
      const on = !ctx.member.notifications;
      await ctx.deps.services.members.setNotifications(ctx.member.id, on);
      ctx.member.notifications = on;
      ctx.menu.update();
    },
  )
  .row()
  .submenu((ctx) => ctx.t("settings-language"), "language");
settingsMenu.register(languageMenu);

export const settingsFeature = new Composer<Context>();
settingsFeature.use(settingsMenu);
settingsFeature.command("language", (ctx) =>
  ctx.member ? ctx.reply(ctx.t("language-choose"), { reply_markup: languageMenu }) : ctx.reply(ctx.t("not-enrolled")),
);
const openSettings = (ctx: Context) =>
  ctx.member ? ctx.reply(ctx.t("settings-title"), { reply_markup: settingsMenu }) : ctx.reply(ctx.t("not-enrolled"));
settingsFeature.command("settings", openSettings);
settingsFeature.hears(labels("menu-settings"), openSettings);
