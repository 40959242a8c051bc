import type { Logger } from "pino";
import type { Program } from "../../domain/index.js";
import type { Database } from "../db/database.js";
import type { Outbox } from "../events/outbox.js";

/** What every application service needs; built once at start-up. */
export interface ServiceContext {
  db: Database;
  program: Program;
  /** The clock; tests move it to check expiry and windows. */
  now: () => Date;
  log: Logger;
  /** Where domain events go and which jobs react to them (app/events). */
  outbox: Outbox;
}
