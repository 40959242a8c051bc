import type { ServiceContext } from "./context.js";

/** Liveness as the API reports it: the database answers. */
export function createHealthService(ctx: ServiceContext) {
  return {
    async check(): Promise<{ database: "ok" }> {
      await ctx.db.query("SELECT 1");
      return { database: "ok" };
    },
  };
}
