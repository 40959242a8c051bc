/**
 * Retries a unit of work that lost a race the database resolved for us: a
 * unique violation from a concurrent duplicate (the retry then finds the
 * winner's row and answers with it), a serialization failure or a deadlock.
 */
const RETRYABLE_PRISMA = new Set(["P2002", "P2034"]);
const RETRYABLE_SQLSTATE = new Set(["23505", "40001", "40P01"]);

export function isRetryable(e: unknown): boolean {
  const err = e as { code?: unknown; meta?: { code?: unknown }; cause?: unknown } | null;
  if (!err || typeof err !== "object") return false;
  if (typeof err.code === "string" && (RETRYABLE_PRISMA.has(err.code) || RETRYABLE_SQLSTATE.has(err.code))) return true;
  if (typeof err.meta?.code === "string" && RETRYABLE_SQLSTATE.has(err.meta.code)) return true;
  return err.cause !== undefined && err.cause !== e && isRetryable(err.cause);
}

export async function withRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isRetryable(e)) throw e;
    }
  }
}
