import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { type DomainError, type ErrorCode, isDomainError } from "../domain/index.js";

/** Domain error codes → HTTP status. Anything not listed is a 422: understood, but against the rules. */
const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  "MEMBER.NOT_FOUND": 404,
  "STORE.NOT_FOUND": 404,
  "PURCHASE.NOT_FOUND": 404,
  "REDEMPTION.NOT_FOUND": 404,
  "PURCHASE.RECEIPT_CONFLICT": 409,
  "RETURN.CONFLICT": 409,
  "LEDGER.IDEMPOTENCY_CONFLICT": 409,
  "REDEMPTION.NOT_PENDING": 409,
  "DB.UNAVAILABLE": 503,
};

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
  return new ApiError(400, "VALIDATION.FAILED", "the request body does not match the schema", details);
}

export function toResponse(c: Context, e: unknown) {
  if (e instanceof ApiError) return c.json(errorBody(e.code, e.message, e.details), e.status);
  if (isDomainError(e)) {
    const d = e as DomainError;
    return c.json(errorBody(d.code, d.message, d.details), STATUS[d.code] ?? 422);
  }
  throw e;
}
