import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readTelegramHtml, TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT } from "../../domain/telegram-html.js";

/**
 * A strict fake of the Telegram Bot API, enough to drive a bot the way
 * Telegram does: real `getUpdates` long polling with offsets and timeouts,
 * webhook delivery with the secret header, full Message objects (photos in
 * all the sizes Telegram makes, no reply keyboard in an answer), and
 * Telegram-shaped errors (`{ ok: false, error_code, description }`) — 404 for
 * any method it does not implement, so every new API call shows up in tests.
 *
 * Simulated users (`tg.user(…)`) act only as a real client can: send text or
 * a photo, press a reply-keyboard button the bot actually showed, click an
 * inline button on a message the bot actually sent, share a contact or location.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Telegram objects are open-ended JSON
type Json = Record<string, any>;

/** One size of a photo, as Telegram describes it. */
export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
}

export interface SentMessage extends Json {
  message_id: number;
  chat: { id: number; type: string; first_name?: string };
  date: number;
  text?: string;
  reply_markup?: Json;
}

class TelegramError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Json,
  ) {
    super(description);
  }
}

interface Chat {
  user: SimUser;
  messages: SentMessage[];
  /** The reply keyboard the client currently shows (null once removed). */
  keyboard: Json | null;
  blocked: boolean;
}

const BOT_ID = 7_000_000_001;
/** The ids FakeTelegram.user drew in this process, over every fake (tests of a file share a database). */
const drawnUserIds = new Set<number>();
/**
 * A user id at random, as a bot's users are, but never one drawn before in
 * this process: two users with one id made a test or a bench that enrolls a
 * hundred users fail now and then ("this Telegram account is enrolled").
 */
function drawUserId(): number {
  let id: number;
  do id = 100_000 + Math.floor(Math.random() * 1_000_000);
  while (drawnUserIds.has(id));
  return id;
}

export class FakeTelegram {
  readonly token: string;
  readonly username = "kopilka_test_bot";
  private server: Server | null = null;
  private updates: Json[] = [];
  /** Updates handed out again despite the offset (see redeliver). */
  private again = new Set<Json>();
  /**
   * Like Telegram after a quiet week, a fresh bot starts at a random id: two
   * fakes in one test run against one database do not reuse each other's ids.
   */
  private nextUpdateId = 1 + Math.floor(Math.random() * 1e9);
  private nextMessageId = 1;
  private nextFileId = 1;
  private waiters: (() => void)[] = [];
  private chats = new Map<number, Chat>();
  private webhook: { url: string; secret?: string } | null = null;
  private failures: { method: string; code: number; description: string; parameters?: Json }[] = [];
  /** Every call the bot made, in order: method, payload, the names of the files it uploaded, and when it arrived (ms since the epoch). */
  readonly calls: { method: string; payload: Json; uploads: string[]; at: number }[] = [];
  readonly commands: Json[] = [];
  readonly documents = new Map<string, { fileName: string; content: Buffer }>();
  /** Photos Telegram stores, by the file_id it gave them: the bytes as the bot uploaded them (none for a user's). */
  readonly photos = new Map<string, { content: Buffer; width: number; height: number }>();
  /** Every size of a stored photo, by the file_id of any one of them: Telegram answers with all of them. */
  private readonly photoSizes = new Map<string, PhotoSize[]>();
  readonly callbackAnswers: Json[] = [];
  readonly webhookDeliveries: { status: number }[] = [];
  /** Telegram's flood limits, when set (limitRate): free and paid (allow_paid_broadcast) sends per second. */
  private rate: { free: Bucket; paid: Bucket } | null = null;
  /** Messages accepted and sends refused with 429, by limitRate's buckets. */
  readonly sends = { accepted: 0, paid: 0, refused: 0 };
  /** Keep no message objects (benchmarks with 100,000 chats); counts stay. */
  lean = false;

  constructor(token = "123456789:TEST-kopilka-token-abcdefghijklmnop") {
    this.token = token;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    return this.apiRoot;
  }

