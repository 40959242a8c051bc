import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type Program, parseProgram } from "../domain/program.js";

/**
 * Kopilka's one configuration schema, for every entry point (npm start, the
 * CLI, migrations, the seed), parsed from the environment by a pure function
 * so tests can build one from a plain object. An entry point names what it
 * cannot run without (the bot needs BOT_TOKEN; the CLI does not).
 */
const telegramIds = z
  .string()
  .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, "comma-separated Telegram user ids")
  .default("");

export const envSchema = z.object({
  /** postgresql://… selects a real PostgreSQL server; unset means embedded PGlite. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  /** PGlite data folder when DATABASE_URL is unset ("memory://" keeps it in memory). */
  DATA_DIR: z.string().min(1).default("./data/db"),
  /** JSON file with the program rules (tiers, rates, caps…); defaults from the articles otherwise. */
  PROGRAM_CONFIG: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, "must look like 123456:ABC… (from @BotFather)")
    .optional(),
  /** Where the Bot API lives; tests point it at an emulator. */
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  /** Outgoing messages per second to all chats together (Telegram allows about 30). */
  TELEGRAM_GLOBAL_RPS: z.coerce.number().int().min(1).max(1000).default(30),
  /**
   * How long a broadcast row may stay claimed or sending before another
   * process treats its sender as dead (sending → unknown, claimed → queued).
   */
  BROADCAST_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Set to receive updates by webhook (public https URL); unset: long polling. */
  WEBHOOK_URL: z.url().optional(),
  /** Secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token; derived from the token when unset. */
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "1 to 256 characters: letters, digits, _ and -")
    .optional(),
  /** HTTP port and address for the webhook and the POS API. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Telegram user ids of admins, comma-separated. */
  ADMIN_TELEGRAM_IDS: telegramIds,
  /** Telegram user ids of marketers (dashboard, metrics, broadcasts; admins are marketers too), comma-separated. */
  MARKETER_TELEGRAM_IDS: telegramIds,
  /** Where people reach this server from outside (links to the dashboard); http://localhost:PORT when unset. */
  PUBLIC_URL: z.url().optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  programFile: string | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  botToken: string | undefined;
  apiRoot: string;
  globalRps: number;
  broadcastLeaseSeconds: number;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  port: number;
  host: string;
  adminIds: string[];
  marketerIds: string[];
  publicUrl: string;
}

/** A configuration that cannot run: the message names every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * The webhook secret when none is set: a one-way function of the token, so
 * the header Telegram sends on every request never carries the token itself.
 */
export function deriveWebhookSecret(botToken: string): string {
  return createHmac("sha256", botToken).update("kopilka webhook secret").digest("base64url");
}

const ids = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export function loadConfig(env: Record<string, string | undefined>, need: { botToken?: boolean } = {}): Config {
  const r = envSchema.safeParse(env);
  const issues = r.success ? [] : r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  if (r.success && need.botToken && !r.data.BOT_TOKEN)
    issues.push("  BOT_TOKEN: required — the token @BotFather gave the bot");
  if (!r.success || issues.length) throw new ConfigError(`invalid configuration:\n${issues.join("\n")}`);
  const e = r.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    programFile: e.PROGRAM_CONFIG,
    logLevel: e.LOG_LEVEL,
    botToken: e.BOT_TOKEN,
    apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    globalRps: e.TELEGRAM_GLOBAL_RPS,
    broadcastLeaseSeconds: e.BROADCAST_LEASE_SECONDS,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET ?? (e.BOT_TOKEN ? deriveWebhookSecret(e.BOT_TOKEN) : undefined),
    port: e.PORT,
    host: e.HOST,
    adminIds: ids(e.ADMIN_TELEGRAM_IDS),
    marketerIds: ids(e.MARKETER_TELEGRAM_IDS),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
  };
}

/** The program rules from PROGRAM_CONFIG (a JSON file), or the defaults. */
export function loadProgram(file: string | undefined): Program {
  if (!file) return parseProgram({});
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`PROGRAM_CONFIG: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseProgram(json);
  } catch (e) {
    throw new ConfigError(`PROGRAM_CONFIG (${file}): ${(e as Error).message}`);
  }
}

/**
 * For entry points: runs `fn`, and a configuration error ends the process
 * with its message alone (no stack trace) and exit code 2.
 */
export function orExit<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}
