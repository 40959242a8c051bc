import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import { BROADCAST_STATES, VARIANT_KEYS } from "../domain/index.js";
import { offerRoutes } from "./admin-offer-routes.js";
import { errorResponse } from "./schemas.js";

/**
 * The marketer's routes of /api/v1/admin (segments and broadcasts), each with
 * its request and every response it may give. api/admin.ts implements them,
 * /api/v1/admin/openapi.json is generated from them, and the tests check
 * every answer against them. Segments and messages are validated by the
 * domain's own schemas (the condition language is recursive, so the document
 * describes it in words and points at the README).
 */

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <S extends z.ZodType>(schema: S) => ({ required: true, content: { "application/json": { schema } } });

const answers = {
  400: json(errorResponse, "invalid input"),
  401: json(errorResponse, "missing or unknown API key"),
  403: json(errorResponse, "the key is not an admin key"),
  404: json(errorResponse, "no such segment or broadcast"),
  409: json(errorResponse, "not in a state that allows it (e.g. resume a cancelled broadcast)"),
  422: json(errorResponse, "against the rules (an invalid segment, message or shares)"),
  500: json(errorResponse, "unexpected error"),
  503: json(errorResponse, "the database is unreachable"),
};
const security = [{ adminKey: [] }];

const segmentDefinition = z
  .unknown()
  .describe(
    'Who: {"kind":"all"}, {"kind":"conditions","where":<condition>} (the condition language, README "Segments and conditions"), or {"kind":"saved","id":<segment id>} where a segment is used.',
  );

export const savedSegment = z
  .object({
    id: z.number().int(),
    name: z.string(),
    segment: z.unknown(),
    members: z.number().int().describe("members it reaches now (reachable, not in the program holdout)"),
  })
  .strict();

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const segmentCreateRoute = createRoute({
  method: "post",
  path: "/segments",
  summary: "Define (or redefine, by name) a segment; answers it with its live count.",
  security,
  request: { body: body(z.object({ name: z.string().min(1).max(120), segment: segmentDefinition })) },
  responses: { 201: json(savedSegment, "defined"), ...answers },
});

export const segmentListRoute = createRoute({
  method: "get",
  path: "/segments",
  summary: "Saved segments with their live counts.",
  security,
  responses: { 200: json(z.object({ segments: z.array(savedSegment) }).strict(), "the segments"), ...answers },
});

export const segmentGetRoute = createRoute({
  method: "get",
  path: "/segments/{id}",
  summary: "One saved segment with its live count.",
  security,
  request: { params: idParams },
  responses: { 200: json(savedSegment, "the segment"), ...answers },
});

export const segmentCountRoute = createRoute({
  method: "post",
  path: "/segments/count",
  summary: "How many members a segment (posted, not saved) reaches now.",
  security,
  request: { body: body(z.object({ segment: segmentDefinition })) },
  responses: { 200: json(z.object({ members: z.number().int() }).strict(), "the count"), ...answers },
});

const message = z.object({
  text: z.string().describe("Telegram HTML (<b>, <i>, <a href>), up to 4,096 characters (1,024 with a photo)"),
  photo: z.string().optional().describe("a photo by URL or Telegram file_id"),
  button: z
    .unknown()
    .optional()
    .describe(
      '{"kind":"link","text","url"} | {"kind":"offer","text","offerId"} | {"kind":"activate","text","offerId"}',
    ),
});

