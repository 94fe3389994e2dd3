// Unit tests of NetBIOS names, the NBSTAT codec (nmblookup/nmbd captures) and NBSS framing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { decodeNetbiosLabel, encodeNetbiosName } from './netbios-name.js';
import { buildNodeStatusRequest, parseNodeStatusResponse } from './nbns.js';
import { NBSS_TYPE, NbssReader, buildSessionRequest, frameSessionMessage } from './nbss.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';

const capture = (name: string): Buffer =>
  readHexCapture(new URL(`./testdata/${name}`, import.meta.url));
const isProtocol = (e: unknown): boolean => hasCode(e, 'ERR_PROTOCOL');

test('encodeNetbiosName encodes the wildcard and a padded server name', () => {
  assert.equal(encodeNetbiosName('*', 0).subarray(1, 33).toString('latin1'), 'CK' + 'A'.repeat(30));
  const raw = decodeNetbiosLabel(encodeNetbiosName('labsmb', 0x20).subarray(1, 33));
  assert.equal(raw.toString('latin1'), 'LABSMB         \x20');
  assert.throws(() => encodeNetbiosName('A'.repeat(16), 0), RangeError);
});

test('buildNodeStatusRequest is byte-identical to nmblookup -A', () => {
  assert.deepEqual(buildNodeStatusRequest(0x1b28), capture('nmblookup-nbstat-request.hex'));
  assert.deepEqual(buildNodeStatusRequest(0x1234), capture('nopesight-nbstat-request.hex'));
});

test('parseNodeStatusResponse reads nmbd’s five names and treats the zero unit id as no MAC', () => {
  const res = parseNodeStatusResponse(capture('nmbd-4.17-nbstat-response.hex'));
  assert.equal(res.transactionId, 0x1b28);
  assert.deepEqual(
    res.names.map((n) => [n.name, n.suffix, n.group, n.nodeType, n.active]),
    [
      ['LABSMB', 0x00, false, 'B', true],
      ['LABSMB', 0x03, false, 'B', true],
      ['LABSMB', 0x20, false, 'B', true],
      ['NOPELAB', 0x00, true, 'B', true],
      ['NOPELAB', 0x1e, true, 'B', true],
    ],
  );
  assert.equal(res.names[3]!.flags, 0x8400);
  assert.equal(res.mac, null);
});

test('parseNodeStatusResponse formats a real unit id and follows a compressed answer name', () => {
  const b = capture('nmbd-4.17-nbstat-response.hex');
  // The unit id follows the 5 names: 12 + 34 + 10 + 1 + 5 * 18.
  Buffer.from('0050568a1b2c', 'hex').copy(b, 12 + 34 + 10 + 1 + 90);
  assert.equal(parseNodeStatusResponse(b).mac, '00:50:56:8a:1b:2c');
  // An answer name given as a pointer (0xc00c), as some stacks send.
  const compressed = Buffer.concat([
    b.subarray(0, 12),
    Buffer.from('c00c', 'hex'),
    b.subarray(12 + 34),
  ]);
  assert.equal(parseNodeStatusResponse(compressed).names.length, 5);
});

test('parseNodeStatusResponse rejects queries, lying counts and truncation', () => {
  const good = capture('nmbd-4.17-nbstat-response.hex');
  assert.throws(() => parseNodeStatusResponse(capture('nmblookup-nbstat-request.hex')), isProtocol);
  const count = Buffer.from(good);
  count[12 + 34 + 10] = 200;
  assert.throws(() => parseNodeStatusResponse(count), isProtocol);
  const rdlen = Buffer.from(good);
  rdlen.writeUInt16BE(0xffff, 12 + 34 + 8);
  assert.throws(() => parseNodeStatusResponse(rdlen), isProtocol);
  for (let n = 0; n < good.length - 47; n += 7) {
    assert.throws(
      () => parseNodeStatusResponse(good.subarray(0, n)),
      isProtocol,
      `truncated at ${n}`,
    );
  }
  const loop = Buffer.concat([good.subarray(0, 12), Buffer.alloc(40, 0x01)]);
  assert.throws(() => parseNodeStatusResponse(loop), isProtocol);
});

test('buildSessionRequest matches the request smbd accepted on its NetBIOS port', () => {
  assert.deepEqual(
    buildSessionRequest('*SMBSERVER', 'NOPESIGHT'),
    capture('samba-4.17-session-request.hex'),
  );
});

test('NbssReader reassembles split frames and refuses oversized lengths before buffering', () => {
  const reader = new NbssReader(1024);
  const a = frameSessionMessage(Buffer.from('hello'));
  const positive = capture('samba-4.17-session-positive-response.hex');
  const stream = Buffer.concat([positive, a, Buffer.from([NBSS_TYPE.keepAlive, 0, 0, 0]), a]);
  const out = [];
  for (let i = 0; i < stream.length; i += 3) out.push(...reader.push(stream.subarray(i, i + 3)));
  assert.deepEqual(
    out.map((p) => [p.type, p.payload.toString()]),
    [
      [NBSS_TYPE.positiveResponse, ''],
      [NBSS_TYPE.sessionMessage, 'hello'],
      [NBSS_TYPE.keepAlive, ''],
      [NBSS_TYPE.sessionMessage, 'hello'],
    ],
  );
  assert.throws(() => new NbssReader(1024).push(Buffer.from('00ffffff', 'hex')), isProtocol);
  assert.throws(() => new NbssReader(1024).push(Buffer.from('47455420', 'hex')), isProtocol); // "GET "
});
