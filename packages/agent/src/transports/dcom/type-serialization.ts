// NDR Type Serialization Version 1 (MS-RPCE 2.2.6), the encoding activation properties use:
// an 8-byte common header, an 8-byte private header (object length), then NDR20 of one type.
import { ScannerError } from '../../errors.js';
import { NdrReader, NdrWriter } from '../dcerpc/ndr.js';

export const TS1_HEADER_SIZE = 16;
const FILLER = 0xcccccccc;
/** Padding bytes after an object, as impacket writes them (Windows ignores their value). */
const PAD_BYTE = 0xfa;

/**
 * One type serialized: headers, then `write` as a top-level construct (its referents follow it).
 * ObjectBufferLength is the unpadded NDR length and the result is padded to 8 with 0xFA, as
 * impacket writes it (its activation requests are known to work against Windows).
 * @example serializeType1((w) => w.u32(1)) // 01 10 08 00 cc cc cc cc 04 00 00 00 cc cc cc cc 01 00 00 00 fa fa fa fa
 */
export function serializeType1(write: (w: NdrWriter) => void): Buffer {
  const w = new NdrWriter();
  w.bytes(Buffer.alloc(TS1_HEADER_SIZE));
  w.construct(() => write(w));
  const body = w.toBuffer();
  body.writeUInt8(1, 0);
  body.writeUInt8(0x10, 1);
  body.writeUInt16LE(8, 2);
  body.writeUInt32LE(FILLER, 4);
  body.writeUInt32LE(body.length - TS1_HEADER_SIZE, 8);
  body.writeUInt32LE(FILLER, 12);
  const pad = (8 - (body.length % 8)) % 8;
  return Buffer.concat([body, Buffer.alloc(pad, PAD_BYTE)]);
}

/**
 * Reads one type serialized with version 1 from `buf` (which may hold padding after it): checks
 * the headers, then runs `read` as a top-level construct over exactly ObjectBufferLength bytes.
 */
export function deserializeType1<T>(buf: Buffer, what: string, read: (r: NdrReader) => T): T {
  if (buf.length < TS1_HEADER_SIZE)
    throw new ScannerError('ERR_PROTOCOL', `${what}: ${buf.length} bytes, no serialization header`);
  if (buf[0] !== 1 || buf[1] !== 0x10 || buf.readUInt16LE(2) !== 8) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${what}: not NDR type serialization 1 little-endian (${buf.subarray(0, 4).toString('hex')})`,
    );
  }
  const len = buf.readUInt32LE(8);
  if (TS1_HEADER_SIZE + len > buf.length) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${what}: object length ${len} exceeds the ${buf.length - TS1_HEADER_SIZE} bytes present`,
    );
  }
  // The reader spans the headers too, so NDR alignment counts from the start of the serialization.
  const r = new NdrReader(buf.subarray(0, TS1_HEADER_SIZE + len));
  r.bytes(TS1_HEADER_SIZE);
  return r.construct(() => read(r));
}
