// NetBIOS names: first-level encoding (RFC 1001 §14.1) used by NBNS queries and NBSS requests.
import { ScannerError } from '../../errors.js';

/**
 * Encodes `name` (upper-cased, padded with spaces to 15 bytes) plus `suffix` as the 34-byte
 * length-prefixed label: 0x20, 32 "half-ASCII" letters, 0x00. The wildcard '*' is padded with
 * NULs instead, as node-status queries require.
 */
export function encodeNetbiosName(name: string, suffix: number): Buffer {
  const raw = Buffer.alloc(16, name === '*' ? 0 : 0x20);
  const text = Buffer.from(name === '*' ? name : name.toUpperCase(), 'latin1');
  if (text.length > 15) throw new RangeError(`NetBIOS name longer than 15 bytes: ${name}`);
  text.copy(raw, 0);
  raw[15] = suffix;
  const out = Buffer.alloc(34);
  out[0] = 32;
  for (let i = 0; i < 16; i++) {
    out[1 + i * 2] = 0x41 + (raw[i]! >> 4);
    out[2 + i * 2] = 0x41 + (raw[i]! & 0x0f);
  }
  return out;
}

/** Decodes a 32-letter first-level encoded label back to its 16 raw bytes. */
export function decodeNetbiosLabel(label: Buffer): Buffer {
  if (label.length !== 32)
    throw new ScannerError('ERR_PROTOCOL', `NetBIOS label of ${label.length} bytes`);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    const hi = label[i * 2]! - 0x41;
    const lo = label[i * 2 + 1]! - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
      throw new ScannerError('ERR_PROTOCOL', 'bad NetBIOS label letter');
    out[i] = (hi << 4) | lo;
  }
  return out;
}
