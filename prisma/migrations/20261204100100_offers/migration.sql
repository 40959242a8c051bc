-- Personalized offers and triggers (domain/offers.ts, app/offers/).
-- Offer points are their own ledger kind, so metrics and the audit tell them from accrual.
ALTER TYPE "LedgerKind" ADD VALUE 'offer';
-- CreateTable
CREATE TABLE "Offer" (
    "id" SERIAL NOT NULL,
    "titleRu" TEXT NOT NULL,
    "titleEn" TEXT NOT NULL,
    "textRu" TEXT NOT NULL,
    "textEn" TEXT NOT NULL,
    "picture" TEXT,
    "condition" JSONB NOT NULL,
    "reward" JSONB NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "endsAt" TIMESTAMP(3) NOT NULL,
    "storeIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "regions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "budgetPoints" INTEGER,
    "budgetRedemptions" INTEGER,
    "spentPoints" INTEGER NOT NULL DEFAULT 0,
    "redemptions" INTEGER NOT NULL DEFAULT 0,
    "perMemberLimit" INTEGER NOT NULL DEFAULT 1,
    "needsActivation" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "memberId" INTEGER,
    "cause" TEXT,
    "trigger" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Offer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OfferMember" (
    "offerId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "activatedAt" TIMESTAMP(3),
    "uses" INTEGER NOT NULL DEFAULT 0,
    "giftCode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OfferMember_pkey" PRIMARY KEY ("offerId","memberId")
);

-- CreateTable
CREATE TABLE "OfferApplication" (
    "id" SERIAL NOT NULL,
    "offerId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "purchaseId" INTEGER NOT NULL,
    "points" INTEGER NOT NULL,
    "reversedPoints" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OfferApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OfferAudit" (
    "id" SERIAL NOT NULL,
    "offerId" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OfferAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cart" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "storeId" INTEGER NOT NULL,
    "cartKey" TEXT NOT NULL,
    "items" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cart_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Offer_cause_key" ON "Offer"("cause");

-- CreateIndex
CREATE INDEX "Offer_status_memberId_idx" ON "Offer"("status", "memberId");

-- CreateIndex
CREATE UNIQUE INDEX "OfferMember_giftCode_key" ON "OfferMember"("giftCode");

-- CreateIndex
CREATE INDEX "OfferMember_memberId_idx" ON "OfferMember"("memberId");

-- CreateIndex
CREATE INDEX "OfferApplication_offerId_idx" ON "OfferApplication"("offerId");

-- CreateIndex
CREATE UNIQUE INDEX "OfferApplication_purchaseId_offerId_key" ON "OfferApplication"("purchaseId", "offerId");

-- CreateIndex
CREATE INDEX "OfferAudit_offerId_at_idx" ON "OfferAudit"("offerId", "at");

-- CreateIndex
CREATE INDEX "Cart_memberId_createdAt_idx" ON "Cart"("memberId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Cart_storeId_cartKey_key" ON "Cart"("storeId", "cartKey");

-- AddForeignKey
ALTER TABLE "OfferMember" ADD CONSTRAINT "OfferMember_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OfferApplication" ADD CONSTRAINT "OfferApplication_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OfferAudit" ADD CONSTRAINT "OfferAudit_offerId_fkey" FOREIGN KEY ("offerId") REFERENCES "Offer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The budget is never exceeded, whatever the code does: the purchase's conditional UPDATE
-- is the rule, these are the floor under it.
ALTER TABLE "Offer" ADD CONSTRAINT "offer_budget_points" CHECK ("budgetPoints" IS NULL OR "spentPoints" <= "budgetPoints");
ALTER TABLE "Offer" ADD CONSTRAINT "offer_budget_redemptions" CHECK ("budgetRedemptions" IS NULL OR "redemptions" <= "budgetRedemptions");
ALTER TABLE "OfferApplication" ADD CONSTRAINT "offer_application_reversal" CHECK ("reversedPoints" >= 0 AND "reversedPoints" <= "points");
