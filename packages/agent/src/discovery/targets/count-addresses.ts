// Counts the addresses a sweep covers and enforces the size limits before anything is sent.
import { ScannerError } from '../../errors.js';
import { intervalsSize, subtractIntervals } from './intervals.js';
import { TARGET_LIMITS, specIntervals, type TargetSpec } from './spec.js';

/**
 * The number of addresses expandTargets would sweep, without resolving anything: overlaps
 * count once, network/broadcast addresses of IPv4 CIDRs /30 and shorter are left out, and
 * address exclusions are subtracted. Each distinct hostname counts as 1 unless excluded by
 * name; hostname exclusions are not resolved here, so the count is an upper bound then.
 * @example countAddresses(parseTargets(['10.0.0.0/24']), parseTargets(['10.0.0.0/28'])) // 239n
 */
export function countAddresses(
  specs: readonly TargetSpec[],
  excludes: readonly TargetSpec[] = [],
): bigint {
  const sweep = specIntervals(specs, 'sweep');
  const cut = specIntervals(excludes, 'match');
  const excludedNames = new Set(
    excludes.flatMap((s) => (s.kind === 'hostname' ? [s.hostname] : [])),
  );
  const names = new Set(
    specs.flatMap((s) =>
      s.kind === 'hostname' && !excludedNames.has(s.hostname) ? [s.hostname] : [],
    ),
  );
  return (
    intervalsSize(subtractIntervals(sweep.v4, cut.v4)) +
    intervalsSize(subtractIntervals(sweep.v6, cut.v6)) +
    BigInt(names.size)
  );
}

/**
 * Enforces the sweep size limits: above 65,536 addresses needs `allowLarge` (--allow-large),
 * and nothing above 2^24 (a /8) runs at all, so an IPv6 /64 cannot sweep forever. Throws
 * ERR_TARGET_TOO_LARGE saying the count and what to do.
 * @example checkSize(countAddresses(specs, excludes), args.allowLarge)
 */
export function checkSize(count: bigint, allowLarge: boolean): void {
  const n = formatCount(count);
  if (count > TARGET_LIMITS.hardCeiling) {
    throw new ScannerError(
      'ERR_TARGET_TOO_LARGE',
      `the targets cover ${n} addresses; one scan sweeps at most ${formatCount(TARGET_LIMITS.hardCeiling)} (a /8), even with --allow-large; narrow the ranges or split the scan`,
    );
  }
  if (count > TARGET_LIMITS.confirmAbove && !allowLarge) {
    throw new ScannerError(
      'ERR_TARGET_TOO_LARGE',
      `the targets cover ${n} addresses, more than ${formatCount(TARGET_LIMITS.confirmAbove)}; pass --allow-large to sweep them`,
    );
  }
}

function formatCount(count: bigint): string {
  return count.toLocaleString('en-US');
}
