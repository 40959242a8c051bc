import { labels } from "../i18n.js";

const CARD_BUTTONS = new Set(labels("menu-card"));
const CARD_COMMAND = /^\/card(@\w+)?(\s|$)/;

/**
 * Whether a message asks for the card, as the card feature's handlers
 * match it (/card, with the bot's name or words after it, or the menu's
 * 💳 button): the member is then read together with their card
 * (bot/middleware.ts). A miss only costs the card its own read after the
 * member's; a false match, a card read for nothing.
 */
export function asksForCard(ctx: { message?: { text?: string } | undefined }): boolean {
  const text = ctx.message?.text;
  return text !== undefined && (CARD_COMMAND.test(text) || CARD_BUTTONS.has(text));
}
