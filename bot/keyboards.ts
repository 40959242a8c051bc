import { Keyboard } from "grammy";
import type { ConversationContext } from "./context.js";

/** The reply keyboard a member always has under the input field. */
export function mainMenu(ctx: ConversationContext) {
  return new Keyboard()
    .text(ctx.t("menu-card"))
    .text(ctx.t("menu-stores"))
    .row()
    .text(ctx.t("menu-offers"))
    .text(ctx.t("menu-invite"))
    .text(ctx.t("menu-settings"))
    .resized()
    .persistent();
}
