import type { ServiceContext } from "../services/context.js";
import { createCompleteChallenges } from "./complete.js";
import { createChallengeOverview } from "./overview.js";
import { createReverseChallenges } from "./reverse.js";

export type { ChallengeOverview, ChallengeView } from "./overview.js";

/** Challenges and badges (domain/challenges.ts): one use case per file. */
export function createChallengeService(ctx: ServiceContext) {
  return {
    complete: createCompleteChallenges(ctx),
    reverse: createReverseChallenges(ctx),
    overview: createChallengeOverview(ctx),
  };
}
