import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import { OFFER_STATES } from "../domain/index.js";
import { errorResponse } from "./schemas.js";

/**
 * The marketer's offers under /api/v1/admin/offers: create (a draft),
 * preview (who qualifies now, the estimated cost against the margin guard),
 * start, pause, end, and the audit trail of every change. The offer's
 * condition and reward are validated by the domain's own schemas
 * (domain/offers.ts); README "Offers" describes them.
 */

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const answers = {
  400: json(errorResponse, "invalid input"),
  401: json(errorResponse, "missing or unknown API key"),
  403: json(errorResponse, "the key is not an admin key"),
  404: json(errorResponse, "no such offer"),
  409: json(errorResponse, "not in a state that allows it (e.g. start an ended offer)"),
  422: json(errorResponse, "against the rules (an invalid condition, reward or window)"),
  500: json(errorResponse, "unexpected error"),
  503: json(errorResponse, "the database is unreachable"),
};
const security = [{ adminKey: [] }];
const params = z.object({ id: z.coerce.number().int().positive() });
const texts = z.object({ ru: z.string(), en: z.string() }).strict();

export const offerJson = z
  .object({
    id: z.number().int(),
    status: z.enum(OFFER_STATES),
    title: texts,
    text: texts,
    picture: z.string().nullable(),
    condition: z.unknown().describe("the condition language (README, Segments and conditions)"),
    reward: z.unknown().describe("bonus | multiplier | skuPoints | gift (README, Offers)"),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
    storeIds: z.array(z.number().int()),
    regions: z.array(z.string()),
    budgetPoints: z.number().int().nullable(),
    budgetRedemptions: z.number().int().nullable(),
    spentPoints: z.number().int(),
    redemptions: z.number().int(),
    perMemberLimit: z.number().int(),
    needsActivation: z.boolean(),
    memberId: z.number().int().nullable().describe("a trigger's personal offer: its one member"),
    trigger: z.string().nullable(),
    createdBy: z.string(),
  })
  .strict();

export const offerCreateRoute = createRoute({
  method: "post",
  path: "/offers",
  summary: "Create an offer as a draft (start it to make it live).",
  security,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              title: texts,
              text: texts,
              picture: z.string().optional(),
              condition: z.unknown(),
              reward: z.unknown(),
              startsAt: z.string().describe("ISO time"),
              endsAt: z.string().describe("ISO time, after startsAt"),
              storeIds: z.array(z.number().int()).optional().describe("pilot stores; none: every store"),
              regions: z.array(z.string()).optional().describe("pilot regions; none: every region"),
              budgetPoints: z.number().int().optional(),
              budgetRedemptions: z.number().int().optional(),
              perMemberLimit: z.number().int().optional().describe("uses per member (default 1)"),
              needsActivation: z.boolean().optional().describe("the shopper presses Activate first (default true)"),
            })
            .passthrough(),
        },
      },
    },
  },
  responses: { 201: json(offerJson, "created, as a draft"), ...answers },
});

export const offerListRoute = createRoute({
  method: "get",
  path: "/offers",
  summary: "The marketer's offers (triggers' personal offers are not listed).",
  security,
  request: { query: z.object({ status: z.enum(OFFER_STATES).optional() }) },
  responses: { 200: json(z.object({ offers: z.array(offerJson) }).strict(), "the offers"), ...answers },
});

export const offerGetRoute = createRoute({
  method: "get",
  path: "/offers/{id}",
  summary: "One offer with its budget used so far.",
  security,
  request: { params },
  responses: { 200: json(offerJson, "the offer"), ...answers },
});

export const offerPreviewRoute = createRoute({
  method: "post",
  path: "/offers/{id}/preview",
  summary: "Members who qualify now and the estimated cost in points against the margin guard.",
  security,
  request: { params },
  responses: {
    200: json(
      z
        .object({
          members: z.number().int(),
          estimatedPoints: z.number().int(),
          estimatedCostKopecks: z.number().int(),
          marginHeadroomPoints: z
            .number()
            .int()
            .describe("what the margin guard leaves for offers on these members' last 30 days of receipts"),
          withinMarginGuard: z.boolean(),
        })
        .strict(),
      "the preview",
    ),
    ...answers,
  },
});

export const offerAuditRoute = createRoute({
  method: "get",
  path: "/offers/{id}/audit",
  summary: "Every change of the offer: who, when, the action, before and after.",
  security,
  request: { params },
  responses: {
    200: json(
      z
        .object({
          changes: z.array(
            z
              .object({
                actor: z.string(),
                action: z.string(),
                at: z.iso.datetime(),
                before: z.unknown(),
                after: z.unknown(),
              })
              .strict(),
          ),
        })
        .strict(),
      "the audit trail, oldest first",
    ),
    ...answers,
  },
});

export const offerActionRoute = createRoute({
  method: "post",
  path: "/offers/{id}/{action}",
  summary: "start (a draft or a paused offer), pause, or end (for good).",
  security,
  request: { params: params.extend({ action: z.enum(["start", "pause", "end"]) }) },
  responses: { 200: json(offerJson, "the offer after the change"), ...answers },
});

/** In the order the server matches them: preview and audit before the action route. */
export const offerRoutes: RouteConfig[] = [
  offerCreateRoute,
  offerListRoute,
  offerGetRoute,
  offerPreviewRoute,
  offerAuditRoute,
  offerActionRoute,
];
