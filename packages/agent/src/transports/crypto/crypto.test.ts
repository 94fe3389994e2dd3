// Known-answer tests of the pure-JS MD4 and RC4, AES-CMAC and the SP800-108 KDF.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aesCmac } from './aes-cmac.js';
import { md4 } from './md4.js';
import { Rc4, rc4 } from './rc4.js';
import { kdfCounterHmacSha256 } from './sp800-108.js';

const hex = (b: Buffer): string => b.toString('hex');

test('md4 reproduces the RFC 1320 test suite', () => {
  const suite: [string, string][] = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    [
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
      '043f8582f241db351ce627e153e7f0e4',
    ],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      'e33b4ddc9c38f2199c3e7b164fcc0536',
    ],
  ];
  for (const [input, digest] of suite) assert.equal(hex(md4(Buffer.from(input))), digest, input);
});

test('md4 of UTF-16LE "Password" is the MS-NLMP NT hash', () => {
  // MS-NLMP §4.2.2.1.2 NTOWFv1("Password").
  assert.equal(hex(md4(Buffer.from('Password', 'utf16le'))), 'a4f49c406510bdcab6824ee7c30fd852');
});

test('rc4 reproduces RFC 6229 keystreams, continuing across update calls', () => {
  // RFC 6229 §2, 40-bit key 0x0102030405: offsets 0, 16, 240 and 4096.
  const s = new Rc4(Buffer.from('0102030405', 'hex'));
  const stream = Buffer.concat([s.update(Buffer.alloc(7)), s.update(Buffer.alloc(0x1010 - 7))]);
  assert.equal(hex(stream.subarray(0, 16)), 'b2396305f03dc027ccc3524a0a1118a8');
  assert.equal(hex(stream.subarray(16, 32)), '6982944f18fc82d589c403a47a0d0919');
  assert.equal(hex(stream.subarray(0xf0, 0x100)), '28cb1132c96ce286421dcaadb8b69eae');
  assert.equal(hex(stream.subarray(0x1000, 0x1010)), 'ff25b58995996707e51fbdf08b34d875');
  // RFC 6229 §2, 128-bit key 0x0102…10: offsets 0 and 16 (later offsets cross-checked with
  // pycryptodome's ARC4).
  const k128 = rc4(Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'), Buffer.alloc(0x1010));
  assert.equal(hex(k128.subarray(0, 16)), '9ac7cc9a609d1ef7b2932899cde41b97');
  assert.equal(hex(k128.subarray(16, 32)), '5248c4959014126a6e8a84f11d1a9e1c');
  assert.equal(hex(k128.subarray(0x1000)), 'a36a4c301ae8ac13610ccbc12256cacc');
  assert.throws(() => new Rc4(Buffer.alloc(0)), RangeError);
});

test('aesCmac reproduces the RFC 4493 examples', () => {
  const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
  const m = Buffer.from(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51' +
      '30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
    'hex',
  );
  assert.equal(hex(aesCmac(key, m.subarray(0, 0))), 'bb1d6929e95937287fa37d129b756746');
  assert.equal(hex(aesCmac(key, m.subarray(0, 16))), '070a16b46b4d4144f79bdd9dd04a287c');
  assert.equal(hex(aesCmac(key, m.subarray(0, 40))), 'dfa66747de9ae63030ca32611497c827');
  assert.equal(hex(aesCmac(key, m)), '51f0bebf7e3b9d92fc49741779363cfe');
});

test('kdfCounterHmacSha256 matches impacket’s KDF_CounterMode for the SMB labels', () => {
  // Produced with: /usr/bin/python3 -c 'from impacket import crypto;
  //   print(crypto.KDF_CounterMode(bytes(range(16)), b"SMB2AESCMAC\x00", b"SmbSign\x00", 128).hex())'
  // (and the SMBSigningKey label over bytes(range(64)) as a preauth hash).
  const key = Buffer.from([...Array(16).keys()]);
  assert.equal(
    hex(kdfCounterHmacSha256(key, Buffer.from('SMB2AESCMAC\0'), Buffer.from('SmbSign\0'))),
    '6234814cbb8ea9227440ebfeb5eacbe1',
  );
  assert.equal(
    hex(
      kdfCounterHmacSha256(key, Buffer.from('SMBSigningKey\0'), Buffer.from([...Array(64).keys()])),
    ),
    'f7e5401ecc6e79ef9eab401b05004e4f',
  );
});
