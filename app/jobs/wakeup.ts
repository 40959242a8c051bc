/**
 * A nudge between whoever queues a job and the runner in this process: the
 * runner sleeps until its next poll or until nudged, so a job queued here
 * starts at once while jobs queued by other processes wait at most one poll.
 */
export interface Wakeup {
  notify(): void;
  /** Resolves on the next notify() or after `ms`, whichever is first. */
  wait(ms: number): Promise<void>;
}

export function createWakeup(): Wakeup {
  let waiting: (() => void) | null = null;
  let pending = false;
  return {
    notify() {
      if (waiting) {
        const w = waiting;
        waiting = null;
        w();
      } else pending = true;
    },
    wait(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting = null;
          resolve();
        }, ms);
        timer.unref?.();
        waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}
