// NDR20 writer/reader rules (alignment, deferred referents, bounds) and PDU framing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NdrReader, NdrWriter } from './ndr.js';
import {
  readSid,
  readUnicodeString,
  writeSid,
  writeUnicodeString,
  encodeUuid,
  decodeUuid,
} from './ndr-types.js';
import { decodePdu, encodeBindBody, encodePdu, NDR20, PFC, PTYPE } from './pdu.js';
import { PduFramer } from './transport.js';
import { SRVSVC } from './interfaces/srvsvc.js';

test('NdrWriter aligns each primitive from the start of the stub', () => {
  const w = new NdrWriter();
  w.u8(1).u16(2).u8(3).u32(4).u64(5n);
  assert.equal(
    w.toBuffer().toString('hex'),
    '0100020003000000040000000000000005000000' + '00000000',
  );
});

test('NdrWriter keeps every byte when the buffer grows past its first 256 bytes', () => {
  const w = new NdrWriter();
  w.bytes(Buffer.alloc(300, 1)).u8(2).u16(0x0303).u32(0x04040404).u64(0x0505050505050505n);
  const out = w.toBuffer();
  assert.ok(out.subarray(0, 300).every((b) => b === 1));
  assert.equal(out[300], 2);
  assert.equal(out.readUInt16LE(302), 0x0303);
  assert.equal(out.readUInt32LE(304), 0x04040404);
  assert.equal(out.readBigUInt64LE(312), 0x0505050505050505n);
  const small = new NdrWriter();
  for (let i = 0; i < 1000; i++) small.u32(i);
  assert.equal(small.toBuffer().readUInt32LE(999 * 4), 999);
});

test('NdrWriter writes embedded referents after the structure, depth first', () => {
  const w = new NdrWriter();
  w.construct(() => {
    w.unique('a', (s) => {
      w.wstring(s);
      w.unique(7, (n) => w.u32(n));
    });
    w.unique(null, () => undefined);
    w.unique('b', (s) => w.wstring(s));
  });
  const r = new NdrReader(w.toBuffer());
  const order: string[] = [];
  const out = r.construct(() => {
    const a = r.unique(() => {
      const s = r.wstring();
      order.push(s);
      const n = r.unique(() => {
        const v = r.u32();
        order.push(String(v));
        return v;
      });
      return { s, n };
    });
    const none = r.unique(() => r.u32());
    const b = r.unique(() => {
      const s = r.wstring();
      order.push(s);
      return s;
    });
    return { a, none, b };
  });
  assert.deepEqual(order, ['a', '7', 'b']);
  assert.equal(out.none.value, null);
  assert.equal(out.a.value?.n.value, 7);
  assert.equal(r.remaining, 0);
});

test('NdrReader refuses counts and strings longer than the stub', () => {
  const huge = Buffer.alloc(12);
  huge.writeUInt32LE(0x40000000, 0);
  assert.throws(() => new NdrReader(huge).conformantArray(4, () => 0), { code: 'ERR_PROTOCOL' });
  huge.writeUInt32LE(0x40000000, 8);
  assert.throws(() => new NdrReader(huge).wstring(), { code: 'ERR_PROTOCOL' });
  assert.throws(() => new NdrReader(Buffer.alloc(3)).u32(), { code: 'ERR_PROTOCOL' });
});

test('RPC_UNICODE_STRING and RPC_SID round-trip', () => {
  const w = new NdrWriter();
  w.construct(() => writeUnicodeString(w, 'Größe'));
  w.construct(() => writeSid(w, 'S-1-5-21-1-2-3-500'));
  const r = new NdrReader(w.toBuffer());
  const s = r.construct(() => readUnicodeString(r));
  assert.equal(s.value, 'Größe');
  assert.equal(
    r.construct(() => readSid(r)),
    'S-1-5-21-1-2-3-500',
  );
});

test('UUIDs use the DCE wire form', () => {
  const b = encodeUuid(NDR20.uuid);
  assert.equal(b.toString('hex'), '045d888aeb1cc9119fe808002b104860');
  assert.equal(decodeUuid(b), NDR20.uuid);
});

test('a bind PDU matches impacket byte for byte', () => {
  // impacket 0.10: MSRPCBind(max_tfrag=4280, max_rfrag=4280) with one srvsvc/NDR20 context, call id 1.
  const impacket =
    '05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b10486002000000';
  const body = encodeBindBody(4280, 4280, 0, [
    { contextId: 0, abstract: SRVSVC, transfer: [NDR20] },
  ]);
  const pdu = encodePdu({ type: PTYPE.bind, flags: PFC.firstFrag | PFC.lastFrag, callId: 1, body });
  assert.equal(pdu.toString('hex'), impacket);
});

test('decodePdu splits off the sec_trailer, padding and auth value', () => {
  const pdu = encodePdu({
    type: PTYPE.response,
    flags: 3,
    callId: 9,
    body: Buffer.from('0011223344556677aabbcc', 'hex'),
    auth: {
      authType: 10,
      authLevel: 6,
      padLength: 5,
      contextId: 77,
      value: Buffer.alloc(16, 0xee),
    },
  });
  const d = decodePdu(pdu);
  assert.equal(d.header.authLength, 16);
  assert.equal(d.body.toString('hex'), '0011223344556677aabbcc');
  assert.deepEqual(
    { ...d.auth, value: d.auth?.value.toString('hex') },
    {
      authType: 10,
      authLevel: 6,
      padLength: 5,
      contextId: 77,
      value: 'ee'.repeat(16),
    },
  );
  const lying = Buffer.from(pdu);
  lying.writeUInt16LE(pdu.length, 10); // auth_length larger than the PDU
  assert.throws(() => decodePdu(lying), { code: 'ERR_PROTOCOL' });
});

test('PduFramer cuts PDUs from arbitrary chunks and caps what it buffers', () => {
  const a = encodePdu({ type: PTYPE.response, flags: 3, callId: 1, body: Buffer.alloc(30, 1) });
  const b = encodePdu({ type: PTYPE.response, flags: 3, callId: 2, body: Buffer.alloc(5, 2) });
  const all = Buffer.concat([a, b]);
  const f = new PduFramer();
  const got: Buffer[] = [];
  for (let i = 0; i < all.length; i += 7) {
    f.push(all.subarray(i, i + 7));
    for (let p = f.next(); p; p = f.next()) got.push(p);
  }
  assert.deepEqual(got, [a, b]);
  const small = new PduFramer(100);
  assert.throws(() => small.push(Buffer.alloc(101)), { code: 'ERR_PROTOCOL' });
});
