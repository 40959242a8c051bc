import { randomUUID } from "node:crypto";
import { addSeconds } from "date-fns";
import { assertAmount, checkRedemption, DomainError, quoteRedemption } from "../../domain/index.js";
import type { Tx } from "../db/database.js";
import { withRetry } from "../db/retry.js";
import type { ServiceContext } from "./context.js";
import { expireMember, lockMember, postEntry } from "./ledger.js";
import type { MemberKey, MemberService } from "./members.js";
import { activeStore } from "./purchases.js";

export interface SpendInput {
  storeId: number;
  member: MemberKey;
  receiptId: string;
  receiptAmountKopecks: number;
  points: number;
  /** The caller's id for this spend; a replay with the same id changes nothing. */
  requestId?: string;
}

export interface RedemptionView {
  id: string;
  memberId: number;
  storeId: number;
  receiptId: string;
  receiptAmountKopecks: number;
  points: number;
  status: "pending" | "confirmed" | "declined" | "expired";
  expiresAt: Date;
  balance: number;
  replay: boolean;
}

/**
 * Spending points. A spend is either confirmed at once (a trusted POS, or a
 * direct call) or first *requested*: the shopper confirms it in chat within
 * `redemption.confirmationTtlSeconds`, and only that confirmation posts it.
 */
