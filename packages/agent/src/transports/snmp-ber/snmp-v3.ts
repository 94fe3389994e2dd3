// SNMPv3 envelope (RFC 3412 §6) with USM security parameters (RFC 3414 §2.4): the unauthenticated
// engine-discovery request of RFC 3414 §4 and a decoder for any v3 reply (its Report included).
import { ScannerError } from '../../errors.js';
import {
  TAG,
  decodeInteger,
  encodeInteger,
  encodeTlv,
  expectTlv,
  readTlv,
  type Tlv,
} from './ber.js';
import { MAX_ENGINE_ID_BYTES } from './engine-id.js';
import { MAX_MESSAGE_BYTES, PDU, decodePdu, type SnmpPdu } from './snmp-message.js';

/** msgVersion of an SNMPv3 message. */
export const SNMP_V3 = 3;
/** msgSecurityModel of the User-based Security Model. */
export const USM_SECURITY_MODEL = 3;
/** Bits of msgFlags (RFC 3412 §6.4). */
export const MSG_FLAGS = { auth: 0x01, priv: 0x02, reportable: 0x04 } as const;
/** usmStatsUnknownEngineIDs.0: the counter an agent reports to an engine discovery. */
export const OID_USM_STATS_UNKNOWN_ENGINE_IDS = '1.3.6.1.6.3.15.1.1.4.0';
/** snmpEngineID.0 (SNMP-FRAMEWORK-MIB), readable with valid v3 credentials. */
export const OID_SNMP_ENGINE_ID = '1.3.6.1.6.3.10.2.1.1.0';
/** RFC 3414: msgUserName is SIZE(0..32). */
const MAX_USER_NAME_BYTES = 32;
const MAX_INT32 = 0x7fffffff;

export interface V3DiscoveryRequest {
  /** msgID, 0..2^31-1; an agent's Report carries it back. */
  msgId: number;
  /** request-id of the empty GetRequest, signed 32-bit. */
  requestId: number;
}

/** The USM security parameters of a v3 message. */
export interface UsmParameters {
  /** msgAuthoritativeEngineID: the agent's snmpEngineID in its replies (a view, not a copy). */
  engineId: Buffer;
  engineBoots: number;
  engineTime: number;
  userName: Buffer;
}

export interface SnmpV3Message {
  msgId: number;
  msgMaxSize: number;
  msgFlags: number;
  securityModel: number;
  usm: UsmParameters;
  /** The plaintext scoped PDU; null when it is encrypted (msgFlags priv). */
  scoped: { contextEngineId: Buffer; contextName: Buffer; pdu: SnmpPdu } | null;
}

/**
 * Encodes the RFC 3414 §4 discovery request: msgFlags reportable + noAuthNoPriv, USM parameters
 * with an empty engine ID, zero boots and time and an empty user, and a scoped PDU holding a
 * GetRequest with no varbinds. Byte-identical to the first packet of net-snmp's
 * `snmpget -v3 -l noAuthNoPriv -u x` (msgMaxSize 65507).
 */
export function encodeV3DiscoveryRequest(req: V3DiscoveryRequest): Buffer {
  if (!Number.isInteger(req.msgId) || req.msgId < 0 || req.msgId > MAX_INT32) {
    throw new RangeError(`SNMPv3 msgID out of range: ${req.msgId}`);
  }
  const empty = encodeTlv(TAG.octetString);
  const header = encodeTlv(
    TAG.sequence,
    encodeInteger(req.msgId),
    encodeInteger(MAX_MESSAGE_BYTES),
    encodeTlv(TAG.octetString, Buffer.from([MSG_FLAGS.reportable])),
    encodeInteger(USM_SECURITY_MODEL),
  );
  const usm = encodeTlv(
    TAG.sequence,
    empty, // msgAuthoritativeEngineID
    encodeInteger(0), // msgAuthoritativeEngineBoots
    encodeInteger(0), // msgAuthoritativeEngineTime
    empty, // msgUserName
    empty, // msgAuthenticationParameters
    empty, // msgPrivacyParameters
  );
  const pdu = encodeTlv(
    PDU.getRequest,
    encodeInteger(req.requestId),
    encodeInteger(0),
    encodeInteger(0),
    encodeTlv(TAG.sequence),
  );
  return encodeTlv(
    TAG.sequence,
    encodeInteger(SNMP_V3),
    header,
    encodeTlv(TAG.octetString, usm),
    encodeTlv(TAG.sequence, empty, empty, pdu),
  );
}

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `SNMPv3 message: ${what}`);
}

