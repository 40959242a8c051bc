/**
 * The one error class the domain and the services throw.
 *
 * `code` is stable and machine-readable (`LEDGER.INSUFFICIENT_POINTS`); the bot
 * maps it to localized text and the HTTP API to a status code, so messages here
 * are for logs and developers, never shown to a shopper verbatim.
 */
export type ErrorCode =
  | "INPUT.INVALID"
  | "INPUT.INVALID_AMOUNT"
  | "INPUT.INVALID_POINTS"
  | "PROGRAM.INVALID_CONFIG"
  | "MEMBER.NOT_FOUND"
  | "MEMBER.INACTIVE"
  | "MEMBER.PHONE_TAKEN"
  | "MEMBER.ALREADY_ENROLLED"
  | "STORE.NOT_FOUND"
  | "STORE.INACTIVE"
  | "PURCHASE.NOT_FOUND"
  | "PURCHASE.RECEIPT_CONFLICT"
  | "PURCHASE.ITEMS_EXCEED_AMOUNT"
  | "PURCHASE.CANCEL_EXPIRED"
  | "RETURN.EXCEEDS_PURCHASE"
  | "RETURN.CONFLICT"
  | "LEDGER.INSUFFICIENT_POINTS"
  | "LEDGER.IDEMPOTENCY_CONFLICT"
  | "REDEMPTION.CAP_EXCEEDED"
  | "REDEMPTION.NOT_FOUND"
  | "REDEMPTION.NOT_PENDING"
  | "REDEMPTION.EXPIRED"
  | "BROADCAST.NOT_FOUND"
  | "SEGMENT.NOT_FOUND"
  | "BROADCAST.BAD_STATE"
  | "OFFER.NOT_FOUND"
  | "OFFER.BAD_STATE"
  | "OFFER.NOT_ELIGIBLE"
  | "GIFT.NOT_FOUND"
  | "GIFT.ALREADY_REDEEMED"
  | "GIFT.EXPIRED"
  | "GIFT.NOT_ACTIVE"
  | "GIFT.WRONG_STORE"

  /** The database cannot be reached right now (connection refused or dropped); nothing was changed. */
  | "DB.UNAVAILABLE";

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Values a caller may show or log: the cap that was hit, the id not found. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isDomainError(e: unknown, code?: ErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}
