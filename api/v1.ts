import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Services } from "../app/services/index.js";
import type { RedemptionView } from "../app/services/redemptions.js";
import { ApiError, errorBody, toResponse, validationError } from "./errors.js";
import {
  cartRoute,
  healthRoute,
  memberRoute,
  openApiPath,
  purchaseRoute,
  redemptionGetRoute,
  giftRoute,
  redemptionRoute,
  returnRoute,
} from "./routes.js";

type Env = { Variables: { storeId: number; apiKeyId: number; trustedPos: boolean; importHistory: boolean } };

const memberKey = (v: { memberCode?: string | undefined; phone?: string | undefined }) =>
  v.memberCode !== undefined ? { memberCode: v.memberCode } : { phone: v.phone ?? "" };

const redemptionJson = (r: RedemptionView) => ({
  id: r.id,
  status: r.status,
  receiptId: r.receiptId,
  receiptAmount: r.receiptAmountKopecks,
  points: r.points,
  balance: r.balance,
  expiresAt: r.expiresAt.toISOString(),
});

// C0 controls and DEL; a NUL in a receipt id once reached the database and came back as a text/plain 500.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The path of the first string (key or value) in a JSON value that holds a control character. */
function controlCharacterAt(v: unknown, path: string): string | null {
  if (typeof v === "string") return CONTROL.test(v) ? path : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = controlCharacterAt(v[i], `${path}.${i}`);
      if (hit) return hit;
    }
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (CONTROL.test(k)) return `${path}.${k}`;
      const hit = controlCharacterAt(x, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return null;
}

const controlCharacterError = (where: string) =>
  new ApiError(400, "VALIDATION.CONTROL_CHARACTER", "strings may not hold control characters", {
    [where.replace(/^body\.?/, "") || "(body)"]: "holds a control character",
  });

/**
 * The POS API, version 1. Every route but health and the OpenAPI document
 * needs `Authorization: Bearer <key>`; a key acts for its own store only.
 * Routes are declared in api/routes.ts; the document is generated from them.
 */
