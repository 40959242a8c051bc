-- Each purchase's distinct item categories, written with it (app/services/purchases.ts): the purchase's
-- own challenge read (app/challenges/facts.ts) took them with one item lookup per purchase of the month,
-- the largest part of what 50 challenges added to a purchase. Older rows stay null (no rewrite of the
-- table on deploy) and their readers look the items up as before.
ALTER TABLE "Purchase" ADD COLUMN "categories" TEXT[];
