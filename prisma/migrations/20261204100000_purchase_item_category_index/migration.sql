-- History by category ("who bought coffee, and when last"): offers' conditions and the
-- replenishment trigger find a category's lines without reading every line, then the
-- purchase (member, time) by its key. A member's own history walks Purchase(memberId, at)
-- and then the lines by (purchaseId, category) without visiting the heap of other lines.
CREATE INDEX "PurchaseItem_category_purchaseId_idx" ON "PurchaseItem"("category", "purchaseId");
DROP INDEX "PurchaseItem_purchaseId_idx";
CREATE INDEX "PurchaseItem_purchaseId_category_idx" ON "PurchaseItem"("purchaseId", "category");
