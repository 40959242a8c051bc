-- When the member's birthday was entered or last changed: the birthday bonus is
-- not paid for a birthday set within gamification.birthday.minAgeOfBirthdayDays.
ALTER TABLE "Member" ADD COLUMN "birthdaySetAt" TIMESTAMP(3);
UPDATE "Member" SET "birthdaySetAt" = "createdAt" WHERE birthday IS NOT NULL;
