import { type Api, GrammyError, InlineKeyboard } from "grammy";
import type { Delivery, Messenger, Recipient } from "../app/notifications/messenger.js";
import type { Notice } from "../app/notifications/notices.js";
import { RetryLater } from "../app/jobs/runner.js";
import { renderNotice } from "./views/notices.js";

/** Telegram's answers that mean "this person cannot be written to", not "try again". */
function unreachable(e: unknown): boolean {
  if (!(e instanceof GrammyError)) return false;
  if (e.error_code === 403) return true; // blocked, deactivated
  return e.error_code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(e.description);
}

/**
 * The notifier port (app/notifications/messenger.ts) over the Bot API. A
 * failure Telegram asks us to wait out becomes RetryLater at its
 * retry_after; other failures throw, and the job that sends retries with
 * backoff.
 */
export function telegramMessenger(api: Api, now: () => Date = () => new Date()): Messenger {
  const markup = (buttons: { text: string; data: string }[] | undefined) => {
    if (!buttons?.length) return undefined;
    const kb = new InlineKeyboard();
    // A scale (NPS 0–10) splits into rows of six: eleven in one row do not fit a phone.
    buttons.forEach((b, i) => {
      if (i > 0 && i % 6 === 0) kb.row();
      kb.text(b.text, b.data);
    });
    return kb;
  };
  const fail = (e: unknown): Delivery => {
    if (unreachable(e)) return { status: "unreachable" };
    if (e instanceof GrammyError && e.error_code === 429) {
      const s = Number(e.parameters.retry_after ?? 1);
      throw new RetryLater(`Telegram asked to wait ${s} s`, new Date(now().getTime() + s * 1000));
    }
    throw e;
  };
  return {
    async send(to: Recipient, notice: Notice): Promise<Delivery> {
      const v = renderNotice(to.locale, notice);
      const reply_markup = markup(v.buttons);
      try {
        const m = await api.sendMessage(Number(to.chatId), v.text, reply_markup ? { reply_markup } : {});
        return { status: "sent", chatId: BigInt(m.chat.id), messageId: m.message_id };
      } catch (e) {
        return fail(e);
      }
    },
    async edit(to: Recipient, messageId: number, notice: Notice): Promise<Delivery> {
      const v = renderNotice(to.locale, notice);
      try {
        await api.editMessageText(Number(to.chatId), messageId, v.text);
        return { status: "sent", chatId: to.chatId, messageId };
      } catch (e) {
        // A message already showing this text, or deleted by the shopper: nothing left to do.
        if (
          e instanceof GrammyError &&
          e.error_code === 400 &&
          /not modified|not found|can't be edited/i.test(e.description)
        )
          return { status: "sent", chatId: to.chatId, messageId };
        return fail(e);
      }
    },
  };
}
