-- The tier filter from the rollups (app/metrics/rollup.ts): loyalty cost and
-- margin of the members whose tier at month start "at" is "tier" (i > 0), per
-- month of purchase and store ('s') or category ('c'), and category cube
-- scopes 'T<i>@<t>|c:<category>'. A deployment that already caught up the past
-- fills both member batch by member batch from "tierScopesCursor" (NULL once
-- filled; a rebuild fills them with everything else).
-- kind 's': key = store id, points, purchases and margin; kind 'c': key = category ('' for
-- receipt amounts without line items), cost, margin and purchases (receipts with the category).
CREATE TABLE "MetricsTierCost" (
    "tier" INTEGER NOT NULL,
    "at" INTEGER NOT NULL,
    "month" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "cost" DECIMAL NOT NULL,
    "margin" BIGINT NOT NULL,
    "points" BIGINT NOT NULL,
    "purchases" BIGINT NOT NULL,

    CONSTRAINT "MetricsTierCost_pkey" PRIMARY KEY ("tier", "at", "month", "kind", "key")
);

ALTER TABLE "MetricsRollupState" ADD COLUMN "tierScopesCursor" INTEGER;
UPDATE "MetricsRollupState" SET "tierScopesCursor" = 0;
