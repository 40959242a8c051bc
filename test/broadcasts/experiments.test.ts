import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { createStore, kopilkaFor, testClock } from "../support/fixtures.js";
import { testDatabases } from "../support/databases.js";
import { insertMembers } from "../support/members.js";
import { bucketOf, bucketRanges, parseProgram, variantOfBucket } from "../../domain/index.js";

/**
 * Experiments: the assignment is the hash the domain defines (the SQL and
 * TypeScript agree member by member), shares hold within sampling error, the
 * holdout never gets marketing, results compare each variant with control,
 * and the winner goes to the rest of the segment in one action.
 */
describe.each(testDatabases)("broadcast experiments on $name", ({ open }) => {
  let db: Database;
  const clock = testClock(new Date("2026-03-02T08:00:00Z"));
  const program = parseProgram({ marketing: { holdoutBp: 500 } });
  let k: ReturnType<typeof kopilkaFor>;
  let storeId: number;

  beforeAll(async () => {
    db = await open();
    k = kopilkaFor(db, { clock, program });
    storeId = (await createStore(db)).id;
    await insertMembers(db, 4000, { language: "en" });
  });
  afterAll(async () => {
    await db?.close();
  });

  const segment = { kind: "filter", language: "en" };
  const message = (text: string) => ({ message: { text } });
  const assigned = (id: number) =>
    db.query<{ memberId: number; variant: string }>(
      `SELECT "memberId", variant FROM "BroadcastDelivery" WHERE "broadcastId" = $1`,
      [id],
    );

  it("When an A/B/C test with a 10 % control starts, then each member's group is hash(member, salt) and the shares hold within sampling error", async () => {
    const id = await k.services.broadcasts.create({
      name: "ABC",
      segment,
      variants: [message("A"), message("B"), message("C")],
    });
    await k.services.broadcasts.start(id);
    const b = await k.services.broadcasts.get(id);
    const rows = await assigned(id);
    const ranges = bucketRanges(b.controlBp, b.variants);
    for (const r of rows) expect(r.variant).toBe(variantOfBucket(ranges, bucketOf(r.memberId, b.salt)));
    const holdout = 4000 - rows.length;
    expect(holdout).toBeGreaterThan(4000 * 0.05 - 60); // 5 % holdout: about 200, never in a segment
    expect(holdout).toBeLessThan(4000 * 0.05 + 60);
    const count = (v: string) => rows.filter((r) => r.variant === v).length;
    expect(count("control") / rows.length).toBeCloseTo(0.1, 1);
    for (const v of ["A", "B", "C"]) expect(Math.abs(count(v) / rows.length - 0.3)).toBeLessThan(0.04);
    const res = await k.services.broadcasts.results(id);
    expect(res.sampleRatio.mismatch).toBe(false);
    expect(res.sampleRatio.p).toBeGreaterThan(0.001);
  });

  it("When variant B's members buy more than control, then the results show B's conversion, uplift and a small p-value, and the winner goes to the rest once", async () => {
    const id = await k.services.broadcasts.create({
      name: "Spring",
      segment,
      sampleBp: 5000,
      controlBp: 2000,
      variants: [message("A"), message("B")],
    });
    await k.services.broadcasts.start(id);
    const rows = await assigned(id);
    // Half the B group buys 1,000 ₽ within the window; a tenth of control and A buy 500 ₽; one purchase after the window.
    let receipt = 0;
    for (const [i, r] of rows.entries()) {
      const buys = r.variant === "B" ? i % 2 === 0 : i % 10 === 0;
      if (!buys) continue;
      clock.set(new Date("2026-03-03T08:00:00Z"));
      await k.services.purchases.recordPurchase({
        storeId,
        member: { id: r.memberId },
        receiptId: `exp-${receipt++}`,
        amountKopecks: r.variant === "B" ? 100_000 : 50_000,
      });
    }
    const late = rows.find((r) => r.variant === "control");
    clock.set(new Date("2026-03-12T08:00:00Z")); // after the 7-day window
    await k.services.purchases.recordPurchase({
      storeId,
      member: { id: late?.memberId as number },
      receiptId: "late",
      amountKopecks: 10_000_000,
    });
    const res = await k.services.broadcasts.results(id);
    const by = (v: string) => res.variants.find((x) => x.variant === v);
    const b = by("B");
    const control = by("control");
    expect(b?.members).toBe(rows.filter((r) => r.variant === "B").length);
    expect(b?.buyers).toBe(rows.filter((r, i) => r.variant === "B" && i % 2 === 0).length);
    expect(b?.conversion).toBeGreaterThan(0.4);
    expect(b?.conversionCi.low).toBeLessThan(b?.conversion as number);
    expect(b?.conversionCi.high).toBeGreaterThan(b?.conversion as number);
    expect(b?.vsControl?.conversionP).toBeLessThan(0.001);
    expect(b?.vsControl?.revenueP).toBeLessThan(0.001);
    expect(b?.vsControl?.revenuePerMemberUpliftKopecks).toBeGreaterThan(0);
    expect(control?.revenueKopecks).toBe(
      rows.filter((r, i) => r.variant === "control" && i % 10 === 0).length * 50_000,
    ); // the late purchase is outside the window
    expect(b?.pointsCost).toBeGreaterThan(0);
    expect(res.leader).toBe("B");

    const rest = await k.services.broadcasts.sendWinner(id, "B");
    const restRows = await assigned(rest);
    const first = new Set(rows.map((r) => r.memberId));
    expect(restRows.length).toBeGreaterThan(0);
    expect(restRows.every((r) => !first.has(r.memberId) && r.variant === "A")).toBe(true);
    const child = await k.services.broadcasts.get(rest);
    expect(child.variants[0]?.message.text).toBe("B");
  });

  it("When a marketer pauses, resumes and cancels, then the broadcast follows and refuses what its state does not allow", async () => {
    const id = await k.services.broadcasts.create({ name: "States", segment, variants: [message("S")] });
    await expect(k.services.broadcasts.pause(id)).rejects.toMatchObject({ code: "BROADCAST.BAD_STATE" });
    await k.services.broadcasts.start(id);
    expect(await k.services.broadcasts.pause(id)).toBe("paused");
    expect(await k.services.broadcasts.resume(id)).toBe("running");
    expect(await k.services.broadcasts.cancel(id)).toBe("cancelled");
    await expect(k.services.broadcasts.resume(id)).rejects.toMatchObject({ code: "BROADCAST.BAD_STATE" });
  });

  it("When a draft is invalid, then it is refused with the reason and nothing is created", async () => {
    const before = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Broadcast"`);
    await expect(
      k.services.broadcasts.create({
        name: "Bad",
        variants: [
          { message: { text: "x" }, shareBp: 7000 },
          { message: { text: "y" }, shareBp: 2000 },
        ],
      }),
    ).rejects.toMatchObject({ code: "INPUT.INVALID" });
    await expect(k.services.broadcasts.create({ name: "Bad", variants: [] })).rejects.toMatchObject({
      code: "INPUT.INVALID",
    });
    const after = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Broadcast"`);
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});