  get apiRoot() {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop() {
    for (const w of this.waiters.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** The next call of `method` answers with this error (e.g. 429 with retry_after). */
  failNext(method: string, code: number, description: string, parameters?: Json) {
    this.failures.push({ method, code, description, parameters });
  }

  /**
   * Enforces Telegram's broadcast limits on every send*: about `perSecond`
   * messages a second to different chats (a bucket of one second's worth),
   * and `paidPerSecond` for paid broadcasts (allow_paid_broadcast). Over the
   * limit a send is refused with 429 and retry_after, as Telegram does.
   */
  limitRate(perSecond: number, paidPerSecond = 1000) {
    this.rate = { free: new Bucket(perSecond), paid: new Bucket(paidPerSecond) };
  }

  /** Chats for many users at once, without per-user setup (benchmarks). */
  addChats(ids: Iterable<number>) {
    for (const id of ids) {
      const u = new SimUser(this, { id, is_bot: false, first_name: "Anna" });
      this.chats.set(id, { user: u, messages: [], keyboard: null, blocked: false });
    }
  }

  user(opts: { id?: number; first_name?: string; last_name?: string; language_code?: string; phone?: string } = {}) {
    const id = opts.id ?? drawUserId();
    drawnUserIds.add(id);
    const u = new SimUser(this, {
      id,
      is_bot: false,
      first_name: opts.first_name ?? "Anna",
      ...(opts.last_name ? { last_name: opts.last_name } : {}),
      ...(opts.language_code ? { language_code: opts.language_code } : {}),
    });
    u.phone = opts.phone ?? `+7912${String(id).padStart(7, "0").slice(-7)}`;
    this.chats.set(id, { user: u, messages: [], keyboard: null, blocked: false });
    return u;
  }

  chat(id: number): Chat {
    const c = this.chats.get(id);
    if (!c) throw new Error(`no chat ${id}`);
    return c;
  }

  /** The calls of `method` the bot made into one chat, in order (what it sent there, as it asked). */
  callsTo(chatId: number, method: string) {
    return this.calls.filter((c) => c.method === method && Number(c.payload.chat_id) === chatId);
  }

  /**
   * The most calls of `methods` that arrived within any one second (a
   * sliding window, as Telegram counts), e.g. to check a global send limit.
   */
  maxPerSecond(methods: string[] = ["sendMessage", "sendPhoto", "sendDocument", "editMessageText"]): number {
    const at = this.calls.filter((c) => methods.includes(c.method)).map((c) => c.at);
    let max = 0;
    for (let i = 0, j = 0; j < at.length; j++) {
      while ((at[j] as number) - (at[i] as number) >= 1000) i++;
      max = Math.max(max, j - i + 1);
    }
    return max;
  }

  /**
   * Sends an update the bot already got once more, with the same update_id, as
   * Telegram does when a webhook answer was lost or a polling bot restarted
   * before confirming its offset.
   */
  redeliver(update: Json) {
    if (this.webhook) return void this.deliver(update);
    this.again.add(update);
    this.updates.push(update);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Queues an update; delivers it by webhook if one is set. */
  pushUpdate(body: Json) {
    const update = { update_id: this.nextUpdateId++, ...body };
    if (this.webhook) {
      void this.deliver(update);
      return update;
    }
    this.updates.push(update);
    for (const w of this.waiters.splice(0)) w();
    return update;
  }

  private async deliver(update: Json) {
    if (!this.webhook) return;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.webhook.secret) headers["x-telegram-bot-api-secret-token"] = this.webhook.secret;
    const res = await fetch(this.webhook.url, { method: "POST", headers, body: JSON.stringify(update) });
    this.webhookDeliveries.push({ status: res.status });
    await res.arrayBuffer();
  }

  /**
   * A photo as Telegram keeps it, sent by the bot or by a user: sizes that fit
   * 90, 320 and 800 pixels and the original (at most 1280 on its longer side),
   * smallest first, each with its own file_id that sendPhoto accepts. The
   * largest keeps the bytes the bot uploaded (a user's photo has none here,
   * as no test reads them), the smaller ones none.
   */
  private storePhoto(width: number, height: number, content: Buffer = Buffer.alloc(0)): PhotoSize[] {
    const n = this.nextFileId++;
    const longest = Math.max(width, height);
    const fit = (box: number) => ({
      width: Math.round((width * box) / longest),
      height: Math.round((height * box) / longest),
    });
    const sizes: PhotoSize[] = [...[90, 320, 800].filter((box) => box < longest), Math.min(longest, 1280)].map(
      (box, i) => ({ file_id: `AgACAgIAAxkDAAI${n}photo${i}`, file_unique_id: `AQAD${n}photo${i}`, ...fit(box) }),
    );
    sizes.forEach((size, i) => {
      const bytes = i === sizes.length - 1 ? content : Buffer.alloc(0);
      this.photos.set(size.file_id, { content: bytes, width: size.width, height: size.height });
      this.photoSizes.set(size.file_id, sizes);
    });
    return sizes;
  }

  /** A photo a user sends from their gallery (SimUser.sendPhoto). */
  receivePhoto(width: number, height: number): PhotoSize[] {
    return this.storePhoto(width, height);
  }

  nextMessage(chatId: number, extra: Json): SentMessage {
    const m: SentMessage = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: this.chat(chatId).user.from.first_name },
      from: { id: BOT_ID, is_bot: true, first_name: "Kopilka", username: this.username },
      ...extra,
    };
    return m;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: Json) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url?.split("?")[0] ?? "");
      if (!m) throw new TelegramError(404, "Not Found");
      if (m[1] !== this.token) throw new TelegramError(401, "Unauthorized");
      const method = m[2] as string;
      const uploads: string[] = [];
      const payload = await readPayload(req, this.documents, uploads);
      this.calls.push({ method, payload, uploads, at: Date.now() });
      const failure = this.failures.findIndex((f) => f.method === method);
      if (failure >= 0) {
        const [f] = this.failures.splice(failure, 1);
        if (f) throw new TelegramError(f.code, f.description, f.parameters);
      }
      if (this.rate && /^send/.test(method) && method !== "sendChatAction") {
        const paid = payload.allow_paid_broadcast === true || payload.allow_paid_broadcast === "true";
        const wait = (paid ? this.rate.paid : this.rate.free).take();
        if (wait > 0) {
          this.sends.refused++;
          throw new TelegramError(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
        }
        this.sends.accepted++;
        if (paid) this.sends.paid++;
      }
      const impl = (this.methods as Record<string, (p: Json, uploads: string[]) => unknown>)[method];
      if (!impl) throw new TelegramError(404, "Not Found: method not found");
      send(200, { ok: true, result: asAnswered(await impl.call(this, payload, uploads)) });
    } catch (e) {
      if (e instanceof TelegramError)
        send(e.code, {
          ok: false,
          error_code: e.code,
          description: e.description,
          ...(e.parameters ? { parameters: e.parameters } : {}),
        });
      else send(500, { ok: false, error_code: 500, description: `Internal Server Error: ${(e as Error).message}` });
    }
  }

  private chatFor(payload: Json): Chat {
    const id = Number(payload.chat_id);
    const c = this.chats.get(id);
    if (!c) throw new TelegramError(400, "Bad Request: chat not found");
    if (c.blocked) throw new TelegramError(403, "Forbidden: bot was blocked by the user");
    return c;
  }

  private record(chat: Chat, m: SentMessage) {
    if (this.lean) return m;
    chat.messages.push(m);
    const kb = m.reply_markup;
    if (kb?.keyboard) chat.keyboard = kb;
    else if (kb?.remove_keyboard) chat.keyboard = null;
    chat.user.notify();
    return m;
  }

  private methods = {
    getMe: () => ({
      id: BOT_ID,
      is_bot: true,
      first_name: "Kopilka",
      username: this.username,
      can_join_groups: false,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    getUpdates: async (p: Json) => {
      if (this.webhook)
        throw new TelegramError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook",
        );
      const offset = Number(p.offset ?? 0);
      if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset || this.again.has(u));
      const timeout = Math.min(Number(p.timeout ?? 0), 50);
      if (this.updates.length === 0 && timeout > 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, timeout * 1000);
          this.waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      const batch = this.updates.slice(0, Number(p.limit ?? 100));
      for (const u of batch) this.again.delete(u);
      return batch;
    },
    setWebhook: (p: Json) => {
      if (!/^https?:\/\//.test(String(p.url ?? "")))
        throw new TelegramError(400, "Bad Request: bad webhook: invalid URL");
      this.webhook = { url: String(p.url), ...(p.secret_token ? { secret: String(p.secret_token) } : {}) };
      return true;
    },
    deleteWebhook: () => {
      this.webhook = null;
      return true;
    },
    getWebhookInfo: () => ({ url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: 0 }),
    setMyCommands: (p: Json) => {
      if (!Array.isArray(p.commands)) throw new TelegramError(400, "Bad Request: commands must be an array");
      this.commands.push(p);
      return true;
    },
    sendMessage: (p: Json) => {
      const chat = this.chatFor(p);
      const text = String(p.text ?? "");
      if (!text.trim()) throw new TelegramError(400, "Bad Request: message text is empty");
      if (shownLength(text, p.parse_mode) > TELEGRAM_TEXT_LIMIT)
        throw new TelegramError(400, "Bad Request: message is too long");
      return this.record(
        chat,
        this.nextMessage(chat.user.id, {
          text,
          ...(p.reply_markup ? { reply_markup: parseMarkup(p.reply_markup) } : {}),
        }),
      );
    },
    editMessageText: (p: Json) => {
      const chat = this.chatFor(p);
      const m = chat.messages.find((x) => x.message_id === Number(p.message_id));
      if (!m) throw new TelegramError(400, "Bad Request: message to edit not found");
      if (shownLength(String(p.text ?? ""), p.parse_mode) > TELEGRAM_TEXT_LIMIT)
        throw new TelegramError(400, "Bad Request: message is too long");
      const markup = p.reply_markup ? parseMarkup(p.reply_markup) : undefined;
      if (m.text === p.text && JSON.stringify(m.reply_markup) === JSON.stringify(markup))
        throw new TelegramError(400, "Bad Request: message is not modified");
      m.text = String(p.text);
      if (markup) m.reply_markup = markup;
      else delete m.reply_markup;
      m.edit_date = Math.floor(Date.now() / 1000);
      chat.user.notify();
      return m;
    },
    editMessageReplyMarkup: (p: Json) => {
      const chat = this.chatFor(p);
      const m = chat.messages.find((x) => x.message_id === Number(p.message_id));
      if (!m) throw new TelegramError(400, "Bad Request: message to edit not found");
      if (p.reply_markup) m.reply_markup = parseMarkup(p.reply_markup);
      else delete m.reply_markup;
      chat.user.notify();
      return m;
    },
    deleteMessage: (p: Json) => {
      const chat = this.chatFor(p);
      chat.messages = chat.messages.filter((x) => x.message_id !== Number(p.message_id));
      return true;
    },
    answerCallbackQuery: (p: Json) => {
      this.callbackAnswers.push(p);
      return true;
    },
    sendChatAction: (p: Json) => {
      this.chatFor(p);
      return true;
    },
    sendVenue: (p: Json) => {
      const chat = this.chatFor(p);
      const location = { latitude: Number(p.latitude), longitude: Number(p.longitude) };
      return this.record(
        chat,
        this.nextMessage(chat.user.id, {
          location,
          venue: { location, title: String(p.title), address: String(p.address) },
          ...(p.reply_markup ? { reply_markup: parseMarkup(p.reply_markup) } : {}),
        }),
      );
    },
    /**
     * A photo by upload (multipart) or by the file_id of a photo sent before;
     * like Telegram: only a real image is accepted, a caption up to 1024
     * characters whose entities lie inside it, and the answer carries the
     * photo's file_id to reuse.
     */
    sendPhoto: (p: Json, uploads: string[]) => {
      const chat = this.chatFor(p);
      const ref = String(p.photo ?? "");
      const uploaded = this.documents.get(ref);
      // A file_id Telegram has forgotten (a test deletes it from `photos`) is refused, as Telegram does.
      let sizes = this.photos.has(ref) ? this.photoSizes.get(ref) : undefined;
      if (!sizes && uploaded && uploads.includes(ref)) {
        const size = pngSize(uploaded.content);
        if (!size) throw new TelegramError(400, "Bad Request: IMAGE_PROCESS_FAILED");
        if (
          size.width + size.height > 10_000 ||
          Math.max(size.width, size.height) > 20 * Math.min(size.width, size.height)
        )
          throw new TelegramError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS");
        sizes = this.storePhoto(size.width, size.height, uploaded.content);
      }
      if (!sizes) throw new TelegramError(400, "Bad Request: wrong file identifier/HTTP URL specified");
      const caption = p.caption === undefined ? undefined : String(p.caption);
      if (caption !== undefined && shownLength(caption, p.parse_mode) > TELEGRAM_CAPTION_LIMIT)
        throw new TelegramError(400, "Bad Request: message caption is too long");
      const entities = p.caption_entities ? (parseMarkup(p.caption_entities) as unknown as Json[]) : undefined;
      for (const e of entities ?? [])
        if (
          caption === undefined ||
          !Number.isInteger(e.offset) ||
          !Number.isInteger(e.length) ||
          e.offset < 0 ||
          e.length <= 0 ||
          e.offset + e.length > caption.length
        )
          throw new TelegramError(400, "Bad Request: can't parse entities: entity beyond the caption");
      return this.record(
        chat,
        this.nextMessage(chat.user.id, {
          photo: sizes.map((size) => {
            const bytes = this.photos.get(size.file_id)?.content.length;
            return { ...size, ...(bytes ? { file_size: bytes } : {}) };
          }),
          ...(caption !== undefined ? { caption } : {}),
          ...(entities ? { caption_entities: entities } : {}),
          ...(p.reply_markup ? { reply_markup: parseMarkup(p.reply_markup) } : {}),
        }),
      );
    },
    sendDocument: (p: Json) => {
      const chat = this.chatFor(p);
      const doc = this.documents.get(String(p.document));
      if (!doc) throw new TelegramError(400, "Bad Request: there is no document in the request");
      return this.record(
        chat,
        this.nextMessage(chat.user.id, {
          document: { file_id: String(p.document), file_unique_id: String(p.document), file_name: doc.fileName },
          ...(p.caption ? { caption: String(p.caption) } : {}),
        }),
      );
    },
  };
}

