import { DomainError } from "../../domain/index.js";

/**
 * Errors that mean "the database cannot be reached right now" rather than
 * "this statement is wrong": the server refused or dropped the connection, or
 * is shutting down or starting. Callers get one code, DB.UNAVAILABLE, and may
 * retry later; the transaction did not commit (a COMMIT in flight is the one
 * ambiguity, which idempotency keys resolve on the retry).
 */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH"]);
/** SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin/crash shutdown, cannot connect now). */
const SQLSTATES = /^(08\d{3}|57P0[123])$/;
/** Prisma's codes for "can't reach the server" and "the server closed the connection". */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017"]);
const MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Connection ended unexpectedly|timeout exceeded when trying to connect|server closed the connection/i;

export function isConnectionLost(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== "object" || depth > 5) return false;
  if (e instanceof DomainError) return e.code === "DB.UNAVAILABLE";
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; meta?: unknown };
  const code = typeof err.code === "string" ? err.code : undefined;
  if (code && (NETWORK_CODES.has(code) || SQLSTATES.test(code) || PRISMA_CODES.has(code))) return true;
  const meta = err.meta as { code?: unknown } | undefined;
  if (typeof meta?.code === "string" && SQLSTATES.test(meta.code)) return true;
  if (typeof err.message === "string" && MESSAGES.test(err.message)) return true;
  // AggregateError (a refused connection to every address of "localhost").
  if (Array.isArray(err.errors) && err.errors.some((x) => isConnectionLost(x, depth + 1))) return true;
  return err.cause !== undefined && err.cause !== e && isConnectionLost(err.cause, depth + 1);
}

export function databaseUnavailable(cause: unknown): DomainError {
  const err = new DomainError("DB.UNAVAILABLE", "the database is unreachable; try again shortly");
  (err as { cause?: unknown }).cause = cause;
  return err;
}

/** Rethrows a lost connection as DB.UNAVAILABLE; any other error unchanged. */
export function translateConnectionError(e: unknown): unknown {
  return isConnectionLost(e) && !(e instanceof DomainError) ? databaseUnavailable(e) : e;
}
