// NTLM session security with extended session security (MS-NLMP §3.4): sign, seal, unseal, verify.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import { Rc4 } from '../crypto/rc4.js';
import { NTLM_FLAGS } from './ntlm-message.js';
import type { NtlmSessionKeys } from './ntlm-v2.js';

/**
 * The per-context message security after an NTLM authentication. Connection-oriented: one RC4
 * handle per direction lives as long as the context, and each direction counts its own sequence
 * numbers from 0. Calls must happen in the order the messages travel.
 */
export interface NtlmSessionSecurity {
  /** GSS_GetMIC: the 16-byte signature of `message`; advances the client sequence number. */
  sign(message: Buffer): Buffer;
  /**
   * GSS_WrapEx: encrypts `toEncrypt` (same length) and signs `toSign` — for DCE/RPC the whole
   * PDU with the *plaintext* stub, per MS-RPCE §3.3.1.5.2.2 (as impacket's rpcrt does). The
   * encryption runs first in the RC4 stream, then the checksum.
   */
  seal(toEncrypt: Buffer, toSign: Buffer): { ciphertext: Buffer; signature: Buffer };
  /**
   * GSS_UnwrapEx from the server: decrypts, then verifies `signature` over `toVerify(plaintext)`.
   * Throws ERR_PROTOCOL on a bad signature or sequence number.
   */
  unseal(ciphertext: Buffer, toVerify: (plaintext: Buffer) => Buffer, signature: Buffer): Buffer;
  /** GSS_VerifyMIC from the server; throws ERR_PROTOCOL on mismatch. */
  verify(message: Buffer, signature: Buffer): void;
}

export interface SessionSecurityDirection {
  signingKey: Buffer;
  handle: Rc4;
  seq: number;
}

function mac(dir: SessionSecurityDirection, flags: number, message: Buffer): Buffer {
  const seq = Buffer.alloc(4);
  seq.writeUInt32LE(dir.seq >>> 0, 0);
  let checksum: Buffer = createHmac('md5', dir.signingKey)
    .update(seq)
    .update(message)
    .digest()
    .subarray(0, 8);
  if (flags & NTLM_FLAGS.keyExchange) checksum = dir.handle.update(checksum);
  const sig = Buffer.alloc(16);
  sig.writeUInt32LE(1, 0);
  checksum.copy(sig, 4);
  seq.copy(sig, 12);
  dir.seq = (dir.seq + 1) >>> 0;
  return sig;
}

function check(expected: Buffer, got: Buffer): void {
  if (got.length !== 16 || !timingSafeEqual(expected, got)) {
    throw new ScannerError('ERR_PROTOCOL', 'NTLM: the server’s message signature does not verify');
  }
}

/** Session security for the client side of a context with the given keys and flags. */
export function clientSessionSecurity(keys: NtlmSessionKeys, flags: number): NtlmSessionSecurity {
  if (!(flags & NTLM_FLAGS.extendedSessionSecurity)) {
    throw new ScannerError('ERR_PROTOCOL', 'NTLM: the server refused extended session security');
  }
  const out: SessionSecurityDirection = {
    signingKey: keys.clientSigningKey,
    handle: new Rc4(keys.clientSealingKey),
    seq: 0,
  };
  const inn: SessionSecurityDirection = {
    signingKey: keys.serverSigningKey,
    handle: new Rc4(keys.serverSealingKey),
    seq: 0,
  };
  return {
    sign: (message) => mac(out, flags, message),
    seal(toEncrypt, toSign) {
      const ciphertext = out.handle.update(toEncrypt);
      return { ciphertext, signature: mac(out, flags, toSign) };
    },
    unseal(ciphertext, toVerify, signature) {
      const plaintext = inn.handle.update(ciphertext);
      check(mac(inn, flags, toVerify(plaintext)), signature);
      return plaintext;
    },
    verify(message, signature) {
      check(mac(inn, flags, message), signature);
    },
  };
}
