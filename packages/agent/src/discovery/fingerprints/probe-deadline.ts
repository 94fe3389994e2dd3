// The two ways a socket probe ends early, armed together: the caller's abort and the time limit.
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';

/**
 * Calls `fail` with ERR_ABORTED when `ctx.signal` aborts, or with ERR_TIMEOUT naming the phase
 * and the limit when `ctx.timeoutMs` runs out, whichever comes first. Returns the disarm
 * function the probe calls once it has settled. `phase` is read when the deadline fires, so the
 * message says how far the exchange got.
 *
 * @example
 * const disarm = armProbeDeadline(ctx, 'ssh banner 198.18.0.10:22', () => phase, finish);
 */
export function armProbeDeadline(
  ctx: ProbeContext,
  what: string,
  phase: () => string,
  fail: (err: ScannerError) => void,
): () => void {
  const onAbort = (): void =>
    fail(new ScannerError('ERR_ABORTED', `${what}: aborted during ${phase()}`));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      fail(
        new ScannerError(
          'ERR_TIMEOUT',
          `${what}: ${phase()} phase exceeded its ${ctx.timeoutMs} ms limit`,
        ),
      ),
    ctx.timeoutMs,
  );
  return () => {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  };
}
