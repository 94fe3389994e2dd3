// Single DES in CBC mode (FIPS 46-3, FIPS 81) in plain TypeScript, for SNMPv3 DES privacy
// (RFC 3414 §8): Node 20's OpenSSL 3 only offers des-cbc through its legacy provider.
// It encrypts a few kilobytes per SNMP message, so clarity wins over table-driven speed.

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37,
  5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2,
  42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19,
  20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
  52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21,
  13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
/** The eight S-boxes, 64 four-bit entries each (row-major, 4 rows of 16), as hex digits. */
const S = [
  'e4d12fb83a6c59070f74e2d1a6cb953841e8d62bfc973a50fc8249175b3ea06d',
  'f18e6b34972dc05a3d47f28ec01a69b50e7ba4d158c6932fd8a13f42b67c05e9',
  'a09e63f51dc7b428d709346a285ecbf1d6498f30b12c5ae71ad069874fe3b52c',
  '7de3069a1285bc4fd8b56f03472c1ae9a690cb7df13e52843f06a1d8945bc72e',
  '2c417ab6853fd0e9eb2c47d150fa3986421bad78f9c5630eb8c71e2d6f09a453',
  'c1af92680d34e75baf427c9561de0b389ef528c3704a1db6432c95fabe17608d',
  '4b2ef08d3c975a61d0b7491ae35c2f8614bdc37eaf6805926bd814a7950fe23c',
  'd2846fb1a93e50c71fd8a374c56b0e927b419ce206adf35821e74a8dfc90356b',
].map((box) => Array.from(box, (digit) => parseInt(digit, 16)));

/** Bit `pos` (1-based, most significant first) of the 32-bit words read as one bit string. */
function bit(words: readonly number[], pos: number): number {
  return (words[(pos - 1) >>> 5]! >>> (31 - ((pos - 1) & 31))) & 1;
}

/**
 * A FIPS 46 permutation compiled into one lookup per input byte: entry `[byte][value]` holds the
 * output bits that input byte sets, so a permutation costs a few ORs instead of a bit loop.
 */
function compile(table: readonly number[], inBits: number): (words: readonly number[]) => number[] {
  const outWords = Math.ceil(table.length / 32);
  const lut = Array.from({ length: inBits / 8 }, (_, byte) =>
    Array.from({ length: 256 }, (_, value) => {
      const input = new Array<number>(inBits / 32).fill(0);
      input[byte >>> 2] = (value << (24 - 8 * (byte & 3))) >>> 0;
      const out = new Array<number>(outWords).fill(0);
      for (let i = 0; i < table.length; i++) {
        if (bit(input, table[i]!)) out[i >>> 5]! |= 1 << (31 - (i & 31));
      }
      return out;
    }),
  );
  return (words) => {
    const out = new Array<number>(outWords).fill(0);
    for (let byte = 0; byte < lut.length; byte++) {
      const row = lut[byte]![(words[byte >>> 2]! >>> (24 - 8 * (byte & 3))) & 0xff]!;
      for (let w = 0; w < outWords; w++) out[w]! |= row[w]!;
    }
    return out.map((w) => w >>> 0);
  };
}

const permIp = compile(IP, 64);
const permFp = compile(FP, 64);
const permE = compile(E, 32);
const permP = compile(P, 32);
const permPc1 = compile(PC1, 64);
const permPc2 = compile(PC2, 64);

/** The 16 round keys, each as eight 6-bit groups. */
function roundKeys(key: Buffer): number[][] {
  const [cd0, cd1] = permPc1([key.readUInt32BE(0), key.readUInt32BE(4)]);
  let c = cd0! >>> 4;
  let d = ((cd0! & 0xf) << 24) | (cd1! >>> 8);
  const rot = (v: number, s: number): number => ((v << s) | (v >>> (28 - s))) & 0x0fffffff;
  return SHIFTS.map((s) => {
    c = rot(c, s);
    d = rot(d, s);
    return sixBitGroups(permPc2([((c << 4) | (d >>> 24)) >>> 0, (d << 8) >>> 0]));
  });
}

/** The first 48 bits of two words as eight 6-bit groups. */
function sixBitGroups([w0, w1]: readonly number[]): number[] {
  const a = w0!;
  const b = w1!;
  return [
    (a >>> 26) & 63,
    (a >>> 20) & 63,
    (a >>> 14) & 63,
    (a >>> 8) & 63,
    (a >>> 2) & 63,
    ((a & 3) << 4) | (b >>> 28),
    (b >>> 22) & 63,
    (b >>> 16) & 63,
  ];
}

function feistel(r: number, k: readonly number[]): number {
  const e = sixBitGroups(permE([r]));
  let out = 0;
  for (let j = 0; j < 8; j++) {
    const x = e[j]! ^ k[j]!;
    // Row from the outer bits, column from the inner four.
    out = (out << 4) | S[j]![(x & 0x20) | ((x & 1) << 4) | ((x >>> 1) & 0xf)]!;
  }
  return permP([out >>> 0])[0]!;
}

function cryptBlock(hi: number, lo: number, keys: readonly (readonly number[])[]): number[] {
  let [l, r] = permIp([hi, lo]) as [number, number];
  for (const k of keys) [l, r] = [r, (l ^ feistel(r, k)) >>> 0];
  return permFp([r, l]);
}

function checkArgs(key: Buffer, iv: Buffer, data: Buffer): void {
  if (key.length !== 8) throw new RangeError('DES key must be 8 bytes');
  if (iv.length !== 8) throw new RangeError('DES IV must be 8 bytes');
  if (data.length % 8 !== 0) throw new RangeError('DES-CBC data must be a multiple of 8 bytes');
}

/** DES-CBC encryption without padding: `data` must already be a multiple of 8 bytes. */
export function desCbcEncrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkArgs(key, iv, data);
  const keys = roundKeys(key);
  const out = Buffer.alloc(data.length);
  let prevHi = iv.readUInt32BE(0);
  let prevLo = iv.readUInt32BE(4);
  for (let i = 0; i < data.length; i += 8) {
    const [hi, lo] = cryptBlock(
      (data.readUInt32BE(i) ^ prevHi) >>> 0,
      (data.readUInt32BE(i + 4) ^ prevLo) >>> 0,
      keys,
    ) as [number, number];
    out.writeUInt32BE(hi, i);
    out.writeUInt32BE(lo, i + 4);
    prevHi = hi;
    prevLo = lo;
  }
  return out;
}

/** DES-CBC decryption without padding removal. */
export function desCbcDecrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  checkArgs(key, iv, data);
  const keys = roundKeys(key).reverse();
  const out = Buffer.alloc(data.length);
  let prevHi = iv.readUInt32BE(0);
  let prevLo = iv.readUInt32BE(4);
  for (let i = 0; i < data.length; i += 8) {
    const cHi = data.readUInt32BE(i);
    const cLo = data.readUInt32BE(i + 4);
    const [hi, lo] = cryptBlock(cHi, cLo, keys) as [number, number];
    out.writeUInt32BE((hi ^ prevHi) >>> 0, i);
    out.writeUInt32BE((lo ^ prevLo) >>> 0, i + 4);
    prevHi = cHi;
    prevLo = cLo;
  }
  return out;
}
