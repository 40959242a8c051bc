import { describe, expect, it } from "vitest";
import { nearestByScan, StoreIndex, type StorePoint } from "../app/services/stores.js";
import { storeStatus, type WeeklyHours } from "../domain/index.js";

function store(id: number, latitude: number, longitude: number): StorePoint {
  return { id, name: `S${id}`, address: "-", latitude, longitude, timeZone: "Europe/Moscow", hours: {} };
}

describe("nearest stores", () => {
  it("agrees with a full scan: dense, sparse, near the antimeridian and the pole", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const dense = Array.from({ length: 5000 }, (_, i) => store(i, 43 + rnd() * 17, 30 + rnd() * 102));
    const sparse = [store(1, 55.75, 37.61), store(2, 43.11, 131.88), store(3, 64.73, 177.5), store(4, 64.7, -177.9)];
    const idxDense = new StoreIndex(dense);
    const idxSparse = new StoreIndex(sparse);
    for (let i = 0; i < 500; i++) {
      const lat = 40 + rnd() * 30;
      const lon = 20 + rnd() * 140;
      expect(idxDense.nearest(lat, lon, 3).map((s) => s.id)).toEqual(
        nearestByScan(dense, lat, lon, 3).map((s) => s.id),
      );
    }
    for (const [lat, lon] of [
      [64.7, 179.9], // Chukotka, across the antimeridian
      [89.5, 0], // by the pole
      [55.75, 37.6],
    ] as const) {
      expect(idxSparse.nearest(lat, lon, 2).map((s) => s.id)).toEqual(
        nearestByScan(sparse, lat, lon, 2).map((s) => s.id),
      );
    }
    expect(new StoreIndex([]).nearest(55, 37)).toEqual([]);
  });
});

describe("opening hours in the store's time zone", () => {
  const hours: WeeklyHours = {
    mon: [["09:00", "21:00"]],
    tue: [["09:00", "21:00"]],
    fri: [["10:00", "02:00"]],
  };
  it("open now, closing time, next opening today, tomorrow or later, past midnight", () => {
    // Monday 12:00 in Vladivostok = Monday 02:00 UTC
    expect(storeStatus(hours, "Asia/Vladivostok", new Date("2026-03-02T02:00:00Z"))).toEqual({
      open: true,
      closesAt: "21:00",
    });
    // Monday 07:00 Moscow
    expect(storeStatus(hours, "Europe/Moscow", new Date("2026-03-02T04:00:00Z"))).toMatchObject({
      open: false,
      opensAt: "09:00",
      opensToday: true,
    });
    // Monday 22:00 Moscow → Tuesday 09:00
    expect(storeStatus(hours, "Europe/Moscow", new Date("2026-03-02T19:00:00Z"))).toMatchObject({
      opensAt: "09:00",
      opensTomorrow: true,
    });
    // Tuesday 22:00 → Friday 10:00
    expect(storeStatus(hours, "Europe/Moscow", new Date("2026-03-03T19:00:00Z"))).toMatchObject({
      opensAt: "10:00",
      opensDay: "fri",
      opensToday: false,
      opensTomorrow: false,
    });
    // Saturday 01:30 Moscow: still Friday's shift, until 02:00
    expect(storeStatus(hours, "Europe/Moscow", new Date("2026-03-06T22:30:00Z"))).toEqual({
      open: true,
      closesAt: "02:00",
    });
    expect(storeStatus({}, "Europe/Moscow", new Date())).toEqual({ open: false, opensAt: null });
    const allDay = Object.fromEntries(
      ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map((d) => [d, [["00:00", "24:00"]]]),
    );
    expect(storeStatus(allDay as WeeklyHours, "Europe/Moscow", new Date())).toEqual({ open: true, closesAt: null });
  });
});
