-- The returns whose reaction has weighed a completion (app/challenges/reverse.ts): a redelivered
-- reaction to the same return then takes nothing, even when the first took less than the share because
-- the balance could not cover it (the rest waits for the next return of that purchase).
ALTER TABLE "ChallengeCompletion" ADD COLUMN "reversedReturns" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
