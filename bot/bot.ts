import "./composer.js";
import { autoRetry } from "@grammyjs/auto-retry";
import { conversations } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { apiThrottler } from "@grammyjs/transformer-throttler";
import { Api, Bot, BotError, type Context as BaseContext, GrammyError, HttpError, type MiddlewareFn } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { BotDeps, Context, ConversationContext } from "./context.js";
import { broadcastWalkFeature } from "./features/broadcast-walk.js";
import { broadcastsFeature } from "./features/broadcasts.js";
import { reviewsFeature } from "./features/reviews.js";
import { surveysFeature } from "./features/surveys.js";
import { cardFeature } from "./features/card.js";
import { challengesFeature } from "./features/challenges.js";
import { dashboardFeature } from "./features/dashboard.js";
import { enrollFeature } from "./features/enroll.js";
import { fallbackFeature, helpFeature } from "./features/help.js";
import { inviteFeature } from "./features/invite.js";
import { privacyFeature } from "./features/privacy.js";
import { settingsFeature } from "./features/settings.js";
import { createStaffFeature } from "./features/staff.js";
import { storesFeature } from "./features/stores.js";
import { offersFeature } from "./features/offers.js";
import { i18n, localeFromTelegram } from "./i18n.js";
import { chatMemberStatus, claimAndLoadMember, floodControl, unreachableOn403 } from "./middleware.js";
import { telegramBroadcaster } from "./broadcaster.js";
import { telegramMessenger } from "./messenger.js";
import { createRateGate, gated, perChatSpacing } from "./rate.js";
import { telegramFetch } from "./telegram-fetch.js";
import { mayConverse } from "./filters/may-converse.js";
import { byChat, conversationStorage } from "./storage.js";

export interface BotOptions {
  token: string;
  apiRoot: string;
  /** Skip getMe at start (tests and benchmarks that know the bot). */
  botInfo?: UserFromGetMe;
  /** Messages per second to all chats together; Telegram allows about 30. */
  globalRps?: number;
  /** Paid broadcasts (allow_paid_broadcast): messages per second, up to 1,000. */
  paidRps?: number;
  /** Per-user flood control: at most `limit` updates per `windowMs` (default 10 per 5 s). */
  flood?: { limit: number; windowMs: number };
  /** Least time between two messages into one private chat, in ms (default 50; Telegram dislikes bursts). */
  chatSpacingMs?: number;
}

/**
 * Builds the shopper bot. Transport only: every handler reads or changes
 * the program through deps.services, never computing points itself.
 */
