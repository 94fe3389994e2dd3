// NTLMv2 computations (MS-NLMP §3.3.2, §3.4.5) and the AUTHENTICATE_MESSAGE encoder (§2.2.1.3).
import { createHash, createHmac } from 'node:crypto';
import { md4 } from '../crypto/md4.js';
import { rc4 } from '../crypto/rc4.js';
import {
  AV_ID,
  NTLMSSP_SIGNATURE,
  NTLM_FLAGS,
  encodeVersion,
  type AvPair,
  type NtlmVersion,
} from './ntlm-message.js';

const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');
const hmacMd5 = (key: Buffer, ...data: Buffer[]): Buffer => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};
const md5 = (...data: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return h.digest();
};

/** NTOWFv2 = HMAC_MD5(MD4(UNICODE(password)), UNICODE(Uppercase(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(md4(utf16(password)), utf16(user.toUpperCase() + domain));
}

/** Serialises AV pairs, ending with MsvAvEOL. */
export function encodeAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(p.id, 0);
    head.writeUInt16LE(p.value.length, 2);
    parts.push(head, p.value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export interface Ntlmv2Responses {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  ntProofStr: Buffer;
  sessionBaseKey: Buffer;
}

/**
 * ComputeResponse for NTLMv2 (MS-NLMP §3.3.2). `targetInfo` is the AV pair list as the client
 * sends it back (already carrying MsvAvFlags/channel bindings when used); `timestamp` is the
 * FILETIME as 8 little-endian bytes. `omitLm` sends Z(24) as the LM response, as a client must
 * when the server sent MsvAvTimestamp.
 */
export function computeNtlmv2Response(o: {
  responseKey: Buffer;
  serverChallenge: Buffer;
  clientChallenge: Buffer;
  timestamp: Buffer;
  targetInfo: Buffer;
  omitLm: boolean;
}): Ntlmv2Responses {
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    o.timestamp,
    o.clientChallenge,
    Buffer.alloc(4),
    o.targetInfo,
    Buffer.alloc(4),
  ]);
  const ntProofStr = hmacMd5(o.responseKey, o.serverChallenge, temp);
  const lm = o.omitLm
    ? Buffer.alloc(24)
    : Buffer.concat([
        hmacMd5(o.responseKey, o.serverChallenge, o.clientChallenge),
        o.clientChallenge,
      ]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse: lm,
    ntProofStr,
    sessionBaseKey: hmacMd5(o.responseKey, ntProofStr),
  };
}

/** RC4 of the random exported session key under the key-exchange key (KEY_EXCH). */
export function encryptSessionKey(keyExchangeKey: Buffer, exportedSessionKey: Buffer): Buffer {
  return rc4(keyExchangeKey, exportedSessionKey);
}

const MAGIC = {
  clientSign: 'session key to client-to-server signing key magic constant\0',
  serverSign: 'session key to server-to-client signing key magic constant\0',
  clientSeal: 'session key to client-to-server sealing key magic constant\0',
  serverSeal: 'session key to server-to-client sealing key magic constant\0',
} as const;

export interface NtlmSessionKeys {
  clientSigningKey: Buffer;
  serverSigningKey: Buffer;
  clientSealingKey: Buffer;
  serverSealingKey: Buffer;
}

/** SIGNKEY and SEALKEY for both directions (extended session security, §3.4.5.2–3). */
export function deriveSessionKeys(exportedSessionKey: Buffer, flags: number): NtlmSessionKeys {
  const sealBase =
    flags & NTLM_FLAGS.n128
      ? exportedSessionKey
      : exportedSessionKey.subarray(0, flags & NTLM_FLAGS.n56 ? 7 : 5);
  return {
    clientSigningKey: md5(exportedSessionKey, Buffer.from(MAGIC.clientSign, 'latin1')),
    serverSigningKey: md5(exportedSessionKey, Buffer.from(MAGIC.serverSign, 'latin1')),
    clientSealingKey: md5(sealBase, Buffer.from(MAGIC.clientSeal, 'latin1')),
    serverSealingKey: md5(sealBase, Buffer.from(MAGIC.serverSeal, 'latin1')),
  };
}

