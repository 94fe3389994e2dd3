// NTLMv2 client against the MS-NLMP §4.2.4 example values, plus MIC, AV pairs and session security.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';
import { AV_ID, NTLM_FLAGS, parseAvPairs } from './ntlm-message.js';
import { NtlmClient } from './ntlm-client.js';
import {
  MIC_OFFSET,
  computeNtlmv2Response,
  deriveSessionKeys,
  encodeAvPairs,
  ntowfv2,
} from './ntlm-v2.js';
import { clientSessionSecurity } from './ntlm-session-security.js';

const capture = (path: string): Buffer => readHexCapture(new URL(path, import.meta.url));
const hex = (b: Buffer): string => b.toString('hex');
const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// MS-NLMP §4.2.1 common values and §4.2.4 NTLMv2 example.
const CHALLENGE = capture('./testdata/ms-nlmp-4.2.4.3-challenge.hex');
const SERVER_CHALLENGE = h('0123456789abcdef');
const CLIENT_CHALLENGE = h('aaaaaaaaaaaaaaaa');
const RANDOM_SESSION_KEY = Buffer.alloc(16, 0x55);
const TIME = Buffer.alloc(8);
const SPEC_CREDS = {
  username: 'User',
  domain: 'Domain',
  password: 'Password',
  workstation: 'COMPUTER',
};
const SPEC_TEST_RANDOM = {
  clientChallenge: CLIENT_CHALLENGE,
  timestamp: TIME,
  exportedSessionKey: RANDOM_SESSION_KEY,
};
const SPEC_VERSION = { major: 5, minor: 1, build: 2600, revision: 15 };

