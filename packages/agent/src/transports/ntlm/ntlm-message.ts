// NTLMSSP message codec (MS-NLMP §2.2): NEGOTIATE builder, CHALLENGE parser, AV pairs, VERSION.
import { ScannerError } from '../../errors.js';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

/** NegotiateFlags bits (MS-NLMP §2.2.2.5). */
export const NTLM_FLAGS = {
  unicode: 0x00000001,
  oem: 0x00000002,
  requestTarget: 0x00000004,
  sign: 0x00000010,
  seal: 0x00000020,
  lmKey: 0x00000080,
  ntlm: 0x00000200,
  anonymous: 0x00000800,
  alwaysSign: 0x00008000,
  targetTypeDomain: 0x00010000,
  targetTypeServer: 0x00020000,
  extendedSessionSecurity: 0x00080000,
  targetInfo: 0x00800000,
  version: 0x02000000,
  n128: 0x20000000,
  keyExchange: 0x40000000,
  n56: 0x80000000,
} as const;

/**
 * Flags of the NEGOTIATE message a Windows 10 client sends (0xe2088297): the server then answers
 * with its TargetInfo and its VERSION.
 */
export const DEFAULT_NEGOTIATE_FLAGS =
  (NTLM_FLAGS.n56 |
    NTLM_FLAGS.keyExchange |
    NTLM_FLAGS.n128 |
    NTLM_FLAGS.version |
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.alwaysSign |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.lmKey |
    NTLM_FLAGS.sign |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.oem |
    NTLM_FLAGS.unicode) >>>
  0;

/** AvId values (MS-NLMP §2.2.2.1). */
export const AV_ID = {
  eol: 0,
  nbComputerName: 1,
  nbDomainName: 2,
  dnsComputerName: 3,
  dnsDomainName: 4,
  dnsTreeName: 5,
  flags: 6,
  timestamp: 7,
  singleHost: 8,
  targetName: 9,
  channelBindings: 10,
} as const;

/** The VERSION structure (MS-NLMP §2.2.2.10). */
export interface NtlmVersion {
  major: number;
  minor: number;
  build: number;
  /** NTLMRevisionCurrent; 15 for every current implementation. */
  revision: number;
}

export interface AvPair {
  id: number;
  value: Buffer;
}

export interface NtlmChallenge {
  flags: number;
  serverChallenge: Buffer;
  /** TargetName decoded as UTF-16LE (unicode flag) or latin1. */
  targetName: string;
  targetInfo: AvPair[];
  version: NtlmVersion | null;
}

/** The fields of TargetInfo a fingerprint reports. */
export interface NtlmTargetInfo {
  nbComputerName?: string;
  nbDomainName?: string;
  dnsComputerName?: string;
  dnsDomainName?: string;
  dnsTreeName?: string;
  /** MsvAvTimestamp as ISO 8601, when present. */
  timestamp?: string;
}

/** The version our NEGOTIATE carries: all zero except the NTLM revision (15). */
export const CLIENT_VERSION: NtlmVersion = { major: 0, minor: 0, build: 0, revision: 15 };

