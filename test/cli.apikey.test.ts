import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../app/db/database.js";
import { createStore, servicesFor } from "./support/fixtures.js";

const run = promisify(execFile);

/** `npm run cli -- apikey create`, as an operator types it, on a PGlite folder. */
describe("the CLI's apikey create", () => {
  let dir: string;
  let storeId: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kopilka-cli-"));
    const db = await openDatabase({ dataDir: dir });
    storeId = (await createStore(db, { name: "A" })).id;
    await db.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", "app/cli/kopilka.ts", ...args], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
    });

  const grantOf = async (stdout: string) => {
    const key = /^(kp_\S+)$/m.exec(stdout)?.[1] ?? "";
    const db = await openDatabase({ dataDir: dir });
    try {
      return await servicesFor(db).apiKeys.verify(key);
    } finally {
      await db.close();
    }
  };

  it("When a key is created with --import-history, then it may import history; without the flag it may not", async () => {
    const history = await cli("apikey", "create", "--store", String(storeId), "--import-history");
    expect(history.stdout).toMatch(/may import history/);
    expect(await grantOf(history.stdout)).toMatchObject({ storeId, importHistory: true });
    const plain = await cli("apikey", "create", "--store", String(storeId));
    expect(await grantOf(plain.stdout)).toMatchObject({ storeId, importHistory: false });
  });

  const keyCount = async () => {
    const db = await openDatabase({ dataDir: dir });
    try {
      return await db.prisma.apiKey.count();
    } finally {
      await db.close();
    }
  };

  it("When the flag is misspelt, then the CLI prints its usage and exits 2 without creating a key", async () => {
    const before = await keyCount();
    const r = await cli("apikey", "create", "--store", String(storeId), "--import-histroy").catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(r).toMatchObject({ code: 2 });
    expect((r as { stderr: string }).stderr).toMatch(/--import-history/);
    expect(await keyCount()).toBe(before);
  });
});
