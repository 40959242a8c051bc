import type { RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import { adminOpenApiPath, adminRoutes } from "../../api/admin-routes.js";
import { openApiPath, routes } from "../../api/routes.js";
import { errorResponse } from "../../api/schemas.js";

/** "/redemptions/{id}" → /^\/redemptions\/[^/]+$/ */
const pathPattern = (p: string) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`);
const compiled = [
  ...routes.map((r) => ({ route: r, pattern: pathPattern(r.path) })),
  ...adminRoutes.map((r) => ({ route: r, pattern: pathPattern(`/admin${r.path}`) })),
];

function declaredSchema(route: RouteConfig, status: number): z.ZodType | undefined {
  const res = (route.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>)[String(status)];
  if (!res) return undefined;
  return res.content?.["application/json"]?.schema as z.ZodType | undefined;
}

/**
 * Checks an answer of /api/v1 against the route's declared response for that
 * status (api/routes.ts, from which the OpenAPI document is generated): the
 * status must be declared, the body JSON and valid against its schema
 * (response schemas are strict, so an undeclared field fails too). An
 * unknown route must answer the error shape. Throws with the reason.
 */
export function checkResponse(method: string, path: string, status: number, contentType: string | null, body: unknown) {
  const where = `${method} ${path} → ${status}`;
  if (!contentType?.startsWith("application/json")) throw new Error(`${where}: content-type ${contentType}, not JSON`);
  if (path === openApiPath || path === `/admin${adminOpenApiPath}`) return;
  const bare = path.split("?")[0] ?? path;
  const hit = compiled.find((c) => c.route.method === method.toLowerCase() && c.pattern.test(bare));
  const schema = hit ? declaredSchema(hit.route, status) : errorResponse;
  if (!schema) throw new Error(`${where}: status not declared for ${hit?.route.method} ${hit?.route.path}`);
  const r = schema.safeParse(body);
  if (!r.success)
    throw new Error(`${where}: body does not match its declared schema: ${r.error.message}\n${JSON.stringify(body)}`);
}

/** checkResponse for a fetch Response (the path without /api/v1); resolves with the body. */
export async function checkedJson(method: string, path: string, res: Response): Promise<unknown> {
  const body: unknown = await res.json();
  checkResponse(method, path, res.status, res.headers.get("content-type"), body);
  return body;
}
