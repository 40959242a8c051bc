import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import type { ApiClientOptions } from "grammy";

type Fetch = NonNullable<ApiClientOptions["fetch"]>;
type Init = NonNullable<Parameters<Fetch>[1]> & { agent?: HttpAgent };

/** What grammY reads of a response: its JSON, whatever the status (Telegram's 400s and 429s are JSON too). */
interface Answer {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * The HTTP client every Bot API call of the process goes through (the
 * bot's replies and getUpdates, the jobs' notices, the broadcasts: bot/bot.ts;
 * the first getMe: serve.ts): node:http itself, over the keep-alive agent
 * grammY gives each call, in place of grammY's default node-fetch 2. grammY
 * needs of a response only its JSON, and node-fetch's Request, Headers, Body
 * and stream plumbing around the same node:http request cost a /card ~50 µs
 * of the bot's ~330 (a 1 KB caption to a local server, 100 at a time, server
 * included: node-fetch ~180 µs a call, node:http ~130, undici ~130; bench
 * card measures the whole bot). undici, the package for this, was no faster
 * here and its loading added ~150 ms to the start (issue 14 keeps that under
 * a second); bundled beside it, abort-controller's AbortSignal class was
 * renamed, and node-fetch, which checks that name, refused every call.
 *
 * As node-fetch did: a JSON body goes with its length, an upload (grammY's
 * multipart stream) chunked; grammY's signal (a stopped runner, its timeout)
 * aborts the call; a failed connection rejects, and grammY turns that into
 * an HttpError.
 */
export function telegramFetch(): Fetch {
  const call = (url: string | URL, init: Init = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const target = typeof url === "string" ? new URL(url) : url;
      const https = target.protocol === "https:";
      const signal = init.signal as AbortSignal | null | undefined;
      if (signal?.aborted) return reject(abortError());
      const body = init.body as string | Readable | null | undefined;
      const headers = { ...(init.headers as Record<string, string> | undefined) };
      if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
      const req = (https ? httpsRequest : httpRequest)(target, {
        method: init.method ?? "GET",
        headers,
        agent: init.agent ?? (https ? agents.https : agents.http),
      });
      const onAbort = () => req.destroy(abortError());
      signal?.addEventListener("abort", onAbort);
      const done = () => signal?.removeEventListener("abort", onAbort);
      req.on("error", (e) => {
        done();
        reject(e);
      });
      req.on("response", (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => {
          done();
          reject(e);
        });
        res.on("end", () => {
          done();
          const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            json: async () => JSON.parse(text) as unknown,
            text: async () => text,
          });
        });
      });
      if (body === undefined || body === null || typeof body === "string") req.end(body ?? undefined);
      else {
        body.on("error", (e) => req.destroy(e));
        body.pipe(req);
      }
    });
  return call as unknown as Fetch;
}

function abortError(): Error {
  const e = new Error("The operation was aborted.");
  e.name = "AbortError";
  return e;
}
