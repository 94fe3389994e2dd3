// Pure mapping from walked subtrees to the host record's SNMP sections, states and relationships.
import type { CiRecord, Hostname, RelationshipRecord, SectionState } from '@nopesight/model';
import type { SnmpVarbind } from '../../transports/snmp/snmp-session.js';
import { classify, type Classification } from './classify.js';
import { EnterpriseNumbers, enterpriseNumber } from './enterprise-numbers.js';
import { parseArp, type ArpEntry } from './parsers/arp.js';
import { parseBridge, type FdbEntry } from './parsers/bridge.js';
import { parseCdp } from './parsers/cdp.js';
import { parseEntity, type PhysicalEntity } from './parsers/entity.js';
import {
  parseHrHardware,
  parseHrProcesses,
  parseHrSoftware,
  type HrHardware,
  type HrInstalledSoftware,
  type HrProcess,
} from './parsers/host-resources.js';
import { parseInterfaces, type SnmpInterface } from './parsers/interfaces.js';
import { parseIpAddresses, type SnmpIpAddress } from './parsers/ip-addresses.js';
import { parseLldp, type DiscoveryNeighbor } from './parsers/lldp.js';
import { parseSystem, type SystemFacts } from './parsers/system.js';
import { nonEmpty, scalar, type SectionResult } from './parsers/varbinds.js';
import {
  describePrinter,
  noFacts,
  parsePrinter,
  vendorFor,
  type DeviceRole,
  type PrinterFacts,
  type VendorFacts,
} from './vendors/index.js';

/** The host record sections this collector fills, in report order. */
export const SNMP_SECTIONS = [
  'identity',
  'system',
  'entities',
  'interfaces',
  'addresses',
  'hardware',
  'software',
  'processes',
  'neighbors',
  'arp',
  'forwarding',
] as const;
export type SnmpSectionName = (typeof SNMP_SECTIONS)[number];

const UPS_IDENT = '1.3.6.1.2.1.33.1.1';

/** The subtrees walked for each section (the system group is read with one GET first). */
export const SNMP_WALKS = {
  interfaces: ['1.3.6.1.2.1.2.2', '1.3.6.1.2.1.31.1.1'],
  addresses: ['1.3.6.1.2.1.4.20', '1.3.6.1.2.1.4.34'],
  entities: ['1.3.6.1.2.1.47.1.1.1'],
  hardware: ['1.3.6.1.2.1.25.1', '1.3.6.1.2.1.25.2', '1.3.6.1.2.1.25.3.2', '1.3.6.1.2.1.25.3.3'],
  software: ['1.3.6.1.2.1.25.6.3'],
  processes: ['1.3.6.1.2.1.25.4.2', '1.3.6.1.2.1.25.5.1'],
  neighbors: [
    '1.0.8802.1.1.2.1.3',
    '1.0.8802.1.1.2.1.4.1',
    '1.0.8802.1.1.2.1.4.2',
    '1.3.6.1.4.1.9.9.23.1.2.1',
  ],
  arp: ['1.3.6.1.2.1.4.22', '1.3.6.1.2.1.4.35'],
  forwarding: ['1.3.6.1.2.1.17.1', '1.3.6.1.2.1.17.4.3', '1.3.6.1.2.1.17.7.1.2.2'],
  system: ['1.3.6.1.2.1.43.5.1.1', '1.3.6.1.2.1.43.10.2.1', UPS_IDENT],
} as const satisfies Partial<Record<SnmpSectionName, readonly string[]>>;

/** Every walked root, in the order they are started. */
export const WALK_ROOTS: readonly string[] = Object.values(SNMP_WALKS).flat();

/** What one walk of one subtree gave. `error` keeps its stable code. */
export interface WalkOutcome {
  varbinds: readonly SnmpVarbind[];
  truncated: boolean;
  error: { code: string; message: string } | null;
}

