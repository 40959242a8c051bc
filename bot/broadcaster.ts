import { type Api, GrammyError, HttpError, InlineKeyboard } from "grammy";
import type { BroadcastMessage, Locale } from "../domain/index.js";
import type { BroadcastOutcome, BroadcastProgress, Broadcaster, Recipient } from "../app/notifications/messenger.js";
import { i18n } from "./i18n.js";

/**
 * Broadcasts over the Bot API. `api` is the broadcast client: its requests
 * pass the shared rate gate behind the bot's own messages (bot/rate.ts) and
 * it does not retry by itself — the sender puts a refused row back in its
 * queue and the gate pauses for retry_after. A request that got no answer
 * is `unknown`, never retried: Telegram may have delivered it.
 */
export function telegramBroadcaster(api: Api): Broadcaster {
  function keyboard(message: BroadcastMessage, clickData: string) {
    const b = message.button;
    if (!b) return undefined;
    return b.kind === "link" ? new InlineKeyboard().url(b.text, b.url) : new InlineKeyboard().text(b.text, clickData);
  }
  function outcome(e: unknown): BroadcastOutcome {
    if (e instanceof GrammyError) {
      if (e.error_code === 403) return { status: "unreachable" };
      if (e.error_code === 400 && /chat not found|user is deactivated|PEER_ID_INVALID/i.test(e.description))
        return { status: "unreachable" };
      if (e.error_code === 429) return { status: "retry", afterMs: Number(e.parameters.retry_after ?? 1) * 1000 };
      if (e.error_code >= 500) return { status: "retry", afterMs: 1000 };
      return { status: "failed", error: e.description };
    }
    if (e instanceof HttpError) return { status: "unknown", error: e.message };
    return { status: "unknown", error: (e as Error).message };
  }
  return {
    async send(to: Recipient, message: BroadcastMessage, o: { paid: boolean; clickData: string }) {
      const reply_markup = keyboard(message, o.clickData);
      const common = {
        parse_mode: "HTML" as const,
        ...(reply_markup ? { reply_markup } : {}),
        ...(o.paid ? { allow_paid_broadcast: true } : {}),
      };
      try {
        const m = message.photo
          ? await api.sendPhoto(Number(to.chatId), message.photo, { caption: message.text, ...common })
          : await api.sendMessage(Number(to.chatId), message.text, common);
        return { status: "sent", messageId: m.message_id };
      } catch (e) {
        return outcome(e);
      }
    },
    async progress(chatId: bigint, messageId: number | null, locale: Locale, p: BroadcastProgress) {
      const { text, buttons } = renderProgress(locale, p);
      try {
        if (messageId === null) {
          const m = await api.sendMessage(Number(chatId), text, { reply_markup: buttons });
          return m.message_id;
        }
        await api.editMessageText(Number(chatId), messageId, text, { reply_markup: buttons });
        return messageId;
      } catch (e) {
        if (e instanceof GrammyError && /not modified/i.test(e.description)) return messageId;
        throw e;
      }
    },
  };
}

/** The marketer's progress message: counts, speed, ETA, and the buttons that fit the state. */
export function renderProgress(locale: Locale, p: BroadcastProgress) {
  const t = (k: string, a?: Record<string, string | number>) => i18n.t(locale, k, a);
  const lines = [
    t("broadcast-progress-title", { name: p.name, state: t(`broadcast-state-${p.state}`) }),
    t("broadcast-progress-counts", {
      sent: p.sent,
      total: p.total - p.control,
      failed: p.failed,
      unreachable: p.unreachable,
      unknown: p.unknown,
      left: p.left,
      control: p.control,
      skipped: p.skipped,
    }),
  ];
  if (p.state === "running")
    lines.push(
      t("broadcast-progress-speed", {
        speed: Math.round(p.perSecond * 10) / 10,
        eta: p.etaSeconds === null ? "—" : formatDuration(p.etaSeconds),
      }),
    );
  const kb = new InlineKeyboard();
  if (p.state === "running") kb.text(t("broadcast-pause"), `bcp:${p.broadcastId}`);
  if (p.state === "paused") kb.text(t("broadcast-resume"), `bcr:${p.broadcastId}`);
  if (p.state === "running" || p.state === "paused" || p.state === "scheduled")
    kb.text(t("broadcast-cancel"), `bcx:${p.broadcastId}`);
  return { text: lines.join("\n"), buttons: kb };
}

function formatDuration(s: number) {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h
    ? `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`
    : `${m}:${String(sec).padStart(2, "0")}`;
}
