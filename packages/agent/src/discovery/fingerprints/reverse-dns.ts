// Reverse DNS (PTR) for a discovered address, through a node:dns Resolver with a deadline and abort.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';

export interface ReverseDnsOptions {
  /** DNS servers (`127.0.0.1:5353`, `[::1]:53`); default: the system's resolv.conf servers. */
  servers?: string[];
}

/** Names kept from one answer: a hostile server may return many long PTR records. */
const MAX_NAMES = 16;
const MAX_NAME_CHARS = 253;

/** Answers that mean "no PTR for this address" (NXDOMAIN, NOERROR without data), not a failure. */
const NO_NAME = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A resolver for one lookup: one try, `timeoutMs` per query, the given servers (default: the
 * system's). Throws ERR_CONFIG_INVALID for an unusable server list.
 */
export function openResolver(what: string, timeoutMs: number, servers?: string[]): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (servers) {
    try {
      resolver.setServers(servers);
    } catch (err) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `${what}: bad DNS server list ${JSON.stringify(servers)}`,
        { cause: err },
      );
    }
  }
  return resolver;
}

/**
 * The PTR query name of an address: `10.0.18.198.in-addr.arpa`, or 32 nibbles then `ip6.arpa`
 * (RFC 3596 §2.5); undefined when `address` is not an IP address.
 */
export function reverseName(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  if (family !== 6) return undefined;
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill =
    tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  const nibbles = [...left, ...fill, ...right].map((h) => h.padStart(4, '0')).join('');
  return `${nibbles.split('').reverse().join('.')}.ip6.arpa`;
}

/**
 * The PTR names of `address`, lower-cased, without the trailing dot, at most 16; [] when the
 * server says it has none (NXDOMAIN or no data). One try per server with `timeoutMs` each, and
 * an overall deadline of `timeoutMs` that cancels the query.
 *
 * Errors: ERR_TIMEOUT (no answer in time), ERR_UNREACHABLE (server refused the query port),
 * ERR_PROTOCOL (SERVFAIL, REFUSED, malformed answer), ERR_TARGET_INVALID (not an IP address),
 * ERR_CONFIG_INVALID (unusable `servers`), ERR_ABORTED.
 *
 * @example
 * await reverseDns('198.18.0.10', { signal, timeoutMs: 2000, servers: ['127.0.0.1:5353'] })
 * // → ['ssh.lab.example']
 */
export async function reverseDns(
  address: string,
  ctx: ProbeContext & ReverseDnsOptions,
): Promise<string[]> {
  const what = `reverse dns ${address}`;
  const name = reverseName(address);
  if (!name) throw new ScannerError('ERR_TARGET_INVALID', `${what}: not an IP address`);
  if (ctx.signal.aborted)
    throw new ScannerError('ERR_ABORTED', `${what}: aborted before the query`);
  const resolver = openResolver(what, ctx.timeoutMs, ctx.servers);

  let stopped: ScannerError | undefined;
  const stop = (err: ScannerError): void => {
    stopped ??= err;
    resolver.cancel();
  };
  const onAbort = (): void =>
    stop(new ScannerError('ERR_ABORTED', `${what}: aborted during the query`));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      stop(
        new ScannerError(
          'ERR_TIMEOUT',
          `${what}: query phase exceeded its ${ctx.timeoutMs} ms limit`,
        ),
      ),
    ctx.timeoutMs,
  );
  try {
    // resolvePtr, not reverse(): reverse() goes through getHostByAddr, which reports a dead or
    // refusing server as ENOTFOUND, indistinguishable from "no name".
    const names = await resolver.resolvePtr(name);
    return [...new Set(names.map((n) => n.replace(/\.$/, '').toLowerCase()))]
      .filter((n) => n !== '' && n.length <= MAX_NAME_CHARS)
      .slice(0, MAX_NAMES);
  } catch (err) {
    if (stopped) throw stopped;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (NO_NAME.has(code)) return [];
    if (code === 'ETIMEOUT') {
      throw new ScannerError(
        'ERR_TIMEOUT',
        `${what}: query phase exceeded its ${ctx.timeoutMs} ms limit`,
        { cause: err },
      );
    }
    if (code === 'ECONNREFUSED') {
      throw new ScannerError(
        'ERR_UNREACHABLE',
        `${what}: nothing listens on the DNS server's port`,
        { cause: err },
      );
    }
    if (code === 'EREFUSED' || code === 'ESERVFAIL') {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${what}: the DNS server answered ${code.slice(1)} for ${name}`,
        { cause: err },
      );
    }
    throw new ScannerError('ERR_PROTOCOL', `${what}: ${code || (err as Error).message}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
