import { z } from "@hono/zod-openapi";
import { MAX_AMOUNT_KOPECKS } from "../domain/index.js";

/**
 * Request and response bodies of /api/v1. The route definitions (api/routes.ts)
 * use these both to validate requests and to generate the OpenAPI document, so
 * the document cannot drift from what the server accepts and answers.
 */

const kopecks = z.number().int().min(1).max(MAX_AMOUNT_KOPECKS).describe("amount in kopecks");
const receiptId = z.string().trim().min(1).max(64);

/** Member codes are 8 digits (see app/services/members.ts, enroll). */
export const MEMBER_CODE = /^\d{8}$/;
export const memberCode = z.string().regex(MEMBER_CODE).describe("the member's 8-digit code, e.g. 48213377");

/** A client's idempotency key (control characters are refused for every string, see api/v1.ts). */
const clientKey = (max: number) =>
  z.string().min(1).max(max).describe("the client's id for this operation; a retry with the same key changes nothing");
export const idempotencyKey = clientKey(64);

const memberRef = {
  memberCode: memberCode.optional(),
  phone: z.string().min(10).max(20).optional().describe("the member's phone, e.g. +79123456789"),
};
const oneMember = (v: { memberCode?: string | undefined; phone?: string | undefined }) =>
  (v.memberCode === undefined) !== (v.phone === undefined);
const oneMemberMessage = { message: "give exactly one of memberCode or phone", path: ["memberCode"] };

export const idempotencyHeaders = z.object({
  // HTTP itself refuses most control characters in headers; a TAB gets through.
  // eslint-disable-next-line no-control-regex
  "idempotency-key": idempotencyKey.regex(/^[^\x00-\x1f\x7f]+$/, "no control characters").optional(),
});

/** One line of a receipt or a cart. */
const lineItem = z
  .object({
    sku: z.string().trim().min(1).max(64),
    category: z.string().trim().min(1).max(64),
    amount: kopecks,
  })
  .strict();

export const purchaseRequest = z
  .object({
    storeId: z.number().int().positive().optional().describe("must be the API key's store when given"),
    ...memberRef,
    receiptId,
    amount: kopecks,
    items: z
      .array(lineItem)
      .max(500)
      .optional()
      .describe("the receipt's lines; they may cover part of it but never add up to more (422)"),
    at: z.iso
      .datetime({ offset: true })
      .optional()
      .describe(
        "when the purchase happened; now when absent. Within the program's purchaseTimeWindow (default 7 days back, 5 minutes ahead) unless the key may import history.",
      ),
  })
  .strict()
  .refine(oneMember, oneMemberMessage);

export const purchaseResponse = z
  .object({
    purchaseId: z.number().int(),
    storeId: z.number().int(),
    receiptId: z.string(),
    amount: z.number().int(),
    pointsRedeemed: z.number().int(),
    points: z.number().int().describe("points accrued"),
    tier: z.string(),
    rateBp: z.number().int(),
    balance: z.number().int().describe("the member's balance right after this purchase, offers included"),
    at: z.iso.datetime(),
    offers: z
      .array(
        z
          .object({
            id: z.number().int(),
            title: z.string(),
            titleEn: z.string(),
            points: z.number().int().describe("points this offer added (not in `points`)"),
          })
          .strict(),
      )
      .describe("personalized offers that paid on this receipt"),
  })
  .strict();

/** A cart in the chain's online shop: a reminder follows a day later unless its items are bought. */
export const cartRequest = z
  .object({
    ...memberRef,
    cartId: z.string().trim().min(1).max(64).describe("the shop's id for this cart; posting it again changes nothing"),
    items: z.array(lineItem).min(1).max(500),
  })
  .strict()
  .refine(oneMember, oneMemberMessage);

export const cartResponse = z
  .object({
    cartId: z.number().int().describe("the server's id of the cart"),
    remindAt: z.iso.datetime().describe("when the reminder goes out if none of its items were bought"),
  })
  .strict();

/** A gift code the shopper shows at the till (activating a gift offer gave it to them in /offers). */
export const giftRequest = z
  .object({
    code: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .describe("the code as the shopper shows it, e.g. K7M2-QX9A; case and dashes do not matter"),
  })
  .strict();

export const giftResponse = z
  .object({
    offerId: z.number().int(),
    code: z.string(),
    title: z.string().describe("the offer's title in Russian"),
    titleEn: z.string(),
    gift: z.string().describe("what to hand over, in Russian"),
    giftEn: z.string(),
    redeemedAt: z.iso.datetime(),
  })
  .strict();

export const returnRequest = z
  .object({
    receiptId,
    amount: kopecks,
    returnId: clientKey(128)
      .optional()
      .describe("the POS's id for this return; or send an Idempotency-Key header. One of them is required."),
  })
  .strict();

export const returnResponse = z
  .object({
    returnId: z.number().int(),
    purchaseId: z.number().int(),
    amount: z.number().int(),
    pointsReversed: z.number().int(),
    pointsRefunded: z.number().int(),
    pointsUncollected: z.number().int(),
    balance: z.number().int(),
  })
  .strict();

export const redemptionRequest = z
  .object({
    ...memberRef,
    receiptId,
    receiptAmount: kopecks,
    points: z.number().int().min(1).max(MAX_AMOUNT_KOPECKS).optional().describe("required when confirm is true"),
    confirm: z.boolean().describe("false: only quote how many points may be spent; true: spend"),
    requestId: idempotencyKey
      .optional()
      .describe(
        "the POS's id for this spend; or send an Idempotency-Key header. One of them is required to spend, so a retry never spends twice.",
      ),
  })
  .strict()
  .refine(oneMember, oneMemberMessage)
  .refine((v) => !v.confirm || v.points !== undefined, { message: "points is required to spend", path: ["points"] });

export const quoteResponse = z
  .object({
    balance: z.number().int(),
    receiptCapPoints: z.number().int(),
    maxPoints: z.number().int(),
  })
  .strict();

export const redemptionResponse = z
  .object({
    id: z.string().describe("the server's id of this spend request"),
    status: z.enum(["pending", "confirmed", "declined", "expired"]),
    receiptId: z.string(),
    receiptAmount: z.number().int(),
    points: z.number().int(),
    balance: z.number().int(),
    expiresAt: z.iso.datetime(),
    poll: z.string().optional().describe("for a pending spend: GET this until the status is final"),
  })
  .strict();

export const redemptionParams = z.object({ id: z.string().min(1).max(64) });
export const memberParams = z.object({ memberCode });

export const memberResponse = z
  .object({
    memberCode,
    name: z.string().nullable(),
    status: z.enum(["active", "unreachable", "deleted"]),
    tier: z.object({ code: z.string(), name: z.string(), rateBp: z.number().int() }).strict(),
    balance: z.number().int(),
    expiringSoon: z.number().int(),
    visitsInWindow: z.number().int(),
    spendInWindow: z.number().int(),
    lastPurchase: z
      .object({ at: z.iso.datetime(), amount: z.number().int(), storeName: z.string() })
      .strict()
      .nullable(),
    birthdayThisWeek: z.boolean(),
  })
  .strict();

export const healthResponse = z.object({ status: z.literal("ok") }).strict();

export const errorResponse = z
  .object({
    error: z
      .object({
        code: z.string().describe("stable and machine-readable, e.g. LEDGER.INSUFFICIENT_POINTS"),
        message: z.string().describe("for developers and logs"),
        details: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  })
  .strict()
  .openapi("Error");
