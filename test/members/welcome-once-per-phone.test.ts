import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import { defaultProgram } from "../../domain/index.js";
import { testDatabases } from "../support/databases.js";
import { servicesFor, uniquePhone } from "../support/fixtures.js";

/**
 * Deleting one's data and enrolling again with the same phone must not farm
 * the welcome bonus. Only a keyed hash of the phone outlives the deletion.
 */
describe.each(testDatabases)("the welcome bonus, once per phone, on $name", ({ open }) => {
  let db: Database;
  let s: Services;
  beforeAll(async () => {
    db = await open();
    s = servicesFor(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("When a shopper deletes their data and enrolls again with the same phone, then there is no second welcome bonus", async () => {
    const phone = uniquePhone();
    const first = await s.members.enroll({ telegramId: 9_100_001, chatId: 9_100_001, phone });
    expect(first.balance).toBe(defaultProgram.welcomeBonusPoints);
    expect(await s.members.wasMemberBefore(phone)).toBe(true);

    await s.members.deleteData(first.id);
    const again = await s.members.enroll({ telegramId: 9_100_001, chatId: 9_100_001, phone });
    expect(again.id).not.toBe(first.id);
    expect(again.balance).toBe(0);
    expect(await db.prisma.ledgerEntry.count({ where: { memberId: again.id, kind: "welcome" } })).toBe(0);
    expect(await s.members.wasMemberBefore(phone)).toBe(true);
  });

  it("When a new phone enrolls, then it gets the bonus and was no member before; the number itself is not kept", async () => {
    const phone = uniquePhone();
    expect(await s.members.wasMemberBefore(phone)).toBe(false);
    const m = await s.members.enroll({ telegramId: 9_100_002, chatId: 9_100_002, phone });
    expect(m.balance).toBe(defaultProgram.welcomeBonusPoints);
    await s.members.deleteData(m.id);
    const digits = phone.replace(/\D/g, "");
    const rows = await db.query<{ hash: string }>(`SELECT hash FROM "KnownPhone"`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.hash.includes(digits))).toBe(false);
    expect(await db.prisma.member.count({ where: { phone } })).toBe(0);
  });

  it("When a member who joined before phones were remembered deletes their data, then their phone is remembered then", async () => {
    const phone = uniquePhone();
    const m = await s.members.enroll({ telegramId: 9_100_003, chatId: 9_100_003, phone });
    // As if enrolled before the KnownPhone table existed.
    await db.exec(`DELETE FROM "KnownPhone"`);
    expect(await s.members.wasMemberBefore(phone)).toBe(false);
    await s.members.deleteData(m.id);
    expect(await s.members.wasMemberBefore(phone)).toBe(true);
    expect((await s.members.enroll({ telegramId: 9_100_004, chatId: 9_100_004, phone })).balance).toBe(0);
  });
});
