// Tests for the address helpers: strict IPv4/IPv6 parsing, RFC 5952 output and ordering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import {
  compareAddresses,
  formatAddress,
  formatIpv6,
  ipv4ToNumber,
  isIpv4,
  isIpv6,
  numberToIpv4,
  parseAddress,
  parseIpv6,
} from './address.js';

const ipv4: [string, number][] = [
  ['0.0.0.0', 0],
  ['10.0.0.1', 0x0a000001],
  ['192.0.2.1', 3221225985],
  ['255.255.255.255', 0xffffffff],
  ['198.18.0.0', 0xc6120000],
];
for (const [text, value] of ipv4) {
  test(`ipv4ToNumber/numberToIpv4 round-trip ${text}`, () => {
    assert.equal(ipv4ToNumber(text), value);
    assert.equal(numberToIpv4(value), text);
    assert.equal(isIpv4(text), true);
  });
}

const badIpv4: [string, string][] = [
  ['', '4 octets, found 1'],
  ['1.2.3', '4 octets, found 3'],
  ['1.2.3.4.5', '4 octets, found 5'],
  ['1..2.3', 'octet 2 is empty'],
  ['198.18.1.300', 'octet 300 is out of range'],
  ['1.2.3.99999999999999999999', 'out of range'],
  ['010.1.1.1', 'octet 010 has a leading zero'],
  ['1.2.3.00', 'leading zero'],
  ['1.2.3.x', 'not a decimal number'],
  ['1.2.3.-1', 'not a decimal number'],
  ['1.2.3.4 ', 'not a decimal number'],
];
for (const [text, why] of badIpv4) {
  test(`ipv4ToNumber rejects ${JSON.stringify(text)} saying ${why}`, () => {
    assert.equal(isIpv4(text), false);
    assert.throws(
      () => ipv4ToNumber(text),
      (err: unknown) => hasCode(err, 'ERR_TARGET_INVALID') && (err as Error).message.includes(why),
    );
  });
}

for (const n of [-1, 0x100000000, 1.5, Number.NaN]) {
  test(`numberToIpv4 rejects ${n}`, () => {
    assert.throws(() => numberToIpv4(n), RangeError);
  });
}

// [input, canonical RFC 5952 form]
const ipv6: [string, string][] = [
  ['::', '::'],
  ['::1', '::1'],
  ['0:0:0:0:0:0:0:1', '::1'],
  ['2001:DB8::1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longest run wins
  ['fe80::', 'fe80::'],
  ['1::', '1::'],
  ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ['::FFFF:c000:0201', '::ffff:192.0.2.1'],
  ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ['1:2:3:4:5:6::', '1:2:3:4:5:6::'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
];
for (const [text, canonical] of ipv6) {
  test(`parseIpv6/formatIpv6 canonicalise ${text} as ${canonical}`, () => {
    assert.equal(isIpv6(text), true);
    assert.equal(formatIpv6(parseIpv6(text)), canonical);
    assert.equal(parseIpv6(canonical), parseIpv6(text));
  });
}

const badIpv6: [string, string][] = [
  ['fe80::1%eth0', 'zone ids (%eth0) are not supported'],
  ['1:2:3:4:5:6:7:8:9', '8 groups, found 9'],
  ['1:2:3:4:5:6:7', '8 groups, found 7'],
  ['1::2::3', 'at most one "::"'],
  [':::', 'at most one "::"'],
  [':1::2', 'empty group'],
  ['1::2:', 'empty group'],
  ['12345::', 'more than 4 hex digits'],
  ['g::1', 'only hex digits'],
  ['1:2:3:4:5:6:7::8', 'at most 7 other groups'],
  ['::1.2.3.4:5', 'must come last'],
  ['1.2.3.4::', 'must come last'],
  ['::1.2.3.256', 'embedded IPv4 1.2.3.256: octet 256 is out of range'],
];
for (const [text, why] of badIpv6) {
  test(`parseIpv6 rejects ${text} saying ${why}`, () => {
    assert.equal(isIpv6(text), false);
    assert.throws(
      () => parseIpv6(text),
      (err: unknown) =>
        hasCode(err, 'ERR_TARGET_INVALID') &&
        (err as Error).message.startsWith(text) &&
        (err as Error).message.includes(why),
    );
  });
}

for (const n of [-1n, 1n << 128n]) {
  test(`formatIpv6 rejects ${n}`, () => {
    assert.throws(() => formatIpv6(n), RangeError);
  });
}

test('parseAddress reads IPv4-mapped IPv6 as IPv4 and formatAddress round-trips', () => {
  assert.deepEqual(parseAddress('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseAddress('10.0.0.1'), { family: 4, value: 0x0a000001n });
  assert.deepEqual(parseAddress('::1'), { family: 6, value: 1n });
  assert.equal(formatAddress({ family: 4, value: 0x0a000001n }), '10.0.0.1');
  assert.equal(formatAddress({ family: 6, value: 1n }), '::1');
});

test('compareAddresses sorts IPv4 numerically before IPv6', () => {
  const sorted = ['::1', '10.0.0.10', '2001:db8::', '10.0.0.9', '9.255.255.255', '::'].sort(
    compareAddresses,
  );
  assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.9', '10.0.0.10', '::', '::1', '2001:db8::']);
  assert.equal(compareAddresses('10.0.0.1', '::ffff:10.0.0.1'), 0);
  assert.throws(
    () => compareAddresses('host', '10.0.0.1'),
    (err: unknown) => hasCode(err, 'ERR_TARGET_INVALID'),
  );
});
