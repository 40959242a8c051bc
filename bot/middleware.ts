import { limit } from "@grammyjs/ratelimiter";
import type { Transformer } from "grammy";
import type { BotDeps, Context } from "./context.js";
import { localeFromLanguageCode } from "../domain/index.js";
import { asksForCard } from "./filters/asks-for-card.js";
import { i18n, localeFromTelegram } from "./i18n.js";

/**
 * Claims the update (app/services/updates.ts: an update id is handled once;
 * a redelivered one stops here) and loads the enrolled member behind it
 * (deleted members count as strangers).
 */
export function claimAndLoadMember() {
  return async (ctx: Context, next: () => Promise<void>) => {
    const id = ctx.from?.id;
    // Both at once: on PostgreSQL they are two round trips, and each update waited for one, then the
    // other. The member is read after the chat's earlier updates were handled (sequentialize runs
    // first), so it is as they left it; a redelivered update's read is simply not used. A request for
    // the card reads the card with the member: /card, the busiest path, then waits for no other read.
    const { updates, members, cards } = ctx.deps.services;
    const [claimed, found] = await Promise.all([
      updates.claim(ctx.update.update_id),
      !id
        ? null
        : asksForCard(ctx)
          ? cards.ofChat(id)
          : members.find({ telegramId: id }).then((member) => member && { member, card: null }),
    ]);
    const m = found?.member ?? null;
    if (found?.card) ctx.card = found.card;
    if (!claimed) {
      ctx.deps.log.info({ update: ctx.update.update_id }, "update delivered again; already handled");
      return;
    }
    ctx.member = m && m.status !== "deleted" ? m : null;
    // Members who joined before their language was saved: save it now, so
    // messages sent outside a chat (jobs) are in the language they read.
    if (ctx.member && ctx.member.language === null && ctx.from) {
      const locale = localeFromLanguageCode(ctx.from.language_code);
      await ctx.deps.services.members.rememberLanguage(ctx.member.id, locale);
      ctx.member.language = locale;
    }
    if (ctx.member?.status === "unreachable" && ctx.chat && !ctx.myChatMember) {
      await ctx.deps.services.members.markReachable(ctx.member.id, ctx.chat.id);
      ctx.member.status = "active";
    }
    await next();
  };
}

/**
 * Per-user flood control: more than `max` updates in `windowMs` are dropped,
 * with one polite warning per window.
 */
export function floodControl(max = 10, windowMs = 5000) {
  const warned = new Map<number, number>();
  return limit<Context, never>({
    timeFrame: windowMs,
    limit: max,
    keyGenerator: (ctx) => ctx.from?.id.toString(),
    onLimitExceeded: async (ctx) => {
      const id = ctx.from?.id;
      if (!id || !ctx.message) return;
      const now = Date.now();
      if ((warned.get(id) ?? 0) > now - windowMs) return;
      warned.set(id, now);
      if (warned.size > 10_000) warned.clear();
      // Runs before the member is loaded: answer in Telegram's language.
      await ctx.reply(i18n.t(localeFromTelegram(ctx.from?.language_code), "too-many-requests")).catch(() => {});
    },
  });
}

/** The shopper blocked or unblocked the bot. */
export async function chatMemberStatus(ctx: Context, next: () => Promise<void>) {
  const update = ctx.myChatMember;
  if (!update || update.chat.type !== "private") return next();
  const status = update.new_chat_member.status;
  if (status === "kicked") await ctx.deps.services.members.markUnreachable(update.chat.id);
  else if (status === "member" && ctx.member)
    await ctx.deps.services.members.markReachable(ctx.member.id, update.chat.id);
}

/** A send that fails with 403 (blocked, deactivated) marks the member unreachable. */
export function unreachableOn403(deps: BotDeps): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (!res.ok && res.error_code === 403 && (typeof chatId === "number" || typeof chatId === "string")) {
      await deps.services.members
        .markUnreachable(BigInt(chatId))
        .catch((e) => deps.log.error(e, "markUnreachable failed"));
    }
    return res;
  };
}
