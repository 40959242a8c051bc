import { createServer } from "node:net";
import type { ServerType } from "@hono/node-server";
import { createHttpApp, listen } from "../../api/server.js";
import type { Database } from "../../app/db/database.js";
import { defaultProgram } from "../../domain/index.js";
import { startBot } from "./bot-harness.js";
import { testClock } from "./fixtures.js";
import { generateDataset, type StoreRow, writeDataset } from "./metrics-dataset.js";

export const ADMIN_ID = 5_000_001;
export const MARKETER_ID = 5_000_002;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/**
 * The whole process as `npm start` builds it — bot (over the fake Bot API)
 * and HTTP server with the dashboard — on a generated chain, with the clock
 * in March 2026 so the default period covers the data.
 */
export async function startDashboard(db: Database) {
  const stores: StoreRow[] = [];
  for (const [name, region, timeZone] of [
    ["Копилка на Тверской", "Москва", "Europe/Moscow"],
    ["Копилка на Арбате", "Москва", "Europe/Moscow"],
    ["Копилка в Академгородке", "Новосибирск", "Asia/Novosibirsk"],
  ] as const) {
    const s = await db.prisma.store.create({
      data: { name, address: "—", latitude: 55, longitude: 37, timeZone, hours: {}, region },
    });
    stores.push({ id: s.id, region, timeZone });
  }
  const data = generateDataset(defaultProgram, stores, { members: 80, seed: 11 });
  await writeDataset(db, data);
  // A member with a phone and a name, for the support lookup.
  await db.query(
    `UPDATE "Member" SET phone = '+79001234567', "firstName" = 'Ольга', "memberCode" = '12345678' WHERE id = 1`,
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const clock = testClock(new Date("2026-03-15T12:00:00Z"));
  const h = await startBot(db, { adminIds: [ADMIN_ID], marketerIds: [MARKETER_ID], clock, publicUrl: base });
  const l = await listen(createHttpApp({ services: h.services }), port, "127.0.0.1");
  const server: ServerType = l.server;
  const admin = h.tg.user({ id: ADMIN_ID, first_name: "Админ", language_code: "ru" });
  const marketer = h.tg.user({ id: MARKETER_ID, first_name: "Маркетолог", language_code: "en" });
  return {
    ...h,
    base,
    clock,
    data,
    admin,
    marketer,
    /** Sends /dashboard as this user and returns the link from the bot's answer. */
    async loginLink(u: typeof admin) {
      u.send("/dashboard");
      // Longer than a reply's default 5 s: a test that moved the clock by hours has the recurring jobs
      // (rollups, sweeps) due at once on the same embedded database, and CI runs on two loaded cores.
      const text = (await u.reply(30_000)).text ?? "";
      return /https?:\/\/\S+/.exec(text)?.[0] ?? "";
    },
    async stop() {
      await new Promise((r) => server.close(r));
      await h.stop();
    },
  };
}
