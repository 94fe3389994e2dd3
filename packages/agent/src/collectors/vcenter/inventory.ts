// Pure mapping from retrieved vCenter/ESXi properties to CI records, section states and relationships.
import type { CiRecord, CiType, RelationshipRecord, SectionState } from '@nopesight/model';
import {
  asObject,
  asRef,
  list,
  type ObjectContent,
  type VimObject,
  type VimValue,
} from '../../transports/vsphere/property-collector.js';
import type { ServiceContent } from '../../transports/vsphere/vim-client.js';
import { VCENTER_RETRIEVES, type VcenterRetrieve } from './specs.js';

/** The vSphere kind of an object: finer than CiType, which lacks folders, pools and networks. */
export type VcenterKind =
  | 'datacenter'
  | 'folder'
  | 'cluster'
  | 'resource_pool'
  | 'vapp'
  | 'host'
  | 'virtual_machine'
  | 'datastore'
  | 'network'
  | 'dvportgroup'
  | 'opaque_network';

/** CiType per kind (a vApp, a resource pool that is also an application, stays `unknown`). */
export const CI_TYPE_OF: Record<VcenterKind, CiType> = {
  datacenter: 'datacenter',
  folder: 'folder',
  cluster: 'cluster',
  resource_pool: 'resource_pool',
  vapp: 'unknown',
  host: 'hypervisor',
  virtual_machine: 'virtual_machine',
  datastore: 'datastore',
  network: 'network',
  dvportgroup: 'network',
  opaque_network: 'network',
};

const KIND_OF_TYPE: Record<string, VcenterKind> = {
  Datacenter: 'datacenter',
  Folder: 'folder',
  ClusterComputeResource: 'cluster',
  ResourcePool: 'resource_pool',
  VirtualApp: 'vapp',
  HostSystem: 'host',
  VirtualMachine: 'virtual_machine',
  Datastore: 'datastore',
  Network: 'network',
  DistributedVirtualPortgroup: 'dvportgroup',
  OpaqueNetwork: 'opaque_network',
};

export type Identity = CiRecord['identity'];

/** Where an object sits in the inventory (every object has this section). */
export interface VsphereSection {
  kind: VcenterKind;
  moref: string;
  moType: string;
  /** The parent's key (moref), null at the top. */
  parent: string | null;
  datacenter: string | null;
  /** Inventory path by names, as govc prints it: `/DC0/vm/Discovered virtual machine/web01`. */
  path: string;
  /** The vCenter's instanceUuid (null for a standalone ESXi host). */
  vcenterUuid: string | null;
}

export interface VcenterObject {
  /** The managed object id (moref value), unique within one vCenter. */
  key: string;
  kind: VcenterKind;
  type: CiType;
  name: string;
  ci: CiRecord & { vsphere: VsphereSection };
  sections: Record<string, SectionState>;
  relationships: RelationshipRecord[];
  identity: Identity;
}

/** The endpoint itself: a vCenter, or the ESXi host answering on its own. */
export interface VcenterEndpoint {
  type: CiType;
  endpoint: 'vcenter' | 'esxi';
  /** For an ESXi endpoint, the key of its HostSystem object (`ha-host`). */
  hostKey: string | null;
  ci: CiRecord & { vcenter: ServiceContent['about'] };
  sections: Record<string, SectionState>;
  identity: Identity;
}

/** One retrieve's outcome: its objects, or the error that stopped it (other kinds go on). */
export interface RetrieveOutcome {
  objects: ObjectContent[];
  error: { code: string; message: string } | null;
}

export interface VcenterInventoryInput {
  about: ServiceContent['about'];
  retrieves: Partial<Record<VcenterRetrieve, RetrieveOutcome>>;
}

export interface VcenterInventory {
  vcenter: VcenterEndpoint;
  objects: VcenterObject[];
  /** Objects per kind (and `compute_resource`: standalone hosts' wrappers, used, not emitted). */
  counts: Record<string, number>;
}

// ---- small readers -------------------------------------------------------------------------

