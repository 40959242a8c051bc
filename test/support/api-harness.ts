import type { ServerType } from "@hono/node-server";
import { createHttpApp, listen } from "../../api/server.js";
import type { Database } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import type { Program } from "../../domain/index.js";
import { checkResponse } from "./api-contract.js";
import { startBot } from "./bot-harness.js";

export interface CallOptions {
  key?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The bot (on the fake Bot API) and the HTTP server as production wires them,
 * listening on a free port. `call` speaks real HTTP and checks every answer
 * against the route's declared schema for its status (test/support/api-contract.ts).
 */
export async function startApi(
  db: Database,
  opts: { clock?: { now: () => Date }; services?: (s: Services) => Services; program?: Program } = {},
) {
  const h = await startBot(db, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.program ? { program: opts.program } : {}),
  });
  const services = opts.services ? opts.services(h.services) : h.services;
  const app = createHttpApp({ services });
  const l = await listen(app, 0, "127.0.0.1");
  const server: ServerType = l.server;
  const base = `http://127.0.0.1:${l.port}/api/v1`;

  async function call(method: string, path: string, o: CallOptions = {}): Promise<ApiAnswer> {
    const res = await fetch(base + path, {
      method,
      headers: {
        "content-type": "application/json",
        ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
        ...o.headers,
      },
      ...(o.raw !== undefined ? { body: o.raw } : o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    let json: ApiAnswer["json"];
    try {
      json = JSON.parse(text) as ApiAnswer["json"];
    } catch {
      throw new Error(`${method} ${path} → ${res.status}: not JSON: ${text.slice(0, 200)}`);
    }
    checkResponse(method, path, res.status, res.headers.get("content-type"), json);
    return { status: res.status, headers: res.headers, json };
  }

  return {
    ...h,
    base,
    call,
    async stop() {
      await new Promise((r) => server.close(r));
      await h.stop();
    },
  };
}

/** A shopper enrolled through the bot's service, as the bot's enrollment leaves them. */
export async function enrollShopper(h: Awaited<ReturnType<typeof startApi>>, firstName = "Ольга") {
  const user = h.tg.user({ first_name: firstName, language_code: "ru" });
  const m = await h.services.members.enroll({
    telegramId: user.id,
    chatId: user.id,
    phone: user.phone,
    firstName,
  });
  return { user, member: m, code: m.memberCode, phone: user.phone };
}
