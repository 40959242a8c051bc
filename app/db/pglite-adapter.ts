import type { PGlite } from "@electric-sql/pglite";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

/**
 * pglite-prisma-adapter 0.6 is typed against an older
 * @prisma/driver-adapter-utils than Prisma 6.19's; the interface it implements
 * is the same at run time, so only the type is bridged here.
 */
export function pgliteAdapter(client: PGlite): SqlMigrationAwareDriverAdapterFactory {
  return new PrismaPGlite(client) as unknown as SqlMigrationAwareDriverAdapterFactory;
}
