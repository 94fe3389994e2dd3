// Fernet (AES-128-CBC + HMAC-SHA256 tokens), byte-compatible with Python's cryptography.fernet.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ScannerError } from '../errors.js';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16; // version, timestamp, IV
const MAC = 32;
const BLOCK = 16;

/** A new random key in the text form Python's `Fernet.generate_key()` returns (44 characters). */
export function generateFernetKey(): string {
  return encodeBase64Url(randomBytes(32));
}

/** Options for {@link Fernet.decrypt}. */
export interface FernetDecryptOptions {
  /** Reject tokens older than this many seconds (the vault does not expire tokens). */
  ttlSeconds?: number;
  /** "Now" in Unix seconds, for the TTL check. */
  nowSeconds?: number;
}

/**
 * One Fernet key. The spec (github.com/fernet/spec): token = 0x80 ‖ timestamp (u64 BE seconds)
 * ‖ IV (16) ‖ AES-128-CBC/PKCS7 ciphertext ‖ HMAC-SHA256(signing key, everything before it),
 * URL-safe base64 with padding. Key = 16 bytes signing ‖ 16 bytes encryption.
 */
export class Fernet {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;

  /** `key` is the URL-safe base64 text of 32 bytes; surrounding whitespace is ignored. */
  constructor(key: string) {
    const raw = decodeBase64Url(key.trim());
    if (raw === null || raw.length !== 32) {
      throw new ScannerError(
        'ERR_VAULT_KEY',
        'not a Fernet key: expected 32 bytes as URL-safe base64 (44 characters)',
      );
    }
    this.#signingKey = raw.subarray(0, 16);
    this.#encryptionKey = raw.subarray(16, 32);
  }

  /** Encrypts `plaintext`; `nowSeconds` and `iv` are injectable only so tests can fix them. */
  encrypt(plaintext: Buffer | string, nowSeconds?: number, iv?: Buffer): string {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ivBytes = iv ?? randomBytes(16);
    if (ivBytes.length !== 16) throw new RangeError('Fernet IV must be 16 bytes');
    const cipher = createCipheriv('aes-128-cbc', this.#encryptionKey, ivBytes);
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const header = Buffer.alloc(9);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(Math.floor(nowSeconds ?? Date.now() / 1000)), 1);
    const body = Buffer.concat([header, ivBytes, ciphertext]);
    const mac = createHmac('sha256', this.#signingKey).update(body).digest();
    return encodeBase64Url(Buffer.concat([body, mac]));
  }

  /**
   * Verifies and decrypts `token`. Any failure is ERR_VAULT_CORRUPT: a malformed token, a MAC
   * that does not match (the token was altered, or this is not the key it was made with — Fernet
   * cannot tell those apart), or an expired token.
   */
  decrypt(token: string, options: FernetDecryptOptions = {}): Buffer {
    const raw = decodeBase64Url(token.trim());
    if (raw === null) throw invalid('not URL-safe base64');
    if (raw.length < HEADER + BLOCK + MAC || (raw.length - HEADER - MAC) % BLOCK !== 0) {
      throw invalid(`wrong length (${raw.length} bytes)`);
    }
    if (raw[0] !== VERSION) throw invalid(`unknown version byte 0x${raw[0]!.toString(16)}`);
    const body = raw.subarray(0, raw.length - MAC);
    const expected = createHmac('sha256', this.#signingKey).update(body).digest();
    // Compare in constant time so the MAC cannot be guessed byte by byte from timing.
    if (!timingSafeEqual(expected, raw.subarray(raw.length - MAC))) {
      throw new ScannerError(
        'ERR_VAULT_CORRUPT',
        'Fernet token failed its integrity check: it was modified or damaged, or it was made with a different key',
      );
    }
    if (options.ttlSeconds !== undefined) {
      const issued = Number(raw.readBigUInt64BE(1));
      const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
      if (issued + options.ttlSeconds < now) throw invalid('token expired');
    }
    try {
      const decipher = createDecipheriv(
        'aes-128-cbc',
        this.#encryptionKey,
        raw.subarray(9, HEADER),
      );
      return Buffer.concat([
        decipher.update(raw.subarray(HEADER, raw.length - MAC)),
        decipher.final(),
      ]);
    } catch (err) {
      // Only reachable with a valid MAC, i.e. a token made by a broken implementation.
      throw invalid('bad padding', err);
    }
  }

  /** The Unix time (seconds) a token says it was made, without verifying it. */
  static timestampOf(token: string): number | null {
    const raw = decodeBase64Url(token.trim());
    return raw && raw.length >= 9 ? Number(raw.readBigUInt64BE(1)) : null;
  }
}

function invalid(why: string, cause?: unknown): ScannerError {
  return new ScannerError('ERR_VAULT_CORRUPT', `not a valid Fernet token: ${why}`, { cause });
}

/** URL-safe base64 with `=` padding, as Python's base64.urlsafe_b64encode writes it. */
export function encodeBase64Url(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Strict URL-safe base64 decode (padding optional); null when the text is not base64. */
export function decodeBase64Url(text: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) return null;
  return Buffer.from(bare, 'base64url');
}
