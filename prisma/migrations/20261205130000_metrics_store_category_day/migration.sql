-- Loyalty cost and margin per store, day and category (app/metrics/rollup.ts),
-- so loyalty cost in a region or at a store reads a rollup instead of every
-- line item of the period. A deployment that already caught up the past fills
-- it by purchase-id batches from "storeCategoryCursor" (NULL once filled; a
-- rebuild fills it with everything else).
CREATE TABLE "MetricsStoreCategoryDay" (
    "storeId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "category" TEXT NOT NULL,
    "cost" DECIMAL NOT NULL,
    "margin" BIGINT NOT NULL,

    CONSTRAINT "MetricsStoreCategoryDay_pkey" PRIMARY KEY ("storeId", "day", "category")
);

ALTER TABLE "MetricsRollupState" ADD COLUMN "storeCategoryCursor" INTEGER;
UPDATE "MetricsRollupState" SET "storeCategoryCursor" = 0;