/** Width and height from a PNG's IHDR chunk; null when the bytes are not a PNG. */
function pngSize(b: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (b.length < 24 || !b.subarray(0, 8).equals(signature) || b.toString("ascii", 12, 16) !== "IHDR") return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** A token bucket holding one second's worth: the limit Telegram describes as "about N per second". */
class Bucket {
  private tokens: number;
  private at = performance.now();
  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }
  /** 0 when a token was taken; otherwise whole seconds to wait (retry_after). */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return 1;
  }
}

/**
 * A sent message as Telegram answers with it: a Message's `reply_markup` is
 * only ever an inline keyboard. A reply keyboard, its removal or a forced
 * reply acts on the chat and is not returned (the chat's record keeps it,
 * for tests to see what the user sees).
 */
function asAnswered(result: unknown): unknown {
  const m = result as SentMessage | null;
  if (!m || typeof m !== "object" || !("message_id" in m) || !m.reply_markup || m.reply_markup.inline_keyboard)
    return result;
  const answered: Json = { ...m };
  delete answered.reply_markup;
  return answered;
}

/**
 * A text as Telegram reads it against its limits: with parse_mode HTML, the
 * markup must parse (domain/telegram-html.ts has Telegram's documented rules)
 * and only what is shown counts, so a tag counts nothing and `&amp;` one.
 */
