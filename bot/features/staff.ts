import { randomUUID } from "node:crypto";
import { Composer, type Filter, InlineKeyboard } from "grammy";
import type { Role } from "../../app/services/index.js";
import { isDomainError, isLocale, localeFromLanguageCode, parseRubles } from "../../domain/index.js";
import type { Context } from "../context.js";
import { fmtDate, fmtPercent, fmtPoints, fmtRub, switchLocale } from "../i18n.js";

const STAFF_COMMANDS = ["member", "purchase", "spend", "return"] as const;
const ADMIN_COMMANDS = ["staff_invite", "staff"] as const;

type StaffContext = Context & { role: Role };

/** "12345678" (member code) or a phone number. */
const memberKey = (arg: string) => (/^\d{8}$/.test(arg) ? { memberCode: arg } : { phone: arg });

/**
 * Store staff and admins in Telegram. Shoppers never see these commands (the
 * command lists are set per chat) and get a plain "not available" if they
 * type one; every denied attempt is logged.
 */
export function createStaffFeature() {
  const feature = new Composer<Context>();

  /** Resolves the sender's role for staff and admin commands; denies the rest. */
  const guard = (allowed: Role["role"][]) => async (ctx: Context, next: () => Promise<void>) => {
    const role = ctx.from ? await ctx.deps.services.staff.roleOf(ctx.from.id) : ({ role: "shopper" } as const);
    if (!allowed.includes(role.role)) {
      ctx.deps.log.warn(
        { from: ctx.from?.id, text: ctx.message?.text?.slice(0, 64), role: role.role },
        "staff command denied",
      );
      await ctx.reply(ctx.t("not-available"));
      return;
    }
    (ctx as StaffContext).role = role;
    // Staff read staff messages in the language they set for work.
    if ("language" in role && isLocale(role.language)) switchLocale(ctx, role.language);
    await next();
  };

  /** The store a staff member acts for: their own; an admin names one. */
  const storeOf = (ctx: StaffContext, named?: number) => (ctx.role.role === "staff" ? ctx.role.storeId : named);

  const fail = async (ctx: Context, e: unknown) => {
    if (!isDomainError(e)) throw e;
    const key = `error-${e.code.replace(".", "-")}`;
    const text = ctx.t(key, Object.fromEntries(Object.entries(e.details).map(([k, v]) => [k, String(v)])));
    await ctx.reply(ctx.t("staff-error", { message: text === key ? ctx.t("error-other", { code: e.code }) : text }));
  };

  // /start staff_<token>: accept an invite.
  feature.command("start", async (ctx, next) => {
    const payload = ctx.match.trim();
    if (!payload.startsWith("staff_")) return next();
    try {
      const { store } = await ctx.deps.services.staff.acceptInvite(payload.slice(6), {
        telegramId: ctx.from?.id ?? 0,
        chatId: ctx.chat.id,
        name: [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(" "),
        language: localeFromLanguageCode(ctx.from?.language_code),
      });
      await ctx.api.setMyCommands(
        STAFF_COMMANDS.map((c) => ({ command: c, description: ctx.t(`cmd-${c}`) })),
        { scope: { type: "chat", chat_id: ctx.chat.id } },
      );
      await ctx.reply(ctx.t("staff-joined", { store: store.name }));
    } catch (e) {
      if (isDomainError(e, "INPUT.INVALID")) return ctx.reply(ctx.t("staff-invite-invalid"));
      throw e;
    }
  });

  // Staff who are not members choose the language of their messages here
  // (members use the settings menu, which sets both).
  feature.command("language", async (ctx, next) => {
    if (ctx.member || !ctx.from) return next();
    const role = await ctx.deps.services.staff.roleOf(ctx.from.id);
    if (role.role === "shopper") return next();
    await ctx.reply(ctx.t("language-choose"), {
      reply_markup: new InlineKeyboard().text("🇷🇺 Русский", "staff:lang:ru").text("🇬🇧 English", "staff:lang:en"),
    });
  });
  feature.callbackQuery(/^staff:lang:(ru|en)$/, async (ctx) => {
    const locale = ctx.match[1] as "ru" | "en";
    if (!(await ctx.deps.services.staff.setLanguage(ctx.from.id, locale)))
      return ctx.answerCallbackQuery({ text: ctx.t("not-available") });
    switchLocale(ctx, locale);
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("language-set"));
  });

  const admin = feature.filter((ctx): ctx is Filter<Context, "message"> => {
    const cmd = /^\/(\w+)/.exec(ctx.message?.text ?? "")?.[1];
    return (ADMIN_COMMANDS as readonly string[]).includes(cmd ?? "");
  });
  admin.use(guard(["admin"]));
  admin.command("staff_invite", async (ctx) => {
    const storeId = Number(ctx.match.trim());
    if (!Number.isInteger(storeId) || storeId <= 0) return ctx.reply(ctx.t("staff-usage-invite"));
    try {
      const { token, store } = await ctx.deps.services.staff.createInvite(storeId, ctx.from?.id ?? 0);
      await ctx.reply(
        ctx.t("staff-invite-link", { store: store.name, link: `https://t.me/${ctx.me.username}?start=staff_${token}` }),
        {
          link_preview_options: { is_disabled: true },
        },
      );
    } catch (e) {
      await fail(ctx, e);
    }
  });
  admin.command("staff", async (ctx) => {
    const staff = await ctx.deps.services.staff.list();
    if (!staff.length) return ctx.reply(ctx.t("staff-list-empty"));
    const kb = new InlineKeyboard();
    for (const s of staff) kb.text(ctx.t("staff-revoke", { name: s.name }), `staff:revoke:${s.id}`).row();
    await ctx.reply(
      [
        ctx.t("staff-list-title"),
        ...staff.map((s) => ctx.t("staff-list-line", { name: s.name, store: s.store.name })),
      ].join("\n"),
      { reply_markup: kb },
    );
  });
  feature.callbackQuery(/^staff:revoke:(\d+)$/, guard(["admin"]), async (ctx) => {
    await ctx.answerCallbackQuery();
    const revokedId = Number(ctx.match[1]);
    const s = await ctx.deps.services.staff.revoke(revokedId);
    if (s) await ctx.api.deleteMyCommands({ scope: { type: "chat", chat_id: Number(s.chatId) } }).catch(() => {});
    await ctx.reply(ctx.t("staff-revoked"));
  });

  const staff = feature.filter((ctx) => {
    const cmd = /^\/(\w+)/.exec(ctx.message?.text ?? "")?.[1];
    return (STAFF_COMMANDS as readonly string[]).includes(cmd ?? "");
  });
  staff.use(guard(["staff", "admin"]));

  staff.command("member", async (ctx) => {
    const arg = ctx.match.trim();
    if (!arg) return ctx.reply(ctx.t("staff-usage-member"));
    try {
      const m = await ctx.deps.services.members.get(memberKey(arg));
      const s = await ctx.deps.services.cards.status(m.id);
      await ctx.reply(
        ctx
          .t("staff-member", {
            name: s.name ?? "—",
            code: s.memberCode,
            status: ctx.t(`staff-status-${s.status}`),
            tier: s.tier.name,
            rate: fmtPercent(ctx, s.tier.rateBp),
            balance: fmtPoints(ctx, s.balance),
            expiring: fmtPoints(ctx, s.expiringSoon),
            visits: String(s.visitsInWindow),
            spend: fmtRub(ctx, s.spendInWindowKopecks),
            last: s.lastPurchase
              ? `${fmtDate(ctx, s.lastPurchase.at)}, ${fmtRub(ctx, s.lastPurchase.amountKopecks)}, ${s.lastPurchase.storeName}`
              : ctx.t("staff-member-no-last"),
            birthday: s.birthdayThisWeek ? ctx.t("staff-member-birthday") : "",
          })
          .trimEnd(),
      );
    } catch (e) {
      await fail(ctx, e);
    }
  });

  staff.command("purchase", async (ctx) => {
    const [who, amountText, receipt] = ctx.match.trim().split(/\s+/);
    const amount = amountText ? parseRubles(amountText) : null;
    const storeId = storeOf(ctx as StaffContext);
    if (!who || amount === null || storeId === undefined) return ctx.reply(ctx.t("staff-usage-purchase"));
    try {
      const r = await ctx.deps.services.purchases.recordPurchase({
        storeId,
        member: memberKey(who),
        receiptId: receipt ?? `tg-${ctx.update.update_id}-${Date.now().toString(36)}`,
        amountKopecks: amount,
      });
      if (r.replay) return ctx.reply(ctx.t("staff-purchase-replay", { points: fmtPoints(ctx, r.points) }));
      const tier = ctx.deps.services.program.tiers.find((t) => t.code === r.tierCode);
      await ctx.reply(
        ctx.t("staff-purchase-done", {
          receipt: r.receiptId,
          amount: fmtRub(ctx, r.amountKopecks),
          points: fmtPoints(ctx, r.points),
          tier: tier?.name ?? r.tierCode,
          rate: fmtPercent(ctx, r.rateBp),
          balance: fmtPoints(ctx, r.balance),
        }),
      );
    } catch (e) {
      await fail(ctx, e);
    }
  });

  staff.command("spend", async (ctx) => {
    const [who, pointsText, amountText, receipt] = ctx.match.trim().split(/\s+/);
    const points = Number(pointsText);
    const amount = amountText ? parseRubles(amountText) : null;
    const storeId = storeOf(ctx as StaffContext);
    if (!who || !Number.isInteger(points) || points <= 0 || amount === null || storeId === undefined)
      return ctx.reply(ctx.t("staff-usage-spend"));
    try {
      const r = await ctx.deps.services.redemptions.request({
        storeId,
        member: memberKey(who),
        receiptId: receipt ?? `tg-${ctx.update.update_id}-${Date.now().toString(36)}`,
        receiptAmountKopecks: amount,
        points,
        requestId: randomUUID(),
        requestedBy: "staff",
        staffChatId: ctx.chat.id,
      });
      await ctx.reply(ctx.t("staff-spend-sent", { points: fmtPoints(ctx, r.points), receipt: r.receiptId }));
    } catch (e) {
      await fail(ctx, e);
    }
  });

  staff.command("return", async (ctx) => {
    const [receipt, amountText, returnId] = ctx.match.trim().split(/\s+/);
    const amount = amountText ? parseRubles(amountText) : null;
    const storeId = storeOf(ctx as StaffContext);
    if (!receipt || amount === null || storeId === undefined) return ctx.reply(ctx.t("staff-usage-return"));
    try {
      const r = await ctx.deps.services.purchases.recordReturn({
        storeId,
        receiptId: receipt,
        amountKopecks: amount,
        returnKey: returnId ?? `tg-${ctx.update.update_id}`,
      });
      await ctx.reply(
        ctx.t("staff-return-done", {
          receipt,
          amount: fmtRub(ctx, r.amountKopecks),
          reversed: fmtPoints(ctx, r.pointsReversed),
          refunded: fmtPoints(ctx, r.pointsRefunded),
          uncollected: r.pointsUncollected
            ? ctx.t("staff-return-uncollected", { points: fmtPoints(ctx, r.pointsUncollected) })
            : "",
        }),
      );
    } catch (e) {
      await fail(ctx, e);
    }
  });

  // The shopper's answer to a spend request. The outcome reaches both sides
  // through the outbox (a job edits this prompt and tells the cashier); here
  // the press is only acknowledged. A late, repeated or forged press gets a
  // toast and changes nothing: no second message to anyone.
  feature.callbackQuery(/^spend:(yes|no):(.{1,60})$/, async (ctx) => {
    const member = ctx.member;
    const msg = ctx.callbackQuery.message;
    const accept = ctx.match[1] === "yes";
    if (!member) return ctx.answerCallbackQuery({ text: ctx.t("spend-toast-unknown") });
    const prompt = msg ? { chatId: msg.chat.id, messageId: msg.message_id } : undefined;
    try {
      const r = await ctx.deps.services.redemptions.decide(ctx.match[2] as string, member.id, accept, prompt);
      await ctx.answerCallbackQuery({ text: ctx.t(r.replay ? "spend-toast-done" : `spend-toast-${r.status}`) });
    } catch (e) {
      if (isDomainError(e, "REDEMPTION.NOT_PENDING")) {
        const status = String(e.details.status ?? "");
        return ctx.answerCallbackQuery({ text: ctx.t(`spend-toast-${status === "expired" ? "expired" : "done"}`) });
      }
      if (isDomainError(e, "REDEMPTION.NOT_FOUND"))
        return ctx.answerCallbackQuery({ text: ctx.t("spend-toast-unknown") });
      if (isDomainError(e)) {
        // The spend is no longer possible (balance spent meanwhile, caps): say why, in a toast and in chat.
        await ctx.answerCallbackQuery();
        return fail(ctx, e);
      }
      throw e;
    }
  });

  return feature;
}
