/**
 * npm start — Kopilka's entry point: configuration, then the database
 * (embedded PGlite, or PostgreSQL when DATABASE_URL is set), then the rest of
 * the program (serve.ts: services, jobs, the HTTP server and the bot).
 *
 * The database is opened before the rest of the program is even loaded
 * (issue 14): PGlite compiles its WebAssembly on another thread, and the
 * bundle's bot, API and jobs — most of its code — load and compile meanwhile
 * (~120 ms off the start; the two done one after the other took 0.55 s).
 */
import pino from "pino";
import { loadConfig, orExit } from "./app/config.js";
import { DataDirLockedError, openDatabase } from "./app/db/database.js";

const config = orExit(() => loadConfig(process.env, { botToken: true }));
// Readable on a terminal, JSON lines for a log collector otherwise.
// Written synchronously: lines keep their order and the last ones survive process.exit().
const log = process.stdout.isTTY
  ? pino({ level: config.logLevel, transport: { target: "pino-pretty", options: { colorize: true } } })
  : pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: true }));
const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serveSocket: true }).catch(
  (e: unknown) => {
    // A second server on one PGlite folder would corrupt it: stop with the reason.
    if (!(e instanceof DataDirLockedError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  },
);
const { serve } = await import("./serve.js");
await serve({ config, log, database });