function shownLength(text: string, parseMode: unknown): number {
  if (parseMode !== "HTML") return text.length;
  const html = readTelegramHtml(text);
  if (!html.ok) throw new TelegramError(400, `Bad Request: can't parse entities: ${html.problem}`);
  return html.length;
}

function parseMarkup(m: unknown): Json {
  return typeof m === "string" ? JSON.parse(m) : (m as Json);
}

/** JSON, urlencoded or multipart (file uploads) — as Telegram accepts. */
async function readPayload(
  req: IncomingMessage,
  documents: FakeTelegram["documents"],
  uploads: string[],
): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers["content-type"] ?? "";
  if (body.length === 0) return {};
  if (type.startsWith("application/json")) return JSON.parse(body.toString("utf8"));
  if (type.startsWith("multipart/form-data")) {
    const out: Json = {};
    const files = new Map<string, string>();
    for (const part of parseMultipart(body, type)) {
      if (part.filename === undefined) {
        out[part.name] = tryJson(part.data.toString("utf8"));
      } else {
        const id = `file-${documents.size + 1}`;
        documents.set(id, { fileName: part.filename, content: part.data });
        files.set(part.name, id);
        uploads.push(id);
        out[part.name] = id;
      }
    }
    // Fields may name an uploaded part as "attach://<part>".
    for (const [k, v] of Object.entries(out)) {
      if (typeof v === "string" && v.startsWith("attach://")) out[k] = files.get(v.slice(9)) ?? v;
    }
    return out;
  }
  return Object.fromEntries(new URLSearchParams(body.toString("utf8")));
}

