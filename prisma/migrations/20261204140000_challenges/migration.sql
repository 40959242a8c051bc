-- A member's completed challenge (domain/challenges.ts): one row per round, with the purchases that
-- completed it (a return of one of them takes back its share of the points; what each has taken back so
-- far is kept beside it, so a reaction run twice or out of order takes nothing twice). Progress is not stored:
-- it is computed from the purchases, so a return before completion undoes it by itself.
CREATE TABLE "ChallengeCompletion" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "challenge" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "purchaseIds" INTEGER[],
    "points" INTEGER NOT NULL,
    "badge" TEXT,
    "reversedPoints" INTEGER NOT NULL DEFAULT 0,
    "reversedByPurchase" INTEGER[],
    "completedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChallengeCompletion_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ChallengeCompletion_memberId_challenge_round_key" ON "ChallengeCompletion"("memberId", "challenge", "round");

ALTER TABLE "ChallengeCompletion" ADD CONSTRAINT "ChallengeCompletion_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ChallengeCompletion" ADD CONSTRAINT "ChallengeCompletion_reversed_within_points" CHECK ("reversedPoints" >= 0 AND "reversedPoints" <= "points");
