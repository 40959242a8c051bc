import { type Conversation, createConversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, Keyboard } from "grammy";
import { isDomainError, localeFromLanguageCode } from "../../domain/index.js";
import type { Context, ConversationContext } from "../context.js";
import { mayConverse } from "../filters/may-converse.js";
import { fmtPercent, fmtPoints, fmtRub, tierName } from "../i18n.js";
import { mainMenu } from "../keyboards.js";
import { showCard } from "./card.js";

type Conv = Conversation<Context, ConversationContext>;

const NAME_MAX = 64;
const REF_PREFIX = "ref_";

/** "25.03.1990" → a date if it is a plausible birthday (between 1 and 120 years ago). */
export function parseBirthday(text: string, now = new Date()): Date | null {
  const m = /^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  const age = now.getUTCFullYear() - y;
  return age >= 1 && age <= 120 && date < now ? date : null;
}

function validName(text: string): string | null {
  const name = text.trim().replace(/\s+/g, " ");
  if (!name || name.length > NAME_MAX || name.startsWith("/") || /https?:|t\.me\/|@\w/.test(name)) return null;
  return name;
}

const referralOf = (payload: string) =>
  payload.startsWith(REF_PREFIX) ? payload.slice(REF_PREFIX.length).slice(0, 32) : undefined;

/**
 * Waits for an update that `pick` accepts. "/start" begins enrollment anew
 * (an invite link opened mid-way counts), "/cancel" or the cancel button leaves it, "/help" is
 * answered without losing the step, a button from an earlier step gets a
 * toast; anything else gets `hint`.
 */
async function ask<T>(
  conversation: Conv,
  pick: (c: ConversationContext) => T | undefined | Promise<T | undefined>,
  hint: (c: ConversationContext) => Promise<unknown>,
): Promise<T> {
  for (;;) {
    const c = await conversation.wait();
    const text = c.message?.text ?? "";
    // /start again (maybe from an invite link): leave, and let the /start handler begin anew with its referral.
    if (text.startsWith("/start")) await conversation.halt({ next: true });
    if (text === "/cancel" || text === c.t("enroll-cancel") || c.callbackQuery?.data === "enroll:cancel") {
      if (c.callbackQuery) {
        await c.answerCallbackQuery();
        await c.editMessageReplyMarkup().catch(() => {});
      }
      await c.reply(c.t("enroll-cancelled"), { reply_markup: { remove_keyboard: true } });
      await conversation.halt();
    }
    if (text === "/help") {
      await c.reply(c.t("enroll-help"));
      continue;
    }
    const picked = await pick(c);
    if (picked !== undefined) return picked;
    if (c.callbackQuery) {
      await c.answerCallbackQuery({ text: c.t("stale-button") });
      continue;
    }
    await hint(c);
  }
}

/**
 * Enrollment: program explained, consent, the shopper's own phone, name,
 * optional birthday; then the member is created with the welcome bonus.
 * Nothing is stored before consent, and a decline stores nothing at all.
 * State lives in the database between steps (bot/storage.ts), so a restart
 * mid-way resumes where the shopper was. Side effects run in `external`.
 */
