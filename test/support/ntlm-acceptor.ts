// Test-only NTLMv2 acceptor shared by the DCOM/WMI and WS-Man peers: the server's CHALLENGE,
// the check of the client's AUTHENTICATE proof, and the server's side of the sealing keys, all
// built from the NTLM client's own primitives.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { rc4 } from '../../packages/agent/src/transports/crypto/rc4.js';
import {
  AV_ID,
  NTLM_FLAGS,
  parseAvPairs,
} from '../../packages/agent/src/transports/ntlm/ntlm-message.js';
import {
  clientSessionSecurity,
  type NtlmSessionSecurity,
} from '../../packages/agent/src/transports/ntlm/ntlm-session-security.js';
import {
  deriveSessionKeys,
  encodeAvPairs,
  ntowfv2,
} from '../../packages/agent/src/transports/ntlm/ntlm-v2.js';

/** The account the acceptor knows. */
export interface NtlmAccount {
  username: string;
  password: string;
}

/** What a valid AUTHENTICATE_MESSAGE yields. */
export interface AcceptedNtlm {
  exportedSessionKey: Buffer;
  flags: number;
  /** MsvAvChannelBindings the client put in its NTLMv2 blob, when it sent one. */
  channelBindings?: Buffer;
}

function field(msg: Buffer, at: number): Buffer {
  const len = msg.readUInt16LE(at);
  const off = msg.readUInt32LE(at + 4);
  return msg.subarray(off, off + len);
}

/** A CHALLENGE_MESSAGE with NTLMv2 target info and a timestamp (so clients send a MIC). */
export function ntlmChallengeMessage(serverChallenge: Buffer): Buffer {
  const name = Buffer.from('PEER', 'utf16le');
  const info = encodeAvPairs([
    { id: AV_ID.nbDomainName, value: name },
    { id: AV_ID.nbComputerName, value: name },
    { id: AV_ID.timestamp, value: Buffer.from('0090d336b734c301', 'hex') },
  ]);
  const flags =
    (NTLM_FLAGS.unicode |
      NTLM_FLAGS.requestTarget |
      NTLM_FLAGS.sign |
      NTLM_FLAGS.seal |
      NTLM_FLAGS.ntlm |
      NTLM_FLAGS.alwaysSign |
      NTLM_FLAGS.extendedSessionSecurity |
      NTLM_FLAGS.targetInfo |
      NTLM_FLAGS.version |
      NTLM_FLAGS.n128 |
      NTLM_FLAGS.keyExchange |
      NTLM_FLAGS.n56) >>>
    0;
  const head = Buffer.alloc(56);
  Buffer.from('NTLMSSP\0', 'latin1').copy(head, 0);
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(name.length, 12);
  head.writeUInt16LE(name.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(flags, 20);
  serverChallenge.copy(head, 24);
  head.writeUInt16LE(info.length, 40);
  head.writeUInt16LE(info.length, 42);
  head.writeUInt32LE(56 + name.length, 44);
  Buffer.from([10, 0, 0x7c, 0x4f, 0, 0, 0, 15]).copy(head, 48);
  return Buffer.concat([head, name, info]);
}

/**
 * Checks an AUTHENTICATE_MESSAGE's NTLMv2 proof against `account` (user name compared without
 * case); the exported session key, the negotiated flags and any channel bindings when it holds,
 * null when it does not.
 */
export function acceptNtlmAuthenticate(
  msg: Buffer,
  serverChallenge: Buffer,
  account: NtlmAccount,
): AcceptedNtlm | null {
  if (msg.length < 64 || msg.readUInt32LE(8) !== 3) return null;
  const nt = field(msg, 20);
  const domain = field(msg, 28).toString('utf16le');
  const user = field(msg, 36).toString('utf16le');
  const encryptedKey = field(msg, 52);
  const flags = msg.readUInt32LE(60);
  if (nt.length < 48 || user.toLowerCase() !== account.username.toLowerCase()) return null;
  const key = ntowfv2(account.password, user, domain);
  const proof = nt.subarray(0, 16);
  const blob = nt.subarray(16);
  const expected = createHmac('md5', key).update(serverChallenge).update(blob).digest();
  if (!timingSafeEqual(expected, proof)) return null;
  const base = createHmac('md5', key).update(proof).digest();
  const exportedSessionKey = flags & NTLM_FLAGS.keyExchange ? rc4(base, encryptedKey) : base;
  const pairs = parseAvPairs(blob.subarray(28));
  const cb = pairs.find((p) => p.id === AV_ID.channelBindings)?.value;
  return { exportedSessionKey, flags, ...(cb ? { channelBindings: cb } : {}) };
}

/** The server's side of the signing and sealing keys: the client's directions swapped. */
export function serverSessionSecurity(accepted: {
  exportedSessionKey: Buffer;
  flags: number;
}): NtlmSessionSecurity {
  const k = deriveSessionKeys(accepted.exportedSessionKey, accepted.flags);
  return clientSessionSecurity(
    {
      clientSigningKey: k.serverSigningKey,
      clientSealingKey: k.serverSealingKey,
      serverSigningKey: k.clientSigningKey,
      serverSealingKey: k.clientSealingKey,
    },
    accepted.flags,
  );
}
