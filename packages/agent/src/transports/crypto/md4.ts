// MD4 (RFC 1320) in plain JavaScript: the NT password hash needs it and OpenSSL 3 no longer offers it.

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

/** The 16-byte MD4 digest of `data`. */
export function md4(data: Buffer): Buffer {
  const bitLen = BigInt(data.length) * 8n;
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as a 64-bit little-endian number.
  const padLen = (((55 - data.length) % 64) + 64) % 64;
  const msg = Buffer.alloc(data.length + 1 + padLen + 8);
  data.copy(msg, 0);
  msg[data.length] = 0x80;
  msg.writeBigUInt64LE(bitLen & 0xffffffffffffffffn, msg.length - 8);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);
  const f = (p: number, q: number, r: number): number => (p & q) | (~p & r);
  const g = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
  const h = (p: number, q: number, r: number): number => p ^ q ^ r;
  for (let off = 0; off < msg.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = msg.readUInt32LE(off + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    // Round 1: [k, s] for each step, cycling a, d, c, b.
    const r1 = [3, 7, 11, 19];
    for (let i = 0; i < 16; i++) {
      const s = r1[i % 4]!;
      const t = (a + f(b, c, d) + x[i]!) >>> 0;
      [a, b, c, d] = [d, rotl(t, s), b, c];
    }
    const r2 = [3, 5, 9, 13];
    for (let i = 0; i < 16; i++) {
      const k = (i % 4) * 4 + Math.floor(i / 4);
      const t = (a + g(b, c, d) + x[k]! + 0x5a827999) >>> 0;
      [a, b, c, d] = [d, rotl(t, r2[i % 4]!), b, c];
    }
    const r3 = [3, 9, 11, 15];
    const order3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
    for (let i = 0; i < 16; i++) {
      const t = (a + h(b, c, d) + x[order3[i]!]! + 0x6ed9eba1) >>> 0;
      [a, b, c, d] = [d, rotl(t, r3[i % 4]!), b, c];
    }
    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }
  const out = Buffer.alloc(16);
  out.writeUInt32LE(a, 0);
  out.writeUInt32LE(b, 4);
  out.writeUInt32LE(c, 8);
  out.writeUInt32LE(d, 12);
  return out;
}
