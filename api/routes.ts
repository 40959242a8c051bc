import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import {
  errorResponse,
  giftRequest,
  giftResponse,
  healthResponse,
  idempotencyHeaders,
  memberParams,
  memberResponse,
  purchaseRequest,
  cartRequest,
  cartResponse,
  purchaseResponse,
  quoteResponse,
  redemptionParams,
  redemptionRequest,
  redemptionResponse,
  returnRequest,
  returnResponse,
} from "./schemas.js";

/**
 * The routes of /api/v1, each with its request and every response it may give.
 * api/v1.ts implements them, the OpenAPI document is generated from them, and
 * the tests check every response they receive against them.
 */

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Answers any route may give: every one is JSON with a code. */
const common = {
  400: json(errorResponse, "invalid input (schema, malformed JSON, control characters)"),
  500: json(errorResponse, "unexpected error (code INTERNAL)"),
  503: json(errorResponse, "the database is unreachable (code DB.UNAVAILABLE); retry with the same key"),
};
const authed = {
  ...common,
  401: json(errorResponse, "missing or unknown API key"),
  404: json(errorResponse, "unknown member, receipt or request"),
};
const writes = {
  ...authed,
  403: json(errorResponse, "the key belongs to another store"),
  409: json(errorResponse, "the same id was used with other details"),
  413: json(errorResponse, "body over 256 KiB"),
  415: json(errorResponse, "the body is not application/json"),
  422: json(errorResponse, "against the program rules (caps, balance, amounts, purchase time)"),
};
const security = [{ apiKey: [] }];

export const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "The server and its database answer.",
  security: [],
  responses: { 200: json(healthResponse, "up"), ...common },
});

export const purchaseRoute = createRoute({
  method: "post",
  path: "/purchases",
  summary: "Post a purchase and accrue points. Idempotent on store + receiptId: a replay gets the first answer.",
  security,
  request: { body: body(purchaseRequest) },
  responses: { 201: json(purchaseResponse, "posted (or posted before)"), ...writes },
});

export const cartRoute = createRoute({
  method: "post",
  path: "/carts",
  summary:
    "An online shop's cart for a member: unless its items are bought, the member gets one reminder (program.triggers.abandonedCart, 24 h by default). Idempotent on cartId.",
  security,
  request: { body: body(cartRequest) },
  responses: { 201: json(cartResponse, "recorded (or recorded before)"), ...writes },
});

export const returnRoute = createRoute({
  method: "post",
  path: "/returns",
  summary: "Return part or all of a receipt: the accrual is reversed proportionally, spent points given back.",
  security,
  request: { headers: idempotencyHeaders, body: body(returnRequest) },
  responses: { 201: json(returnResponse, "returned (or returned before)"), ...writes },
});

export const redemptionRoute = createRoute({
  method: "post",
  path: "/redemptions",
  summary:
    "confirm=false: how many points may pay for the receipt. confirm=true: spend (an Idempotency-Key header or requestId is required, scoped to the store and API key); the shopper confirms in Telegram (202, poll) unless the store trusts its POS (201).",
  security,
  request: { headers: idempotencyHeaders, body: body(redemptionRequest) },
  responses: {
    200: json(quoteResponse, "quote"),
    201: json(redemptionResponse, "spent (trusted POS)"),
    202: json(redemptionResponse, "waiting for the shopper's confirmation"),
    ...writes,
  },
});

export const giftRoute = createRoute({
  method: "post",
  path: "/gifts/redeem",
  summary:
    "Hand over a gift: the code a shopper got by activating a gift offer is spent once, in a store of the offer's pilot, while the offer runs. 404 GIFT.NOT_FOUND, 409 GIFT.ALREADY_REDEEMED, 422 GIFT.EXPIRED / GIFT.NOT_ACTIVE / GIFT.WRONG_STORE.",
  security,
  request: { body: body(giftRequest) },
  responses: { 200: json(giftResponse, "redeemed now: hand the gift over"), ...writes },
});

export const redemptionGetRoute = createRoute({
  method: "get",
  path: "/redemptions/{id}",
  summary: "A spend request as it stands.",
  security,
  request: { params: redemptionParams },
  responses: { 200: json(redemptionResponse, "the request as it stands"), ...authed },
});

export const memberRoute = createRoute({
  method: "get",
  path: "/members/{memberCode}",
  summary: "The member's status, as the staff see it.",
  security,
  request: { params: memberParams },
  responses: { 200: json(memberResponse, "the member's status"), ...authed },
});

export const openApiPath = "/openapi.json";

/** Every documented route, for the tests' response checks. */
export const routes: RouteConfig[] = [
  healthRoute,
  purchaseRoute,
  returnRoute,
  cartRoute,
  redemptionRoute,
  redemptionGetRoute,
  giftRoute,
  memberRoute,
];