export const broadcastCreateRoute = createRoute({
  method: "post",
  path: "/broadcasts",
  summary:
    "Create a broadcast (a draft): a segment, one message or 2–4 variants of an A/B test with shares, a control group share (default 10 %), a sample share, a start time.",
  security,
  request: {
    body: body(
      z.object({
        name: z.string().min(1).max(120),
        segment: segmentDefinition.optional(),
        variants: z
          .array(z.object({ message, shareBp: z.number().int().optional() }))
          .min(1)
          .max(4),
        controlBp: z.number().int().optional().describe("control share in basis points, 0–5000 (default 1000)"),
        sampleBp: z.number().int().optional().describe("share of the segment taken now, 1–10000 (default 10000)"),
        paid: z.boolean().optional().describe("Telegram paid broadcasts, up to 1,000 messages/s"),
        attributionDays: z.number().int().optional().describe("purchases counted for this many days (default 7)"),
        startAt: z.string().datetime().optional().describe("schedule; start it now otherwise"),
      }),
    ),
  },
  responses: {
    201: json(z.object({ id: z.number().int(), state: z.enum(BROADCAST_STATES) }).strict(), "created, as a draft"),
    ...answers,
  },
});

export const broadcastProgress = z
  .object({
    broadcastId: z.number().int(),
    name: z.string(),
    state: z.enum(BROADCAST_STATES),
    total: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    unreachable: z.number().int(),
    unknown: z.number().int().describe("sending when a process died: never resent"),
    left: z.number().int(),
    control: z.number().int(),
    skipped: z.number().int().describe("held back by frequency caps"),
    perSecond: z.number(),
    etaSeconds: z.number().nullable(),
  })
  .strict();

export const broadcastGetRoute = createRoute({
  method: "get",
  path: "/broadcasts/{id}",
  summary: "A broadcast's progress: sent, failed, unreachable, unknown, left, speed and ETA.",
  security,
  request: { params: idParams },
  responses: { 200: json(broadcastProgress, "its progress"), ...answers },
});

export const BROADCAST_ACTIONS = ["start", "pause", "resume", "cancel"] as const;

export const broadcastActionRoute = createRoute({
  method: "post",
  path: "/broadcasts/{id}/{action}",
  summary: "start (or schedule, when it has a start time), pause, resume or cancel.",
  security,
  request: { params: z.object({ id: z.coerce.number().int().positive(), action: z.enum(BROADCAST_ACTIONS) }) },
  responses: {
    200: json(z.object({ id: z.number().int(), state: z.enum(BROADCAST_STATES) }).strict(), "its new state"),
    ...answers,
  },
});

