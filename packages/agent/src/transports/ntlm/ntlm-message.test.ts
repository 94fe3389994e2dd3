// Unit tests of the NTLMSSP codec on the MS-NLMP example, Samba's challenge, and hostile input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import {
  AV_ID,
  DEFAULT_NEGOTIATE_FLAGS,
  NTLM_FLAGS,
  buildNegotiateMessage,
  encodeVersion,
  filetimeToIso,
  formatVersion,
  parseAvPairs,
  parseChallengeMessage,
  targetInfoFacts,
} from './ntlm-message.js';
import { extractNtlmToken } from './spnego.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';

const capture = (path: string): Buffer => readHexCapture(new URL(path, import.meta.url));
const isProtocol = (e: unknown): boolean => hasCode(e, 'ERR_PROTOCOL');

test('buildNegotiateMessage writes the 40-byte NEGOTIATE a Windows client sends', () => {
  const msg = buildNegotiateMessage();
  assert.equal(DEFAULT_NEGOTIATE_FLAGS, 0xe2088297);
  assert.equal(
    msg.toString('hex'),
    '4e544c4d53535000' +
      '01000000' +
      '978208e2' +
      '0000000028000000' +
      '0000000028000000' +
      '000000000000000f',
  );
  // Without the VERSION flag the message has no VERSION field.
  assert.equal(buildNegotiateMessage(NTLM_FLAGS.unicode | NTLM_FLAGS.ntlm).length, 32);
});

test('parseChallengeMessage reads the MS-NLMP §4.2.4.3 example', () => {
  const ch = parseChallengeMessage(capture('./testdata/ms-nlmp-4.2.4.3-challenge.hex'));
  assert.equal(ch.flags, 0xe28a8233);
  assert.equal(ch.serverChallenge.toString('hex'), '0123456789abcdef');
  assert.equal(ch.targetName, 'Server');
  assert.deepEqual(ch.version, { major: 6, minor: 0, build: 6000, revision: 15 });
  assert.equal(formatVersion(ch.version!), '6.0.6000');
  assert.deepEqual(targetInfoFacts(ch.targetInfo), {
    nbDomainName: 'Domain',
    nbComputerName: 'Server',
  });
});

test('parseChallengeMessage reads Samba 4.17’s challenge from its SESSION_SETUP response', () => {
  const setup = capture('../smb2/testdata/samba-4.17-session-setup-response.hex');
  // The SPNEGO blob starts at the security buffer offset (0x48) of the SMB2 message.
  const ch = parseChallengeMessage(extractNtlmToken(setup.subarray(0x48, 0x48 + 0x9f)));
  assert.equal(ch.targetName, 'LABSMB');
  assert.equal(ch.serverChallenge.toString('hex'), '6d02d148970588e5');
  assert.equal(formatVersion(ch.version!), '6.1.0');
  assert.deepEqual(
    ch.targetInfo.map((p) => p.id),
    [
      AV_ID.nbDomainName,
      AV_ID.nbComputerName,
      AV_ID.dnsDomainName,
      AV_ID.dnsComputerName,
      AV_ID.timestamp,
    ],
  );
  assert.deepEqual(targetInfoFacts(ch.targetInfo), {
    nbDomainName: 'LABSMB',
    nbComputerName: 'LABSMB',
    dnsDomainName: '',
    dnsComputerName: 'vm',
    timestamp: '2026-11-29T07:48:15.604Z',
  });
});

test('a Windows-style challenge yields a 10.0 build and every DNS name (synthetic)', () => {
  const u = (s: string): Buffer => Buffer.from(s, 'utf16le');
  const pair = (id: number, v: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(id, 0);
    h.writeUInt16LE(v.length, 2);
    return Buffer.concat([h, v]);
  };
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64LE(132223104000000000n); // 2020-01-01T00:00:00Z
  const info = Buffer.concat([
    pair(AV_ID.nbDomainName, u('CORP')),
    pair(AV_ID.nbComputerName, u('DC01')),
    pair(AV_ID.dnsDomainName, u('corp.example')),
    pair(AV_ID.dnsComputerName, u('dc01.corp.example')),
    pair(AV_ID.dnsTreeName, u('example')),
    pair(AV_ID.timestamp, ts),
    pair(AV_ID.eol, Buffer.alloc(0)),
  ]);
  const name = u('CORP');
  const head = Buffer.alloc(56);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(name.length, 12);
  head.writeUInt16LE(name.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(0xe28a8215, 20);
  head.writeUInt16LE(info.length, 40);
  head.writeUInt16LE(info.length, 42);
  head.writeUInt32LE(56 + name.length, 44);
  encodeVersion({ major: 10, minor: 0, build: 17763, revision: 15 }).copy(head, 48);
  const ch = parseChallengeMessage(Buffer.concat([head, name, info]));
  assert.equal(formatVersion(ch.version!), '10.0.17763');
  assert.deepEqual(targetInfoFacts(ch.targetInfo), {
    nbDomainName: 'CORP',
    nbComputerName: 'DC01',
    dnsDomainName: 'corp.example',
    dnsComputerName: 'dc01.corp.example',
    dnsTreeName: 'example',
    timestamp: '2020-01-01T00:00:00.000Z',
  });
});

test('parseChallengeMessage rejects fields that point outside the message', () => {
  const good = capture('./testdata/ms-nlmp-4.2.4.3-challenge.hex');
  const lie = (at: number, v: number, width: 2 | 4): Buffer => {
    const b = Buffer.from(good);
    if (width === 2) b.writeUInt16LE(v, at);
    else b.writeUInt32LE(v, at);
    return b;
  };
  assert.throws(() => parseChallengeMessage(lie(12, 0xffff, 2)), isProtocol); // TargetName length
  assert.throws(() => parseChallengeMessage(lie(44, 0xfffffff0, 4)), isProtocol); // TargetInfo offset
  assert.throws(() => parseChallengeMessage(lie(8, 3, 4)), isProtocol); // AUTHENTICATE, not CHALLENGE
  assert.throws(() => parseChallengeMessage(good.subarray(0, 20)), isProtocol);
  assert.throws(() => parseChallengeMessage(Buffer.alloc(64)), isProtocol);
});

test('parseAvPairs stops at MsvAvEOL and rejects overruns and floods', () => {
  assert.deepEqual(parseAvPairs(Buffer.from('01000200410000000000', 'hex')), [
    { id: 1, value: Buffer.from('4100', 'hex') },
  ]);
  assert.throws(() => parseAvPairs(Buffer.from('0100ff0041000000', 'hex')), isProtocol);
  const flood = Buffer.concat(Array.from({ length: 40 }, () => Buffer.from('09000000', 'hex')));
  assert.throws(() => parseAvPairs(flood), isProtocol);
});

test('filetimeToIso converts FILETIME and refuses zero', () => {
  assert.equal(filetimeToIso(116444736000000000n), '1970-01-01T00:00:00.000Z');
  assert.equal(filetimeToIso(0n), null);
  assert.equal(filetimeToIso(0xffffffffffffffffn), null);
});
