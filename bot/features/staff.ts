import { randomUUID } from "node:crypto";
import { Composer, type Filter, InlineKeyboard } from "grammy";
import type { Role } from "../../app/services/index.js";
import type { PurchaseResult } from "../../app/services/purchases.js";
import {
  type CashierProblem,
  isDomainError,
  isLocale,
  localeFromLanguageCode,
  parsePurchase,
  parseReturn,
  parseSpend,
} from "../../domain/index.js";
import type { Context } from "../context.js";
import { appliedOffersText } from "../views/offers.js";
import {
  currentLocale,
  fmtDate,
  fmtPercent,
  fmtPoints,
  fmtRub,
  i18n,
  memberLocale,
  switchLocale,
  tierName,
} from "../i18n.js";

const STAFF_COMMANDS = ["member", "purchase", "spend", "gift", "return", "reviews"] as const;
const ADMIN_COMMANDS = ["staff_invite", "staff"] as const;
/** A chat's own command list replaces the default one: staff keep the shopper commands too. */
const SHOPPER_COMMANDS = ["card", "stores", "invite", "settings", "language", "privacy", "help"] as const;

type StaffContext = Context & { role: Role };

/** Error details that are money (kopecks) or points, so they are shown with their unit. */
const KOPECK_DETAILS = new Set(["returnable", "amountKopecks", "limitKopecks"]);
const POINT_DETAILS = new Set(["max", "capLeft", "receiptCap", "balance", "requested", "points"]);

