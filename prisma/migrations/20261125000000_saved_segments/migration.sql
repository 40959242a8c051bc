-- A segment a marketer defines once (a condition of the condition language)
-- and reuses for broadcasts; names are unique so a marketer can pick by name.
CREATE TABLE "Segment" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Segment_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "Segment_name_key" ON "Segment"("name");
