-- Pre-aggregates the dashboard reads instead of the raw purchases and ledger
-- (app/metrics/rollup.ts fills them: a catch-up of the past in batches of
-- members, then increments by id watermark). They are a cache: truncating
-- them and the state row rebuilds everything from the raw rows.

-- Where the rollups are: the highest id of each source applied, the member
-- the catch-up resumes at (NULL once caught up), and the program economics
-- the margins were computed with (a change rebuilds).
CREATE TABLE "MetricsRollupState" (
    "id" INTEGER NOT NULL,
    "purchaseId" INTEGER NOT NULL,
    "returnId" INTEGER NOT NULL,
    "ledgerId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "economics" TEXT NOT NULL,
    "catchUpCursor" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetricsRollupState_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "MetricsRollupState_one" CHECK ("id" = 1)
);

-- Ids below a watermark that were not visible when it moved (a transaction
-- still open, or rolled back): applied when they appear, never counted twice.
CREATE TABLE "MetricsRollupGap" (
    "source" TEXT NOT NULL,
    "id" INTEGER NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetricsRollupGap_pkey" PRIMARY KEY ("source", "id")
);

-- Member counts by month keys (see app/metrics/rollup.ts for each cube's a, b, c, d).
CREATE TABLE "MetricsCube" (
    "cube" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "a" INTEGER NOT NULL,
    "b" INTEGER NOT NULL,
    "c" INTEGER NOT NULL,
    "d" INTEGER NOT NULL,
    "members" BIGINT NOT NULL,
    "purchases" BIGINT NOT NULL,

    CONSTRAINT "MetricsCube_pkey" PRIMARY KEY ("cube", "scope", "a", "b", "c", "d")
);

-- Members by the set of month starts at which they were active (bought within
-- the active window before it), as ",m1,m2,…," of month numbers (year * 12 + month - 1).
CREATE TABLE "MetricsRetention" (
    "scope" TEXT NOT NULL,
    "months" TEXT NOT NULL,
    "members" BIGINT NOT NULL,

    CONSTRAINT "MetricsRetention_pkey" PRIMARY KEY ("scope", "months")
);

-- Members' purchases per store, UTC day and the store's local day.
CREATE TABLE "MetricsStoreDay" (
    "storeId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "localDay" DATE NOT NULL,
    "purchases" BIGINT NOT NULL,
    "amount" BIGINT NOT NULL,
    "returned" BIGINT NOT NULL,
    "points" BIGINT NOT NULL,
    "margin" BIGINT NOT NULL,

    CONSTRAINT "MetricsStoreDay_pkey" PRIMARY KEY ("storeId", "day", "localDay")
);

-- Loyalty cost and margin per UTC day and category ('' for receipt amounts without line items).
CREATE TABLE "MetricsCategoryDay" (
    "day" DATE NOT NULL,
    "category" TEXT NOT NULL,
    "cost" DECIMAL NOT NULL,
    "margin" BIGINT NOT NULL,

    CONSTRAINT "MetricsCategoryDay_pkey" PRIMARY KEY ("day", "category")
);

-- The ledger per UTC day and kind: credits and the signed total.
CREATE TABLE "MetricsLedgerDay" (
    "day" DATE NOT NULL,
    "kind" TEXT NOT NULL,
    "credits" BIGINT NOT NULL,
    "total" BIGINT NOT NULL,

    CONSTRAINT "MetricsLedgerDay_pkey" PRIMARY KEY ("day", "kind")
);
