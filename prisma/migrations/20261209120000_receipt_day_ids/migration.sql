-- Receipt share under a tier reads the tier scopes' receipts on the store-days a POS reported
-- (app/metrics/rollup.ts): the rollups follow StoreReceiptDay by id like their other sources, and fill
-- those receipts by a resumable backfill where they were caught up before.
ALTER TABLE "StoreReceiptDay" ADD COLUMN "id" SERIAL NOT NULL;
CREATE UNIQUE INDEX "StoreReceiptDay_id_key" ON "StoreReceiptDay"("id");

ALTER TABLE "MetricsRollupState" ADD COLUMN "receiptDayId" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "receiptScopesCursor" INTEGER;
-- The reports already there are the backfill's, not new rows to apply one by one.
UPDATE "MetricsRollupState" SET "receiptDayId" = (SELECT COALESCE(max(id), 0) FROM "StoreReceiptDay"), "receiptScopesCursor" = 0;
