// Unit tests of the SPNEGO tokens: the NegTokenInit we send and the NegTokenResp Samba returns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { buildNegotiateMessage } from './ntlm-message.js';
import {
  NEG_STATE,
  OID_NTLMSSP,
  buildNegTokenInit,
  extractNtlmToken,
  parseNegTokenResp,
} from './spnego.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';

const capture = (path: string): Buffer => readHexCapture(new URL(path, import.meta.url));

test('buildNegTokenInit wraps NTLMSSP NEGOTIATE as our SESSION_SETUP capture carries it', () => {
  const token = buildNegTokenInit(buildNegotiateMessage());
  // The security buffer of the captured request starts at offset 88 (64-byte header + 24).
  const setup = capture('../smb2/testdata/samba-4.17-session-setup-request.hex');
  assert.deepEqual(token, setup.subarray(88));
  assert.equal(token.subarray(0, 14).toString('hex'), '604806062b0601050502a03e303c');
});

test('parseNegTokenResp reads Samba’s accept-incomplete answer', () => {
  const setup = capture('../smb2/testdata/samba-4.17-session-setup-response.hex');
  const resp = parseNegTokenResp(setup.subarray(0x48, 0x48 + 0x9f));
  assert.equal(resp.negState, NEG_STATE.acceptIncomplete);
  assert.equal(resp.supportedMech, OID_NTLMSSP);
  assert.equal(resp.responseToken?.subarray(0, 8).toString('latin1'), 'NTLMSSP\0');
  assert.equal(resp.mechListMic, undefined);
});

test('extractNtlmToken accepts raw NTLMSSP and refuses reject, other mechs and garbage', () => {
  const raw = buildNegotiateMessage();
  assert.equal(extractNtlmToken(raw), raw);
  const reject = Buffer.from('a1073005a0030a0102', 'hex');
  assert.throws(
    () => extractNtlmToken(reject),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
  const kerberos = Buffer.from('a1143012a0030a0101a10b06092a864882f712010202', 'hex');
  assert.throws(
    () => extractNtlmToken(kerberos),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
  assert.throws(
    () => extractNtlmToken(Buffer.from('a1ff', 'hex')),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
  assert.throws(
    () => extractNtlmToken(Buffer.alloc(0)),
    (e) => hasCode(e, 'ERR_PROTOCOL'),
  );
});
