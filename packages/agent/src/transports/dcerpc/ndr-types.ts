// NDR encodings shared by the interfaces: UUIDs, RPC_UNICODE_STRING, SIDs, context handles.
import { ScannerError } from '../../errors.js';
import type { Deferred, NdrReader, NdrWriter } from './ndr.js';

const UUID_RE = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** A UUID in its DCE wire form (first three fields little-endian), 16 bytes. */
export function encodeUuid(uuid: string): Buffer {
  const m = UUID_RE.exec(uuid);
  if (!m) throw new ScannerError('ERR_PROTOCOL', `not a UUID: ${uuid}`);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(m[1]!, 16), 0);
  out.writeUInt16LE(parseInt(m[2]!, 16), 4);
  out.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(out, 8);
  return out;
}

/** The text form of a UUID read at `offset` (16 bytes, DCE wire form). */
export function decodeUuid(buf: Buffer, offset = 0): string {
  if (offset + 16 > buf.length) throw new ScannerError('ERR_PROTOCOL', 'truncated UUID');
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  const tail = buf.subarray(offset + 8, offset + 16).toString('hex');
  return [
    h(buf.readUInt32LE(offset), 8),
    h(buf.readUInt16LE(offset + 4), 4),
    h(buf.readUInt16LE(offset + 6), 4),
    tail.slice(0, 4),
    tail.slice(4),
  ].join('-');
}

/**
 * RPC_UNICODE_STRING (MS-DTYP 2.3.10): byte Length and MaximumLength, then a unique pointer to
 * the characters. `withNul` counts a terminating NUL, as MS-RRP wants for key and value names.
 */
export function writeUnicodeString(w: NdrWriter, s: string | null, withNul = false): void {
  w.align(4); // the struct holds a pointer, so it is 4-aligned
  if (s === null) {
    w.u16(0).u16(0).u32(0);
    return;
  }
  const text = withNul ? `${s}\0` : s;
  const bytes = text.length * 2;
  w.u16(bytes).u16(bytes);
  w.unique(text, (t) => {
    const n = t.length;
    w.u32(n).u32(0).u32(n).bytes(Buffer.from(t, 'utf16le'));
  });
}

/** Reads RPC_UNICODE_STRING; the box holds the text (trailing NULs dropped) after the construct. */
export function readUnicodeString(r: NdrReader): Deferred<string> {
  r.align(4);
  const length = r.u16();
  r.u16();
  const box = r.unique(() => r.wchars(length));
  return {
    get value() {
      return box.value === null ? null : box.value.replace(/\0+$/, '');
    },
    set value(v) {
      box.value = v;
    },
  };
}

/** An RPC_SID (MS-DTYP 2.4.2.3) as its S-1-… text. */
export function readSid(r: NdrReader): string {
  r.count(4, 'SID sub-authorities');
  const revision = r.u8();
  const count = r.u8();
  const auth = r.bytes(6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(r.u32());
  const authority = auth.readUIntBE(0, 6);
  return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

/** Writes an RPC_SID from its S-1-… text. */
export function writeSid(w: NdrWriter, sid: string): void {
  const m = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(sid);
  if (!m) throw new ScannerError('ERR_PROTOCOL', `not a SID: ${sid}`);
  const subs = m[3] ? m[3].slice(1).split('-').map(Number) : [];
  if (subs.length > 15)
    throw new ScannerError('ERR_PROTOCOL', `SID with ${subs.length} sub-authorities`);
  const auth = Buffer.alloc(6);
  auth.writeUIntBE(Number(m[2]), 0, 6);
  w.u32(subs.length).u8(Number(m[1])).u8(subs.length).bytes(auth);
  for (const s of subs) w.u32(s);
}

/** An RPC context handle: 20 opaque bytes (attributes + UUID) the server hands out. */
export type ContextHandle = Buffer;

export function writeHandle(w: NdrWriter, h: ContextHandle): void {
  if (h.length !== 20) throw new ScannerError('ERR_PROTOCOL', 'a context handle is 20 bytes');
  w.align(4).bytes(h);
}

export function readHandle(r: NdrReader): ContextHandle {
  r.align(4);
  return r.bytes(20);
}

/** Reads the trailing NTSTATUS / Win32 error of a response; the interfaces check it. */
export function readStatus(r: NdrReader): number {
  return r.u32();
}
