import type { VersionedState, VersionedStateStorage } from "@grammyjs/conversations";
import type { ConversationStore } from "../app/services/conversations.js";
import type { ConversationContext } from "./context.js";

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
 * Conversation state by chat. The plugin runs only for chats that can be
 * inside a conversation (bot/filters/may-converse.ts): a shopper's update
 * once enrolled reads no state at all.
 */
export function byChat<S>(inner: VersionedStateStorage<string, S>): VersionedStateStorage<ConversationContext, S> {
  const key = (ctx: ConversationContext) => ctx.chatId?.toString();
  return {
    async read(ctx) {
      const k = key(ctx);
      return k === undefined ? undefined : inner.read(k);
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
