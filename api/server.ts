import { type ServerType, serve } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Services } from "../app/services/index.js";
import { errorBody, toResponse } from "./errors.js";
import { createApiV1 } from "./v1.js";
import { createAdminApi } from "./admin.js";
import { createDashboard } from "./dashboard/index.js";

export interface HttpOptions {
  services: Services;
  /** Telegram webhook route (path and handler), when the bot runs by webhook. */
  webhook?: { path: string; handler: MiddlewareHandler };
  /** Where unexpected errors are logged. */
  log?: Logger;
}

/** The HTTP side of Kopilka: the Telegram webhook (when enabled) and the POS API under /api/v1. */
export function createHttpApp(opts: HttpOptions) {
  const app = new Hono();
  // The admin API first: its own key check answers every /api/v1/admin route.
  app.route("/api/v1/admin", createAdminApi(opts.services));
  app.route("/api/v1", createApiV1(opts.services, opts.log));
  app.route("/dashboard", createDashboard(opts.services));
  if (opts.webhook) app.post(opts.webhook.path, opts.webhook.handler);
  app.onError((e, c) => toResponse(c, e, opts.log));
  app.notFound((c) => c.json(errorBody("NOT_FOUND", "no such route"), 404));
  return app;
}

/**
 * Listens on host:port; resolves with the server and the port it got (0 picks one). Idle connections stay
 * open longer than a client or a reverse proxy keeps them (Node's 5 s is shorter than most proxies' 60 s):
 * otherwise a request sent on a connection the server is closing at that moment fails with ECONNRESET.
 */
export function listen(app: Hono, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => resolve({ server, port: info.port }));
    if ("keepAliveTimeout" in server) {
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
    }
  });
}
