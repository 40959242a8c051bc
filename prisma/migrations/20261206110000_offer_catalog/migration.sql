-- The till keeps the general offers (those for every member) in memory (app/offers/catalog.ts)
-- and checks, in the purchase's own first statement, that what it keeps is still this version.
-- Every change of a general offer but its budget's counters (which purchases move, and which the
-- till reads live) moves the version, whichever process makes it. A member's own offers (the
-- nightly scan makes thousands) are read by the till each time, so they move nothing.
CREATE TABLE "OfferCatalog" (
    "id" INTEGER NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "OfferCatalog_pkey" PRIMARY KEY ("id")
);
INSERT INTO "OfferCatalog" ("id", "version") VALUES (1, 0);

CREATE FUNCTION "offer_catalog_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "OfferCatalog" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "Offer_catalog_insert" AFTER INSERT ON "Offer"
  FOR EACH ROW WHEN (NEW."memberId" IS NULL) EXECUTE FUNCTION "offer_catalog_bump"();
CREATE TRIGGER "Offer_catalog_delete" AFTER DELETE ON "Offer"
  FOR EACH ROW WHEN (OLD."memberId" IS NULL) EXECUTE FUNCTION "offer_catalog_bump"();
-- UPDATE OF lists every column but "spentPoints" and "redemptions": a purchase taking from a
-- budget moves nothing.
CREATE TRIGGER "Offer_catalog_update" AFTER UPDATE OF
    "id", "titleRu", "titleEn", "textRu", "textEn", "picture", "condition", "reward", "startsAt", "endsAt",
    "storeIds", "regions", "budgetPoints", "budgetRedemptions", "perMemberLimit", "needsActivation", "status",
    "memberId", "cause", "trigger", "historyDays", "readsLines", "createdBy", "createdAt", "updatedAt"
  ON "Offer" FOR EACH ROW WHEN (OLD."memberId" IS NULL OR NEW."memberId" IS NULL)
  EXECUTE FUNCTION "offer_catalog_bump"();
CREATE TRIGGER "Offer_catalog_truncate" AFTER TRUNCATE ON "Offer"
  FOR EACH STATEMENT EXECUTE FUNCTION "offer_catalog_bump"();
