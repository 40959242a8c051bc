import type { OpenAPIHono } from "@hono/zod-openapi";
import type { OfferView } from "../app/offers/index.js";
import type { Services } from "../app/services/index.js";
import {
  offerActionRoute,
  offerAuditRoute,
  offerCreateRoute,
  offerGetRoute,
  offerListRoute,
  offerPreviewRoute,
} from "./admin-offer-routes.js";

const offerJson = (o: OfferView) => ({
  ...o,
  startsAt: o.startsAt.toISOString(),
  endsAt: o.endsAt.toISOString(),
});

/** The offers' admin routes (api/admin-offer-routes.ts), acting as the key that calls them. */
export function registerOfferRoutes(api: OpenAPIHono<{ Variables: { actor: string } }>, services: Services): void {
  const { offers } = services;
  api.openapi(offerCreateRoute, async (c) =>
    c.json(offerJson(await offers.create(c.req.valid("json"), c.get("actor"))), 201),
  );
  api.openapi(offerListRoute, async (c) =>
    c.json({ offers: (await offers.list(c.req.valid("query").status)).map(offerJson) }, 200),
  );
  api.openapi(offerGetRoute, async (c) => c.json(offerJson(await offers.get(c.req.valid("param").id)), 200));
  api.openapi(offerPreviewRoute, async (c) => c.json(await offers.preview(c.req.valid("param").id), 200));
  api.openapi(offerAuditRoute, async (c) => c.json({ changes: await offers.history(c.req.valid("param").id) }, 200));
  api.openapi(offerActionRoute, async (c) => {
    const { id, action } = c.req.valid("param");
    return c.json(offerJson(await offers[action](id, c.get("actor"))), 200);
  });
}
