import { defaultOutbox } from "../app/events/outbox.js";
import { subDays } from "date-fns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import { createMetricsService, type MetricsScope } from "../app/metrics/index.js";
import {
  ACTIVE_WINDOW_DAYS,
  marginKopecks,
  parseProgram,
  type Program,
  RFM_THRESHOLDS,
  rfmSegment,
  frequencyScore,
  monetaryScore,
  recencyScore,
  tierForSpend,
  npsCounts,
  nps,
  repurchaseRate,
  retentionRate,
} from "../domain/index.js";
import { testDatabases } from "./support/databases.js";
import { type Dataset, generateDataset, localDay, type StoreRow, writeDataset } from "./support/metrics-dataset.js";
import pino from "pino";

/**
 * Every metric's SQL against an independent computation in TypeScript over
 * the same generated rows, for the whole chain and for each kind of scope.
 */
const DAY = 86_400_000;
const from = new Date("2026-01-01T00:00:00Z");
const to = new Date("2026-04-01T00:00:00Z");

describe.each(testDatabases)("metrics on $name", (tdb) => {
  let db: Database;
  let d: Dataset;
  let program: Program;
  let metrics: ReturnType<typeof createMetricsService>;
  let stores: StoreRow[];

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
    d = generateDataset(program, stores, { members: 160, seed: 7 });
    await writeDataset(db, d);
    metrics = createMetricsService({
      db,
      program,
      now: () => to,
      log: pino({ level: "silent" }),
      outbox: defaultOutbox(),
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  // ---- the reference: plain TypeScript over the generated rows ----
  const inStore = (s: MetricsScope, storeId: number | null) =>
    s.storeId !== undefined
      ? storeId === s.storeId
      : s.region !== undefined
        ? stores.find((x) => x.id === storeId)?.region === s.region
        : true;
  const tierAt = (memberId: number, at: Date) => {
    const spend = d.purchases
      .filter(
        (p) => p.memberId === memberId && p.at < at && p.at.getTime() > at.getTime() - program.tierWindowDays * DAY,
      )
      .reduce((a, p) => a + p.amount - p.returnedAmount, 0);
    return tierForSpend(program.tiers, spend).code;
  };
  const scopeMembers = (s: MetricsScope) =>
    d.members.filter(
      (m) =>
        m.createdAt < s.to &&
        (s.cohort === undefined || m.createdAt.toISOString().slice(0, 7) === s.cohort) &&
        (s.tierCode === undefined || tierAt(m.id, s.to) === s.tierCode) &&
        (s.storeId === undefined && s.region === undefined
          ? true
          : d.purchases.some((p) => p.memberId === m.id && p.at < s.to && inStore(s, p.storeId))),
    );
  const memberOk = (s: MetricsScope) => {
    const ids = new Set(
      d.members
        .filter(
          (m) =>
            (s.cohort === undefined || m.createdAt.toISOString().slice(0, 7) === s.cohort) &&
            (s.tierCode === undefined || tierAt(m.id, s.to) === s.tierCode),
        )
        .map((m) => m.id),
    );
    return (id: number) => ids.has(id);
  };
  const purchasesIn = (s: MetricsScope, a: Date, b: Date) => {
    const ok = memberOk(s);
    return d.purchases.filter((p) => p.at >= a && p.at < b && inStore(s, p.storeId) && ok(p.memberId));
  };
  const countBy = <T>(xs: T[], key: (x: T) => number | string) => {
    const m = new Map<number | string, number>();
    for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return m;
  };

  const scopes: [string, () => MetricsScope][] = [
    ["the whole chain", () => ({ from, to })],
    ["one store", () => ({ from, to, storeId: stores[1]?.id })],
    ["a region", () => ({ from, to, region: "Novosibirsk" })],
    ["a tier", () => ({ from, to, tierCode: "silver" })],
    ["a cohort", () => ({ from, to, cohort: "2025-06" })],
    ["a tier within a cohort", () => ({ from, to, tierCode: "base", cohort: "2025-06" })],
    ["a tier at a store", () => ({ from, to, tierCode: "base", storeId: stores[1]?.id })],
  ];

  describe.each(scopes)("over %s", (_name, scope) => {
    it("When members, active and new members, basket, frequency and repurchase are asked, then SQL equals the rows", async () => {
      const s = scope();
      const sm = scopeMembers(s);
      const sp = purchasesIn(s, s.from, s.to);
      const per = countBy(sp, (p) => p.memberId);
      const revenue = sp.reduce((a, p) => a + p.amount - p.returnedAmount, 0);
      const got = await metrics.activity(s);
      expect(got).toMatchObject({
        members: sm.length,
        newMembers: sm.filter((m) => m.createdAt >= s.from).length,
        activeMembers: per.size,
        purchases: sp.length,
        revenueKopecks: revenue,
        repeatCustomers: [...per.values()].filter((k) => k > 1).length,
      });
      expect(got.repurchaseRate).toBe(
        repurchaseRate({ customers: per.size, repeatCustomers: [...per.values()].filter((k) => k > 1).length }),
      );
      expect(sp.length).toBeGreaterThan(0);
    });

    it("When sales by store are asked, then every store in scope lists its purchases, customers and revenue", async () => {
      const s = scope();
      const sp = purchasesIn(s, s.from, s.to);
      const got = await metrics.salesByStore(s);
      expect(got.map((g) => g.storeId)).toEqual(stores.filter((st) => inStore(s, st.id)).map((st) => st.id));
      for (const g of got) {
        const ps = sp.filter((p) => p.storeId === g.storeId);
        expect(g).toMatchObject({
          purchases: ps.length,
          customers: new Set(ps.map((p) => p.memberId)).size,
          revenueKopecks: ps.reduce((a, p) => a + p.amount - p.returnedAmount, 0),
        });
      }
    });

    it("When repurchase per category is asked, then each category counts orders that contain it", async () => {
      const s = scope();
      const sp = purchasesIn(s, s.from, s.to);
      const expected = new Map<string, { customers: number; repeatCustomers: number }>();
      for (const cat of ["bakery", "coffee", "tobacco"]) {
        const withCat = sp.filter((p) => d.items.some((i) => i.purchaseId === p.id && i.category === cat));
        const per = countBy(withCat, (p) => p.memberId);
        if (per.size)
          expected.set(cat, { customers: per.size, repeatCustomers: [...per.values()].filter((k) => k > 1).length });
      }
      const got = await metrics.repurchaseByCategory(s);
      expect(
        new Map(got.map((g) => [g.category, { customers: g.customers, repeatCustomers: g.repeatCustomers }])),
      ).toEqual(expected);
    });

    it("When NPS is asked, then overall, by month and by store it counts the answers in scope", async () => {
      const s = scope();
      // With a tier or cohort, the members in scope (at a store: those who bought there); without, every answer.
      const members = new Set(scopeMembers(s).map((m) => m.id));
      const ok = s.tierCode !== undefined || s.cohort !== undefined ? (id: number) => members.has(id) : memberOk(s);
      const answers = d.nps.filter(
        (a) =>
          a.answeredAt >= s.from &&
          a.answeredAt < s.to &&
          ok(a.memberId) &&
          (s.storeId === undefined && s.region === undefined ? true : a.storeId !== null && inStore(s, a.storeId)),
      );
      const got = await metrics.nps(s);
      expect(got.overall.nps).toBe(nps(npsCounts(answers.map((a) => a.score))));
      expect(got.overall.answers).toBe(answers.length);
      for (const m of got.byMonth)
        expect(m.nps).toBe(
          nps(npsCounts(answers.filter((a) => a.answeredAt.toISOString().startsWith(m.month)).map((a) => a.score))),
        );
      for (const st of got.byStore) expect(st.answers).toBe(answers.filter((a) => a.storeId === st.storeId).length);
    });

    it("When retention is asked, then start, end and new follow the active window and the article's formula", async () => {
      const s = scope();
      const w = ACTIVE_WINDOW_DAYS;
      const a = new Set(purchasesIn(s, subDays(s.from, w), s.from).map((p) => p.memberId));
      const b = new Set(purchasesIn(s, subDays(s.to, w), s.to).map((p) => p.memberId));
      const fresh = [...b].filter((x) => !a.has(x)).length;
      const got = await metrics.retention(s);
      expect(got).toMatchObject({ start: a.size, end: b.size, new: fresh });
      expect(got.retention).toBe(retentionRate({ start: a.size, end: b.size, new: fresh }));
    });

    it("When cohorts are asked, then each enrollment month's buyers per month since are counted", async () => {
      const s = scope();
      const sm = scopeMembers(s).filter((m) => m.createdAt >= s.from);
      const sp = purchasesIn(s, s.from, s.to);
      const got = await metrics.cohorts(s);
      const months = [...new Set(sm.map((m) => m.createdAt.toISOString().slice(0, 7)))].sort();
      expect(got.map((c) => c.cohort)).toEqual(months);
      for (const c of got) {
        const ids = new Set(sm.filter((m) => m.createdAt.toISOString().startsWith(c.cohort)).map((m) => m.id));
        expect(c.size).toBe(ids.size);
        const [y, mo] = c.cohort.split("-").map(Number) as [number, number];
        c.active.forEach((k, i) => {
          const buyers = new Set(
            sp
              .filter(
                (p) => ids.has(p.memberId) && (p.at.getUTCFullYear() - y) * 12 + p.at.getUTCMonth() + 1 - mo === i,
              )
              .map((p) => p.memberId),
          );
          expect(k).toBe(buyers.size);
        });
      }
    });

    it("When points are asked, then liability and flows equal the ledger rows", async () => {
      const s = scope();
      const ok = memberOk(s);
      const es = d.entries.filter((e) => e.createdAt < s.to && ok(e.memberId));
      const inP = es.filter((e) => e.createdAt >= s.from);
      const got = await metrics.points(s);
      const outstanding = es.reduce((a, e) => a + e.points, 0);
      expect(got).toEqual({
        outstandingPoints: outstanding,
        liabilityKopecks: outstanding * program.pointValueKopecks,
        issued: inP.filter((e) => e.points > 0).reduce((a, e) => a + e.points, 0),
        redeemed: inP.filter((e) => e.kind === "redemption").reduce((a, e) => a - e.points, 0),
        expired: inP.filter((e) => e.kind === "expiry").reduce((a, e) => a - e.points, 0),
        reversed: inP.filter((e) => e.kind === "reversal").reduce((a, e) => a - e.points, 0),
      });
    });

    it("When LTV is asked, then realized revenue per member equals the rows over the members' history", async () => {
      const s = scope();
      const ids = new Set(scopeMembers(s).map((m) => m.id));
      const revenue = d.purchases
        .filter((p) => ids.has(p.memberId) && p.at < s.to && inStore(s, p.storeId))
        .reduce((a, p) => a + p.amount - p.returnedAmount, 0);
      const got = await metrics.ltv(s);
      expect(got.members).toBe(ids.size);
      expect(got.lifetimeRevenueKopecks).toBe(revenue);
    });

    it("When loyalty cost is asked, then per store it uses the accrual rule's margin and per category the items' share", async () => {
      const s = scope();
      const sp = purchasesIn(s, s.from, s.to);
      const got = await metrics.loyaltyCost(s);
      const pv = program.pointValueKopecks;
      for (const st of new Set(sp.map((p) => p.storeId))) {
        const ps = sp.filter((p) => p.storeId === st);
        const margin = ps.reduce(
          (a, p) =>
            a +
            marginKopecks(
              program,
              p.storeId,
              p.amount,
              d.items
                .filter((i) => i.purchaseId === p.id)
                .map((i) => ({ sku: "x", category: i.category, amountKopecks: i.amount })),
            ),
          0,
        );
        expect(got.find((g) => g.kind === "store" && g.key === String(st))).toMatchObject({
          costKopecks: ps.reduce((a, p) => a + p.pointsAccrued * pv, 0),
          marginKopecks: margin,
        });
      }
      for (const cat of ["bakery", "coffee", "tobacco"]) {
        const its = d.items.filter((i) => i.category === cat && sp.some((p) => p.id === i.purchaseId));
        if (!its.length) continue;
        const cost = its.reduce((a, i) => {
          const p = sp.find((x) => x.id === i.purchaseId);
          return p ? a + (p.pointsAccrued * pv * i.amount) / p.amount : a;
        }, 0);
        const g = got.find((x) => x.kind === "category" && x.key === cat);
        expect(Math.abs((g?.costKopecks ?? NaN) - cost)).toBeLessThanOrEqual(0.5);
      }
    });

    it("When RFM segments and tiers are asked, then the scores and the tier rule match the rows", async () => {
      const s = scope();
      const ok = memberOk(s);
      const since = s.to.getTime() - RFM_THRESHOLDS.windowDays * DAY;
      const byMember = new Map<number, typeof d.purchases>();
      for (const p of d.purchases)
        if (p.at < s.to && inStore(s, p.storeId) && ok(p.memberId))
          byMember.set(p.memberId, [...(byMember.get(p.memberId) ?? []), p]);
      const expected: Record<string, number> = {};
      for (const ps of byMember.values()) {
        const last = Math.max(...ps.map((p) => p.at.getTime()));
        const recent = ps.filter((p) => p.at.getTime() > since);
        const seg = rfmSegment(
          recencyScore(Math.floor((s.to.getTime() - last) / DAY)),
          frequencyScore(recent.length),
          monetaryScore(recent.reduce((a, p) => a + p.amount - p.returnedAmount, 0)),
        );
        expected[seg] = (expected[seg] ?? 0) + 1;
      }
      const got = await metrics.rfm(s);
      for (const [seg, k] of Object.entries(got)) expect(k).toBe(expected[seg] ?? 0);

      const tiers = await metrics.tiers(s);
      const sm = scopeMembers(s);
      for (const t of tiers) expect(t.members).toBe(sm.filter((m) => tierAt(m.id, s.to) === t.tier).length);
    });

    it("When the share of member receipts is asked, then only reporting stores count, by their local day", async () => {
      const s = scope();
      const ok = memberOk(s);
      const fromDay = s.from.toISOString().slice(0, 10);
      const toDay = s.to.toISOString().slice(0, 10);
      const got = await metrics.receiptShare(s);
      const reporting = [...new Set(d.receiptDays.map((r) => r.storeId))].filter((id) => inStore(s, id));
      expect(got.map((g) => g.storeId)).toEqual(reporting.sort((a, b) => a - b));
      for (const g of got) {
        const tz = stores.find((x) => x.id === g.storeId)?.timeZone ?? "UTC";
        const days = d.receiptDays.filter((r) => r.storeId === g.storeId && r.day >= fromDay && r.day < toDay);
        const daySet = new Set(days.map((r) => r.day));
        expect(g.allReceipts).toBe(days.reduce((a, r) => a + r.receipts, 0));
        expect(g.memberReceipts).toBe(
          d.purchases.filter((p) => p.storeId === g.storeId && ok(p.memberId) && daySet.has(localDay(p.at, tz))).length,
        );
      }
    });
  });

  it("When the overview is asked, then its figures are the single metrics' and its series ends at the period's liability", async () => {
    const s = { from, to };
    const o = await metrics.overview(s);
    const a = await metrics.activity(s);
    const p = await metrics.points(s);
    expect(o.members.value).toBe(a.members);
    expect(o.activeMembers.value).toBe(a.activeMembers);
    expect(o.outstandingPoints.value).toBe(p.outstandingPoints);
    expect(o.series.map((x) => x.month)).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(o.series.at(-1)?.outstandingPoints).toBe(p.outstandingPoints);
    expect(o.series.at(-1)?.members).toBe(a.members);
    // Whole months: the previous period is the three months before, not the same number of days.
    const prev = await metrics.activity({ from: new Date("2025-10-01T00:00:00Z"), to: from });
    expect(o.activeMembers.previous).toBe(prev.activeMembers);
  });
});
