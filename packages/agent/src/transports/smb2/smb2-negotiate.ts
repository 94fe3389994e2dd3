// SMB2 NEGOTIATE request builder and response parser, with 3.1.1 negotiate contexts (MS-SMB2 §2.2.3–4).
import { ScannerError } from '../../errors.js';
import {
  SMB2_COMMAND,
  SMB2_HEADER_SIZE,
  buildHeader,
  parseHeader,
  responseBody,
  type Smb2Header,
} from './smb2-header.js';

/** Dialect revision numbers and their dotted names. */
export const SMB2_DIALECTS = {
  0x0202: '2.0.2',
  0x0210: '2.1',
  0x0300: '3.0',
  0x0302: '3.0.2',
  0x0311: '3.1.1',
} as const satisfies Record<number, string>;
export const ALL_DIALECTS = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311] as const;

export const SECURITY_MODE = { signingEnabled: 0x0001, signingRequired: 0x0002 } as const;

/** Global capability bits (MS-SMB2 §2.2.3). */
export const SMB2_CAPS = {
  dfs: 0x01,
  leasing: 0x02,
  largeMtu: 0x04,
  multiChannel: 0x08,
  persistentHandles: 0x10,
  directoryLeasing: 0x20,
  encryption: 0x40,
  notifications: 0x80,
} as const;

export const NEGOTIATE_CONTEXT = {
  preauthIntegrity: 0x0001,
  encryption: 0x0002,
  compression: 0x0003,
  netnameNegotiate: 0x0005,
  transport: 0x0006,
  rdmaTransform: 0x0007,
  signing: 0x0008,
} as const;

export const HASH_SHA512 = 0x0001;

/** Signing algorithm ids of the SIGNING_CAPABILITIES context (MS-SMB2 §2.2.3.1.7). */
export const SIGNING_ALGORITHMS = { hmacSha256: 0x0000, aesCmac: 0x0001, aesGmac: 0x0002 } as const;
export const CIPHERS = {
  aes128Ccm: 0x0001,
  aes128Gcm: 0x0002,
  aes256Ccm: 0x0003,
  aes256Gcm: 0x0004,
} as const;

export interface NegotiateRequestOptions {
  dialects?: readonly number[];
  securityMode?: number;
  capabilities?: number;
  /** 16 bytes; random per connection in production, fixed in tests. */
  clientGuid: Buffer;
  /** Preauth integrity salt, 32 bytes; random per connection in production, fixed in tests. */
  salt: Buffer;
  ciphers?: readonly number[];
  /** Offered in a SIGNING_CAPABILITIES context (3.1.1); none sent when absent. */
  signingAlgorithms?: readonly number[];
  messageId?: bigint;
}

export interface NegotiateContext {
  type: number;
  data: Buffer;
}

