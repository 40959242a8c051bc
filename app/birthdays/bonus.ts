import { daysUntilBirthday, localDate } from "../../domain/index.js";
import { conditionSql } from "../conditions/sql.js";
import { sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { postEntry } from "../services/ledger.js";

/**
 * The birthday bonus: once a year, on the first daily run within
 * gamification.birthday.daysBefore of the member's birthday (their own local
 * date), unless the birthday was entered or changed in the last
 * minAgeOfBirthdayDays. Found set-based (the condition language's
 * birthdayWithin leaf), credited by one job per member and year whose key —
 * and the ledger entry's idempotency key — make a second credit impossible.
 */
export function createBirthdayBonus(ctx: ServiceContext) {
  const { db, program } = ctx;
  const rules = () => program.gamification.birthday;

  /** Queues a credit for every member due today; answers how many were queued (the rest had theirs). */
  async function queueDue(): Promise<number> {
    const r = rules();
    if (!r.enabled || r.points <= 0) return 0;
    const now = ctx.now();
    const setBefore = new Date(now.getTime() - r.minAgeOfBirthdayDays * 86_400_000);
    return db.unitOfWork(async (tx) => {
      const due = await tx.many<{ id: number; birthday: string; zone: string | null }>(sql`
        SELECT m.id, to_char(m.birthday, 'MM-DD') AS birthday,
               (SELECT st."timeZone" FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
                 WHERE p."memberId" = m.id ORDER BY p.at DESC, p.id DESC LIMIT 1) AS zone
        FROM "Member" m
        WHERE m.status = 'active' AND m."deletedAt" IS NULL AND m.birthday IS NOT NULL
          AND coalesce(m."birthdaySetAt", m."createdAt") <= ${setBefore}::timestamp
          AND ${conditionSql({ kind: "birthdayWithin", days: r.daysBefore }, now, program)}`);
      const jobs = due.map((m) => {
        const bd = { month: Number(m.birthday.slice(0, 2)), day: Number(m.birthday.slice(3, 5)) };
        const today = localDate(now, m.zone ?? program.timeZone);
        // The year of the birthday being celebrated (next year's when today is late December and it is early January).
        const year = new Date(
          Date.UTC(today.year, today.month - 1, today.day) + daysUntilBirthday(bd, today) * 86_400_000,
        ).getUTCFullYear();
        return {
          name: "birthday.credit",
          key: `birthday:${m.id}:${year}`,
          runAt: now,
          payload: { memberId: m.id, year },
        };
      });
      return enqueue(tx, now, jobs, ctx.outbox.wake);
    });
  }

  /** Credits one member's bonus for one year (again: nothing). Answers the points and balance, or null. */
  async function credit(memberId: number, year: number): Promise<{ points: number; balance: number } | null> {
    const points = rules().points;
    if (points <= 0) return null;
    return db.unitOfWork(async (tx) => {
      await tx.many(sql`SELECT id FROM "Member" WHERE id = ${memberId} FOR NO KEY UPDATE`); // as every balance change does
      const e = await postEntry(tx, program, {
        memberId,
        points,
        kind: "birthday",
        idempotencyKey: `birthday:${memberId}:${year}`,
        at: ctx.now(),
      });
      return e.replay ? null : { points, balance: e.balanceAfter };
    });
  }

  return { queueDue, credit };
}
