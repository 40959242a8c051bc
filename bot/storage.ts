import type { VersionedState, VersionedStateStorage } from "@grammyjs/conversations";
import type { ConversationStore } from "../app/services/conversations.js";

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
