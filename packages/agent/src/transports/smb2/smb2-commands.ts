// SMB2 request bodies and response parsers after session setup (MS-SMB2 §2.2.9–2.2.32): TREE_CONNECT,
// CREATE, CLOSE, READ, WRITE, IOCTL, LOGOFF, TREE_DISCONNECT. Bodies only; the client adds headers.
import { ScannerError } from '../../errors.js';
import { SMB2_HEADER_SIZE } from './smb2-header.js';

export const SHARE_FLAGS = { encryptData: 0x00008000 } as const;
export const SHARE_TYPE = { disk: 1, pipe: 2, print: 3 } as const;

export const FILE_ACCESS = {
  readData: 0x00000001,
  writeData: 0x00000002,
  appendData: 0x00000004,
  readEa: 0x00000008,
  writeEa: 0x00000010,
  readAttributes: 0x00000080,
  writeAttributes: 0x00000100,
  delete: 0x00010000,
  readControl: 0x00020000,
  synchronize: 0x00100000,
} as const;

export const CREATE_DISPOSITION = {
  supersede: 0,
  open: 1,
  create: 2,
  openIf: 3,
  overwrite: 4,
  overwriteIf: 5,
} as const;

export const CREATE_OPTIONS = {
  directoryFile: 0x00000001,
  writeThrough: 0x00000002,
  nonDirectoryFile: 0x00000040,
  deleteOnClose: 0x00001000,
} as const;

export const SHARE_ACCESS = { read: 1, write: 2, delete: 4 } as const;
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
export const IMPERSONATION_LEVEL = { impersonation: 2 } as const;

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed SMB2 ${what} response`);
}

/** A (offset, length) slice of the whole message, checked against its bounds. */
function slice(msg: Buffer, offset: number, length: number, what: string): Buffer {
  if (length === 0) return msg.subarray(0, 0);
  if (offset < SMB2_HEADER_SIZE || offset > msg.length || length > msg.length - offset) {
    throw malformed(`${what}: data outside the message`);
  }
  return msg.subarray(offset, offset + length);
}

function expectSize(body: Buffer, size: number, what: string): void {
  if (body.length < size - 1 || body.readUInt16LE(0) !== size) {
    throw malformed(`${what}: StructureSize is not ${size}`);
  }
}

export function buildTreeConnect(uncPath: string): Buffer {
  const path = Buffer.from(uncPath, 'utf16le');
  const b = Buffer.alloc(8);
  b.writeUInt16LE(9, 0);
  b.writeUInt16LE(SMB2_HEADER_SIZE + 8, 4);
  b.writeUInt16LE(path.length, 6);
  return Buffer.concat([b, path]);
}

export interface TreeConnectResponse {
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
}

export function parseTreeConnect(msg: Buffer): TreeConnectResponse {
  const body = msg.subarray(SMB2_HEADER_SIZE);
  expectSize(body, 16, 'TREE_CONNECT');
  return {
    shareType: body[2]!,
    shareFlags: body.readUInt32LE(4),
    capabilities: body.readUInt32LE(8),
    maximalAccess: body.readUInt32LE(12),
  };
}

/** TREE_DISCONNECT and LOGOFF share a 4-byte body with StructureSize 4. */
export function buildEmpty4(): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(4, 0);
  return b;
}

export interface CreateRequest {
  name: string;
  desiredAccess: number;
  shareAccess: number;
  disposition: number;
  options: number;
  fileAttributes?: number;
}

export function buildCreate(r: CreateRequest): Buffer {
  const name = Buffer.from(r.name, 'utf16le');
  const b = Buffer.alloc(56);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(IMPERSONATION_LEVEL.impersonation, 4);
  b.writeUInt32LE(r.desiredAccess >>> 0, 24);
  b.writeUInt32LE(r.fileAttributes ?? 0, 28);
  b.writeUInt32LE(r.shareAccess, 32);
  b.writeUInt32LE(r.disposition, 36);
  b.writeUInt32LE(r.options >>> 0, 40);
  b.writeUInt16LE(SMB2_HEADER_SIZE + 56, 44);
  b.writeUInt16LE(name.length, 46);
  // An empty name still needs one byte of buffer (MS-SMB2 §2.2.13).
  return Buffer.concat([b, name.length > 0 ? name : Buffer.alloc(1)]);
}

export interface CreateResponse {
  fileId: Buffer;
  createAction: number;
  endOfFile: bigint;
  fileAttributes: number;
}

export function parseCreate(msg: Buffer): CreateResponse {
  const body = msg.subarray(SMB2_HEADER_SIZE);
  expectSize(body, 89, 'CREATE');
  return {
    createAction: body.readUInt32LE(4),
    endOfFile: body.readBigUInt64LE(48),
    fileAttributes: body.readUInt32LE(56),
    fileId: Buffer.from(body.subarray(64, 80)),
  };
}

export function buildClose(fileId: Buffer): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16LE(24, 0);
  fileId.copy(b, 8);
  return b;
}

export function buildRead(fileId: Buffer, length: number, offset: bigint): Buffer {
  const b = Buffer.alloc(49);
  b.writeUInt16LE(49, 0);
  b.writeUInt8(0x50, 2); // Padding: data right after the response header + fixed body
  b.writeUInt32LE(length, 4);
  b.writeBigUInt64LE(offset, 8);
  fileId.copy(b, 16);
  return b;
}

export function parseRead(msg: Buffer): Buffer {
  const body = msg.subarray(SMB2_HEADER_SIZE);
  expectSize(body, 17, 'READ');
  return slice(msg, body[2]!, body.readUInt32LE(4), 'READ');
}

export function buildWrite(fileId: Buffer, data: Buffer, offset: bigint): Buffer {
  const b = Buffer.alloc(48);
  b.writeUInt16LE(49, 0);
  b.writeUInt16LE(SMB2_HEADER_SIZE + 48, 2);
  b.writeUInt32LE(data.length, 4);
  b.writeBigUInt64LE(offset, 8);
  fileId.copy(b, 16);
  return Buffer.concat([b, data.length > 0 ? data : Buffer.alloc(1)]);
}

export function parseWrite(msg: Buffer): number {
  const body = msg.subarray(SMB2_HEADER_SIZE);
  expectSize(body, 17, 'WRITE');
  return body.readUInt32LE(4);
}

export function buildIoctl(
  ctlCode: number,
  fileId: Buffer,
  input: Buffer,
  maxOutput: number,
): Buffer {
  const b = Buffer.alloc(56);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(ctlCode >>> 0, 4);
  fileId.copy(b, 8);
  b.writeUInt32LE(input.length > 0 ? SMB2_HEADER_SIZE + 56 : 0, 24);
  b.writeUInt32LE(input.length, 28);
  b.writeUInt32LE(0, 32); // MaxInputResponse
  b.writeUInt32LE(0, 36); // OutputOffset
  b.writeUInt32LE(0, 40); // OutputCount
  b.writeUInt32LE(maxOutput, 44);
  b.writeUInt32LE(1, 48); // SMB2_0_IOCTL_IS_FSCTL
  return Buffer.concat([b, input]);
}

/** The output buffer of an IOCTL response (also with STATUS_BUFFER_OVERFLOW). */
export function parseIoctl(msg: Buffer): Buffer {
  const body = msg.subarray(SMB2_HEADER_SIZE);
  expectSize(body, 49, 'IOCTL');
  return slice(msg, body.readUInt32LE(32), body.readUInt32LE(36), 'IOCTL');
}
