-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "MemberStatus" AS ENUM ('active', 'unreachable', 'deleted');

-- CreateEnum
CREATE TYPE "LedgerKind" AS ENUM ('accrual', 'redemption', 'welcome', 'review', 'referral', 'challenge', 'birthday', 'expiry', 'reversal', 'adjustment');

-- CreateEnum
CREATE TYPE "RedemptionStatus" AS ENUM ('pending', 'confirmed', 'declined', 'expired');

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "telegramId" BIGINT,
    "chatId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "phone" TEXT,
    "birthday" DATE,
    "language" TEXT,
    "consentAt" TIMESTAMP(3),
    "status" "MemberStatus" NOT NULL DEFAULT 'active',
    "notifications" BOOLEAN NOT NULL DEFAULT true,
    "memberCode" TEXT NOT NULL,
    "referralCode" TEXT NOT NULL,
    "referredById" INTEGER,
    "balance" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Store" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION NOT NULL,
    "longitude" DOUBLE PRECISION NOT NULL,
    "timeZone" TEXT NOT NULL,
    "hours" JSONB NOT NULL,
    "region" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "pilot" BOOLEAN NOT NULL DEFAULT false,
    "trustedPos" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Store_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Purchase" (
    "id" SERIAL NOT NULL,
    "storeId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "receiptId" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "pointsRedeemed" INTEGER NOT NULL DEFAULT 0,
    "pointsAccrued" INTEGER NOT NULL,
    "tierCode" TEXT NOT NULL,
    "rateBp" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "returnedAmount" INTEGER NOT NULL DEFAULT 0,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Purchase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurchaseItem" (
    "id" SERIAL NOT NULL,
    "purchaseId" INTEGER NOT NULL,
    "sku" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,

    CONSTRAINT "PurchaseItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Return" (
    "id" SERIAL NOT NULL,
    "purchaseId" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "pointsReversed" INTEGER NOT NULL,
    "pointsRefunded" INTEGER NOT NULL,
    "pointsUncollected" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Return_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Redemption" (
    "id" TEXT NOT NULL,
    "memberId" INTEGER NOT NULL,
    "storeId" INTEGER NOT NULL,
    "receiptId" TEXT NOT NULL,
    "receiptAmount" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "status" "RedemptionStatus" NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "Redemption_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "kind" "LedgerKind" NOT NULL,
    "points" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "purchaseId" INTEGER,
    "returnId" INTEGER,
    "redemptionId" TEXT,
    "lotId" INTEGER,
    "note" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TierDefinition" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "thresholdKopecks" INTEGER NOT NULL,
    "rateBp" INTEGER NOT NULL,

    CONSTRAINT "TierDefinition_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "KeyValue" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KeyValue_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Member_telegramId_key" ON "Member"("telegramId");

-- CreateIndex
CREATE UNIQUE INDEX "Member_phone_key" ON "Member"("phone");

-- CreateIndex
CREATE UNIQUE INDEX "Member_memberCode_key" ON "Member"("memberCode");

-- CreateIndex
CREATE UNIQUE INDEX "Member_referralCode_key" ON "Member"("referralCode");

-- CreateIndex
CREATE INDEX "Purchase_memberId_at_idx" ON "Purchase"("memberId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "Purchase_storeId_receiptId_key" ON "Purchase"("storeId", "receiptId");

-- CreateIndex
CREATE INDEX "PurchaseItem_purchaseId_idx" ON "PurchaseItem"("purchaseId");

-- CreateIndex
CREATE UNIQUE INDEX "Return_idempotencyKey_key" ON "Return"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Return_purchaseId_idx" ON "Return"("purchaseId");

-- CreateIndex
CREATE INDEX "Redemption_storeId_receiptId_idx" ON "Redemption"("storeId", "receiptId");

-- CreateIndex
CREATE INDEX "Redemption_memberId_status_idx" ON "Redemption"("memberId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_idempotencyKey_key" ON "LedgerEntry"("idempotencyKey");

-- CreateIndex
CREATE INDEX "LedgerEntry_memberId_id_idx" ON "LedgerEntry"("memberId", "id");

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_referredById_fkey" FOREIGN KEY ("referredById") REFERENCES "Member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Purchase" ADD CONSTRAINT "Purchase_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Purchase" ADD CONSTRAINT "Purchase_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PurchaseItem" ADD CONSTRAINT "PurchaseItem_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Return" ADD CONSTRAINT "Return_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Redemption" ADD CONSTRAINT "Redemption_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Integrity the schema language cannot say: the database itself refuses a
-- negative balance, an impossible return, and any change to ledger history.
ALTER TABLE "Member" ADD CONSTRAINT "Member_balance_nonnegative" CHECK ("balance" >= 0);
ALTER TABLE "Purchase" ADD CONSTRAINT "Purchase_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "Purchase" ADD CONSTRAINT "Purchase_returned_within_amount" CHECK ("returnedAmount" >= 0 AND "returnedAmount" <= "amount");
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_points_nonzero" CHECK ("points" <> 0);
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_balance_nonnegative" CHECK ("balanceAfter" >= 0);

CREATE FUNCTION "ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LedgerEntry is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER "LedgerEntry_append_only" BEFORE UPDATE OR DELETE ON "LedgerEntry"
  FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();
