// CISCO-CDP-MIB cdpCacheTable (1.3.6.1.4.1.9.9.23.1.2.1): neighbours heard over CDP per local port.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import { capabilityNames, type DiscoveryNeighbor } from './lldp.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const CDP_CACHE_ENTRY = '1.3.6.1.4.1.9.9.23.1.2.1.1';

/**
 * CDP capability bits (cdpCacheCapabilities is the 32-bit field of the CDP TLV, big-endian):
 * listed from the most significant bit of the fourth octet's low end, i.e. bit 0x01 first.
 */
const CDP_CAPABILITIES: [number, string][] = [
  [0x01, 'router'],
  [0x02, 'transparentBridge'],
  [0x04, 'sourceRouteBridge'],
  [0x08, 'switch'],
  [0x10, 'host'],
  [0x20, 'igmp'],
  [0x40, 'repeater'],
  [0x80, 'phone'],
  [0x100, 'remotelyManaged'],
  [0x200, 'cvtaStpDispute'],
  [0x400, 'twoPortMacRelay'],
];

/** Names of the capability bits set in cdpCacheCapabilities (4 octets). */
export function cdpCapabilities(b: Buffer | null): string[] {
  if (b === null || b.length !== 4) return capabilityNames(null, []);
  const v = b.readUInt32BE(0);
  return CDP_CAPABILITIES.filter(([bit]) => (v & bit) !== 0).map(([, n]) => n);
}

/**
 * Reads cdpCacheTable (index cdpCacheIfIndex.cdpCacheDeviceIndex). `unsupported` when it did
 * not answer (not Cisco, or CDP disabled with no cache).
 * @example parseCdp(vbs).data[0] // → { source: 'cdp', localIfIndex: 11048, remoteSystemName: 'C2960X.uac.local', … }
 */
export function parseCdp(varbinds: readonly SnmpVarbind[]): SectionResult<DiscoveryNeighbor[]> {
  const table = V.tableRows(varbinds, CDP_CACHE_ENTRY);
  const warnings = V.warningList();
  const data: DiscoveryNeighbor[] = [];
  for (const row of table.rows) {
    const parts = V.arcs(row.index);
    if (parts === null || parts.length !== 2) {
      warnings.add(`cdpCacheTable index ${row.index.slice(0, 40)} is not ifIndex.deviceIndex`);
      continue;
    }
    const c = row.columns;
    // cdpCacheAddressType 1 is ip: four raw octets.
    const addr = V.bytes(c.get(4));
    const ip = V.num(c.get(3)) === 1 && addr !== null ? V.ipFromBytes([...addr]) : null;
    const deviceId = V.nonEmpty(c.get(6));
    data.push({
      source: 'cdp',
      localIfIndex: parts[0] as number,
      localPort: null,
      remoteChassisId: deviceId,
      remoteChassisIdType: deviceId === null ? null : 'deviceId',
      remotePort: V.nonEmpty(c.get(7)),
      remotePortDescription: null,
      remoteSystemName: deviceId,
      remoteSystemDescription: V.nonEmpty(c.get(5)),
      remotePlatform: V.nonEmpty(c.get(8)),
      remoteAddresses: ip ? [ip] : [],
      remoteCapabilities: cdpCapabilities(V.bytes(c.get(9))),
    });
  }
  if (table.rows.length === 0) {
    return { state: 'unsupported', data, warnings: ['cdpCacheTable not answered'] };
  }
  const w = warnings.list();
  if (table.dropped > 0) w.push(`${table.dropped} CDP values dropped`);
  return { state: V.stateOf(table.dropped, w), data, warnings: w };
}
