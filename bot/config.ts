import { z } from "zod";
import { type CoreConfig, coreEnvSchema, createCoreConfig, parseEnv } from "../app/config.js";

/**
 * The bot's settings, parsed from the environment by a pure function.
 * Only BOT_TOKEN is required: everything else has a working default.
 */
export const botEnvSchema = coreEnvSchema.extend({
  BOT_TOKEN: z.string().regex(/^\d+:[\w-]{20,}$/, "must look like 123456:ABC… (from @BotFather)"),
  /** Where the Bot API lives; tests point it at an emulator. */
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  /** Set to receive updates by webhook (public https URL); unset: long polling. */
  WEBHOOK_URL: z.url().optional(),
  /** Secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token; derived from the token when unset. */
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
  /** HTTP port for the webhook (and the POS API). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Telegram user ids of admins, comma-separated. */
  ADMIN_TELEGRAM_IDS: z
    .string()
    .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, "comma-separated Telegram user ids")
    .default(""),
  /** Telegram user ids of marketers (dashboard and metrics; admins are marketers too), comma-separated. */
  MARKETER_TELEGRAM_IDS: z
    .string()
    .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, "comma-separated Telegram user ids")
    .default(""),
  /** Where people reach this server from outside (links to the dashboard); http://localhost:PORT when unset. */
  PUBLIC_URL: z.url().optional(),
});

export interface BotConfig extends CoreConfig {
  botToken: string;
  apiRoot: string;
  webhookUrl: string | undefined;
  webhookSecret: string;
  port: number;
  host: string;
  adminIds: string[];
  marketerIds: string[];
  publicUrl: string;
}

export function createConfig(env: Record<string, string | undefined>): BotConfig {
  const e = parseEnv(botEnvSchema, env);
  return {
    ...createCoreConfig(env),
    botToken: e.BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET ?? e.BOT_TOKEN.replace(/[^A-Za-z0-9_-]/g, "_").slice(-64),
    port: e.PORT,
    host: e.HOST,
    adminIds: ids(e.ADMIN_TELEGRAM_IDS),
    marketerIds: ids(e.MARKETER_TELEGRAM_IDS),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
  };
}

const ids = (list: string) =>
  list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