/** Most AV pairs read from one TargetInfo (real servers send fewer than 12). */
export const MAX_AV_PAIRS = 32;

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed NTLM message: ${what}`);
}

export function encodeVersion(v: NtlmVersion): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(v.major, 0);
  b.writeUInt8(v.minor, 1);
  b.writeUInt16LE(v.build, 2);
  b.writeUInt8(v.revision, 7);
  return b;
}

export function decodeVersion(b: Buffer): NtlmVersion {
  if (b.length < 8) throw malformed('short VERSION');
  return { major: b[0]!, minor: b[1]!, build: b.readUInt16LE(2), revision: b[7]! };
}

/** "major.minor.build", the osBuild form the host record uses ("10.0.17763"). */
export function formatVersion(v: NtlmVersion): string {
  return `${v.major}.${v.minor}.${v.build}`;
}

/**
 * Builds a NEGOTIATE_MESSAGE with no domain or workstation (40 bytes with the VERSION field).
 * Deterministic: the same flags give the same bytes.
 */
export function buildNegotiateMessage(
  flags: number = DEFAULT_NEGOTIATE_FLAGS,
  version: NtlmVersion = CLIENT_VERSION,
): Buffer {
  const withVersion = (flags & NTLM_FLAGS.version) !== 0;
  const len = withVersion ? 40 : 32;
  const b = Buffer.alloc(len);
  NTLMSSP_SIGNATURE.copy(b, 0);
  b.writeUInt32LE(1, 8);
  b.writeUInt32LE(flags >>> 0, 12);
  // DomainNameFields and WorkstationFields: empty, offsets pointing at the (empty) payload.
  b.writeUInt32LE(len, 20);
  b.writeUInt32LE(len, 28);
  if (withVersion) encodeVersion(version).copy(b, 32);
  return b;
}

function field(buf: Buffer, at: number, what: string): Buffer {
  const len = buf.readUInt16LE(at);
  const off = buf.readUInt32LE(at + 4);
  if (len === 0) return buf.subarray(0, 0);
  if (off > buf.length || len > buf.length - off) throw malformed(`${what} runs past the message`);
  return buf.subarray(off, off + len);
}

/** Parses AV pairs up to MsvAvEOL; a pair that overruns the buffer is ERR_PROTOCOL. */
export function parseAvPairs(buf: Buffer): AvPair[] {
  const out: AvPair[] = [];
  let pos = 0;
  while (pos + 4 <= buf.length) {
    const id = buf.readUInt16LE(pos);
    const len = buf.readUInt16LE(pos + 2);
    pos += 4;
    if (id === AV_ID.eol) return out;
    if (len > buf.length - pos) throw malformed(`AV pair ${id} runs past TargetInfo`);
    if (out.length >= MAX_AV_PAIRS) throw malformed(`more than ${MAX_AV_PAIRS} AV pairs`);
    out.push({ id, value: buf.subarray(pos, pos + len) });
    pos += len;
  }
  if (pos !== buf.length) throw malformed('TargetInfo ends inside an AV pair');
  // No MsvAvEOL: accepted (some stacks omit it), the pairs read so far stand.
  return out;
}

/** Parses a CHALLENGE_MESSAGE (type 2). */
export function parseChallengeMessage(buf: Buffer): NtlmChallenge {
  if (buf.length < 32) throw malformed(`CHALLENGE of ${buf.length} bytes`);
  if (!buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw malformed('no NTLMSSP signature');
  const type = buf.readUInt32LE(8);
  if (type !== 2) throw malformed(`message type ${type} where CHALLENGE (2) expected`);
  const flags = buf.readUInt32LE(20);
  const serverChallenge = Buffer.from(buf.subarray(24, 32));
  const nameBytes = field(buf, 12, 'TargetName');
  const targetName = nameBytes.toString(flags & NTLM_FLAGS.unicode ? 'utf16le' : 'latin1');
  let targetInfo: AvPair[] = [];
  // TargetInfoFields (40..47) and VERSION (48..55) exist when the header is long enough: the
  // lowest payload offset tells where the fixed part ends (old servers send a 32-byte header).
  const nameOffset = nameBytes.length > 0 ? buf.readUInt32LE(16) : buf.length;
  if (buf.length >= 48 && nameOffset >= 48) {
    const info = field(buf, 40, 'TargetInfo');
    if (info.length > 0) targetInfo = parseAvPairs(info);
  }
  let version: NtlmVersion | null = null;
  const infoOffset =
    buf.length >= 48 && buf.readUInt16LE(40) > 0 ? buf.readUInt32LE(44) : buf.length;
  if (flags & NTLM_FLAGS.version && buf.length >= 56 && Math.min(nameOffset, infoOffset) >= 56) {
    version = decodeVersion(buf.subarray(48, 56));
  }
  return { flags, serverChallenge, targetName, targetInfo, version };
}

/** Latest instant accepted from a peer's clock: the end of year 9999. */
const MAX_ISO_MS = 253_402_300_799_999;

/** Converts a Windows FILETIME (100 ns ticks since 1601) to ISO 8601; null when 0 or absurd. */
export function filetimeToIso(ticks: bigint): string | null {
  if (ticks === 0n) return null;
  const ms = Number(ticks / 10_000n) - 11_644_473_600_000;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_ISO_MS) return null;
  return new Date(ms).toISOString();
}

/** Reads the name and time pairs a fingerprint reports. */
export function targetInfoFacts(pairs: AvPair[]): NtlmTargetInfo {
  const out: NtlmTargetInfo = {};
  const text = (v: Buffer): string => v.toString('utf16le');
  for (const { id, value } of pairs) {
    switch (id) {
      case AV_ID.nbComputerName:
        out.nbComputerName = text(value);
        break;
      case AV_ID.nbDomainName:
        out.nbDomainName = text(value);
        break;
      case AV_ID.dnsComputerName:
        out.dnsComputerName = text(value);
        break;
      case AV_ID.dnsDomainName:
        out.dnsDomainName = text(value);
        break;
      case AV_ID.dnsTreeName:
        out.dnsTreeName = text(value);
        break;
      case AV_ID.timestamp: {
        if (value.length !== 8) break;
        const iso = filetimeToIso(value.readBigUInt64LE(0));
        if (iso) out.timestamp = iso;
        break;
      }
    }
  }
  return out;
}