async function enroll(conversation: Conv, ctx: ConversationContext, referralCode?: string) {
  const { services } = ctx.deps;
  const program = services.program;
  const tiers = program.tiers
    .map((t) =>
      ctx.t("enroll-tier-line", {
        name: tierName(ctx, t),
        rate: fmtPercent(ctx, t.rateBp),
        threshold: fmtRub(ctx, t.thresholdKopecks),
      }),
    )
    .join("\n");
  await ctx.reply(ctx.t("enroll-intro", { tiers, welcome: fmtPoints(ctx, program.welcomeBonusPoints) }), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("enroll-accept"), "enroll:accept")
      .text(ctx.t("enroll-decline"), "enroll:decline"),
  });

  const consent = await ask(
    conversation,
    (c) => (c.callbackQuery?.data === "enroll:accept" || c.callbackQuery?.data === "enroll:decline" ? c : undefined),
    (c) => c.reply(c.t("enroll-consent-hint")),
  );
  await consent.answerCallbackQuery();
  await consent.editMessageReplyMarkup();
  if (consent.callbackQuery?.data === "enroll:decline") {
    await consent.reply(consent.t("enroll-declined"), { reply_markup: { remove_keyboard: true } });
    return;
  }

  const phoneKeyboard = new Keyboard()
    .requestContact(ctx.t("enroll-share-phone"))
    .row()
    .text(ctx.t("enroll-cancel"))
    .resized()
    .oneTime();
  await ctx.reply(ctx.t("enroll-phone"), { reply_markup: phoneKeyboard });
  const phone = await ask(
    conversation,
    async (c) => {
      const contact = c.message?.contact;
      if (!contact) return undefined;
      if (contact.user_id !== c.from?.id) {
        await c.reply(c.t("enroll-phone-foreign"), { reply_markup: phoneKeyboard });
        return undefined;
      }
      // Taken already: say so now, not after the name and birthday.
      if (await conversation.external(() => services.members.phoneTaken(contact.phone_number))) {
        await c.reply(c.t("enroll-phone-taken"), { reply_markup: { remove_keyboard: true } });
        await conversation.halt();
      }
      return contact.phone_number;
    },
    (c) =>
      c.message?.contact ? Promise.resolve() : c.reply(c.t("enroll-phone-hint"), { reply_markup: phoneKeyboard }),
  );

  let name = validName(ctx.from?.first_name ?? "") ?? "";
  if (name) {
    await ctx.reply(ctx.t("enroll-name", { name }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("enroll-name-yes"), "enroll:name-ok")
        .text(ctx.t("enroll-name-change"), "enroll:name-change")
        .row()
        .text(ctx.t("enroll-cancel"), "enroll:cancel"),
    });
    const answer = await ask(
      conversation,
      (c) => (c.callbackQuery?.data?.startsWith("enroll:name-") ? c : undefined),
      (c) => c.reply(c.t("enroll-name", { name })),
    );
    await answer.answerCallbackQuery();
    await answer.editMessageReplyMarkup();
    if (answer.callbackQuery?.data === "enroll:name-change") name = "";
  }
  if (!name) {
    await ctx.reply(ctx.t("enroll-name-ask"), {
      reply_markup: new InlineKeyboard().text(ctx.t("enroll-cancel"), "enroll:cancel"),
    });
    name = await ask(
      conversation,
      (c) => (c.message?.text ? (validName(c.message.text) ?? undefined) : undefined),
      (c) => c.reply(c.t("enroll-name-invalid")),
    );
  }

  const now = await conversation.now();
  await ctx.reply(ctx.t("enroll-birthday"), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t("enroll-skip"), "enroll:skip-birthday")
      .text(ctx.t("enroll-cancel"), "enroll:cancel"),
  });
  const birthday = await ask<Date | null>(
    conversation,
    async (c) => {
      if (c.callbackQuery?.data === "enroll:skip-birthday") {
        await c.answerCallbackQuery();
        return null;
      }
      return c.message?.text ? (parseBirthday(c.message.text, new Date(now)) ?? undefined) : undefined;
    },
    (c) => c.reply(c.t("enroll-birthday-invalid")),
  );

  const result = await conversation.external(async (outside) => {
    try {
      const m = await services.members.enroll({
        telegramId: outside.from?.id,
        chatId: outside.chat?.id,
        firstName: name,
        lastName: outside.from?.last_name ?? null,
        phone,
        birthday,
        // Saved for every language Telegram reports (de → en), so later messages match the chat.
        language: localeFromLanguageCode(outside.from?.language_code),
        referralCode: referralCode ?? null,
      });
      return { ok: true as const, memberId: m.id, referred: m.referredById !== null };
    } catch (e) {
      if (isDomainError(e, "MEMBER.PHONE_TAKEN")) return { ok: false as const, reason: "phone" as const };
      if (isDomainError(e, "MEMBER.ALREADY_ENROLLED")) return { ok: false as const, reason: "enrolled" as const };
      throw e;
    }
  });
  if (!result.ok) {
    await ctx.reply(ctx.t(result.reason === "phone" ? "enroll-phone-taken" : "enroll-already"), {
      reply_markup: { remove_keyboard: true },
    });
    return;
  }
  if (result.referred) await ctx.reply(ctx.t("enroll-referred"));
  await ctx.reply(ctx.t("enroll-done", { name, welcome: fmtPoints(ctx, program.welcomeBonusPoints) }), {
    reply_markup: mainMenu(ctx),
  });
  await conversation.external(async (outside) => {
    outside.member = await services.members.find({ id: result.memberId });
    await showCard(outside);
  });
}

export const enrollFeature = new Composer<Context>();
// Registered where the plugin runs (a chat that may converse), as the plugin requires.
enrollFeature.filter(mayConverse, createConversation(enroll, "enroll"));

enrollFeature.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  if (ctx.member) return showCard(ctx);
  // Staff and admins run the program; they enroll as shoppers only on purpose (/start join).
  if (
    payload !== "join" &&
    !payload.startsWith(REF_PREFIX) &&
    (await ctx.deps.services.staff.roleOf(ctx.from?.id ?? 0)).role !== "shopper"
  )
    return ctx.reply(ctx.t("staff-start"));
  await ctx.conversation.enter("enroll", referralOf(payload));
});
