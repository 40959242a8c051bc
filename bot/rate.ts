import type { Transformer } from "grammy";

/**
 * One gate for everything this process sends to Telegram: the bot's replies,
 * the jobs' notices and the broadcasts. Telegram allows about 30 messages a
 * second to different chats together, so they share one budget, paced evenly
 * (no burst that the next second pays for); transactional messages (priority
 * 0) go before marketing ones (priority 1) whenever both wait. A 429 with
 * retry_after stops the whole gate for that long: Telegram is telling the
 * bot, not one chat, to slow down.
 */
export interface RateGate {
  take(priority: 0 | 1): Promise<void>;
  /** Nobody passes before `ms` from now (Telegram's retry_after). */
  pause(ms: number): void;
  readonly rps: number;
}

export function createRateGate(rps: number, clock: () => number = () => performance.now()): RateGate {
  // 4 % under the limit: with every send's slot `interval` after the last one's,
  // any one-second window holds at most floor(1000/interval)+1 sends — 29 at
  // 30/s, leaving room for the network jitter between our send and Telegram's
  // count (a pace of exactly 30/s put 31 in some window). A timer that fires
  // late is caught up by up to `slack`, so its lateness is not lost: at paid
  // rates timers are coarser than the interval, up to 50 ms; at low rates only
  // as far as puts no more sends in any window — floor((1000+slack)/interval)+1
  // stays 29 at 30/s. Without it every timer's lateness (~0.5 ms) added up, and
  // 30/s sent 28.3 a second (`bench broadcast`: 0.94 of the limit, target 0.95).
  const interval = 1040 / rps;
  const slack = rps >= 100 ? 50 : Math.max(0, (Math.floor(1000 / interval) + 1) * interval - 1000 - 0.5);
  const queues: (() => void)[][] = [[], []];
  let slot = 0;
  let pausedUntil = 0;
  let timer: NodeJS.Timeout | null = null;

  const waiting = () => (queues[0]?.length ?? 0) + (queues[1]?.length ?? 0);
  function pump() {
    timer = null;
    const now = clock();
    if (now < pausedUntil) return arm(pausedUntil - now);
    if (slot < now - slack) slot = now - slack;
    while (slot <= now && waiting() > 0) {
      const next = queues[0]?.shift() ?? queues[1]?.shift();
      next?.();
      slot += interval;
    }
    if (waiting() > 0) arm(slot - now);
  }
  function arm(ms: number) {
    if (timer) return;
    timer = setTimeout(pump, Math.max(0, ms));
  }
  return {
    rps,
    take(priority) {
      return new Promise<void>((resolve) => {
        // After an idle spell the pace starts afresh: the catch-up slack is for late timers, not a burst.
        const now = clock();
        if (waiting() === 0 && slot < now) slot = now;
        queues[priority]?.push(resolve);
        if (!timer) pump();
      });
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, clock() + ms);
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      arm(ms);
    },
  };
}

const SENDING = /^(send|copy|forward)/;

/** The gate as a grammY API transformer: sends wait their turn; a 429 pauses everyone. */
export function gated(gate: RateGate, priority: 0 | 1, paidGate?: RateGate): Transformer {
  return async (prev, method, payload, signal) => {
    if (!SENDING.test(method)) return prev(method, payload, signal);
    const g =
      paidGate && (payload as { allow_paid_broadcast?: boolean } | undefined)?.allow_paid_broadcast ? paidGate : gate;
    await g.take(priority);
    const res = await prev(method, payload, signal);
    if (!res.ok && res.error_code === 429) g.pause(Number(res.parameters?.retry_after ?? 1) * 1000);
    return res;
  };
}

/**
 * One chat's messages one at a time, each started at least `minTimeMs` after
 * the previous one (Telegram dislikes bursts into one chat). What
 * transformer-throttler's per-chat limiter did for private chats, without a
 * Bottleneck instance, its promise chain and timers per message: on the
 * busiest path (a reply to a chat that has nothing in flight, the everyday
 * case) a send passes straight through. Group chats (negative ids) keep
 * `groups`, whose per-minute allowance matters there.
 */
export function perChatSpacing(minTimeMs: number, groups?: Transformer): Transformer {
  interface Lane {
    tail: Promise<unknown>;
    lastStart: number;
    queued: number;
  }
  const lanes = new Map<string, Lane>();
  const sweep = (now: number) => {
    for (const [k, l] of lanes) if (l.queued === 0 && l.lastStart <= now - minTimeMs) lanes.delete(k);
  };
  return (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (typeof chatId !== "number" && typeof chatId !== "string") return prev(method, payload, signal);
    if (Number(chatId) < 0 && groups) return groups(prev, method, payload, signal);
    const key = String(chatId);
    const now = performance.now();
    let lane = lanes.get(key);
    if (!lane) {
      if (lanes.size >= 10_000) sweep(now);
      lane = { tail: Promise.resolve(), lastStart: -Infinity, queued: 0 };
      lanes.set(key, lane);
    }
    const l = lane;
    const start = () => {
      l.lastStart = performance.now();
      return prev(method, payload, signal);
    };
    let result: ReturnType<typeof prev>;
    if (l.queued === 0 && l.lastStart <= now - minTimeMs) result = start();
    else
      result = l.tail.then(async () => {
        const wait = l.lastStart + minTimeMs - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return start();
      });
    l.queued++;
    const settled = result.then(
      () => void l.queued--,
      () => void l.queued--,
    );
    l.tail = settled;
    return result;
  };
}
