// Minimal bounds-checked BER/DER TLV codec shared by the SNMP messages and the SPNEGO tokens.
import { ScannerError } from '../../errors.js';

/** Universal and context tags this codebase uses. */
export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  sequence: 0x30,
} as const;

/** One decoded TLV: its tag byte, its contents (a view into the input, never a copy) and its end. */
export interface Tlv {
  tag: number;
  value: Buffer;
  /** Offset in the parent buffer just past this TLV. */
  end: number;
}

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed BER: ${what}`);
}

/**
 * Reads the TLV that starts at `offset` in `buf`. Only single-byte tags and definite lengths are
 * accepted; a length that runs past the end of `buf` is an ERR_PROTOCOL error, so a hostile
 * length never allocates or reads out of bounds (the value is a subarray of `buf`).
 */
export function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw malformed(`truncated header at ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(`multi-byte tag at ${offset}`);
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw malformed(`indefinite length at ${offset}`);
    if (n > 4) throw malformed(`length of ${n} bytes at ${offset}`);
    if (pos + n > buf.length) throw malformed(`truncated length at ${offset}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (len > buf.length - pos) throw malformed(`length ${len} past the end at ${offset}`);
  return { tag, value: buf.subarray(pos, pos + len), end: pos + len };
}

/** Reads the TLV at `offset` and checks its tag. */
export function expectTlv(buf: Buffer, offset: number, tag: number, what: string): Tlv {
  const tlv = readTlv(buf, offset);
  if (tlv.tag !== tag) {
    throw malformed(`${what}: tag 0x${tlv.tag.toString(16)} where 0x${tag.toString(16)} expected`);
  }
  return tlv;
}

/** Splits the contents of a constructed TLV into its children (at most `max`). */
export function readChildren(value: Buffer, max = 64): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < value.length) {
    if (out.length >= max) throw malformed(`more than ${max} elements`);
    const tlv = readTlv(value, pos);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

/** Decodes a two's-complement INTEGER of at most 6 bytes (enough for SNMP's 32-bit fields). */
export function decodeInteger(value: Buffer): number {
  if (value.length === 0) throw malformed('empty INTEGER');
  if (value.length > 6) throw malformed(`INTEGER of ${value.length} bytes`);
  return value.readIntBE(0, value.length);
}

/** Decodes an OBJECT IDENTIFIER to dotted form; each arc must fit in 32 bits. */
export function decodeOid(value: Buffer): string {
  if (value.length === 0) throw malformed('empty OID');
  if (value.length > 128) throw malformed(`OID of ${value.length} bytes`);
  const arcs: number[] = [];
  let acc = 0;
  let inArc = false;
  for (const byte of value) {
    if (!inArc && byte === 0x80) throw malformed('OID arc with a leading 0x80');
    acc = acc * 128 + (byte & 0x7f);
    if (acc > 0xffffffff) throw malformed('OID arc over 32 bits');
    inArc = (byte & 0x80) !== 0;
    if (!inArc) {
      if (arcs.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        arcs.push(first, acc - first * 40);
      } else arcs.push(acc);
      acc = 0;
    }
  }
  if (inArc) throw malformed('OID ends inside an arc');
  return arcs.join('.');
}

/** Encodes a definite length (short form under 128, long form otherwise). */
export function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Wraps `parts` in one TLV with `tag`. */
export function encodeTlv(tag: number, ...parts: Buffer[]): Buffer {
  const value = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** Encodes a signed INTEGER (32-bit range) in its shortest two's-complement form. */
export function encodeInteger(n: number, tag: number = TAG.integer): Buffer {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) {
    throw new RangeError(`INTEGER out of range: ${n}`);
  }
  const bytes: number[] = [];
  let v = BigInt(n);
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)));
  return encodeTlv(tag, Buffer.from(bytes));
}

/** Encodes a dotted OBJECT IDENTIFIER. */
export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${dotted}`);
    return Number(s);
  });
  if (arcs.length < 2 || arcs[0]! > 2) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  const push = (arc: number): void => {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return encodeTlv(TAG.oid, Buffer.from(out));
}
