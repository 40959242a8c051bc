-- Points for a cohort read the ledger by enrollment month (app/metrics/rollup.ts) instead of the cohort's
-- entries one member at a time (1.98 s cold at 1M). Rollups caught up before fill it by a resumable
-- backfill over the entry ids.
CREATE TABLE "MetricsCohortLedger" (
    "cohort" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "kind" INTEGER NOT NULL,
    "credits" BIGINT NOT NULL,
    "total" BIGINT NOT NULL,

    CONSTRAINT "MetricsCohortLedger_pkey" PRIMARY KEY ("cohort","month","kind")
);

ALTER TABLE "MetricsRollupState" ADD COLUMN "cohortLedgerCursor" INTEGER;
UPDATE "MetricsRollupState" SET "cohortLedgerCursor" = 0;
