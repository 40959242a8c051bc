import { randomBytes } from "node:crypto";
import { addSeconds } from "date-fns";
import { assertAmount, checkRedemption, DomainError, domainEvent, quoteRedemption } from "../../domain/index.js";
import { emit } from "../events/outbox.js";
import { enqueue } from "../jobs/queue.js";
import { withRetry } from "../db/retry.js";
import { type SqlTx, sql } from "../db/sql.js";
import type { ServiceContext } from "./context.js";
import { activeStore, expireMember, lockMember, type MemberKey, postEntry } from "./ledger.js";
import { checkReceiptId } from "./purchases.js";

export interface SpendInput {
  storeId: number;
  member: MemberKey;
  receiptId: string;
  receiptAmountKopecks: number;
  points: number;
  /**
   * The caller's id for this spend; a replay with the same id (in the same
   * store, from the same API key) changes nothing, and with other details is a
   * conflict. Without one every call is a new request.
   */
  requestId?: string;
  /** The POS API key that asks: keys are scoped to it (and the store). */
  apiKeyId?: number;
  /** Who asks: a cashier in Telegram (whose chat hears the answer) or a POS. */
  requestedBy?: "staff" | "pos";
  staffChatId?: number | bigint;
}

export type RedemptionStatus = "pending" | "confirmed" | "declined" | "expired";

export interface RedemptionView {
  id: string;
  memberId: number;
  storeId: number;
  receiptId: string;
  receiptAmountKopecks: number;
  points: number;
  status: RedemptionStatus;
  expiresAt: Date;
  balance: number;
  replay: boolean;
  staffChatId: bigint | null;
  promptChatId: bigint | null;
  promptMessageId: number | null;
}

interface RedemptionRow {
  id: string;
  memberId: number;
  storeId: number;
  receiptId: string;
  receiptAmount: number;
  points: number;
  status: RedemptionStatus;
  expiresAt: Date;
  staffChatId: bigint | number | null;
  promptChatId: bigint | number | null;
  promptMessageId: number | null;
}

const COLUMNS = sql`id, "memberId", "storeId", "receiptId", "receiptAmount", points, status::text AS status, "expiresAt",
  "staffChatId", "promptChatId", "promptMessageId"`;

function view(r: RedemptionRow, balance: number, replay: boolean): RedemptionView {
  return {
    id: r.id,
    memberId: r.memberId,
    storeId: r.storeId,
    receiptId: r.receiptId,
    receiptAmountKopecks: r.receiptAmount,
    points: r.points,
    status: r.status,
    expiresAt: r.expiresAt,
    balance,
    replay,
    staffChatId: r.staffChatId === null ? null : BigInt(r.staffChatId),
    promptChatId: r.promptChatId === null ? null : BigInt(r.promptChatId),
    promptMessageId: r.promptMessageId,
  };
}

/** Points confirmed on the receipt, other than the redemption `exceptId`. */
async function alreadyRedeemed(tx: SqlTx, r: { storeId: number; receiptId: string; memberId: number }, exceptId = "") {
  const row = await tx.one<{ n: number }>(sql`
    SELECT COALESCE(SUM(points), 0)::int8 AS n FROM "Redemption"
    WHERE "storeId" = ${r.storeId} AND "receiptId" = ${r.receiptId} AND "memberId" = ${r.memberId}
      AND status = 'confirmed' AND id <> ${exceptId}`);
  return row?.n ?? 0;
}

const setStatus = (tx: SqlTx, id: string, status: RedemptionStatus, at: Date) =>
  tx.one<RedemptionRow>(sql`
    UPDATE "Redemption" SET status = ${status}::"RedemptionStatus", "decidedAt" = ${at}::timestamp
    WHERE id = ${id} RETURNING ${COLUMNS}`) as Promise<RedemptionRow>;

/**
 * Spending points. A spend is either confirmed at once (a trusted POS, or a
 * direct call) or first *requested*: the shopper confirms it in chat within
 * `redemption.confirmationTtlSeconds`, and only that confirmation posts it.
 */
