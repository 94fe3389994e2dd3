// Streams the addresses to sweep from specs minus exclusions: sorted, deduplicated, flat memory.
import type { Target } from '../types.js';
import { formatIpv6, numberToIpv4, type NumericAddress } from './address.js';
import { createDnsResolver, type Resolver } from './dns-resolver.js';
import { intervalsContain, mergeIntervals, subtractIntervals, type Interval } from './intervals.js';
import { DEFAULT_RESOLVE_CONCURRENCY, resolveNames } from './resolve-names.js';
import { describeSpec, specIntervals, type HostnameSpec, type TargetSpec } from './spec.js';

export interface ExpandOptions {
  /** Aborting ends the generator at its next step (it returns; it does not throw). */
  signal: AbortSignal;
  /** Resolves hostnames (targets and exclusions); defaults to createDnsResolver(). */
  resolve?: Resolver;
  /** Told about hostnames skipped because they did not resolve or resolved into an exclusion. */
  onWarning?: (message: string) => void;
  /** Hostnames resolved at once; default 16. */
  concurrency?: number;
}

interface NamedAddress {
  value: bigint;
  hostname: string;
}

/**
 * Yields each address to sweep once: all IPv4 in ascending order, then all IPv6. Memory is
 * O(specs + hostnames), never O(addresses): specs are merged into disjoint intervals and the
 * exclusions (addresses, CIDRs, ranges, and hostnames at all their addresses) subtracted
 * before the walk, and each address is produced only when the consumer pulls it.
 *
 * Hostnames are resolved on the first pull (all of them, so ordering and dedup hold); a
 * hostname sweeps the first address its resolver returns and is yielded with `hostname` set,
 * also when that address lies in a range. A name that does not resolve is reported through
 * `onWarning` and skipped. Size limits are not checked here: call checkSize(countAddresses())
 * first.
 * @example
 * for await (const target of expandTargets(specs, excludes, { signal })) await probe(target);
 */
export async function* expandTargets(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[],
  opts: ExpandOptions,
): AsyncGenerator<Target, void, undefined> {
  const { signal } = opts;
  const warn = opts.onWarning ?? ((): void => undefined);
  if (signal.aborted) return;

  const excludedNames = new Set(
    excludes.flatMap((s) => (s.kind === 'hostname' ? [s.hostname] : [])),
  );
  const targetNames = new Map<string, HostnameSpec>();
  for (const spec of specs) {
    if (spec.kind === 'hostname' && !excludedNames.has(spec.hostname)) {
      if (!targetNames.has(spec.hostname)) targetNames.set(spec.hostname, spec);
    }
  }
  let resolved: Map<string, NumericAddress[] | Error> = new Map();
  if (excludedNames.size + targetNames.size > 0) {
    try {
      resolved = await resolveNames(
        [...excludedNames, ...targetNames.keys()],
        opts.resolve ?? createDnsResolver(),
        signal,
        opts.concurrency ?? DEFAULT_RESOLVE_CONCURRENCY,
      );
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }

  const cut = specIntervals(excludes, 'match');
  for (const spec of excludes) {
    if (spec.kind !== 'hostname') continue;
    const r = resolved.get(spec.hostname);
    if (r instanceof Error || r === undefined) {
      warn(
        `exclusion ${describeSpec(spec)} did not resolve (${r?.message ?? 'no answer'}); only that name is excluded`,
      );
      continue;
    }
    for (const a of r) (a.family === 4 ? cut.v4 : cut.v6).push({ first: a.value, last: a.value });
  }
  const cut4 = mergeIntervals(cut.v4);
  const cut6 = mergeIntervals(cut.v6);

  const hosts4: NamedAddress[] = [];
  const hosts6: NamedAddress[] = [];
  const seen = new Set<string>();
  for (const [name, spec] of targetNames) {
    const r = resolved.get(name);
    if (r instanceof Error || r === undefined) {
      warn(`${describeSpec(spec)} did not resolve (${r?.message ?? 'no answer'}); skipping it`);
      continue;
    }
    const first = r[0] as NumericAddress;
    const text = first.family === 4 ? numberToIpv4(Number(first.value)) : formatIpv6(first.value);
    if (intervalsContain(first.family === 4 ? cut4 : cut6, first.value)) {
      warn(`${describeSpec(spec)} resolves to ${text}, which is excluded; skipping it`);
      continue;
    }
    const key = `${first.family}:${first.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (first.family === 4 ? hosts4 : hosts6).push({ value: first.value, hostname: name });
  }
  const byValue = (a: NamedAddress, b: NamedAddress): number =>
    a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  hosts4.sort(byValue);
  hosts6.sort(byValue);

  const sweep = specIntervals(specs, 'sweep');
  yield* walk(4, subtractIntervals(sweep.v4, cut4), hosts4, signal);
  yield* walk(6, subtractIntervals(sweep.v6, cut6), hosts6, signal);
}

/** Merges the interval walk with the sorted hostname addresses, one address per pull. */
async function* walk(
  family: 4 | 6,
  intervals: readonly Interval[],
  hosts: readonly NamedAddress[],
  signal: AbortSignal,
): AsyncGenerator<Target, void, undefined> {
  const format =
    family === 4 ? (v: bigint): string => numberToIpv4(Number(v)) : (v: bigint) => formatIpv6(v);
  const named = (host: NamedAddress): Target => ({
    address: format(host.value),
    family,
    hostname: host.hostname,
  });
  let h = 0;
  for (const { first, last } of intervals) {
    for (; h < hosts.length && (hosts[h] as NamedAddress).value < first; h++) {
      if (signal.aborted) return;
      yield named(hosts[h] as NamedAddress);
    }
    for (let v = first; v <= last; v++) {
      if (signal.aborted) return;
      const host = hosts[h];
      if (host !== undefined && host.value === v) {
        h++;
        yield named(host);
      } else {
        yield { address: format(v), family };
      }
    }
  }
  for (; h < hosts.length; h++) {
    if (signal.aborted) return;
    yield named(hosts[h] as NamedAddress);
  }
}
