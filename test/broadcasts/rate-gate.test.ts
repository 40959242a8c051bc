import { afterEach, describe, expect, it, vi } from "vitest";
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

  describe("with timers that fire late, as a busy process's do", () => {
    afterEach(() => {
      vi.restoreAllMocks();
      vi.useRealTimers();
    });

    /**
     * `count` sends through a 30/s gate on a clock of the test's own, each of the gate's timers firing
     * `lateness(i)` ms after it was due: the times the sends went, as the gate saw them.
     */
    async function sendTimes(count: number, lateness: (i: number) => number): Promise<number[]> {
      vi.useFakeTimers();
      let now = 1_000;
      const delays: number[] = [];
      const setTimer = globalThis.setTimeout;
      vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
        delays.push(ms ?? 0);
        return setTimer(fn, ms);
      }) as typeof setTimeout);
      const gate = createRateGate(30, () => now);
      const sent: number[] = [];
      for (let i = 0; i < count; i++) void gate.take(1).then(() => sent.push(now));
      for (let i = 0; sent.length < count; i++) {
        await vi.advanceTimersByTimeAsync(0);
        const due = delays.at(-1) ?? 0;
        now += due + lateness(i);
        await vi.advanceTimersByTimeAsync(due);
      }
      return sent;
    }
    const mostInAnySecond = (times: number[]) =>
      Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));

    it("When each timer fires up to 2 ms late, then 30/s sends at least 28.5 a second", async () => {
      const times = await sendTimes(300, (i) => [0.3, 1.2, 0.7, 2, 0.1, 1.6][i % 6] ?? 0);
      const perSecond = (times.length - 1) / (((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000);
      expect(perSecond).toBeGreaterThanOrEqual(28.5);
      expect(mostInAnySecond(times)).toBeLessThanOrEqual(29);
    });

    it("When a timer fires far later than the rest, then no one-second window holds more than 29", async () => {
      // One timer 8 or 30 ms late, then thirty and more on time: a late send caught up whole would put
      // the 30th after it inside its second.
      const times = await sendTimes(300, (i) => (i % 40 === 5 ? 8 : i % 40 === 25 ? 30 : 0));
      expect(times).toHaveLength(300);
      expect(mostInAnySecond(times)).toBeLessThanOrEqual(29);
    });
  });
});
