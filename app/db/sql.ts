import { Prisma } from "../../generated/prisma/client.js";

/**
 * Parameterised SQL for the ledger's unit of work. `sql` is Prisma's tagged
 * template (values become $1, $2 … never spliced into the text).
 *
 * Why the ledger writes bypass Prisma's interactive transactions: on two
 * cores their per-statement overhead made the accrual path 5× slower than the
 * same statements on the driver (see bench/accrual.ts). Prisma still owns the
 * schema, the migrations and the typed reads.
 */
export const sql = Prisma.sql;
export type Sql = Prisma.Sql;

/** The statements of one unit of work, on one connection, inside BEGIN … COMMIT. */
export interface SqlTx {
  many<T>(q: Sql): Promise<T[]>;
  one<T>(q: Sql): Promise<T | undefined>;
  /**
   * Runs `fn` once the unit of work has committed (never if it rolls back):
   * e.g. waking the job runner for the jobs this transaction queued.
   */
  afterCommit(fn: () => void): void;
}

/**
 * Columns are `timestamp` without zone holding UTC (Prisma's convention), so
 * a Date goes out as its UTC wall-clock text, never in the process's zone.
 */
export function toParams(values: readonly unknown[]): unknown[] {
  return values.map((v) => (v instanceof Date ? v.toISOString().replace("Z", "") : v));
}

export function sqlTx(
  run: (text: string, params: unknown[]) => Promise<unknown[]>,
  committed: (() => void)[] = [],
): SqlTx {
  return {
    many: (q) => run(q.text, toParams(q.values)) as never,
    one: async (q) => (await run(q.text, toParams(q.values)))[0] as never,
    afterCommit: (fn) => void committed.push(fn),
  };
}

/** Calls what a committed unit of work asked for; one failing hook does not stop the others. */
export function runCommitted(hooks: (() => void)[]) {
  for (const h of hooks) {
    try {
      h();
    } catch {
      // A hook is a nudge (wake a worker); the commit already happened.
    }
  }
}