function str(v: VimValue | undefined): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}
function num(v: VimValue | undefined): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}
function bool(v: VimValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}
function field(o: VimValue | undefined, ...path: string[]): VimValue | undefined {
  let cur: VimValue | undefined = o;
  for (const p of path) cur = asObject(cur)?.[p];
  return cur;
}
/** The data objects of a list field (single values and non-objects handled). */
function objectsOf(v: VimValue | undefined): VimObject[] {
  return list(v)
    .map(asObject)
    .filter((o): o is VimObject => o !== null);
}
/** Numeric fields of `o` under new names: `numbers(hw, { cores: 'numCpuCores' })`. */
function numbers<K extends string>(
  o: VimObject | null | undefined,
  names: Record<K, string>,
): Record<K, number | null> {
  const out = {} as Record<K, number | null>;
  for (const k of Object.keys(names) as K[]) out[k] = num(o?.[names[k]]);
  return out;
}
function refKey(v: VimValue | undefined): string | null {
  return asRef(v)?.value ?? null;
}
function mac(v: VimValue | undefined): string | null {
  const m = str(v)?.trim().toLowerCase();
  return m && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m) ? m : null;
}
const isIp = (s: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':');

/** `hostname`, `fqdn` and `domain` from a name that may be dotted (`web01.corp.example`). */
function names(
  name: string | null,
  domain: string | null = null,
): Pick<Identity, 'hostname' | 'fqdn' | 'domain'> {
  if (!name || isIp(name)) return { hostname: null, fqdn: null, domain: null };
  const dot = name.indexOf('.');
  if (dot > 0) return { hostname: name.slice(0, dot), fqdn: name, domain: name.slice(dot + 1) };
  const d = domain && domain !== '' ? domain : null;
  return { hostname: name, fqdn: d ? `${name}.${d}` : null, domain: d };
}

/**
 * The SMBIOS serial VMware gives a VM: `VMware-` and the BIOS UUID's 16 bytes, two groups of
 * eight split by `-` (`VMware-42 1e 4b 3c 7a 5d 6e 8f-9a 0b 1c 2d 3e 4f 50 61`); what dmidecode
 * and Win32_BIOS read inside the guest, so the platform can match the VM found over SSH or WMI.
 */
export function vmwareSerial(biosUuid: string | null): string | null {
  const hex = biosUuid?.replace(/-/g, '').toLowerCase() ?? '';
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  const bytes = hex.match(/../g) as string[];
  return `VMware-${bytes.slice(0, 8).join(' ')}-${bytes.slice(8).join(' ')}`;
}

// ---- index of everything retrieved ------------------------------------------------------------

interface Entry {
  content: ObjectContent;
  props: Record<string, VimValue>;
}

class Inventory {
  readonly byKey = new Map<string, Entry>();
  readonly #dcOf = new Map<string, string | null>();
  readonly #pathOf = new Map<string, string>();

