import type { ConversationFlavor } from "@grammyjs/conversations";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context as BaseContext } from "grammy";
import type { Logger } from "pino";
import type { Services } from "../app/services/index.js";
import type { Card } from "../app/services/cards.js";
import type { Member } from "../app/services/members.js";

/** What every handler can reach besides the update. */
export interface BotDeps {
  services: Services;
  log: Logger;
  /** Base URL people reach this server at (dashboard links); http://localhost:3000 when unset. */
  publicUrl?: string;
}

interface Extras {
  deps: BotDeps;
  /** The enrolled member behind this update, or null. */
  member: Member | null;
  /** The member's card, when the update asks for it: read with the member (bot/filters/asks-for-card.ts). */
  card?: Card;
  /** The locale answers use (bot/i18n.ts decides it once per update). */
  locale?: "ru" | "en";
}

/** The context inside conversations: the update, translations and deps. */
export type ConversationContext = BaseContext & I18nFlavor & Extras;
/** The context of the outside middleware tree. */
export type Context = ConversationFlavor<ConversationContext>;
