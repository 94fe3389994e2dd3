// Forward-confirmed DNS names of an address: which of its PTR names resolve (A or AAAA) back to
// it. Only such a name may stand for the address where trust depends on it (a WinRM certificate
// that names the host's FQDN): a PTR record alone says whatever the reverse zone's owner wants.
import { isIP } from 'node:net';
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';
import { openResolver, reverseName, type ReverseDnsOptions } from './reverse-dns.js';

/** Names looked up per address: each is a query, and a host rarely has more than a couple. */
export const MAX_CONFIRMED_NAMES = 4;
/** Addresses whose answers a NameConfirmer keeps (then it starts over). */
const MAX_CACHED = 4096;
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;

export interface ForwardConfirmation {
  /** Names whose A (IPv4 address) or AAAA (IPv6) records include the address, lower-cased. */
  confirmed: string[];
  /** The others, each with why (no record, other addresses, no answer, not a host name…). */
  unconfirmed: { name: string; reason: string }[];
}

/**
 * Which of `names` (PTR names of `address`) resolve back to it: one A query (IPv4) or AAAA query
 * (IPv6) per name, at most MAX_CONFIRMED_NAMES of them, all together under one deadline of
 * `timeoutMs`. A name that does not answer in time is unconfirmed, not an error.
 *
 * Errors: ERR_TARGET_INVALID (address), ERR_CONFIG_INVALID (unusable `servers`), ERR_ABORTED.
 *
 * @example
 * await forwardConfirm('198.18.0.30', ['win1.lab.test'], { signal, timeoutMs: 2000 })
 * // → { confirmed: ['win1.lab.test'], unconfirmed: [] }
 */
export async function forwardConfirm(
  address: string,
  names: readonly string[],
  ctx: ProbeContext & ReverseDnsOptions,
): Promise<ForwardConfirmation> {
  const what = `forward dns for ${address}`;
  const family = isIP(address);
  if (family === 0) throw new ScannerError('ERR_TARGET_INVALID', `${what}: not an IP address`);
  const out: ForwardConfirmation = { confirmed: [], unconfirmed: [] };
  const asked: string[] = [];
  for (const raw of new Set(names.map((n) => n.trim().replace(/\.$/, '').toLowerCase()))) {
    if (!HOST_NAME.test(raw) || isIP(raw) !== 0) {
      out.unconfirmed.push({ name: raw.slice(0, 253), reason: 'not a DNS host name' });
    } else if (asked.length >= MAX_CONFIRMED_NAMES) {
      out.unconfirmed.push({
        name: raw,
        reason: `not looked up (the first ${MAX_CONFIRMED_NAMES} names only)`,
      });
    } else asked.push(raw);
  }
  if (asked.length === 0) return out;
  if (ctx.signal.aborted)
    throw new ScannerError('ERR_ABORTED', `${what}: aborted before the queries`);
  const resolver = openResolver(what, ctx.timeoutMs, ctx.servers);
  let stopped: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort'): void => {
    stopped ??= why;
    resolver.cancel();
  };
  const onAbort = (): void => stop('abort');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop('timeout'), ctx.timeoutMs);
  const record = family === 4 ? 'A' : 'AAAA';
  const wanted = reverseName(address);
  try {
    const answers = await Promise.all(
      asked.map(async (name) => {
        try {
          const found =
            family === 4 ? await resolver.resolve4(name) : await resolver.resolve6(name);
          return { name, found };
        } catch (err) {
          return { name, code: (err as NodeJS.ErrnoException).code ?? '' };
        }
      }),
    );
    if (stopped === 'abort')
      throw new ScannerError('ERR_ABORTED', `${what}: aborted during the queries`);
    for (const a of answers) {
      if (a.found) {
        if (a.found.some((f) => reverseName(f) === wanted)) out.confirmed.push(a.name);
        else
          out.unconfirmed.push({
            name: a.name,
            reason: `its ${record} records do not include ${address}`,
          });
      } else
        out.unconfirmed.push({ name: a.name, reason: failure(a.code ?? '', record, ctx, stopped) });
    }
    return out;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function failure(
  code: string,
  record: string,
  ctx: { timeoutMs: number },
  stopped: 'timeout' | 'abort' | undefined,
): string {
  if (code === 'ENOTFOUND') return 'the name does not exist';
  if (code === 'ENODATA') return `no ${record} record`;
  if (code === 'ETIMEOUT' || (code === 'ECANCELLED' && stopped === 'timeout'))
    return `no answer within ${ctx.timeoutMs} ms`;
  return `the lookup failed (${code || 'unknown error'})`;
}

/**
 * forwardConfirm with the scan's resolver settings, answers kept per address and names (a host
 * is confirmed once however many credentials or protocols try it). Failed lookups (an abort, a
 * bad server list) are not kept.
 */
export class NameConfirmer {
  readonly #settings: ReverseDnsOptions & { timeoutMs: number };
  readonly #cache = new Map<string, Promise<ForwardConfirmation>>();

  constructor(settings: ReverseDnsOptions & { timeoutMs: number }) {
    this.#settings = settings;
  }

  confirm(
    address: string,
    names: readonly string[],
    signal: AbortSignal,
  ): Promise<ForwardConfirmation> {
    const key = `${address} ${names.join(' ')}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    const answer = forwardConfirm(address, names, { ...this.#settings, signal });
    this.#cache.set(key, answer);
    answer.catch(() => this.#cache.delete(key));
    return answer;
  }
}
