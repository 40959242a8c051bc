-- One referral per friend: its state and, when refused or held, the reason an admin reads.
CREATE TABLE "Referral" (
    "id" SERIAL NOT NULL,
    "referrerId" INTEGER NOT NULL,
    "friendId" INTEGER NOT NULL,
    -- pending (until the first purchase) | qualifying (first purchase made, return window open)
    -- | rewarded | refused | held (for an admin) | cancelled (the first purchase was returned)
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "purchaseId" INTEGER,
    "qualifiesAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Referral_friendId_key" ON "Referral"("friendId");
CREATE INDEX "Referral_referrerId_createdAt_idx" ON "Referral"("referrerId", "createdAt");
CREATE INDEX "Referral_purchaseId_idx" ON "Referral"("purchaseId");

ALTER TABLE "Referral" ADD CONSTRAINT "Referral_referrerId_fkey" FOREIGN KEY ("referrerId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Referral" ADD CONSTRAINT "Referral_friendId_fkey" FOREIGN KEY ("friendId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
