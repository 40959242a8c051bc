import { z } from "zod";
import { MAX_AMOUNT_KOPECKS } from "../domain/index.js";

/** Request and response bodies of /api/v1; the OpenAPI document is generated from these. */

const kopecks = z.number().int().min(1).max(MAX_AMOUNT_KOPECKS).describe("amount in kopecks");
const receiptId = z.string().trim().min(1).max(64);
const memberRef = {
  memberCode: z
    .string()
    .regex(/^\d{8}$/)
    .optional()
    .describe("the member's 8-digit code"),
  phone: z.string().min(10).max(20).optional().describe("the member's phone, e.g. +79123456789"),
};
const oneMember = (v: { memberCode?: string | undefined; phone?: string | undefined }) =>
  (v.memberCode === undefined) !== (v.phone === undefined);
const oneMemberMessage = { message: "give exactly one of memberCode or phone", path: ["memberCode"] };

export const purchaseRequest = z
  .object({
    storeId: z.number().int().positive().optional().describe("must be the API key's store when given"),
    ...memberRef,
    receiptId,
    amount: kopecks,
    items: z
      .array(z.object({ sku: z.string().min(1).max(64), category: z.string().min(1).max(64), amount: kopecks }))
      .max(500)
      .optional(),
    at: z.iso.datetime({ offset: true }).optional().describe("when the purchase happened; now when absent"),
  })
  .strict()
  .refine(oneMember, oneMemberMessage);

export const purchaseResponse = z.object({
  purchaseId: z.number().int(),
  storeId: z.number().int(),
  receiptId: z.string(),
  amount: z.number().int(),
  pointsRedeemed: z.number().int(),
  points: z.number().int().describe("points accrued"),
  tier: z.string(),
  rateBp: z.number().int(),
  balance: z.number().int().describe("the member's balance right after this purchase"),
  at: z.string(),
});

export const returnRequest = z
  .object({
    receiptId,
    amount: kopecks,
    returnId: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("the POS's id for this return; or send an Idempotency-Key header. One of them is required."),
  })
  .strict();

export const returnResponse = z.object({
  returnId: z.number().int(),
  purchaseId: z.number().int(),
  amount: z.number().int(),
  pointsReversed: z.number().int(),
  pointsRefunded: z.number().int(),
  pointsUncollected: z.number().int(),
  balance: z.number().int(),
});

export const redemptionRequest = z
  .object({
    ...memberRef,
    receiptId,
    receiptAmount: kopecks,
    points: z.number().int().min(1).max(MAX_AMOUNT_KOPECKS).optional().describe("required when confirm is true"),
    confirm: z.boolean().describe("false: only quote how many points may be spent; true: spend"),
  })
  .strict()
  .refine(oneMember, oneMemberMessage)
  .refine((v) => !v.confirm || v.points !== undefined, { message: "points is required to spend", path: ["points"] });

export const quoteResponse = z.object({
  balance: z.number().int(),
  receiptCapPoints: z.number().int(),
  maxPoints: z.number().int(),
});

export const redemptionResponse = z.object({
  id: z.string(),
  status: z.enum(["pending", "confirmed", "declined", "expired"]),
  receiptId: z.string(),
  receiptAmount: z.number().int(),
  points: z.number().int(),
  balance: z.number().int(),
  expiresAt: z.string(),
  poll: z.string().optional().describe("for a pending spend: GET this until the status is final"),
});

export const memberResponse = z.object({
  memberCode: z.string(),
  name: z.string().nullable(),
  status: z.enum(["active", "unreachable", "deleted"]),
  tier: z.object({ code: z.string(), name: z.string(), rateBp: z.number().int() }),
  balance: z.number().int(),
  expiringSoon: z.number().int(),
  visitsInWindow: z.number().int(),
  spendInWindow: z.number().int(),
  lastPurchase: z.object({ at: z.string(), amount: z.number().int(), storeName: z.string() }).nullable(),
  birthdayThisWeek: z.boolean(),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
