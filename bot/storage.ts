import type { VersionedState, VersionedStateStorage } from "@grammyjs/conversations";
import type { ConversationStore } from "../app/services/conversations.js";
import type { ConversationContext } from "./context.js";
import { isMarketer } from "./filters/is-marketer.js";

/**
 * Conversation state kept by the services (KeyValue table), so an enrollment
 * half-way through survives a restart of the bot.
 */
export function conversationStorage<S>(store: ConversationStore): VersionedStateStorage<string, S> {
  return {
    read: async (key) => (await store.read(key)) as VersionedState<S> | undefined,
    write: (key, state) => store.write(key, state),
    delete: (key) => store.delete(key),
  };
}

/**
 * Conversation state by chat, read only for chats that can be inside a
 * conversation: enrollment, which ends when the member exists, and the
 * marketers' broadcast walk. So a shopper's update once enrolled (every
 * /card) skips the read — a database round trip on the busiest path — and
 * starts from no state; a marketer's (admins and MARKETER_TELEGRAM_IDS, an
 * in-memory check) reads it even when they are a member too.
 */
export function skipForMembers<S>(
  inner: VersionedStateStorage<string, S>,
): VersionedStateStorage<ConversationContext, S> {
  const key = (ctx: ConversationContext) => ctx.chatId?.toString();
  return {
    async read(ctx) {
      const k = key(ctx);
      if (k === undefined || (ctx.member && !isMarketer(ctx))) return undefined;
      return inner.read(k);
    },
    async write(ctx, state) {
      const k = key(ctx);
      if (k !== undefined) await inner.write(k, state);
    },
    async delete(ctx) {
      const k = key(ctx);
      if (k !== undefined) await inner.delete(k);
    },
  };
}
