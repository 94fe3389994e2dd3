// Tests for countAddresses (dedup, broadcast rule, exclusions) and the checkSize limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { checkSize, countAddresses } from './count-addresses.js';
import { parseTargets } from './parse-targets.js';

const counts: [string, string[], string[], bigint][] = [
  ['a single address', ['10.0.0.1'], [], 1n],
  ['a /24 without network and broadcast', ['10.0.0.0/24'], [], 254n],
  ['a /30 without network and broadcast', ['10.0.0.0/30'], [], 2n],
  ['a /31 whole (RFC 3021)', ['10.0.0.0/31'], [], 2n],
  ['a /32', ['10.0.0.7/32'], [], 1n],
  ['a dash range whole', ['10.0.0.0-255'], [], 256n],
  ['a /24 plus its network address given explicitly', ['10.0.0.0/24', '10.0.0.0'], [], 255n],
  ['overlapping specs once', ['10.0.0.0/24', '10.0.0.10-20', '10.0.0.5', '10.0.0.5'], [], 254n],
  ['adjacent ranges', ['10.0.0.0-9', '10.0.0.10-19'], [], 20n],
  ['a /16', ['10.1.0.0/16'], [], 65534n],
  ['IPv6 /64 whole (no broadcast)', ['2001:db8::/64'], [], 1n << 64n],
  ['IPv4 /0', ['0.0.0.0/0'], [], (1n << 32n) - 2n],
  ['IPv6 /0', ['::/0'], [], 1n << 128n],
  ['mapped and plain IPv4 as one', ['::ffff:10.0.0.1', '10.0.0.1'], [], 1n],
  ['each distinct hostname as 1', ['a.example', 'A.example.', 'b.example'], [], 2n],
  ['an excluded address', ['10.0.0.0/24'], ['10.0.0.7'], 253n],
  ['an excluded CIDR, whole', ['10.0.0.0/24'], ['10.0.0.0/28'], 239n], // .1-.15 go
  ['an excluded range', ['10.0.0.0-255'], ['10.0.0.100-199'], 156n],
  ['an exclusion covering everything', ['10.0.0.0/24'], ['10.0.0.0/16'], 0n],
  ['an excluded IPv6 range', ['a::/120'], ['a::10-a::1f'], 240n],
  ['a hostname excluded by name', ['a.example', 'b.example'], ['A.EXAMPLE'], 1n],
  ['a hostname exclusion as no addresses (upper bound)', ['10.0.0.0/24'], ['a.example'], 254n],
  ['nothing', [], [], 0n],
];
for (const [name, targets, excludes, want] of counts) {
  test(`countAddresses counts ${name}`, () => {
    assert.equal(countAddresses(parseTargets(targets), parseTargets(excludes)), want);
  });
}

const sizes: [string, bigint, boolean, string | null][] = [
  ['65,536 without allowLarge', 65_536n, false, null],
  [
    '65,537 without allowLarge',
    65_537n,
    false,
    '65,537 addresses, more than 65,536; pass --allow-large',
  ],
  ['65,537 with allowLarge', 65_537n, true, null],
  ['2^24 with allowLarge', 1n << 24n, true, null],
  [
    '2^24 + 1 with allowLarge',
    (1n << 24n) + 1n,
    true,
    '16,777,217 addresses; one scan sweeps at most 16,777,216 (a /8)',
  ],
  ['an IPv6 /64 with allowLarge', 1n << 64n, true, '18,446,744,073,709,551,616 addresses'],
  ['an IPv6 /64 without allowLarge', 1n << 64n, false, 'even with --allow-large'],
  ['zero', 0n, false, null],
];
for (const [name, count, allowLarge, error] of sizes) {
  test(`checkSize ${error ? 'rejects' : 'accepts'} ${name}`, () => {
    if (error === null) {
      assert.doesNotThrow(() => checkSize(count, allowLarge));
      return;
    }
    assert.throws(
      () => checkSize(count, allowLarge),
      (err: unknown) => {
        assert.ok(hasCode(err, 'ERR_TARGET_TOO_LARGE'));
        assert.ok((err as Error).message.includes(error), (err as Error).message);
        return true;
      },
    );
  });
}
