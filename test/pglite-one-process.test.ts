import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./support/wait.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../app/db/database.js";
import { createStore } from "./support/fixtures.js";
import { freePort, npmCli, npmStart, type Started, stopGroup } from "./support/process.js";
import { FakeTelegram } from "./support/telegram-server.js";

/**
 * PGlite is a single-process database: two processes on one folder corrupt
 * it silently. The server owns the folder; the CLI and psql reach the
 * database through the server's socket; a second server refuses to start.
 */
describe("one process per PGlite folder", () => {
  let tg: FakeTelegram;
  let dir: string;
  let server: Started;
  let env: Record<string, string>;
  let base: string;
  let storeId: number;

  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    dir = mkdtempSync(join(tmpdir(), "kopilka-lock-"));
    const db = await openDatabase({ dataDir: join(dir, "db") });
    storeId = (await createStore(db, { name: "Магазин 1" })).id;
    await db.close();
    const port = await freePort();
    env = { BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, DATA_DIR: join(dir, "db"), PORT: String(port) };
    base = `http://127.0.0.1:${port}/api/v1`;
    server = npmStart(env);
    await server.ready;
  }, 60_000);
  afterAll(async () => {
    if (server) await stopGroup(server.child);
    await tg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Whether the running server accepts the key (a 400 for an empty body means it got past authentication). */
  const accepted = async (key: string) => {
    const res = await fetch(`${base}/purchases`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: "{}",
    });
    return res.status !== 401;
  };

  it("When the CLI creates and revokes a key while the server runs, then the server sees the key at once and the revocation within 5 s", async () => {
    const created = await npmCli(["apikey", "create", "--store", String(storeId)], env);
    expect(created.code).toBe(0);
    const key = /^(kp_\S+)$/m.exec(created.out)?.[1] ?? "";
    const id = /API key (\d+)/.exec(created.out)?.[1] ?? "";
    expect(key).not.toBe("");
    expect(await accepted(key)).toBe(true);

    const listed = await npmCli(["apikey", "list"], env);
    expect(listed.out).toMatch(new RegExp(`^${id}\\tstore ${storeId}\\t.*active$`, "m"));
    expect((await npmCli(["store", "trust", String(storeId), "on"], env)).code).toBe(0);
    expect((await npmCli(["stores"], env)).out).toMatch(/Магазин 1\tactive\ttrusted POS/);

    const revoked = await npmCli(["apikey", "revoke", id], env);
    expect(revoked).toMatchObject({ code: 0, out: expect.stringContaining(`key ${id} revoked`) });
    // A verified key is trusted for 5 s (app/services/staff.ts): the revocation holds within that.
    await waitFor(async () => !(await accepted(key)), 8000);
  }, 120_000);

  it("When a second server starts on the same folder, then it stops at once with the reason and a non-zero code", async () => {
    const second = npmStart({ ...env, PORT: String(await freePort()) });
    const code = await second.exited;
    expect(code).not.toBe(0);
    expect(second.output()).toMatch(/data folder .* is in use by process \d+/);
    // The first one still serves.
    expect((await fetch(`${base}/health`)).status).toBe(200);
  }, 60_000);

  it.skipIf(!existsSync("/usr/bin/psql"))(
    "When support runs psql against the folder, then it reads the live database",
    () => {
      const out = execFileSync(
        "psql",
        ["-h", join(dir, "db"), "-U", "postgres", "-At", "-c", 'SELECT name FROM "Store"'],
        {
          encoding: "utf8",
          env: { ...process.env, PGCONNECT_TIMEOUT: "10" },
        },
      );
      expect(out.trim()).toBe("Магазин 1");
    },
  );
});