/** "12345678" (member code) or a phone number, spaces and dashes allowed. */
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

  /** A domain error in the staff's language, its numbers with units: rubles, points, percent — never kopecks or ids. */
  const fail = async (ctx: Context, e: unknown) => {
    if (!isDomainError(e)) throw e;
    const key = `error-${e.code.replace(".", "-")}`;
    const args: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.details)) {
      if (typeof v !== "number") continue;
      if (KOPECK_DETAILS.has(k)) args[k] = fmtRub(ctx, v);
      else if (POINT_DETAILS.has(k)) args[k] = fmtPoints(ctx, v);
      else if (k.endsWith("Bp")) args[k] = fmtPercent(ctx, v);
      else args[k] = String(v);
    }
    const text = ctx.t(key, args);
    if (text === key) ctx.deps.log.warn({ code: e.code }, "no staff text for this error");
    await ctx.reply(ctx.t("staff-error", { message: text === key ? ctx.t("error-other") : text }));
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
        [...STAFF_COMMANDS, ...SHOPPER_COMMANDS].map((c) => ({ command: c, description: ctx.t(`cmd-${c}`) })),
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
  // Revoking asks first: the button list is easy to mis-tap.
  feature.callbackQuery(/^staff:revoke:(\d+)$/, guard(["admin"]), async (ctx) => {
    const s = await ctx.deps.services.staff.get(Number(ctx.match[1]));
    if (!s) return ctx.answerCallbackQuery({ text: ctx.t("staff-revoke-gone") });
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("staff-revoke-confirm", { name: s.name, store: s.store.name }), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("staff-revoke-yes"), `staff:revoke-yes:${s.id}`)
        .text(ctx.t("staff-revoke-no"), "staff:revoke-no"),
    });
  });
  feature.callbackQuery("staff:revoke-no", guard(["admin"]), async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t("staff-revoke-kept") });
    await ctx.editMessageReplyMarkup().catch(() => {});
  });
  feature.callbackQuery(/^staff:revoke-yes:(\d+)$/, guard(["admin"]), async (ctx) => {
    await ctx.editMessageReplyMarkup().catch(() => {});
    const s = await ctx.deps.services.staff.revoke(Number(ctx.match[1]));
    if (!s) return ctx.answerCallbackQuery({ text: ctx.t("staff-revoke-gone") });
    await ctx.answerCallbackQuery();
    const chatId = Number(s.chatId);
    await ctx.api.deleteMyCommands({ scope: { type: "chat", chat_id: chatId } }).catch(() => {});
    // The cashier hears it from the bot rather than from a refused command at the till.
    await ctx.api
      .sendMessage(chatId, i18n.t(memberLocale(s.language), "staff-revoked-you", { store: s.store.name }))
      .catch((e) => ctx.deps.log.warn({ err: e }, "revoked cashier not told"));
    await ctx.reply(ctx.t("staff-revoked-named", { name: s.name, store: s.store.name }));
  });

  // /stores for an admin: every store with its id (for /staff_invite); for everyone else the nearest stores.
  feature.command("stores", async (ctx, next) => {
    const role = ctx.from ? await ctx.deps.services.staff.roleOf(ctx.from.id) : { role: "shopper" };
    if (role.role !== "admin") return next();
    const stores = await ctx.deps.services.staff.stores();
    if (!stores.length) return ctx.reply(ctx.t("admin-stores-empty"));
    await ctx.reply(
      [
        ctx.t("admin-stores-title"),
        ...stores.map((st) =>
          ctx.t(st.active ? "admin-stores-line" : "admin-stores-line-closed", {
            id: String(st.id),
            name: st.name,
            address: st.address,
          }),
        ),
        ctx.t("admin-stores-hint"),
      ].join("\n"),
    );
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
            visits: s.visitsInWindow,
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

  // A gift offer's code, shown by the shopper (/offers gave it on activation): handed over once.
  staff.command("gift", async (ctx) => {
    const storeId = storeOf(ctx as StaffContext);
    const code = ctx.match.trim();
    if (storeId === undefined || !code) return ctx.reply(ctx.t("staff-usage-gift"));
    try {
      const g = await ctx.deps.services.offers.gifts.redeem({ storeId, code });
      const en = currentLocale(ctx) === "en";
      await ctx.reply(
        ctx.t("staff-gift-done", {
          gift: en ? g.gift.en : g.gift.ru,
          title: en ? g.title.en : g.title.ru,
          code: g.code,
        }),
      );
    } catch (e) {
      if (isDomainError(e, "GIFT.ALREADY_REDEEMED") && typeof e.details.redeemedAt === "string")
        return ctx.reply(
          ctx.t("staff-error", {
            message: ctx.t("error-GIFT-ALREADY_REDEEMED", {
              when: fmtDate(ctx, new Date(e.details.redeemedAt)),
              store: typeof e.details.storeName === "string" ? e.details.storeName : "—",
            }),
          }),
        );
      if (isDomainError(e, "GIFT.EXPIRED") && typeof e.details.endsAt === "string")
        return ctx.reply(
          ctx.t("staff-error", {
            message: ctx.t("error-GIFT-EXPIRED", { when: fmtDate(ctx, new Date(e.details.endsAt)) }),
          }),
        );
      await fail(ctx, e);
    }
  });

  /** Asks the cashier back about input that does not read unambiguously. */
  const askBack = (ctx: Context, usage: string, problem: CashierProblem) => {
    const what = (() => {
      switch (problem.kind) {
        case "missing":
          return ctx.t(`staff-input-missing-${problem.what}`);
        case "member":
          return ctx.t("staff-input-member", { text: problem.text });
        case "amount":
          return ctx.t("staff-input-amount", { text: problem.text });
        case "ambiguous-amount":
          return ctx.t("staff-input-ambiguous", {
            text: problem.text,
            readings: problem.readings.map((k) => fmtRub(ctx, k)).join(ctx.t("staff-input-or")),
          });
        case "receipt-unmarked":
          return ctx.t("staff-input-receipt-unmarked", {
            amount: problem.amountText,
            receipt: problem.receiptText,
          });
        case "points":
          return ctx.t("staff-input-points", { text: problem.text });
        case "extra":
          return ctx.t("staff-input-extra", { text: problem.text });
      }
    })();
    return ctx.reply(`${what}\n\n${ctx.t(usage)}`);
  };

  /** A receipt number for a purchase typed without one: short, shown to the cashier, the same if Telegram redelivers. */
  const autoReceipt = (ctx: Context) => `T-${ctx.update.update_id.toString(36).toUpperCase()}`;

  /** Posts a purchase and answers with its result and a cancel button (10 minutes). */
  const postPurchase = async (ctx: Context, r: PurchaseResult) => {
    if (r.replay) return ctx.reply(ctx.t("staff-purchase-replay", { points: fmtPoints(ctx, r.points) }));
    await ctx.reply(
      ctx.t("staff-purchase-done", {
        receipt: r.receiptId,
        amount: fmtRub(ctx, r.amountKopecks),
        points: fmtPoints(ctx, r.points),
        tier: tierName(ctx, { code: r.tierCode, name: r.tierCode }),
        rate: fmtPercent(ctx, r.rateBp),
        balance: fmtPoints(ctx, r.balance),
      }) + appliedOffersText(ctx, r.offers),
      { reply_markup: new InlineKeyboard().text(ctx.t("staff-cancel-button"), `pu:undo:${r.purchaseId}`) },
    );
  };

  staff.command("purchase", async (ctx) => {
    const storeId = storeOf(ctx as StaffContext);
    if (storeId === undefined) return ctx.reply(ctx.t("staff-usage-purchase"));
    const p = parsePurchase(ctx.match);
    if (!p.ok) return askBack(ctx, "staff-usage-purchase", p.problem);
    const input = {
      storeId,
      member: p.member,
      receiptId: p.receipt ?? autoReceipt(ctx),
      amountKopecks: p.amountKopecks,
    };
    try {
      const why = await ctx.deps.services.cashier.review(input);
      if (why) {
        const id = await ctx.deps.services.cashier.hold(input);
        return ctx.reply(
          ctx.t(`staff-confirm-${why.reason}`, {
            amount: fmtRub(ctx, input.amountKopecks),
            receipt: input.receiptId,
            limit: why.reason === "above-limit" ? fmtRub(ctx, why.limitKopecks) : "",
            usual: why.reason === "above-usual" ? fmtRub(ctx, why.usualKopecks) : "",
            multiple: why.reason === "above-usual" ? why.multiple : 0,
          }),
          {
            reply_markup: new InlineKeyboard()
              .text(ctx.t("staff-confirm-yes", { amount: fmtRub(ctx, input.amountKopecks) }), `pb:ok:${id}`)
              .text(ctx.t("staff-confirm-no"), `pb:no:${id}`),
          },
        );
      }
      await postPurchase(ctx, await ctx.deps.services.purchases.recordPurchase(input));
    } catch (e) {
      await fail(ctx, e);
    }
  });

  // The cashier's second look at a held purchase.
  feature.callbackQuery(/^pb:(ok|no):([\w-]{1,16})$/, guard(["staff", "admin"]), async (ctx) => {
    const id = ctx.match[2] as string;
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (ctx.match[1] === "no") {
      await ctx.deps.services.cashier.dropHeld(id);
      await ctx.answerCallbackQuery({ text: ctx.t("staff-confirm-dropped") });
      return ctx.reply(ctx.t("staff-confirm-dropped"));
    }
    try {
      const r = await ctx.deps.services.cashier.confirmHeld(id);
      await ctx.answerCallbackQuery();
      await postPurchase(ctx, r);
    } catch (e) {
      if (isDomainError(e, "REDEMPTION.NOT_PENDING") || isDomainError(e, "REDEMPTION.EXPIRED"))
        return ctx.answerCallbackQuery({ text: ctx.t("staff-confirm-stale"), show_alert: true });
      await ctx.answerCallbackQuery();
      await fail(ctx, e);
    }
  });

  // "🧾 Post the purchase" under a confirmed spend: the rest of the receipt, paid in money.
  feature.callbackQuery(/^pr:(.{1,61})$/, guard(["staff", "admin"]), async (ctx) => {
    const role = (ctx as StaffContext).role;
    await ctx.editMessageReplyMarkup().catch(() => {});
    try {
      const r = await ctx.deps.services.cashier.postAfterSpend(
        ctx.match[1] as string,
        role.role === "staff" ? role.storeId : undefined,
      );
      await ctx.answerCallbackQuery();
      await postPurchase(ctx, r);
    } catch (e) {
      if (isDomainError(e, "REDEMPTION.NOT_FOUND") || isDomainError(e, "REDEMPTION.NOT_PENDING"))
        return ctx.answerCallbackQuery({ text: ctx.t("stale-button"), show_alert: true });
      await ctx.answerCallbackQuery();
      await fail(ctx, e);
    }
  });

  // "↩️ Cancel" under a posted purchase: a full return, once.
  feature.callbackQuery(/^pu:undo:(\d{1,12})$/, guard(["staff", "admin"]), async (ctx) => {
    const role = (ctx as StaffContext).role;
    try {
      const r = await ctx.deps.services.cashier.cancel(
        Number(ctx.match[1]),
        role.role === "staff" ? role.storeId : undefined,
      );
      await ctx.editMessageReplyMarkup().catch(() => {});
      if (r.replay) return ctx.answerCallbackQuery({ text: ctx.t("staff-cancel-already") });
      await ctx.answerCallbackQuery({ text: ctx.t("staff-cancel-done-toast") });
      await ctx.reply(
        ctx.t("staff-cancel-done", {
          receipt: r.receiptId,
          amount: fmtRub(ctx, r.amountKopecks),
          reversed: fmtPoints(ctx, r.pointsReversed),
          balance: fmtPoints(ctx, r.balance),
        }),
      );
    } catch (e) {
      if (isDomainError(e, "PURCHASE.CANCEL_EXPIRED")) {
        await ctx.editMessageReplyMarkup().catch(() => {});
        return ctx.answerCallbackQuery({
          text: ctx.t("staff-cancel-expired", { minutes: Number(e.details.minutes) }),
          show_alert: true,
        });
      }
      await ctx.answerCallbackQuery();
      await fail(ctx, e);
    }
  });

  staff.command("spend", async (ctx) => {
    const storeId = storeOf(ctx as StaffContext);
    if (storeId === undefined) return ctx.reply(ctx.t("staff-usage-spend"));
    const p = parseSpend(ctx.match);
    if (!p.ok) return askBack(ctx, "staff-usage-spend", p.problem);
    try {
      const r = await ctx.deps.services.redemptions.request({
        storeId,
        member: p.member,
        receiptId: p.receipt ?? autoReceipt(ctx),
        receiptAmountKopecks: p.amountKopecks,
        points: p.points,
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
    const storeId = storeOf(ctx as StaffContext);
    if (storeId === undefined) return ctx.reply(ctx.t("staff-usage-return"));
    const p = parseReturn(ctx.match);
    if (!p.ok) return askBack(ctx, "staff-usage-return", p.problem);
    try {
      const r = await ctx.deps.services.purchases.recordReturn({
        storeId,
        receiptId: p.receipt,
        amountKopecks: p.amountKopecks,
        returnKey: p.returnId ?? `tg-${ctx.update.update_id}`,
      });
      await ctx.reply(
        ctx.t("staff-return-done", {
          receipt: p.receipt,
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
