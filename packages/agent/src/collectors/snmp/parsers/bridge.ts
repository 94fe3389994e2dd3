// BRIDGE-MIB (dot1dBase, dot1dTpFdb) and Q-BRIDGE-MIB (dot1qTpFdb): which MAC was learnt on which port.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const BRIDGE = {
  base: '1.3.6.1.2.1.17.1',
  baseAddress: '1.3.6.1.2.1.17.1.1',
  baseNumPorts: '1.3.6.1.2.1.17.1.2',
  basePortEntry: '1.3.6.1.2.1.17.1.4.1',
  tpFdb: '1.3.6.1.2.1.17.4.3',
  tpFdbEntry: '1.3.6.1.2.1.17.4.3.1',
  qTpFdb: '1.3.6.1.2.1.17.7.1.2.2',
  qTpFdbEntry: '1.3.6.1.2.1.17.7.1.2.2.1',
} as const;

const FDB_STATUS = ['', 'other', 'invalid', 'learned', 'self', 'mgmt'];

export interface FdbEntry {
  mac: string;
  /** dot1qFdbId (usually the VLAN id) for Q-BRIDGE entries; null for dot1dTpFdb. */
  vlan: number | null;
  bridgePort: number;
  /** From dot1dBasePortTable; null when the bridge port has no row there. */
  ifIndex: number | null;
  /** `learned`, `self`, `mgmt`, `other`. Invalid entries are dropped. */
  status: string | null;
  source: 'dot1d' | 'dot1q';
}

export interface BridgeFacts {
  bridgeAddress: string | null;
  numPorts: number | null;
  /** dot1dBasePort → ifIndex. */
  ports: { bridgePort: number; ifIndex: number }[];
  fdb: FdbEntry[];
}

/**
 * Reads dot1dBase, dot1dTpFdbTable and dot1qTpFdbTable (Q-BRIDGE entries win for a MAC in
 * both). `unsupported` when none of them answered: the device is not a bridge, or its agent
 * needs a per-VLAN context or community (Cisco `community@vlan`), which this collector does not
 * try.
 * @example parseBridge(vbs).data.fdb[0] // → { mac: '68:99:cd:a5:9f:88', bridgePort: 160, ifIndex: 11048, status: 'learned', … }
 */
export function parseBridge(varbinds: readonly SnmpVarbind[]): SectionResult<BridgeFacts> {
  const ports = V.tableRows(varbinds, BRIDGE.basePortEntry);
  const tp = V.tableRows(varbinds, BRIDGE.tpFdbEntry);
  const q = V.tableRows(varbinds, BRIDGE.qTpFdbEntry);
  const warnings = V.warningList();
  const portMap = new Map<number, number>();
  for (const row of ports.rows) {
    const ifIndex = V.num(row.columns.get(2));
    if (ifIndex !== null) portMap.set(Number(row.index), ifIndex);
  }
  const data: BridgeFacts = {
    bridgeAddress: V.macFrom(V.scalar(varbinds, BRIDGE.baseAddress)),
    numPorts: V.num(V.scalar(varbinds, BRIDGE.baseNumPorts)),
    ports: [...portMap].map(([bridgePort, ifIndex]) => ({ bridgePort, ifIndex })),
    fdb: [],
  };
  const seen = new Set<string>();
  for (const row of q.rows) {
    const parts = V.arcs(row.index);
    const mac = parts && parts.length === 7 ? V.macFromBytes(parts.slice(1)) : null;
    if (parts === null || mac === null) {
      warnings.add(`dot1qTpFdb index ${row.index.slice(0, 40)} is not fdbId.mac`);
      continue;
    }
    const status = FDB_STATUS[V.num(row.columns.get(3)) ?? 0] || null;
    const bridgePort = V.num(row.columns.get(2));
    if (status === 'invalid' || bridgePort === null) continue;
    seen.add(mac);
    data.fdb.push({
      mac,
      vlan: parts[0] as number,
      bridgePort,
      ifIndex: portMap.get(bridgePort) ?? null,
      status,
      source: 'dot1q',
    });
  }
  for (const row of tp.rows) {
    const parts = V.arcs(row.index);
    const mac = parts && parts.length === 6 ? V.macFromBytes(parts) : null;
    if (mac === null) {
      warnings.add(`dot1dTpFdb index ${row.index.slice(0, 40)} is not a MAC`);
      continue;
    }
    const status = FDB_STATUS[V.num(row.columns.get(3)) ?? 0] || null;
    const bridgePort = V.num(row.columns.get(2));
    if (status === 'invalid' || bridgePort === null || seen.has(mac)) continue;
    data.fdb.push({
      mac,
      vlan: null,
      bridgePort,
      ifIndex: portMap.get(bridgePort) ?? null,
      status,
      source: 'dot1d',
    });
  }
  const answeredAny =
    ports.rows.length > 0 || tp.rows.length > 0 || q.rows.length > 0 || data.bridgeAddress !== null;
  if (!answeredAny) return { state: 'unsupported', data, warnings: ['BRIDGE-MIB not answered'] };
  const dropped = ports.dropped + tp.dropped + q.dropped;
  const w = warnings.list();
  if (dropped > 0) w.push(`${dropped} bridge values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}