export interface AuthenticateFields {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  /** Written when the VERSION flag is set. */
  version: NtlmVersion;
  /** Reserve the 16-byte MIC field (filled later by `setMic`). */
  withMic: boolean;
}

/** Offset of the MIC inside an AUTHENTICATE_MESSAGE that has VERSION and MIC. */
export const MIC_OFFSET = 72;

/**
 * Encodes an AUTHENTICATE_MESSAGE: fixed header, VERSION, optional MIC (zeroed), then the
 * payload in the order domain, user, workstation, LM, NT, session key (as Windows lays it out).
 */
export function buildAuthenticateMessage(f: AuthenticateFields): Buffer {
  const unicode = (f.flags & NTLM_FLAGS.unicode) !== 0;
  const text = (s: string): Buffer => (unicode ? utf16(s) : Buffer.from(s, 'latin1'));
  const withVersion = (f.flags & NTLM_FLAGS.version) !== 0 || f.withMic;
  const headerLen = 64 + (withVersion ? 8 : 0) + (f.withMic ? 16 : 0);
  const fields = [
    text(f.domain),
    text(f.user),
    text(f.workstation),
    f.lmChallengeResponse,
    f.ntChallengeResponse,
    f.encryptedRandomSessionKey,
  ];
  // Field descriptor offsets in the header for each payload item above.
  const descriptorAt = [28, 36, 44, 12, 20, 52];
  const head = Buffer.alloc(headerLen);
  NTLMSSP_SIGNATURE.copy(head, 0);
  head.writeUInt32LE(3, 8);
  let offset = headerLen;
  fields.forEach((data, i) => {
    if (data.length > 0xffff) throw new RangeError('NTLM field over 64 KiB');
    const at = descriptorAt[i]!;
    head.writeUInt16LE(data.length, at);
    head.writeUInt16LE(data.length, at + 2);
    head.writeUInt32LE(offset, at + 4);
    offset += data.length;
  });
  head.writeUInt32LE(f.flags >>> 0, 60);
  if (withVersion) encodeVersion(f.version).copy(head, 64);
  return Buffer.concat([head, ...fields]);
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE(MIC zeroed)). */
export function computeMic(
  exportedSessionKey: Buffer,
  negotiate: Buffer,
  challenge: Buffer,
  authenticate: Buffer,
): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate);
}

/**
 * The AV pairs a client returns in its NTLMv2 blob: the server's (EOL dropped), with MsvAvFlags
 * bit 0x2 (MIC present) when `withMic`, the channel bindings hash when given (zeros when a MIC
 * is sent without bindings, as Windows does), and the target SPN when given.
 */
export function clientAvPairs(
  server: AvPair[],
  o: { withMic: boolean; channelBindings?: Buffer; targetName?: string },
): AvPair[] {
  const out: AvPair[] = [];
  let flagsSeen = false;
  for (const p of server) {
    if (p.id === AV_ID.eol || p.id === AV_ID.channelBindings || p.id === AV_ID.targetName) continue;
    if (p.id === AV_ID.flags && p.value.length === 4) {
      flagsSeen = true;
      const v = Buffer.from(p.value);
      if (o.withMic) v.writeUInt32LE((v.readUInt32LE(0) | 0x2) >>> 0, 0);
      out.push({ id: p.id, value: v });
      continue;
    }
    out.push(p);
  }
  if (o.withMic && !flagsSeen) {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(0x2, 0);
    out.push({ id: AV_ID.flags, value: v });
  }
  if (o.channelBindings || o.withMic) {
    out.push({ id: AV_ID.channelBindings, value: o.channelBindings ?? Buffer.alloc(16) });
  }
  if (o.targetName !== undefined) out.push({ id: AV_ID.targetName, value: utf16(o.targetName) });
  return out;
}