export interface SnmpCi {
  type: Classification['ciType'];
  typeReason: string;
  identity: CiRecord['identity'];
  system: SystemFacts &
    Omit<VendorFacts, 'role'> & {
      enterpriseNumber: number | null;
      /** The IANA registry's name for the enterprise (`ciscoSystems`). */
      enterprise: string | null;
      /** The vendor module's display name, else the enterprise name. */
      vendor: string | null;
      /** The finer class than CiType: router, switch, firewall, printer, ups, access_point, server, workstation. */
      deviceRole: DeviceRole;
      roleReason: string;
      printer: PrinterFacts | null;
      ups: {
        manufacturer: string | null;
        model: string | null;
        softwareVersion: string | null;
      } | null;
    };
  /** ENTITY-MIB chassis, modules, power supplies, fans (ports and sensors left out). */
  entities: PhysicalEntity[];
  interfaces: SnmpInterface[];
  addresses: (SnmpIpAddress & { ifName: string | null })[];
  hardware: HrHardware | null;
  software: HrInstalledSoftware[];
  processes: HrProcess[];
  neighbors: DiscoveryNeighbor[];
  arp: (ArpEntry & { ifName: string | null })[];
  forwarding: (FdbEntry & { ifName: string | null })[];
}

export interface SnmpInventory {
  ci: SnmpCi;
  sections: Record<SnmpSectionName, SectionState>;
  notes: Partial<Record<SnmpSectionName, string[]>>;
  relationships: RelationshipRecord[];
  hostnames: Hostname[];
  /** The class and why: `{ type: 'network_device', role: 'switch', reason: '…' }`. */
  type: { type: Classification['ciType']; role: DeviceRole; reason: string };
}

export interface SnmpInventoryInput {
  /** The system group: the GET of SYSTEM_SCALARS, or a walk of 1.3.6.1.2.1.1. */
  system: readonly SnmpVarbind[];
  /** Walk outcomes by root OID; a root without an outcome was never walked (budget spent). */
  walks: ReadonlyMap<string, WalkOutcome>;
  /** Answers to the vendor module's extra GET. */
  extra?: readonly SnmpVarbind[];
  /** Why roots without an outcome were not walked; default "not walked". */
  notWalked?: string;
  enterprises?: EnterpriseNumbers;
  /** Cap on relationships in all (default 5000). */
  maxRelationships?: number;
}

const MAX_NOTES = 12;

type Outcome = { state: SectionState; notes: string[] };

/** Rank of the states a walk problem can give, worst first for a section without data. */
const PROBLEM_ORDER: SectionState[] = ['timeout', 'denied', 'unsupported'];

/**
 * A section's state from its walks and its parser: a walk that failed, was cut or never ran
 * makes a section with data `partial`, and one without data `timeout`/`denied`/`unsupported`.
 */
function sectionOutcome(
  roots: readonly string[],
  input: SnmpInventoryInput,
  parsed: readonly SectionResult<unknown>[],
): Outcome {
  const notes: string[] = [];
  const problems: SectionState[] = [];
  for (const root of roots) {
    const w = input.walks.get(root);
    if (w === undefined) {
      problems.push('timeout');
      notes.push(`${root}: ${input.notWalked ?? 'not walked'}`);
      continue;
    }
    // The transport also sets `truncated` when `error` is set; the error note says more then.
    if (w.truncated && w.error === null) {
      problems.push('unsupported');
      notes.push(`${root}: cut at ${w.varbinds.length} varbinds`);
    }
    if (w.error) {
      const code = w.error.code;
      problems.push(
        code === 'ERR_TIMEOUT'
          ? 'timeout'
          : code === 'ERR_ACCESS_DENIED' || code === 'ERR_AUTH_FAILED'
            ? 'denied'
            : 'unsupported',
      );
      notes.push(`${root}: ${code} ${w.error.message.slice(0, 200)}`);
    }
  }
  const useful = parsed.filter((p) => p.state !== 'unsupported');
  for (const p of parsed) notes.push(...p.warnings);
  if (problems.length > 0) {
    if (useful.length > 0) return { state: 'partial', notes };
    const worst = PROBLEM_ORDER.find((s) => problems.includes(s)) ?? 'unsupported';
    return { state: worst, notes };
  }
  if (useful.length === 0) return { state: 'unsupported', notes };
  return { state: useful.some((p) => p.state === 'partial') ? 'partial' : 'complete', notes };
}

