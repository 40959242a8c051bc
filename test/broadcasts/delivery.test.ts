import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import type { Broadcaster } from "../../app/notifications/messenger.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { testClock } from "../support/fixtures.js";
import { insertMembers } from "../support/members.js";

/**
 * Broadcast delivery through the fake Bot API over HTTP: each member of the
 * segment once, the control group never, 429s slowing it without loss,
 * blocked members marked, quiet hours holding messages, two senders sharing
 * one broadcast, and a sender that dies mid-send.
 */
describe.each(testDatabases)("broadcast delivery on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  const clock = testClock(new Date("2026-03-02T08:00:00Z")); // 11:00 in Moscow

  beforeAll(async () => {
    db = await open();
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  /** Members with chats in the fake Telegram, in a language of their own so each test has its own segment. */
  async function members(n: number, language: "ru" | "en" = "ru") {
    const ids = await insertMembers(db, n, { language });
    h.tg.addChats(ids);
    return ids;
  }
  const received = (ids: number[], text: string) =>
    ids.map((id) => h.tg.chat(id).messages.filter((m) => m.text === text || m.caption === text).length);
  const rows = (broadcastId: number) =>
    db.query<{ memberId: number; telegramId: string; status: string; variant: string }>(
      `SELECT d."memberId", m."telegramId"::text AS "telegramId", d.status, d.variant
       FROM "BroadcastDelivery" d JOIN "Member" m ON m.id = d."memberId" WHERE d."broadcastId" = $1`,
      [broadcastId],
    );
  async function broadcast(text: string, over: Record<string, unknown> = {}) {
    const id = await h.services.broadcasts.create({
      name: text,
      segment: { kind: "filter", minBalance: 0 },
      variants: [{ message: { text } }],
      ...over,
    });
    await h.services.broadcasts.start(id);
    return id;
  }
  /** Takes the members these tests made unreachable or used out of later segments. */
  const retire = (ids: number[]) =>
    db.query(`UPDATE "Member" SET notifications = false WHERE "telegramId" = ANY($1::int8[])`, [ids]);

  it("When a broadcast goes to a segment, then every member outside the control group gets it exactly once and the control group nothing", async () => {
    const ids = await members(60);
    const id = await broadcast("Весенняя распродажа", { controlBp: 2000 });
    const sender = h.kopilka.broadcasts(h.broadcaster, { batchSize: 16 });
    await sender.drain();
    await sender.drain(); // a second pass sends nothing more
    const out = await rows(id);
    expect(out).toHaveLength(60);
    const control = new Set(out.filter((r) => r.variant === "control").map((r) => Number(r.telegramId)));
    expect(control.size).toBeGreaterThan(0);
    const got = received(ids, "Весенняя распродажа");
    ids.forEach((tid, i) => expect(got[i]).toBe(control.has(tid) ? 0 : 1));
    expect(out.filter((r) => r.variant !== "control").every((r) => r.status === "sent")).toBe(true);
    const p = await h.services.broadcasts.progress(id);
    expect(p).toMatchObject({ state: "done", sent: 60 - control.size, control: control.size, left: 0 });
    await retire(ids);
  });

  it("When Telegram answers a storm of 429s, then the broadcast slows down and still reaches everyone once", async () => {
    const ids = await members(12);
    const id = await broadcast("Только сегодня", { controlBp: 0 });
    for (let i = 0; i < 5; i++)
      h.tg.failNext("sendMessage", 429, "Too Many Requests: retry after 1", { retry_after: 1 });
    const sender = h.kopilka.broadcasts(h.broadcaster, { batchSize: 4, concurrency: 2 });
    await sender.drain();
    const held = (await rows(id)).filter((r) => r.status === "queued");
    expect(held.length).toBeGreaterThan(0); // refused rows wait for retry_after
    clock.set(new Date(clock.now().getTime() + 2000));
    await sender.drain();
    expect(received(ids, "Только сегодня")).toEqual(ids.map(() => 1));
    expect((await rows(id)).every((r) => r.status === "sent")).toBe(true);
    await retire(ids);
  });

  it("When a member has blocked the bot, then they are marked unreachable and leave the next broadcast's segment", async () => {
    const ids = await members(5);
    h.tg.chat(ids[0] as number).blocked = true;
    const first = await broadcast("Первая", { controlBp: 0 });
    await h.kopilka.broadcasts(h.broadcaster).drain();
    const r = await rows(first);
    expect(r.find((x) => Number(x.telegramId) === ids[0])?.status).toBe("unreachable");
    const [m] = await db.query<{ status: string }>(`SELECT status::text FROM "Member" WHERE "telegramId" = $1`, [
      ids[0],
    ]);
    expect(m?.status).toBe("unreachable");
    const second = await broadcast("Вторая", { controlBp: 0 });
    expect((await rows(second)).map((x) => Number(x.telegramId))).not.toContain(ids[0]);
    await h.kopilka.broadcasts(h.broadcaster).drain();
    await retire(ids);
  });

  it("When a broadcast starts at 23:00 Moscow time, then it waits for 09:00 and goes out then", async () => {
    const ids = await members(4);
    clock.set(new Date("2026-03-02T20:00:00Z")); // 23:00 in Moscow
    const id = await broadcast("Доброе утро", { controlBp: 0 });
    const sender = h.kopilka.broadcasts(h.broadcaster);
    await sender.drain();
    expect(received(ids, "Доброе утро")).toEqual([0, 0, 0, 0]);
    expect((await rows(id)).every((r) => r.status === "queued")).toBe(true);
    clock.set(new Date("2026-03-03T05:59:00Z"));
    await sender.drain();
    expect(received(ids, "Доброе утро")).toEqual([0, 0, 0, 0]);
    clock.set(new Date("2026-03-03T06:00:00Z")); // 09:00
    await sender.drain();
    expect(received(ids, "Доброе утро")).toEqual([1, 1, 1, 1]);
    await retire(ids);
  });

  it("When two senders work on one broadcast at once, then they share it and nobody gets it twice", async () => {
    clock.set(new Date("2026-03-05T08:00:00Z"));
    const ids = await members(80);
    const id = await broadcast("Вдвоём", { controlBp: 0 });
    const a = h.kopilka.broadcasts(h.broadcaster, { batchSize: 5, workerId: "a" });
    const b = h.kopilka.broadcasts(h.broadcaster, { batchSize: 5, workerId: "b" });
    const [sa, sb] = await Promise.all([a.drain(), b.drain()]);
    expect(sa + sb).toBe(80);
    expect(sa).toBeGreaterThan(0);
    expect(sb).toBeGreaterThan(0);
    expect(received(ids, "Вдвоём")).toEqual(ids.map(() => 1));
    expect((await rows(id)).every((r) => r.status === "sent")).toBe(true);
    await retire(ids);
  });

  it("When a sender dies in the middle of sending, then the rows it was sending are unknown and not resent, and the rest go out once", async () => {
    clock.set(new Date("2026-03-06T08:00:00Z"));
    const ids = await members(20);
    const id = await broadcast("После сбоя", { controlBp: 0 });
    // A process that sends six messages, then hangs in the middle of the next sends forever (as if killed).
    let sends = 0;
    const dying: Broadcaster = {
      send: (to, message, o) => (++sends <= 6 ? h.broadcaster.send(to, message, o) : new Promise(() => {})),
      progress: h.broadcaster.progress,
    };
    void h.kopilka.broadcasts(dying, { batchSize: 10, concurrency: 2, leaseMs: 60_000, workerId: "dead" }).drain();
    await waitUntil(async () => {
      const r = await rows(id);
      return r.filter((x) => x.status === "sending").length === 2 && r.filter((x) => x.status === "sent").length === 6;
    });
    const before = await rows(id);
    const lost = before.filter((r) => r.status === "sending").map((r) => Number(r.telegramId));
    // Before the lease runs out another process leaves the dead one's rows alone…
    await h.kopilka.broadcasts(h.broadcaster, { workerId: "early" }).drain();
    expect((await rows(id)).filter((r) => r.status === "sending")).toHaveLength(2);
    // …after it, they are unknown, the claimed ones go back to the queue, and the rest is sent.
    clock.set(new Date(clock.now().getTime() + 61_000));
    await h.kopilka.broadcasts(h.broadcaster, { workerId: "restarted" }).drain();
    const after = await rows(id);
    expect(
      after
        .filter((r) => r.status === "unknown")
        .map((r) => Number(r.telegramId))
        .sort(),
    ).toEqual(lost.sort());
    expect(after.filter((r) => r.status === "sent")).toHaveLength(18);
    const got = received(ids, "После сбоя");
    ids.forEach((tid, i) => expect(got[i]).toBe(lost.includes(tid) ? 0 : 1));
    await retire(ids);
  });
});

async function waitUntil(cond: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
