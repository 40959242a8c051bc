import { around } from "geokdbush";
import KDBush from "kdbush";
import {
  distanceMeters,
  isValidCoordinate,
  type StoreStatus,
  storeStatus,
  type WeeklyHours,
} from "../../domain/index.js";
import type { ServiceContext } from "./context.js";

export interface StorePoint {
  id: number;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  timeZone: string;
  hours: WeeklyHours;
  /** The city or region, as shoppers type it. */
  region?: string;
}

export interface FoundStore extends StorePoint {
  status: StoreStatus;
}

/** Lower case, "ё" as "е", punctuation as spaces: how typed place names are compared. */
function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export interface NearbyStore extends StorePoint {
  distanceMeters: number;
  status: StoreStatus;
}

/**
 * Nearest-neighbour lookups over the active stores: a static k-d tree
 * (kdbush) searched on the sphere (geokdbush). Built once per change of the
 * store list; a lookup reads no database.
 */
export class StoreIndex {
  private readonly index: KDBush;
  constructor(readonly stores: readonly StorePoint[]) {
    this.index = new KDBush(Math.max(1, stores.length));
    for (const s of stores) this.index.add(s.longitude, s.latitude);
    if (stores.length === 0) this.index.add(0, 0);
    this.index.finish();
  }

  /**
   * The `n` nearest stores to a point, nearest first (great-circle distance).
   *
   * Fast path: a box search that widens until the n-th nearest candidate lies
   * inside the circle the box surely covers, then exact distances on the few
   * candidates. Near the poles or the antimeridian, and when the box grows
   * large, geokdbush's exact search on the sphere answers instead.
   */
  nearest(latitude: number, longitude: number, n = 3): StorePoint[] {
    if (this.stores.length === 0) return [];
    const k = Math.min(n, this.stores.length);
    const cosLat = Math.cos(latitude * RAD);
    for (let r = 0.05; r <= 4; r *= 2) {
      const dLon = r / cosLat;
      if (Math.abs(latitude) + r >= 89 || Math.abs(longitude) + dLon >= 180) break;
      const ids = this.index.range(longitude - dLon, latitude - r, longitude + dLon, latitude + r);
      if (ids.length < k) continue;
      const ranked = ids
        .map((i) => {
          const s = this.stores[i] as StorePoint;
          return { s, d: distanceMeters(latitude, longitude, s.latitude, s.longitude) };
        })
        .sort((a, b) => a.d - b.d);
      // The box holds every point within this many metres of the query.
      const safe = r * METERS_PER_DEGREE * Math.min(1, Math.cos((Math.abs(latitude) + r) * RAD) / cosLat);
      if ((ranked[k - 1]?.d ?? Number.POSITIVE_INFINITY) <= safe) return ranked.slice(0, k).map((x) => x.s);
    }
    return around(this.index, longitude, latitude, k).map((i) => this.stores[i] as StorePoint);
  }
}

const RAD = Math.PI / 180;
const METERS_PER_DEGREE = (6_371_000 * Math.PI) / 180;

/** Reference for the benchmark and tests: the same answer by one pass over every store. */
export function nearestByScan(stores: readonly StorePoint[], latitude: number, longitude: number, n = 3) {
  const best: { s: StorePoint; d: number }[] = [];
  for (const s of stores) {
    const d = distanceMeters(latitude, longitude, s.latitude, s.longitude);
    if (best.length < n || d < (best[best.length - 1] as { d: number }).d) {
      best.push({ s, d });
      best.sort((a, b) => a.d - b.d);
      if (best.length > n) best.pop();
    }
  }
  return best.map((x) => x.s);
}

export function createStoreService(ctx: ServiceContext) {
  let index: StoreIndex | null = null;
  let version = "";

  async function currentVersion() {
    const r = await ctx.db.prisma.store.aggregate({ _max: { updatedAt: true }, _count: true });
    return `${r._count}:${r._max.updatedAt?.getTime() ?? 0}`;
  }

  /** Rebuilds the index if the store list changed since it was built. */
  async function refresh() {
    const v = await currentVersion();
    if (index && v === version) return index;
    const rows = await ctx.db.prisma.store.findMany({ where: { active: true }, orderBy: { id: "asc" } });
    index = new StoreIndex(rows.map((r) => ({ ...r, hours: r.hours as WeeklyHours })));
    version = v;
    return index;
  }

  /** The nearest active stores with their distance and whether they are open now. */
  async function nearest(latitude: number, longitude: number, n = 3): Promise<NearbyStore[]> {
    if (!isValidCoordinate(latitude, longitude)) return [];
    const idx = await refresh();
    const now = ctx.now();
    return idx.nearest(latitude, longitude, n).map((s) => ({
      ...s,
      distanceMeters: distanceMeters(latitude, longitude, s.latitude, s.longitude),
      status: storeStatus(s.hours, s.timeZone, now),
    }));
  }

  /**
   * Stores found by a typed city, street or store name (for shoppers who
   * cannot send a location, e.g. on desktop): every word must appear in the
   * store's city, address or name. Open ones first, then by name.
   */
  async function search(text: string, n = 3): Promise<FoundStore[]> {
    const words = fold(text)
      .split(" ")
      .filter((w) => w.length >= 2);
    if (words.length === 0 || fold(text).length < 3) return [];
    const idx = await refresh();
    const now = ctx.now();
    return idx.stores
      .filter((s) => {
        const hay = fold(`${s.region ?? ""} ${s.address} ${s.name}`);
        return words.every((w) => hay.includes(w));
      })
      .map((s) => ({ ...s, status: storeStatus(s.hours, s.timeZone, now) }))
      .sort((a, b) => Number(b.status.open) - Number(a.status.open) || a.name.localeCompare(b.name))
      .slice(0, n);
  }

  return { nearest, search, refresh };
}
export type StoreService = ReturnType<typeof createStoreService>;
