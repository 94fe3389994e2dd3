// SMB2/3 message security (MS-SMB2 §3.1.4): key derivation, signing (HMAC-SHA256, AES-CMAC,
// AES-GMAC), encryption in a TRANSFORM_HEADER (AES-128-CCM/GCM) and the 3.1.1 preauth hash.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ScannerError } from '../../errors.js';
import { aesCmac } from '../crypto/aes-cmac.js';
import { kdfCounterHmacSha256 } from '../crypto/sp800-108.js';
import { SMB2_FLAGS, SMB2_HEADER_SIZE } from './smb2-header.js';
import { CIPHERS, SIGNING_ALGORITHMS } from './smb2-negotiate.js';

export const TRANSFORM_PROTOCOL_ID = Buffer.from([0xfd, 0x53, 0x4d, 0x42]);
export const TRANSFORM_HEADER_SIZE = 52;

export interface Smb2SessionKeys {
  signingKey: Buffer;
  /** Client-to-server (EncryptionKey) and server-to-client (DecryptionKey). */
  encryptionKey: Buffer;
  decryptionKey: Buffer;
  applicationKey: Buffer;
}

const z = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');

/**
 * Derives the session's keys (MS-SMB2 §3.2.5.3.1). 2.x signs with the session key itself;
 * 3.0/3.0.2 use fixed labels and contexts; 3.1.1 uses its labels with the preauth hash as context.
 */
export function deriveSmb2Keys(
  dialect: number,
  sessionKey: Buffer,
  preauthHash?: Buffer,
): Smb2SessionKeys {
  const key = Buffer.alloc(16);
  sessionKey.copy(key, 0, 0, Math.min(16, sessionKey.length));
  if (dialect < 0x0300) {
    return { signingKey: key, encryptionKey: key, decryptionKey: key, applicationKey: key };
  }
  const kdf = (label: Buffer, ctx: Buffer): Buffer => kdfCounterHmacSha256(key, label, ctx, 128);
  if (dialect === 0x0311) {
    if (!preauthHash) throw new Error('3.1.1 key derivation needs the preauth hash');
    return {
      signingKey: kdf(z('SMBSigningKey'), preauthHash),
      encryptionKey: kdf(z('SMBC2SCipherKey'), preauthHash),
      decryptionKey: kdf(z('SMBS2CCipherKey'), preauthHash),
      applicationKey: kdf(z('SMBAppKey'), preauthHash),
    };
  }
  return {
    signingKey: kdf(z('SMB2AESCMAC'), z('SmbSign')),
    encryptionKey: kdf(z('SMB2AESCCM'), z('ServerIn ')),
    decryptionKey: kdf(z('SMB2AESCCM'), z('ServerOut')),
    applicationKey: kdf(z('SMB2APP'), z('SmbRpc')),
  };
}

/** The signing algorithm in force: HMAC-SHA256 for 2.x, else CMAC unless 3.1.1 picked GMAC. */
export function signingAlgorithmFor(dialect: number, negotiated?: number): number {
  if (dialect < 0x0300) return SIGNING_ALGORITHMS.hmacSha256;
  if (dialect === 0x0311 && negotiated !== undefined) return negotiated;
  return SIGNING_ALGORITHMS.aesCmac;
}

/** The 16-byte signature of one SMB2 message (its signature field is treated as zero). */
export function computeSignature(msg: Buffer, key: Buffer, algorithm: number): Buffer {
  const m = Buffer.from(msg);
  m.fill(0, 48, 64);
  switch (algorithm) {
    case SIGNING_ALGORITHMS.hmacSha256:
      return createHmac('sha256', key).update(m).digest().subarray(0, 16);
    case SIGNING_ALGORITHMS.aesCmac:
      return aesCmac(key, m);
    case SIGNING_ALGORITHMS.aesGmac: {
      // Nonce: MessageId, then a 32-bit field with bit 0 = response, bit 1 = CANCEL (§3.1.4.1).
      const nonce = Buffer.alloc(12);
      m.copy(nonce, 0, 24, 32);
      const flags = m.readUInt32LE(16);
      let role = flags & SMB2_FLAGS.serverToRedir ? 1 : 0;
      if (m.readUInt16LE(12) === 0x000c) role |= 2;
      nonce.writeUInt32LE(role, 8);
      const c = createCipheriv('aes-128-gcm', key, nonce);
      c.setAAD(m);
      c.final();
      return c.getAuthTag();
    }
    default:
      throw new ScannerError('ERR_PROTOCOL', `SMB2 signing algorithm ${algorithm} not supported`);
  }
}

/** Signs `msg` in place (sets SMB2_FLAGS_SIGNED first, as the signature covers the flags). */
export function signMessage(msg: Buffer, key: Buffer, algorithm: number): void {
  msg.writeUInt32LE((msg.readUInt32LE(16) | SMB2_FLAGS.signed) >>> 0, 16);
  computeSignature(msg, key, algorithm).copy(msg, 48);
}