function varbindsOf(input: SnmpInventoryInput, roots: readonly string[]): SnmpVarbind[] {
  return roots.flatMap((r) => input.walks.get(r)?.varbinds ?? []);
}

/** Splits a sysName into host, FQDN and domain (`sw1.example.net` → `sw1`, …, `example.net`). */
function names(sysName: string | null): Pick<SnmpCi['identity'], 'hostname' | 'fqdn' | 'domain'> {
  if (sysName === null || /\s/.test(sysName))
    return { hostname: sysName, fqdn: null, domain: null };
  const lower = sysName.toLowerCase();
  const dot = lower.indexOf('.');
  if (dot <= 0 || /^\d+(\.\d+){3}$/.test(lower))
    return { hostname: lower, fqdn: null, domain: null };
  return { hostname: lower.slice(0, dot), fqdn: lower, domain: lower.slice(dot + 1) };
}

/** The first non-null of each field, in the order given (vendor module first, then Printer-MIB). */
function mergeFacts(...list: VendorFacts[]): VendorFacts {
  const out = noFacts();
  for (const f of list) {
    for (const k of Object.keys(out) as (keyof VendorFacts)[]) {
      if (out[k] === null && f[k] !== null) (out as unknown as Record<string, unknown>)[k] = f[k];
    }
  }
  return out;
}

/**
 * Maps the system GET and the walks to the CI sections, their states, the `connected_to`
 * relationships and the class. Pure; never throws for agent data.
 * @example buildSnmpInventory({ system, walks }).ci.system.deviceRole // → 'switch'
 */
