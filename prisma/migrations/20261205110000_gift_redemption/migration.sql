-- A gift is handed over once: when and in which store the cashier redeemed its code.
ALTER TABLE "OfferMember" ADD COLUMN "giftRedeemedAt" TIMESTAMP(3);
ALTER TABLE "OfferMember" ADD COLUMN "giftStoreId" INTEGER;
