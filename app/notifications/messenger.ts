import type { BroadcastMessage, Locale } from "../../domain/index.js";
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

/** What became of one broadcast message (bot/broadcaster.ts maps Telegram's answers to these). */
export type BroadcastOutcome =
  | { status: "sent"; messageId: number }
  /** Blocked the bot, deactivated, chat gone: the member leaves later segments. */
  | { status: "unreachable" }
  /** Not delivered (429, 5xx): the row goes back to the queue. */
  | { status: "retry"; afterMs: number }
  /** Telegram refused it (a bad request): sending again would not help. */
  | { status: "failed"; error: string }
  /** No answer (connection lost mid-request): it may have arrived, so it is never resent. */
  | { status: "unknown"; error: string };

export interface BroadcastProgress {
  broadcastId: number;
  name: string;
  state: string;
  total: number;
  sent: number;
  failed: number;
  unreachable: number;
  unknown: number;
  /** Not yet sent (queued, held by quiet hours, in flight). */
  left: number;
  control: number;
  skipped: number;
  perSecond: number;
  etaSeconds: number | null;
}

/** The port broadcasts go out through, and the marketer's self-editing progress message. */
export interface Broadcaster {
  send(to: Recipient, message: BroadcastMessage, o: { paid: boolean; clickData: string }): Promise<BroadcastOutcome>;
  /** Sends (messageId null) or edits the progress message; returns its id. */
  progress(chatId: bigint, messageId: number | null, locale: Locale, p: BroadcastProgress): Promise<number | null>;
}
