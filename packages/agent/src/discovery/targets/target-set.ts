// Compiled target sets for membership tests (exclusions, credential scopes), and hostname resolution of specs.
import type { Target } from '../types.js';
import { parseAddressDetailed } from './address.js';
import { createDnsResolver, type Resolver } from './dns-resolver.js';
import { intervalsContain } from './intervals.js';
import { resolveNames } from './resolve-names.js';
import { describeSpec, specIntervals, type AddressSpec, type TargetSpec } from './spec.js';

/** Membership over compiled specs; lookups are O(log specs). */
export interface TargetSet {
  /**
   * True when `address` (IPv4 or IPv6 text; IPv4-mapped counts as IPv4) lies in an address,
   * CIDR or range spec. CIDRs match whole, network and broadcast included. Hostname specs
   * match here only after resolveSpecs turned them into addresses. Non-addresses are false.
   */
  contains(address: string): boolean;
  /** contains(target.address), or the target's hostname equals a hostname spec (any case). */
  matches(target: Target): boolean;
}

/**
 * Compiles specs into a TargetSet (used for exclusions and the vault's credential scopes).
 * @example
 * const scope = compileTargetSet(parseTargets(['10.0.0.0/8', 'db1.example.com']));
 * scope.contains('10.1.2.3'); // true
 * scope.matches({ address: '192.0.2.7', family: 4, hostname: 'DB1.example.com' }); // true
 */
export function compileTargetSet(specs: readonly TargetSpec[]): TargetSet {
  const { v4, v6 } = specIntervals(specs, 'match');
  const names = new Set(specs.flatMap((s) => (s.kind === 'hostname' ? [s.hostname] : [])));
  const contains = (address: string): boolean => {
    const r = parseAddressDetailed(address);
    if (!r.ok) return false;
    return intervalsContain(r.value.family === 4 ? v4 : v6, r.value.value);
  };
  return {
    contains,
    matches(target) {
      if (contains(target.address)) return true;
      const name = target.hostname?.toLowerCase().replace(/\.$/, '');
      return name !== undefined && names.has(name);
    },
  };
}

export interface ResolveSpecsOptions {
  signal: AbortSignal;
  /** Defaults to createDnsResolver(). */
  resolve?: Resolver;
  /** Told about each hostname that does not resolve (it stays, matching by name only). */
  onWarning?: (message: string) => void;
}

/**
 * Returns the specs with, after each hostname spec, one address spec per address it resolves
 * to (`hostname` set), so compileTargetSet matches those addresses. Every address counts, not
 * just the first: a scope or exclusion naming a host covers all of it. A name that does not
 * resolve is warned about and kept; rejects with ERR_ABORTED when `signal` aborts.
 * @example const scope = compileTargetSet(await resolveSpecs(parseTargets(cred.scope), { signal }))
 */
export async function resolveSpecs(
  specs: readonly TargetSpec[],
  opts: ResolveSpecsOptions,
): Promise<TargetSpec[]> {
  const names = [...new Set(specs.flatMap((s) => (s.kind === 'hostname' ? [s.hostname] : [])))];
  const resolved = await resolveNames(names, opts.resolve ?? createDnsResolver(), opts.signal);
  const out: TargetSpec[] = [];
  const warned = new Set<string>();
  for (const spec of specs) {
    out.push(spec);
    if (spec.kind !== 'hostname') continue;
    const r = resolved.get(spec.hostname);
    if (r instanceof Error || r === undefined) {
      if (!warned.has(spec.hostname)) {
        warned.add(spec.hostname);
        opts.onWarning?.(`${describeSpec(spec)} did not resolve (${r?.message ?? 'no answer'})`);
      }
      continue;
    }
    for (const address of r) {
      const resolvedSpec: AddressSpec = {
        kind: 'address',
        family: address.family,
        first: address.value,
        last: address.value,
        token: spec.token,
        hostname: spec.hostname,
      };
      if (spec.source) resolvedSpec.source = spec.source;
      out.push(resolvedSpec);
    }
  }
  return out;
}
