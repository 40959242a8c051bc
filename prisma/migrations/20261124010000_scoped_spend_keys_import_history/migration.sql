-- A spend's idempotency key is scoped by store and API key (it used to be the Redemption id,
-- global: another store reusing a key got the first store's result).
ALTER TABLE "Redemption" ADD COLUMN "apiKeyId" INTEGER,
ADD COLUMN "requestKey" TEXT;

-- Requests made before this migration keep answering retries of their old key within their store.
UPDATE "Redemption" SET "requestKey" = 'legacy:' || id;

CREATE UNIQUE INDEX "Redemption_storeId_requestKey_key" ON "Redemption"("storeId", "requestKey");

-- Keys allowed to post purchases dated outside the program's purchaseTimeWindow.
ALTER TABLE "ApiKey" ADD COLUMN "importHistory" BOOLEAN NOT NULL DEFAULT false;
