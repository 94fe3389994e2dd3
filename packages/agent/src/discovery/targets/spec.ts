// Parsed target specs, the limits that guard them, and the sweep/broadcast rule applied to each.
import { formatAddress, type NumericAddress } from './address.js';
import { mergeIntervals, type Interval } from './intervals.js';

interface SpecBase {
  /** The token as the user wrote it. */
  token: string;
  /** `file:line` when the token came from an @file. */
  source?: string;
}

/** One address. `hostname` is set when resolveSpecs produced it from a hostname spec. */
export interface AddressSpec extends SpecBase {
  kind: 'address';
  family: 4 | 6;
  first: bigint;
  last: bigint;
  hostname?: string;
}

/** A CIDR block; `first`/`last` span the whole network even when the token had host bits set. */
export interface CidrSpec extends SpecBase {
  kind: 'cidr';
  family: 4 | 6;
  first: bigint;
  last: bigint;
  prefix: number;
}

/** A dash range, inclusive at both ends. */
export interface RangeSpec extends SpecBase {
  kind: 'range';
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

/** A DNS name (RFC 1123), lower-cased, without a trailing dot. */
export interface HostnameSpec extends SpecBase {
  kind: 'hostname';
  hostname: string;
}

export type IntervalSpec = AddressSpec | CidrSpec | RangeSpec;
export type TargetSpec = IntervalSpec | HostnameSpec;

/** Guards against hostile or mistaken input; docs/targets.md lists them. */
export const TARGET_LIMITS = {
  /** Longest single token (an @path may be long; an address or hostname never is). */
  maxTokenLength: 1024,
  /** Largest @file read, in bytes. */
  maxFileBytes: 8 * 1024 * 1024,
  /** Most tokens in one parseTargets call, @files included. */
  maxTokens: 100_000,
  /** Most invalid tokens listed in one error message. */
  maxReportedErrors: 20,
  /** Sweeps larger than this need allowLarge (--allow-large). */
  confirmAbove: 65_536n,
  /** No sweep is larger than this, even with allowLarge: a /8. */
  hardCeiling: 1n << 24n,
} as const;

/**
 * The addresses a spec sweeps. An IPv4 CIDR of /30 or shorter loses its network and broadcast
 * addresses (nothing answers there, and a broadcast probe can reach every host); /31 and /32
 * keep both (RFC 3021), IPv6 has no broadcast, and dash ranges and single addresses are swept
 * exactly as written. Matching (exclusions, scopes) always uses the whole spec.
 * @example sweepInterval(parseTargets(['10.0.0.0/24'])[0]) // { first: 10.0.0.1, last: 10.0.0.254 } as numbers
 */
export function sweepInterval(spec: IntervalSpec): Interval {
  if (spec.kind === 'cidr' && spec.family === 4 && spec.prefix <= 30) {
    return { first: spec.first + 1n, last: spec.last - 1n };
  }
  return { first: spec.first, last: spec.last };
}

/** Sorted disjoint intervals per family, from each spec's sweep or whole interval. */
export interface FamilyIntervals {
  v4: Interval[];
  v6: Interval[];
}

/**
 * Merges the interval specs of a list per family; hostnames are ignored.
 * @example specIntervals(parseTargets(['10.0.0.0/24', '10.0.0.7']), 'sweep').v4.length // 1
 */
export function specIntervals(
  specs: readonly TargetSpec[],
  mode: 'sweep' | 'match',
): FamilyIntervals {
  const v4: Interval[] = [];
  const v6: Interval[] = [];
  for (const spec of specs) {
    if (spec.kind === 'hostname') continue;
    const interval =
      mode === 'sweep' ? sweepInterval(spec) : { first: spec.first, last: spec.last };
    (spec.family === 4 ? v4 : v6).push(interval);
  }
  return { v4: mergeIntervals(v4), v6: mergeIntervals(v6) };
}

/**
 * Canonical text for a spec: the address, `network/prefix`, `first-last` or the hostname.
 * @example formatSpec(parseTargets(['10.0.0.9/24'])[0]) // '10.0.0.0/24'
 */
export function formatSpec(spec: TargetSpec): string {
  if (spec.kind === 'hostname') return spec.hostname;
  const at = (value: bigint): string =>
    formatAddress({ family: spec.family, value } as NumericAddress);
  if (spec.kind === 'address') return at(spec.first);
  if (spec.kind === 'cidr') return `${at(spec.first)}/${spec.prefix}`;
  return `${at(spec.first)}-${at(spec.last)}`;
}

/**
 * Where a spec came from, for messages: `token` or `token (file:line)`.
 * @example describeSpec(spec) // 'db1.example.com (targets.txt:4)'
 */
export function describeSpec(spec: TargetSpec): string {
  return spec.source ? `${spec.token} (${spec.source})` : spec.token;
}
