// LLDP-MIB (IEEE 802.1AB, 1.0.8802.1.1.2): the local ports and the neighbours seen on each.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const LLDP = {
  local: '1.0.8802.1.1.2.1.3',
  locPortEntry: '1.0.8802.1.1.2.1.3.7.1',
  remEntry: '1.0.8802.1.1.2.1.4.1.1',
  remManAddrEntry: '1.0.8802.1.1.2.1.4.2.1',
} as const;

/** A neighbour announced over LLDP or CDP, as seen from one local port. */
export interface DiscoveryNeighbor {
  source: 'lldp' | 'cdp';
  /** The local port's ifIndex when the MIB gives it (CDP) or it could be matched (LLDP). */
  localIfIndex: number | null;
  /** The local port's name (ifName from the interfaces, or LLDP's own port id). */
  localPort: string | null;
  remoteChassisId: string | null;
  /** `macAddress`, `networkAddress`, `interfaceName`, `local`… (LLDP subtypes); `deviceId` for CDP. */
  remoteChassisIdType: string | null;
  remotePort: string | null;
  remotePortDescription: string | null;
  remoteSystemName: string | null;
  remoteSystemDescription: string | null;
  /** CDP platform (`cisco WS-C2960X-24PD-L`); null for LLDP. */
  remotePlatform: string | null;
  remoteAddresses: string[];
  /** Enabled capabilities: `router`, `bridge`, `wlanAccessPoint`, `telephone`… */
  remoteCapabilities: string[];
}

export interface LldpFacts {
  localChassisId: string | null;
  localSystemName: string | null;
  /** lldpLocPortNum → the port id and description the device announces for it. */
  localPorts: { portNum: number; portId: string | null; description: string | null }[];
  neighbors: DiscoveryNeighbor[];
}

const CHASSIS_SUBTYPES = [
  '',
  'chassisComponent',
  'interfaceAlias',
  'portComponent',
  'macAddress',
  'networkAddress',
  'interfaceName',
  'local',
];
const PORT_SUBTYPES = [
  '',
  'interfaceAlias',
  'portComponent',
  'macAddress',
  'networkAddress',
  'interfaceName',
  'agentCircuitId',
  'local',
];
/** LldpSystemCapabilitiesMap bit names, most significant bit of the first octet first. */
const CAPABILITIES = [
  'other',
  'repeater',
  'bridge',
  'wlanAccessPoint',
  'router',
  'telephone',
  'docsisCableDevice',
  'stationOnly',
];

/**
 * An LLDP id as text by its subtype: MACs as `aa:bb:…`, network addresses (IANA family byte +
 * address) as dotted text, names as text. Binary ids of other subtypes become hex.
 */
export function lldpId(subtypeName: string | null, vb: SnmpVarbind | undefined): string | null {
  const b = V.bytes(vb);
  if (b === null) return V.text(vb);
  if (b.length === 0) return null;
  if (subtypeName === 'macAddress' && b.length === 6) return V.macFromBytes(b);
  if (subtypeName === 'networkAddress' && b.length >= 5) {
    const ip = V.ipFromBytes([...b.subarray(1)]);
    if (ip) return ip;
  }
  // Printable text stays text; anything else is shown as hex rather than mangled.
  const printable = [...b].every((x) => x >= 0x20 && x < 0x7f);
  return printable ? V.nonEmpty(vb) : b.toString('hex');
}

/** Capability bit names set in an LLDP or CDP bitmap (`bits[0]` is the first name). */
export function capabilityNames(b: Buffer | null, names: readonly string[]): string[] {
  if (b === null) return [];
  const out: string[] = [];
  names.forEach((name, i) => {
    const byte = b[Math.floor(i / 8)] ?? 0;
    if ((byte & (0x80 >> (i % 8))) !== 0) out.push(name);
  });
  return out;
}

