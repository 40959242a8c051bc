-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('pos', 'admin');

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "role" "ApiKeyRole" NOT NULL DEFAULT 'pos',
ALTER COLUMN "storeId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "NpsAnswer" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "storeId" INTEGER,
    "score" INTEGER NOT NULL,
    "comment" TEXT,
    "answeredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NpsAnswer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoreReceiptDay" (
    "storeId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "receipts" INTEGER NOT NULL,

    CONSTRAINT "StoreReceiptDay_pkey" PRIMARY KEY ("storeId","day")
);

-- CreateTable
CREATE TABLE "DashboardLogin" (
    "tokenHash" TEXT NOT NULL,
    "telegramId" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "DashboardLogin_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "DashboardSession" (
    "tokenHash" TEXT NOT NULL,
    "telegramId" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DashboardSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "NpsAnswer_answeredAt_idx" ON "NpsAnswer"("answeredAt");

-- CreateIndex
CREATE INDEX "DashboardSession_expiresAt_idx" ON "DashboardSession"("expiresAt");

-- CreateIndex
CREATE INDEX "Purchase_at_idx" ON "Purchase"("at");

-- AddForeignKey
ALTER TABLE "NpsAnswer" ADD CONSTRAINT "NpsAnswer_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NpsAnswer" ADD CONSTRAINT "NpsAnswer_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoreReceiptDay" ADD CONSTRAINT "StoreReceiptDay_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- A POS key belongs to one store; an admin key to none.
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_role_store" CHECK (("role" = 'pos') = ("storeId" IS NOT NULL));
ALTER TABLE "NpsAnswer" ADD CONSTRAINT "NpsAnswer_score_range" CHECK ("score" BETWEEN 0 AND 10);
ALTER TABLE "StoreReceiptDay" ADD CONSTRAINT "StoreReceiptDay_receipts_nonnegative" CHECK ("receipts" >= 0);
