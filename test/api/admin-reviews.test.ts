import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { enrollShopper, startApi } from "../support/api-harness.js";
import { testDatabases } from "../support/databases.js";
import { createStore } from "../support/fixtures.js";

/**
 * Review moderation over HTTP with an admin key: the pending list, approve
 * (the points once), reject (nothing), a second decision refused; every
 * answer checked against its declared schema.
 */
describe.each(testDatabases)("admin review moderation over HTTP on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startApi>>;
  let admin: string;
  let pos: string;
  let storeId: number;
  let receipt = 0;

  beforeAll(async () => {
    db = await open();
    h = await startApi(db);
    storeId = (await createStore(db, { name: "Копилка на Арбате" })).id;
    admin = (await h.services.apiKeys.createAdmin()).key;
    pos = (await h.services.apiKeys.create(storeId)).key;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function reviewed(stars: number) {
    const { user, member, code } = await enrollShopper(h);
    const p = await h.call("POST", "/purchases", {
      key: pos,
      body: { memberCode: code, receiptId: `AR-${++receipt}`, amount: 80_000 },
    });
    const r = await h.services.reviews.rate(user.id, (p.json as { purchaseId: number }).purchaseId, stars);
    if (r.status !== "recorded") throw new Error(r.status);
    return { member, reviewId: r.reviewId };
  }
  const balance = async (id: number) => (await db.prisma.member.findUniqueOrThrow({ where: { id } })).balance;

  it("When an admin lists and approves a pending review, then the points are credited once and a second decision is 409", async () => {
    const { member, reviewId } = await reviewed(2);
    const list = await h.call("GET", `/admin/reviews?storeId=${storeId}`, { key: admin });
    expect(list.status).toBe(200);
    expect((list.json as { reviews: { id: number; rating: number }[] }).reviews).toContainEqual(
      expect.objectContaining({ id: reviewId, rating: 2, storeName: "Копилка на Арбате" }),
    );
    const before = await balance(member.id);
    const ok = await h.call("POST", `/admin/reviews/${reviewId}/approve`, { key: admin });
    expect(ok).toMatchObject({ status: 200, json: { id: reviewId, status: "approved", points: 50 } });
    expect(await balance(member.id)).toBe(before + 50);
    const again = await h.call("POST", `/admin/reviews/${reviewId}/reject`, { key: admin });
    expect(again).toMatchObject({ status: 409, json: { error: { code: "REVIEW.DECIDED" } } });
    expect(await balance(member.id)).toBe(before + 50);
  });

  it("When an admin rejects a review, then it earns nothing and leaves the pending list", async () => {
    const { member, reviewId } = await reviewed(5);
    const before = await balance(member.id);
    const r = await h.call("POST", `/admin/reviews/${reviewId}/reject`, { key: admin });
    expect(r).toMatchObject({ status: 200, json: { status: "rejected", points: 0 } });
    expect(await balance(member.id)).toBe(before);
    const list = await h.call("GET", "/admin/reviews", { key: admin });
    expect((list.json as { reviews: { id: number }[] }).reviews.map((x) => x.id)).not.toContain(reviewId);
  });

  it("When a POS key or an unknown review is used, then 403 or 404 and nothing changes", async () => {
    const { reviewId } = await reviewed(4);
    expect((await h.call("POST", `/admin/reviews/${reviewId}/approve`, { key: pos })).status).toBe(403);
    expect((await h.call("POST", "/admin/reviews/999999/approve", { key: admin })).status).toBe(404);
    const [row] = await db.query<{ status: string }>(`SELECT status FROM "Review" WHERE id = $1`, [reviewId]);
    expect(row?.status).toBe("pending");
  });
});
