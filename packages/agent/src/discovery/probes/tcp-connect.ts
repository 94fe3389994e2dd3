// One TCP connect probe for callers outside the sweep (re-checks, single ports); same verdicts.
import { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import { classifyConnectError } from '../sweep/connect-pool.js';
import type { ProbeContext } from '../types.js';

/** `filtered` = no answer within the time limit; `unreachable` = ICMP error or failed ARP. */
export type TcpPortState = 'open' | 'closed' | 'filtered' | 'unreachable';

export interface TcpProbeResult {
  state: TcpPortState;
  /** Time to the answer (ms); null when filtered. */
  rttMs: number | null;
}

/**
 * Connects once to address:port and tears the connection down with a RST as soon as the
 * answer is known. Resource errors (EMFILE, EADDRNOTAVAIL…) are thrown as ERR_IO rather than
 * reported as a port state: they say nothing about the target. Aborting throws ERR_ABORTED.
 *
 * @example
 * const { state } = await probeTcpPort('198.18.0.10', 22, { signal, timeoutMs: 1000 });
 */
export function probeTcpPort(
  address: string,
  port: number,
  ctx: ProbeContext,
): Promise<TcpProbeResult> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new ScannerError('ERR_ABORTED', 'tcp probe aborted', { cause: ctx.signal.reason }));
      return;
    }
    const socket = new Socket();
    const started = performance.now();
    let done = false;
    const finish = (err: ScannerError | null, r?: TcpProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (r?.state === 'open') socket.resetAndDestroy();
      else socket.destroy();
      if (err) reject(err);
      else resolve(r!);
    };
    const onAbort = (): void =>
      finish(new ScannerError('ERR_ABORTED', 'tcp probe aborted', { cause: ctx.signal.reason }));
    const timer = setTimeout(() => finish(null, { state: 'filtered', rttMs: null }), ctx.timeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () =>
      finish(null, { state: 'open', rttMs: performance.now() - started }),
    );
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const verdict = classifyConnectError(e.code);
      const rttMs = performance.now() - started;
      if (verdict === 'resource')
        finish(new ScannerError('ERR_IO', `tcp probe ${address}:${port}: ${e.code}`, { cause: e }));
      else if (verdict === 'closed') finish(null, { state: 'closed', rttMs });
      else if (verdict === 'timeout') finish(null, { state: 'filtered', rttMs: null });
      else finish(null, { state: 'unreachable', rttMs });
    });
    socket.connect({ port, host: address });
  });
}