export function createApiV1(services: Services, log?: Logger) {
  const api = new OpenAPIHono<Env>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

  api.onError((e, c) => toResponse(c, e, log));
  api.use(
    "*",
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (c) => c.json(errorBody("VALIDATION.TOO_LARGE", "body over 256 KiB"), 413),
    }),
  );

  api.openapi(healthRoute, async (c) => {
    await services.health.check();
    return c.json({ status: "ok" as const }, 200);
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "a store's API key",
  });
  api.doc31(openApiPath, {
    openapi: "3.1.0",
    info: {
      title: "Kopilka POS API",
      version: "1.0.0",
      description: "Purchases, returns and point spending for a store's POS.",
    },
    servers: [{ url: "/api/v1" }],
  });

  api.use("*", async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const key = m?.[1] ? await services.apiKeys.verify(m[1]) : null;
    if (!key) return c.json(errorBody("AUTH.INVALID_KEY", "missing or unknown API key"), 401);
    // Admin keys read the back office; they never act as a till.
    if (key.role !== "pos") return c.json(errorBody("AUTH.WRONG_ROLE", "this route needs a store's POS key"), 403);
    c.set("storeId", key.storeId);
    c.set("apiKeyId", key.id);
    c.set("trustedPos", key.trustedPos);
    c.set("importHistory", key.importHistory);
    await next();
  });

  // One check for every string the client sends (path, query, body), before any schema or
  // service sees it: control characters (NUL included) are never data a POS means to send,
  // and a NUL reaching PostgreSQL fails the statement.
  api.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new ApiError(400, "VALIDATION.FAILED", "the path is not valid percent-encoding");
    }
    const inUrl = CONTROL.test(path) ? "(path)" : controlCharacterAt(Object.fromEntries(url.searchParams), "query");
    if (inUrl) throw controlCharacterError(inUrl);
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const text = await c.req.text();
    if (text.trim() === "") return next();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(400, "VALIDATION.MALFORMED_JSON", "the body is not valid JSON");
    }
    const at = controlCharacterAt(json, "body");
    if (at) throw controlCharacterError(at);
    return next();
  });

  api.openapi(purchaseRoute, async (c) => {
    const b = c.req.valid("json");
    const storeId = c.get("storeId");
    if (b.storeId !== undefined && b.storeId !== storeId)
      throw new ApiError(403, "AUTH.WRONG_STORE", "this key posts for another store", { storeId });
    const r = await services.purchases.recordPurchase({
      storeId,
      member: memberKey(b),
      receiptId: b.receiptId,
      amountKopecks: b.amount,
      items: b.items?.map((i) => ({ sku: i.sku, category: i.category, amountKopecks: i.amount })) ?? [],
      ...(b.at ? { at: new Date(b.at) } : {}),
      importHistory: c.get("importHistory"),
    });
    // The shopper hears of it through the outbox (a job), never on the till's time.
    // A replay answers exactly as the first call did; only this header tells them apart.
    c.header("Idempotent-Replayed", String(r.replay));
    return c.json(
      {
        purchaseId: r.purchaseId,
        storeId: r.storeId,
        receiptId: r.receiptId,
        amount: r.amountKopecks,
        pointsRedeemed: r.pointsRedeemed,
        points: r.points,
        tier: r.tierCode,
        rateBp: r.rateBp,
        balance: r.balance,
        at: r.at.toISOString(),
        offers: r.offers.map((o) => ({ id: o.offerId, title: o.title.ru, titleEn: o.title.en, points: o.points })),
      },
      201,
    );
  });

  api.openapi(cartRoute, async (c) => {
    const b = c.req.valid("json");
    const r = await services.offers.triggers.recordCart({
      storeId: c.get("storeId"),
      member: memberKey(b),
      cartId: b.cartId,
      items: b.items.map((i) => ({ sku: i.sku, category: i.category, amountKopecks: i.amount })),
    });
    return c.json({ cartId: r.cartId, remindAt: r.remindAt.toISOString() }, 201);
  });

  api.openapi(returnRoute, async (c) => {
    const b = c.req.valid("json");
    const key = b.returnId ?? c.req.valid("header")["idempotency-key"];
    if (!key)
      throw new ApiError(
        400,
        "VALIDATION.FAILED",
        "give returnId or an Idempotency-Key header, so a retry is not a second return",
      );
    const storeId = c.get("storeId");
    const r = await services.purchases.recordReturn({
      storeId,
      receiptId: b.receiptId,
      amountKopecks: b.amount,
      returnKey: key,
    });
    c.header("Idempotent-Replayed", String(r.replay));
    return c.json(
      {
        returnId: r.returnId,
        purchaseId: r.purchaseId,
        amount: r.amountKopecks,
        pointsReversed: r.pointsReversed,
        pointsRefunded: r.pointsRefunded,
        pointsUncollected: r.pointsUncollected,
        balance: r.balance,
      },
      201,
    );
  });

  api.openapi(redemptionRoute, async (c) => {
    const b = c.req.valid("json");
    const storeId = c.get("storeId");
    const input = { storeId, member: memberKey(b), receiptId: b.receiptId, receiptAmountKopecks: b.receiptAmount };
    if (!b.confirm) {
      const q = await services.redemptions.quote(input);
      return c.json({ balance: q.balance, receiptCapPoints: q.receiptCapPoints, maxPoints: q.maxPoints }, 200);
    }
    const header = c.req.valid("header")["idempotency-key"];
    if (header !== undefined && b.requestId !== undefined && header !== b.requestId)
      throw new ApiError(400, "VALIDATION.FAILED", "requestId and the Idempotency-Key header differ");
    // Like a return, a spend needs the POS's id for it: without one a retry after a lost answer
    // would spend again (100 → 70 → 40). The key is scoped to this store and API key.
    const requestId = b.requestId ?? header;
    if (requestId === undefined)
      throw new ApiError(
        400,
        "VALIDATION.FAILED",
        "give requestId or an Idempotency-Key header to spend, so a retry is not a second spend",
        { requestId: "required when confirm is true" },
      );
    const spend = {
      ...input,
      points: b.points ?? 0,
      requestedBy: "pos" as const,
      requestId,
      apiKeyId: c.get("apiKeyId"),
    };
    if (c.get("trustedPos")) {
      const r = await services.redemptions.spend(spend);
      c.header("Idempotent-Replayed", String(r.replay));
      return c.json(redemptionJson(r), 201);
    }
    // Answered at once: the shopper's prompt is sent by a job that retries while Telegram is away.
    const r = await services.redemptions.request(spend);
    c.header("Idempotent-Replayed", String(r.replay));
    return c.json({ ...redemptionJson(r), poll: `/api/v1/redemptions/${r.id}` }, 202);
  });

  api.openapi(giftRoute, async (c) => {
    const g = await services.offers.gifts.redeem({ storeId: c.get("storeId"), code: c.req.valid("json").code });
    return c.json(
      {
        offerId: g.offerId,
        code: g.code,
        title: g.title.ru,
        titleEn: g.title.en,
        gift: g.gift.ru,
        giftEn: g.gift.en,
        redeemedAt: g.redeemedAt.toISOString(),
      },
      200,
    );
  });

  api.openapi(redemptionGetRoute, async (c) => {
    const r = await services.redemptions.get(c.req.valid("param").id);
    if (r.storeId !== c.get("storeId")) throw new ApiError(404, "REDEMPTION.NOT_FOUND", "no such request");
    return c.json(redemptionJson(r), 200);
  });

  api.openapi(memberRoute, async (c) => {
    const m = await services.members.get({ memberCode: c.req.valid("param").memberCode });
    const s = await services.cards.status(m.id);
    return c.json(
      {
        memberCode: s.memberCode,
        name: s.name,
        status: s.status,
        tier: s.tier,
        balance: s.balance,
        expiringSoon: s.expiringSoon,
        visitsInWindow: s.visitsInWindow,
        spendInWindow: s.spendInWindowKopecks,
        lastPurchase: s.lastPurchase
          ? {
              at: s.lastPurchase.at.toISOString(),
              amount: s.lastPurchase.amountKopecks,
              storeName: s.lastPurchase.storeName,
            }
          : null,
        birthdayThisWeek: s.birthdayThisWeek,
      },
      200,
    );
  });

  api.notFound((c) => c.json(errorBody("NOT_FOUND", "no such route"), 404));
  return api;
}