export function createBot(opts: BotOptions, deps: BotDeps) {
  // One HTTP client, its connections kept alive, for the bot and both Api instances below.
  const fetch = telegramFetch();
  const bot = new Bot<Context>(opts.token, {
    client: { apiRoot: opts.apiRoot, fetch },
    ...(opts.botInfo ? { botInfo: opts.botInfo } : {}),
  });
  const inFlight = trackInFlight();
  bot.use(inFlight.middleware);
  const rps = opts.globalRps ?? 30;

  // Outgoing: mark blocked chats, retry 429/5xx after the time Telegram asks, keep within rate limits.
  // One rate gate for the bot's replies, the jobs' notices and broadcasts: the global limit is
  // shared, transactional messages first (bot/rate.ts); the throttler only spaces one chat's messages.
  const gate = createRateGate(rps);
  const paidGate = createRateGate(opts.paidRps ?? 1000);
  // Groups keep the throttler's per-group limits; private chats are spaced without it (bot/rate.ts).
  const throttle = perChatSpacing(
    opts.chatSpacingMs ?? 50,
    apiThrottler({ global: {}, out: { maxConcurrent: 1, minTime: 50 } }),
  );
  // The gate is installed first, so it is innermost: every retry takes its turn, every 429 pauses it.
  bot.api.config.use(gated(gate, 0));
  bot.api.config.use(unreachableOn403(deps));
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  bot.api.config.use(throttle);
  // Notices are sent by jobs, which retry on their own schedule (durably, with
  // backoff): a 5xx or a long 429 fails the attempt at once instead of holding
  // the job inside the process, where a crash would leave it leased.
  const noticeApi = new Api(opts.token, { apiRoot: opts.apiRoot, fetch });
  noticeApi.config.use(gated(gate, 0));
  noticeApi.config.use(unreachableOn403(deps));
  noticeApi.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 5, rethrowInternalServerErrors: true }));
  noticeApi.config.use(throttle);
  // Broadcasts wait behind both, and retry nothing themselves (app/broadcasts/sender.ts decides).
  const broadcastApi = new Api(opts.token, { apiRoot: opts.apiRoot, fetch });
  broadcastApi.config.use(gated(gate, 1, paidGate));

  // Updates of one chat are handled one at a time (the runner is concurrent
  // otherwise): a conversation must save its state before its next update.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));

  const withDeps: MiddlewareFn<ConversationContext> = (ctx, next) => {
    ctx.deps = deps;
    ctx.member ??= null;
    return next();
  };
  bot.use(withDeps as MiddlewareFn<Context>);
  bot.use(floodControl(opts.flood?.limit, opts.flood?.windowMs));
  // Each update once, in polling and webhook mode alike: a redelivered
  // update_id (lost webhook answer, restart before the offset was confirmed)
  // is dropped here, before any handler could post a second purchase. The
  // sender's member row is read at the same time (bot/middleware.ts).
  bot.use(claimAndLoadMember());
  bot.use(i18n);
  bot.use(chatMemberStatus);
  bot.filter(
    mayConverse,
    conversations<Context, ConversationContext>({
      storage: {
        type: "context",
        adapter: byChat(conversationStorage(deps.services.conversations)),
      },
      plugins: [withDeps as MiddlewareFn<BaseContext>, i18n] as MiddlewareFn<ConversationContext>[],
    }),
  );
  // The busiest path first: an enrolled member's /card (or 💳) outside a conversation goes to the
  // card at once, not through the staff, review, broadcast, enrollment and help handlers, each of
  // which would ask whether the update is theirs and leave its link in the chain the update holds
  // while the picture is sent. None of them answers /card; a /card sent in reply to a review or
  // survey prompt is a request for the card, not a comment.
  bot.filter((ctx) => ctx.member !== null, cardFeature);
  bot.use(createStaffFeature());
  // Staff and admins moderate reviews; shoppers' stars and comments reach it too.
  bot.use(reviewsFeature);
  bot.use(broadcastWalkFeature, broadcastsFeature);
  bot.use(enrollFeature);
  bot.use(helpFeature);
  // Admins and marketers need not be enrolled shoppers.
  bot.use(dashboardFeature);
  // Before enrollment: every other command or button is an invitation to join.
  bot.filter(
    (ctx) => ctx.member === null && ctx.chat?.type === "private",
    async (ctx) => {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      if (ctx.message) await ctx.reply(ctx.t("not-enrolled"));
    },
  );
  bot.use(
    surveysFeature,
    offersFeature,
    storesFeature,
    inviteFeature,
    challengesFeature,
    settingsFeature,
    privacyFeature,
  );
  bot.use(fallbackFeature);

  bot.catch(async (err: BotError<Context>) => {
    const e = err.error;
    deps.log.error(
      { err: e, update: err.ctx.update.update_id },
      e instanceof GrammyError ? `Telegram: ${e.description}` : e instanceof HttpError ? "network" : "handler failed",
    );
    if (err.ctx.chat?.type === "private" && !(e instanceof GrammyError && e.error_code === 403)) {
      const locale = err.ctx.locale ?? localeFromTelegram(err.ctx.from?.language_code);
      await err.ctx.reply(i18n.t(locale, "error-generic")).catch(() => {});
    }
  });
  // The notifier port (app/notifications) that jobs send through, over this bot's API.
  return {
    bot,
    drained: inFlight.drained,
    messenger: telegramMessenger(noticeApi),
    broadcaster: telegramBroadcaster(broadcastApi),
  };
}

/**
 * Counts updates being handled, so a shutdown can wait for them: the
 * runner's stop() ends fetching but not the handlers still running, and a
 * conversation cut off mid-update would lose its saved step.
 */
function trackInFlight() {
  let active = 0;
  const waiters: (() => void)[] = [];
  return {
    middleware: async (_ctx: Context, next: () => Promise<void>) => {
      active++;
      try {
        await next();
      } finally {
        active--;
        if (active === 0) for (const w of waiters.splice(0)) w();
      }
    },
    drained: () => (active === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
}

/** The command lists Telegram shows, in Russian (default) and English. */
export async function registerCommands(bot: Bot<Context>) {
  for (const locale of ["ru", "en"] as const) {
    const d = (key: string) => i18n.t(locale, key);
    const commands = [
      { command: "card", description: d("cmd-card") },
      { command: "stores", description: d("cmd-stores") },
      { command: "offers", description: d("cmd-offers") },
      { command: "challenges", description: d("cmd-challenges") },
      { command: "invite", description: d("cmd-invite") },
      { command: "settings", description: d("cmd-settings") },
      { command: "language", description: d("cmd-language") },
      { command: "privacy", description: d("cmd-privacy") },
      { command: "help", description: d("cmd-help") },
    ];
    await bot.api.setMyCommands(commands, locale === "ru" ? {} : { language_code: locale });
  }
}