export interface NegotiateResponse {
  header: Smb2Header;
  securityMode: number;
  dialectRevision: number;
  /** '2.0.2' … '3.1.1', or the hex revision for anything else (e.g. '0x02ff'). */
  dialect: string;
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  /** FILETIME ticks; 0 when the server does not say (Windows sends 0 for ServerStartTime). */
  systemTime: bigint;
  serverStartTime: bigint;
  securityBuffer: Buffer;
  contexts: NegotiateContext[];
  /** Cipher picked in the encryption context (3.1.1), when present. */
  cipher?: number;
  /** Signing algorithm picked in the signing capabilities context (3.1.1), when present. */
  signingAlgorithm?: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Most negotiate contexts read from one response. */
const MAX_CONTEXTS = 16;

function context(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(type, 0);
  head.writeUInt16LE(data.length, 2);
  return Buffer.concat([head, data]);
}

/** Builds the SMB2 message (header + NEGOTIATE body, no transport framing). */
export function buildNegotiateRequest(o: NegotiateRequestOptions): Buffer {
  const dialects = o.dialects ?? ALL_DIALECTS;
  if (o.clientGuid.length !== 16) throw new RangeError('clientGuid must be 16 bytes');
  const header = buildHeader({
    command: SMB2_COMMAND.negotiate,
    messageId: o.messageId ?? 0n,
    creditRequest: 1,
  });
  const with311 = dialects.includes(0x0311);
  const fixed = Buffer.alloc(36);
  fixed.writeUInt16LE(36, 0);
  fixed.writeUInt16LE(dialects.length, 2);
  fixed.writeUInt16LE(o.securityMode ?? SECURITY_MODE.signingEnabled, 4);
  fixed.writeUInt32LE(o.capabilities ?? 0x7f, 8);
  o.clientGuid.copy(fixed, 12);
  const list = Buffer.alloc(dialects.length * 2);
  dialects.forEach((d, i) => list.writeUInt16LE(d, i * 2));
  let body = Buffer.concat([fixed, list]);
  if (with311) {
    const ciphers = o.ciphers ?? [
      CIPHERS.aes256Gcm,
      CIPHERS.aes128Gcm,
      CIPHERS.aes256Ccm,
      CIPHERS.aes128Ccm,
    ];
    const preauth = Buffer.alloc(6 + o.salt.length);
    preauth.writeUInt16LE(1, 0);
    preauth.writeUInt16LE(o.salt.length, 2);
    preauth.writeUInt16LE(HASH_SHA512, 4);
    o.salt.copy(preauth, 6);
    const enc = Buffer.alloc(2 + ciphers.length * 2);
    enc.writeUInt16LE(ciphers.length, 0);
    ciphers.forEach((c, i) => enc.writeUInt16LE(c, 2 + i * 2));
    const ctxs = [
      context(NEGOTIATE_CONTEXT.preauthIntegrity, preauth),
      context(NEGOTIATE_CONTEXT.encryption, enc),
    ];
    if (o.signingAlgorithms && o.signingAlgorithms.length > 0) {
      const sig = Buffer.alloc(2 + o.signingAlgorithms.length * 2);
      sig.writeUInt16LE(o.signingAlgorithms.length, 0);
      o.signingAlgorithms.forEach((a, i) => sig.writeUInt16LE(a, 2 + i * 2));
      ctxs.push(context(NEGOTIATE_CONTEXT.signing, sig));
    }
    const ctxOffset = align8(SMB2_HEADER_SIZE + body.length);
    body = Buffer.concat([body, Buffer.alloc(ctxOffset - SMB2_HEADER_SIZE - body.length)]);
    body.writeUInt32LE(ctxOffset, 28);
    body.writeUInt16LE(ctxs.length, 32);
    const parts: Buffer[] = [];
    ctxs.forEach((c, i) => {
      parts.push(c);
      // Every context but the last is padded to 8 bytes (MS-SMB2 §2.2.3.1).
      if (i < ctxs.length - 1) parts.push(Buffer.alloc(align8(c.length) - c.length));
    });
    body = Buffer.concat([body, ...parts]);
  }
  return Buffer.concat([header, body]);
}

function slice(msg: Buffer, offset: number, length: number, what: string): Buffer {
  if (length === 0) return msg.subarray(0, 0);
  if (offset < SMB2_HEADER_SIZE || offset > msg.length || length > msg.length - offset) {
    throw new ScannerError('ERR_PROTOCOL', `SMB2 NEGOTIATE response: ${what} outside the message`);
  }
  return msg.subarray(offset, offset + length);
}

/** Parses an SMB2 NEGOTIATE response (a whole message, header included). */
export function parseNegotiateResponse(msg: Buffer): NegotiateResponse {
  const header = parseHeader(msg);
  const body = responseBody(msg, header, SMB2_COMMAND.negotiate, 64);
  if (header.status !== 0) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `SMB2 NEGOTIATE failed with status 0x${header.status.toString(16)}`,
    );
  }
  if (body.readUInt16LE(0) !== 65)
    throw new ScannerError('ERR_PROTOCOL', 'SMB2 NEGOTIATE response StructureSize is not 65');
  const dialectRevision = body.readUInt16LE(4);
  const dialect =
    SMB2_DIALECTS[dialectRevision as keyof typeof SMB2_DIALECTS] ??
    `0x${dialectRevision.toString(16).padStart(4, '0')}`;
  const securityBuffer = slice(
    msg,
    body.readUInt16LE(56),
    body.readUInt16LE(58),
    'security buffer',
  );
  const contexts: NegotiateContext[] = [];
  let cipher: number | undefined;
  let signingAlgorithm: number | undefined;
  if (dialectRevision === 0x0311) {
    const count = body.readUInt16LE(6);
    if (count > MAX_CONTEXTS) throw new ScannerError('ERR_PROTOCOL', `${count} negotiate contexts`);
    let pos = body.readUInt32LE(60);
    for (let i = 0; i < count; i++) {
      pos = align8(pos);
      const head = slice(msg, pos, 8, 'negotiate context');
      const data = slice(msg, pos + 8, head.readUInt16LE(2), 'negotiate context data');
      contexts.push({ type: head.readUInt16LE(0), data });
      pos += 8 + data.length;
    }
    const enc = contexts.find((c) => c.type === NEGOTIATE_CONTEXT.encryption);
    if (enc && enc.data.length >= 4 && enc.data.readUInt16LE(0) >= 1)
      cipher = enc.data.readUInt16LE(2);
    const sig = contexts.find((c) => c.type === NEGOTIATE_CONTEXT.signing);
    if (sig && sig.data.length >= 4 && sig.data.readUInt16LE(0) >= 1)
      signingAlgorithm = sig.data.readUInt16LE(2);
  }
  return {
    header,
    securityMode: body.readUInt16LE(2),
    dialectRevision,
    dialect,
    serverGuid: Buffer.from(body.subarray(8, 24)),
    capabilities: body.readUInt32LE(24),
    maxTransactSize: body.readUInt32LE(28),
    maxReadSize: body.readUInt32LE(32),
    maxWriteSize: body.readUInt32LE(36),
    systemTime: body.readBigUInt64LE(40),
    serverStartTime: body.readBigUInt64LE(48),
    securityBuffer,
    contexts,
    ...(cipher !== undefined ? { cipher } : {}),
    ...(signingAlgorithm !== undefined ? { signingAlgorithm } : {}),
  };
}

/** The server GUID in its usual text form (mixed-endian, as Windows prints GUIDs). */
export function formatGuid(g: Buffer): string {
  const hex = (b: Buffer): string => b.toString('hex');
  const rev = (a: number, b: number): string => hex(Buffer.from(g.subarray(a, b)).reverse());
  return `${rev(0, 4)}-${rev(4, 6)}-${rev(6, 8)}-${hex(g.subarray(8, 10))}-${hex(g.subarray(10, 16))}`;
}

/** Names of the capability bits set in `caps`. */
export function capabilityNames(caps: number): string[] {
  return Object.entries(SMB2_CAPS)
    .filter(([, bit]) => (caps & bit) !== 0)
    .map(([name]) => name);
}
