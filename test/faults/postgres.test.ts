import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLEAN_AUDIT } from "../../app/services/index.js";
import { freePort, npmStart, type Started, stopGroup } from "../support/process.js";
import { FakeTelegram } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";
import { openDatabase, PosLoad, prepareShop, type Shop, verify } from "./pos-load.js";

/**
 * The server process (`npm start`) on PostgreSQL under POS load, while the
 * database drops its connections, restarts, and the process itself is
 * killed with SIGKILL and started again. Nothing acknowledged may be lost or
 * doubled, and the process must outlive every database fault.
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const restart = process.env.TEST_PG_RESTART;
if (!adminUrl && process.env.REQUIRE_POSTGRES === "1") throw new Error("REQUIRE_POSTGRES=1 but no TEST_DATABASE_URL");

describe.skipIf(!adminUrl)("faults on PostgreSQL", () => {
  const name = `kopilka_fault_${randomBytes(5).toString("hex")}`;
  let url: string;
  let tg: FakeTelegram;
  let shop: Shop;
  let server: Started;
  let env: Record<string, string>;
  let port: number;

  const admin = async <T>(sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  const alive = () => server.child.exitCode === null && server.child.signalCode === null;
  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/api/v1/health`).catch(() => null))?.status === 200;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    const u = new URL(adminUrl as string);
    u.pathname = `/${name}`;
    url = u.toString();
    shop = await prepareShop(() => openDatabase({ databaseUrl: url, dataDir: "" }));
    tg = new FakeTelegram();
    await tg.start();
    port = await freePort();
    env = {
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      DATABASE_URL: url,
      PORT: String(port),
    };
    server = npmStart(env);
    await server.listening;
  });
  afterAll(async () => {
    if (server) await stopGroup(server.child, "SIGKILL");
    await tg?.stop();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("When backends are terminated, the server restarts and the process is killed under load, then every acknowledged operation is there once and the audit is clean", async () => {
    const load = new PosLoad(shop, () => `http://127.0.0.1:${port}/api/v1`);
    load.start(6);
    const acked = (n: number) => waitFor(() => load.acknowledged >= n, 30_000);

    // 1. The operator terminates every backend of the application, twice.
    for (let round = 1; round <= 2; round++) {
      await acked(round * 40);
      await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
      await acked(round * 40 + 20);
      expect(alive()).toBe(true);
    }

    // 2. The database server restarts (fast shutdown) under load.
    if (restart) {
      const before = load.acknowledged;
      execFileSync(restart, { stdio: "ignore" });
      await acked(before + 30);
      expect(alive()).toBe(true);
      expect(await healthy()).toBe(true);
    }

    // 3. The process is killed mid-load and started again; tills retry.
    await acked(load.acknowledged + 20);
    await stopGroup(server.child, "SIGKILL");
    server = npmStart(env);
    await server.listening;
    await acked(load.acknowledged + 30);
    await load.stop();

    // Every till retries what it never heard back about; replays answer the same.
    await load.replayAll();
    expect(alive()).toBe(true);
    expect(load.seen.other).toEqual([]);

    const db = await openDatabase({ databaseUrl: url, dataDir: "", migrate: false });
    try {
      const { problems, audit } = await verify(db, load, shop.storeId);
      expect(problems).toEqual([]);
      expect(audit).toEqual(CLEAN_AUDIT);
    } finally {
      await db.close();
    }
    console.log(
      `faults/postgres: ${load.ops.length} operations, ${load.seen.ok} acknowledgements, ` +
        `${load.seen.unavailable} × 503 DB.UNAVAILABLE, ${load.seen.network} connection failures`,
    );
  });
});