export function buildSnmpInventory(input: SnmpInventoryInput): SnmpInventory {
  const outcomes: Partial<Record<SnmpSectionName, Outcome>> = {};
  const sys = parseSystem(input.system);
  const enterprises = input.enterprises ?? new EnterpriseNumbers();
  const entNumber = enterpriseNumber(sys.data.objectId);

  const entity = parseEntity(varbindsOf(input, SNMP_WALKS.entities));
  outcomes.entities = sectionOutcome(SNMP_WALKS.entities, input, [entity]);
  const ifs = parseInterfaces(varbindsOf(input, SNMP_WALKS.interfaces));
  outcomes.interfaces = sectionOutcome(SNMP_WALKS.interfaces, input, [ifs]);
  const ifName = new Map(ifs.data.map((i) => [i.index, i.name]));
  const nameOf = (ifIndex: number | null): string | null =>
    ifIndex === null ? null : (ifName.get(ifIndex) ?? null);

  const addrs = parseIpAddresses(varbindsOf(input, SNMP_WALKS.addresses));
  outcomes.addresses = sectionOutcome(SNMP_WALKS.addresses, input, [addrs]);
  const hw = parseHrHardware(varbindsOf(input, SNMP_WALKS.hardware));
  outcomes.hardware = sectionOutcome(SNMP_WALKS.hardware, input, [hw]);
  const sw = parseHrSoftware(varbindsOf(input, SNMP_WALKS.software));
  outcomes.software = sectionOutcome(SNMP_WALKS.software, input, [sw]);
  const ps = parseHrProcesses(varbindsOf(input, SNMP_WALKS.processes));
  outcomes.processes = sectionOutcome(SNMP_WALKS.processes, input, [ps]);
  const nbVarbinds = varbindsOf(input, SNMP_WALKS.neighbors);
  const lldp = parseLldp(nbVarbinds);
  const cdp = parseCdp(nbVarbinds);
  outcomes.neighbors = sectionOutcome(SNMP_WALKS.neighbors, input, [lldp, cdp]);
  const arp = parseArp(varbindsOf(input, SNMP_WALKS.arp));
  outcomes.arp = sectionOutcome(SNMP_WALKS.arp, input, [arp]);
  const bridge = parseBridge(varbindsOf(input, SNMP_WALKS.forwarding));
  outcomes.forwarding = sectionOutcome(SNMP_WALKS.forwarding, input, [bridge]);

  // Vendor knowledge, then the Printer-MIB, fill what the standard MIBs left open.
  const sysExtra = varbindsOf(input, SNMP_WALKS.system);
  const printer = parsePrinter(sysExtra, hw.data.devices);
  const upsVb = (n: number): string | null => nonEmpty(scalar(sysExtra, `${UPS_IDENT}.${n}`));
  const ups =
    upsVb(1) !== null || upsVb(2) !== null
      ? { manufacturer: upsVb(1), model: upsVb(2), softwareVersion: upsVb(3) }
      : null;
  const vendor = vendorFor(entNumber);
  const vendorFacts = vendor
    ? vendor.describe({ system: sys.data, chassis: entity.data.chassis, extra: input.extra ?? [] })
    : noFacts();
  const chassis = entity.data.chassis;
  const facts = mergeFacts(
    vendorFacts,
    printer.state === 'unsupported' ? noFacts() : describePrinter(printer.data),
    {
      ...noFacts(),
      model: chassis?.model ?? null,
      serial: chassis?.serial ?? null,
      hardwareVersion: chassis?.hardwareRevision ?? null,
      firmwareVersion: chassis?.firmwareRevision ?? null,
      osVersion: chassis?.softwareRevision ?? null,
    },
  );
  const cls = classify({
    system: sys.data,
    hint: facts.role,
    mibs: {
      printer: printer.state !== 'unsupported',
      ups: ups !== null,
      bridgePorts: Math.max(bridge.data.ports.length, bridge.data.fdb.length > 0 ? 1 : 0),
      hostResources: hw.state !== 'unsupported' || ps.state !== 'unsupported',
      installedSoftware: sw.data.map((s) => s.name),
      wirelessInterfaces: ifs.data.filter((i) => i.type === 71).length,
    },
  });
  const sysNotes = [...sys.warnings];
  if (vendor === null && entNumber !== null)
    sysNotes.push(`no vendor module for enterprise ${entNumber}`);
  outcomes.system = { state: sys.state, notes: sysNotes };

  const id = names(sys.data.name);
  const macs = [...new Set(ifs.data.map((i) => i.mac).filter((m): m is string => m !== null))];
  const serial = facts.serial;
  outcomes.identity = {
    state:
      sys.data.name !== null ? 'complete' : sys.state === 'unsupported' ? 'unsupported' : 'partial',
    notes: sys.data.name === null ? ['sysName not answered'] : [],
  };

  // LLDP names its own local ports; match them to interfaces by name to get the ifIndex.
  const byName = new Map<string, number>();
  for (const i of ifs.data) {
    for (const n of [i.name, i.description, i.alias]) if (n) byName.set(n.toLowerCase(), i.index);
  }
  const neighbors = [...lldp.data.neighbors, ...cdp.data].map((n) => {
    const localIfIndex =
      n.localIfIndex ?? (n.localPort ? (byName.get(n.localPort.toLowerCase()) ?? null) : null);
    return { ...n, localIfIndex, localPort: nameOf(localIfIndex) ?? n.localPort };
  });

  const ci: SnmpCi = {
    type: cls.ciType,
    typeReason: cls.reason,
    identity: { ...id, serial, systemUuid: null, macs: macs.slice(0, 256) },
    system: {
      ...sys.data,
      enterpriseNumber: entNumber,
      enterprise: enterprises.name(entNumber),
      vendor: vendor?.vendor ?? enterprises.name(entNumber),
      model: facts.model,
      osName: facts.osName,
      osVersion: facts.osVersion,
      firmwareVersion: facts.firmwareVersion,
      hardwareVersion: facts.hardwareVersion,
      serial,
      deviceRole: cls.role,
      roleReason: cls.reason,
      printer: printer.state === 'unsupported' ? null : printer.data,
      ups,
    },
    entities: entity.data.components,
    interfaces: ifs.data,
    addresses: addrs.data.map((a) => ({ ...a, ifName: nameOf(a.ifIndex) })),
    hardware: hw.state === 'unsupported' ? null : hw.data,
    software: sw.data,
    processes: ps.data,
    neighbors,
    arp: arp.data.map((a) => ({ ...a, ifName: nameOf(a.ifIndex) })),
    forwarding: bridge.data.fdb.map((f) => ({ ...f, ifName: nameOf(f.ifIndex) })),
  };

  const sections = {} as Record<SnmpSectionName, SectionState>;
  const notes: Partial<Record<SnmpSectionName, string[]>> = {};
  for (const name of SNMP_SECTIONS) {
    const o = outcomes[name] ?? { state: 'unsupported', notes: [] };
    sections[name] = o.state;
    if (o.notes.length > 0) notes[name] = o.notes.slice(0, MAX_NOTES);
  }
  return {
    ci,
    sections,
    notes,
    relationships: neighborRelationships(ci, input.maxRelationships ?? 5000),
    hostnames: sys.data.name ? [{ name: sys.data.name, source: 'snmp' }] : [],
    type: { type: cls.ciType, role: cls.role, reason: cls.reason },
  };
}

