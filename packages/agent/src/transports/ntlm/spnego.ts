// SPNEGO tokens (RFC 4178, MS-SPNG) around NTLMSSP: NegTokenInit out, NegTokenResp in.
import { ScannerError } from '../../errors.js';
import {
  TAG,
  decodeInteger,
  decodeOid,
  encodeOid,
  encodeTlv,
  expectTlv,
  readChildren,
  readTlv,
} from '../snmp-ber/ber.js';
import { NTLMSSP_SIGNATURE } from './ntlm-message.js';

export const OID_SPNEGO = '1.3.6.1.5.5.2';
export const OID_NTLMSSP = '1.3.6.1.4.1.311.2.2.10';

/** negState values of NegTokenResp. */
export const NEG_STATE = {
  acceptCompleted: 0,
  acceptIncomplete: 1,
  reject: 2,
  requestMic: 3,
} as const;

export interface NegTokenResp {
  negState?: number;
  supportedMech?: string;
  responseToken?: Buffer;
  mechListMic?: Buffer;
}

/** Context-specific constructed tag [n]. */
const ctx = (n: number): number => 0xa0 | n;

/**
 * The DER MechTypeList (SEQUENCE OF OID) as NegTokenInit carries it: the bytes a SPNEGO
 * mechListMIC signs (RFC 4178 §5).
 */
export function encodeMechTypeList(mechs: string[] = [OID_NTLMSSP]): Buffer {
  return encodeTlv(TAG.sequence, ...mechs.map(encodeOid));
}

/**
 * Wraps a mechanism token (here an NTLMSSP NEGOTIATE) in a GSS-API InitialContextToken holding
 * a NegTokenInit that offers only `mechs` (NTLMSSP by default).
 */
export function buildNegTokenInit(mechToken: Buffer, mechs: string[] = [OID_NTLMSSP]): Buffer {
  const negTokenInit = encodeTlv(
    TAG.sequence,
    encodeTlv(ctx(0), encodeMechTypeList(mechs)),
    encodeTlv(ctx(2), encodeTlv(TAG.octetString, mechToken)),
  );
  return encodeTlv(0x60, encodeOid(OID_SPNEGO), encodeTlv(ctx(0), negTokenInit));
}

/** A client NegTokenResp carrying the next mechanism token and, optionally, the mechListMIC. */
export function buildNegTokenResp(responseToken: Buffer, mechListMic?: Buffer): Buffer {
  const fields = [encodeTlv(ctx(2), encodeTlv(TAG.octetString, responseToken))];
  if (mechListMic) fields.push(encodeTlv(ctx(3), encodeTlv(TAG.octetString, mechListMic)));
  return encodeTlv(ctx(1), encodeTlv(TAG.sequence, ...fields));
}

/** Parses a NegTokenResp ([1] SEQUENCE { [0] negState, [1] mech, [2] token, [3] mic }). */
export function parseNegTokenResp(buf: Buffer): NegTokenResp {
  const outer = expectTlv(buf, 0, ctx(1), 'NegTokenResp');
  const seq = expectTlv(outer.value, 0, TAG.sequence, 'NegTokenResp body');
  const out: NegTokenResp = {};
  for (const field of readChildren(seq.value, 8)) {
    const inner = readTlv(field.value, 0);
    switch (field.tag) {
      case ctx(0):
        if (inner.tag !== TAG.enumerated)
          throw new ScannerError('ERR_PROTOCOL', 'negState is not ENUMERATED');
        out.negState = decodeInteger(inner.value);
        break;
      case ctx(1):
        if (inner.tag !== TAG.oid)
          throw new ScannerError('ERR_PROTOCOL', 'supportedMech is not an OID');
        out.supportedMech = decodeOid(inner.value);
        break;
      case ctx(2):
        if (inner.tag !== TAG.octetString)
          throw new ScannerError('ERR_PROTOCOL', 'responseToken is not an OCTET STRING');
        out.responseToken = inner.value;
        break;
      case ctx(3):
        if (inner.tag !== TAG.octetString)
          throw new ScannerError('ERR_PROTOCOL', 'mechListMIC is not an OCTET STRING');
        out.mechListMic = inner.value;
        break;
      default:
        break; // Unknown fields are skipped, as RFC 4178's extensibility marker allows.
    }
  }
  return out;
}

/**
 * The NTLMSSP message inside a session-setup security buffer: a NegTokenResp's responseToken,
 * or the buffer itself when the server answered with raw NTLMSSP.
 */
export function extractNtlmToken(securityBuffer: Buffer): Buffer {
  if (securityBuffer.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) return securityBuffer;
  const resp = parseNegTokenResp(securityBuffer);
  if (resp.negState === NEG_STATE.reject) {
    throw new ScannerError('ERR_PROTOCOL', 'SPNEGO: the server rejected NTLMSSP');
  }
  if (resp.supportedMech !== undefined && resp.supportedMech !== OID_NTLMSSP) {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `SPNEGO: the server chose ${resp.supportedMech}, not NTLMSSP`,
    );
  }
  if (!resp.responseToken) throw new ScannerError('ERR_PROTOCOL', 'SPNEGO: no responseToken');
  return resp.responseToken;
}
