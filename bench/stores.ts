import { StoreIndex, type StorePoint, nearestByScan } from "../app/services/stores.js";
import { ratio } from "./lib.js";

/** Nearest-store lookups over 100,000 synthetic stores: the k-d index beside a linear scan. */
export async function benchStores() {
  console.log("\n== stores: nearest-store lookups ==");
  const N = 100_000;
  // mulberry32: a small seeded PRNG, so every run measures the same stores.
  let seed = 42;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  // Spread over Russia's populated band.
  const stores: StorePoint[] = Array.from({ length: N }, (_, i) => ({
    id: i + 1,
    name: `Store ${i + 1}`,
    address: "-",
    latitude: 43 + rnd() * 17,
    longitude: 30 + rnd() * 102,
    timeZone: "Europe/Moscow",
    hours: {},
  }));
  const t0 = performance.now();
  const index = new StoreIndex(stores);
  const buildMs = performance.now() - t0;
  const queries = Array.from({ length: 200_000 }, () => [43 + rnd() * 17, 30 + rnd() * 102] as const);

  // Both give the same answer (checked on a sample).
  for (const [lat, lon] of queries.slice(0, 2000)) {
    const a = index.nearest(lat, lon, 3).map((s) => s.id);
    const b = nearestByScan(stores, lat, lon, 3).map((s) => s.id);
    if (a.join() !== b.join()) throw new Error(`index and scan disagree at ${lat},${lon}: ${a} vs ${b}`);
  }
  const timed = (n: number, f: (lat: number, lon: number) => unknown) => {
    const s = performance.now();
    for (let i = 0; i < n; i++) {
      const q = queries[i % queries.length] as readonly [number, number];
      f(q[0], q[1]);
    }
    return n / ((performance.now() - s) / 1000);
  };
  timed(20_000, (a, b) => index.nearest(a, b, 3)); // warm-up
  const indexed = timed(200_000, (a, b) => index.nearest(a, b, 3));
  const scanned = timed(300, (a, b) => nearestByScan(stores, a, b, 3));
  console.log(`  ${N.toLocaleString("en")} stores, index built in ${buildMs.toFixed(0)} ms`);
  console.log(`  ${"k-d index (kdbush box search), 3 nearest".padEnd(44)} ${indexed.toFixed(0).padStart(8)}/s`);
  console.log(`  ${"reference: linear scan, 3 nearest".padEnd(44)} ${scanned.toFixed(0).padStart(8)}/s`);
  ratio("index / scan", indexed / scanned, "≫ 1; index ≥ 100,000/s");
}
