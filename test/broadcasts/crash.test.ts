import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { testDatabases, urlOf } from "../support/databases.js";
import { servicesFor } from "../support/fixtures.js";
import { insertMembers } from "../support/members.js";
import { freePort, startApp, stopped } from "../support/process.js";
import { FakeTelegram } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";

/**
 * kill -9 of `npm start` in the middle of a broadcast, then a restart: no
 * member gets it twice, and every member is sent, unknown (it was in flight
 * when the process died) or in the control group. On PostgreSQL, where the
 * test watches the outbox while the server runs.
 */
const postgres = testDatabases.find((d) => d.name === "postgres");

describe.skipIf(!postgres)("a crash in the middle of a broadcast", () => {
  let db: Database;
  let url: string;
  let tg: FakeTelegram;
  beforeAll(async () => {
    db = await (postgres as NonNullable<typeof postgres>).open();
    url = await urlOf(db);
    tg = new FakeTelegram();
    await tg.start();
  });
  afterAll(async () => {
    await tg?.stop();
    await db?.close();
  });

  it("When the process is killed while sending and started again, then nobody gets the message twice and every member is accounted for", async () => {
    const ids = await insertMembers(db, 300);
    tg.addChats(ids);
    // Quiet hours off: the test runs at any hour of the day.
    const programFile = join(tmpdir(), `kopilka-broadcast-crash-${process.pid}.json`);
    writeFileSync(programFile, JSON.stringify({ messaging: { quietHours: { start: "00:00", end: "00:00" } } }));
    const services = servicesFor(db);
    const id = await services.broadcasts.create({ name: "crash", variants: [{ message: { text: "Распродажа" } }] });
    await services.broadcasts.start(id);
    const port = await freePort();
    const env = {
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      PROGRAM_CONFIG: programFile,
      TELEGRAM_GLOBAL_RPS: "40",
      BROADCAST_LEASE_SECONDS: "2",
    };
    const got = () => ids.map((tid) => tg.chat(tid).messages.filter((m) => m.text === "Распродажа").length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

    const first = startApp(env);
    try {
      await first.ready;
      await waitFor(() => sum(got()) >= 60, 30_000);
    } finally {
      await stopped(first.child, "SIGKILL");
    }
    const atKill = sum(got());
    expect(atKill).toBeLessThan(270);

    const second = startApp(env);
    try {
      await second.ready;
      await waitFor(async () => (await services.broadcasts.get(id)).status === "done", 60_000);
    } finally {
      await stopped(second.child);
    }
    const counts = got();
    expect(Math.max(...counts)).toBe(1);
    const rows = await db.query<{ telegramId: string; status: string }>(
      `SELECT m."telegramId"::text AS "telegramId", d.status FROM "BroadcastDelivery" d
       JOIN "Member" m ON m.id = d."memberId" WHERE d."broadcastId" = $1`,
      [id],
    );
    expect(rows).toHaveLength(300);
    const status = new Map(rows.map((r) => [Number(r.telegramId), r.status]));
    ids.forEach((tid, i) => {
      const s = status.get(tid);
      expect(["sent", "unknown", "control"]).toContain(s);
      if (s === "sent") expect(counts[i]).toBe(1);
      if (s === "control") expect(counts[i]).toBe(0);
    });
  }, 150_000);
});
