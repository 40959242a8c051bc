import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import type { z } from "zod";
import { type DomainError, type ErrorCode, isDomainError } from "../domain/index.js";

/** Domain error codes → HTTP status. Anything not listed is a 422: understood, but against the rules. */
const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  "MEMBER.NOT_FOUND": 404,
  "STORE.NOT_FOUND": 404,
  "PURCHASE.NOT_FOUND": 404,
  "REDEMPTION.NOT_FOUND": 404,
  "BROADCAST.NOT_FOUND": 404,
  "SEGMENT.NOT_FOUND": 404,
  "BROADCAST.BAD_STATE": 409,
  "OFFER.NOT_FOUND": 404,
  "OFFER.BAD_STATE": 409,
  "GIFT.NOT_FOUND": 404,
  "GIFT.ALREADY_REDEEMED": 409,
  "PURCHASE.RECEIPT_CONFLICT": 409,
  "RETURN.CONFLICT": 409,
  "LEDGER.IDEMPOTENCY_CONFLICT": 409,
  "REDEMPTION.NOT_PENDING": 409,
  "DB.UNAVAILABLE": 503,
};

/** The code the database layer gives an error when the database cannot be reached (h2's detection). */
export const DB_UNAVAILABLE = "DB.UNAVAILABLE";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

export function validationError(e: z.ZodError) {
  const details = Object.fromEntries(e.issues.map((i) => [i.path.join(".") || "(body)", i.message]));
  return new ApiError(400, "VALIDATION.FAILED", "the request does not match the schema", details);
}

/** Hono's own refusals (e.g. 415 from the body validator), as our codes. */
const HTTP_CODES: Partial<Record<number, string>> = {
  400: "VALIDATION.FAILED",
  413: "VALIDATION.TOO_LARGE",
  415: "VALIDATION.UNSUPPORTED_MEDIA_TYPE",
};

/**
 * Every error becomes a JSON answer with a code: ours and the domain's as they
 * are, an unreachable database as 503 (the client retries with the same key),
 * anything else as a 500 INTERNAL that is logged and tells the client nothing
 * about the inside.
 */
export function toResponse(c: Context, e: unknown, log?: Pick<Logger, "error">) {
  if (e instanceof ApiError) return c.json(errorBody(e.code, e.message, e.details), e.status);
  if ((e as { code?: unknown } | null)?.code === DB_UNAVAILABLE)
    return c.json(errorBody(DB_UNAVAILABLE, "the database is unreachable; retry with the same key"), 503);
  if (isDomainError(e)) {
    const d = e as DomainError;
    return c.json(errorBody(d.code, d.message, d.details), STATUS[d.code] ?? 422);
  }
  if (e instanceof HTTPException && e.status < 500) {
    const status = e.status as ContentfulStatusCode;
    return c.json(errorBody(HTTP_CODES[status] ?? "HTTP.REFUSED", e.message || "refused"), status);
  }
  log?.error({ err: e, method: c.req.method, path: c.req.path }, "unexpected error in the API");
  return c.json(errorBody("INTERNAL", "unexpected error; it is logged"), 500);
}
