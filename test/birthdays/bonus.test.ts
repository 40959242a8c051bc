import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import { startBot } from "../support/bot-harness.js";
import { testDatabases } from "../support/databases.js";
import { testClock, uniquePhone } from "../support/fixtures.js";

/**
 * The birthday bonus through the jobs and the fake Bot API: credited once, a
 * few days before the birthday in the member's own date, with a note; not for
 * a birthday entered within the last 30 days; not for a birthday further off.
 */
describe.each(testDatabases)("the birthday bonus on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;
  const clock = testClock(new Date("2026-01-10T08:00:00Z"));

  beforeAll(async () => {
    db = await open();
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function member(birthday: string) {
    const u = h.tg.user({ first_name: "Вера", language_code: "ru" });
    const m = await h.services.members.enroll({
      telegramId: u.id,
      chatId: u.id,
      phone: uniquePhone(),
      firstName: "Вера",
      birthday: new Date(`${birthday}T00:00:00Z`),
    });
    return { u, m };
  }
  const bonuses = (memberId: number) =>
    db.prisma.ledgerEntry.findMany({ where: { memberId, kind: "birthday" }, select: { points: true } });

  it("When a birthday is three days off, then the bonus is credited once with a note, and not for a birthday entered lately or further off", async () => {
    const old = await member("1990-03-05");
    const far = await member("1985-03-20");
    clock.set(new Date("2026-02-20T08:00:00Z"));
    const fresh = await member("1992-03-05"); // entered 10 days before the run
    clock.set(new Date("2026-03-02T07:00:00Z")); // 10:00 in Moscow, three days before 5 March

    await h.services.birthdays.queueDue();
    await h.idle();
    await h.services.birthdays.queueDue(); // the daily run again (or a second process): nothing more
    await h.idle();

    expect(await bonuses(old.m.id)).toEqual([{ points: 200 }]);
    expect(await bonuses(fresh.m.id)).toEqual([]);
    expect(await bonuses(far.m.id)).toEqual([]);
    const notes = old.u.inbox.filter((x) => x.text?.startsWith("🎂"));
    expect(notes.map((x) => x.text)).toEqual(["🎂 С наступающим днём рождения! Дарим 200 баллов. Баланс: 300 баллов."]);

    // Next year the same member gets next year's bonus.
    clock.set(new Date("2027-03-03T07:00:00Z"));
    await h.services.birthdays.queueDue();
    await h.idle();
    expect(await bonuses(old.m.id)).toEqual([{ points: 200 }, { points: 200 }]);
  });
});
