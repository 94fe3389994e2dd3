// AES-CMAC (RFC 4493) over node's AES-128-ECB: SMB 3.x signs with it and node has no CMAC.
import { createCipheriv } from 'node:crypto';

const RB = 0x87;

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Doubles a 128-bit block in GF(2^128) (the subkey step of RFC 4493 §2.3). */
function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15] = out[15]! ^ RB;
  return out;
}

/** The 16-byte AES-CMAC of `message` under a 16- or 32-byte key. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16));
  cipher.setAutoPadding(false);
  const l = aesBlock(key, Buffer.alloc(16));
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  message.subarray((n - 1) * 16).copy(last);
  if (!complete) last[message.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i] = last[i]! ^ sub[i]!;
  // CBC-MAC with a zero IV: the last ciphertext block is the tag.
  const body = Buffer.concat([message.subarray(0, (n - 1) * 16), last]);
  const out = cipher.update(body);
  return Buffer.from(out.subarray(out.length - 16));
}
