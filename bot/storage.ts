import type { VersionedState, VersionedStateStorage } from "@grammyjs/conversations";
import type { Database } from "../app/db/database.js";

/**
 * Conversation state in the database (KeyValue table), so an enrollment
 * half-way through survives a restart of the bot.
 */
export function databaseStorage<S>(db: Database, prefix: string): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      const row = await db.prisma.keyValue.findUnique({ where: { key: prefix + key } });
      return (row?.value ?? undefined) as VersionedState<S> | undefined;
    },
    async write(key, state) {
      const value = JSON.parse(JSON.stringify(state));
      await db.prisma.keyValue.upsert({
        where: { key: prefix + key },
        create: { key: prefix + key, value },
        update: { value },
      });
    },
    async delete(key) {
      await db.prisma.keyValue.deleteMany({ where: { key: prefix + key } });
    },
  };
}
