// Unit tests of the SNMPv3 discovery codec on net-snmp and snmpsim captures (local and lab).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { TAG, encodeInteger, encodeTlv } from './ber.js';
import { PDU } from './snmp-message.js';
import {
  MSG_FLAGS,
  OID_USM_STATS_UNKNOWN_ENGINE_IDS,
  decodeV3Message,
  encodeV3DiscoveryRequest,
} from './snmp-v3.js';
import { readHexCapture } from '../../../../../test/support/hex-capture.js';

const capture = (name: string): Buffer =>
  readHexCapture(new URL(`./testdata/${name}`, import.meta.url));

test('encodeV3DiscoveryRequest matches snmpget’s engine discovery byte for byte', () => {
  assert.deepEqual(
    encodeV3DiscoveryRequest({ msgId: 0x4b8fd33d, requestId: 0x652ebd87 }),
    capture('v3-discovery-request.hex'),
  );
  assert.deepEqual(
    encodeV3DiscoveryRequest({ msgId: 0x41a14d1c, requestId: 0x772d3970 }),
    capture('lab-snmpd-v3-discovery-request.hex'),
  );
  assert.throws(() => encodeV3DiscoveryRequest({ msgId: -1, requestId: 1 }), RangeError);
});

test('decodeV3Message reads the discovery request back', () => {
  const req = decodeV3Message(capture('v3-discovery-request.hex'));
  assert.equal(req.msgId, 0x4b8fd33d);
  assert.equal(req.msgMaxSize, 65_507);
  assert.equal(req.msgFlags, MSG_FLAGS.reportable);
  assert.equal(req.usm.engineId.length, 0);
  assert.equal(req.usm.userName.length, 0);
  assert.equal(req.scoped?.pdu.pduType, PDU.getRequest);
  assert.equal(req.scoped?.pdu.requestId, 0x652ebd87);
  assert.deepEqual(req.scoped?.pdu.varbinds, []);
});

test('decodeV3Message reads snmpd’s Report to the discovery', () => {
  const r = decodeV3Message(capture('v3-discovery-report.hex'));
  assert.equal(r.msgId, 0x4b8fd33d);
  assert.equal(r.msgFlags, 0);
  assert.equal(r.usm.engineId.toString('hex'), '80001f8880e5cc701946040c6b00000000');
  assert.equal(r.usm.engineBoots, 1);
  assert.equal(r.usm.engineTime, 2);
  assert.equal(r.scoped?.contextEngineId.toString('hex'), '80001f8880e5cc701946040c6b00000000');
  const pdu = r.scoped!.pdu;
  assert.equal(pdu.pduType, PDU.report);
  assert.equal(pdu.requestId, 0x652ebd87);
  assert.equal(pdu.varbinds[0]?.oid, OID_USM_STATS_UNKNOWN_ENGINE_IDS);
  assert.equal(pdu.varbinds[0]?.type, 0x41); // Counter32
});

test('decodeV3Message reads the lab snmpd’s and snmpsim’s Reports', () => {
  const snmpd = decodeV3Message(capture('lab-snmpd-v3-discovery-report.hex'));
  assert.equal(snmpd.usm.engineId.toString('hex'), '80001f8880825d122649040c6b00000000');
  assert.equal(snmpd.usm.engineTime, 16);
  const sim = decodeV3Message(capture('lab-snmpsim-v3-discovery-report.hex'));
  assert.equal(sim.usm.engineId.toString('hex'), '80004fb805766d4c4a87c0');
  assert.equal(sim.usm.engineBoots, 2);
  assert.equal(sim.usm.engineTime, 15);
  assert.equal(sim.scoped?.pdu.varbinds[0]?.oid, OID_USM_STATS_UNKNOWN_ENGINE_IDS);
});

test('decodeV3Message reads other Reports: unknown user, and snmpsim’s request-id 0', () => {
  const user = decodeV3Message(capture('v3-unknown-user-report.hex'));
  assert.equal(user.usm.userName.toString(), 'x');
  assert.equal(user.scoped?.pdu.varbinds[0]?.oid, '1.3.6.1.6.3.15.1.1.3.0');
  const sim = decodeV3Message(capture('lab-snmpsim-v3-unknown-user-report.hex'));
  assert.equal(sim.msgId, 0x10e51f5c);
  assert.equal(sim.scoped?.pdu.requestId, 0);
});

test('decodeV3Message leaves an encrypted scoped PDU alone', () => {
  const r = decodeV3Message(capture('lab-snmpd-v3-authpriv-response.hex'));
  assert.equal(r.msgFlags, MSG_FLAGS.auth | MSG_FLAGS.priv);
  assert.equal(r.usm.userName.toString(), 'labv3');
  assert.equal(r.scoped, null);
});

/** A Report with the given USM fields (for shapes no real agent sent us). */
function report(opts: {
  engineId?: Buffer;
  boots?: number;
  model?: number;
  flags?: Buffer;
}): Buffer {
  const usm = encodeTlv(
    TAG.sequence,
    encodeTlv(TAG.octetString, opts.engineId ?? Buffer.from('80001f8803001122334455', 'hex')),
    encodeInteger(opts.boots ?? 1),
    encodeInteger(5),
    encodeTlv(TAG.octetString),
    encodeTlv(TAG.octetString),
    encodeTlv(TAG.octetString),
  );
  const pdu = encodeTlv(
    PDU.report,
    encodeInteger(1),
    encodeInteger(0),
    encodeInteger(0),
    encodeTlv(TAG.sequence),
  );
  return encodeTlv(
    TAG.sequence,
    encodeInteger(3),
    encodeTlv(
      TAG.sequence,
      encodeInteger(7),
      encodeInteger(65_507),
      encodeTlv(TAG.octetString, opts.flags ?? Buffer.from([0])),
      encodeInteger(opts.model ?? 3),
    ),
    encodeTlv(TAG.octetString, usm),
    encodeTlv(TAG.sequence, encodeTlv(TAG.octetString), encodeTlv(TAG.octetString), pdu),
  );
}

test('decodeV3Message rejects bad fields, other versions and trailing bytes', () => {
  assert.equal(decodeV3Message(report({})).usm.engineBoots, 1);
  const good = capture('v3-discovery-report.hex');
  const bad: Buffer[] = [
    report({ engineId: Buffer.alloc(33, 0x80) }),
    report({ boots: -1 }),
    report({ model: 2 }),
    report({ flags: Buffer.from([0, 0]) }),
    Buffer.concat([good, Buffer.from([0])]),
    Buffer.from(good).fill(0x01, 4, 5), // msgVersion 1
    good.subarray(0, good.length - 1),
    capture('v2c-get-sysdescr-response.hex'),
  ];
  for (const b of bad)
    assert.throws(
      () => decodeV3Message(b),
      (e) => hasCode(e, 'ERR_PROTOCOL'),
    );
});
