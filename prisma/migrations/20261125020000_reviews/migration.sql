-- A member's review of one receipt: one per purchase, by its buyer.
CREATE TABLE "Review" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "storeId" INTEGER NOT NULL,
    "purchaseId" INTEGER NOT NULL,
    "rating" INTEGER NOT NULL,
    "comment" TEXT,
    "photoFileId" TEXT,
    -- pending | approved | rejected
    "status" TEXT NOT NULL DEFAULT 'pending',
    -- Points the approval credited (0: rejected, pending, or over the weekly cap).
    "rewardPoints" INTEGER NOT NULL DEFAULT 0,
    -- The "add a comment or a photo" message: a reply to it is the review's comment.
    "promptMessageId" INTEGER,
    "moderatedBy" TEXT,
    "moderatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "review_rating_range" CHECK ("rating" BETWEEN 1 AND 5)
);

CREATE UNIQUE INDEX "Review_purchaseId_key" ON "Review"("purchaseId");
CREATE INDEX "Review_storeId_status_idx" ON "Review"("storeId", "status");
CREATE INDEX "Review_memberId_createdAt_idx" ON "Review"("memberId", "createdAt");

ALTER TABLE "Review" ADD CONSTRAINT "Review_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Review" ADD CONSTRAINT "Review_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Review" ADD CONSTRAINT "Review_purchaseId_fkey" FOREIGN KEY ("purchaseId") REFERENCES "Purchase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
