import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLEAN_AUDIT } from "../../app/services/index.js";
import { freePort, npmCli, npmStart, type Started, stopGroup } from "../support/process.js";
import { FakeTelegram } from "../support/telegram-server.js";
import { waitFor } from "../support/wait.js";
import { openDatabase, PosLoad, prepareShop, type Shop, verify } from "./pos-load.js";

/**
 * The server process (`npm start`) on an embedded PGlite folder under POS
 * load: a second server tries the same folder, the CLI works alongside, and
 * the server is killed with SIGKILL mid-write and started again (its lock is
 * stale then, and must not block the start).
 */
describe("faults on PGlite", () => {
  let dir: string;
  let tg: FakeTelegram;
  let shop: Shop;
  let server: Started;
  let env: Record<string, string>;
  let port: number;

  const alive = () => server.child.exitCode === null && server.child.signalCode === null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kopilka-fault-"));
    shop = await prepareShop(() => openDatabase({ dataDir: join(dir, "db") }));
    tg = new FakeTelegram();
    await tg.start();
    port = await freePort();
    env = { BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, DATA_DIR: join(dir, "db"), PORT: String(port) };
    server = npmStart(env);
    await server.listening;
  });
  afterAll(async () => {
    if (server) await stopGroup(server.child, "SIGKILL");
    await tg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("When a second process tries the folder and the server is killed mid-write, then every acknowledged operation is there once and the audit is clean", async () => {
    const load = new PosLoad(shop, () => `http://127.0.0.1:${port}/api/v1`);
    load.start(6);
    const acked = (n: number) => waitFor(() => load.acknowledged >= n, 30_000);
    await acked(30);

    // 1. A second server on the same folder stops at once; the first serves on.
    const second = npmStart({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/is in use by process/);
    expect(alive()).toBe(true);

    // 2. The CLI works alongside, through the server's socket.
    const listed = await npmCli(["apikey", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/store \d+\t.*active/);
    await acked(load.acknowledged + 30);

    // 3. SIGKILL mid-write, then a start on the folder with its stale lock.
    await stopGroup(server.child, "SIGKILL");
    server = npmStart(env);
    await server.listening;
    await acked(load.acknowledged + 30);
    await load.stop();
    await load.replayAll();
    expect(load.seen.other).toEqual([]);

    // A clean stop lets go of the folder; the test opens it to check.
    await stopGroup(server.child, "SIGTERM");
    expect(server.output()).toMatch(/"msg":"stopped"/);
    const db = await openDatabase({ dataDir: join(dir, "db") });
    try {
      const { problems, audit } = await verify(db, load, shop.storeId);
      expect(problems).toEqual([]);
      expect(audit).toEqual(CLEAN_AUDIT);
    } finally {
      await db.close();
    }
    console.log(
      `faults/pglite: ${load.ops.length} operations, ${load.seen.ok} acknowledgements, ${load.seen.network} connection failures`,
    );
  });
});
