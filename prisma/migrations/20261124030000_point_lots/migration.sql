-- Live lots kept in a table (issue 8 item 14, issue 14), and the indexes the
-- history-sized reads were missing (issue 14; EXPLAIN with and without each: npm run bench -- indexes).

-- DropIndex
DROP INDEX "Purchase_memberId_at_idx";

-- CreateTable
CREATE TABLE "PointLot" (
    "id" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "points" INTEGER NOT NULL,
    "remaining" INTEGER NOT NULL,

    CONSTRAINT "PointLot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Member_chatId_idx" ON "Member"("chatId");

-- CreateIndex
CREATE INDEX "Member_referredById_idx" ON "Member"("referredById");

-- CreateIndex
CREATE INDEX "Purchase_memberId_at_amount_returnedAmount_idx" ON "Purchase"("memberId", "at", "amount", "returnedAmount");

-- AddForeignKey
ALTER TABLE "PointLot" ADD CONSTRAINT "PointLot_id_fkey" FOREIGN KEY ("id") REFERENCES "LedgerEntry"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PointLot" ADD CONSTRAINT "PointLot_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- SQL only: what Prisma's schema language cannot say.
ALTER TABLE "PointLot" ADD CONSTRAINT "PointLot_remaining_within_points" CHECK ("remaining" >= 0 AND "remaining" <= "points");
-- A debit walks a member's live lots soonest-expiring first.
CREATE INDEX "PointLot_live_member_idx" ON "PointLot"("memberId", "expiresAt", "id") WHERE "remaining" > 0;
-- The sweep reads due lots of any date, whatever was swept before.
CREATE INDEX "PointLot_live_due_idx" ON "PointLot"("expiresAt", "id") WHERE "remaining" > 0;

-- Backfill: replay every member's ledger into lots, as domain/ledger.ts
-- liveLots does (credits open lots; an expiry ends the lot it names; other
-- debits consume the lots that expire first, then the oldest).
DO $$
DECLARE
  e RECORD;
  l RECORD;
  debit INTEGER;
  take INTEGER;
BEGIN
  INSERT INTO "PointLot" ("id", "memberId", "expiresAt", "points", "remaining")
  SELECT "id", "memberId", "expiresAt", "points", "points" FROM "LedgerEntry" WHERE "points" > 0;
  FOR e IN SELECT "id", "memberId", "points", "lotId" FROM "LedgerEntry" WHERE "points" < 0 ORDER BY "memberId", "id" LOOP
    IF e."lotId" IS NOT NULL THEN
      UPDATE "PointLot" SET "remaining" = "remaining" + e."points" WHERE "id" = e."lotId";
      CONTINUE;
    END IF;
    debit := -e."points";
    FOR l IN SELECT "id", "remaining" FROM "PointLot"
             WHERE "memberId" = e."memberId" AND "remaining" > 0 AND "id" < e."id"
             ORDER BY "expiresAt", "id" LOOP
      take := LEAST(l."remaining", debit);
      UPDATE "PointLot" SET "remaining" = "remaining" - take WHERE "id" = l."id";
      debit := debit - take;
      EXIT WHEN debit = 0;
    END LOOP;
    IF debit > 0 THEN
      RAISE EXCEPTION 'ledger entry % debits more than the lots alive before it', e."id";
    END IF;
  END LOOP;
END $$;
