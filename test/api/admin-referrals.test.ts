import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { parseProgram } from "../../domain/index.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore, testClock, uniquePhone } from "../support/fixtures.js";

/**
 * Held referrals over HTTP with an admin key: a burst of invitations holds
 * the next one with its reason; the admin lists them and releases one (it
 * goes on, judged at once on a purchase the friend already made) or refuses
 * it (the reason stays); a decided one cannot be decided again.
 */
describe.each(testDatabases)("admin referral review over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let admin: string;
  let pos: string;
  const clock = testClock(new Date("2026-03-02T08:00:00Z"));

  beforeAll(async () => {
    db = await open();
    // Two referrals within a week hold the third for an admin.
    h = await startApi(db, { clock, program: parseProgram({ gamification: { referrals: { burstCount: 2 } } }) });
    const storeId = (await createStore(db, { name: "Копилка на Арбате" })).id;
    admin = (await h.services.apiKeys.createAdmin()).key;
    pos = (await h.services.apiKeys.create(storeId)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  const friendOf = async (referralCode: string, firstName: string) => {
    const u = h.tg.user({ first_name: firstName, language_code: "ru" });
    return h.services.members.enroll({ telegramId: u.id, chatId: u.id, phone: uniquePhone(), firstName, referralCode });
  };

  it("When a referrer invites a burst of friends, then the next ones are held with their reason, and the admin releases one and refuses another", async () => {
    const a = await enrollShopper(h, "Алла");
    await friendOf(a.member.referralCode, "Борис");
    await friendOf(a.member.referralCode, "Вера");
    const held1 = await friendOf(a.member.referralCode, "Глеб");
    const held2 = await friendOf(a.member.referralCode, "Дана");

    const list = await h.call("GET", "/admin/referrals?status=held", { key: admin });
    expect(list.status).toBe(200);
    const held = (list.json.referrals as { id: number; friend: { id: number; name: string }; reason: string }[]).filter(
      (r) => r.friend.id === held1.id || r.friend.id === held2.id,
    );
    expect(held.map((r) => [r.friend.name, r.reason]).sort()).toEqual([
      ["Глеб", "REFERRER_BURST"],
      ["Дана", "REFERRER_BURST"],
    ]);
    const [first, second] = [held.find((r) => r.friend.id === held1.id), held.find((r) => r.friend.id === held2.id)];

    // Глеб bought while held: released, the referral is judged on that purchase at once.
    const p = await h.call("POST", "/purchases", {
      key: pos,
      body: { memberCode: held1.memberCode, receiptId: "RF-1", amount: 70_000 },
    });
    expect(p.status).toBe(201);
    await h.idle();
    const released = await h.call("POST", `/admin/referrals/${first?.id}/release`, { key: admin });
    expect(released).toMatchObject({ status: 200, json: { id: first?.id, status: "pending" } });
    const refused = await h.call("POST", `/admin/referrals/${second?.id}/refuse`, { key: admin });
    expect(refused).toMatchObject({ status: 200, json: { status: "refused" } });

    const rows = await db.query<{ friendId: number; status: string; reason: string | null }>(
      `SELECT "friendId", status, reason FROM "Referral" WHERE "friendId" = ANY($1) ORDER BY "friendId"`,
      [[held1.id, held2.id]],
    );
    expect(rows).toEqual([
      { friendId: held1.id, status: "qualifying", reason: null },
      { friendId: held2.id, status: "refused", reason: "REFERRER_BURST" },
    ]);
    // Decided once: a second decision, or one on a referral that was never held, is a conflict.
    const again = await h.call("POST", `/admin/referrals/${second?.id}/release`, { key: admin });
    expect(again).toMatchObject({ status: 409, json: { error: { code: "REFERRAL.NOT_HELD" } } });
    expect(await h.call("POST", "/admin/referrals/999999/release", { key: admin })).toMatchObject({
      status: 404,
      json: { error: { code: "REFERRAL.NOT_FOUND" } },
    });
  });

  it("When a store's POS key asks for referrals, then it gets 403 and a bad status is 400", async () => {
    expect((await h.call("GET", "/admin/referrals", { key: pos })).status).toBe(403);
    const bad = await h.call("GET", "/admin/referrals?status=lost", { key: admin });
    expect(bad.status).toBe(400);
  });
});
