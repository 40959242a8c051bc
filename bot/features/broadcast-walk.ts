import { type Conversation, createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard } from "grammy";
import {
  type BroadcastMessage,
  broadcastButtonSchema,
  isDomainError,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
} from "../../domain/index.js";
import { renderProgress } from "../broadcaster.js";
import type { Context, ConversationContext } from "../context.js";
import { isMarketer } from "../filters/is-marketer.js";
import { mayConverse } from "../filters/may-converse.js";
import { entitiesToHtml } from "../views/html.js";

type Conv = Conversation<Context, ConversationContext>;

const CONTROL_CHOICES = [0, 500, 1000, 2000] as const;
const MAX_VARIANTS = 4;

/**
 * Waits for an answer `pick` accepts; /cancel or the cancel button leaves
 * the walk with nothing created, a button from an earlier step gets a toast,
 * anything else gets `hint`.
 */
async function ask<T>(
  conversation: Conv,
  pick: (c: ConversationContext) => T | undefined | Promise<T | undefined>,
  hint: (c: ConversationContext) => Promise<unknown>,
): Promise<T> {
  for (;;) {
    const c = await conversation.wait();
    if (c.message?.text === "/cancel" || c.callbackQuery?.data === "bw:cancel") {
      if (c.callbackQuery) await c.answerCallbackQuery();
      await c.reply(c.t("bw-cancelled"));
      await conversation.halt();
    }
    const picked = await pick(c);
    if (picked !== undefined) {
      if (c.callbackQuery) {
        await c.answerCallbackQuery();
        await c.editMessageReplyMarkup().catch(() => {});
      }
      return picked;
    }
    if (c.callbackQuery) {
      await c.answerCallbackQuery({ text: c.t("stale-button") });
      continue;
    }
    await hint(c);
  }
}

const data = (c: ConversationContext, prefix: string) =>
  c.callbackQuery?.data?.startsWith(prefix) ? c.callbackQuery.data.slice(prefix.length) : undefined;

/** A message as the marketer wrote it: text (or a photo with a caption), formatting kept as HTML. */
function messageFrom(c: ConversationContext): Omit<BroadcastMessage, "button"> | undefined {
  const m = c.message;
  if (!m) return undefined;
  if (m.photo?.length) {
    const photo = m.photo[m.photo.length - 1]?.file_id as string;
    const caption = m.caption ?? "";
    if (!caption.trim() || caption.length > TELEGRAM_CAPTION_LIMIT) return undefined;
    return { text: entitiesToHtml(caption, m.caption_entities), photo };
  }
  if (!m.text || m.text.startsWith("/") || m.text.length > TELEGRAM_TEXT_LIMIT) return undefined;
  return { text: entitiesToHtml(m.text, m.entities) };
}

/**
 * /broadcast without text: the guided walk. Segment (saved, or described
 * with a few buttons) with its live count → message (formatting, optional
 * photo) → optional link button → a preview to the marketer → more variants
 * for an A/B test → control group share → now or tomorrow morning → confirm.
 * Nothing is created before the confirmation; the broadcast then starts (or
 * is scheduled) and its progress message edits itself as `/broadcast <text>`
 * does. State lives in the database between steps, like enrollment's.
 */
