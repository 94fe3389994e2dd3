// Unit tests of the BER TLV codec: lengths, integers, OIDs and hostile inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import {
  decodeInteger,
  decodeOid,
  encodeInteger,
  encodeLength,
  encodeOid,
  readChildren,
  readTlv,
} from './ber.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const isProtocol = (err: unknown): boolean => hasCode(err, 'ERR_PROTOCOL');

test('encodeLength uses the short form under 128 and the long form above', () => {
  assert.deepEqual(encodeLength(0x7f), hex('7f'));
  assert.deepEqual(encodeLength(0x80), hex('8180'));
  assert.deepEqual(encodeLength(0x1234), hex('821234'));
});

test('encodeInteger writes the shortest two’s complement form', () => {
  const cases: [number, string][] = [
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [-1, '0201ff'],
    [-129, '0202ff7f'],
    [0x7fffffff, '02047fffffff'],
    [0x80000000, '02050080000000'],
    [0x4a2d7c71, '02044a2d7c71'],
  ];
  for (const [n, want] of cases) {
    assert.equal(encodeInteger(n).toString('hex'), want, `encode ${n}`);
    assert.equal(decodeInteger(readTlv(hex(want), 0).value), n, `decode ${want}`);
  }
});

test('encodeOid and decodeOid round-trip multi-byte arcs', () => {
  for (const oid of [
    '1.3.6.1.2.1.1.1.0',
    '1.3.6.1.4.1.311.2.2.10',
    '1.3.6.1.5.5.2',
    '2.999.4294967295',
  ]) {
    const tlv = readTlv(encodeOid(oid), 0);
    assert.equal(decodeOid(tlv.value), oid);
  }
  assert.equal(encodeOid('1.3.6.1.4.1.311.2.2.10').toString('hex'), '060a2b06010401823702020a');
});

test('readTlv rejects lengths that run past the buffer without allocating', () => {
  for (const bad of [
    '30',
    '3084ffffffff00',
    '3085010000000000',
    '3080',
    '0405414243',
    '1f0100',
    '30820100',
  ]) {
    assert.throws(() => readTlv(hex(bad), 0), isProtocol, bad);
  }
});

test('decodeOid rejects arcs over 32 bits, padding and truncation', () => {
  assert.throws(() => decodeOid(hex('2b8fffffffff7f')), isProtocol);
  assert.throws(() => decodeOid(hex('2b8001')), isProtocol);
  assert.throws(() => decodeOid(hex('2b86')), isProtocol);
  assert.throws(() => decodeOid(Buffer.alloc(0)), isProtocol);
});

test('readChildren stops at the element limit', () => {
  const many = Buffer.concat(Array.from({ length: 10 }, () => hex('0500')));
  assert.equal(readChildren(many, 10).length, 10);
  assert.throws(() => readChildren(many, 9), isProtocol);
});
