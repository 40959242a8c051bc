-- The rollups by the member's tier at a month start and by enrollment month
-- (app/metrics/rollup.ts, "dimensions"), so the tier and cohort filters read
-- cubes too. They live in the existing MetricsCube under their own scopes;
-- what is new is where their fill stands: the member the backfill resumes at
-- (NULL when every member's rows are in). A deployment that already caught
-- up the past fills only these, member batch by member batch; a rebuild
-- fills them with everything else.
ALTER TABLE "MetricsRollupState" ADD COLUMN "dimensionsCursor" INTEGER;
UPDATE "MetricsRollupState" SET "dimensionsCursor" = 0;
