import {
  type Badge,
  type Challenge,
  challengeOpen,
  challengeProgress,
  inChallengeScope,
  isoLocalDate,
  localDate,
} from "../../domain/index.js";
import { sql } from "../db/sql.js";
import type { ServiceContext } from "../services/context.js";
import { challengeFacts, nextRound } from "./facts.js";

export interface ChallengeView {
  code: string;
  title: Challenge["title"];
  goal: Challenge["goal"];
  points: number;
  badge: Badge | null;
  /** Last day purchases count, YYYY-MM-DD (null: no end). */
  endsOn: string | null;
  done: number;
  target: number;
  /** Rounds completed so far (a one-off challenge with 1 is finished). */
  completed: number;
  finished: boolean;
}

export interface ChallengeOverview {
  challenges: ChallengeView[];
  badges: Badge[];
  /** The program's clock when it was read (dates shown with a year only when not this one). */
  asOf: Date;
}

/**
 * What `/challenges` shows a member: every challenge open today for them
 * (a pilot's only to members whose latest store is in it), with the progress
 * of the current round, and the badges they have earned and still hold.
 */
export function createChallengeOverview(ctx: ServiceContext) {
  const { db, program } = ctx;
  return async function challengeOverview(memberId: number): Promise<ChallengeOverview> {
    const now = ctx.now();
    return db.unitOfWork(async (tx) => {
      const home = await tx.one<{ storeId: number; region: string; zone: string }>(sql`
        SELECT p."storeId", st.region, st."timeZone" AS zone FROM "Purchase" p JOIN "Store" st ON st.id = p."storeId"
        WHERE p."memberId" = ${memberId} ORDER BY p.at DESC, p.id DESC LIMIT 1`);
      const today = isoLocalDate(localDate(now, home?.zone ?? program.timeZone));
      const all = program.gamification.challenges;
      const open = all.filter(
        (c) => challengeOpen(c, today) && (!c.scope || (home !== undefined && inChallengeScope(c, home))),
      );
      const facts = await challengeFacts(tx, program, memberId, open, { stands: true });
      const challenges = open.map((c): ChallengeView => {
        const rounds = facts.completions.filter((k) => k.challenge === c.code).length;
        const round = nextRound(c, facts.completions, facts.purchases);
        const p = round ? challengeProgress(c, facts.purchases, now, facts.zone, round.after) : null;
        return {
          code: c.code,
          title: c.title,
          goal: c.goal,
          points: c.reward.points,
          badge: c.reward.badge ?? null,
          endsOn: c.endsOn ?? null,
          done: p ? p.done : targetOf(c),
          target: p ? p.target : targetOf(c),
          completed: rounds,
          finished: round === null,
        };
      });
      // A badge says the goal was met: it goes when a purchase that met it is returned in full (the points
      // go back in proportion, app/challenges/reverse.ts), and shows while any completion carrying it stands.
      const earned = new Set(
        facts.completions
          .filter((k) => k.stands !== false)
          .map((k) => k.badge)
          .filter((b): b is string => b !== null),
      );
      const badges = new Map<string, Badge>();
      for (const c of all)
        if (c.reward.badge && earned.has(c.reward.badge.code)) badges.set(c.reward.badge.code, c.reward.badge);
      return { challenges, badges: [...badges.values()], asOf: now };
    });
  };
}

function targetOf(c: Challenge): number {
  return c.goal.kind === "streak" ? c.goal.weeks : c.goal.count;
}
