// SMB2 packet header (MS-SMB2 §2.2.1.2, sync form): build for requests, parse for responses.
import { ScannerError } from '../../errors.js';

export const SMB2_PROTOCOL_ID = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
export const SMB1_PROTOCOL_ID = Buffer.from([0xff, 0x53, 0x4d, 0x42]);
export const SMB2_HEADER_SIZE = 64;

export const SMB2_COMMAND = { negotiate: 0x0000, sessionSetup: 0x0001, logoff: 0x0002 } as const;

export const SMB2_FLAGS = {
  serverToRedir: 0x00000001,
  asyncCommand: 0x00000002,
  signed: 0x00000008,
} as const;

/** NTSTATUS values this code tests for. */
export const NT_STATUS = {
  success: 0x00000000,
  pending: 0x00000103,
  moreProcessingRequired: 0xc0000016,
  accessDenied: 0xc0000022,
  logonFailure: 0xc000006d,
  notSupported: 0xc00000bb,
} as const;

export interface Smb2Header {
  creditCharge: number;
  /** NTSTATUS (unsigned). */
  status: number;
  command: number;
  credits: number;
  flags: number;
  nextCommand: number;
  messageId: bigint;
  /** Sync header: TreeId; async header: the low half of AsyncId. */
  treeId: number;
  asyncId?: bigint;
  sessionId: bigint;
  signature: Buffer;
}

export interface Smb2RequestHeader {
  command: number;
  messageId: bigint;
  creditCharge?: number;
  creditRequest?: number;
  flags?: number;
  treeId?: number;
  sessionId?: bigint;
}

/** Builds a 64-byte sync request header (no signature). */
export function buildHeader(h: Smb2RequestHeader): Buffer {
  const b = Buffer.alloc(SMB2_HEADER_SIZE);
  SMB2_PROTOCOL_ID.copy(b, 0);
  b.writeUInt16LE(SMB2_HEADER_SIZE, 4);
  b.writeUInt16LE(h.creditCharge ?? 0, 6);
  // 8..11 ChannelSequence/Reserved: zero.
  b.writeUInt16LE(h.command, 12);
  b.writeUInt16LE(h.creditRequest ?? 1, 14);
  b.writeUInt32LE(h.flags ?? 0, 16);
  // 20..23 NextCommand: zero (no compounding).
  b.writeBigUInt64LE(h.messageId, 24);
  // 32..35 Reserved (ProcessId): zero.
  b.writeUInt32LE(h.treeId ?? 0, 36);
  b.writeBigUInt64LE(h.sessionId ?? 0n, 40);
  return b;
}

/** Parses the header at the start of an SMB2 message; ERR_PROTOCOL on anything else. */
export function parseHeader(msg: Buffer): Smb2Header {
  if (msg.length >= 4 && msg.subarray(0, 4).equals(SMB1_PROTOCOL_ID)) {
    throw new ScannerError('ERR_PROTOCOL', 'the server answered with SMB1, not SMB2');
  }
  if (msg.length < SMB2_HEADER_SIZE || !msg.subarray(0, 4).equals(SMB2_PROTOCOL_ID)) {
    throw new ScannerError('ERR_PROTOCOL', 'not an SMB2 message');
  }
  if (msg.readUInt16LE(4) !== SMB2_HEADER_SIZE) {
    throw new ScannerError('ERR_PROTOCOL', 'SMB2 header StructureSize is not 64');
  }
  const flags = msg.readUInt32LE(16);
  const isAsync = (flags & SMB2_FLAGS.asyncCommand) !== 0;
  return {
    creditCharge: msg.readUInt16LE(6),
    status: msg.readUInt32LE(8),
    command: msg.readUInt16LE(12),
    credits: msg.readUInt16LE(14),
    flags,
    nextCommand: msg.readUInt32LE(20),
    messageId: msg.readBigUInt64LE(24),
    treeId: msg.readUInt32LE(36),
    ...(isAsync ? { asyncId: msg.readBigUInt64LE(32) } : {}),
    sessionId: msg.readBigUInt64LE(40),
    signature: Buffer.from(msg.subarray(48, 64)),
  };
}

/** An NTSTATUS as the usual 0xC0000016 spelling. */
export function formatStatus(status: number): string {
  return `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * The body of the response to the request `body` after the header, checked: it is a response
 * (ServerToRedir), for `command`, and no shorter than `minBody`.
 */
export function responseBody(msg: Buffer, h: Smb2Header, command: number, minBody: number): Buffer {
  if (!(h.flags & SMB2_FLAGS.serverToRedir))
    throw new ScannerError('ERR_PROTOCOL', 'SMB2 message is not a response');
  if (h.command !== command) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `SMB2 response for command ${h.command}, expected ${command}`,
    );
  }
  const body = msg.subarray(SMB2_HEADER_SIZE);
  if (body.length < minBody)
    throw new ScannerError('ERR_PROTOCOL', `SMB2 response body of ${body.length} bytes`);
  return body;
}
