import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/db/database.js";
import type { Services } from "../../app/services/index.js";
import { defaultProgram } from "../../domain/index.js";
import { testDatabases } from "../support/databases.js";
import { servicesFor, uniquePhone } from "../support/fixtures.js";

/**
 * Updates handled at the same time share one statement for their update
 * claims, their members and their cards (app/db/batch.ts). Asked together,
 * each asker must still get exactly its own answer, as if asked alone.
 */
describe.each(testDatabases)("reads asked together, on $name", ({ open }) => {
  let db: Database;
  let s: Services;
  beforeAll(async () => {
    db = await open();
    s = servicesFor(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("When the same update is claimed several times at once among others, then exactly one of its claims wins and every other update is claimed once", async () => {
    const base = 7_700_000;
    const asked = [base, base + 1, base, base + 2, base, base + 1];
    const won = await Promise.all(asked.map((id) => s.updates.claim(id)));
    expect(won.filter((w, i) => w && asked[i] === base)).toHaveLength(1);
    expect(won.filter((w, i) => w && asked[i] === base + 1)).toHaveLength(1);
    expect(won.filter((w, i) => w && asked[i] === base + 2)).toHaveLength(1);
    // The first asker of each id is the one that wins, as with statements one after another.
    expect(won).toEqual([true, true, false, true, false, false]);
    expect(await Promise.all([base, base + 2, base + 3].map((id) => s.updates.claim(id)))).toEqual([
      false,
      false,
      true,
    ]);
  });

  it("When members and their cards are read at once, then each asker gets its own member and card, and a stranger gets none", async () => {
    const ids = [8_800_001, 8_800_002, 8_800_003];
    const enrolled = [];
    for (const [i, telegramId] of ids.entries())
      enrolled.push(
        await s.members.enroll({ telegramId, chatId: telegramId, phone: uniquePhone(), firstName: `N${i}` }),
      );
    await s.members.deleteData(enrolled[2]?.id ?? 0);

    const found = await Promise.all([...ids, 8_800_009, ids[0] ?? 0].map((t) => s.members.find({ telegramId: t })));
    // The third deleted their data: their Telegram id is gone with it.
    expect(found.map((m) => m?.firstName ?? null)).toEqual(["N0", "N1", null, null, "N0"]);
    expect(found.map((m) => m === null)).toEqual([false, false, true, true, false]);
    // Two askers of the same member get rows of their own (a handler may change its copy).
    expect(found[0]).not.toBe(found[4]);

    const live = enrolled.slice(0, 2).map((m) => m.id);
    const results = await Promise.allSettled(
      [live[0], live[1], enrolled[2]?.id, live[0]].map((id) => s.cards.card(id ?? 0)),
    );
    const cards = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    expect(cards.map((c) => c?.firstName ?? null)).toEqual(["N0", "N1", null, "N0"]);
    expect(cards.map((c) => c?.balance ?? null)).toEqual([
      defaultProgram.welcomeBonusPoints,
      defaultProgram.welcomeBonusPoints,
      null,
      defaultProgram.welcomeBonusPoints,
    ]);
    expect(cards[0]?.memberCode).toBe(enrolled[0]?.memberCode);
    expect(cards[1]?.memberCode).toBe(enrolled[1]?.memberCode);
    const refused = results[2];
    expect(refused?.status === "rejected" && (refused.reason as { code?: string }).code).toBe("MEMBER.NOT_FOUND");
  });
});
