import type { Locale } from "../../domain/index.js";
import type { Notice } from "./notices.js";

/**
 * The port through which services and jobs reach people; bot/ implements it
 * over the Telegram Bot API. A transient failure (network, 5xx, 429) throws,
 * so the job that sends retries later (RetryLater carries Telegram's
 * retry_after); a recipient who blocked the bot or whose chat is gone is an
 * answer, not an error.
 */
export interface Recipient {
  chatId: bigint;
  locale: Locale;
}

export type Delivery = { status: "sent"; chatId: bigint; messageId: number } | { status: "unreachable" };

export interface Messenger {
  send(to: Recipient, notice: Notice): Promise<Delivery>;
  /** Replaces an earlier message of ours, e.g. a spend prompt's buttons with its outcome. */
  edit(to: Recipient, messageId: number, notice: Notice): Promise<Delivery>;
}
