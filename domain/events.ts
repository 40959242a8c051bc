import { z } from "zod";

/**
 * Domain events: what happened, as a stable, versioned JSON shape. Each is
 * written in the same transaction as the change it reports (the outbox in
 * app/events), so a change and its event commit together or not at all.
 *
 * Compatibility rule: a field is never renamed or retyped within a version;
 * a breaking change is a new version, and consumers name the versions they read.
 * Amounts are integer kopecks, points integers, instants ISO-8601 UTC.
 */
const id = z.number().int().positive();
const kopecks = z.number().int().min(0);
const points = z.number().int();
const instant = z.iso.datetime();

export const eventSchemas = {
  "member.enrolled": z.object({
    memberId: id,
    referredById: id.nullable(),
    /** The welcome bonus posted with it (0 when none). */
    welcomePoints: points,
    at: instant,
  }),
  "member.deleted": z.object({ memberId: id, at: instant }),
  "purchase.recorded": z.object({
    purchaseId: id,
    memberId: id,
    storeId: id,
    receiptId: z.string(),
    amountKopecks: kopecks,
    pointsRedeemed: points,
    points,
    balance: points,
    tierCode: z.string(),
    at: instant,
    /** Its items' categories (challenges pass over a purchase without theirs); absent in events written before. */
    categories: z.array(z.string()).optional(),
    /**
     * The challenges whose goal it met, weighed when it was written (their reaction completes these
     * alone); absent when it could move none, and in events written before, whose reaction weighs
     * every challenge it can move.
     */
    challengesMet: z.array(z.string()).optional(),
  }),
  "return.recorded": z.object({
    returnId: id,
    purchaseId: id,
    memberId: id,
    storeId: id,
    amountKopecks: kopecks,
    pointsReversed: points,
    pointsRefunded: points,
    pointsUncollected: points,
    balance: points,
    at: instant,
  }),
  "redemption.requested": z.object({
    redemptionId: z.string(),
    memberId: id,
    storeId: id,
    points,
    receiptAmountKopecks: kopecks,
    expiresAt: instant,
    at: instant,
  }),
  "redemption.decided": z.object({
    redemptionId: z.string(),
    memberId: id,
    storeId: id,
    status: z.enum(["confirmed", "declined", "expired"]),
    points,
    at: instant,
  }),
  "points.redeemed": z.object({
    redemptionId: z.string(),
    memberId: id,
    storeId: id,
    receiptId: z.string(),
    points,
    balance: points,
    at: instant,
  }),
  "tier.changed": z.object({
    memberId: id,
    from: z.string(),
    to: z.string(),
    direction: z.enum(["up", "down"]),
    at: instant,
  }),
  "points.expired": z.object({ memberId: id, points, balance: points, at: instant }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];
/** The version every event type is written at now. */
export const EVENT_VERSION = 1;

export type EventPayload<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
export type DomainEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

/** Checks a payload against its schema before it is written: a malformed event never enters the outbox. */
export function domainEvent<T extends EventType>(type: T, payload: EventPayload<T>): DomainEvent {
  const parsed = eventSchemas[type].parse(payload) as EventPayload<T>;
  return { type, payload: parsed } as DomainEvent;
}
