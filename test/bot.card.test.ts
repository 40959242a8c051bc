import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../app/db/database.js";
import type { Member } from "../generated/prisma/client.js";
import { readCardPicture } from "./support/barcodes.js";
import { startBot } from "./support/bot-harness.js";
import { testDatabases } from "./support/databases.js";
import { createStore, testClock } from "./support/fixtures.js";
import type { SimUser } from "./support/telegram-server.js";
import { waitFor } from "./support/wait.js";

const clock = testClock(new Date("2026-03-02T09:00:00Z"));

describe.each(testDatabases)("the card picture on $name", ({ open }) => {
  let db: Database;
  let h: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    db = await open();
    h = await startBot(db, { clock });
  });
  afterAll(async () => {
    await h?.stop();
    await db?.close();
  });

  async function member(language = "ru"): Promise<[SimUser, Member]> {
    const u = h.tg.user({ first_name: "Ирина", language_code: language });
    const m = await h.services.members.enroll({ telegramId: u.id, chatId: u.id, firstName: "Ирина", phone: u.phone });
    return [u, m];
  }

  const photoCalls = (u: SimUser) => h.tg.callsTo(u.id, "sendPhoto");

  it("When a member sends /card, then a photo arrives whose barcode and QR a scanner reads as the member code", async () => {
    const [u, m] = await member();
    u.send("/card");
    const msg = await u.reply();
    // Telegram keeps thumbnails beside the picture; the last size is the picture itself.
    expect(msg.photo?.map((p: { width: number }) => p.width)).toEqual([90, 320, 726]);
    const fileId = msg.photo?.at(-1)?.file_id as string;
    const picture = h.tg.photos.get(fileId);
    expect(picture).toBeDefined();
    const read = readCardPicture(picture?.content as Buffer);
    expect(read).toEqual({ barcode: m.memberCode, format: "CODE_128", qr: m.memberCode });
    // The code in the caption is a code entity: one tap copies it.
    const caption = msg.caption ?? "";
    const entity = (msg.caption_entities as { type: string; offset: number; length: number }[])[0];
    expect(entity?.type).toBe("code");
    expect(caption.slice(entity?.offset, (entity?.offset ?? 0) + (entity?.length ?? 0))).toBe(m.memberCode);
    // How points are spent is under the card.
    expect(caption).toMatch(/Баллами можно оплатить до 30\s?% чека: 1 балл = 1\s?₽\. Баллы сгорают через 12 месяцев/);
    expect(msg.reply_markup?.keyboard).toBeDefined();
  });

  it("When the member asks for the card again, then Telegram's file_id is sent and nothing is uploaded", async () => {
    const [u] = await member();
    u.send("/card");
    const first = await u.reply();
    u.press("💳 Моя карта");
    const second = await u.reply();
    const [up, again] = photoCalls(u);
    expect(up?.uploads).toHaveLength(1);
    expect(again?.uploads).toEqual([]);
    expect(again?.payload.photo).toBe(first.photo?.at(-1)?.file_id);
    expect(second.photo?.at(-1)?.file_id).toBe(first.photo?.at(-1)?.file_id);
    expect(second.caption).toBe(first.caption);
  });

  it("When a member sends /card with the bot's name, then the card arrives with the balance of a purchase just posted", async () => {
    const [u, m] = await member();
    const store = await createStore(db);
    await h.services.purchases.recordPurchase({
      storeId: store.id,
      member: { id: m.id },
      receiptId: `n${m.id}`,
      amountKopecks: 50_000,
    });
    u.send(`/card@${h.tg.username}`);
    // The purchase's own notice may arrive first: look for the card itself.
    await waitFor(() => u.inbox.some((msg) => msg.photo));
    expect(u.inbox.find((msg) => msg.photo)?.caption).toMatch(/Баланс: 115 баллов/);
  });

  it("When the member code changes, then a new picture of the new code is drawn and uploaded", async () => {
    const [u, m] = await member();
    u.send("/card");
    await u.reply();
    const code = String(90_000_000 + (m.id % 10_000_000));
    await db.prisma.member.update({ where: { id: m.id }, data: { memberCode: code } });
    u.send("/card");
    const msg = await u.reply();
    expect(photoCalls(u)[1]?.uploads).toHaveLength(1);
    const read = readCardPicture(h.tg.photos.get(msg.photo?.at(-1)?.file_id as string)?.content as Buffer);
    expect(read.barcode).toBe(code);
  });

  it("When Telegram no longer knows the stored file_id, then the card is uploaded again and the new file_id kept", async () => {
    const [u] = await member();
    u.send("/card");
    const first = await u.reply();
    h.tg.photos.delete(first.photo?.at(-1)?.file_id as string);
    u.send("/card");
    const second = await u.reply();
    expect(second.photo?.at(-1)?.file_id).not.toBe(first.photo?.at(-1)?.file_id);
    u.send("/card");
    await u.reply();
    const calls = photoCalls(u);
    expect(calls.map((c) => c.uploads.length)).toEqual([1, 0, 1, 0]);
    expect(calls[3]?.payload.photo).toBe(second.photo?.at(-1)?.file_id);
  });

  it("When an English-speaking member sends /card, then the caption and tier are in English", async () => {
    const [u] = await member("en");
    u.send("/card");
    const caption = (await u.reply()).caption ?? "";
    expect(caption).toMatch(/Balance: 100 points/);
    expect(caption).toMatch(/Tier: Base — 3\s?% cashback/);
    expect(caption).toMatch(
      /Points pay for up to 30\s?% of a receipt: 1 point = RUB\s?1|Points pay for up to 30\s?% of a receipt: 1 point = ₽1/,
    );
  });

  it("When a shopper asks for /help, then it says how points are spent: the 30 % cap, 1 point = 1 ₽, the 12-month expiry", async () => {
    const [u] = await member();
    u.send("/help");
    expect((await u.reply()).text).toMatch(
      /Баллами можно оплатить до 30\s?% чека: 1 балл = 1\s?₽\. Баллы сгорают через 12 месяцев после покупки/,
    );
  });

  it("When points expire in another year, then the date says the year", async () => {
    const [u, m] = await member();
    const store = await createStore(db);
    clock.set(new Date("2025-01-10T09:00:00Z"));
    await h.services.purchases.recordPurchase({
      storeId: store.id,
      member: { id: m.id },
      receiptId: `y${m.id}`,
      amountKopecks: 100_000,
    });
    clock.set(new Date("2025-12-20T09:00:00Z"));
    try {
      u.send("/card");
      // The purchase's own notice may arrive in between: look for the card itself.
      await waitFor(() => u.inbox.some((m) => m.photo));
      expect(u.inbox.find((m) => m.photo)?.caption).toMatch(/• 30 баллов — 10 января 2026/);
    } finally {
      clock.set(new Date("2026-03-02T09:00:00Z"));
    }
  });
});
