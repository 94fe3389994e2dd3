// OBJREF (MS-DCOM 2.2.18) and DUALSTRINGARRAY (2.2.19): how a server hands out an interface
// pointer, and which endpoint serves it. Decoding is bounded by the buffer it is given.
import { ScannerError } from '../../errors.js';
import { decodeUuid, encodeUuid } from '../dcerpc/ndr-types.js';

export const OBJREF_SIGNATURE = 0x574f454d; // 'MEOW'
export const OBJREF_FLAGS = { standard: 1, handler: 2, custom: 4, extended: 8 } as const;
/** STDOBJREF.flags: the object needs no pinging. */
export const SORF_NOPING = 0x1000;
/** STRINGBINDING.wTowerId for ncacn_ip_tcp. */
export const TOWER_NCACN_IP_TCP = 0x07;
/** SECURITYBINDING.wAuthnSvc for NTLM (RPC_C_AUTHN_WINNT). */
export const AUTHN_WINNT = 10;

/** Most entries (16-bit units) a DUALSTRINGARRAY may have before we call it hostile. */
const MAX_DSA_ENTRIES = 16_384;

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed OBJREF: ${what}`);
}

/** STDOBJREF (MS-DCOM 2.2.18.2). */
export interface StdObjRef {
  flags: number;
  publicRefs: number;
  oxid: bigint;
  oid: bigint;
  ipid: string;
}

export interface StringBinding {
  towerId: number;
  /** `host[port]` for ncacn_ip_tcp. */
  networkAddress: string;
}

export interface SecurityBinding {
  authnSvc: number;
  principalName: string;
}

export interface DualStringArray {
  stringBindings: StringBinding[];
  securityBindings: SecurityBinding[];
}

export type ObjRef =
  | { kind: 'standard'; iid: string; std: StdObjRef; resolverAddress: DualStringArray }
  | {
      kind: 'handler';
      iid: string;
      std: StdObjRef;
      clsid: string;
      resolverAddress: DualStringArray;
    }
  | { kind: 'extended'; iid: string; std: StdObjRef; resolverAddress: DualStringArray }
  | { kind: 'custom'; iid: string; clsid: string; data: Buffer };

function readStd(buf: Buffer, at: number): StdObjRef {
  if (at + 40 > buf.length) throw malformed('truncated STDOBJREF');
  return {
    flags: buf.readUInt32LE(at),
    publicRefs: buf.readUInt32LE(at + 4),
    oxid: buf.readBigUInt64LE(at + 8),
    oid: buf.readBigUInt64LE(at + 16),
    ipid: decodeUuid(buf, at + 24),
  };
}

export function encodeStdObjRef(s: StdObjRef): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt32LE(s.flags >>> 0, 0);
  b.writeUInt32LE(s.publicRefs >>> 0, 4);
  b.writeBigUInt64LE(s.oxid, 8);
  b.writeBigUInt64LE(s.oid, 16);
  encodeUuid(s.ipid).copy(b, 24);
  return b;
}

/** A packed DUALSTRINGARRAY (wNumEntries, wSecurityOffset, entries) read at `at`. */
function readPackedDsa(buf: Buffer, at: number): DualStringArray {
  if (at + 4 > buf.length) throw malformed('truncated DUALSTRINGARRAY');
  const n = buf.readUInt16LE(at);
  const sec = buf.readUInt16LE(at + 2);
  if (at + 4 + n * 2 > buf.length) throw malformed(`DUALSTRINGARRAY of ${n} entries past the end`);
  return decodeDualStringArray(buf.subarray(at + 4, at + 4 + n * 2), sec);
}

/** Reads an OBJREF of any kind from an MInterfacePointer's bytes. */
export function decodeObjRef(buf: Buffer): ObjRef {
  if (buf.length < 24) throw malformed(`${buf.length} bytes`);
  if (buf.readUInt32LE(0) !== OBJREF_SIGNATURE) throw malformed('no MEOW signature');
  const flags = buf.readUInt32LE(4);
  const iid = decodeUuid(buf, 8);
  switch (flags) {
    case OBJREF_FLAGS.standard:
      return {
        kind: 'standard',
        iid,
        std: readStd(buf, 24),
        resolverAddress: readPackedDsa(buf, 64),
      };
    case OBJREF_FLAGS.handler:
      if (buf.length < 80) throw malformed('truncated OBJREF_HANDLER');
      return {
        kind: 'handler',
        iid,
        std: readStd(buf, 24),
        clsid: decodeUuid(buf, 64),
        resolverAddress: readPackedDsa(buf, 80),
      };
    case OBJREF_FLAGS.extended:
      // STDOBJREF, Signature1, then the resolver address; the trailing data elements are not needed.
      return {
        kind: 'extended',
        iid,
        std: readStd(buf, 24),
        resolverAddress: readPackedDsa(buf, 68),
      };
    case OBJREF_FLAGS.custom: {
      if (buf.length < 48) throw malformed('truncated OBJREF_CUSTOM');
      const size = buf.readUInt32LE(44);
      // ObjectReferenceSize counts pObjectData plus 8; take what is there when it overstates.
      const data = buf.subarray(48, Math.min(buf.length, 48 + Math.max(0, size - 8)));
      return { kind: 'custom', iid, clsid: decodeUuid(buf, 24), data: Buffer.from(data) };
    }
    default:
      throw malformed(`unknown OBJREF flags ${flags}`);
  }
}

/** OBJREF_STANDARD bytes (what a server hands out; the test peer uses it). */
export function encodeObjRefStandard(
  iid: string,
  std: StdObjRef,
  resolver: DualStringArray,
): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(OBJREF_SIGNATURE, 0);
  head.writeUInt32LE(OBJREF_FLAGS.standard, 4);
  encodeUuid(iid).copy(head, 8);
  const dsa = encodeDualStringArray(resolver);
  const dsaHead = Buffer.alloc(4);
  dsaHead.writeUInt16LE(dsa.entries.length / 2, 0);
  dsaHead.writeUInt16LE(dsa.securityOffset, 2);
  return Buffer.concat([head, encodeStdObjRef(std), dsaHead, dsa.entries]);
}

/** OBJREF_CUSTOM bytes: signature, flags, iid, clsid, cbExtension 0, size, data. */
export function encodeObjRefCustom(iid: string, clsid: string, data: Buffer): Buffer {
  const head = Buffer.alloc(48);
  head.writeUInt32LE(OBJREF_SIGNATURE, 0);
  head.writeUInt32LE(OBJREF_FLAGS.custom, 4);
  encodeUuid(iid).copy(head, 8);
  encodeUuid(clsid).copy(head, 24);
  head.writeUInt32LE(0, 40);
  head.writeUInt32LE(data.length + 8, 44);
  return Buffer.concat([head, data]);
}

/** NUL-terminated UTF-16 text from 16-bit entries starting at `at`; returns text and next index. */
function readWideString(entries: Buffer, at: number): { text: string; next: number } {
  for (let i = at; i + 1 < entries.length; i += 2) {
    if (entries.readUInt16LE(i) === 0) {
      return { text: entries.subarray(at, i).toString('utf16le'), next: i + 2 };
    }
  }
  throw malformed('DUALSTRINGARRAY string without its terminator');
}

/**
 * The string and security bindings of a DUALSTRINGARRAY's `entries` (16-bit units as bytes);
 * `securityOffset` counts units. Each list ends at an empty entry.
 */
export function decodeDualStringArray(entries: Buffer, securityOffset: number): DualStringArray {
  const n = entries.length / 2;
  if (n > MAX_DSA_ENTRIES) throw malformed(`DUALSTRINGARRAY of ${n} entries`);
  if (securityOffset > n) throw malformed(`wSecurityOffset ${securityOffset} > ${n} entries`);
  const stringBindings: StringBinding[] = [];
  const secAt = securityOffset * 2;
  let at = 0;
  while (at + 2 <= secAt && entries.readUInt16LE(at) !== 0) {
    const towerId = entries.readUInt16LE(at);
    const s = readWideString(entries.subarray(0, secAt), at + 2);
    stringBindings.push({ towerId, networkAddress: s.text });
    at = s.next;
  }
  const securityBindings: SecurityBinding[] = [];
  at = secAt;
  while (at + 4 <= entries.length && entries.readUInt16LE(at) !== 0) {
    const authnSvc = entries.readUInt16LE(at);
    const s = readWideString(entries, at + 4);
    securityBindings.push({ authnSvc, principalName: s.text });
    at = s.next;
  }
  return { stringBindings, securityBindings };
}

/** The entries of a DUALSTRINGARRAY and its security offset (in 16-bit units). */
export function encodeDualStringArray(d: DualStringArray): {
  entries: Buffer;
  securityOffset: number;
} {
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return b;
  };
  const wide = (s: string) => Buffer.from(`${s}\0`, 'utf16le');
  const strings = Buffer.concat([
    ...d.stringBindings.flatMap((s) => [u16(s.towerId), wide(s.networkAddress)]),
    u16(0),
  ]);
  const security = Buffer.concat([
    ...d.securityBindings.flatMap((s) => [u16(s.authnSvc), u16(0xffff), wide(s.principalName)]),
    u16(0),
  ]);
  return { entries: Buffer.concat([strings, security]), securityOffset: strings.length / 2 };
}

/**
 * The TCP port to reach an object exporter at: from the ncacn_ip_tcp string bindings, the port
 * of the one naming `host` when there is one, else of the first with a port. Only the port is
 * taken: the scanner connects to the address it scanned, never to one the server advertises.
 */
export function tcpPortFor(d: DualStringArray, host: string): number {
  const tcp = d.stringBindings
    .filter((b) => b.towerId === TOWER_NCACN_IP_TCP)
    .map((b) => {
      const m = /^(.*)\[(\d{1,5})\]$/.exec(b.networkAddress);
      return m ? { address: m[1]!, port: Number(m[2]) } : null;
    })
    .filter(
      (b): b is { address: string; port: number } => b !== null && b.port > 0 && b.port < 65536,
    );
  const pick = tcp.find((b) => b.address.toLowerCase() === host.toLowerCase()) ?? tcp[0];
  if (!pick) {
    const seen =
      d.stringBindings.map((b) => `${b.towerId}:${b.networkAddress}`).join(', ') || 'none';
    throw new ScannerError(
      'ERR_RPC',
      `the object exporter offers no ncacn_ip_tcp binding with a port (${seen})`,
    );
  }
  return pick.port;
}
