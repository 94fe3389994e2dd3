// IP-MIB address translation: ipNetToMediaTable (IPv4) and ipNetToPhysicalTable (IPv4 and IPv6).
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const IP_NET_TO_MEDIA_ENTRY = '1.3.6.1.2.1.4.22.1';
export const IP_NET_TO_PHYSICAL_ENTRY = '1.3.6.1.2.1.4.35.1';

export interface ArpEntry {
  ifIndex: number;
  address: string;
  family: 'ipv4' | 'ipv6';
  mac: string;
  /** `dynamic`, `static`, `local`, `other`. Invalidated entries are dropped. */
  type: string | null;
}

const MEDIA_TYPES = ['', 'other', 'invalid', 'dynamic', 'static'];
const PHYSICAL_TYPES = ['', 'other', 'invalid', 'dynamic', 'static', 'local'];

/**
 * Reads both tables (ipNetToPhysical wins for an address in both). `unsupported` when neither
 * answered; an empty cache that answered is not distinguishable from no table and is
 * `unsupported` too.
 * @example parseArp(vbs).data[0] // → { ifIndex: 60, address: '10.204.88.1', mac: '00:00:0c:07:ac:3c', type: 'dynamic' }
 */
export function parseArp(varbinds: readonly SnmpVarbind[]): SectionResult<ArpEntry[]> {
  const media = V.tableRows(varbinds, IP_NET_TO_MEDIA_ENTRY);
  const phys = V.tableRows(varbinds, IP_NET_TO_PHYSICAL_ENTRY);
  const warnings = V.warningList();
  const byKey = new Map<string, ArpEntry>();

  for (const row of phys.rows) {
    const parts = V.arcs(row.index);
    const inet = parts && parts.length > 2 ? V.inetFromIndex(parts, 1) : null;
    const mac = V.macFrom(row.columns.get(4));
    const type = PHYSICAL_TYPES[V.num(row.columns.get(6)) ?? 0] || null;
    if (parts === null || inet === null) {
      warnings.add(`ipNetToPhysical index ${row.index.slice(0, 60)} is not ifIndex.address`);
      continue;
    }
    if (mac === null || type === 'invalid') continue;
    const ifIndex = parts[0] as number;
    byKey.set(`${ifIndex}|${inet.address}`, {
      ifIndex,
      address: inet.address,
      family: inet.family,
      mac,
      type,
    });
  }

  for (const row of media.rows) {
    const parts = V.arcs(row.index);
    if (parts === null || parts.length !== 5) {
      warnings.add(`ipNetToMedia index ${row.index.slice(0, 60)} is not ifIndex.a.b.c.d`);
      continue;
    }
    const mac = V.macFrom(row.columns.get(2));
    const type = MEDIA_TYPES[V.num(row.columns.get(4)) ?? 0] || null;
    if (mac === null || type === 'invalid') continue;
    const ifIndex = parts[0] as number;
    const address = parts.slice(1).join('.');
    const key = `${ifIndex}|${address}`;
    if (!byKey.has(key)) byKey.set(key, { ifIndex, address, family: 'ipv4', mac, type });
  }

  const data = [...byKey.values()];
  if (media.rows.length === 0 && phys.rows.length === 0) {
    return {
      state: 'unsupported',
      data,
      warnings: ['ipNetToMedia and ipNetToPhysical not answered'],
    };
  }
  const dropped = media.dropped + phys.dropped;
  const w = warnings.list();
  if (dropped > 0) w.push(`${dropped} ARP values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}
