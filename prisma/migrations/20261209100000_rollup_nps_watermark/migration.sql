-- The tier scopes of the metrics rollups (app/metrics/rollup.ts) now hold their members' NPS answers, so
-- the rollups follow NpsAnswer by id like the other sources. The rollups' version changed with it, so a
-- deployment rebuilds them and this watermark is set then; 0 until.
ALTER TABLE "MetricsRollupState" ADD COLUMN "npsId" INTEGER NOT NULL DEFAULT 0;

-- A member's answers, for the rollups' per-member contribution (and a member filter on NPS).
CREATE INDEX "NpsAnswer_memberId_idx" ON "NpsAnswer"("memberId");
