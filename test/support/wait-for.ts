// Polling for tests that wait on another process or a server: a bound that only ends a broken
// run, not a timing assertion.

export interface WaitOptions {
  /** Pause between two checks; 50 ms unless told. */
  intervalMs?: number;
  /** Checks at the most; 1200 unless told. */
  tries?: number;
  /** Gives up this long after the first check as well (for checks that take a while themselves). */
  limitMs?: number;
}

/**
 * Calls `check` until it returns a value other than undefined and returns that value; a check
 * that throws counts as not yet (the last error is named if it gives up).
 *
 * @example
 *   const row = await waitFor('the agent online', async () => (await agent())?.online || undefined);
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { intervalMs = 50, tries = 1200, limitMs }: WaitOptions = {},
): Promise<T> {
  const deadline = limitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + limitMs;
  let last: unknown;
  for (let i = 0; i < tries && Date.now() < deadline; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
