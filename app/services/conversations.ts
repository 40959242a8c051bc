import type { ServiceContext } from "./context.js";

/**
 * Where half-finished conversations (an enrollment) keep their state, so a
 * restart of the bot resumes them: the KeyValue table, under a prefix.
 */
export function createConversationStore(ctx: ServiceContext, prefix = "conversation:") {
  const { db } = ctx;
  return {
    async read(key: string): Promise<unknown> {
      const row = await db.prisma.keyValue.findUnique({ where: { key: prefix + key } });
      return row?.value ?? undefined;
    },
    async write(key: string, state: unknown) {
      const value = JSON.parse(JSON.stringify(state));
      await db.prisma.keyValue.upsert({
        where: { key: prefix + key },
        create: { key: prefix + key, value },
        update: { value },
      });
    },
    async delete(key: string) {
      await db.prisma.keyValue.deleteMany({ where: { key: prefix + key } });
    },
  };
}
export type ConversationStore = ReturnType<typeof createConversationStore>;