/**
 * Reads the local port table and the remote tables. `unsupported` when lldpRemTable and
 * lldpLocPortTable both did not answer (no LLDP agent); an agent with LLDP and no neighbours is
 * `complete` with an empty list.
 */
export function parseLldp(varbinds: readonly SnmpVarbind[]): SectionResult<LldpFacts> {
  const loc = V.tableRows(varbinds, LLDP.locPortEntry);
  const rem = V.tableRows(varbinds, LLDP.remEntry);
  const man = V.tableRows(varbinds, LLDP.remManAddrEntry);
  const warnings = V.warningList();
  const localSubtype =
    CHASSIS_SUBTYPES[V.num(varbinds.find((v) => v.oid === `${LLDP.local}.1.0`)) ?? 0] ?? null;
  const data: LldpFacts = {
    localChassisId: lldpId(
      localSubtype,
      varbinds.find((v) => v.oid === `${LLDP.local}.2.0`),
    ),
    localSystemName: V.nonEmpty(varbinds.find((v) => v.oid === `${LLDP.local}.3.0`)),
    localPorts: [],
    neighbors: [],
  };
  const localById = new Map<number, { portId: string | null; description: string | null }>();
  for (const row of loc.rows) {
    const portNum = Number(row.index);
    const subtype = PORT_SUBTYPES[V.num(row.columns.get(2)) ?? 0] ?? null;
    const port = {
      portId: lldpId(subtype, row.columns.get(3)),
      description: V.nonEmpty(row.columns.get(4)),
    };
    localById.set(portNum, port);
    data.localPorts.push({ portNum, ...port });
  }
  // Management addresses: index timeMark.localPort.remIndex.addrSubtype.len.addr…
  const addresses = new Map<string, string[]>();
  for (const row of man.rows) {
    const parts = V.arcs(row.index);
    if (parts === null || parts.length < 6) continue;
    const key = parts.slice(0, 3).join('.');
    const len = parts[4] as number;
    const ip = V.ipFromBytes(parts.slice(5, 5 + len));
    if (ip === null) continue;
    const list = addresses.get(key) ?? [];
    if (!list.includes(ip)) list.push(ip);
    addresses.set(key, list);
  }
  for (const row of rem.rows) {
    const parts = V.arcs(row.index);
    if (parts === null || parts.length !== 3) {
      warnings.add(`lldpRemTable index ${row.index.slice(0, 40)} is not timeMark.port.index`);
      continue;
    }
    const c = row.columns;
    const localPortNum = parts[1] as number;
    const chassisType = CHASSIS_SUBTYPES[V.num(c.get(4)) ?? 0] || null;
    const portType = PORT_SUBTYPES[V.num(c.get(6)) ?? 0] || null;
    const local = localById.get(localPortNum);
    data.neighbors.push({
      source: 'lldp',
      // lldpLocPortNum is not guaranteed to be the ifIndex; the inventory matches it by name.
      localIfIndex: null,
      localPort: local?.portId ?? local?.description ?? String(localPortNum),
      remoteChassisId: lldpId(chassisType, c.get(5)),
      remoteChassisIdType: chassisType,
      remotePort: lldpId(portType, c.get(7)),
      remotePortDescription: V.nonEmpty(c.get(8)),
      remoteSystemName: V.nonEmpty(c.get(9)),
      remoteSystemDescription: V.nonEmpty(c.get(10)),
      remotePlatform: null,
      remoteAddresses: addresses.get(parts.join('.')) ?? [],
      remoteCapabilities: capabilityNames(V.bytes(c.get(12)), CAPABILITIES),
    });
  }
  if (rem.rows.length === 0 && loc.rows.length === 0) {
    return { state: 'unsupported', data, warnings: ['LLDP-MIB not answered'] };
  }
  const dropped = loc.dropped + rem.dropped + man.dropped;
  const w = warnings.list();
  if (dropped > 0) w.push(`${dropped} LLDP values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}
