-- Sales by store under a tier filter read the tier scopes (app/metrics/rollup.ts): their store rows keep
-- the net revenue too. The rollups' version changed with it, so a deployment rebuilds them.
ALTER TABLE "MetricsTierCost" ADD COLUMN "revenue" BIGINT NOT NULL DEFAULT 0;

-- Loyalty cost for the tier of a spend of 0 is the chain's minus the other tiers' (and minus members
-- enrolled after the period): the category days count their receipts, so a category whose receipts all
-- belong to the other tiers is told from one with receipts left.
ALTER TABLE "MetricsCategoryDay" ADD COLUMN "purchases" BIGINT NOT NULL DEFAULT 0;
