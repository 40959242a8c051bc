import {
  type Condition,
  DomainError,
  EVERYONE,
  fillTemplate,
  historyDays,
  type LineItem,
  type OfferInput,
  readsLines,
  type TriggerName,
  type TriggersConfig,
} from "../../domain/index.js";
import { conditionSql } from "../conditions/sql.js";
import { type Sql, type SqlTx, sql } from "../db/sql.js";
import { enqueue } from "../jobs/queue.js";
import type { ServiceContext } from "../services/context.js";
import { type MemberKey, lockMember } from "../services/ledger.js";

const DAY_MS = 86_400_000;

/** One personal offer a scan wants to make. */
interface Due {
  memberId: number;
  cause: string;
  vars: Record<string, string>;
}

/**
 * The triggers (domain/triggers.ts): a nightly scan finds, set-based, the
 * members whose history calls for an offer now (replenishment, win-back,
 * birthday); a cart posted by the online shop queues its own check a day
 * later. Each makes a personal offer — its `cause` unique, so a trigger
 * fires once per cause however often it runs — and queues one notice job
 * keyed by the offer, which the delivery holds for quiet hours and caps.
 */
export function createTriggers(ctx: ServiceContext) {
  const { db, program } = ctx;
  const cfg = (): TriggersConfig => program.triggers;

  /** Active members who can hear from us: the scans' common filter over `m`. */
  const reachable = sql`m.status = 'active' AND m."chatId" IS NOT NULL`;

  function replenishmentSql(now: Date): Sql {
    const c = cfg().replenishment;
    const today = sql`(${now}::timestamp)::date`;
    return sql`
      WITH lines AS (
        SELECT DISTINCT p."memberId" AS mid, i.category AS cat, p.at::date AS d
        FROM "Purchase" p JOIN "PurchaseItem" i ON i."purchaseId" = p.id
        WHERE p.at >= ${new Date(now.getTime() - c.lookbackDays * DAY_MS)}::timestamp
          AND p.at <= ${now}::timestamp AND p."returnedAmount" < p.amount
      ), gaps AS (
        SELECT mid, cat, d, d - lag(d) OVER (PARTITION BY mid, cat ORDER BY d) AS gap FROM lines
      ), per AS (
        SELECT mid, cat, max(d) AS last, count(*) AS n,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY gap) AS median
        FROM gaps GROUP BY mid, cat
      ), due AS (
        SELECT mid, cat, last,
               CASE WHEN n >= ${c.minPurchases}::int THEN greatest(median, 1) ELSE ${c.defaultIntervalDays}::int END AS every
        FROM per
      )
      SELECT due.mid AS "memberId", due.cat AS category, to_char(due.last, 'YYYY-MM-DD') AS last
      FROM due JOIN "Member" m ON m.id = due.mid
      WHERE ${today} - due.last >= due.every AND ${today} - due.last < 2 * due.every AND ${reachable}`;
  }

  function winbackSql(now: Date): Sql {
    const c = cfg().winback;
    const today = sql`(${now}::timestamp)::date`;
    return sql`
      WITH v AS (
        SELECT DISTINCT p."memberId" AS mid, p.at::date AS d FROM "Purchase" p
        WHERE p."returnedAmount" < p.amount AND p.at <= ${now}::timestamp
      ), g AS (
        SELECT mid, d, d - lag(d) OVER (PARTITION BY mid ORDER BY d) AS gap FROM v
      ), per AS (
        SELECT mid, max(d) AS last, percentile_disc(0.5) WITHIN GROUP (ORDER BY gap) AS usual FROM g GROUP BY mid
      )
      SELECT per.mid AS "memberId", to_char(per.last, 'YYYY-MM-DD') AS last
      FROM per JOIN "Member" m ON m.id = per.mid
      WHERE ${today} - per.last >= greatest(${c.minDays}::int, ${c.gapMultiple}::int * coalesce(per.usual, 0))
        AND ${today} - per.last <= ${c.maxDays}::int AND ${reachable}`;
  }

  async function dueNow(name: Exclude<TriggerName, "abandonedCart">, now: Date): Promise<Due[]> {
    return db.unitOfWork(async (tx) => {
      if (name === "replenishment") {
        const rows = await tx.many<{ memberId: number; category: string; last: string }>(replenishmentSql(now));
        return rows.map((r) => ({
          memberId: r.memberId,
          cause: `replenishment:${r.memberId}:${r.category}:${r.last}`,
          vars: { category: r.category },
        }));
      }
      if (name === "winback") {
        const rows = await tx.many<{ memberId: number; last: string }>(winbackSql(now));
        return rows.map((r) => ({ memberId: r.memberId, cause: `winback:${r.memberId}:${r.last}`, vars: {} }));
      }
      const c = cfg().birthday;
      const rows = await tx.many<{ id: number }>(sql`SELECT m.id FROM "Member" m WHERE ${reachable}
        AND ${conditionSql({ kind: "birthdayWithin", days: c.daysBefore }, now, program)}`);
      // The year of the birthday ahead: within 30 days of now, so now + daysBefore's year is it.
      const year = new Date(now.getTime() + c.daysBefore * DAY_MS).getUTCFullYear();
      return rows.map((r) => ({ memberId: r.id, cause: `birthday:${r.id}:${year}`, vars: {} }));
    });
  }

  /**
   * Personal offers qualify their member whatever happens next (the trigger
   * chose them); the leaf beside EVERYONE is there so /offers can say why
   * while it still holds ("you buy coffee", "your birthday is coming").
   */
  function why(name: TriggerName, vars: Record<string, string>): Condition {
    const c = cfg();
    if (name === "replenishment")
      return { kind: "or", of: [{ kind: "bought", product: { category: vars.category ?? "" }, times: 1 }, EVERYONE] };
    if (name === "winback")
      return { kind: "or", of: [{ kind: "daysSinceLastPurchase", min: c.winback.minDays }, EVERYONE] };
    if (name === "birthday") return { kind: "or", of: [{ kind: "birthdayWithin", days: 30 }, EVERYONE] };
    return EVERYONE;
  }

  function offerFor(name: TriggerName, vars: Record<string, string>, now: Date): OfferInput {
    const c = cfg()[name];
    const filled = fillTemplate({ title: c.title, text: c.text, reward: c.reward }, vars);
    return {
      ...filled,
      condition: why(name, vars),
      startsAt: now,
      endsAt: new Date(now.getTime() + c.validDays * DAY_MS),
      storeIds: [],
      regions: [],
      perMemberLimit: 1,
      // A gift needs its code, which activation makes; points apply by themselves.
      needsActivation: c.reward.kind === "gift",
    };
  }

  /** Makes the offers (a cause made before is skipped) and queues their notices, in one unit of work per chunk. */
  async function make(name: TriggerName, due: readonly Due[], now: Date): Promise<number> {
    let made = 0;
    for (let i = 0; i < due.length; i += 500) {
      const chunk = due.slice(i, i + 500);
      made += await db.unitOfWork(async (tx) => makeIn(tx, name, chunk, now));
    }
    return made;
  }

  /**
   * One chunk in three statements whatever its size: the offers (a cause made
   * before is skipped by its unique key), their audit rows, their notice jobs.
   */
  async function makeIn(tx: SqlTx, name: TriggerName, chunk: readonly Due[], now: Date): Promise<number> {
    if (!chunk.length) return 0;
    const offers = chunk.map((d) => offerFor(name, d.vars, now));
    const col = <T>(f: (o: OfferInput, d: Due) => T) => offers.map((o, i) => f(o, chunk[i] as Due));
    const made = await tx.many<{ id: number; memberId: number }>(sql`
      WITH ins AS (
        INSERT INTO "Offer" ("titleRu", "titleEn", "textRu", "textEn", condition, reward, "startsAt", "endsAt",
          "perMemberLimit", "needsActivation", status, "memberId", cause, trigger, "createdBy", "createdAt", "updatedAt",
          "historyDays", "readsLines")
        SELECT x.tr, x.te, x.xr, x.xe, x.c::jsonb, x.r::jsonb, ${now}::timestamp, x.ends::timestamp, 1, x.act, 'active',
               x.mid, x.cause, ${name}, ${`trigger:${name}`}, ${now}::timestamp, ${now}::timestamp, x.hd, x.rl
        FROM unnest(${col((o) => o.title.ru)}::text[], ${col((o) => o.title.en)}::text[],
                    ${col((o) => o.text.ru)}::text[], ${col((o) => o.text.en)}::text[],
                    ${col((o) => JSON.stringify(o.condition))}::text[], ${col((o) => JSON.stringify(o.reward))}::text[],
                    ${col((o) => o.endsAt.toISOString().replace("Z", ""))}::text[], ${col((o) => o.needsActivation)}::bool[],
                    ${col((_, d) => d.memberId)}::int[], ${col((_, d) => d.cause)}::text[],
                    ${col((o) => historyDays(o.condition))}::int[], ${col((o) => readsLines(o.condition))}::bool[])
             AS x(tr, te, xr, xe, c, r, ends, act, mid, cause, hd, rl)
        ON CONFLICT (cause) DO NOTHING
        RETURNING *
      ), audit AS (
        INSERT INTO "OfferAudit" ("offerId", actor, action, after, at)
        SELECT id, ${`trigger:${name}`}, 'create', to_jsonb(ins), ${now}::timestamp FROM ins
      )
      SELECT id, "memberId" FROM ins`);
    await enqueue(
      tx,
      now,
      made.map((o) => ({
        name: "offer.notify",
        key: `offer.notify:${o.id}`,
        runAt: now,
        payload: { offerId: o.id, memberId: o.memberId },
      })),
      ctx.outbox.wake,
    );
    return made.length;
  }

  /** The nightly scan: every enabled trigger; answers how many offers each made. */
  async function scan(): Promise<Record<string, number>> {
    const now = ctx.now();
    const out: Record<string, number> = {};
    for (const name of ["replenishment", "winback", "birthday"] as const) {
      if (!cfg()[name].enabled) continue;
      out[name] = await make(name, await dueNow(name, now), now);
    }
    return out;
  }

  /**
   * A cart from the online shop: kept, and its check queued `delayHours`
   * later. The same shop cart posted again changes nothing.
   */
  async function recordCart(input: { storeId: number; member: MemberKey; cartId: string; items: LineItem[] }) {
    if (!input.items.length) throw new DomainError("INPUT.INVALID", "a cart needs items", { field: "items" });
    const c = cfg().abandonedCart;
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const m = await lockMember(tx, input.member);
      const row = await tx.one<{ id: number; memberId: number }>(sql`
        WITH ins AS (
          INSERT INTO "Cart" ("memberId", "storeId", "cartKey", items, "createdAt")
          VALUES (${m.id}, ${input.storeId}, ${input.cartId}, ${JSON.stringify(input.items)}::jsonb, ${now}::timestamp)
          ON CONFLICT ("storeId", "cartKey") DO NOTHING RETURNING id, "memberId")
        SELECT id, "memberId" FROM ins
        UNION ALL SELECT id, "memberId" FROM "Cart" WHERE "storeId" = ${input.storeId} AND "cartKey" = ${input.cartId}
        LIMIT 1`);
      if (!row) throw new Error("unreachable: the cart was inserted or found");
      if (c.enabled)
        await enqueue(
          tx,
          now,
          [
            {
              name: "cart.check",
              key: `cart.check:${row.id}`,
              runAt: new Date(now.getTime() + c.delayHours * 3_600_000),
              payload: { cartId: row.id },
            },
          ],
          ctx.outbox.wake,
        );
      return { cartId: row.id, memberId: row.memberId, remindAt: new Date(now.getTime() + c.delayHours * 3_600_000) };
    });
  }

  /** A cart's check: if none of its SKUs was bought since, one personal offer and its reminder. */
  async function checkCart(cartId: number): Promise<boolean> {
    if (!cfg().abandonedCart.enabled) return false;
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const cart = await tx.one<{ memberId: number; bought: boolean }>(sql`
        SELECT c."memberId", EXISTS (
          SELECT 1 FROM "Purchase" p JOIN "PurchaseItem" i ON i."purchaseId" = p.id
          WHERE p."memberId" = c."memberId" AND p.at >= c."createdAt"
            AND i.sku IN (SELECT x->>'sku' FROM jsonb_array_elements(c.items) x)) AS bought
        FROM "Cart" c WHERE c.id = ${cartId}`);
      if (!cart || cart.bought) return false;
      return (
        (await makeIn(tx, "abandonedCart", [{ memberId: cart.memberId, cause: `cart:${cartId}`, vars: {} }], now)) > 0
      );
    });
  }

  return { scan, recordCart, checkCart, dueNow };
}
export type Triggers = ReturnType<typeof createTriggers>;
