-- Loyalty cost and margin per store, day and category, and per enrollment
-- month (cohort), month and store or category (app/metrics/rollup.ts), so
-- loyalty cost in a region, at a store or for a cohort reads a rollup instead
-- of every line item of the period. A deployment that already caught up the
-- past fills both by purchase-id batches from "storeCategoryCursor" (NULL once
-- filled; a rebuild fills them with everything else).
CREATE TABLE "MetricsStoreCategoryDay" (
    "storeId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "category" TEXT NOT NULL,
    "cost" DECIMAL NOT NULL,
    "margin" BIGINT NOT NULL,

    CONSTRAINT "MetricsStoreCategoryDay_pkey" PRIMARY KEY ("storeId", "day", "category")
);

-- kind 's': key = store id, points, purchases and margin; kind 'c': key = category ('' for
-- receipt amounts without line items), cost and margin. month = year * 12 + month - 1.
CREATE TABLE "MetricsCohortCost" (
    "cohort" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "cost" DECIMAL NOT NULL,
    "margin" BIGINT NOT NULL,
    "points" BIGINT NOT NULL,
    "purchases" BIGINT NOT NULL,

    CONSTRAINT "MetricsCohortCost_pkey" PRIMARY KEY ("cohort", "month", "kind", "key")
);

ALTER TABLE "MetricsRollupState" ADD COLUMN "storeCategoryCursor" INTEGER;
UPDATE "MetricsRollupState" SET "storeCategoryCursor" = 0;
