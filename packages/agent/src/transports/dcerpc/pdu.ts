// Connection-oriented DCE/RPC PDUs (C706 chapter 12, MS-RPCE 2.2.2): the common header, the auth
// verifier (sec_trailer + padding + auth value) and the bodies the client sends and reads.
import { ScannerError } from '../../errors.js';
import { NDR20_SYNTAX } from './ndr.js';
import { decodeUuid, encodeUuid } from './ndr-types.js';

export const PTYPE = {
  request: 0,
  response: 2,
  fault: 3,
  bind: 11,
  bindAck: 12,
  bindNak: 13,
  alterContext: 14,
  alterContextResp: 15,
  auth3: 16,
  shutdown: 17,
} as const;

export const PFC = {
  firstFrag: 0x01,
  lastFrag: 0x02,
  /** In bind/alter_context (and their acks): PFC_SUPPORT_HEADER_SIGN. */
  supportHeaderSign: 0x04,
  concMpx: 0x10,
  didNotExecute: 0x20,
  objectUuid: 0x80,
} as const;

export const AUTH_TYPE = { none: 0, ntlm: 10 } as const;
export const AUTH_LEVEL = { none: 1, connect: 2, integrity: 5, privacy: 6 } as const;
export type AuthLevel = (typeof AUTH_LEVEL)[keyof typeof AUTH_LEVEL];

export const HEADER_SIZE = 16;
export const SEC_TRAILER_SIZE = 8;
/** Request and response headers: the common header plus alloc_hint, context id and opnum/cancel. */
export const REQUEST_HEADER_SIZE = 24;
/** Stub data is padded to this before the sec_trailer, as Windows and Samba do. */
export const AUTH_PAD_ALIGN = 16;

/** An interface or transfer syntax: UUID plus version (major.minor; transfer syntaxes use major only). */
export interface SyntaxId {
  uuid: string;
  major: number;
  minor: number;
}

export interface PduHeader {
  type: number;
  flags: number;
  fragLength: number;
  authLength: number;
  callId: number;
}

/** The sec_trailer fields and the auth value that follows it. */
export interface AuthVerifier {
  authType: number;
  authLevel: number;
  padLength: number;
  contextId: number;
  value: Buffer;
}

