// Bounds-checked little-endian reads over a slice of an MS-WMIO buffer, errors naming the offset.
import { ScannerError } from '../../errors.js';

/** ERR_PROTOCOL for a malformed WMIO encoding at absolute offset `at`. */
export function wmioError(at: number, what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `WMIO: ${what} at offset ${at}`);
}

/**
 * A view of `buf[start, end)` that never reads outside it. Offsets in errors are absolute
 * (from the start of the whole encoding) so a malformed capture can be located.
 */
export class WmioReader {
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  pos: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw wmioError(start, 'bad slice');
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw wmioError(this.pos, `${what} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number, what: string): WmioReader {
    this.need(n, what);
    const r = new WmioReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** A reader from absolute `at` to this reader's end (for heap references). */
  at(at: number, what: string): WmioReader {
    if (at < this.start || at >= this.end) throw wmioError(at, `${what} outside its block`);
    return new WmioReader(this.buf, at, this.end);
  }

  /**
   * An Encoded-String (MS-WMIO 2.2.78): a flag octet (0: one byte per character, 1: UTF-16LE)
   * and the characters up to a NUL. Returns the text; the reader moves past the NUL.
   */
  encodedString(what: string): string {
    const flag = this.u8(`${what} string flag`);
    if (flag === 0) {
      const nul = this.buf.indexOf(0, this.pos);
      if (nul < 0 || nul >= this.end) throw wmioError(this.pos, `${what}: unterminated string`);
      const s = this.buf.toString('latin1', this.pos, nul);
      this.pos = nul + 1;
      return s;
    }
    if (flag === 1) {
      let i = this.pos;
      while (i + 1 < this.end && (this.buf[i] !== 0 || this.buf[i + 1] !== 0)) i += 2;
      if (i + 1 >= this.end) throw wmioError(this.pos, `${what}: unterminated UTF-16 string`);
      const s = this.buf.toString('utf16le', this.pos, i);
      this.pos = i + 2;
      return s;
    }
    throw wmioError(this.pos - 1, `${what}: string flag ${flag} is neither 0 nor 1`);
  }
}
