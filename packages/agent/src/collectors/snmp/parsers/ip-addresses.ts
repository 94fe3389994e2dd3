// IP-MIB addresses: ipAddrTable (IPv4 with masks) and ipAddressTable (IPv4 and IPv6, prefix lengths).
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const IP_ADDR_ENTRY = '1.3.6.1.2.1.4.20.1';
export const IP_ADDRESS_ENTRY = '1.3.6.1.2.1.4.34.1';

export interface SnmpIpAddress {
  address: string;
  family: 'ipv4' | 'ipv6';
  prefixLength: number | null;
  /** Dotted mask for IPv4, null for IPv6. */
  netmask: string | null;
  ifIndex: number | null;
  /** ipAddressType: `unicast`, `anycast`, `broadcast`; null from ipAddrTable. */
  type: string | null;
}

const ADDRESS_TYPES = ['', 'unicast', 'anycast', 'broadcast'];

/** Prefix length of a contiguous dotted mask; null when not contiguous. */
export function maskToPrefix(mask: string): number | null {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    return null;
  const bits = parts.map((p) => p.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : null;
}

/** Dotted IPv4 mask for a prefix length. @example prefixToMask(22) // → '255.255.252.0' */
export function prefixToMask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefix))) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

/**
 * Reads both address tables; an address in both keeps ipAddressTable's facts and ipAddrTable's
 * mask. `unsupported` when neither answered.
 * @example parseIpAddresses(vbs).data[0] // → { address: '10.204.88.16', prefixLength: 22, ifIndex: 60, … }
 */
export function parseIpAddresses(varbinds: readonly SnmpVarbind[]): SectionResult<SnmpIpAddress[]> {
  const old = V.tableRows(varbinds, IP_ADDR_ENTRY);
  const neu = V.tableRows(varbinds, IP_ADDRESS_ENTRY);
  const warnings = V.warningList();
  const byAddress = new Map<string, SnmpIpAddress>();

  for (const row of neu.rows) {
    const parts = V.arcs(row.index);
    const inet = parts ? V.inetFromIndex(parts) : null;
    if (inet === null) {
      warnings.add(`ipAddressTable index ${row.index.slice(0, 60)} is not an address`);
      continue;
    }
    // ipAddressPrefix points at ipAddressPrefixTable; its last arc is the prefix length.
    const prefixOid = V.oidValue(row.columns.get(5));
    const last = prefixOid ? Number(prefixOid.split('.').pop()) : NaN;
    const max = inet.family === 'ipv4' ? 32 : 128;
    const prefixLength = Number.isInteger(last) && last >= 0 && last <= max ? last : null;
    byAddress.set(inet.address, {
      address: inet.address,
      family: inet.family,
      prefixLength,
      netmask: inet.family === 'ipv4' && prefixLength !== null ? prefixToMask(prefixLength) : null,
      ifIndex: V.num(row.columns.get(3)),
      type: ADDRESS_TYPES[V.num(row.columns.get(4)) ?? 0] || null,
    });
  }

  for (const row of old.rows) {
    const address = /^\d+\.\d+\.\d+\.\d+$/.test(row.index) ? row.index : null;
    if (address === null) {
      warnings.add(`ipAddrTable index ${row.index.slice(0, 60)} is not an IPv4 address`);
      continue;
    }
    const maskVb = row.columns.get(3);
    const mask = typeof maskVb?.value === 'string' ? maskVb.value : null;
    const prefix = mask ? maskToPrefix(mask) : null;
    const known = byAddress.get(address);
    if (known) {
      known.netmask = mask ?? known.netmask;
      known.prefixLength = known.prefixLength ?? prefix;
      continue;
    }
    byAddress.set(address, {
      address,
      family: 'ipv4',
      prefixLength: prefix,
      netmask: mask,
      ifIndex: V.num(row.columns.get(2)),
      type: null,
    });
  }

  const data = [...byAddress.values()];
  if (old.rows.length === 0 && neu.rows.length === 0) {
    return {
      state: 'unsupported',
      data,
      warnings: ['ipAddrTable and ipAddressTable not answered'],
    };
  }
  const w = warnings.list();
  const dropped = old.dropped + neu.dropped;
  if (dropped > 0) w.push(`${dropped} address values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}