/**
 * `connected_to` from LLDP/CDP neighbours (target: the neighbour's management address, else its
 * name or chassis id), ARP entries (target: the IP) and learnt forwarding entries (target: the
 * IP ARP knows for the MAC, else the MAC). The device's own MACs are left out.
 */
export function neighborRelationships(ci: SnmpCi, max = 5000): RelationshipRecord[] {
  const out: RelationshipRecord[] = [];
  const own = new Set(ci.identity.macs);
  const add = (r: RelationshipRecord): void => {
    if (out.length < max) out.push(r);
  };
  for (const n of ci.neighbors) {
    const target = n.remoteAddresses[0] ?? n.remoteSystemName ?? n.remoteChassisId;
    if (target === null) continue;
    add({
      type: 'connected_to',
      target,
      evidence: {
        source: n.source,
        localPort: n.localPort,
        localIfIndex: n.localIfIndex,
        remoteChassisId: n.remoteChassisId,
        remoteChassisIdType: n.remoteChassisIdType,
        remotePort: n.remotePort,
        remoteSystemName: n.remoteSystemName,
        remotePlatform: n.remotePlatform,
        remoteAddresses: n.remoteAddresses,
      },
    });
  }
  const ipByMac = new Map<string, string>();
  for (const a of ci.arp) {
    if (a.type === 'local' || own.has(a.mac)) continue;
    if (!ipByMac.has(a.mac)) ipByMac.set(a.mac, a.address);
    add({
      type: 'connected_to',
      target: a.address,
      evidence: {
        source: 'arp',
        localPort: a.ifName,
        localIfIndex: a.ifIndex,
        ip: a.address,
        mac: a.mac,
        entryType: a.type,
      },
    });
  }
  for (const f of ci.forwarding) {
    if (f.status !== 'learned' || own.has(f.mac)) continue;
    const ip = ipByMac.get(f.mac) ?? null;
    add({
      type: 'connected_to',
      target: ip ?? f.mac,
      evidence: {
        source: 'fdb',
        localPort: f.ifName,
        localIfIndex: f.ifIndex,
        bridgePort: f.bridgePort,
        vlan: f.vlan,
        mac: f.mac,
        ip,
      },
    });
  }
  return out;
}
