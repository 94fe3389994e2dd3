// Unit tests of the SMB2 header, NEGOTIATE and SESSION_SETUP codecs on captures of Samba 4.17.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { buildNegotiateMessage } from '../ntlm/ntlm-message.js';
import { buildNegTokenInit } from '../ntlm/spnego.js';
import { NT_STATUS, SMB2_COMMAND, formatStatus, parseHeader } from './smb2-header.js';
import {
  CIPHERS,
  NEGOTIATE_CONTEXT,
  buildNegotiateRequest,
  capabilityNames,
  formatGuid,
  parseNegotiateResponse,
} from './smb2-negotiate.js';
import { buildSessionSetupRequest, parseSessionSetupResponse } from './smb2-session-setup.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';

const capture = (name: string): Buffer =>
  readHexCapture(new URL(`./testdata/${name}`, import.meta.url));
const isProtocol = (e: unknown): boolean => hasCode(e, 'ERR_PROTOCOL');

test('buildNegotiateRequest reproduces the request Samba accepted, given its GUID and salt', () => {
  const sent = capture('samba-4.17-negotiate-request.hex');
  // ClientGuid at 64+12, the preauth salt at the end of the first context (offset 112 + 8 + 6).
  const clientGuid = sent.subarray(76, 92);
  const salt = sent.subarray(126, 158);
  assert.deepEqual(buildNegotiateRequest({ clientGuid, salt }), sent);
});

test('buildNegotiateRequest without 3.1.1 carries no negotiate contexts', () => {
  const msg = buildNegotiateRequest({
    clientGuid: Buffer.alloc(16),
    salt: Buffer.alloc(32),
    dialects: [0x0202, 0x0210],
  });
  assert.equal(msg.length, 64 + 36 + 4);
  assert.equal(msg.readUInt32LE(64 + 28), 0);
});

test('parseNegotiateResponse reads Samba’s 3.1.1 answer', () => {
  const res = parseNegotiateResponse(capture('samba-4.17-negotiate-response.hex'));
  assert.equal(res.dialect, '3.1.1');
  assert.equal(res.dialectRevision, 0x0311);
  assert.equal(res.securityMode, 1);
  assert.equal(formatGuid(res.serverGuid), '7362616c-626d-0000-0000-000000000000');
  assert.deepEqual(capabilityNames(res.capabilities), [
    'dfs',
    'leasing',
    'largeMtu',
    'multiChannel',
  ]);
  assert.equal(res.maxTransactSize, 8388608);
  assert.ok(res.systemTime > 0n);
  assert.deepEqual(
    res.contexts.map((c) => c.type),
    [NEGOTIATE_CONTEXT.preauthIntegrity, NEGOTIATE_CONTEXT.encryption],
  );
  assert.equal(res.cipher, CIPHERS.aes128Gcm);
  // Samba's NegTokenInit2 hint: an SPNEGO blob.
  assert.equal(res.securityBuffer[0], 0x60);
});

test('parseNegotiateResponse rejects SMB1, requests, errors and out-of-range offsets', () => {
  const good = capture('samba-4.17-negotiate-response.hex');
  const with_ = (at: number, bytes: number[]): Buffer => {
    const b = Buffer.from(good);
    Buffer.from(bytes).copy(b, at);
    return b;
  };
  assert.throws(() => parseNegotiateResponse(with_(0, [0xff])), /SMB1/);
  assert.throws(() => parseNegotiateResponse(with_(16, [0, 0, 0, 0])), isProtocol); // not a response
  assert.throws(() => parseNegotiateResponse(with_(8, [0x22, 0, 0, 0xc0])), isProtocol); // status
  assert.throws(() => parseNegotiateResponse(with_(64 + 58, [0xff, 0xff])), isProtocol); // buffer length
  assert.throws(() => parseNegotiateResponse(with_(64 + 60, [0xf0, 0xff, 0, 0])), isProtocol); // contexts
  assert.throws(() => parseNegotiateResponse(with_(64 + 6, [0xff, 0])), isProtocol); // context count
  assert.throws(() => parseNegotiateResponse(good.subarray(0, 100)), isProtocol);
});

test('buildSessionSetupRequest reproduces our captured request', () => {
  const msg = buildSessionSetupRequest({
    messageId: 1n,
    securityBuffer: buildNegTokenInit(buildNegotiateMessage()),
  });
  assert.deepEqual(msg, capture('samba-4.17-session-setup-request.hex'));
  assert.equal(parseHeader(msg).command, SMB2_COMMAND.sessionSetup);
});

test('parseSessionSetupResponse reads MORE_PROCESSING_REQUIRED and the security buffer', () => {
  const res = parseSessionSetupResponse(capture('samba-4.17-session-setup-response.hex'));
  assert.equal(res.header.status, NT_STATUS.moreProcessingRequired);
  assert.equal(formatStatus(res.header.status), '0xC0000016');
  assert.ok(res.header.sessionId > 0n);
  assert.equal(res.securityBuffer.length, 0x9f);
  assert.equal(res.securityBuffer[0], 0xa1);
});

test('parseSessionSetupResponse gives an empty buffer for an error status', () => {
  const b = capture('samba-4.17-session-setup-response.hex').subarray(0, 64 + 9);
  b.writeUInt32LE(NT_STATUS.accessDenied, 8);
  b.writeUInt32LE(0x12345678, 64 + 4); // an ERROR body's ByteCount, not buffer fields
  const res = parseSessionSetupResponse(b);
  assert.equal(res.securityBuffer.length, 0);
  const lying = capture('samba-4.17-session-setup-response.hex');
  lying.writeUInt16LE(0xffff, 64 + 6);
  assert.throws(() => parseSessionSetupResponse(lying), isProtocol);
});
