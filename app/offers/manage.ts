import {
  canMove,
  DomainError,
  historyDays,
  type OfferInput,
  offerInputSchema,
  type OfferState,
  readsLines,
  type Reward,
} from "../../domain/index.js";
import type { Condition } from "../../domain/index.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";

/** An offer as the marketer reads it back. */
export interface OfferView {
  id: number;
  status: OfferState;
  title: { ru: string; en: string };
  text: { ru: string; en: string };
  picture: string | null;
  condition: Condition;
  reward: Reward;
  startsAt: Date;
  endsAt: Date;
  storeIds: number[];
  regions: string[];
  budgetPoints: number | null;
  budgetRedemptions: number | null;
  spentPoints: number;
  redemptions: number;
  perMemberLimit: number;
  needsActivation: boolean;
  memberId: number | null;
  trigger: string | null;
  createdBy: string;
}

interface OfferRow {
  id: number;
  status: string;
  titleRu: string;
  titleEn: string;
  textRu: string;
  textEn: string;
  picture: string | null;
  condition: Condition;
  reward: Reward;
  startsAt: string;
  endsAt: string;
  storeIds: number[] | null;
  regions: string[] | null;
  budgetPoints: number | null;
  budgetRedemptions: number | null;
  spentPoints: number;
  redemptions: number;
  perMemberLimit: number;
  needsActivation: boolean;
  memberId: number | null;
  trigger: string | null;
  createdBy: string;
}

/**
 * What an offer paid: kept on the row for an offer with a budget (the till
 * takes from it), summed from its applications for one without (whose row
 * the till never locks).
 */
const SPENT = sql`CASE WHEN "budgetPoints" IS NULL AND "budgetRedemptions" IS NULL
    THEN (SELECT coalesce(sum(a.points), 0)::int FROM "OfferApplication" a WHERE a."offerId" = "Offer".id)
    ELSE "spentPoints" END AS "spentPoints",
  CASE WHEN "budgetPoints" IS NULL AND "budgetRedemptions" IS NULL
    THEN (SELECT count(*)::int FROM "OfferApplication" a WHERE a."offerId" = "Offer".id)
       + (SELECT count(*)::int FROM "OfferMember" g WHERE g."offerId" = "Offer".id AND g."giftRedeemedAt" IS NOT NULL)
    ELSE redemptions END AS redemptions`;

// Timestamps as ISO text: the same on both drivers, whatever the process zone.
const OFFER_COLUMNS = sql`id, status, "titleRu", "titleEn", "textRu", "textEn", picture, condition, reward,
  to_char("startsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startsAt",
  to_char("endsAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endsAt",
  "storeIds", regions, "budgetPoints", "budgetRedemptions", ${SPENT}, "perMemberLimit",
  "needsActivation", "memberId", trigger, "createdBy"`;

export function toView(r: OfferRow): OfferView {
  return {
    id: r.id,
    status: r.status as OfferState,
    title: { ru: r.titleRu, en: r.titleEn },
    text: { ru: r.textRu, en: r.textEn },
    picture: r.picture,
    condition: r.condition,
    reward: r.reward,
    startsAt: new Date(r.startsAt),
    endsAt: new Date(r.endsAt),
    storeIds: r.storeIds ?? [],
    regions: r.regions ?? [],
    budgetPoints: r.budgetPoints,
    budgetRedemptions: r.budgetRedemptions,
    spentPoints: r.spentPoints,
    redemptions: r.redemptions,
    perMemberLimit: r.perMemberLimit,
    needsActivation: r.needsActivation,
    memberId: r.memberId,
    trigger: r.trigger,
    createdBy: r.createdBy,
  };
}