  add(o: ObjectContent): void {
    this.byKey.set(o.obj.value, { content: o, props: o.props });
  }
  type(key: string | null): string | null {
    return key ? (this.byKey.get(key)?.content.obj.type ?? null) : null;
  }
  name(key: string | null): string | null {
    return key ? str(this.byKey.get(key)?.props['name']) : null;
  }
  parent(key: string): string | null {
    const p = this.byKey.get(key)?.props;
    return refKey(p?.['parent']) ?? refKey(p?.['parentVApp']);
  }
  /** Walks parents (bounded: a cycle in a broken answer must not hang us). */
  datacenter(key: string): string | null {
    if (this.#dcOf.has(key)) return this.#dcOf.get(key) ?? null;
    let cur: string | null = key;
    let found: string | null = null;
    for (let i = 0; i < 64 && cur; i++) {
      if (this.type(cur) === 'Datacenter') {
        found = cur;
        break;
      }
      cur = this.parent(cur);
    }
    this.#dcOf.set(key, found);
    return found;
  }
  path(key: string): string {
    const cached = this.#pathOf.get(key);
    if (cached !== undefined) return cached;
    const parts: string[] = [];
    let cur: string | null = key;
    for (let i = 0; i < 64 && cur && this.byKey.has(cur); i++) {
      parts.unshift(this.name(cur) ?? cur);
      cur = this.parent(cur);
    }
    const p = `/${parts.join('/')}`;
    this.#pathOf.set(key, p);
    return p;
  }
  /** The cluster a host belongs to (its parent), null for a standalone host. */
  clusterOfHost(host: string | null): string | null {
    if (!host) return null;
    const p = this.parent(host);
    return this.type(p) === 'ClusterComputeResource' ? p : null;
  }
}

// ---- section states -----------------------------------------------------------------------------

const PERMISSION_FAULTS = new Set(['NoPermission', 'NotAuthenticated', 'SecurityError']);

/**
 * State per section from the object's missing properties: a section whose paths were refused is
 * `denied` (all of them) or `partial`; other missing paths make it `partial`.
 */
function sectionStates(
  missing: ObjectContent['missing'],
  sections: Record<string, readonly string[]>,
): Record<string, SectionState> {
  const out: Record<string, SectionState> = {};
  for (const [section, prefixes] of Object.entries(sections)) {
    const hit = missing.filter((m) =>
      prefixes.some(
        (p) => m.path === p || m.path.startsWith(`${p}.`) || p.startsWith(`${m.path}.`),
      ),
    );
    if (hit.length === 0) out[section] = 'complete';
    else if (hit.length >= prefixes.length && hit.every((m) => PERMISSION_FAULTS.has(m.fault)))
      out[section] = 'denied';
    else out[section] = 'partial';
  }
  return out;
}

// ---- mapping ------------------------------------------------------------------------------------

interface Ctx {
  inv: Inventory;
  vcenterUuid: string | null;
  /** DVPG config.key → moref, for NICs backed by a distributed port group. */
  portgroupByKey: Map<string, string>;
  /** (datacenter, network name) → moref, for NICs backed by a standard network by name. */
  networkByName: Map<string, string>;
}

function relation(
  ctx: Ctx,
  type: RelationshipRecord['type'],
  from: string,
  to: string,
  property: string,
  extra: Record<string, unknown> = {},
): RelationshipRecord {
  return {
    type,
    target: to,
    evidence: {
      source: 'vcenter',
      vcenter: ctx.vcenterUuid,
      from,
      fromType: ctx.inv.type(from),
      to,
      toType: ctx.inv.type(to),
      property,
      ...extra,
    },
  };
}

const emptyIdentity = (): Identity => ({
  ...names(null),
  serial: null,
  systemUuid: null,
  macs: [],
});

function base(
  ctx: Ctx,
  e: Entry,
  kind: VcenterKind,
  typeReason: string,
): {
  key: string;
  name: string;
  vsphere: VsphereSection;
  typeReason: string;
} {
  const key = e.content.obj.value;
  return {
    key,
    name: ctx.inv.name(key) ?? key,
    typeReason,
    vsphere: {
      kind,
      moref: key,
      moType: e.content.obj.type,
      parent: ctx.inv.parent(key),
      datacenter: ctx.inv.datacenter(key),
      path: ctx.inv.path(key),
      vcenterUuid: ctx.vcenterUuid,
    },
  };
}

/** The object's properties, key and common fields, at the start of each mapper. */
function start(ctx: Ctx, e: Entry, kind: VcenterKind, typeReason: string) {
  return { props: e.props, key: e.content.obj.value, b: base(ctx, e, kind, typeReason) };
}

function make(
  b: ReturnType<typeof base>,
  kind: VcenterKind,
  identity: Identity,
  sectionsData: Record<string, unknown>,
  sections: Record<string, SectionState>,
  relationships: RelationshipRecord[],
): VcenterObject {
  const type = CI_TYPE_OF[kind];
  return {
    key: b.key,
    kind,
    type,
    name: b.name,
    ci: { type, typeReason: b.typeReason, identity, vsphere: b.vsphere, ...sectionsData },
    sections: { vsphere: 'complete', ...sections },
    relationships,
    identity,
  };
}

function mapVm(ctx: Ctx, e: Entry): VcenterObject {
  const { props: p, key, b } = start(ctx, e, 'virtual_machine', 'vcenter: VirtualMachine');
  const biosUuid = str(p['config.uuid']);
  const devices = objectsOf(p['config.hardware.device']);
  const disks = devices
    .filter((d) => d._type === 'VirtualDisk')
    .map((d) => {
      const kb = num(d['capacityInKB']);
      const backing = asObject(d['backing']);
      const ds = refKey(backing?.['datastore']);
      return {
        key: num(d['key']),
        label: str(field(d, 'deviceInfo', 'label')),
        capacityBytes: num(d['capacityInBytes']) ?? (kb === null ? null : kb * 1024),
        fileName: str(backing?.['fileName']),
        datastore: ds,
        datastoreName: ctx.inv.name(ds),
        thinProvisioned: bool(backing?.['thinProvisioned']),
      };
    });
  const dc = ctx.inv.datacenter(key);
  const nics = devices
    .filter(
      (d) =>
        d['macAddress'] !== undefined || /Ethernet|E1000|Vmxnet|Pcnet|Sriov/i.test(d._type ?? ''),
    )
    .map((d) => {
      const backing = asObject(d['backing']);
      const pgKey = str(field(backing ?? undefined, 'port', 'portgroupKey'));
      const byName = str(backing?.['deviceName']);
      const network =
        refKey(backing?.['network']) ??
        (pgKey ? (ctx.portgroupByKey.get(pgKey) ?? pgKey) : null) ??
        (byName ? (ctx.networkByName.get(`${dc ?? ''}\u0000${byName}`) ?? null) : null);
      return {
        key: num(d['key']),
        label: str(field(d, 'deviceInfo', 'label')),
        adapter: d._type ?? null,
        mac: mac(d['macAddress']),
        network,
        networkName: ctx.inv.name(network) ?? byName,
        connected: bool(field(d, 'connectable', 'connected')),
      };
    });
  const guestNics = objectsOf(p['guest.net']).map((n) => ({
    mac: mac(n['macAddress']),
    network: str(n['network']),
    connected: bool(n['connected']),
    ips: list(n['ipAddress'])
      .map(str)
      .filter((s): s is string => s !== null),
  }));
  const guestHost = str(p['guest.hostName']);
  const toolsRunning = str(p['guest.toolsRunningStatus']);
  const host = refKey(p['runtime.host']);
  const pool = refKey(p['resourcePool']);
  const owner = refKey(ctx.inv.byKey.get(pool ?? '')?.props['owner']);
  const cluster =
    ctx.inv.clusterOfHost(host) ??
    (ctx.inv.type(owner) === 'ClusterComputeResource' ? owner : null);
  const folder = ctx.inv.type(refKey(p['parent'])) === 'Folder' ? refKey(p['parent']) : null;
  const macs = [
    ...new Set(
      [...nics.map((n) => n.mac), ...guestNics.map((n) => n.mac)].filter(
        (m): m is string => m !== null,
      ),
    ),
  ];
  const identity: Identity = {
    ...names(guestHost),
    serial: vmwareSerial(biosUuid),
    systemUuid: biosUuid,
    macs,
  };
  const guestIps = [
    ...new Set(
      [str(p['guest.ipAddress']), ...guestNics.flatMap((n) => n.ips)].filter(
        (s): s is string => s !== null,
      ),
    ),
  ];
  const configuredOs = { id: str(p['config.guestId']), name: str(p['config.guestFullName']) };
  const toolsOs = { id: str(p['guest.guestId']), name: str(p['guest.guestFullName']) };
  const rels: RelationshipRecord[] = [];
  if (host) rels.push(relation(ctx, 'runs_on', key, host, 'runtime.host'));
  const datastores = new Set(
    [...list(p['datastore']).map(refKey), ...disks.map((d) => d.datastore)].filter(
      (s): s is string => s !== null,
    ),
  );
  for (const ds of datastores) rels.push(relation(ctx, 'uses', key, ds, 'datastore'));
  const networks = new Set(
    [...list(p['network']).map(refKey), ...nics.map((n) => n.network)].filter(
      (s): s is string => s !== null,
    ),
  );
  for (const n of networks) rels.push(relation(ctx, 'uses', key, n, 'network'));
  const states = sectionStates(e.content.missing, {
    identity: ['config.uuid', 'guest.hostName', 'config.hardware.device'],
    os: ['config.guestId', 'config.guestFullName', 'guest.guestId', 'guest.guestFullName'],
    hardware: ['config.hardware.numCPU', 'config.hardware.memoryMB', 'config.hardware.device'],
    virtualization: ['config.instanceUuid', 'runtime.powerState', 'runtime.host', 'resourcePool'],
    guest: ['guest.net', 'guest.ipAddress', 'guest.hostName', 'guest.toolsStatus'],
  });
  const noGuest = guestNics.length === 0 && guestIps.length === 0 && guestHost === null;
  if (states['guest'] === 'complete' && noGuest && toolsRunning !== 'guestToolsRunning')
    states['guest'] = 'unsupported';
  return make(
    b,
    'virtual_machine',
    identity,
    {
      os: {
        name: toolsOs.name ?? configuredOs.name,
        configured: configuredOs,
        fromTools: toolsOs,
      },
      hardware: {
        cpus: num(p['config.hardware.numCPU']),
        coresPerSocket: num(p['config.hardware.numCoresPerSocket']),
        memoryMb: num(p['config.hardware.memoryMB']),
        disks,
        nics,
      },
      virtualization: {
        platform: 'vmware',
        role: 'guest',
        biosUuid,
        instanceUuid: str(p['config.instanceUuid']),
        hardwareVersion: str(p['config.version']),
        powerState: str(p['runtime.powerState']),
        template: bool(p['config.template']) ?? false,
        annotation: str(p['config.annotation']),
        host,
        hostName: ctx.inv.name(host),
        cluster,
        clusterName: ctx.inv.name(cluster),
        resourcePool: pool,
        resourcePoolName: ctx.inv.name(pool),
        folder,
        folderPath: folder ? ctx.inv.path(folder) : null,
        datacenter: dc,
      },
      guest: {
        toolsStatus: str(p['guest.toolsStatus']),
        toolsRunningStatus: toolsRunning,
        toolsVersion: str(p['guest.toolsVersion']),
        hostname: guestHost,
        ipAddresses: guestIps,
        nics: guestNics,
      },
    },
    states,
    rels,
  );
}

function mapHost(ctx: Ctx, e: Entry): VcenterObject {
  const { props: p, key, b } = start(ctx, e, 'host', 'vcenter: HostSystem');
  const [hw, sys, product] = [
    'summary.hardware',
    'hardware.systemInfo',
    'summary.config.product',
  ].map((path) => asObject(p[path]));
  const idInfo = objectsOf([
    ...list(sys?.['otherIdentifyingInfo']),
    ...list(hw?.['otherIdentifyingInfo']),
  ]);
  const ident = (k: string): string | null =>
    idInfo
      .map((o) =>
        str(field(o, 'identifierType', 'key')) === k
          ? (str(o['identifierValue'])?.trim() ?? null)
          : null,
      )
      .find((v) => v) ?? null;
  const serviceTag = ident('ServiceTag');
  const serial =
    str(sys?.['serialNumber']) ??
    ident('SerialNumberTag') ??
    ident('EnclosureSerialNumberTag') ??
    serviceTag;
  const pnics = objectsOf(p['config.network.pnic']).map((n) => ({
    device: str(n['device']),
    mac: mac(n['mac']),
    driver: str(n['driver']),
    pci: str(n['pci']),
    linkSpeedMb: num(field(n, 'linkSpeed', 'speedMb')),
  }));
  const vnics = objectsOf(p['config.network.vnic']).map((n) => ({
    device: str(n['device']),
    portgroup: str(n['portgroup']),
    mac: mac(field(n, 'spec', 'mac')),
    ip: str(field(n, 'spec', 'ip', 'ipAddress')),
    subnetMask: str(field(n, 'spec', 'ip', 'subnetMask')),
    dhcp: bool(field(n, 'spec', 'ip', 'dhcp')),
  }));
  const dns = asObject(p['config.network.dnsConfig']);
  // An unset ESXi (and the simulator) says `localhost`: the inventory name is better then.
  const dnsHost = str(dns?.['hostName']);
  const dnsName = dnsHost && dnsHost !== 'localhost' ? dnsHost : null;
  const name = dnsName ?? b.name;
  const cluster = ctx.inv.clusterOfHost(key);
  const identity: Identity = {
    ...names(name, dnsName ? str(dns?.['domainName']) : null),
    serial,
    systemUuid: str(sys?.['uuid']) ?? str(hw?.['uuid']),
    macs: [
      ...new Set([...pnics, ...vnics].map((n) => n.mac).filter((m): m is string => m !== null)),
    ],
  };
  const rels: RelationshipRecord[] = [];
  if (cluster) rels.push(relation(ctx, 'member_of', key, cluster, 'parent'));
  return make(
    b,
    'host',
    identity,
    {
      system: {
        manufacturer: str(sys?.['vendor']) ?? str(hw?.['vendor']),
        model: str(sys?.['model']) ?? str(hw?.['model']),
        serial,
        serviceTag,
        assetTag: ident('AssetTag'),
      },
      // AboutInfo fields under their own names.
      os: Object.fromEntries(
        ['name', 'fullName', 'version', 'build', 'apiVersion'].map((f) => [f, str(product?.[f])]),
      ),
      hardware: {
        cpuModel: str(hw?.['cpuModel']),
        ...numbers(hw, {
          cpuMhz: 'cpuMhz',
          sockets: 'numCpuPkgs',
          cores: 'numCpuCores',
          threads: 'numCpuThreads',
          memoryBytes: 'memorySize',
        }),
        nics: pnics,
      },
      interfaces: vnics,
      virtualization: {
        platform: 'vmware',
        role: 'host',
        powerState: str(p['runtime.powerState']),
        connectionState: str(p['runtime.connectionState']),
        inMaintenanceMode: bool(p['runtime.inMaintenanceMode']),
        managementIps: vnics.map((v) => v.ip).filter((s): s is string => s !== null),
        managedBy: str(p['summary.managementServerIp']),
        cluster,
        clusterName: ctx.inv.name(cluster),
        datacenter: ctx.inv.datacenter(key),
      },
    },
    sectionStates(e.content.missing, {
      identity: ['hardware.systemInfo', 'summary.hardware', 'config.network.dnsConfig'],
      system: ['hardware.systemInfo', 'summary.hardware'],
      os: ['summary.config.product'],
      hardware: ['summary.hardware', 'config.network.pnic'],
      interfaces: ['config.network.vnic', 'config.network.pnic'],
      virtualization: [
        'runtime.powerState',
        'runtime.connectionState',
        'runtime.inMaintenanceMode',
      ],
    }),
    rels,
  );
}

function mapCluster(ctx: Ctx, e: Entry): VcenterObject {
  const p = e.props;
  const b = base(ctx, e, 'cluster', 'vcenter: ClusterComputeResource');
  const s = asObject(p['summary']);
  const cfg = asObject(p['configurationEx']);
  const das = asObject(cfg?.['dasConfig']);
  const drs = asObject(cfg?.['drsConfig']);
  const evc = str(s?.['currentEVCModeKey']);
  return make(
    b,
    'cluster',
    emptyIdentity(),
    {
      cluster: {
        ...numbers(s, {
          totalCpuMhz: 'totalCpu',
          totalMemoryBytes: 'totalMemory',
          effectiveCpuMhz: 'effectiveCpu',
          effectiveMemoryMb: 'effectiveMemory',
          cores: 'numCpuCores',
          threads: 'numCpuThreads',
          hosts: 'numHosts',
          effectiveHosts: 'numEffectiveHosts',
        }),
        ha: {
          enabled: bool(das?.['enabled']) ?? false,
          admissionControl: bool(das?.['admissionControlEnabled']),
          hostMonitoring: str(das?.['hostMonitoring']),
        },
        drs: {
          enabled: bool(drs?.['enabled']) ?? false,
          behavior: str(drs?.['defaultVmBehavior']),
        },
        evcMode: evc,
        datacenter: ctx.inv.datacenter(b.key),
      },
    },
    sectionStates(e.content.missing, { cluster: ['summary', 'configurationEx'] }),
    [],
  );
}

function mapSimple(ctx: Ctx, e: Entry, kind: VcenterKind): VcenterObject {
  const p = e.props;
  const b = base(ctx, e, kind, `vcenter: ${e.content.obj.type}`);
  const data: Record<string, unknown> = {};
  const sections: Record<string, SectionState> = {};
  if (kind === 'datastore') {
    const s = asObject(p['summary']);
    data['storage'] = {
      type: str(s?.['type']),
      capacityBytes: num(s?.['capacity']),
      freeBytes: num(s?.['freeSpace']),
      uncommittedBytes: num(s?.['uncommitted']),
      url: str(s?.['url']),
      accessible: bool(s?.['accessible']),
      multipleHostAccess: bool(s?.['multipleHostAccess']),
      maintenanceMode: str(s?.['maintenanceMode']),
      datacenter: b.vsphere.datacenter,
    };
    Object.assign(sections, sectionStates(e.content.missing, { storage: ['summary'] }));
  } else if (kind === 'network' || kind === 'dvportgroup' || kind === 'opaque_network') {
    const vlan = field(p['config.defaultPortConfig'], 'vlan');
    data['network'] = {
      kind,
      portgroupKey: str(p['config.key']),
      switch: refKey(p['config.distributedVirtualSwitch']),
      vlanId: num(asObject(vlan)?.['vlanId']),
      datacenter: b.vsphere.datacenter,
    };
    sections['network'] = 'complete';
  } else if (kind === 'resource_pool' || kind === 'vapp') {
    const cpu = asObject(p['config.cpuAllocation']);
    const mem = asObject(p['config.memoryAllocation']);
    const owner = refKey(p['owner']);
    const alloc = (a: VimObject | null) => ({
      reservation: num(a?.['reservation']),
      limit: num(a?.['limit']),
      expandableReservation: bool(a?.['expandableReservation']),
      shares: num(field(a ?? undefined, 'shares', 'shares')),
    });
    data['resourcePool'] = {
      owner,
      ownerType: ctx.inv.type(owner),
      cluster: ctx.inv.type(owner) === 'ClusterComputeResource' ? owner : null,
      cpu: alloc(cpu),
      memory: alloc(mem),
    };
    sections['resourcePool'] = 'complete';
  } else if (kind === 'folder') {
    data['folder'] = {
      childTypes: list(p['childType'])
        .map(str)
        .filter((s) => s !== null),
    };
  }
  return make(b, kind, emptyIdentity(), data, sections, []);
}

/**
 * Maps what the retrieves returned to CI records. Pure: the same input gives the same output.
 * Objects whose retrieve failed are absent (the caller reports the error); references to them
 * still appear as relationship targets and keys.
 *
 * @example
 * const inv = buildVcenterInventory({ about, retrieves: { vms: { objects, error: null } } });
 * inv.objects[0].relationships[0] // → { type: 'runs_on', target: 'host-21', evidence: {…} }
 */
export function buildVcenterInventory(input: VcenterInventoryInput): VcenterInventory {
  const inv = new Inventory();
  for (const r of VCENTER_RETRIEVES) for (const o of input.retrieves[r]?.objects ?? []) inv.add(o);
  const esxi = input.about.apiType === 'HostAgent';
  const vcenterUuid = esxi ? null : (input.about.instanceUuid ?? null);
  const portgroupByKey = new Map<string, string>();
  const networkByName = new Map<string, string>();
  for (const [key, e] of inv.byKey) {
    const pg = str(e.props['config.key']);
    if (pg) portgroupByKey.set(pg, key);
    if (e.content.obj.type === 'Network') {
      const dcKey = `${inv.datacenter(key) ?? ''}\u0000${inv.name(key) ?? ''}`;
      if (!networkByName.has(dcKey)) networkByName.set(dcKey, key);
    }
  }
  const ctx: Ctx = { inv, vcenterUuid, portgroupByKey, networkByName };
  const objects: VcenterObject[] = [];
  const counts: Record<string, number> = {};
  for (const [key, e] of inv.byKey) {
    const moType = e.content.obj.type;
    if (moType === 'ComputeResource') {
      counts['compute_resource'] = (counts['compute_resource'] ?? 0) + 1;
      continue;
    }
    const kind = KIND_OF_TYPE[moType];
    if (!kind) continue;
    counts[kind] = (counts[kind] ?? 0) + 1;
    const obj =
      kind === 'virtual_machine'
        ? mapVm(ctx, e)
        : kind === 'host'
          ? mapHost(ctx, e)
          : kind === 'cluster'
            ? mapCluster(ctx, e)
            : mapSimple(ctx, e, kind);
    objects.push(obj);
    // Cluster and host `contained_in` their datacenter.
    const dc = inv.datacenter(key);
    if (dc && (kind === 'cluster' || kind === 'host')) {
      obj.relationships.push(relation(ctx, 'contained_in', key, dc, 'parent'));
    }
  }
  const hostObj = esxi ? objects.find((o) => o.kind === 'host') : undefined;
  const identity = hostObj ? { ...hostObj.identity } : emptyIdentity();
  const type: CiType = esxi ? 'hypervisor' : 'vcenter';
  const vcenter: VcenterEndpoint = {
    type,
    endpoint: esxi ? 'esxi' : 'vcenter',
    hostKey: hostObj?.key ?? null,
    ci: {
      type,
      typeReason: `vsphere about: apiType ${input.about.apiType || 'unknown'}`,
      identity,
      vcenter: input.about,
    },
    sections: { vcenter: 'complete' },
    identity,
  };
  return { vcenter, objects, counts };
}
