-- CreateTable
CREATE TABLE "ProcessedUpdate" (
    "updateId" BIGINT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProcessedUpdate_pkey" PRIMARY KEY ("updateId")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "KnownPhone" (
    "hash" TEXT NOT NULL,
    "firstEnrolledAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KnownPhone_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE INDEX "ProcessedUpdate_at_idx" ON "ProcessedUpdate"("at");