/** A small multipart/form-data reader: parts with their name, optional filename and bytes. */
function parseMultipart(body: Buffer, contentType: string) {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new TelegramError(400, "Bad Request: multipart without boundary");
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { name: string; filename?: string; data: Buffer }[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = chunk.indexOf("\r\n\r\n");
    const head = chunk.subarray(0, split).toString("utf8");
    const name = /\bname="?([^";\r\n]*)"?/.exec(head)?.[1] ?? "";
    const filename = /\bfilename="?([^";\r\n]*)"?/.exec(head)?.[1];
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), data: chunk.subarray(split + 4) });
    pos = next;
  }
  return parts;
}

function tryJson(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

/** Telegram marks a leading /command as a bot_command entity. */
function commandEntities(text: string): { entities?: Json[] } {
  if (!text.startsWith("/")) return {};
  // As Telegram marks it: the whole "/card@kopilka_bot", the bot's name included.
  return { entities: [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]?.length ?? 1 }] };
}

/** A Telegram user in a private chat with the bot, acting as a real client would. */
export class SimUser {
  phone = "";
  private seen = 0;
  private listeners: (() => void)[] = [];
  constructor(
    private readonly tg: FakeTelegram,
    readonly from: { id: number; is_bot: false; first_name: string; last_name?: string; language_code?: string },
  ) {}

