// NDR20 (little-endian, ASCII, IEEE) marshalling: a typed writer and a bounded reader with
// deferred pointer referents, conformant/varying arrays and strings, as MS-RPCE/C706 chapter 14 lays out.
import { ScannerError } from '../../errors.js';

/** NDR20's transfer syntax identifier (8a885d04-1ceb-11c9-9fe8-08002b104860 v2). */
export const NDR20_SYNTAX = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 } as const;

/** Most deferred referents one stub may hold; bounds work on a hostile stub. */
export const MAX_REFERENTS = 100_000;

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed NDR: ${what}`);
}

/**
 * Writes NDR20 into a growing buffer. Pointers embedded in a constructed value write a referent id
 * now and their referent later: `construct()` runs a top-level parameter (or a referent) and then
 * the referents it queued, depth first, which is the order C706 14.3.12 and Windows use.
 * @example const w = new NdrWriter(); w.construct(() => w.unique('x', (s) => w.wstring(s))); w.toBuffer();
 */
export class NdrWriter {
  #buf = Buffer.alloc(256);
  #len = 0;
  #nextRef = 0x00020000;
  #pending: (() => void)[] = [];

  get length(): number {
    return this.#len;
  }

  #room(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const next = Buffer.alloc(Math.max(this.#buf.length * 2, this.#len + n));
      this.#buf.copy(next, 0, 0, this.#len);
      this.#buf = next;
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }

  /** Pads with zeros to a multiple of `n` (1, 2, 4 or 8) from the start of the stub. */
  align(n: number): this {
    const pad = (n - (this.#len % n)) % n;
    this.#room(pad);
    return this;
  }
  u8(v: number): this {
    const at = this.#room(1);
    this.#buf.writeUInt8(v, at);
    return this;
  }
  u16(v: number): this {
    this.align(2);
    const at = this.#room(2);
    this.#buf.writeUInt16LE(v, at);
    return this;
  }
  u32(v: number): this {
    this.align(4);
    const at = this.#room(4);
    this.#buf.writeUInt32LE(v >>> 0, at);
    return this;
  }
  i32(v: number): this {
    this.align(4);
    const at = this.#room(4);
    this.#buf.writeInt32LE(v, at);
    return this;
  }
  u64(v: bigint): this {
    this.align(8);
    const at = this.#room(8);
    this.#buf.writeBigUInt64LE(v, at);
    return this;
  }
  /** Raw bytes, no alignment (fixed arrays of bytes, context handles). */
  bytes(b: Buffer): this {
    // #room() may replace the buffer: take the offset first.
    const at = this.#room(b.length);
    b.copy(this.#buf, at);
    return this;
  }

  /** Writes `body`, then the referents it queued (and theirs), depth first. */
  construct(body: () => void): this {
    const outer = this.#pending;
    this.#pending = [];
    body();
    const mine = this.#pending;
    this.#pending = outer;
    for (const referent of mine) this.construct(referent);
    return this;
  }

  /** A [unique] (or [ptr]) pointer: 0 for null, else a referent id now and `write(value)` deferred. */
  unique<T>(value: T | null | undefined, write: (v: T) => void): this {
    if (value === null || value === undefined) return this.u32(0);
    this.u32(this.#nextRef);
    this.#nextRef += 4;
    this.#pending.push(() => write(value));
    return this;
  }

  /** An embedded [ref] pointer: a referent id now, the referent deferred (never null). */
  ref<T>(value: T, write: (v: T) => void): this {
    return this.unique(value, write);
  }

  /** A conformant and varying UTF-16LE string (`[string] wchar_t*`), NUL-terminated. */
  wstring(s: string): this {
    const units = Buffer.from(`${s}\0`, 'utf16le');
    const n = units.length / 2;
    this.u32(n).u32(0).u32(n);
    return this.bytes(units);
  }

  /** A conformant array of `items` (max_count first, then each element, then their referents). */
  conformantArray<T>(items: readonly T[], write: (v: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(item);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#len));
  }
}

/** A referent read later: `value` is set once the enclosing `construct()` finished. */
export interface Deferred<T> {
  value: T | null;
}

/**
 * Reads NDR20 from a buffer; every length is checked against the bytes left, so a hostile count
 * throws ERR_PROTOCOL instead of allocating. Pointer referents are read the way NdrWriter writes them.
 */
export class NdrReader {
  readonly #buf: Buffer;
  #pos = 0;
  #pending: (() => void)[] = [];
  #referents = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get offset(): number {
    return this.#pos;
  }
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #take(n: number, what: string): number {
    if (n < 0 || n > this.remaining) throw malformed(`${what} needs ${n} bytes at ${this.#pos}`);
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  align(n: number): this {
    const pad = (n - (this.#pos % n)) % n;
    this.#take(pad, 'alignment');
    return this;
  }
  u8(): number {
    return this.#buf.readUInt8(this.#take(1, 'u8'));
  }
  u16(): number {
    this.align(2);
    return this.#buf.readUInt16LE(this.#take(2, 'u16'));
  }
  u32(): number {
    this.align(4);
    return this.#buf.readUInt32LE(this.#take(4, 'u32'));
  }
  i32(): number {
    this.align(4);
    return this.#buf.readInt32LE(this.#take(4, 'i32'));
  }
  u64(): bigint {
    this.align(8);
    return this.#buf.readBigUInt64LE(this.#take(8, 'u64'));
  }
  bytes(n: number): Buffer {
    const at = this.#take(n, 'bytes');
    return Buffer.from(this.#buf.subarray(at, at + n));
  }

  /** Reads `body`, then the referents it queued, depth first; returns what `body` returned. */
  construct<T>(body: () => T): T {
    const outer = this.#pending;
    this.#pending = [];
    const out = body();
    const mine = this.#pending;
    this.#pending = outer;
    for (const referent of mine) this.construct(referent);
    return out;
  }

  /** A [unique] pointer: null for id 0, else a box filled when the enclosing construct ends. */
  unique<T>(read: () => T): Deferred<T> {
    const box: Deferred<T> = { value: null };
    if (this.u32() === 0) return box;
    if (++this.#referents > MAX_REFERENTS) throw malformed(`more than ${MAX_REFERENTS} referents`);
    this.#pending.push(() => {
      box.value = read();
    });
    return box;
  }

  /**
   * The max_count of a conformant array whose elements take at least `minSize` bytes each,
   * refused when the bytes left cannot hold that many.
   */
  count(minSize: number, what: string): number {
    const n = this.u32();
    if (n * minSize > this.remaining) throw malformed(`${what} count ${n} exceeds the stub`);
    return n;
  }

  /** A conformant array: max_count, then `n` elements read by `read`. */
  conformantArray<T>(minSize: number, read: (i: number) => T): T[] {
    const n = this.count(minSize, 'array');
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(i));
    return out;
  }

  /** A conformant varying string of UTF-16 units; the trailing NUL (if any) is dropped. */
  wstring(): string {
    const max = this.u32();
    const offset = this.u32();
    const actual = this.u32();
    if (offset !== 0 || actual > max)
      throw malformed(`string offset ${offset} actual ${actual} max ${max}`);
    const units = this.bytes(actual * 2).toString('utf16le');
    return units.endsWith('\0') ? units.slice(0, -1) : units;
  }

  /** A varying array of UTF-16 units given as a byte length (RPC_UNICODE_STRING's buffer). */
  wchars(lengthBytes: number): string {
    const max = this.u32();
    const offset = this.u32();
    const actual = this.u32();
    if (offset > max || actual > max - offset)
      throw malformed(`wchar array ${offset}+${actual} > ${max}`);
    this.#take(offset * 2, 'wchar offset');
    const text = this.bytes(actual * 2).toString('utf16le');
    return lengthBytes / 2 < actual ? text.slice(0, lengthBytes / 2) : text;
  }
}