/** True when `msg`'s signature verifies under `key`. */
export function verifySignature(msg: Buffer, key: Buffer, algorithm: number): boolean {
  if (msg.length < SMB2_HEADER_SIZE) return false;
  return timingSafeEqual(computeSignature(msg, key, algorithm), msg.subarray(48, 64));
}

function cipherName(cipher: number): { name: 'aes-128-ccm' | 'aes-128-gcm'; nonceLen: number } {
  if (cipher === CIPHERS.aes128Ccm) return { name: 'aes-128-ccm', nonceLen: 11 };
  if (cipher === CIPHERS.aes128Gcm) return { name: 'aes-128-gcm', nonceLen: 12 };
  throw new ScannerError('ERR_PROTOCOL', `SMB3 cipher 0x${cipher.toString(16)} not supported`);
}

/**
 * Nonces for one session's outbound encryption: a counter in the first 8 bytes (never repeats
 * for the key's life) and random bytes after it.
 */
export class NonceSource {
  #counter = 0n;
  readonly #salt = randomBytes(4);
  next(len: number): Buffer {
    const n = Buffer.alloc(len);
    n.writeBigUInt64LE(this.#counter++, 0);
    this.#salt.copy(n, 8, 0, len - 8);
    return n;
  }
}

/** Wraps one SMB2 message (or compound chain) in a TRANSFORM_HEADER, encrypted under `key`. */
export function encryptMessage(
  msg: Buffer,
  sessionId: bigint,
  key: Buffer,
  cipher: number,
  nonce: Buffer,
): Buffer {
  const { name, nonceLen } = cipherName(cipher);
  const head = Buffer.alloc(TRANSFORM_HEADER_SIZE);
  TRANSFORM_PROTOCOL_ID.copy(head, 0);
  nonce.subarray(0, nonceLen).copy(head, 20);
  head.writeUInt32LE(msg.length, 36);
  head.writeUInt16LE(1, 42); // Flags: encrypted
  head.writeBigUInt64LE(sessionId, 44);
  const aad = head.subarray(20, TRANSFORM_HEADER_SIZE);
  const iv = head.subarray(20, 20 + nonceLen);
  let body: Buffer;
  if (name === 'aes-128-ccm') {
    const c = createCipheriv(name, key, iv, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: msg.length });
    body = Buffer.concat([c.update(msg), c.final()]);
    c.getAuthTag().copy(head, 4);
  } else {
    const c = createCipheriv(name, key, iv);
    c.setAAD(aad);
    body = Buffer.concat([c.update(msg), c.final()]);
    c.getAuthTag().copy(head, 4);
  }
  return Buffer.concat([head, body]);
}

/** The session id a TRANSFORM_HEADER names (to pick the keys). */
export function transformSessionId(frame: Buffer): bigint {
  if (frame.length < TRANSFORM_HEADER_SIZE) {
    throw new ScannerError('ERR_PROTOCOL', 'SMB3 TRANSFORM_HEADER truncated');
  }
  return frame.readBigUInt64LE(44);
}

/** Opens a TRANSFORM_HEADER frame; ERR_PROTOCOL when it does not authenticate. */
export function decryptMessage(frame: Buffer, key: Buffer, cipher: number): Buffer {
  const { name, nonceLen } = cipherName(cipher);
  if (frame.length < TRANSFORM_HEADER_SIZE) {
    throw new ScannerError('ERR_PROTOCOL', 'SMB3 TRANSFORM_HEADER truncated');
  }
  const size = frame.readUInt32LE(36);
  const body = frame.subarray(TRANSFORM_HEADER_SIZE);
  if (size !== body.length) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `SMB3 encrypted message of ${body.length} bytes claims ${size}`,
    );
  }
  const iv = frame.subarray(20, 20 + nonceLen);
  const aad = frame.subarray(20, TRANSFORM_HEADER_SIZE);
  try {
    const tag = frame.subarray(4, 20);
    if (name === 'aes-128-ccm') {
      const d = createDecipheriv(name, key, iv, { authTagLength: 16 });
      d.setAuthTag(tag);
      d.setAAD(aad, { plaintextLength: body.length });
      return Buffer.concat([d.update(body), d.final()]);
    }
    const d = createDecipheriv(name, key, iv);
    d.setAuthTag(tag);
    d.setAAD(aad);
    return Buffer.concat([d.update(body), d.final()]);
  } catch (err) {
    throw new ScannerError('ERR_PROTOCOL', 'SMB3 encrypted message does not authenticate', {
      cause: err,
    });
  }
}

/** The 3.1.1 preauth integrity hash: H(i) = SHA-512(H(i-1) || message), from 64 zero bytes. */
export class PreauthHash {
  #value: Buffer;
  constructor(from: Buffer = Buffer.alloc(64)) {
    this.#value = Buffer.from(from);
  }
  update(message: Buffer): void {
    this.#value = createHash('sha512').update(this.#value).update(message).digest();
  }
  get value(): Buffer {
    return Buffer.from(this.#value);
  }
}
