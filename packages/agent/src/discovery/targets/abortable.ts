// Races a promise against an AbortSignal, for calls (dns.lookup, injected resolvers) that ignore it.

/**
 * Settles like `promise`, or rejects with `reason()` as soon as `signal` aborts; the listener is
 * removed either way. The abandoned promise keeps running but its outcome is ignored.
 * @example await raceAbort(lookup(name, { all: true }), signal, () => new Error('aborted'))
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  reason: () => Error,
): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
