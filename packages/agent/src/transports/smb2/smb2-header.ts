// SMB2 packet header (MS-SMB2 §2.2.1.2, sync form): build for requests, parse for responses.
import { ScannerError } from '../../errors.js';

export const SMB2_PROTOCOL_ID = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
export const SMB1_PROTOCOL_ID = Buffer.from([0xff, 0x53, 0x4d, 0x42]);
export const SMB2_HEADER_SIZE = 64;

export const SMB2_COMMAND = {
  negotiate: 0x0000,
  sessionSetup: 0x0001,
  logoff: 0x0002,
  treeConnect: 0x0003,
  treeDisconnect: 0x0004,
  create: 0x0005,
  close: 0x0006,
  read: 0x0008,
  write: 0x0009,
  ioctl: 0x000b,
  echo: 0x000d,
  setInfo: 0x0011,
} as const;

export const SMB2_FLAGS = {
  serverToRedir: 0x00000001,
  asyncCommand: 0x00000002,
  relatedOperations: 0x00000004,
  signed: 0x00000008,
} as const;

/** NTSTATUS values this code tests for. */
export const NT_STATUS = {
  success: 0x00000000,
  pending: 0x00000103,
  bufferOverflow: 0x80000005,
  moreProcessingRequired: 0xc0000016,
  accessDenied: 0xc0000022,
  logonFailure: 0xc000006d,
  notSupported: 0xc00000bb,
  endOfFile: 0xc0000011,
} as const;

/** Names of the NTSTATUS values an SMB2 client meets, for messages (MS-ERREF §2.3). */
export const NT_STATUS_NAMES: Record<number, string> = {
  0x00000000: 'STATUS_SUCCESS',
  0x00000103: 'STATUS_PENDING',
  0x80000005: 'STATUS_BUFFER_OVERFLOW',
  0xc0000001: 'STATUS_UNSUCCESSFUL',
  0xc0000002: 'STATUS_NOT_IMPLEMENTED',
  0xc000000d: 'STATUS_INVALID_PARAMETER',
  0xc000000f: 'STATUS_NO_SUCH_FILE',
  0xc0000010: 'STATUS_INVALID_DEVICE_REQUEST',
  0xc0000011: 'STATUS_END_OF_FILE',
  0xc0000016: 'STATUS_MORE_PROCESSING_REQUIRED',
  0xc0000022: 'STATUS_ACCESS_DENIED',
  0xc0000023: 'STATUS_BUFFER_TOO_SMALL',
  0xc0000033: 'STATUS_OBJECT_NAME_INVALID',
  0xc0000034: 'STATUS_OBJECT_NAME_NOT_FOUND',
  0xc0000035: 'STATUS_OBJECT_NAME_COLLISION',
  0xc000003a: 'STATUS_OBJECT_PATH_NOT_FOUND',
  0xc0000043: 'STATUS_SHARING_VIOLATION',
  0xc0000056: 'STATUS_DELETE_PENDING',
  0xc000005e: 'STATUS_NO_LOGON_SERVERS',
  0xc0000064: 'STATUS_NO_SUCH_USER',
  0xc000006a: 'STATUS_WRONG_PASSWORD',
  0xc000006d: 'STATUS_LOGON_FAILURE',
  0xc000006e: 'STATUS_ACCOUNT_RESTRICTION',
  0xc000006f: 'STATUS_INVALID_LOGON_HOURS',
  0xc0000070: 'STATUS_INVALID_WORKSTATION',
  0xc0000071: 'STATUS_PASSWORD_EXPIRED',
  0xc0000072: 'STATUS_ACCOUNT_DISABLED',
  0xc00000ac: 'STATUS_PIPE_NOT_AVAILABLE',
  0xc00000ad: 'STATUS_INVALID_PIPE_STATE',
  0xc00000ae: 'STATUS_PIPE_BUSY',
  0xc00000b0: 'STATUS_PIPE_DISCONNECTED',
  0xc00000b1: 'STATUS_PIPE_CLOSING',
  0xc00000ba: 'STATUS_FILE_IS_A_DIRECTORY',
  0xc00000bb: 'STATUS_NOT_SUPPORTED',
  0xc00000c9: 'STATUS_NETWORK_NAME_DELETED',
  0xc00000cc: 'STATUS_BAD_NETWORK_NAME',
  0xc0000101: 'STATUS_DIRECTORY_NOT_EMPTY',
  0xc0000120: 'STATUS_CANCELLED',
  0xc0000128: 'STATUS_FILE_CLOSED',
  0xc000015b: 'STATUS_LOGON_TYPE_NOT_GRANTED',
  0xc0000193: 'STATUS_ACCOUNT_EXPIRED',
  0xc0000203: 'STATUS_USER_SESSION_DELETED',
  0xc0000224: 'STATUS_PASSWORD_MUST_CHANGE',
  0xc0000234: 'STATUS_ACCOUNT_LOCKED_OUT',
  0xc0000257: 'STATUS_PATH_NOT_COVERED',
  0xc000035c: 'STATUS_NETWORK_SESSION_EXPIRED',
  0xc0000413: 'STATUS_AUTHENTICATION_FIREWALL_FAILED',
};

/** "STATUS_ACCESS_DENIED (0xC0000022)", or the hex alone for an unnamed status. */
export function describeStatus(status: number): string {
  const name = NT_STATUS_NAMES[status >>> 0];
  return name ? `${name} (${formatStatus(status)})` : formatStatus(status);
}

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
  /** Offset of the next command in a compound request (8-aligned), 0 for the last. */
  nextCommand?: number;
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
  b.writeUInt32LE(h.nextCommand ?? 0, 20);
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
