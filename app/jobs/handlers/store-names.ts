import type { Database } from "../../db/database.js";

/**
 * Store names for notices, read once a minute at most: every purchase
 * notice names its store, and names change rarely.
 */
export function storeNames(db: Database, ttlMs = 60_000) {
  const cache = new Map<number, { name: string; at: number }>();
  return async (id: number): Promise<string> => {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < ttlMs) return hit.name;
    const [row] = await db.query<{ name: string }>(`SELECT name FROM "Store" WHERE id = $1`, [id]);
    const name = row?.name ?? "";
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { name, at: Date.now() });
    return name;
  };
}