  get id() {
    return this.from.id;
  }

  /** Every message the bot sent to this user, in order. */
  get inbox(): SentMessage[] {
    return this.tg.chat(this.id).messages;
  }

  notify() {
    for (const l of this.listeners.splice(0)) l();
  }

  private message(extra: Json) {
    this.seen = this.inbox.length;
    return this.tg.pushUpdate({
      message: {
        message_id: Math.floor(Math.random() * 1e9),
        date: Math.floor(Date.now() / 1000),
        chat: { id: this.id, type: "private", first_name: this.from.first_name },
        from: this.from,
        ...extra,
      },
    });
  }

  send(text: string) {
    return this.message({ text, ...commandEntities(text) });
  }

  /** A text sent as a reply to one of the bot's messages (Telegram's "Reply"). */
  replyTo(to: SentMessage, text: string) {
    return this.message({ text, ...commandEntities(text), reply_to_message: to });
  }

  /** A text the user formatted in their client (bold, links…): Telegram sends it with entities. */
  sendFormatted(text: string, entities: Json[]) {
    return this.message({ text, entities });
  }

  /** Opens https://t.me/<bot>?start=<payload>: the client sends "/start <payload>". */
  openDeepLink(payload: string) {
    return this.send(`/start ${payload}`);
  }

  sendContact(contact: { phone_number: string; first_name: string; user_id?: number }) {
    return this.message({ contact });
  }

  sendLocation(latitude: number, longitude: number) {
    return this.message({ location: { latitude, longitude } });
  }

  sendVenue(latitude: number, longitude: number, title: string) {
    return this.message({
      location: { latitude, longitude },
      venue: { location: { latitude, longitude }, title, address: "" },
    });
  }