/** A non-negative INTEGER that fits in 31 bits (msgID, boots, time, max size). */
function nonNegative(tlv: Tlv, what: string): number {
  const n = decodeInteger(tlv.value);
  if (n < 0 || n > MAX_INT32) throw malformed(`${what} ${n} out of range`);
  return n;
}

/** Asserts that `tlv` is the last element of `parent`. */
function last(tlv: Tlv, parent: Buffer, what: string): void {
  if (tlv.end !== parent.length) throw malformed(`trailing bytes after ${what}`);
}

/**
 * Decodes an SNMPv3 message with USM security parameters. The scoped PDU is decoded when it is
 * plaintext and left null when encrypted; nothing is authenticated or decrypted. Every malformed
 * input (wrong tags, lying lengths, trailing bytes, out-of-range integers, an engine ID over 32
 * or a user name over 32 octets, another security model) throws ERR_PROTOCOL.
 */
export function decodeV3Message(buf: Buffer): SnmpV3Message {
  if (buf.length > MAX_MESSAGE_BYTES) throw malformed(`${buf.length} bytes`);
  const msg = expectTlv(buf, 0, TAG.sequence, 'message');
  last(msg, buf, 'the message');
  const ver = expectTlv(msg.value, 0, TAG.integer, 'msgVersion');
  const version = decodeInteger(ver.value);
  if (version !== SNMP_V3) throw malformed(`msgVersion ${version}`);

  const header = expectTlv(msg.value, ver.end, TAG.sequence, 'msgGlobalData');
  const id = expectTlv(header.value, 0, TAG.integer, 'msgID');
  const max = expectTlv(header.value, id.end, TAG.integer, 'msgMaxSize');
  const flags = expectTlv(header.value, max.end, TAG.octetString, 'msgFlags');
  const model = expectTlv(header.value, flags.end, TAG.integer, 'msgSecurityModel');
  last(model, header.value, 'msgSecurityModel');
  if (flags.value.length !== 1) throw malformed(`msgFlags of ${flags.value.length} octets`);
  const securityModel = decodeInteger(model.value);
  if (securityModel !== USM_SECURITY_MODEL) throw malformed(`security model ${securityModel}`);

  const params = expectTlv(msg.value, header.end, TAG.octetString, 'msgSecurityParameters');
  const usm = expectTlv(params.value, 0, TAG.sequence, 'UsmSecurityParameters');
  last(usm, params.value, 'UsmSecurityParameters');
  const engine = expectTlv(usm.value, 0, TAG.octetString, 'msgAuthoritativeEngineID');
  const boots = expectTlv(usm.value, engine.end, TAG.integer, 'msgAuthoritativeEngineBoots');
  const time = expectTlv(usm.value, boots.end, TAG.integer, 'msgAuthoritativeEngineTime');
  const user = expectTlv(usm.value, time.end, TAG.octetString, 'msgUserName');
  const auth = expectTlv(usm.value, user.end, TAG.octetString, 'msgAuthenticationParameters');
  const priv = expectTlv(usm.value, auth.end, TAG.octetString, 'msgPrivacyParameters');
  last(priv, usm.value, 'msgPrivacyParameters');
  if (engine.value.length > MAX_ENGINE_ID_BYTES) {
    throw malformed(`engine ID of ${engine.value.length} octets`);
  }
  if (user.value.length > MAX_USER_NAME_BYTES) {
    throw malformed(`user name of ${user.value.length} octets`);
  }

  const msgFlags = flags.value[0]!;
  const data = readTlv(msg.value, params.end);
  last(data, msg.value, 'msgData');
  let scoped: SnmpV3Message['scoped'] = null;
  if (msgFlags & MSG_FLAGS.priv) {
    if (data.tag !== TAG.octetString) throw malformed('encrypted PDU is not an OCTET STRING');
  } else {
    if (data.tag !== TAG.sequence) throw malformed('scopedPDU is not a SEQUENCE');
    const ctxEngine = expectTlv(data.value, 0, TAG.octetString, 'contextEngineID');
    const ctxName = expectTlv(data.value, ctxEngine.end, TAG.octetString, 'contextName');
    const pdu = readTlv(data.value, ctxName.end);
    last(pdu, data.value, 'the PDU');
    scoped = { contextEngineId: ctxEngine.value, contextName: ctxName.value, pdu: decodePdu(pdu) };
  }
  return {
    msgId: nonNegative(id, 'msgID'),
    msgMaxSize: nonNegative(max, 'msgMaxSize'),
    msgFlags,
    securityModel,
    usm: {
      engineId: engine.value,
      engineBoots: nonNegative(boots, 'engine boots'),
      engineTime: nonNegative(time, 'engine time'),
      userName: user.value,
    },
    scoped,
  };
}
