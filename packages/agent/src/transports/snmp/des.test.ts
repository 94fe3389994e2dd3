// Known-answer tests of the plain-TypeScript DES-CBC used for SNMPv3 DES privacy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desCbcDecrypt, desCbcEncrypt } from './des.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const ZERO_IV = Buffer.alloc(8);

// Single blocks (CBC with a zero IV is ECB): the textbook example (J. Orlin Grabbe, "The DES
// Algorithm Illustrated"), NIST SP 800-17 Table A.1 (variable plaintext, first and last
// entries) and FIPS 81 Appendix B ("Now is t").
const BLOCKS: [key: string, plain: string, cipher: string][] = [
  ['133457799bbcdff1', '0123456789abcdef', '85e813540f0ab405'],
  ['0101010101010101', '8000000000000000', '95f8a5e5dd31d900'],
  ['0101010101010101', '0000000000000001', '166b40b44aba4bd6'],
  ['0123456789abcdef', '4e6f772069732074', '3fa40e8a984d4815'],
];

test('desCbcEncrypt matches the published single-block answers', () => {
  for (const [key, plain, cipher] of BLOCKS) {
    assert.equal(desCbcEncrypt(hex(key), ZERO_IV, hex(plain)).toString('hex'), cipher, key);
    assert.equal(desCbcDecrypt(hex(key), ZERO_IV, hex(cipher)).toString('hex'), plain, key);
  }
});

test('desCbcEncrypt chains blocks like FIPS 81 CBC ("Now is the time for all ")', () => {
  const plain = Buffer.from('Now is the time for all ', 'ascii');
  const key = hex('0123456789abcdef');
  const iv = hex('1234567890abcdef');
  const cipher = 'e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6';
  assert.equal(desCbcEncrypt(key, iv, plain).toString('hex'), cipher);
  assert.deepEqual(desCbcDecrypt(key, iv, hex(cipher)), plain);
});

test('desCbcEncrypt matches OpenSSL des-cbc (legacy provider) on 40 random bytes', () => {
  // openssl enc -des-cbc -provider legacy -provider default -K 0e329232ea6d0d73
  //   -iv 1122334455667788 -nopad, OpenSSL 3.0.19.
  const key = hex('0e329232ea6d0d73');
  const iv = hex('1122334455667788');
  const plain = hex(
    '67f90535d202ae0a75a98a89626f64d7f5bb38e36a5b41996a71ba109077307bf82d254f60e18f3f',
  );
  const cipher = 'c2607b12ffe60031e94c6b2f466d25700440d407f9eccf07e07430bd85ad8a2f923170a6c3541ba2';
  assert.equal(desCbcEncrypt(key, iv, plain).toString('hex'), cipher);
  assert.deepEqual(desCbcDecrypt(key, iv, hex(cipher)), plain);
});

test('desCbcEncrypt refuses keys, IVs and data of the wrong size', () => {
  assert.throws(() => desCbcEncrypt(Buffer.alloc(7), ZERO_IV, Buffer.alloc(8)), RangeError);
  assert.throws(
    () => desCbcEncrypt(Buffer.alloc(8), Buffer.alloc(16), Buffer.alloc(8)),
    RangeError,
  );
  assert.throws(() => desCbcDecrypt(Buffer.alloc(8), ZERO_IV, Buffer.alloc(12)), RangeError);
});
