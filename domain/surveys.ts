/**
 * The NPS survey's rules (article 002: "How likely are you to recommend us
 * to a friend?", 0–10, measured regularly). The score's classes are the
 * metric's own (domain/metrics/nps.ts); here is when to ask and what an
 * answer means for the conversation.
 */
export const NPS_SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

export function validNpsScore(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 10;
}

/** Detractors (0–6) are asked one follow-up question: what went wrong. */
export function asksWhy(score: number): boolean {
  return score <= 6;
}

const DAY_MS = 86_400_000;

/** Whether a member last asked at `lastAskedAt` may be asked again now. */
export function npsDue(lastAskedAt: Date | null, now: Date, everyDays: number): boolean {
  return lastAskedAt === null || now.getTime() - lastAskedAt.getTime() >= everyDays * DAY_MS;
}

/** Whether an answer to a survey sent at `askedAt` still counts. */
export function npsAnswerOpen(askedAt: Date, now: Date, withinDays: number): boolean {
  return now.getTime() - askedAt.getTime() <= withinDays * DAY_MS;
}