export function createRedemptionService(ctx: ServiceContext) {
  const { db, program } = ctx;

  /**
   * How many points may pay for this receipt now. Writes nothing but the
   * expiry of points already due, so what it offers can be spent.
   */
  async function quote(input: Omit<SpendInput, "points" | "requestId">) {
    assertAmount(input.receiptAmountKopecks, "receiptAmount");
    checkReceiptId(input.receiptId);
    return withRetry(() =>
      db.unitOfWork(async (tx) => {
        const member = await lockMember(tx, input.member);
        await activeStore(tx, input.storeId);
        const balance = member.balance - (await expireMember(tx, program, member.id, ctx.now()));
        const q = quoteRedemption({
          program,
          receiptAmountKopecks: input.receiptAmountKopecks,
          balance,
          alreadyRedeemed: await alreadyRedeemed(tx, { ...input, memberId: member.id }),
        });
        return { memberId: member.id, balance, ...q };
      }),
    );
  }

  /** Checks caps and balance under the member lock and posts the debit; returns the balance after. */
  async function post(tx: SqlTx, r: RedemptionRow): Promise<number> {
    const now = ctx.now();
    await expireMember(tx, program, r.memberId, now);
    const { balance } = await lockMember(tx, r.memberId);
    checkRedemption({
      program,
      receiptAmountKopecks: r.receiptAmount,
      balance,
      alreadyRedeemed: await alreadyRedeemed(tx, r, r.id),
      points: r.points,
    });
    const entry = await postEntry(tx, program, {
      memberId: r.memberId,
      kind: "redemption",
      points: -r.points,
      idempotencyKey: `redemption:${r.id}`,
      at: now,
      redemptionId: r.id,
    });
    if (!entry.replay)
      await emit(
        tx,
        ctx.outbox,
        now,
        domainEvent("points.redeemed", {
          redemptionId: r.id,
          memberId: r.memberId,
          storeId: r.storeId,
          receiptId: r.receiptId,
          points: r.points,
          balance: entry.balanceAfter,
          at: now.toISOString(),
        }),
      );
    return entry.balanceAfter;
  }

  /** Reports a decision (the shopper's, or the clock's) to whoever waits for it. */
  async function decided(tx: SqlTx, r: RedemptionRow, at: Date) {
    if (r.status === "pending") return;
    await emit(
      tx,
      ctx.outbox,
      at,
      domainEvent("redemption.decided", {
        redemptionId: r.id,
        memberId: r.memberId,
        storeId: r.storeId,
        status: r.status,
        points: r.points,
        at: at.toISOString(),
      }),
    );
  }

  function begin(input: SpendInput, status: "pending" | "confirmed") {
    assertAmount(input.receiptAmountKopecks, "receiptAmount");
    checkReceiptId(input.receiptId);
    if (input.requestId !== undefined && (input.requestId.length < 1 || input.requestId.length > 64))
      throw new DomainError("INPUT.INVALID", "requestId is 1 to 64 characters", { field: "requestId" });
    // The client's key is scoped, never the row's id: another store (or key) reusing it is another spend.
    const requestKey =
      input.requestId === undefined
        ? null
        : `${input.apiKeyId !== undefined ? `key:${input.apiKeyId}` : "staff"}:${input.requestId}`;
    // Short and URL/callback-safe: it travels in Telegram callback data (64 bytes) and poll URLs.
    const id = randomBytes(12).toString("base64url");
    return withRetry(() =>
      db.unitOfWork(async (tx) => {
        // Deleted members too: a spend they made before deleting their data still replays.
        const member = await lockMember(tx, input.member, { includeDeleted: true });
        const prior =
          requestKey === null
            ? undefined
            : // A request made before keys were scoped (migration 20261124010000) still answers its retry.
              await tx.one<RedemptionRow>(
                sql`SELECT ${COLUMNS} FROM "Redemption" WHERE "storeId" = ${input.storeId}
                    AND "requestKey" IN (${requestKey}, ${`legacy:${input.requestId}`}) LIMIT 1`,
              );
        if (prior) {
          if (
            prior.memberId !== member.id ||
            prior.points !== input.points ||
            prior.receiptId !== input.receiptId ||
            prior.receiptAmount !== input.receiptAmountKopecks
          )
            throw new DomainError("LEDGER.IDEMPOTENCY_CONFLICT", "this request id was used for another spend", {
              requestId: input.requestId,
            });
          return view(prior, member.balance, true);
        }
        if (member.status === "deleted")
          throw new DomainError("MEMBER.NOT_FOUND", "no such member", { key: String(Object.values(input.member)[0]) });
        await activeStore(tx, input.storeId);
        const now = ctx.now();
        // Due points expire first: a balance that is all due cannot pay.
        const balance = member.balance - (await expireMember(tx, program, member.id, now));
        // Checked now too, so a shopper is never asked to confirm a spend that cannot happen.
        checkRedemption({
          program,
          receiptAmountKopecks: input.receiptAmountKopecks,
          balance,
          alreadyRedeemed: await alreadyRedeemed(tx, { ...input, memberId: member.id }),
          points: input.points,
        });
        const r = await tx.one<RedemptionRow>(sql`
          INSERT INTO "Redemption" (id, "memberId", "storeId", "receiptId", "receiptAmount", points, status,
                                    "createdAt", "expiresAt", "requestedBy", "staffChatId", "apiKeyId", "requestKey")
          VALUES (${id}, ${member.id}, ${input.storeId}, ${input.receiptId}, ${input.receiptAmountKopecks}, ${input.points},
                  'pending', ${now}::timestamp, ${addSeconds(now, program.redemption.confirmationTtlSeconds)}::timestamp,
                  ${input.requestedBy ?? null}, ${input.staffChatId != null ? String(input.staffChatId) : null}::int8,
                  ${input.apiKeyId ?? null}::int, ${requestKey})
          RETURNING ${COLUMNS}`);
        if (!r) throw new Error("unreachable: INSERT … RETURNING returns the row");
        if (status === "pending") {
          // The prompt goes out through a job (Telegram may be slow or down; the
          // caller is answered at once), and another job expires the request on time.
          await emit(
            tx,
            ctx.outbox,
            now,
            domainEvent("redemption.requested", {
              redemptionId: r.id,
              memberId: r.memberId,
              storeId: r.storeId,
              points: r.points,
              receiptAmountKopecks: r.receiptAmount,
              expiresAt: r.expiresAt.toISOString(),
              at: now.toISOString(),
            }),
          );
          await enqueue(tx, now, [
            { name: "redemption.expire", key: `redemption.expire:${r.id}`, runAt: r.expiresAt, payload: { id: r.id } },
          ]);
          return view(r, balance, false);
        }
        const after = await post(tx, r);
        return view(await setStatus(tx, id, "confirmed", now), after, false);
      }),
    );
  }

  /** Spends at once (a trusted POS). */
  const spend = (input: SpendInput) => begin(input, "confirmed");
  /** Asks the shopper first; nothing is posted until `decide(id, memberId, true)`. */
  const request = (input: SpendInput) => begin(input, "pending");

  /**
   * The shopper's answer. Only a pending, unexpired request of this member is
   * decided; the same answer twice returns the first result.
   */
  async function decide(
    id: string,
    memberId: number,
    accept: boolean,
    prompt?: { chatId: number | bigint; messageId: number },
  ): Promise<RedemptionView> {
    return withRetry(() =>
      db.unitOfWork(async (tx) => {
        const owner = await tx.one<{ memberId: number }>(sql`SELECT "memberId" FROM "Redemption" WHERE id = ${id}`);
        if (!owner || owner.memberId !== memberId)
          throw new DomainError("REDEMPTION.NOT_FOUND", "no such request", { id });
        const { balance } = await lockMember(tx, memberId);
        const r = (await tx.one<RedemptionRow>(
          sql`SELECT ${COLUMNS} FROM "Redemption" WHERE id = ${id}`,
        )) as RedemptionRow;
        if (r.status !== "pending") {
          if (r.status === (accept ? "confirmed" : "declined")) return view(r, balance, true);
          throw new DomainError("REDEMPTION.NOT_PENDING", `request is ${r.status}`, { id, status: r.status });
        }
        const now = ctx.now();
        // The shopper may press before the prompt's message id was saved: take it from the press.
        if (prompt && r.promptMessageId === null)
          await tx.many(sql`UPDATE "Redemption" SET "promptChatId" = ${String(prompt.chatId)}::int8,
                            "promptMessageId" = ${prompt.messageId} WHERE id = ${id}`);
        if (r.expiresAt <= now) {
          const e = await setStatus(tx, id, "expired", now);
          await decided(tx, e, now);
          // Too late to confirm: nothing is spent, and the answer says so (status "expired").
          return view(e, balance, false);
        }
        const outcome = accept ? await post(tx, r) : balance;
        const d = await setStatus(tx, id, accept ? "confirmed" : "declined", now);
        await decided(tx, d, now);
        return view(d, outcome, false);
      }),
    );
  }

  /** Remembers the confirmation message shown to the shopper, to edit it once decided. */
  async function setPrompt(id: string, chatId: number | bigint, messageId: number) {
    await db.prisma.redemption.update({
      where: { id },
      data: { promptChatId: BigInt(chatId), promptMessageId: messageId },
    });
  }

  /** A request as it stands; a pending one past its time reads as expired. */
  async function get(id: string) {
    const r = await db.prisma.redemption.findUnique({
      where: { id },
      include: { member: { select: { balance: true } } },
    });
    if (!r) throw new DomainError("REDEMPTION.NOT_FOUND", "no such request", { id });
    const status = r.status === "pending" && r.expiresAt <= ctx.now() ? "expired" : r.status;
    return view({ ...r, status }, r.member.balance, false);
  }

  /** Expires one request nobody answered in time (the job queued with it); a decided one is left alone. */
  async function expire(id: string) {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const r = await tx.one<RedemptionRow>(sql`
        UPDATE "Redemption" SET status = 'expired', "decidedAt" = ${now}::timestamp
        WHERE id = ${id} AND status = 'pending' AND "expiresAt" <= ${now}::timestamp RETURNING ${COLUMNS}`);
      if (r) await decided(tx, r, now);
      return r ? view(r, 0, false) : null;
    });
  }

  return { quote, spend, request, decide, get, expire, setPrompt };
}
export type RedemptionService = ReturnType<typeof createRedemptionService>;
