import type { Database } from "../../app/db/database.js";

let next = 5_000_000;

/**
 * Enrolled members in bulk, set-based (benchmarks and large tests; the
 * enrollment walk itself is tested elsewhere): each has a chat whose id is
 * its Telegram id. Returns their Telegram ids in member order.
 */
export async function insertMembers(db: Database, n: number, opts: { language?: string } = {}) {
  const from = next;
  next += n;
  await db.query(
    `INSERT INTO "Member" ("telegramId", "chatId", "firstName", language, phone, "consentAt", "memberCode", "referralCode", "createdAt", "updatedAt")
     SELECT g, g, 'Member', $3, '+7999' || lpad(g::text, 7, '0'), now(), '9' || g, 'R' || g, now(), now()
     FROM generate_series($1::int, $2::int) g`,
    [from, from + n - 1, opts.language ?? "ru"],
  );
  return Array.from({ length: n }, (_, i) => from + i);
}
