-- A tier with a region reads the tier scopes' rows per region (app/metrics/rollup.ts: 'T<i>@<t>|r:<region>'
-- retention, cohorts, RFM and NPS answers, 'T<i>@<t>|cr:' category scopes, MetricsTierCost kind 'r')
-- instead of every member's tier from a year of purchases (5.9–12.9 s at 1M). Rollups caught up before
-- fill them by a resumable member-batch backfill.
ALTER TABLE "MetricsRollupState" ADD COLUMN "tierRegionsCursor" INTEGER;
UPDATE "MetricsRollupState" SET "tierRegionsCursor" = 0;
