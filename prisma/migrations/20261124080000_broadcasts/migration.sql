-- Broadcasts: a marketer's message to a segment, with A/B variants and a control group.
CREATE TABLE "Broadcast" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "segment" JSONB NOT NULL,
    "variants" JSONB NOT NULL,
    "controlBp" INTEGER NOT NULL DEFAULT 1000,
    "sampleBp" INTEGER NOT NULL DEFAULT 10000,
    "salt" TEXT NOT NULL,
    "paid" BOOLEAN NOT NULL DEFAULT false,
    "attributionDays" INTEGER NOT NULL DEFAULT 7,
    "parentId" INTEGER,
    "createdBy" TEXT,
    "startAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "progressChatId" BIGINT,
    "progressMessageId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- The broadcast's outbox: one row per (broadcast, member), never two.
CREATE TABLE "BroadcastDelivery" (
    "id" SERIAL NOT NULL,
    "broadcastId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "variant" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "notBefore" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimedBy" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "messageId" INTEGER,
    "sentAt" TIMESTAMP(3),
    "clickedAt" TIMESTAMP(3),
    "error" TEXT,
    CONSTRAINT "BroadcastDelivery_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "BroadcastDelivery_broadcastId_memberId_key" ON "BroadcastDelivery"("broadcastId", "memberId");
CREATE INDEX "BroadcastDelivery_broadcastId_status_id_idx" ON "BroadcastDelivery"("broadcastId", "status", "id");
CREATE INDEX "BroadcastDelivery_memberId_sentAt_idx" ON "BroadcastDelivery"("memberId", "sentAt");

ALTER TABLE "Broadcast" ADD CONSTRAINT "Broadcast_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Broadcast"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "BroadcastDelivery" ADD CONSTRAINT "BroadcastDelivery_broadcastId_fkey" FOREIGN KEY ("broadcastId") REFERENCES "Broadcast"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "BroadcastDelivery" ADD CONSTRAINT "BroadcastDelivery_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
