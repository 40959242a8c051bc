import type { MessageEntity } from "grammy/types";

/**
 * A message as the marketer formatted it in their Telegram client (entities)
 * → Telegram HTML, the form broadcasts are stored and sent in. Offsets are
 * UTF-16 code units, as JavaScript strings count them. Entities Telegram
 * nests are nested here; kinds HTML cannot carry (mentions, hashtags…) stay
 * plain text, which is what they are. Any other text put into Telegram HTML
 * goes through escapeHtml: its &, < and > escaped.
 */
export const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function tags(e: MessageEntity): [string, string] | null {
  switch (e.type) {
    case "bold":
      return ["<b>", "</b>"];
    case "italic":
      return ["<i>", "</i>"];
    case "underline":
      return ["<u>", "</u>"];
    case "strikethrough":
      return ["<s>", "</s>"];
    case "spoiler":
      return ["<tg-spoiler>", "</tg-spoiler>"];
    case "code":
      return ["<code>", "</code>"];
    case "pre":
      return ["<pre>", "</pre>"];
    case "blockquote":
      return ["<blockquote>", "</blockquote>"];
    case "text_link":
      return [`<a href="${escapeHtml(e.url).replace(/"/g, "&quot;")}">`, "</a>"];
    default:
      return null;
  }
}

export function entitiesToHtml(text: string, entities: readonly MessageEntity[] = []): string {
  const opens = new Map<number, string[]>();
  const closes = new Map<number, string[]>();
  // Outer entities first (earlier start, then longer), so closing tags come out in reverse order.
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  for (const e of sorted) {
    const t = tags(e);
    if (!t) continue;
    opens.set(e.offset, [...(opens.get(e.offset) ?? []), t[0]]);
    const end = e.offset + e.length;
    closes.set(end, [t[1], ...(closes.get(end) ?? [])]);
  }
  let out = "";
  for (let i = 0; i <= text.length; i++) {
    out += (closes.get(i) ?? []).join("");
    out += (opens.get(i) ?? []).join("");
    if (i < text.length) out += escapeHtml(text.charAt(i));
  }
  return out;
}

/**
 * The part of a message from `from` on (what follows a command) as HTML, with
 * the formatting the marketer gave it there; an entity that starts before
 * `from` (the command's own) is left out.
 */
export function tailToHtml(text: string, entities: readonly MessageEntity[] = [], from: number): string {
  const tail = entities.filter((e) => e.offset >= from).map((e) => ({ ...e, offset: e.offset - from }));
  return entitiesToHtml(text.slice(from), tail);
}
