// IF-MIB ifTable (1.3.6.1.2.1.2.2) joined with ifXTable (1.3.6.1.2.1.31.1.1): the device's interfaces.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
export const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';

/** IANAifType names for the types that matter for classification and display. */
const IF_TYPES: Record<number, string> = {
  1: 'other',
  6: 'ethernetCsmacd',
  23: 'ppp',
  24: 'softwareLoopback',
  53: 'propVirtual',
  62: 'fastEther',
  71: 'ieee80211',
  117: 'gigabitEthernet',
  131: 'tunnel',
  135: 'l2vlan',
  136: 'l3ipvlan',
  161: 'ieee8023adLag',
  209: 'bridge',
};
const ADMIN = ['', 'up', 'down', 'testing'];
const OPER = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'notPresent', 'lowerLayerDown'];

export interface SnmpInterface {
  index: number;
  /** ifName, else ifDescr. */
  name: string;
  description: string | null;
  alias: string | null;
  /** IANAifType number and, for common types, its name. */
  type: number | null;
  typeName: string | null;
  mtu: number | null;
  /** Bits per second: ifHighSpeed × 10^6 when it is larger than the 32-bit ifSpeed. */
  speedBps: number | null;
  mac: string | null;
  adminStatus: string | null;
  operStatus: string | null;
  /** 64-bit counters when the agent has them, else the 32-bit ones. Numbers above 2^53 lose precision. */
  counters: {
    inOctets: number | null;
    outOctets: number | null;
    inUcastPkts: number | null;
    outUcastPkts: number | null;
    inErrors: number | null;
    outErrors: number | null;
    inDiscards: number | null;
    outDiscards: number | null;
  };
}

/**
 * Joins ifTable and ifXTable by ifIndex. ifXTable rows without an ifTable row are kept (some
 * agents list sub-interfaces only there). `unsupported` when neither table answered.
 * @example parseInterfaces(vbs).data[0] // → { index: 1, name: 'Fa1/0/1', speedBps: 100000000, … }
 */
export function parseInterfaces(varbinds: readonly SnmpVarbind[]): SectionResult<SnmpInterface[]> {
  const base = V.tableRows(varbinds, IF_ENTRY);
  const ext = V.tableRows(varbinds, IFX_ENTRY);
  const warnings = V.warningList();
  const extByIndex = new Map(ext.rows.map((r) => [r.index, r.columns]));
  const indexes = [...new Set([...base.rows.map((r) => r.index), ...extByIndex.keys()])];
  const baseByIndex = new Map(base.rows.map((r) => [r.index, r.columns]));
  const out: SnmpInterface[] = [];
  for (const key of indexes) {
    const index = Number(key);
    if (!Number.isInteger(index) || index <= 0) {
      warnings.add(`interface index ${key} is not an ifIndex`);
      continue;
    }
    const c = baseByIndex.get(key) ?? new Map<number, SnmpVarbind>();
    const x = extByIndex.get(key) ?? new Map<number, SnmpVarbind>();
    const descr = V.nonEmpty(c.get(2));
    const type = V.num(c.get(3));
    const speed = V.num(c.get(5));
    const high = V.num(x.get(15));
    const pick = (hc: number, low: number): number | null => V.num(x.get(hc)) ?? V.num(c.get(low));
    out.push({
      index,
      name: V.nonEmpty(x.get(1)) ?? descr ?? String(index),
      description: descr,
      alias: V.nonEmpty(x.get(18)),
      type,
      typeName: type === null ? null : (IF_TYPES[type] ?? null),
      mtu: V.num(c.get(4)),
      speedBps: high !== null && high * 1e6 > (speed ?? 0) ? high * 1e6 : speed,
      mac: V.macFrom(c.get(6)),
      adminStatus: ADMIN[V.num(c.get(7)) ?? 0] || null,
      operStatus: OPER[V.num(c.get(8)) ?? 0] || null,
      counters: {
        inOctets: pick(6, 10),
        outOctets: pick(10, 16),
        inUcastPkts: pick(7, 11),
        outUcastPkts: pick(11, 17),
        inErrors: V.num(c.get(14)),
        outErrors: V.num(c.get(20)),
        inDiscards: V.num(c.get(13)),
        outDiscards: V.num(c.get(19)),
      },
    });
  }
  out.sort((a, b) => a.index - b.index);
  if (base.rows.length === 0 && ext.rows.length === 0) {
    return { state: 'unsupported', data: out, warnings: ['ifTable not answered'] };
  }
  const w = warnings.list();
  const dropped = base.dropped + ext.dropped;
  if (dropped > 0) w.push(`${dropped} interface values dropped`);
  return { state: V.stateOf(dropped, w), data: out, warnings: w };
}
