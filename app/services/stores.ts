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

  /** The `n` nearest stores to a point, nearest first. */
  nearest(latitude: number, longitude: number, n = 3): StorePoint[] {
    if (this.stores.length === 0) return [];
    return around(this.index, longitude, latitude, n).map((i) => this.stores[i] as StorePoint);
  }
}

/** Reference for the benchmark and tests: the same answer by a full scan. */
export function nearestByScan(stores: readonly StorePoint[], latitude: number, longitude: number, n = 3) {
  return [...stores]
    .map((s) => ({ s, d: distanceMeters(latitude, longitude, s.latitude, s.longitude) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, n)
    .map((x) => x.s);
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

  return { nearest, refresh };
}
export type StoreService = ReturnType<typeof createStoreService>;
