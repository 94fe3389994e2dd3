// SNMP v1/v2c message codec: GetRequest encoding and GetResponse decoding (RFC 1157, RFC 3416).
// The SNMPv3 envelope lives in snmp-v3.ts and reuses decodePdu.
import { ScannerError } from '../../errors.js';
import {
  TAG,
  decodeInteger,
  decodeOid,
  encodeInteger,
  encodeOid,
  encodeTlv,
  expectTlv,
  readChildren,
  readTlv,
  type Tlv,
} from './ber.js';

/** The wire value of the version field: 0 for SNMPv1, 1 for SNMPv2c. */
export const SNMP_VERSION = { '1': 0, '2c': 1 } as const;
export type SnmpVersion = keyof typeof SNMP_VERSION;

export const PDU = {
  getRequest: 0xa0,
  getNextRequest: 0xa1,
  response: 0xa2,
  /** SNMPv3 Report (RFC 3416 §4.2.7): USM errors and engine discovery answers. */
  report: 0xa8,
} as const;

/** Varbind value tags: application types and the v2c exceptions (RFC 3416 §3). */
export const VALUE_TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  ipAddress: 0x40,
  counter32: 0x41,
  gauge32: 0x42,
  timeTicks: 0x43,
  opaque: 0x44,
  counter64: 0x46,
  noSuchObject: 0x80,
  noSuchInstance: 0x81,
  endOfMibView: 0x82,
} as const;

export const OID_SYS_DESCR = '1.3.6.1.2.1.1.1.0';

/** Largest datagram the decoder accepts (the UDP payload limit). */
export const MAX_MESSAGE_BYTES = 65_507;
/** Largest community accepted on either side (RFC 3417 puts no limit; real agents use < 64). */
export const MAX_COMMUNITY_BYTES = 255;

export interface SnmpGetRequest {
  version: SnmpVersion;
  community: string;
  /** Signed 32-bit; the probe keeps it in 1..2^31-1. */
  requestId: number;
  oids: string[];
}

export interface SnmpVarbind {
  oid: string;
  /** Value tag (see VALUE_TAG). */
  type: number;
  /** Raw value contents, a view into the datagram. */
  value: Buffer;
}

/** A PDU of the request/response shape (every PDU but the v1 Trap). */
export interface SnmpPdu {
  pduType: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: SnmpVarbind[];
}

export interface SnmpResponse extends SnmpPdu {
  version: SnmpVersion;
  community: string;
}

/** Encodes a GetRequest with NULL values, byte-identical to what net-snmp's snmpget sends. */
export function encodeGetRequest(req: SnmpGetRequest): Buffer {
  const community = Buffer.from(req.community, 'utf8');
  if (community.length > MAX_COMMUNITY_BYTES) {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `SNMP community longer than ${MAX_COMMUNITY_BYTES} bytes`,
    );
  }
  const varbinds = req.oids.map((oid) =>
    encodeTlv(TAG.sequence, encodeOid(oid), Buffer.from([TAG.null, 0])),
  );
  const pdu = encodeTlv(
    PDU.getRequest,
    encodeInteger(req.requestId),
    encodeInteger(0),
    encodeInteger(0),
    encodeTlv(TAG.sequence, ...varbinds),
  );
  return encodeTlv(
    TAG.sequence,
    encodeInteger(SNMP_VERSION[req.version]),
    encodeTlv(TAG.octetString, community),
    pdu,
  );
}

/**
 * The msgVersion of any SNMP message (0 v1, 1 v2c, 3 v3), read from the outer SEQUENCE's first
 * INTEGER; lets a receiver pick the v1/v2c or the v3 decoder. Throws ERR_PROTOCOL when malformed.
 */
export function messageVersion(buf: Buffer): number {
  const msg = expectTlv(buf, 0, TAG.sequence, 'message');
  return decodeInteger(expectTlv(msg.value, 0, TAG.integer, 'version').value);
}

/**
 * Decodes a v1/v2c message carrying a PDU of the request/response shape. Every malformed input
 * (truncated, lying lengths, wrong tags, trailing bytes) throws ScannerError ERR_PROTOCOL; work
 * and memory are bounded by the datagram's size.
 */
export function decodeMessage(buf: Buffer): SnmpResponse {
  if (buf.length > MAX_MESSAGE_BYTES) {
    throw new ScannerError('ERR_PROTOCOL', `SNMP message of ${buf.length} bytes`);
  }
  const msg = expectTlv(buf, 0, TAG.sequence, 'message');
  if (msg.end !== buf.length)
    throw new ScannerError('ERR_PROTOCOL', 'SNMP message: trailing bytes');
  const ver = expectTlv(msg.value, 0, TAG.integer, 'version');
  const v = decodeInteger(ver.value);
  const version: SnmpVersion | undefined = v === 0 ? '1' : v === 1 ? '2c' : undefined;
  if (version === undefined)
    throw new ScannerError('ERR_PROTOCOL', `SNMP version ${v} is not v1/v2c`);
  const comm = expectTlv(msg.value, ver.end, TAG.octetString, 'community');
  if (comm.value.length > MAX_COMMUNITY_BYTES) {
    throw new ScannerError('ERR_PROTOCOL', 'SNMP community too long');
  }
  const pdu = readTlv(msg.value, comm.end);
  if (pdu.end !== msg.value.length)
    throw new ScannerError('ERR_PROTOCOL', 'SNMP message: bytes after the PDU');
  return { version, community: comm.value.toString('utf8'), ...decodePdu(pdu) };
}

/**
 * Decodes one PDU TLV of the request/response shape (shared by the v1/v2c and v3 decoders).
 * Throws ERR_PROTOCOL on a v1 Trap, an unknown tag or any malformed field.
 */
export function decodePdu(pdu: Tlv): SnmpPdu {
  if (pdu.tag < 0xa0 || pdu.tag > 0xa8 || pdu.tag === 0xa4) {
    throw new ScannerError('ERR_PROTOCOL', `SNMP PDU tag 0x${pdu.tag.toString(16)} not handled`);
  }
  const rid = expectTlv(pdu.value, 0, TAG.integer, 'request-id');
  const es = expectTlv(pdu.value, rid.end, TAG.integer, 'error-status');
  const ei = expectTlv(pdu.value, es.end, TAG.integer, 'error-index');
  const vbl = expectTlv(pdu.value, ei.end, TAG.sequence, 'varbind list');
  if (vbl.end !== pdu.value.length)
    throw new ScannerError('ERR_PROTOCOL', 'SNMP PDU: trailing bytes');
  const varbinds = readChildren(vbl.value, 128).map((vb) => {
    if (vb.tag !== TAG.sequence)
      throw new ScannerError('ERR_PROTOCOL', 'SNMP varbind is not a SEQUENCE');
    const name = expectTlv(vb.value, 0, TAG.oid, 'varbind name');
    const val = readTlv(vb.value, name.end);
    if (val.end !== vb.value.length)
      throw new ScannerError('ERR_PROTOCOL', 'SNMP varbind: trailing bytes');
    return { oid: decodeOid(name.value), type: val.tag, value: val.value };
  });
  return {
    pduType: pdu.tag,
    requestId: decodeInteger(rid.value),
    errorStatus: decodeInteger(es.value),
    errorIndex: decodeInteger(ei.value),
    varbinds,
  };
}

/** A DisplayString value as text: UTF-8, trailing NULs and whitespace removed. */
export function displayString(vb: SnmpVarbind): string | null {
  if (vb.type !== VALUE_TAG.octetString) return null;
  return vb.value.toString('utf8').replace(/[\0\s]+$/u, '');
}