  sendSticker() {
    return this.message({
      sticker: {
        file_id: "stk",
        file_unique_id: "stk",
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    });
  }

  /**
   * A photo from the phone's gallery, as Telegram delivers it: every size it
   * made, smallest first, each a file_id the bot may send on (a bot keeps the
   * last, the largest); a caption with its formatting, as a reply when `replyTo`.
   */
  sendPhoto(o: { caption?: string; captionEntities?: Json[]; replyTo?: SentMessage } = {}) {
    const photo = this.tg.receivePhoto(1280, 960);
    const { update_id } = this.message({
      photo,
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
      ...(o.captionEntities ? { caption_entities: o.captionEntities } : {}),
      ...(o.replyTo ? { reply_to_message: o.replyTo } : {}),
    });
    return { update_id, photo };
  }

  /**
   * Presses a button of the reply keyboard on screen. A request_contact button
   * shares this user's own contact; request_location shares `location`.
   */
  press(label: string | RegExp, location?: { latitude: number; longitude: number }) {
    const kb = this.tg.chat(this.id).keyboard;
    const button = (kb?.keyboard as Json[][] | undefined)
      ?.flat()
      .map((b) => (typeof b === "string" ? { text: b } : b))
      .find((b) => (typeof label === "string" ? b.text === label : label.test(b.text)));
    if (!button) throw new Error(`no reply button ${String(label)} on screen; keyboard: ${JSON.stringify(kb)}`);
    if (button.request_contact)
      return this.sendContact({ phone_number: this.phone, first_name: this.from.first_name, user_id: this.id });
    if (button.request_location) {
      if (!location) throw new Error("a location button needs a location");
      return this.sendLocation(location.latitude, location.longitude);
    }
    return this.send(button.text);
  }

  /** Clicks an inline button on the latest bot message that shows one with this label. */
  click(label: string | RegExp) {
    for (const m of [...this.inbox].reverse()) {
      const button = (m.reply_markup?.inline_keyboard as Json[][] | undefined)
        ?.flat()
        .find((b) => (typeof label === "string" ? b.text === label : label.test(b.text)));
      if (button) {
        if (button.url) throw new Error(`button ${button.text} opens a URL`);
        this.seen = this.inbox.length;
        return this.tg.pushUpdate({
          callback_query: {
            id: String(Math.floor(Math.random() * 1e12)),
            from: this.from,
            message: m,
            chat_instance: String(this.id),
            data: button.callback_data,
          },
        });
      }
    }
    throw new Error(`no inline button ${String(label)} in this chat`);
  }

  /** Blocks the bot: sends to this chat fail with 403, and the bot is told. */
  block() {
    this.tg.chat(this.id).blocked = true;
    this.tg.pushUpdate({
      my_chat_member: {
        chat: { id: this.id, type: "private", first_name: this.from.first_name },
        from: this.from,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: "member", user: { id: BOT_ID, is_bot: true, first_name: "Kopilka" } },
        new_chat_member: { status: "kicked", until_date: 0, user: { id: BOT_ID, is_bot: true, first_name: "Kopilka" } },
      },
    });
  }

  /** Starts waiting for messages from now on (when someone else's action will make the bot write to this user). */
  listen() {
    this.seen = this.inbox.length;
  }

  /** Resolves with the bot's messages sent since this user's last action, once `count` have arrived. */
  async replies(count = 1, timeoutMs = 5000): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length - this.seen < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `expected ${count} repl${count === 1 ? "y" : "ies"} to user ${this.id}, got ${this.inbox.length - this.seen}: ${JSON.stringify(this.inbox.slice(this.seen).map((m) => m.text))}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.listeners.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.inbox.slice(this.seen);
  }

  /** The one reply to the last action (waits for it). */
  async reply(timeoutMs?: number): Promise<SentMessage> {
    const r = await this.replies(1, timeoutMs);
    return r[r.length - 1] as SentMessage;
  }

  /** Labels of the reply keyboard on screen. */
  get keyboard(): string[] {
    const kb = this.tg.chat(this.id).keyboard;
    return ((kb?.keyboard as Json[][] | undefined) ?? []).flat().map((b) => (typeof b === "string" ? b : b.text));
  }
}
