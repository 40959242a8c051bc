-- Loyalty cost for the tier of a spend of 0 in a region, and for a cohort in a region, from the rollups
-- (app/metrics/rollup-read.ts): the store × category days count their receipts, so the other tiers'
-- receipts subtract and only the categories the tier has receipts in are listed, and the cohorts' costs
-- gain rows per region and category (kind 'r'). Both tables refill by the resumable backfill over the
-- purchase ids that filled them first.
ALTER TABLE "MetricsStoreCategoryDay" ADD COLUMN "purchases" BIGINT NOT NULL DEFAULT 0;
DELETE FROM "MetricsStoreCategoryDay";
DELETE FROM "MetricsCohortCost";
UPDATE "MetricsRollupState" SET "storeCategoryCursor" = 0;
