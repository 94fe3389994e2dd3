// Resolves distinct hostnames with bounded concurrency, keeping each name's outcome (never throws per name).
import { ScannerError } from '../../errors.js';
import { raceAbort } from './abortable.js';
import { parseAddressDetailed, type NumericAddress } from './address.js';
import type { Resolver } from './dns-resolver.js';

export const DEFAULT_RESOLVE_CONCURRENCY = 16;

/**
 * Resolves each name once, at most `concurrency` at a time. Each name maps to its addresses in
 * the resolver's order (deduplicated, IPv4-mapped ones as IPv4) or to the Error that explains
 * why it has none. Rejects with ERR_ABORTED only when `signal` aborts.
 * @example const byName = await resolveNames(['db1.example.com'], resolve, signal)
 */
export async function resolveNames(
  names: readonly string[],
  resolve: Resolver,
  signal: AbortSignal,
  concurrency = DEFAULT_RESOLVE_CONCURRENCY,
): Promise<Map<string, NumericAddress[] | Error>> {
  const out = new Map<string, NumericAddress[] | Error>();
  const aborted = (): ScannerError =>
    new ScannerError('ERR_ABORTED', 'hostname resolution was aborted');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      if (signal.aborted) throw aborted();
      const name = names[next++] as string;
      try {
        const found = await raceAbort(Promise.resolve(resolve(name, signal)), signal, aborted);
        const addresses: NumericAddress[] = [];
        const seen = new Set<string>();
        for (const { address } of Array.isArray(found) ? found : []) {
          const r = parseAddressDetailed(String(address));
          const key = r.ok ? `${r.value.family}:${r.value.value}` : '';
          if (r.ok && !seen.has(key)) {
            seen.add(key);
            addresses.push(r.value);
          }
        }
        out.set(name, addresses.length > 0 ? addresses : new Error('no usable address'));
      } catch (err) {
        if (signal.aborted) throw aborted();
        out.set(name, err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, names.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}
