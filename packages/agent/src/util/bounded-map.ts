// Maps an async stream through an async function with at most `concurrency` calls in flight.
// Pulls from the source only when a slot is free, so memory stays flat however long the stream.

/**
 * Yields `fn(item)` results in completion order.
 *
 * @example
 * for await (const rec of boundedMap(results, 64, (r) => fingerprint(r))) write(rec);
 */
export async function* boundedMap<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const iterator = source[Symbol.asyncIterator]();
  const running = new Map<number, Promise<{ key: number; result: R }>>();
  let nextKey = 0;
  let sourceDone = false;
  try {
    while (true) {
      while (!sourceDone && running.size < concurrency) {
        const step = await iterator.next();
        if (step.done) {
          sourceDone = true;
          break;
        }
        const key = nextKey++;
        running.set(
          key,
          fn(step.value).then((result) => ({ key, result })),
        );
      }
      if (running.size === 0) return;
      const { key, result } = await Promise.race(running.values());
      running.delete(key);
      yield result;
    }
  } finally {
    if (!sourceDone) await iterator.return?.();
    // Let in-flight calls settle so no rejection goes unhandled after an early exit.
    await Promise.allSettled(running.values());
  }
}
