// SP800-108 KDF in counter mode with HMAC-SHA256 (one 32-bit counter, 32-bit L): SMB 3.x key derivation.
import { createHmac } from 'node:crypto';

/**
 * Derives `bits` (128 or 256) bits from `key` with the given label and context, as MS-SMB2
 * §3.1.4.2 uses it: K(i) = HMAC-SHA256(key, i || Label || 0x00 || Context || L), big-endian
 * counters. Labels and contexts are passed with their own trailing NUL where the spec has one.
 */
export function kdfCounterHmacSha256(
  key: Buffer,
  label: Buffer,
  context: Buffer,
  bits = 128,
): Buffer {
  const out: Buffer[] = [];
  const blocks = Math.ceil(bits / 256);
  const l = Buffer.alloc(4);
  l.writeUInt32BE(bits, 0);
  for (let i = 1; i <= blocks; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i, 0);
    out.push(
      createHmac('sha256', key)
        .update(Buffer.concat([counter, label, Buffer.from([0]), context, l]))
        .digest(),
    );
  }
  return Buffer.concat(out).subarray(0, bits / 8);
}
