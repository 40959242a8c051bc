import { createHmac, randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";

/**
 * A secret the server makes at first start and keeps in its own database:
 * nothing to configure, and it travels with the data it protects (a backup
 * restored elsewhere still recognises its phone hashes). Two processes
 * starting at once agree on one value (the first insert wins).
 */
export async function serverSecret(db: Database, name: string): Promise<string> {
  await db.query(`INSERT INTO "ServerSecret" (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    name,
    randomBytes(32).toString("base64url"),
  ]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM "ServerSecret" WHERE name = $1`, [name]);
  if (!row) throw new Error(`server secret ${name} missing after insert`);
  return row.value;
}

/** The keyed hash a phone is remembered by (normalized "+7…" form in, base64url out). */
export function phoneHash(secret: string, phone: string): string {
  return createHmac("sha256", secret).update(phone).digest("base64url");
}
