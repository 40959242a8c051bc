/** Polls `check` until it holds (or fails after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A Russian-speaking shopper's way through enrollment after the intro:
 * consent, their own phone, name as Telegram has it, no birthday.
 */
export async function acceptEnrollment(u: {
  click(label: string): unknown;
  press(label: string): unknown;
  reply(): Promise<unknown>;
}) {
  u.click("✅ Согласен(на)");
  await u.reply();
  u.press("📱 Поделиться номером");
  await u.reply();
  u.click("Да, верно");
  await u.reply();
  u.click("Пропустить");
}
