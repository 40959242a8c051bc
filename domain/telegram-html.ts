/**
 * Telegram's HTML parse mode, as the Bot API documents it: only its tags,
 * each closed in order; `<`, `>` and `&` outside a tag or an entity escaped;
 * of named entities only `&lt;`, `&gt;`, `&amp;` and `&quot;`, numeric ones
 * all. Telegram refuses a text that breaks these at every send ("can't parse
 * entities"), so a broadcast is checked when it is created, not when a
 * hundred thousand sends fail. Its limits (4,096 characters, 1,024 for a
 * caption) count the text as shown: tags count nothing, an entity one.
 */
/** Telegram's longest message text and photo caption, in characters as shown (UTF-16 units). */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "tg-emoji",
  "tg-time",
  "code",
  "pre",
  "blockquote",
]);
const ENTITY = /^&(?:lt|gt|amp|quot|#(\d+|x[0-9a-f]+));/i;
const TAG = /^<(\/?)([a-z][a-z-]*)(?:\s[^<>]*)?>/i;

export type TelegramHtml = { ok: true; length: number } | { ok: false; problem: string };

/** Whether Telegram accepts `text` as HTML, and if so its length as shown; else what is wrong, and where. */
export function readTelegramHtml(text: string): TelegramHtml {
  const open: string[] = [];
  let length = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === "<") {
      const tag = TAG.exec(text.slice(i, i + 512));
      const name = tag?.[2]?.toLowerCase();
      if (!tag || !name || !TAGS.has(name))
        return { ok: false, problem: `"<" at character ${i + 1} starts no supported tag (write &lt;)` };
      if (tag[1]) {
        const last = open.pop();
        if (last !== name)
          return {
            ok: false,
            problem: last
              ? `</${name}> at character ${i + 1} closes <${last}>`
              : `</${name}> at character ${i + 1} closes nothing`,
          };
      } else open.push(name);
      i += tag[0].length;
    } else if (c === ">") {
      return { ok: false, problem: `">" at character ${i + 1} is outside a tag (write &gt;)` };
    } else if (c === "&") {
      const entity = ENTITY.exec(text.slice(i, i + 16));
      if (!entity) return { ok: false, problem: `"&" at character ${i + 1} starts no entity (write &amp;)` };
      // Telegram counts UTF-16 units: a character past U+FFFF (most emoji) is two.
      const n = entity[1] ?? "";
      const code = /^x/i.test(n) ? Number.parseInt(n.slice(1), 16) : Number(n);
      length += code > 0xffff ? 2 : 1;
      i += entity[0].length;
    } else {
      length++;
      i++;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) return { ok: false, problem: `<${unclosed}> is never closed` };
  return { ok: true, length };
}
