/**
 * Single-key reads (and claims) that arrive together, answered by one
 * set-based statement. A busy bot handles many updates at once — the runner
 * takes a whole getUpdates batch — and each would otherwise send the same
 * small statement for its own key: on PGlite every statement is parsed,
 * planned and run on this thread (a card's read costs ~30× more alone than as
 * one of a hundred), and on PostgreSQL each is a round trip and a pooled
 * connection.
 *
 * Nothing is cached: a key's statement is sent after it was asked for, so
 * it sees every write committed before the call (read-your-writes holds as
 * with a statement of its own). Keys asked for in the same turn of the event
 * loop go together; while `concurrency` batches are out, new keys wait and
 * go together in the next one, so the batch grows with the load and a quiet
 * bot pays one setImmediate.
 */
export function coalesce<K, V>(
  run: (keys: K[]) => Promise<V[]>,
  opts: { concurrency?: number; maxBatch?: number } = {},
): (key: K) => Promise<V> {
  const concurrency = opts.concurrency ?? 1;
  const maxBatch = opts.maxBatch ?? 500;
  let queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let out = 0;
  let scheduled = false;

  function flush() {
    scheduled = false;
    while (queue.length > 0 && out < concurrency) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      out++;
      run(batch.map((b) => b.key))
        .then(
          (values) => {
            for (let i = 0; i < batch.length; i++) batch[i]?.resolve(values[i] as V);
          },
          (e: unknown) => {
            for (const b of batch) b.reject(e);
          },
        )
        .finally(() => {
          out--;
          if (queue.length > 0) schedule();
        });
    }
  }
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }
  return (key) =>
    new Promise<V>((resolve, reject) => {
      queue.push({ key, resolve, reject });
      schedule();
    });
}