const interval = z.object({ low: z.number(), high: z.number() }).strict();
export const broadcastResults = z
  .object({
    broadcastId: z.number().int(),
    name: z.string(),
    state: z.enum(BROADCAST_STATES),
    window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }).strict(),
    sampleRatio: z
      .object({ chi2: z.number(), df: z.number().int(), p: z.number(), mismatch: z.boolean() })
      .strict()
      .describe("the chi-squared sample-ratio check; mismatch at p < 0.001 means the split is broken"),
    variants: z.array(
      z
        .object({
          variant: z.string(),
          members: z.number().int(),
          delivered: z.number().int(),
          clicks: z.number().int(),
          purchases: z.number().int(),
          buyers: z.number().int(),
          revenueKopecks: z.number().int(),
          revenuePerMemberKopecks: z.number().int(),
          conversion: z.number(),
          conversionCi: interval,
          pointsCost: z.number().int(),
          vsControl: z
            .object({
              conversionUplift: z.number().nullable(),
              conversionRelativeUplift: z.number().nullable(),
              conversionP: z.number().nullable(),
              revenuePerMemberUpliftKopecks: z.number().int().nullable(),
              revenueP: z.number().nullable(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    ),
    leader: z.string().nullable(),
  })
  .strict();

export const broadcastResultsRoute = createRoute({
  method: "get",
  path: "/broadcasts/{id}/results",
  summary:
    "Per variant and control: delivered, clicks, buyers, revenue per member in the attribution window, conversion with a 95 % interval, uplift vs control with p-values, points cost, and the sample-ratio check.",
  security,
  request: { params: idParams },
  responses: { 200: json(broadcastResults, "the results"), ...answers },
});

export const broadcastWinnerRoute = createRoute({
  method: "post",
  path: "/broadcasts/{id}/winner",
  summary: "Send the winner to the rest: a new broadcast of that variant to the segment's members not yet assigned.",
  security,
  request: { params: idParams, body: body(z.object({ variant: z.enum(VARIANT_KEYS) })) },
  responses: {
    201: json(z.object({ id: z.number().int(), state: z.enum(BROADCAST_STATES) }).strict(), "the new broadcast"),
    ...answers,
  },
});

export const reviewItem = z
  .object({
    id: z.number().int(),
    storeId: z.number().int(),
    storeName: z.string(),
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    photoFileId: z.string().nullable().describe("a Telegram file_id: the bot can send it"),
    memberName: z.string().nullable(),
    createdAt: z.string(),
  })
  .strict();

export const reviewListRoute = createRoute({
  method: "get",
  path: "/reviews",
  summary: "Reviews waiting for a moderator, oldest first (optionally of one store).",
  security,
  request: { query: z.object({ storeId: z.coerce.number().int().positive().optional() }) },
  responses: { 200: json(z.object({ reviews: z.array(reviewItem) }).strict(), "pending reviews"), ...answers },
});

export const reviewDecideRoute = createRoute({
  method: "post",
  path: "/reviews/{id}/{decision}",
  summary:
    "approve (posts the review's points once, within the member's weekly cap) or reject (nothing). A decision is final: a second one is 409.",
  security,
  request: { params: z.object({ id: z.coerce.number().int().positive(), decision: z.enum(["approve", "reject"]) }) },
  responses: {
    200: json(
      z
        .object({
          id: z.number().int(),
          status: z.enum(["approved", "rejected"]),
          points: z.number().int().describe("points credited (0 when rejected or over the weekly cap)"),
        })
        .strict(),
      "decided",
    ),
    ...answers,
  },
});

const referralItem = z
  .object({
    id: z.number().int(),
    status: z.enum(["pending", "qualifying", "rewarded", "refused", "held", "cancelled"]),
    reason: z
      .string()
      .nullable()
      .describe(
        "why it was refused, held or cancelled: SELF_REFERRAL, RETURNING_MEMBER, MONTHLY_CAP, BASKET_TOO_SMALL, RETURNED, REFERRER_BURST (held)",
      ),
    referrer: z.object({ id: z.number().int(), name: z.string().nullable() }).strict(),
    friend: z.object({ id: z.number().int(), name: z.string().nullable() }).strict(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .strict();

export const referralListRoute = createRoute({
  method: "get",
  path: "/referrals",
  summary:
    "Referrals, newest first, with the reason of each refusal or hold; ?status=held lists those waiting for a decision.",
  security,
  request: {
    query: z.object({
      status: z.enum(["pending", "qualifying", "rewarded", "refused", "held", "cancelled"]).optional(),
    }),
  },
  responses: { 200: json(z.object({ referrals: z.array(referralItem) }).strict(), "referrals"), ...answers },
});

export const referralDecideRoute = createRoute({
  method: "post",
  path: "/referrals/{id}/{decision}",
  summary:
    "release (the held referral goes on: pending the friend's first purchase, or judged on it at once) or refuse (the hold's reason stays). Only a held referral can be decided: otherwise 409.",
  security,
  request: { params: z.object({ id: z.coerce.number().int().positive(), decision: z.enum(["release", "refuse"]) }) },
  responses: {
    200: json(z.object({ id: z.number().int(), status: z.enum(["pending", "refused"]) }).strict(), "decided"),
    ...answers,
  },
});

export const adminOpenApiPath = "/openapi.json";

/** Every documented admin route, for the tests' response checks (paths under /admin). */
export const adminRoutes: RouteConfig[] = [
  segmentCreateRoute,
  segmentListRoute,
  segmentCountRoute,
  segmentGetRoute,
  broadcastCreateRoute,
  broadcastGetRoute,
  broadcastResultsRoute,
  broadcastWinnerRoute,
  broadcastActionRoute,
  reviewListRoute,
  reviewDecideRoute,
  referralListRoute,
  referralDecideRoute,
  ...offerRoutes,
];
