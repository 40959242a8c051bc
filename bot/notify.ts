import { type Api, InlineKeyboard } from "grammy";
import type { Services } from "../app/services/index.js";
import type { PurchaseResult, ReturnResult } from "../app/services/purchases.js";
import type { RedemptionView } from "../app/services/redemptions.js";
import { fmtPoints, fmtRub, i18n, memberLocale } from "./i18n.js";

/**
 * Messages Kopilka sends a shopper or a cashier outside the update that caused
 * them: a purchase recorded at the till, a spend to confirm, its outcome.
 * Used by the staff flows and by the POS API alike.
 */
export function createNotifier(api: Api, services: Services) {
  const storeName = async (id: number) =>
    (await services.ctx.db.prisma.store.findUnique({ where: { id } }))?.name ?? "";
  const member = (id: number) => services.ctx.db.prisma.member.findUnique({ where: { id } });

  /** Sends, but never lets a failed notification undo what already happened. */
  const send = async (chatId: bigint | number, text: string, extra: Parameters<Api["sendMessage"]>[2] = {}) => {
    try {
      return await api.sendMessage(Number(chatId), text, extra);
    } catch (e) {
      services.ctx.log.warn({ err: e, chatId: String(chatId) }, "notification not delivered");
      return null;
    }
  };

  return {
    async purchaseRecorded(r: PurchaseResult) {
      if (!r.notify || r.points === 0) return;
      const l = memberLocale(r.notify.language);
      await send(
        r.notify.chatId,
        i18n.t(l, "notify-purchase", {
          points: fmtPoints(l, r.points),
          store: await storeName(r.storeId),
          balance: fmtPoints(l, r.balance),
        }),
      );
    },

    async returnRecorded(r: ReturnResult, storeId: number) {
      const m = await member(r.memberId);
      const change = r.pointsRefunded - r.pointsReversed;
      if (!m?.chatId || !m.notifications || m.status !== "active" || change === 0) return;
      const l = memberLocale(m.language);
      await send(
        m.chatId,
        i18n.t(l, "notify-return", {
          store: await storeName(storeId),
          change: `${change > 0 ? "+" : "−"}${fmtPoints(l, Math.abs(change))}`,
          balance: fmtPoints(l, r.balance),
        }),
      );
    },

    /** Asks the shopper to confirm a pending spend; returns false if they cannot be reached. */
    async askConfirmation(r: RedemptionView): Promise<boolean> {
      const m = await member(r.memberId);
      if (!m?.chatId || m.status !== "active") return false;
      const l = memberLocale(m.language);
      const msg = await send(
        m.chatId,
        i18n.t(l, "notify-spend-ask", {
          store: await storeName(r.storeId),
          points: fmtPoints(l, r.points),
          amount: fmtRub(l, r.receiptAmountKopecks),
        }),
        {
          reply_markup: new InlineKeyboard()
            .text(i18n.t(l, "notify-spend-yes"), `spend:yes:${r.id}`)
            .text(i18n.t(l, "notify-spend-no"), `spend:no:${r.id}`),
        },
      );
      if (!msg) return false;
      await services.redemptions.setPrompt(r.id, msg.chat.id, msg.message_id);
      return true;
    },

    /**
     * Tells the cashier who asked, and replaces the shopper's buttons with the
     * outcome. `prompt` is the message the shopper pressed, when known (the
     * stored one may not be saved yet if they were very quick).
     */
    async redemptionDecided(r: RedemptionView, prompt?: { chatId: number; messageId: number }) {
      const m = await member(r.memberId);
      const l = memberLocale(m?.language);
      const key = {
        confirmed: "notify-spend-confirmed",
        declined: "notify-spend-declined",
        expired: "notify-spend-expired",
      }[r.status as "confirmed" | "declined" | "expired"];
      const chatId = prompt?.chatId ?? (r.promptChatId ? Number(r.promptChatId) : null);
      const messageId = prompt?.messageId ?? r.promptMessageId;
      if (key && chatId && messageId) {
        await api
          .editMessageText(
            chatId,
            messageId,
            i18n.t(l, key, { points: fmtPoints(l, r.points), balance: fmtPoints(l, r.balance) }),
          )
          .catch(() => {});
      }
      if (r.staffChatId) {
        const sl = "ru"; // staff chats are answered in the chain's language
        const skey = {
          confirmed: "staff-spend-confirmed",
          declined: "staff-spend-declined",
          expired: "staff-spend-expired",
        }[r.status as "confirmed" | "declined" | "expired"];
        if (skey)
          await send(
            r.staffChatId,
            i18n.t(sl, skey, {
              points: fmtPoints(sl, r.points),
              receipt: r.receiptId,
              due: fmtRub(sl, r.receiptAmountKopecks - r.points * services.ctx.program.pointValueKopecks),
            }),
          );
      }
    },
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
