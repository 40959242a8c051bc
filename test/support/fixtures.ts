import pino from "pino";
import type { Database } from "../../app/db/database.js";
import { createKopilka } from "../../app/kopilka.js";
import { createServices, type Services } from "../../app/services/index.js";
import { defaultProgram, type Program } from "../../domain/index.js";

/** A clock tests can move. */
export function testClock(start = new Date("2026-03-01T10:00:00Z")) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime();
    },
    advanceDays: (days: number) => {
      t += days * 86_400_000;
    },
  };
}

/** The application (services and jobs) on a test database, with the test's clock and program. */
export function kopilkaFor(
  db: Database,
  opts: { program?: Program; clock?: { now: () => Date }; adminIds?: number[]; marketerIds?: number[] } = {},
) {
  return createKopilka({
    db,
    program: opts.program ?? defaultProgram,
    now: opts.clock?.now ?? (() => new Date()),
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    adminIds: opts.adminIds ?? [],
    marketerIds: opts.marketerIds ?? [],
  });
}

export function servicesFor(
  db: Database,
  opts: { program?: Program; clock?: { now: () => Date }; adminIds?: number[]; marketerIds?: number[] } = {},
): Services {
  return createServices(
    {
      db,
      program: opts.program ?? defaultProgram,
      now: opts.clock?.now ?? (() => new Date()),
      log: pino({ level: "silent" }),
    },
    { adminIds: opts.adminIds ?? [], marketerIds: opts.marketerIds ?? [] },
  );
}

export async function createStore(
  db: Database,
  over: Partial<{ name: string; trustedPos: boolean; active: boolean; region: string }> = {},
) {
  return db.prisma.store.create({
    data: {
      name: over.name ?? "Kopilka on Tverskaya",
      address: "Tverskaya 1, Moscow",
      latitude: 55.757,
      longitude: 37.615,
      timeZone: "Europe/Moscow",
      hours: { mon: [["08:00", "22:00"]] },
      region: over.region ?? "Moscow",
      active: over.active ?? true,
      trustedPos: over.trustedPos ?? false,
    },
  });
}

let phoneSeq = 0;
export function uniquePhone() {
  phoneSeq += 1;
  return `+7900${String(process.pid % 1000).padStart(3, "0")}${String(phoneSeq).padStart(4, "0")}`;
}
