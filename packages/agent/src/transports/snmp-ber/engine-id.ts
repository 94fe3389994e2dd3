// Reads an SnmpEngineID (RFC 3411 §5, SNMP-FRAMEWORK-MIB) into its enterprise and format parts.
import type { SnmpV3EngineFacts } from '@nopesight/model';
import { formatIpv6 } from '../../discovery/targets/address.js';

/**
 * How the engine ID is built (the model's `SnmpV3EngineFacts.engineIdFormat`). With the first bit
 * set (RFC 3411 format): the fifth octet says `ipv4` (1), `ipv6` (2), `mac` (3), `text` (4),
 * `octets` (5), `reserved` (6..127) or `enterprise` (128..255, vendor-defined; net-snmp's random
 * default is 128). With the first bit clear: `legacy` for the 12-octet pre-SNMPv3 layout
 * (enterprise number, then 8 vendor octets), `nonstandard` for anything else.
 */
export type EngineIdFormat = SnmpV3EngineFacts['engineIdFormat'];

export interface EngineIdInfo {
  /** The whole engine ID, lowercase hex. */
  hex: string;
  format: EngineIdFormat;
  /** IANA private enterprise number (first four octets, top bit cleared); absent for `nonstandard`. */
  enterpriseNumber?: number;
  /**
   * The format's data as text, when it has the format's size: dotted IPv4, compressed IPv6,
   * `aa:bb:cc:dd:ee:ff`, the text (control characters replaced by U+FFFD), or hex for `octets`.
   */
  value?: string;
}

/** RFC 3411: SnmpEngineID is SIZE(5..32). */
export const MAX_ENGINE_ID_BYTES = 32;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/gu;

const FORMATS: Record<number, EngineIdFormat> = {
  1: 'ipv4',
  2: 'ipv6',
  3: 'mac',
  4: 'text',
  5: 'octets',
};

/**
 * Splits an engine ID into enterprise number, format and value. Never throws: an ID of the wrong
 * size for its layout is `nonstandard`, with only its hex.
 *
 * @example
 * parseEngineId(Buffer.from('80001f8804' + Buffer.from('core-sw1').toString('hex'), 'hex'))
 * // { hex: '80001f880463…', format: 'text', enterpriseNumber: 8072, value: 'core-sw1' }
 */
export function parseEngineId(id: Buffer): EngineIdInfo {
  const hex = id.toString('hex');
  if (id.length < 5 || id.length > MAX_ENGINE_ID_BYTES) return { hex, format: 'nonstandard' };
  const enterpriseNumber = id.readUInt32BE(0) & 0x7fffffff;
  if ((id[0]! & 0x80) === 0) {
    // RFC 3411 §5 item 2: 12 octets, the enterprise number then 8 enterprise-specific octets.
    return id.length === 12
      ? { hex, format: 'legacy', enterpriseNumber }
      : { hex, format: 'nonstandard' };
  }
  const kind = id[4]!;
  const data = id.subarray(5);
  const format = FORMATS[kind] ?? (kind >= 128 ? 'enterprise' : 'reserved');
  const value = formatValue(format, data);
  return value === undefined
    ? { hex, format, enterpriseNumber }
    : { hex, format, enterpriseNumber, value };
}

function formatValue(format: EngineIdFormat, data: Buffer): string | undefined {
  switch (format) {
    case 'ipv4':
      return data.length === 4 ? [...data].join('.') : undefined;
    case 'ipv6':
      return data.length === 16 ? formatIpv6(BigInt(`0x${data.toString('hex')}`)) : undefined;
    case 'mac':
      return data.length === 6
        ? [...data].map((b) => b.toString(16).padStart(2, '0')).join(':')
        : undefined;
    case 'text':
      return data.length > 0 ? data.toString('utf8').replace(CONTROL, '\ufffd') : undefined;
    case 'octets':
      return data.length > 0 ? data.toString('hex') : undefined;
    default:
      return undefined;
  }
}