/** Parses a posted offer; refuses it naming every bad field. */
export function parseOffer(input: unknown): OfferInput {
  const r = offerInputSchema.safeParse(input);
  if (!r.success)
    throw new DomainError(
      "INPUT.INVALID",
      `offer: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      { issues: r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
    );
  return r.data;
}

export async function readOffer(tx: SqlTx, id: number, lock = false): Promise<OfferView> {
  const row = await tx.one<OfferRow>(
    sql`SELECT ${OFFER_COLUMNS} FROM "Offer" WHERE id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`,
  );
  if (!row) throw new DomainError("OFFER.NOT_FOUND", `no offer ${id}`, { offerId: id });
  return toView(row);
}

export async function listOffers(tx: SqlTx, status?: OfferState): Promise<OfferView[]> {
  const rows = await tx.many<OfferRow>(sql`SELECT ${OFFER_COLUMNS} FROM "Offer"
    WHERE "memberId" IS NULL AND (${status ?? null}::text IS NULL OR status = ${status ?? null}::text) ORDER BY id`);
  return rows.map(toView);
}

/** The audit trail: who, when, what, before and after (JSON of the offer view). */
export async function audit(
  tx: SqlTx,
  offerId: number,
  actor: string,
  action: string,
  before: OfferView | null,
  after: OfferView | null,
  at: Date,
) {
  await tx.many(sql`INSERT INTO "OfferAudit" ("offerId", actor, action, before, after, at)
    VALUES (${offerId}, ${actor}, ${action}, ${before ? JSON.stringify(before) : null}::jsonb,
            ${after ? JSON.stringify(after) : null}::jsonb, ${at}::timestamp)`);
}

/**
 * Inserts an offer (a marketer's draft) with its first audit row. A gift
 * always needs activation: activating is what gives the shopper its code.
 */
export async function insertOffer(
  tx: SqlTx,
  o: OfferInput,
  opts: {
    actor: string;
    now: Date;
    status?: OfferState;
    memberId?: number;
    cause?: string;
    trigger?: string;
  },
): Promise<OfferView | null> {
  const row = await tx.one<{ id: number }>(sql`
    INSERT INTO "Offer" ("titleRu", "titleEn", "textRu", "textEn", picture, condition, reward, "startsAt", "endsAt",
      "storeIds", regions, "budgetPoints", "budgetRedemptions", "perMemberLimit", "needsActivation", status,
      "memberId", cause, trigger, "createdBy", "createdAt", "updatedAt", "historyDays", "readsLines")
    VALUES (${o.title.ru}, ${o.title.en}, ${o.text.ru}, ${o.text.en}, ${o.picture ?? null},
      ${JSON.stringify(o.condition)}::jsonb, ${JSON.stringify(o.reward)}::jsonb, ${o.startsAt}::timestamp,
      ${o.endsAt}::timestamp, ${o.storeIds}::int[], ${o.regions}::text[], ${o.budgetPoints ?? null}::int,
      ${o.budgetRedemptions ?? null}::int, ${o.perMemberLimit},
      ${o.needsActivation || o.reward.kind === "gift"}, ${opts.status ?? "draft"},
      ${opts.memberId ?? null}::int, ${opts.cause ?? null}, ${opts.trigger ?? null}, ${opts.actor},
      ${opts.now}::timestamp, ${opts.now}::timestamp, ${historyDays(o.condition)}::int, ${readsLines(o.condition)})
    ON CONFLICT (cause) DO NOTHING
    RETURNING id`);
  if (!row) return null;
  const view = await readOffer(tx, row.id);
  await audit(tx, row.id, opts.actor, "create", null, view, opts.now);
  return view;
}

/** A marketer's offers: created as drafts, then started, paused, resumed and ended, every change audited. */
export function createOfferManagement(ctx: ServiceContext) {
  const { db } = ctx;

  async function create(input: unknown, actor: string): Promise<OfferView> {
    const o = parseOffer(input);
    return db.unitOfWork(async (tx) => {
      const v = await insertOffer(tx, o, { actor, now: ctx.now() });
      if (!v) throw new Error("unreachable: an offer without a cause always inserts");
      return v;
    });
  }

  const ACTION: Record<"start" | "pause" | "end", OfferState> = { start: "active", pause: "paused", end: "ended" };

  /** Moves an offer to the state an action names; a move the state does not allow is OFFER.BAD_STATE. */
  async function act(id: number, action: keyof typeof ACTION, actor: string): Promise<OfferView> {
    const to = ACTION[action];
    return db.unitOfWork(async (tx) => {
      const before = await readOffer(tx, id, true);
      if (!canMove(before.status, to))
        throw new DomainError("OFFER.BAD_STATE", `an offer that is ${before.status} cannot ${action}`, {
          status: before.status,
        });
      const now = ctx.now();
      if (to === "active" && before.endsAt <= now)
        throw new DomainError("OFFER.BAD_STATE", "this offer's window has passed", { endsAt: before.endsAt });
      await tx.many(sql`UPDATE "Offer" SET status = ${to}, "updatedAt" = ${now}::timestamp WHERE id = ${id}`);
      const after = await readOffer(tx, id);
      await audit(tx, id, actor, action, before, after, now);
      return after;
    });
  }

  async function get(id: number) {
    return db.unitOfWork((tx) => readOffer(tx, id));
  }

  async function list(status?: OfferState) {
    return db.unitOfWork((tx) => listOffers(tx, status));
  }

  async function history(id: number) {
    return db.unitOfWork(async (tx) => {
      await readOffer(tx, id);
      return tx.many<{ actor: string; action: string; before: unknown; after: unknown; at: string }>(sql`
        SELECT actor, action, before, after, to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
        FROM "OfferAudit" WHERE "offerId" = ${id} ORDER BY id`);
    });
  }

  return {
    create,
    start: (id: number, actor: string) => act(id, "start", actor),
    pause: (id: number, actor: string) => act(id, "pause", actor),
    end: (id: number, actor: string) => act(id, "end", actor),
    get,
    list,
    history,
  };
}
