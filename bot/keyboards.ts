import { Keyboard } from "grammy";
import type { ConversationContext } from "./context.js";
import { currentLocale, i18n, type Locale } from "./i18n.js";

/**
 * The reply keyboard a member always has under the input field. Built once
 * per language (it goes out with every card): callers only send it, never
 * add to it.
 */
export function mainMenu(ctx: ConversationContext): Keyboard {
  const locale = currentLocale(ctx);
  let menu = menus.get(locale);
  if (!menu) {
    const t = (key: string) => i18n.t(locale, key);
    menu = new Keyboard()
      .text(t("menu-card"))
      .text(t("menu-stores"))
      .row()
      .text(t("menu-offers"))
      .text(t("menu-invite"))
      .text(t("menu-settings"))
      .resized()
      .persistent();
    menus.set(locale, menu);
  }
  return menu;
}
const menus = new Map<Locale, Keyboard>();
