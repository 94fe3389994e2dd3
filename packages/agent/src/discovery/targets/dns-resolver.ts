// The default hostname resolver: node:dns lookup (all addresses) bounded by a timeout and a signal.
import { lookup as dnsLookup } from 'node:dns/promises';
import { ScannerError } from '../../errors.js';
import { raceAbort } from './abortable.js';

/** An address a name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a hostname to its addresses; rejects when it does not resolve or `signal` aborts.
 * expandTargets and resolveSpecs call it once per distinct name; tests inject a fake.
 */
export type Resolver = (name: string, signal: AbortSignal) => Promise<ResolvedAddress[]>;

/** The shape of node:dns/promises `lookup` with `{ all: true }`, injectable for tests. */
export type LookupAll = (
  name: string,
  options: { all: true },
) => Promise<{ address: string; family: number }[]>;

export const DEFAULT_DNS_TIMEOUT_MS = 5_000;

/**
 * Builds a Resolver over node:dns `lookup` (getaddrinfo: hosts file, DNS, mDNS as the OS is
 * configured). getaddrinfo cannot be cancelled, so the timeout and the signal end the wait, not
 * the lookup. Failures are ScannerErrors: ERR_UNREACHABLE (no such name), ERR_TIMEOUT,
 * ERR_ABORTED.
 * @example const resolve = createDnsResolver({ timeoutMs: 2000 }); await resolve('localhost', signal)
 */
export function createDnsResolver(opts: { timeoutMs?: number; lookup?: LookupAll } = {}): Resolver {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const lookup: LookupAll = opts.lookup ?? ((name, options) => dnsLookup(name, options));
  return async (name, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    let found: { address: string; family: number }[];
    try {
      found = await raceAbort(lookup(name, { all: true }), both, () =>
        signal.aborted
          ? new ScannerError('ERR_ABORTED', `DNS lookup of ${name} was aborted`)
          : new ScannerError(
              'ERR_TIMEOUT',
              `DNS lookup of ${name} timed out after ${timeoutMs} ms`,
            ),
      );
    } catch (err) {
      if (err instanceof ScannerError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOTFOUND' ? 'no such name' : ((err as Error).message ?? String(err));
      throw new ScannerError('ERR_UNREACHABLE', `DNS lookup of ${name} failed: ${why}`, {
        cause: err,
      });
    }
    return found
      .filter((a) => a.family === 4 || a.family === 6)
      .map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
  };
}
