-- Repurchase by category in a region or for a cohort from the cubes: new
-- MetricsCube scopes ('cr:' category × region, 'ck:' category × enrollment
-- month; app/metrics/rollup.ts). A deployment that already caught up the past
-- fills them member batch by member batch from "categoryScopesCursor" (NULL
-- once filled; a rebuild fills them with everything else).
ALTER TABLE "MetricsRollupState" ADD COLUMN "categoryScopesCursor" INTEGER;
UPDATE "MetricsRollupState" SET "categoryScopesCursor" = 0;
