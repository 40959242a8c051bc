import { describe, expect, it } from "vitest";
import { loadConfig } from "../app/config.js";

/**
 * Telegram sends the webhook secret in a header on every request; it must
 * not be the bot token (which gives full control of the bot) nor reveal it.
 */
describe("the default webhook secret", () => {
  const token = "123456789:AAH-kopilka_example-token-abcdefghij";
  const secretFor = (t: string) => loadConfig({ BOT_TOKEN: t, WEBHOOK_URL: "https://example.org/tg" }).webhookSecret;

  it("When WEBHOOK_SECRET is unset, then the secret is derived one-way from the token and Telegram accepts its form", () => {
    const secret = secretFor(token) ?? "";
    expect(secret).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(secret).not.toContain(token.split(":")[1]);
    for (let i = 0; i + 8 <= token.length; i++) expect(secret).not.toContain(token.slice(i, i + 8));
    // Stable across restarts (Telegram keeps the one set at start), different per bot.
    expect(secretFor(token)).toBe(secret);
    expect(secretFor(token.replace(/j$/, "k"))).not.toBe(secret);
  });

  it("When WEBHOOK_SECRET is set, then it is used as given", () => {
    expect(loadConfig({ BOT_TOKEN: token, WEBHOOK_SECRET: "s3cret-token_42" }).webhookSecret).toBe("s3cret-token_42");
  });
});