async function walk(conversation: Conv, ctx: ConversationContext) {
  const { services } = ctx.deps;
  const b = services.broadcasts;
  const cancel = () => new InlineKeyboard().text(ctx.t("bw-cancel"), "bw:cancel");

  // 1. Who.
  const saved = await conversation.external(() => b.segments.list());
  const segmentKeyboard = new InlineKeyboard();
  for (const s of saved.slice(0, 8))
    segmentKeyboard.text(ctx.t("bw-segment-saved", { name: s.name, members: s.members }), `bw:seg:${s.id}`).row();
  segmentKeyboard
    .text(ctx.t("bw-segment-all"), "bw:seg:all")
    .row()
    .text(ctx.t("bw-segment-lapsed"), "bw:seg:lapsed")
    .text(ctx.t("bw-segment-category"), "bw:seg:category")
    .row()
    .text(ctx.t("bw-segment-tier"), "bw:seg:tier")
    .row()
    .text(ctx.t("bw-cancel"), "bw:cancel");

  let segment: unknown;
  let members = 0;
  for (;;) {
    await ctx.reply(ctx.t("bw-segment-ask"), { reply_markup: segmentKeyboard });
    const choice = await ask(
      conversation,
      (c) => data(c, "bw:seg:"),
      (c) => c.reply(c.t("bw-use-buttons")),
    );
    if (choice === "all") segment = { kind: "all" };
    else if (choice === "lapsed") {
      await ctx.reply(ctx.t("bw-lapsed-ask"), { reply_markup: cancel() });
      const days = await ask(
        conversation,
        (c) => {
          const n = Number(c.message?.text?.trim());
          return Number.isInteger(n) && n >= 1 && n <= 3660 ? n : undefined;
        },
        (c) => c.reply(c.t("bw-lapsed-hint")),
      );
      segment = { kind: "conditions", where: { kind: "daysSinceLastPurchase", min: days } };
    } else if (choice === "category") {
      await ctx.reply(ctx.t("bw-category-ask"), { reply_markup: cancel() });
      const category = await ask(
        conversation,
        (c) => {
          const t = c.message?.text?.trim();
          return t && !t.startsWith("/") && t.length <= 64 ? t : undefined;
        },
        (c) => c.reply(c.t("bw-category-ask")),
      );
      segment = { kind: "conditions", where: { kind: "bought", product: { category } } };
    } else if (choice === "tier") {
      const kb = new InlineKeyboard();
      for (const t of services.program.tiers) kb.text(t.name, `bw:tier:${t.code}`);
      await ctx.reply(ctx.t("bw-tier-ask"), { reply_markup: kb.row().text(ctx.t("bw-cancel"), "bw:cancel") });
      const tier = await ask(
        conversation,
        (c) => data(c, "bw:tier:"),
        (c) => c.reply(c.t("bw-use-buttons")),
      );
      segment = { kind: "conditions", where: { kind: "tier", in: [tier] } };
    } else segment = { kind: "saved", id: Number(choice) };
    const seg = segment;
    members = await conversation.external(() => b.countSegment(seg));
    if (members > 0) break;
    await ctx.reply(ctx.t("bw-segment-empty"));
  }
  await ctx.reply(ctx.t("bw-segment-count", { members }));

  // 2. What: the first message, its button, a preview.
  await ctx.reply(ctx.t("bw-message-ask"), { reply_markup: cancel() });
  const first = await ask(conversation, messageFrom, (c) => c.reply(c.t("bw-message-hint")));
  await ctx.reply(ctx.t("bw-button-ask"), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("bw-button-none"), "bw:btn:none")
      .text(ctx.t("bw-button-link"), "bw:btn:link")
      .row()
      .text(ctx.t("bw-cancel"), "bw:cancel"),
  });
  const wantsButton = await ask(
    conversation,
    (c) => data(c, "bw:btn:"),
    (c) => c.reply(c.t("bw-use-buttons")),
  );
  let button: BroadcastMessage["button"];
  if (wantsButton === "link") {
    await ctx.reply(ctx.t("bw-link-ask"), { reply_markup: cancel() });
    button = await ask(
      conversation,
      (c) => {
        const [text, url] = (c.message?.text ?? "").split("|").map((s) => s.trim());
        const r = broadcastButtonSchema.safeParse({ kind: "link", text, url });
        return r.success ? r.data : undefined;
      },
      (c) => c.reply(c.t("bw-link-hint")),
    );
  }
  const variants: BroadcastMessage[] = [{ ...first, ...(button ? { button } : {}) }];
  await preview(ctx, variants[0] as BroadcastMessage, "A");

  // 3. More variants for an A/B test (the button is the same for all).
  while (variants.length < MAX_VARIANTS) {
    const next = String.fromCharCode(65 + variants.length);
    await ctx.reply(ctx.t("bw-variant-ask", { count: variants.length }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("bw-variant-add", { variant: next }), "bw:var:add")
        .text(ctx.t("bw-variant-done"), "bw:var:done")
        .row()
        .text(ctx.t("bw-cancel"), "bw:cancel"),
    });
    const more = await ask(
      conversation,
      (c) => data(c, "bw:var:"),
      (c) => c.reply(c.t("bw-use-buttons")),
    );
    if (more === "done") break;
    await ctx.reply(ctx.t("bw-variant-message-ask", { variant: next }), { reply_markup: cancel() });
    const m = await ask(conversation, messageFrom, (c) => c.reply(c.t("bw-message-hint")));
    const v = { ...m, ...(button ? { button } : {}) };
    variants.push(v);
    await preview(ctx, v, next);
  }

  // 4. The control group.
  const controlKb = new InlineKeyboard();
  for (const bp of CONTROL_CHOICES)
    controlKb.text(ctx.t("bw-control-choice", { percent: bp / 100, default: bp === 1000 ? 1 : 0 }), `bw:ctl:${bp}`);
  await ctx.reply(ctx.t("bw-control-ask"), { reply_markup: controlKb.row().text(ctx.t("bw-cancel"), "bw:cancel") });
  const controlBp = Number(
    await ask(
      conversation,
      (c) => data(c, "bw:ctl:"),
      (c) => c.reply(c.t("bw-use-buttons")),
    ),
  );

  // 5. When: now, or tomorrow at 10:00 in the chain's zone (each member's quiet hours still apply).
  await ctx.reply(ctx.t("bw-when-ask"), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("bw-when-now"), "bw:when:now")
      .text(ctx.t("bw-when-tomorrow"), "bw:when:tomorrow")
      .row()
      .text(ctx.t("bw-cancel"), "bw:cancel"),
  });
  const when = await ask(
    conversation,
    (c) => data(c, "bw:when:"),
    (c) => c.reply(c.t("bw-use-buttons")),
  );
  const startAt = when === "tomorrow" ? await conversation.external(() => b.tomorrowMorning().toISOString()) : null;

  // 6. Confirm.
  const name = (variants[0]?.text ?? "").replace(/<[^>]+>/g, "").slice(0, 60);
  await ctx.reply(
    ctx.t("bw-summary", {
      members,
      variants: variants.length,
      control: controlBp / 100,
      when: startAt ? 1 : 0,
    }),
    {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("bw-confirm"), "bw:go:yes")
        .row()
        .text(ctx.t("bw-cancel"), "bw:cancel"),
    },
  );
  await ask(
    conversation,
    (c) => data(c, "bw:go:"),
    (c) => c.reply(c.t("bw-use-buttons")),
  );
  const by = String(ctx.from?.id);
  const created = await conversation.external(async () => {
    try {
      const id = await b.create(
        {
          name,
          segment,
          variants: variants.map((message) => ({ message })),
          controlBp,
          ...(startAt ? { startAt } : {}),
        },
        by,
      );
      return { id, state: await b.start(id) };
    } catch (e) {
      if (isDomainError(e)) return { error: e.message };
      throw e;
    }
  });
  if ("error" in created) {
    await ctx.reply(ctx.t("bw-failed", { reason: String(created.error) }));
    return;
  }
  const p = await conversation.external(() => b.progress(created.id));
  const view = renderProgress(ctx.locale ?? "ru", p);
  const m = await ctx.reply(view.text, { reply_markup: view.buttons });
  await conversation.external(() => b.attachProgress(created.id, BigInt(m.chat.id), m.message_id));
}

/** The message as members will see it, sent to the marketer. */
async function preview(ctx: ConversationContext, m: BroadcastMessage, variant: string) {
  await ctx.reply(ctx.t("bw-preview", { variant }));
  const reply_markup = m.button?.kind === "link" ? new InlineKeyboard().url(m.button.text, m.button.url) : undefined;
  const extra = { parse_mode: "HTML" as const, ...(reply_markup ? { reply_markup } : {}) };
  if (m.photo) await ctx.replyWithPhoto(m.photo, { caption: m.text, ...extra });
  else await ctx.reply(m.text, extra);
}

export const broadcastWalkFeature = new Composer<Context>();
// Registered where the plugin runs (a chat that may converse), as the plugin requires.
broadcastWalkFeature.filter(mayConverse, createConversation(walk, "broadcast-walk"));
broadcastWalkFeature.command("broadcast", async (ctx, next) => {
  if (!isMarketer(ctx) || ctx.match.trim()) return next();
  await ctx.conversation.enter("broadcast-walk");
});
