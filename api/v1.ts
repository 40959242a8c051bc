import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import type { Services } from "../app/services/index.js";
import type { PurchaseResult } from "../app/services/purchases.js";
import type { RedemptionView } from "../app/services/redemptions.js";
import { ApiError, errorBody, toResponse, validationError } from "./errors.js";
import { buildOpenApi } from "./openapi.js";
import { purchaseRequest, redemptionRequest, returnRequest } from "./schemas.js";

/** What the API tells the shopper in Telegram (the bot's notifier). */
export interface ApiNotifier {
  purchaseRecorded(r: PurchaseResult): Promise<void>;
  returnRecorded(r: Awaited<ReturnType<Services["purchases"]["recordReturn"]>>, storeId: number): Promise<void>;
  askConfirmation(r: RedemptionView): Promise<boolean>;
}

type Env = { Variables: { storeId: number; trustedPos: boolean } };

async function body<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new ApiError(400, "VALIDATION.MALFORMED_JSON", "the body is not valid JSON");
  }
  const r = schema.safeParse(json);
  if (!r.success) throw validationError(r.error);
  return r.data;
}

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

/**
 * The POS API, version 1. Every route but health and the OpenAPI document
 * needs `Authorization: Bearer <key>`; a key acts for its own store only.
 */
export function createApiV1(services: Services, notifier: ApiNotifier) {
  const api = new Hono<Env>();

  api.onError((e, c) => toResponse(c, e));
  api.use(
    "*",
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (c) => c.json(errorBody("VALIDATION.TOO_LARGE", "body over 256 KiB"), 413),
    }),
  );

  api.get("/health", async (c) => {
    await services.ctx.db.query("SELECT 1");
    return c.json({ status: "ok" });
  });
  api.get("/openapi.json", (c) => c.json(buildOpenApi()));

  api.use("*", async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const key = m?.[1] ? await services.apiKeys.verify(m[1]) : null;
    if (!key) return c.json(errorBody("AUTH.INVALID_KEY", "missing or unknown API key"), 401);
    // Admin keys read the back office; they never act as a till.
    if (key.role !== "pos") return c.json(errorBody("AUTH.WRONG_ROLE", "this route needs a store's POS key"), 403);
    c.set("storeId", key.storeId);
    c.set("trustedPos", key.trustedPos);
    await next();
  });

  api.post("/purchases", async (c) => {
    const b = await body(c, purchaseRequest);
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
    });
    // The shopper's message goes out after the answer: the till never waits for Telegram.
    if (!r.replay) void notifier.purchaseRecorded(r).catch((e) => services.ctx.log.warn({ err: e }, "notify failed"));
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
      },
      201,
    );
  });

  api.post("/returns", async (c) => {
    const b = await body(c, returnRequest);
    const key = b.returnId ?? c.req.header("idempotency-key");
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
    if (!r.replay)
      void notifier.returnRecorded(r, storeId).catch((e) => services.ctx.log.warn({ err: e }, "notify failed"));
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

  api.post("/redemptions", async (c) => {
    const b = await body(c, redemptionRequest);
    const storeId = c.get("storeId");
    const input = { storeId, member: memberKey(b), receiptId: b.receiptId, receiptAmountKopecks: b.receiptAmount };
    if (!b.confirm) {
      const q = await services.redemptions.quote(input);
      return c.json({ balance: q.balance, receiptCapPoints: q.receiptCapPoints, maxPoints: q.maxPoints }, 200);
    }
    const requestId = c.req.header("idempotency-key");
    const spend = { ...input, points: b.points ?? 0, requestedBy: "pos" as const, ...(requestId ? { requestId } : {}) };
    if (c.get("trustedPos")) {
      const r = await services.redemptions.spend(spend);
      return c.json(redemptionJson(r), 201);
    }
    const r = await services.redemptions.request(spend);
    const shopperNotified = r.replay ? true : await notifier.askConfirmation(r);
    return c.json({ ...redemptionJson(r), poll: `/api/v1/redemptions/${r.id}`, shopperNotified }, 202);
  });

  api.get("/redemptions/:id", async (c) => {
    const r = await services.redemptions.get(c.req.param("id"));
    if (r.storeId !== c.get("storeId")) throw new ApiError(404, "REDEMPTION.NOT_FOUND", "no such request");
    return c.json(redemptionJson(r), 200);
  });

  api.get("/members/:memberCode", async (c) => {
    const code = c.req.param("memberCode");
    if (!/^\d{8}$/.test(code)) throw new ApiError(400, "VALIDATION.FAILED", "a member code is 8 digits");
    const m = await services.members.get({ memberCode: code });
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
