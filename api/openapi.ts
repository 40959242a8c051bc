import { z } from "zod";
import {
  errorResponse,
  memberResponse,
  purchaseRequest,
  purchaseResponse,
  quoteResponse,
  redemptionRequest,
  redemptionResponse,
  returnRequest,
  returnResponse,
} from "./schemas.js";

const json = (schema: z.ZodType) => ({
  content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input" }) } },
});
const out = (schema: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: z.toJSONSchema(schema) } },
});
const errors = Object.fromEntries(
  [
    ["400", "invalid body"],
    ["401", "missing or unknown API key"],
    ["403", "the key belongs to another store"],
    ["404", "unknown member, receipt or request"],
    ["409", "the same id was used with other details"],
    ["422", "against the program rules (caps, balance, amounts)"],
  ].map(([code, d]) => [code, out(errorResponse, d as string)]),
);

let cached: Record<string, unknown> | null = null;

/** The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. */
export function buildOpenApi() {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Kopilka POS API",
      version: "1.0.0",
      description: "Purchases, returns and point spending for a store's POS.",
    },
    servers: [{ url: "/api/v1" }],
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "a store's API key" } } },
    security: [{ apiKey: [] }],
    paths: {
      "/health": { get: { security: [], responses: { "200": { description: "the server and its database answer" } } } },
      "/purchases": {
        post: {
          summary:
            "Post a purchase and accrue points. Idempotent on store + receiptId: a replay gets the first answer.",
          requestBody: json(purchaseRequest),
          responses: { "201": out(purchaseResponse, "posted (or posted before)"), ...errors },
        },
      },
      "/returns": {
        post: {
          summary: "Return part or all of a receipt: the accrual is reversed proportionally, spent points given back.",
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }],
          requestBody: json(returnRequest),
          responses: { "201": out(returnResponse, "returned (or returned before)"), ...errors },
        },
      },
      "/redemptions": {
        post: {
          summary:
            "confirm=false: how many points may pay for the receipt. confirm=true: spend; the shopper confirms in Telegram (202, poll) unless the store trusts its POS (201).",
          parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string" } }],
          requestBody: json(redemptionRequest),
          responses: {
            "200": out(quoteResponse, "quote"),
            "201": out(redemptionResponse, "spent (trusted POS)"),
            "202": out(redemptionResponse, "waiting for the shopper's confirmation"),
            ...errors,
          },
        },
      },
      "/redemptions/{id}": {
        get: {
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": out(redemptionResponse, "the request as it stands"), ...errors },
        },
      },
      "/members/{memberCode}": {
        get: {
          parameters: [
            { name: "memberCode", in: "path", required: true, schema: { type: "string", pattern: "^\\\\d{8}$" } },
          ],
          responses: { "200": out(memberResponse, "the member's status"), ...errors },
        },
      },
    },
  };
  return cached;
}
