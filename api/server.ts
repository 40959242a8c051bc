import { type ServerType, serve } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import type { Services } from "../app/services/index.js";

export interface HttpOptions {
  services: Services;
  /** Telegram webhook route (path and handler), when the bot runs by webhook. */
  webhook?: { path: string; handler: MiddlewareHandler };
}

/**
 * The HTTP side of Kopilka: the Telegram webhook (when enabled) and the
 * versioned API under /api/v1.
 */
export function createHttpApp(opts: HttpOptions) {
  const app = new Hono();
  app.get("/api/v1/health", async (c) => {
    await opts.services.ctx.db.query("SELECT 1");
    return c.json({ status: "ok" });
  });
  if (opts.webhook) app.post(opts.webhook.path, opts.webhook.handler);
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: "no such route" } }, 404));
  return app;
}

/** Listens on host:port; resolves with the server and the port it got (0 picks one). */
export function listen(app: Hono, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => resolve({ server, port: info.port }));
  });
}
