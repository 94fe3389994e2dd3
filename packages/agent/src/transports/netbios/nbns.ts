// NetBIOS name service node-status (NBSTAT) request and response (RFC 1002 §4.2.17–18).
import { ScannerError } from '../../errors.js';
import { encodeNetbiosName } from './netbios-name.js';

export const NBSTAT_TYPE = 0x0021;
export const NB_CLASS_IN = 0x0001;

/** NAME_FLAGS bits of one entry in a node-status response. */
export const NAME_FLAGS = {
  group: 0x8000,
  nodeTypeMask: 0x6000,
  deregistering: 0x1000,
  conflict: 0x0800,
  active: 0x0400,
  permanent: 0x0200,
} as const;

export type NodeType = 'B' | 'P' | 'M' | 'H';

export interface NetbiosNameEntry {
  /** The 15-byte name with trailing spaces (and NULs) removed. */
  name: string;
  /** The 16th byte: 0x00 workstation, 0x20 file server, 0x1d master browser, … */
  suffix: number;
  group: boolean;
  /** The raw NAME_FLAGS word. */
  flags: number;
  nodeType: NodeType;
  active: boolean;
  permanent: boolean;
  conflict: boolean;
  deregistering: boolean;
}

export interface NodeStatusResponse {
  transactionId: number;
  names: NetbiosNameEntry[];
  /** UNIT_ID as aa:bb:cc:dd:ee:ff; null when absent or all zero (Samba sends zeros). */
  mac: string | null;
}

/** Builds the 50-byte NBSTAT query for '*' (no recursion, unicast). */
export function buildNodeStatusRequest(transactionId: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(transactionId & 0xffff, 0);
  header.writeUInt16BE(0x0000, 2); // Opcode QUERY, no flags.
  header.writeUInt16BE(1, 4); // QDCOUNT
  // encodeNetbiosName ends with the zero-length root label; QTYPE and QCLASS follow.
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(NBSTAT_TYPE, 0);
  tail.writeUInt16BE(NB_CLASS_IN, 2);
  return Buffer.concat([header, encodeNetbiosName('*', 0), tail]);
}

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed NBSTAT response: ${what}`);
}

/** Skips a (possibly compressed) domain name; at most 16 labels. Returns the offset after it. */
function skipName(buf: Buffer, pos: number): number {
  for (let labels = 0; labels < 16; labels++) {
    if (pos >= buf.length) throw malformed('name runs past the end');
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 2 > buf.length) throw malformed('truncated name pointer');
      return pos + 2;
    }
    if (len & 0xc0) throw malformed('reserved label type');
    pos += 1 + len;
  }
  throw malformed('too many labels');
}

const NODE_TYPES: NodeType[] = ['B', 'P', 'M', 'H'];

/** Parses a node-status response; ERR_PROTOCOL when it is not one or does not fit. */
export function parseNodeStatusResponse(buf: Buffer): NodeStatusResponse {
  if (buf.length < 12) throw malformed(`${buf.length} bytes`);
  const transactionId = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (!(flags & 0x8000)) throw malformed('not a response');
  const rcode = flags & 0x000f;
  if (rcode !== 0) throw malformed(`RCODE ${rcode}`);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  if (an < 1) throw malformed('no answer record');
  let pos = 12;
  for (let i = 0; i < Math.min(qd, 4); i++) pos = skipName(buf, pos) + 4;
  pos = skipName(buf, pos);
  if (pos + 10 > buf.length) throw malformed('truncated resource record');
  const type = buf.readUInt16BE(pos);
  if (type !== NBSTAT_TYPE) throw malformed(`record type 0x${type.toString(16)}`);
  const rdLength = buf.readUInt16BE(pos + 8);
  pos += 10;
  if (rdLength > buf.length - pos) throw malformed('RDLENGTH past the end');
  const rdata = buf.subarray(pos, pos + rdLength);
  if (rdata.length < 1) throw malformed('empty RDATA');
  const count = rdata[0]!;
  if (1 + count * 18 > rdata.length)
    throw malformed(`${count} names do not fit in ${rdata.length} bytes`);
  const names: NetbiosNameEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = 1 + i * 18;
    const f = rdata.readUInt16BE(at + 16);
    names.push({
      name: rdata
        .subarray(at, at + 15)
        .toString('latin1')
        .replace(/[ \0]+$/u, ''),
      suffix: rdata[at + 15]!,
      group: (f & NAME_FLAGS.group) !== 0,
      flags: f,
      nodeType: NODE_TYPES[(f & NAME_FLAGS.nodeTypeMask) >> 13]!,
      active: (f & NAME_FLAGS.active) !== 0,
      permanent: (f & NAME_FLAGS.permanent) !== 0,
      conflict: (f & NAME_FLAGS.conflict) !== 0,
      deregistering: (f & NAME_FLAGS.deregistering) !== 0,
    });
  }
  const stats = rdata.subarray(1 + count * 18);
  let mac: string | null = null;
  if (stats.length >= 6 && stats.subarray(0, 6).some((b) => b !== 0)) {
    mac = [...stats.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
  }
  return { transactionId, names, mac };
}
