import { describe, expect, it } from "vitest";
import { createRateGate } from "../../bot/rate.js";

/**
 * The one rate gate for everything the bot sends: broadcasts wait behind
 * replies and notices (the 429 pause is exercised by the 429-storm test in
 * delivery.test.ts, through the fake Bot API).
 */
describe("the shared rate gate", () => {
  it("When broadcast messages and a transactional one wait together, then the transactional one goes next", async () => {
    const gate = createRateGate(50);
    const order: string[] = [];
    const waits = [1, 2, 3].map((i) => gate.take(1).then(() => order.push(`broadcast ${i}`)));
    const notice = gate.take(0).then(() => order.push("notice"));
    await Promise.all([...waits, notice]);
    // The first broadcast was due at once; the notice overtakes the ones still waiting.
    expect(order).toEqual(["broadcast 1", "notice", "broadcast 2", "broadcast 3"]);
  });
});