export function createRedemptionService(ctx: ServiceContext, members: MemberService) {
  const { db, program } = ctx;

  /** Points confirmed on the receipt, other than the redemption `exceptId`. */
  async function alreadyRedeemed(tx: Tx, storeId: number, receiptId: string, memberId: number, exceptId = "") {
    const r = await tx.redemption.aggregate({
      where: { storeId, receiptId, memberId, status: "confirmed", id: { not: exceptId } },
      _sum: { points: true },
    });
    return r._sum.points ?? 0;
  }

  /** How many points may pay for this receipt now. Reads only. */
  async function quote(input: Omit<SpendInput, "points" | "requestId">) {
    assertAmount(input.receiptAmountKopecks, "receiptAmount");
    return db.transaction(async (tx) => {
      const member = await members.get(input.member, tx);
      await activeStore(tx, input.storeId);
      const q = quoteRedemption({
        program,
        receiptAmountKopecks: input.receiptAmountKopecks,
        balance: member.balance,
        alreadyRedeemed: await alreadyRedeemed(tx, input.storeId, input.receiptId, member.id),
      });
      return { memberId: member.id, balance: member.balance, ...q };
    });
  }

  function view(
    r: Omit<RedemptionView, "balance" | "replay" | "receiptAmountKopecks"> & { receiptAmount: number },
    balance: number,
    replay: boolean,
  ): RedemptionView {
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
    };
  }

  /** Checks caps and balance under the member lock and posts the debit. */
  async function post(
    tx: Tx,
    redemptionId: string,
    memberId: number,
    storeId: number,
    receiptId: string,
    receiptAmount: number,
    points: number,
  ) {
    const now = ctx.now();
    await expireMember(tx, program, memberId, now);
    const { balance } = await lockMember(tx, memberId);
    checkRedemption({
      program,
      receiptAmountKopecks: receiptAmount,
      balance,
      alreadyRedeemed: await alreadyRedeemed(tx, storeId, receiptId, memberId, redemptionId),
      points,
    });
    const entry = await postEntry(tx, program, {
      memberId,
      kind: "redemption",
      points: -points,
      idempotencyKey: `redemption:${redemptionId}`,
      at: now,
      redemptionId,
    });
    return entry.balanceAfter;
  }

  function begin(input: SpendInput, status: "pending" | "confirmed") {
    assertAmount(input.receiptAmountKopecks, "receiptAmount");
    if (!input.receiptId || input.receiptId.length > 64)
      throw new DomainError("INPUT.INVALID", "receiptId must be 1 to 64 characters", { field: "receiptId" });
    const id = input.requestId ?? randomUUID();
    return withRetry(() =>
      db.transaction(async (tx) => {
        const member = await members.get(input.member, tx);
        await lockMember(tx, member.id);
        const prior = await tx.redemption.findUnique({ where: { id } });
        if (prior) {
          if (prior.memberId !== member.id || prior.points !== input.points || prior.receiptId !== input.receiptId)
            throw new DomainError("LEDGER.IDEMPOTENCY_CONFLICT", "this request id was used for another spend", {
              requestId: id,
            });
          return view(prior, member.balance, true);
        }
        await activeStore(tx, input.storeId);
        const now = ctx.now();
        const base = {
          id,
          memberId: member.id,
          storeId: input.storeId,
          receiptId: input.receiptId,
          receiptAmount: input.receiptAmountKopecks,
          points: input.points,
          expiresAt: addSeconds(now, program.redemption.confirmationTtlSeconds),
        };
        if (status === "pending") {
          // Checked now so the shopper is never asked to confirm a spend that cannot happen.
          checkRedemption({
            program,
            receiptAmountKopecks: input.receiptAmountKopecks,
            balance: member.balance,
            alreadyRedeemed: await alreadyRedeemed(tx, input.storeId, input.receiptId, member.id),
            points: input.points,
          });
          const r = await tx.redemption.create({ data: { ...base, status: "pending" } });
          return view(r, member.balance, false);
        }
        const r = await tx.redemption.create({ data: { ...base, status: "confirmed", decidedAt: now } });
        const balance = await post(
          tx,
          id,
          member.id,
          input.storeId,
          input.receiptId,
          input.receiptAmountKopecks,
          input.points,
        );
        return view(r, balance, false);
      }),
    );
  }

  /** Spends at once (trusted POS). */
  const spend = (input: SpendInput) => begin(input, "confirmed");
  /** Asks the shopper first; nothing is posted until `decide(id, true)`. */
  const request = (input: SpendInput) => begin(input, "pending");

  /**
   * The shopper's answer. Only a pending, unexpired request of this member is
   * decided; confirming twice answers with the first result.
   */
  async function decide(id: string, memberId: number, accept: boolean): Promise<RedemptionView> {
    return withRetry(() =>
      db.transaction(async (tx) => {
        const r0 = await tx.redemption.findUnique({ where: { id } });
        if (!r0 || r0.memberId !== memberId) throw new DomainError("REDEMPTION.NOT_FOUND", "no such request", { id });
        const { balance } = await lockMember(tx, memberId);
        const r = await tx.redemption.findUniqueOrThrow({ where: { id } });
        if (r.status !== "pending") {
          if ((r.status === "confirmed") === accept && r.status !== "expired") return view(r, balance, true);
          throw new DomainError("REDEMPTION.NOT_PENDING", `request is ${r.status}`, { id, status: r.status });
        }
        const now = ctx.now();
        if (r.expiresAt <= now) {
          const e = await tx.redemption.update({ where: { id }, data: { status: "expired", decidedAt: now } });
          if (accept) throw new DomainError("REDEMPTION.EXPIRED", "the request expired", { id });
          return view(e, balance, false);
        }
        if (!accept) {
          const d = await tx.redemption.update({ where: { id }, data: { status: "declined", decidedAt: now } });
          return view(d, balance, false);
        }
        const after = await post(tx, id, memberId, r.storeId, r.receiptId, r.receiptAmount, r.points);
        const c = await tx.redemption.update({ where: { id }, data: { status: "confirmed", decidedAt: now } });
        return view(c, after, false);
      }),
    );
  }

  async function get(id: string) {
    const r = await db.prisma.redemption.findUnique({
      where: { id },
      include: { member: { select: { balance: true } } },
    });
    if (!r) throw new DomainError("REDEMPTION.NOT_FOUND", "no such request", { id });
    const status = r.status === "pending" && r.expiresAt <= ctx.now() ? "expired" : r.status;
    return view({ ...r, status }, r.member.balance, false);
  }

  /** Marks pending requests past their time as expired; returns them. */
  async function expirePending() {
    const now = ctx.now();
    const due = await db.prisma.redemption.findMany({ where: { status: "pending", expiresAt: { lte: now } } });
    if (due.length)
      await db.prisma.redemption.updateMany({
        where: { id: { in: due.map((d) => d.id) }, status: "pending" },
        data: { status: "expired", decidedAt: now },
      });
    return due;
  }

  return { quote, spend, request, decide, get, expirePending };
}
export type RedemptionService = ReturnType<typeof createRedemptionService>;
