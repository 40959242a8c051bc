-- What an offer's condition reads of a member's history (days back, NULL: all of it; the
-- receipts' lines or not), kept on the row so the till loads only that. Existing offers
-- read everything until they end: the safe side.
ALTER TABLE "Offer" ADD COLUMN "historyDays" INTEGER;
ALTER TABLE "Offer" ADD COLUMN "readsLines" BOOLEAN NOT NULL DEFAULT true;
