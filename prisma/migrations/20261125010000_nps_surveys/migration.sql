-- An NPS survey sent to a member after a purchase: at most one per purchase,
-- and the member is not asked again for program.surveys.nps.everyDays.
CREATE TABLE "NpsSurvey" (
    "id" SERIAL NOT NULL,
    "memberId" INTEGER NOT NULL,
    "storeId" INTEGER,
    "purchaseId" INTEGER NOT NULL,
    -- pending (being delivered) | sent | answered | dropped (could not be delivered: does not count)
    "status" TEXT NOT NULL DEFAULT 'pending',
    "askedAt" TIMESTAMP(3) NOT NULL,
    "answerId" INTEGER,
    -- The follow-up question's message: a reply to it is the detractor's comment.
    "commentMessageId" INTEGER,

    CONSTRAINT "NpsSurvey_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "NpsSurvey_purchaseId_key" ON "NpsSurvey"("purchaseId");
CREATE UNIQUE INDEX "NpsSurvey_answerId_key" ON "NpsSurvey"("answerId");
CREATE INDEX "NpsSurvey_memberId_askedAt_idx" ON "NpsSurvey"("memberId", "askedAt");

ALTER TABLE "NpsSurvey" ADD CONSTRAINT "NpsSurvey_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "NpsSurvey" ADD CONSTRAINT "NpsSurvey_answerId_fkey" FOREIGN KEY ("answerId") REFERENCES "NpsAnswer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
