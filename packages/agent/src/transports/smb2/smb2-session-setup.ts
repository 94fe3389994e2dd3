// SMB2 SESSION_SETUP request builder and response parser (MS-SMB2 §2.2.5–6).
import { ScannerError } from '../../errors.js';
import {
  NT_STATUS,
  SMB2_COMMAND,
  SMB2_HEADER_SIZE,
  buildHeader,
  parseHeader,
  responseBody,
  type Smb2Header,
} from './smb2-header.js';

export interface SessionSetupRequestOptions {
  securityBuffer: Buffer;
  messageId: bigint;
  sessionId?: bigint;
  securityMode?: number;
  /** Only SMB2_GLOBAL_CAP_DFS is valid here. */
  capabilities?: number;
}

export interface SessionSetupResponse {
  header: Smb2Header;
  sessionFlags: number;
  securityBuffer: Buffer;
}

/** Builds the SMB2 message (header + SESSION_SETUP body with the security buffer). */
export function buildSessionSetupRequest(o: SessionSetupRequestOptions): Buffer {
  const header = buildHeader({
    command: SMB2_COMMAND.sessionSetup,
    messageId: o.messageId,
    creditCharge: 1,
    creditRequest: 1,
    sessionId: o.sessionId ?? 0n,
  });
  const fixed = Buffer.alloc(24);
  fixed.writeUInt16LE(25, 0);
  fixed.writeUInt8(0, 2); // Flags: not a binding request.
  fixed.writeUInt8(o.securityMode ?? 1, 3);
  fixed.writeUInt32LE(o.capabilities ?? 1, 4);
  fixed.writeUInt16LE(SMB2_HEADER_SIZE + 24, 12);
  fixed.writeUInt16LE(o.securityBuffer.length, 14);
  return Buffer.concat([header, fixed, o.securityBuffer]);
}

/**
 * Parses a SESSION_SETUP response whatever its status (the caller decides what
 * STATUS_MORE_PROCESSING_REQUIRED or an error means). ERR_PROTOCOL when malformed.
 */
export function parseSessionSetupResponse(msg: Buffer): SessionSetupResponse {
  const header = parseHeader(msg);
  const body = responseBody(msg, header, SMB2_COMMAND.sessionSetup, 8);
  const structureSize = body.readUInt16LE(0);
  if (structureSize !== 9)
    throw new ScannerError('ERR_PROTOCOL', 'SESSION_SETUP response StructureSize is not 9');
  // An error status comes with an ERROR body whose bytes 4..7 are ByteCount, not buffer fields.
  if (header.status !== NT_STATUS.success && header.status !== NT_STATUS.moreProcessingRequired) {
    return { header, sessionFlags: 0, securityBuffer: msg.subarray(0, 0) };
  }
  const offset = body.readUInt16LE(4);
  const length = body.readUInt16LE(6);
  let securityBuffer = msg.subarray(0, 0);
  if (length > 0) {
    if (offset < SMB2_HEADER_SIZE + 8 || offset > msg.length || length > msg.length - offset) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        'SESSION_SETUP response: security buffer outside the message',
      );
    }
    securityBuffer = msg.subarray(offset, offset + length);
  }
  return { header, sessionFlags: body.readUInt16LE(2), securityBuffer };
}