/** One decoded PDU: header, the bytes between the header and the auth padding, and the verifier. */
export interface Pdu {
  header: PduHeader;
  body: Buffer;
  auth: AuthVerifier | null;
}

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed DCE/RPC PDU: ${what}`);
}

/** Reads the 16-byte common header; checks version 5.0 and little-endian, ASCII, IEEE data. */
export function decodeHeader(buf: Buffer): PduHeader {
  if (buf.length < HEADER_SIZE) throw malformed(`${buf.length} bytes, shorter than a header`);
  if (buf[0] !== 5 || buf[1] !== 0) throw malformed(`version ${buf[0]}.${buf[1]}, not 5.0`);
  if ((buf[4]! & 0xf0) !== 0x10 || buf[5] !== 0) {
    throw malformed(
      `data representation ${buf.subarray(4, 8).toString('hex')} (only little-endian ASCII IEEE)`,
    );
  }
  const header = {
    type: buf[2]!,
    flags: buf[3]!,
    fragLength: buf.readUInt16LE(8),
    authLength: buf.readUInt16LE(10),
    callId: buf.readUInt32LE(12),
  };
  if (header.fragLength < HEADER_SIZE) throw malformed(`frag_length ${header.fragLength}`);
  return header;
}

/** Splits a whole PDU (exactly frag_length bytes) into header, body and auth verifier. */
export function decodePdu(buf: Buffer): Pdu {
  const header = decodeHeader(buf);
  if (header.fragLength !== buf.length) {
    throw malformed(`frag_length ${header.fragLength} but ${buf.length} bytes`);
  }
  if (header.authLength === 0) return { header, body: buf.subarray(HEADER_SIZE), auth: null };
  const trailerAt = buf.length - header.authLength - SEC_TRAILER_SIZE;
  if (trailerAt < HEADER_SIZE) throw malformed(`auth_length ${header.authLength} exceeds the PDU`);
  const padLength = buf[trailerAt + 2]!;
  if (trailerAt - padLength < HEADER_SIZE) throw malformed(`auth_pad_length ${padLength}`);
  return {
    header,
    body: buf.subarray(HEADER_SIZE, trailerAt - padLength),
    auth: {
      authType: buf[trailerAt]!,
      authLevel: buf[trailerAt + 1]!,
      padLength,
      contextId: buf.readUInt32LE(trailerAt + 4),
      value: buf.subarray(trailerAt + SEC_TRAILER_SIZE),
    },
  };
}

export interface EncodePduOptions {
  type: number;
  flags: number;
  callId: number;
  body: Buffer;
  /** Padding, sec_trailer and auth value appended after the body. */
  auth?: Omit<AuthVerifier, 'padLength'> & { padLength?: number };
}

/** Builds one PDU; frag_length and auth_length are computed. */
export function encodePdu(o: EncodePduOptions): Buffer {
  const pad = o.auth ? (o.auth.padLength ?? 0) : 0;
  const authBytes = o.auth ? pad + SEC_TRAILER_SIZE + o.auth.value.length : 0;
  const total = HEADER_SIZE + o.body.length + authBytes;
  if (total > 0xffff) throw new ScannerError('ERR_PROTOCOL', `PDU of ${total} bytes exceeds 65535`);
  const out = Buffer.alloc(total);
  out[0] = 5;
  out[1] = 0;
  out[2] = o.type;
  out[3] = o.flags;
  out.writeUInt32LE(0x00000010, 4);
  out.writeUInt16LE(total, 8);
  out.writeUInt16LE(o.auth ? o.auth.value.length : 0, 10);
  out.writeUInt32LE(o.callId >>> 0, 12);
  o.body.copy(out, HEADER_SIZE);
  if (o.auth) {
    const at = HEADER_SIZE + o.body.length + pad;
    out[at] = o.auth.authType;
    out[at + 1] = o.auth.authLevel;
    out[at + 2] = pad;
    out[at + 3] = 0;
    out.writeUInt32LE(o.auth.contextId >>> 0, at + 4);
    o.auth.value.copy(out, at + SEC_TRAILER_SIZE);
  }
  return out;
}

function syntaxBytes(s: SyntaxId): Buffer {
  const b = Buffer.alloc(20);
  encodeUuid(s.uuid).copy(b, 0);
  b.writeUInt16LE(s.major, 16);
  b.writeUInt16LE(s.minor, 18);
  return b;
}

export const NDR20: SyntaxId = { uuid: NDR20_SYNTAX.uuid, major: NDR20_SYNTAX.version, minor: 0 };

export interface PresentationContext {
  contextId: number;
  abstract: SyntaxId;
  transfer: SyntaxId[];
}

/** The body of bind and alter_context (C706 12.6.4.3). */
export function encodeBindBody(
  maxXmit: number,
  maxRecv: number,
  assocGroup: number,
  contexts: PresentationContext[],
): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16LE(maxXmit, 0);
  head.writeUInt16LE(maxRecv, 2);
  head.writeUInt32LE(assocGroup >>> 0, 4);
  head[8] = contexts.length;
  parts.push(head);
  for (const c of contexts) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(c.contextId, 0);
    h[2] = c.transfer.length;
    parts.push(h, syntaxBytes(c.abstract), ...c.transfer.map(syntaxBytes));
  }
  return Buffer.concat(parts);
}

export interface ContextResult {
  result: number;
  reason: number;
  transfer: SyntaxId;
}

export interface BindAck {
  maxXmit: number;
  maxRecv: number;
  assocGroup: number;
  secondaryAddress: string;
  results: ContextResult[];
}

/** The body of bind_ack and alter_context_resp (C706 12.6.4.4). */
export function decodeBindAckBody(body: Buffer): BindAck {
  if (body.length < 10) throw malformed('short bind_ack');
  const addrLen = body.readUInt16LE(8);
  let at = 10 + addrLen;
  // p_result_list starts 4-byte aligned from the start of the PDU (16-byte header before `body`).
  at += (4 - ((HEADER_SIZE + at) % 4)) % 4;
  if (at + 4 > body.length) throw malformed('bind_ack secondary address past the end');
  const n = body[at]!;
  at += 4;
  if (at + n * 24 > body.length) throw malformed(`bind_ack with ${n} results past the end`);
  const results: ContextResult[] = [];
  for (let i = 0; i < n; i++, at += 24) {
    results.push({
      result: body.readUInt16LE(at),
      reason: body.readUInt16LE(at + 2),
      transfer: {
        uuid: decodeUuid(body, at + 4),
        major: body.readUInt16LE(at + 20),
        minor: body.readUInt16LE(at + 22),
      },
    });
  }
  return {
    maxXmit: body.readUInt16LE(0),
    maxRecv: body.readUInt16LE(2),
    assocGroup: body.readUInt32LE(4),
    secondaryAddress: body
      .subarray(10, 10 + addrLen)
      .toString('latin1')
      .replace(/\0+$/, ''),
    results,
  };
}

/** bind_nak's provider_reject_reason. */
export function decodeBindNakBody(body: Buffer): number {
  if (body.length < 2) throw malformed('short bind_nak');
  return body.readUInt16LE(0);
}

/** The body of a request: alloc_hint, context id, opnum, the object UUID when given (PFC_OBJECT_UUID), the stub. */
export function encodeRequestBody(
  allocHint: number,
  contextId: number,
  opnum: number,
  stub: Buffer,
  object?: string,
): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(allocHint >>> 0, 0);
  head.writeUInt16LE(contextId, 4);
  head.writeUInt16LE(opnum, 6);
  return Buffer.concat(object === undefined ? [head, stub] : [head, encodeUuid(object), stub]);
}

export interface RequestBody {
  allocHint: number;
  contextId: number;
  opnum: number;
  object?: string;
  stub: Buffer;
}

/** Reads a request body (for test servers); `flags` says whether an object UUID is present. */
export function decodeRequestBody(body: Buffer, flags: number): RequestBody {
  const withObject = (flags & PFC.objectUuid) !== 0;
  if (body.length < (withObject ? 24 : 8)) throw malformed('short request');
  return {
    allocHint: body.readUInt32LE(0),
    contextId: body.readUInt16LE(4),
    opnum: body.readUInt16LE(6),
    ...(withObject ? { object: decodeUuid(body, 8) } : {}),
    stub: body.subarray(withObject ? 24 : 8),
  };
}

export interface ResponseBody {
  allocHint: number;
  contextId: number;
  stub: Buffer;
}

export function decodeResponseBody(body: Buffer): ResponseBody {
  if (body.length < 8) throw malformed('short response');
  return {
    allocHint: body.readUInt32LE(0),
    contextId: body.readUInt16LE(4),
    stub: body.subarray(8),
  };
}

/** A fault's status code (C706 12.6.4.7). */
export function decodeFaultBody(body: Buffer): number {
  if (body.length < 12) throw malformed('short fault');
  return body.readUInt32LE(8);
}
