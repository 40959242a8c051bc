import { defaultOutbox } from "../app/events/outbox.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { Database } from "../app/db/database.js";
import { createMetricsService, type MetricsScope } from "../app/metrics/index.js";
import type { Phase, RefreshOptions } from "../app/metrics/rollup.js";
import { parseProgram, type Program } from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { type Dataset, generateDataset, localDay, type StoreRow, writeDataset } from "./support/metrics-dataset.js";

/**
 * The rollup path (app/metrics/rollup.ts) answers exactly what the statements
 * over the raw rows answer: after the catch-up of the past, and after rows
 * that arrive later — new members, and purchases, returns and ledger entries
 * of existing members dated between the ones already rolled up.
 */
const from = new Date("2026-01-01T00:00:00Z");
const to = new Date("2026-04-01T00:00:00Z");

describe.each(testDatabases)("metrics rollups on $name", (tdb) => {
  let db: Database;
  let d: Dataset;
  let program: Program;
  let stores: StoreRow[];
  let direct: ReturnType<typeof createMetricsService>;
  let rolled: ReturnType<typeof createMetricsService>;

  // Part one: the first 120 members and their odd-numbered purchases; the rest arrives after the catch-up.
  const early = (memberId: number, id: number) => memberId <= 120 && id % 2 === 1;
  const part = (first: boolean): Dataset => ({
    stores: d.stores,
    members: d.members.filter((m) => m.id <= 120 === first),
    purchases: d.purchases.filter((p) => early(p.memberId, p.id) === first),
    items: d.items.filter((i) => {
      const p = d.purchases.find((x) => x.id === i.purchaseId);
      return p !== undefined && early(p.memberId, p.id) === first;
    }),
    // A member's entries arrive with the member (the balance CHECK holds at every step).
    entries: d.entries.filter((e) => e.memberId <= 120 === first),
    nps: d.nps.filter((a) => a.memberId <= 120 === first),
    receiptDays: first ? d.receiptDays : [],
  });

  beforeAll(async () => {
    db = await tdb.open();
    stores = [];
    for (const [region, timeZone] of [
      ["Moscow", "Europe/Moscow"],
      ["Moscow", "Europe/Moscow"],
      ["Novosibirsk", "Asia/Novosibirsk"],
    ] as const) {
      const s = await db.prisma.store.create({
        data: { name: `S ${region}`, address: "a", latitude: 55, longitude: 37, timeZone, hours: {}, region },
      });
      stores.push({ id: s.id, region, timeZone });
    }
    program = parseProgram({
      economics: {
        stores: { [String(stores[1]?.id)]: { costShareBp: 7000, acquisitionShareBp: 1000 } },
        categories: { tobacco: { costShareBp: 9000, acquisitionShareBp: 500 } },
      },
    });
    d = generateDataset(program, stores, { members: 160, seed: 11 });
    // Imported history: a few members enroll after the period with purchases dated before it, which a member
    // filter leaves out and the chain does not.
    for (const m of d.members.filter((x) => x.id > 150)) m.createdAt = new Date("2026-06-10T00:00:00Z");
    const ctx = { db, program, now: () => to, log: pino({ level: "silent" }), outbox: defaultOutbox() };
    direct = createMetricsService(ctx, { rollups: false });
    rolled = createMetricsService(ctx);
  }, 180_000);
  afterAll(async () => {
    await db?.close();
  });

  const scopes = (): [string, MetricsScope][] => [
    ["the chain", { from, to }],
    ["the chain over one month", { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") }],
    ["the previous quarter", { from: new Date("2025-10-01T00:00:00Z"), to: from }],
    ["a region", { from, to, region: "Moscow" }],
    ["a store", { from, to, storeId: stores[2]?.id }],
    ["a tier", { from, to, tierCode: "gold" }],
    ["the tier of a spend of 0", { from, to, tierCode: "base" }],
    ["a tier in a region", { from, to, tierCode: "silver", region: "Moscow" }],
    ["the tier of a spend of 0 in a region", { from, to, tierCode: "base", region: "Novosibirsk" }],
    ["a tier at a store", { from, to, tierCode: "gold", storeId: stores[0]?.id }],
    ["a cohort", { from, to, cohort: "2025-11" }],
    ["a cohort in a region", { from, to, cohort: "2026-02", region: "Moscow" }],
    ["a cohort enrolled after the period", { from, to, cohort: "2026-05" }],
    ["a cohort at a store", { from, to, cohort: "2025-12", storeId: stores[0]?.id }],
  ];

  async function everything(m: typeof direct, s: MetricsScope) {
    return {
      activity: await m.activity(s),
      category: await m.repurchaseByCategory(s),
      retention: await m.retention(s),
      cohorts: await m.cohorts(s),
      points: await m.points(s),
      series: await m.series(s),
      ltv: await m.ltv(s),
      loyalty: await m.loyaltyCost(s),
      receipts: await m.receiptShare(s),
      stores: await m.salesByStore(s),
      tiers: await m.tiers(s),
      rfm: await m.rfm(s),
      overview: await m.overview(s),
    };
  }

  /** A catch-up that stops in the `n`th batch of `phase`, as a job killed there would. */
  async function stoppedIn(phase: Phase, n: number, o: Omit<RefreshOptions, "catchUp" | "onBatch">) {
    let batches = 0;
    let done = 0;
    await expect(
      rolled.refreshRollups({
        catchUp: true,
        ...o,
        onBatch: (d, _t, p) => {
          if (p !== phase) return;
          if (++batches === n) throw new Error("stopped");
          done = d;
        },
      }),
    ).rejects.toThrow("stopped");
    // Where the phase stood when it stopped: the end of the last batch it committed.
    return done;
  }

  /** A catch-up run to its end, with the phase of every batch it ran. */
  async function caughtUp(o: Omit<RefreshOptions, "catchUp" | "onBatch">) {
    const phases: (Phase | undefined)[] = [];
    const st = await rolled.refreshRollups({ catchUp: true, ...o, onBatch: (_d, _t, p) => phases.push(p) });
    return { st, phases };
  }

  /**
   * Purchases of `members` arriving later (one line item each, `itemShare` of the amount in `category`),
   * and with `score` an answer from each about the same store, as the POS and the bot would write them.
   */
  async function arrive(o: {
    members: number[];
    storeId: number;
    amount: number;
    pointsAccrued: number;
    at: Date;
    category: string;
    itemShare: number;
    score?: number;
  }) {
    const [{ hi, item, a } = { hi: 0, item: 0, a: 0 }] = await db.query<{ hi: number; item: number; a: number }>(
      `SELECT (SELECT max(id) FROM "Purchase")::int AS hi, (SELECT max(id) FROM "PurchaseItem")::int AS item,
              (SELECT max(id) FROM "NpsAnswer")::int AS a`,
    );
    const purchases = o.members.map((memberId, j) => ({
      id: hi + 1 + j,
      memberId,
      storeId: o.storeId,
      amount: o.amount,
      pointsRedeemed: 0,
      pointsAccrued: o.pointsAccrued,
      returnedAmount: 0,
      at: o.at,
    }));
    await writeDataset(db, {
      stores: d.stores,
      members: [],
      purchases,
      items: purchases.map((p, j) => ({
        id: item + 1 + j,
        purchaseId: p.id,
        category: o.category,
        amount: p.amount * o.itemShare,
      })),
      entries: [],
      nps:
        o.score === undefined
          ? []
          : o.members.map((memberId, j) => ({
              id: a + 1 + j,
              memberId,
              storeId: o.storeId,
              score: o.score as number,
              answeredAt: new Date(o.at.getTime() + 86_400_000),
            })),
      receiptDays: [],
    });
  }

  async function rollupsUsed() {
    const [r] = await db.query<{ k: number }>(`SELECT count(*)::int AS k FROM "MetricsCube"`);
    return r?.k ?? 0;
  }

  it("When the rollups have not caught up, then the metrics read the raw rows and nothing is rolled up on a read", async () => {
    await writeDataset(db, part(true));
    const s = { from, to };
    expect(await everything(rolled, s)).toEqual(await everything(direct, s));
    expect(await rollupsUsed()).toBe(0);
  });

  it("When the past is caught up in batches, then every metric from the rollups equals the raw statements", async () => {
    const batches: number[] = [];
    await rolled.refreshRollups({ catchUp: true, batchMembers: 25, onBatch: (done) => batches.push(done) });
    expect(batches.length).toBeGreaterThan(3);
    expect(await rollupsUsed()).toBeGreaterThan(0);
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When members, purchases dated in the past, returns and ledger entries arrive later, then a read applies them and still equals the raw statements", async () => {
    await writeDataset(db, part(false));
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
    // And again with nothing new: the increments were applied once.
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
    const [st] = await db.query<{ p: number }>(`SELECT "purchaseId" AS p FROM "MetricsRollupState"`);
    expect(st?.p).toBe(Math.max(...d.purchases.map((p) => p.id)));
  });

  const tierScopes = (): [string, MetricsScope][] => [
    ["a tier", { from, to, tierCode: "gold" }],
    ["another tier", { from, to, tierCode: "silver" }],
    ["the tier of a spend of 0", { from, to, tierCode: "base" }],
    ["a tier over the previous quarter", { from: new Date("2025-10-01T00:00:00Z"), to: from, tierCode: "gold" }],
    ["an unknown tier", { from, to, tierCode: "platinum" }],
  ];
  /** The metrics a tier filter alone reads from the tier scopes (besides activity, categories, loyalty cost, tiers). */
  async function tierRead(m: typeof direct, s: MetricsScope) {
    return {
      nps: await m.nps(s),
      retention: await m.retention(s),
      cohorts: await m.cohorts(s),
      points: await m.points(s),
      series: await m.series(s),
      ltv: await m.ltv(s),
      rfm: await m.rfm(s),
      stores: await m.salesByStore(s),
      loyalty: await m.loyaltyCost(s),
      receipts: await m.receiptShare(s),
    };
  }

  it("When a ledger entry or an NPS answer arrives alone for a member already rolled up, then a read applies it to the member's tier scopes and the tier filters still equal the raw statements", async () => {
    // The members with the most spend before the period's end: in a tier above the first at its end.
    const top = await db.query<{ id: number }>(
      `SELECT "memberId" AS id FROM "Purchase" WHERE at < '2026-04-01' GROUP BY 1 ORDER BY SUM(amount) DESC LIMIT 3`,
    );
    const [hi] = await db.query<{ e: number; a: number }>(
      `SELECT (SELECT max(id) FROM "LedgerEntry")::int AS e, (SELECT max(id) FROM "NpsAnswer")::int AS a`,
    );
    const before = await rolled.nps({ from, to, tierCode: "gold" });
    await writeDataset(db, {
      stores: d.stores,
      members: [],
      purchases: [],
      items: [],
      entries: top.map((m, j) => ({
        id: (hi?.e ?? 0) + 1 + j,
        memberId: m.id,
        kind: "adjustment",
        points: 500,
        balanceAfter: 100_000,
        createdAt: new Date("2026-02-15T12:00:00Z"),
      })),
      nps: top.map((m, j) => ({
        id: (hi?.a ?? 0) + 1 + j,
        memberId: m.id,
        storeId: stores[0]?.id ?? null,
        score: 10,
        answeredAt: new Date("2026-03-10T12:00:00Z"),
      })),
      receiptDays: [],
    });
    for (const [, s] of tierScopes()) expect(await tierRead(rolled, s)).toEqual(await tierRead(direct, s));
    // The answers counted (the top spenders are gold), once.
    expect((await rolled.nps({ from, to, tierCode: "gold" })).overall.answers).toBeGreaterThan(before.overall.answers);
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When a tier filter alone is asked over whole months, then NPS, retention, cohorts, points, the series, LTV, RFM, sales by store, loyalty cost and receipt share come from the tier scopes, not the raw rows", async () => {
    for (const [, s] of tierScopes().slice(0, 4)) expect((await direct.nps(s)).overall.answers).toBeGreaterThan(0);
    const scale = async (op: "*" | "/") => {
      await db.query(
        `UPDATE "MetricsCube" SET members = members ${op} 2, purchases = purchases ${op} 2 WHERE scope ~ '^T[0-9]+@[0-9]+$'`,
      );
      await db.query(
        `UPDATE "MetricsTierCost" SET cost = cost ${op} 2, margin = margin ${op} 2, points = points ${op} 2,
           purchases = purchases ${op} 2, revenue = revenue ${op} 2`,
      );
    };
    await scale("*");
    try {
      // Every tier scope row counted twice: each of these figures moves (for the tier of a spend of 0 too, which
      // subtracts the other tiers from the chain).
      for (const [, s] of tierScopes().slice(0, 3)) {
        const [a, b] = [await tierRead(rolled, s), await tierRead(direct, s)];
        for (const k of Object.keys(a) as (keyof typeof a)[]) expect(a[k], k).not.toEqual(b[k]);
      }
    } finally {
      await scale("/");
    }
    for (const [, s] of tierScopes()) expect(await tierRead(rolled, s)).toEqual(await tierRead(direct, s));
  });

  it("When the rollups were caught up before the tier and cohort ones existed, then their backfill fills them in batches and every metric still equals the raw statements", async () => {
    // As the migration that added them leaves a deployment: the rest caught up, the dimensions to fill.
    await db.query(
      `DELETE FROM "MetricsCube" WHERE (scope ~ '^[TKE]' AND scope NOT LIKE '%|c:%' AND scope NOT LIKE '%|cr:%' AND cube IN ('act', 'rep'))
         OR cube IN ('tmem', 'rev') OR (cube = 'coh' AND scope ~ '^[rs]:')`,
    );
    await db.query(`DELETE FROM "MetricsRetention" WHERE scope LIKE 'K%'`);
    await db.query(`UPDATE "MetricsRollupState" SET "dimensionsCursor" = 0`);
    // Until they are filled, the tier and cohort filters read the raw rows.
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
    const { st, phases } = await caughtUp({ batchMembers: 40 });
    expect(st).toEqual({
      caughtUp: true,
      dimensions: true,
      storeCategories: true,
      categoryScopes: true,
      tierScopes: true,
      receiptScopes: true,
      cohortLedger: true,
      tierRegions: true,
    });
    expect(phases.filter((p) => p === "dimensions").length).toBeGreaterThan(2);
    const [k] = await db.query<{ k: number }>(`SELECT count(*)::int AS k FROM "MetricsCube" WHERE scope ~ '^[TK]'`);
    expect(k?.k).toBeGreaterThan(0);
    // The filters compared are not empty ones.
    for (const [, s] of scopes().slice(5, 12)) expect((await direct.activity(s)).activeMembers).toBeGreaterThan(0);
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When the rollups were caught up before the store × category days existed, then their backfill fills them by purchase-id batches, purchases arriving meanwhile land once, and loyalty cost in a region, at a store or for a cohort equals the raw statement", async () => {
    // As the migration that added them leaves a deployment.
    await db.query(`DELETE FROM "MetricsStoreCategoryDay"`);
    await db.query(`DELETE FROM "MetricsCohortCost"`);
    await db.query(`UPDATE "MetricsRollupState" SET "storeCategoryCursor" = 0`);
    const local: [string, MetricsScope][] = [
      ["a region", { from, to, region: "Moscow" }],
      ["another region", { from, to, region: "Novosibirsk" }],
      ["a store", { from, to, storeId: stores[1]?.id }],
      [
        "a store over the previous quarter",
        { from: new Date("2025-10-01T00:00:00Z"), to: from, storeId: stores[0]?.id },
      ],
      ["a cohort", { from, to, cohort: "2025-11" }],
      ["a cohort enrolled in the period", { from, to, cohort: "2026-02" }],
      [
        "a cohort over one month",
        { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z"), cohort: "2025-12" },
      ],
      ["a cohort in a region", { from, to, cohort: "2025-11", region: "Moscow" }],
      ["the tier of a spend of 0 in a region", { from, to, tierCode: "base", region: "Moscow" }],
    ];
    const loyalty = async (m: typeof direct, s: MetricsScope) => m.loyaltyCost(s);
    // Until they are filled, a region, a store or a cohort reads the raw rows.
    for (const [, s] of local) expect(await loyalty(rolled, s)).toEqual(await loyalty(direct, s));
    // The scopes compared are not empty ones.
    for (const [, s] of local)
      expect((await direct.loyaltyCost(s)).filter((r) => r.kind === "category").length).toBeGreaterThan(1);
    const [{ hi } = { hi: 0 }] = await db.query<{ hi: number }>(`SELECT max(id)::int AS hi FROM "Purchase"`);
    const phases: [number, number][] = [];
    // Half the batches, then stop (as a restarted job would): the cursor holds where it was.
    let stopAt = 3;
    await expect(
      rolled.refreshRollups({
        catchUp: true,
        batchPurchases: Math.ceil(hi / 7),
        onBatch: (done, total, p) => {
          if (p !== "storeCategories") return;
          phases.push([done, total]);
          if (--stopAt === 0) throw new Error("stopped");
        },
      }),
    ).rejects.toThrow("stopped");
    const [{ c } = { c: null }] = await db.query<{ c: number | null }>(
      `SELECT "storeCategoryCursor" AS c FROM "MetricsRollupState"`,
    );
    expect(c).toBeGreaterThan(0);
    // Purchases arriving mid-backfill (past its cursor): a read applies them to the rest, the backfill to the store × category days.
    const [{ item } = { item: 0 }] = await db.query<{ item: number }>(
      `SELECT max(id)::int AS item FROM "PurchaseItem"`,
    );
    const late = [
      { storeId: stores[0]?.id ?? 0, amount: 120_00 },
      { storeId: stores[2]?.id ?? 0, amount: 75_50 },
    ].map((x, j) => ({
      id: hi + 1 + j,
      memberId: d.members[j]?.id ?? 0,
      pointsRedeemed: 0,
      pointsAccrued: 7 + j,
      returnedAmount: 0,
      at: new Date("2026-02-10T10:00:00Z"),
      ...x,
    }));
    await writeDataset(db, {
      stores: d.stores,
      members: [],
      purchases: late,
      items: late.map((p, j) => ({
        id: item + 1 + j,
        purchaseId: p.id,
        category: "tobacco",
        amount: p.amount - 10_00,
      })),
      entries: [],
      nps: [],
      receiptDays: [],
    });
    for (const [, s] of local) expect(await loyalty(rolled, s)).toEqual(await loyalty(direct, s));
    const st = await rolled.refreshRollups({
      catchUp: true,
      batchPurchases: Math.ceil(hi / 7),
      onBatch: (done, total, p) => {
        if (p === "storeCategories") phases.push([done, total]);
      },
    });
    expect(st).toEqual({
      caughtUp: true,
      dimensions: true,
      storeCategories: true,
      categoryScopes: true,
      tierScopes: true,
      receiptScopes: true,
      cohortLedger: true,
      tierRegions: true,
    });
    expect(phases.length).toBeGreaterThan(4);
    expect(phases.at(-1)?.[0]).toBe(phases.at(-1)?.[1]);
    const [{ k } = { k: 0 }] = await db.query<{ k: number }>(
      `SELECT count(*)::int AS k FROM "MetricsStoreCategoryDay"`,
    );
    expect(k).toBeGreaterThan(0);
    for (const [, s] of [...local, ...scopes()]) expect(await loyalty(rolled, s)).toEqual(await loyalty(direct, s));
  });

  it("When the rollups were caught up before the category × region and × cohort scopes existed, then their backfill fills them in member batches and repurchase by category in a region or for a cohort equals the raw statement", async () => {
    // As the migration that added them leaves a deployment.
    await db.query(`DELETE FROM "MetricsCube" WHERE scope LIKE 'cr:%' OR scope LIKE 'ck:%'`);
    await db.query(`UPDATE "MetricsRollupState" SET "categoryScopesCursor" = 0`);
    const local: [string, MetricsScope][] = [
      ["a region", { from, to, region: "Moscow" }],
      [
        "another region over one month",
        { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z"), region: "Novosibirsk" },
      ],
      ["a cohort", { from, to, cohort: "2025-11" }],
      ["a cohort enrolled in the period", { from, to, cohort: "2026-02" }],
      ["a cohort enrolled after the period", { from, to, cohort: "2026-05" }],
    ];
    const categories = async (m: typeof direct, s: MetricsScope) => m.repurchaseByCategory(s);
    for (const [, s] of local) expect(await categories(rolled, s)).toEqual(await categories(direct, s));
    // The scopes compared are not empty ones (but the last), and some customers bought a category twice.
    for (const [, s] of local.slice(0, 4)) expect((await direct.repurchaseByCategory(s)).length).toBeGreaterThan(1);
    expect((await direct.repurchaseByCategory({ from, to, region: "Moscow" })).some((c) => c.repeatCustomers > 0)).toBe(
      true,
    );
    const phases: string[] = [];
    // One batch, then stop (as a restarted job would).
    await stoppedIn("categoryScopes", 1, { batchMembers: 40 });
    // Purchases arriving mid-backfill, of a member it has passed and of one ahead of it: each lands once.
    await arrive({
      members: [d.members[0]?.id ?? 0, d.members[140]?.id ?? 0],
      storeId: stores[0]?.id ?? 0,
      amount: 90_00,
      pointsAccrued: 3,
      at: new Date("2026-02-11T10:00:00Z"),
      category: "dairy",
      itemShare: 1,
    });
    for (const [, s] of local) expect(await categories(rolled, s)).toEqual(await categories(direct, s));
    const st = await rolled.refreshRollups({
      catchUp: true,
      batchMembers: 40,
      onBatch: (_d, _t, p) => phases.push(p ?? ""),
    });
    expect(st).toEqual({
      caughtUp: true,
      dimensions: true,
      storeCategories: true,
      categoryScopes: true,
      tierScopes: true,
      receiptScopes: true,
      cohortLedger: true,
      tierRegions: true,
    });
    expect(phases.filter((p) => p === "categoryScopes").length).toBeGreaterThan(2);
    const [k] = await db.query<{ k: number }>(
      `SELECT count(*)::int AS k FROM "MetricsCube" WHERE scope LIKE 'cr:%' OR scope LIKE 'ck:%'`,
    );
    expect(k?.k).toBeGreaterThan(0);
    for (const [, s] of [...local, ...scopes()])
      expect(await categories(rolled, s)).toEqual(await categories(direct, s));
  });

  it("When the rollups were caught up before the tier scopes existed, then their backfill fills them in member batches and loyalty cost and repurchase by category for a tier equal the raw statements", async () => {
    // As the migration that added them leaves a deployment.
    await db.query(
      `DELETE FROM "MetricsCube" WHERE scope LIKE 'T%|c:%' OR (scope ~ '^T[0-9]+@[0-9]+$' AND cube IN ('tret', 'coh', 'rfm', 'pts', 'nps', 'tsc'))`,
    );
    await db.query(`DELETE FROM "MetricsTierCost" WHERE kind <> 'r'`);
    await db.query(`UPDATE "MetricsRollupState" SET "tierScopesCursor" = 0`);
    const local: [string, MetricsScope][] = [
      ["a tier", { from, to, tierCode: "gold" }],
      ["another tier", { from, to, tierCode: "silver" }],
      [
        "a tier over one month",
        { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z"), tierCode: "silver" },
      ],
      ["a tier over the previous quarter", { from: new Date("2025-10-01T00:00:00Z"), to: from, tierCode: "gold" }],
      ["the tier of a spend of 0", { from, to, tierCode: "base" }],
      ["an unknown tier", { from, to, tierCode: "platinum" }],
    ];
    const same = async () => {
      for (const [, s] of local) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
    };
    await same();
    // The scopes compared are not empty ones (but the last), and some customers bought a category twice.
    for (const [, s] of local.slice(0, 5)) {
      expect((await direct.repurchaseByCategory(s)).length).toBeGreaterThan(1);
      expect((await direct.loyaltyCost(s)).length).toBeGreaterThan(1);
    }
    expect(
      (await direct.repurchaseByCategory({ from, to, tierCode: "silver" })).some((c) => c.repeatCustomers > 0),
    ).toBe(true);
    // One batch committed, then stop in the next (as a restarted job would).
    const passed = await stoppedIn("tierScopes", 2, { batchMembers: 40 });
    expect(passed).toBeGreaterThan(0);
    expect(await db.query(`SELECT "tierScopesCursor" AS c FROM "MetricsRollupState"`)).toEqual([{ c: passed }]);
    // Purchases arriving mid-backfill, of a member it has passed and of one ahead of it: each lands once
    // (large enough to move their tier).
    await arrive({
      members: [d.members[0]?.id ?? 0, d.members[140]?.id ?? 0],
      storeId: stores[1]?.id ?? 0,
      amount: 90_000_00,
      pointsAccrued: 7,
      at: new Date("2026-02-12T10:00:00Z"),
      category: "tobacco",
      itemShare: 0.5,
    });
    await same();
    const { st, phases } = await caughtUp({ batchMembers: 40 });
    expect(st).toEqual({
      caughtUp: true,
      dimensions: true,
      storeCategories: true,
      categoryScopes: true,
      tierScopes: true,
      receiptScopes: true,
      cohortLedger: true,
      tierRegions: true,
    });
    expect(phases.filter((p) => p === "tierScopes").length).toBeGreaterThan(2);
    const [k] = await db.query<{ k: number }>(
      `SELECT (SELECT count(*) FROM "MetricsCube" WHERE scope LIKE 'T%|c:%') + (SELECT count(*) FROM "MetricsTierCost")::int AS k`,
    );
    expect(Number(k?.k)).toBeGreaterThan(0);
    await same();
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When the rollups were caught up before the tier scopes' receipts existed, then their backfill fills them, and a store-day a POS reports later counts its receipts once", async () => {
    // As the migration that added them leaves a deployment.
    await db.query(`DELETE FROM "MetricsCube" WHERE cube = 'trc'`);
    await db.query(`UPDATE "MetricsRollupState" SET "receiptScopesCursor" = 0`);
    const receipts = (m: typeof direct) => Promise.all(tierScopes().map(([, s]) => m.receiptShare(s)));
    // Until they are filled, receipt share for a tier reads the raw rows.
    expect(await receipts(rolled)).toEqual(await receipts(direct));
    const { st, phases } = await caughtUp({ batchMembers: 40 });
    expect(st.receiptScopes).toBe(true);
    expect(phases.filter((p) => p === "receiptScopes").length).toBeGreaterThan(2);
    const [k] = await db.query<{ k: number }>(`SELECT count(*)::int AS k FROM "MetricsCube" WHERE cube = 'trc'`);
    expect(k?.k).toBeGreaterThan(0);
    expect(await receipts(rolled)).toEqual(await receipts(direct));
    // The third store never reported; now it reports a past day it had receipts on.
    const st3 = stores[2] as StoreRow;
    const day = d.purchases
      .filter((p) => p.storeId === st3.id && p.at >= from && p.at < to)
      .map((p) => localDay(p.at, st3.timeZone))[0];
    expect(day).toBeDefined();
    const before = await rolled.receiptShare({ from, to, tierCode: "gold" });
    await db.query(`INSERT INTO "StoreReceiptDay" ("storeId", day, receipts) VALUES ($1, $2::date, 500)`, [
      st3.id,
      day,
    ]);
    expect(await receipts(rolled)).toEqual(await receipts(direct));
    expect(await receipts(rolled)).toEqual(await receipts(direct));
    const after = await rolled.receiptShare({ from, to, tierCode: "gold" });
    expect(after.length).toBe(before.length + 1);
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  const regionTiers = (): [string, MetricsScope][] => [
    ["a tier in a region", { from, to, tierCode: "silver", region: "Moscow" }],
    ["another tier in another region", { from, to, tierCode: "gold", region: "Novosibirsk" }],
    [
      "a tier in a region over one month",
      {
        from: new Date("2026-02-01T00:00:00Z"),
        to: new Date("2026-03-01T00:00:00Z"),
        tierCode: "silver",
        region: "Moscow",
      },
    ],
    ["the tier of a spend of 0 in a region", { from, to, tierCode: "base", region: "Novosibirsk" }],
    ["an unknown tier in a region", { from, to, tierCode: "platinum", region: "Moscow" }],
  ];
  /** The metrics a tier in a region reads from the tier scopes' rows per region. */
  async function regionRead(m: typeof direct, s: MetricsScope) {
    return {
      category: await m.repurchaseByCategory(s),
      nps: await m.nps(s),
      retention: await m.retention(s),
      cohorts: await m.cohorts(s),
      series: await m.series(s),
      ltv: await m.ltv(s),
      rfm: await m.rfm(s),
      loyalty: await m.loyaltyCost(s),
    };
  }

  it("When the rollups were caught up before the tier scopes per region existed, then their backfill fills them in member batches, purchases and answers arriving meanwhile land once, and every metric for a tier in a region equals the raw statement", async () => {
    // As the migration that added them leaves a deployment.
    await db.query(
      `DELETE FROM "MetricsCube" WHERE scope ~ '^T[0-9]+@[0-9]+\\|cr:' OR (scope ~ '^T[0-9]+@[0-9]+\\|r:' AND cube IN ('tret', 'coh', 'rfm', 'nps'))`,
    );
    await db.query(`DELETE FROM "MetricsTierCost" WHERE kind = 'r'`);
    await db.query(`UPDATE "MetricsRollupState" SET "tierRegionsCursor" = 0`);
    const same = async () => {
      for (const [, s] of regionTiers()) expect(await regionRead(rolled, s)).toEqual(await regionRead(direct, s));
    };
    // Until they are filled, a tier in a region reads the raw rows.
    await same();
    // The scopes compared are not empty ones (but the last).
    for (const [, s] of regionTiers().slice(0, 4)) {
      expect((await direct.repurchaseByCategory(s)).length).toBeGreaterThan(1);
      expect((await direct.retention(s)).end).toBeGreaterThan(0);
      expect((await direct.nps(s)).overall.answers).toBeGreaterThan(0);
    }
    // One batch committed (the cursor holds where it was), then stop in the next.
    const passed = await stoppedIn("tierRegions", 2, { batchMembers: 40 });
    expect(passed).toBeGreaterThan(0);
    expect(await db.query(`SELECT "tierRegionsCursor" AS c FROM "MetricsRollupState"`)).toEqual([{ c: passed }]);
    // A purchase in Moscow and an answer about a Moscow store, of a member the backfill has passed and of one
    // ahead of it: each lands once.
    await arrive({
      members: [d.members[1]?.id ?? 0, d.members[141]?.id ?? 0],
      storeId: (stores.find((x) => x.region === "Moscow") as StoreRow).id,
      amount: 40_000_00,
      pointsAccrued: 9,
      at: new Date("2026-01-20T10:00:00Z"),
      category: "coffee",
      itemShare: 0.25,
      score: 3,
    });
    await same();
    const { st, phases } = await caughtUp({ batchMembers: 40 });
    expect(st.tierRegions).toBe(true);
    expect(phases.filter((p) => p === "tierRegions").length).toBeGreaterThan(1);
    await same();
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When a tier in a region is asked over whole months, then its categories, NPS, retention, cohorts, series, LTV, RFM and loyalty cost come from the tier scopes per region, not the raw rows", async () => {
    const scale = async (op: "*" | "/") => {
      await db.query(
        `UPDATE "MetricsCube" SET members = members ${op} 2, purchases = purchases ${op} 2
         WHERE scope ~ '^T[0-9]+@[0-9]+\\|(r|cr):' AND cube IN ('act', 'rep', 'tret', 'coh', 'rfm', 'nps')`,
      );
      await db.query(
        `UPDATE "MetricsTierCost" SET cost = cost ${op} 2, margin = margin ${op} 2, purchases = purchases ${op} 2 WHERE kind = 'r'`,
      );
    };
    await scale("*");
    try {
      // Every row per region counted twice: each figure moves (for the tier of a spend of 0 too, which
      // subtracts the other tiers from the region).
      for (const [name, s] of regionTiers().filter(
        ([x]) => !x.endsWith("over one month") && !x.startsWith("an unknown"),
      )) {
        const [a, b] = [await regionRead(rolled, s), await regionRead(direct, s)];
        for (const k of Object.keys(a) as (keyof typeof a)[]) expect(a[k], `${name}: ${k}`).not.toEqual(b[k]);
      }
    } finally {
      await scale("/");
    }
    for (const [, s] of regionTiers()) expect(await regionRead(rolled, s)).toEqual(await regionRead(direct, s));
  });

  it("When the rollups were caught up before the cohorts' ledger existed, then its backfill fills it by entry-id batches, entries arriving meanwhile land once, and points for a cohort equal the raw statement", async () => {
    // As the migration that added it leaves a deployment.
    await db.query(`DELETE FROM "MetricsCohortLedger"`);
    await db.query(`UPDATE "MetricsRollupState" SET "cohortLedgerCursor" = 0`);
    const cohorts: MetricsScope[] = [
      { from, to, cohort: "2025-11" },
      { from, to, cohort: "2026-02" },
      { from: new Date("2025-10-01T00:00:00Z"), to: from, cohort: "2025-06" },
      { from, to, cohort: "2025-12", region: "Moscow" },
      { from, to, cohort: "2026-05" },
    ];
    const both = (m: typeof direct) =>
      Promise.all(cohorts.map(async (s) => ({ points: await m.points(s), series: await m.series(s) })));
    // Until it is filled, the raw rows.
    expect(await both(rolled)).toEqual(await both(direct));
    expect((await direct.points(cohorts[0] as MetricsScope)).outstandingPoints).toBeGreaterThan(0);
    // One batch committed, then stop in the next (as a restarted job would).
    await stoppedIn("cohortLedger", 2, { batchLedger: 100 });
    // An entry arriving mid-backfill, its id past the cursor: applied once, when the backfill reaches it.
    const [hi] = await db.query<{ e: number }>(`SELECT max(id)::int AS e FROM "LedgerEntry"`);
    const member = d.members.find((m) => m.createdAt.toISOString().startsWith("2025-11"));
    expect(member).toBeDefined();
    await writeDataset(db, {
      stores: d.stores,
      members: [],
      purchases: [],
      items: [],
      entries: [
        {
          id: (hi?.e ?? 0) + 1,
          memberId: member?.id ?? 0,
          kind: "adjustment",
          points: 700,
          balanceAfter: 100_000,
          createdAt: new Date("2026-03-03T09:00:00Z"),
        },
      ],
      nps: [],
      receiptDays: [],
    });
    expect(await both(rolled)).toEqual(await both(direct));
    const phases: string[] = [];
    const st = await rolled.refreshRollups({
      catchUp: true,
      batchLedger: 100,
      onBatch: (_d, _t, p) => phases.push(p ?? ""),
    });
    expect(st.cohortLedger).toBe(true);
    expect(phases.filter((p) => p === "cohortLedger").length).toBeGreaterThan(2);
    const [k] = await db.query<{ k: number }>(`SELECT count(*)::int AS k FROM "MetricsCohortLedger"`);
    expect(k?.k).toBeGreaterThan(0);
    expect(await both(rolled)).toEqual(await both(direct));
    // Read from the table: doubling it moves a cohort's points.
    await db.query(`UPDATE "MetricsCohortLedger" SET total = total * 2, credits = credits * 2`);
    try {
      expect(await rolled.points(cohorts[0] as MetricsScope)).not.toEqual(
        await direct.points(cohorts[0] as MetricsScope),
      );
    } finally {
      await db.query(`UPDATE "MetricsCohortLedger" SET total = total / 2, credits = credits / 2`);
    }
    for (const [, s] of scopes()) expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });

  it("When a period does not start on a month, then the raw statements answer it", async () => {
    const s = { from: new Date("2026-01-15T00:00:00Z"), to };
    expect(await everything(rolled, s)).toEqual(await everything(direct, s));
  });
});