test('ntowfv2 and the NTLMv2 response reproduce MS-NLMP §4.2.4.1–4.2.4.2', () => {
  const key = ntowfv2('Password', 'User', 'Domain');
  assert.equal(hex(key), '0c868a403bfd7a93a3001ef22ef02e3f'); // §4.2.4.1.1
  const targetInfo = encodeAvPairs([
    { id: AV_ID.nbDomainName, value: Buffer.from('Domain', 'utf16le') },
    { id: AV_ID.nbComputerName, value: Buffer.from('Server', 'utf16le') },
  ]);
  const r = computeNtlmv2Response({
    responseKey: key,
    serverChallenge: SERVER_CHALLENGE,
    clientChallenge: CLIENT_CHALLENGE,
    timestamp: TIME,
    targetInfo,
    omitLm: false,
  });
  assert.equal(hex(r.sessionBaseKey), '8de40ccadbc14a82f15cb0ad0de95ca3'); // §4.2.4.1.2
  // §4.2.4.1.3 temp, inside the NTLMv2 response after NTProofStr.
  assert.equal(
    hex(r.ntChallengeResponse.subarray(16)),
    '01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000' +
      '02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000',
  );
  assert.equal(hex(r.lmChallengeResponse), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa'); // §4.2.4.2.1
  assert.equal(hex(r.ntProofStr), '68cd0ab851e51c96aabc927bebef6a1c'); // §4.2.4.2.2
});

test('NtlmClient writes the MS-NLMP §4.2.4.3 AUTHENTICATE_MESSAGE byte for byte', () => {
  const client = new NtlmClient(SPEC_CREDS, {
    testRandom: SPEC_TEST_RANDOM,
    version: SPEC_VERSION,
  });
  client.negotiate();
  const msg = client.authenticate(CHALLENGE);
  assert.equal(hex(msg), hex(capture('./testdata/ms-nlmp-4.2.4.3-authenticate.hex')));
  assert.equal(client.negotiatedFlags, 0xe2888235);
  // §4.2.4.2.3: EncryptedRandomSessionKey = RC4(SessionBaseKey, 0x55 * 16) is the last field.
  assert.equal(hex(msg.subarray(msg.length - 16)), 'c5dad2544fc9799094ce1ce90bc9d03e');
  assert.equal(hex(client.sessionKey), hex(RANDOM_SESSION_KEY));
  assert.deepEqual(
    { target: client.serverInfo.targetName, nb: client.serverInfo.nbComputerName },
    { target: 'Server', nb: 'Server' },
  );
});

test('the sealing and signing keys and GSS_WrapEx reproduce MS-NLMP §4.2.4.4', () => {
  const keys = deriveSessionKeys(RANDOM_SESSION_KEY, 0xe2888235);
  assert.equal(hex(keys.clientSealingKey), '59f600973cc4960a25480a7c196e4c58');
  assert.equal(hex(keys.clientSigningKey), '4788dc861b4782f35d43fd98fe1a2d39');
  const client = new NtlmClient(SPEC_CREDS, { testRandom: SPEC_TEST_RANDOM });
  client.authenticate(CHALLENGE);
  const plaintext = Buffer.from('Plaintext', 'utf16le');
  const { ciphertext, signature } = client.security().seal(plaintext, plaintext);
  assert.equal(hex(ciphertext), '54e50165bf1936dc996020c1811b0f06fb5f');
  assert.equal(hex(signature), '010000007fb38ec5c55d497600000000');
  // The next message carries sequence number 1.
  assert.equal(client.security().sign(plaintext).readUInt32LE(12), 1);
});

test('a server peer with the same keys unseals and verifies what the client sealed', () => {
  const keys = deriveSessionKeys(RANDOM_SESSION_KEY, 0xe2888235);
  // The server's view: its outbound keys are our inbound ones.
  const server = clientSessionSecurity(
    {
      clientSigningKey: keys.serverSigningKey,
      clientSealingKey: keys.serverSealingKey,
      serverSigningKey: keys.clientSigningKey,
      serverSealingKey: keys.clientSealingKey,
    },
    0xe2888235,
  );
  const client = clientSessionSecurity(keys, 0xe2888235);
  for (let i = 0; i < 3; i++) {
    const body = Buffer.from(`request ${i}`);
    const header = Buffer.from('PDU-HEADER');
    const sealed = client.seal(body, Buffer.concat([header, body]));
    const opened = server.unseal(
      sealed.ciphertext,
      (p) => Buffer.concat([header, p]),
      sealed.signature,
    );
    assert.equal(opened.toString(), `request ${i}`);
    const reply = Buffer.from(`reply ${i}`);
    client.verify(reply, server.sign(reply));
  }
  // A tampered signature is ERR_PROTOCOL, and so is a replayed one (the sequence moved on).
  const sig = server.sign(Buffer.from('x'));
  assert.throws(
    () => client.verify(Buffer.from('y'), sig),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
});

/** A CHALLENGE like Samba's: MsvAvTimestamp present, so the client must send a MIC. */
function challengeWithTimestamp(): Buffer {
  const info = encodeAvPairs([
    { id: AV_ID.nbDomainName, value: Buffer.from('LAB', 'utf16le') },
    { id: AV_ID.nbComputerName, value: Buffer.from('LABSMB', 'utf16le') },
    { id: AV_ID.timestamp, value: h('00d2c5f35a9bd901') },
  ]);
  const head = Buffer.alloc(56);
  Buffer.from('NTLMSSP\0', 'latin1').copy(head);
  head.writeUInt32LE(2, 8);
  head.writeUInt32LE(0xe28a8215, 20);
  SERVER_CHALLENGE.copy(head, 24);
  head.writeUInt16LE(info.length, 40);
  head.writeUInt16LE(info.length, 42);
  head.writeUInt32LE(56, 44);
  head.writeUInt32LE(56, 16); // empty TargetName
  return Buffer.concat([head, info]);
}

test('with a server timestamp the client sends Z(24) LM, MsvAvFlags 0x2, bindings and a valid MIC', () => {
  const challenge = challengeWithTimestamp();
  const bindings = h('00112233445566778899aabbccddeeff');
  const client = new NtlmClient(
    { username: 'labuser', domain: 'LABSMB', password: 'pw' },
    {
      channelBindings: bindings,
      testRandom: { clientChallenge: CLIENT_CHALLENGE, exportedSessionKey: RANDOM_SESSION_KEY },
    },
  );
  const negotiate = client.negotiate();
  const msg = client.authenticate(challenge);
  // LM response: 24 zero bytes.
  const lmLen = msg.readUInt16LE(12);
  const lmOff = msg.readUInt32LE(16);
  assert.equal(hex(msg.subarray(lmOff, lmOff + lmLen)), '00'.repeat(24));
  // The blob carries the server's timestamp and the added AV pairs.
  const ntLen = msg.readUInt16LE(20);
  const ntOff = msg.readUInt32LE(24);
  const nt = msg.subarray(ntOff, ntOff + ntLen);
  assert.equal(hex(nt.subarray(24, 32)), '00d2c5f35a9bd901');
  const pairs = parseAvPairs(nt.subarray(44, nt.length - 4));
  const flags = pairs.find((p) => p.id === AV_ID.flags);
  assert.equal(flags?.value.readUInt32LE(0), 2);
  assert.equal(hex(pairs.find((p) => p.id === AV_ID.channelBindings)!.value), hex(bindings));
  // MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with MIC zeroed).
  const mic = Buffer.from(msg.subarray(MIC_OFFSET, MIC_OFFSET + 16));
  const zeroed = Buffer.from(msg);
  zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
  const expected = createHmac('md5', RANDOM_SESSION_KEY)
    .update(negotiate)
    .update(challenge)
    .update(zeroed)
    .digest();
  assert.equal(hex(mic), hex(expected));
  assert.equal(msg.readUInt32LE(28 + 4), 88); // payload begins after VERSION and MIC
});

test('flags the server does not offer are dropped from AUTHENTICATE and session security', () => {
  const challenge = Buffer.from(CHALLENGE);
  // Server without KEY_EXCH and SEAL.
  challenge.writeUInt32LE((0xe28a8233 & ~NTLM_FLAGS.keyExchange & ~NTLM_FLAGS.seal) >>> 0, 20);
  const client = new NtlmClient(SPEC_CREDS, { testRandom: SPEC_TEST_RANDOM });
  const msg = client.authenticate(challenge);
  assert.equal(client.negotiatedFlags & NTLM_FLAGS.keyExchange, 0);
  assert.equal(client.negotiatedFlags & NTLM_FLAGS.seal, 0);
  // No key exchange: the exported key is the session base key and no encrypted key is sent.
  assert.equal(hex(client.sessionKey), '8de40ccadbc14a82f15cb0ad0de95ca3');
  assert.equal(msg.readUInt16LE(52), 0);
  // Without extended session security there is no session security to offer.
  challenge.writeUInt32LE((0xe28a8233 & ~NTLM_FLAGS.extendedSessionSecurity) >>> 0, 20);
  const legacy = new NtlmClient(SPEC_CREDS);
  legacy.authenticate(challenge);
  assert.throws(
    () => legacy.security(),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
  assert.throws(
    () => new NtlmClient(SPEC_CREDS).sessionKey,
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
});

test('computeNtlmv2Response matches impacket 0.10 on a Samba-like challenge', () => {
  // Produced with /usr/bin/python3 and Debian's python3-impacket 0.10:
  //   ntlm.computeResponseNTLMv2(0xe28a8215, bytes.fromhex('6d02d148970588e5'), b'12345678',
  //     <target info: NbDomain/NbComputer LABSMB, DnsDomain '', DnsComputer labsmb, timestamp>,
  //     'LABSMB', 'labuser', 'Lab-Passw0rd!')
  // impacket appends MsvAvTargetName 'cifs/LABSMB'; the blob below is what it sent.
  const nt = h(
    'a5d35633590ecb7e9a8a86acd441bf3f010100000000000000d2c5f35a9bd9013132333435363738' +
      '0000000002000c004c004100420053004d00420001000c004c004100420053004d00420004000000' +
      '03000c006c006100620073006d0062000700080000d2c5f35a9bd9010900160063006900660073002f' +
      '004c004100420053004d0042000000000000000000',
  );
  const targetInfo = nt.subarray(44, nt.length - 4);
  const r = computeNtlmv2Response({
    responseKey: ntowfv2('Lab-Passw0rd!', 'labuser', 'LABSMB'),
    serverChallenge: h('6d02d148970588e5'),
    clientChallenge: Buffer.from('12345678'),
    timestamp: nt.subarray(24, 32),
    targetInfo,
    omitLm: true,
  });
  assert.equal(hex(r.ntChallengeResponse), hex(nt));
  assert.equal(hex(r.sessionBaseKey), '456b5a898e36b9cdfb46bcc63c10a68c');
});
