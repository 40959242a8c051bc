import { describe, expect, it } from "vitest";
import { broadcastDraftSchema, readTelegramHtml } from "../../domain/index.js";

describe("Telegram HTML", () => {
  it("When tags nest and close in order and entities are escaped, then it is read, and only what is shown counts", () => {
    const text = '<b>Чай <i>недели</i></b> &amp; <a href="https://example.com/?a=1&amp;b=2">кофе</a> &lt;3 &#8381;';
    expect(readTelegramHtml(text)).toEqual({ ok: true, length: "Чай недели & кофе <3 ₽".length });
    expect(
      readTelegramHtml('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler><pre><code>z</code></pre>'),
    ).toEqual({ ok: true, length: 3 });
    // An emoji past U+FFFF is two UTF-16 units to Telegram, as to JavaScript, as a character or an entity.
    expect(readTelegramHtml("😀 &#128512; &#x1F600; &#8381;")).toEqual({ ok: true, length: "😀 😀 😀 ₽".length });
  });

  it("When a <, > or & is bare, then it is refused with where and how to write it", () => {
    expect(readTelegramHtml("Цена <100 ₽")).toEqual({
      ok: false,
      problem: '"<" at character 6 starts no supported tag (write &lt;)',
    });
    expect(readTelegramHtml("a > b")).toEqual({
      ok: false,
      problem: '">" at character 3 is outside a tag (write &gt;)',
    });
    expect(readTelegramHtml("Чай & кофе")).toEqual({
      ok: false,
      problem: '"&" at character 5 starts no entity (write &amp;)',
    });
    expect(readTelegramHtml("&nbsp;").ok).toBe(false);
  });

  it("When a tag is unknown, closes another or is never closed, then it is refused", () => {
    expect(readTelegramHtml("<p>x</p>")).toEqual({
      ok: false,
      problem: '"<" at character 1 starts no supported tag (write &lt;)',
    });
    expect(readTelegramHtml("<b><i>x</b></i>")).toEqual({ ok: false, problem: "</b> at character 8 closes <i>" });
    expect(readTelegramHtml("x</b>")).toEqual({ ok: false, problem: "</b> at character 2 closes nothing" });
    expect(readTelegramHtml("<b>x")).toEqual({ ok: false, problem: "<b> is never closed" });
  });
});

describe("a broadcast's message", () => {
  const draft = (text: string, photo?: string) => ({
    name: "x",
    variants: [{ message: { text, ...(photo ? { photo } : {}) } }],
  });
  const problems = (d: unknown) => broadcastDraftSchema.safeParse(d).error?.issues.map((i) => i.message) ?? [];

  it("When the text is not Telegram HTML, or shows nothing, then the draft is refused and says why", () => {
    expect(problems(draft("Цена <100 ₽"))).toEqual([
      'not Telegram HTML: "<" at character 6 starts no supported tag (write &lt;)',
    ]);
    expect(problems(draft("<b></b>"))).toEqual(["the message shows no text, only tags"]);
  });

  it("When the limits are counted, then tags and entities count as shown: 1,024 for a caption, 4,096 for a text", () => {
    const caption = (n: number) => `<b>${"&amp;".repeat(n)}</b>`;
    expect(problems(draft(caption(1024), "AgAC-photo"))).toEqual([]);
    expect(problems(draft(caption(1025), "AgAC-photo"))).toEqual([
      "a photo's caption is at most 1024 characters as shown (this one is 1025)",
    ]);
    expect(problems(draft(caption(4096)))).toEqual([]);
    expect(problems(draft(caption(4097)))).toEqual([
      "a message is at most 4096 characters as shown (this one is 4097)",
    ]);
  });
});
