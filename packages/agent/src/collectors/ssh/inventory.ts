// Pure mapping from the script's raw sections to the host record's SSH sections, via the parsers.
import type { Hostname, RelationshipRecord, SectionState } from '@nopesight/model';
import type { RawSection } from './sections.js';
import type { SectionResult } from './parsers/section-types.js';
import {
  parseHostname,
  parseKernBoottime,
  parseOsRelease,
  parseProcUptime,
  parseSwVers,
  parseUname,
  isSupportedFamily,
  type OsFacts,
  type OsFamily,
} from './parsers/system.js';
import {
  parseDfPosix,
  parseDmiIdFiles,
  parseLsblkJson,
  parseLscpu,
  parseMeminfo,
  parseProcCpuinfo,
  parseProcPartitions,
  parseSysctlHardware,
  type CpuFacts,
  type DiskFacts,
  type DmiFacts,
  type Filesystem,
  type MemoryFacts,
} from './parsers/hardware.js';
import {
  parseIfconfig,
  parseIpAddrJson,
  parseIpRouteJson,
  parseNetstatRn,
  parseResolvConf,
  type NetInterface,
  type Route,
} from './parsers/network.js';
import {
  parseApk,
  parseDpkg,
  parseDpkgInstallTimes,
  parsePacman,
  parseRpm,
  type InstalledPackage,
} from './parsers/packages.js';
import { parsePs, type ProcessInfo } from './parsers/processes.js';
import {
  parseOpenRc,
  parseSystemdServices,
  parseSysvServices,
  type ServiceInfo,
} from './parsers/services.js';
import {
  connectionRelationships,
  parseNetstat,
  parseProcNet,
  parseSs,
  type ConnectionInfo,
} from './parsers/connections.js';
import { parseUsers, type UserAccount } from './parsers/users.js';
import { parseVirtualization, type VirtualizationInfo } from './parsers/virtualization.js';

/** The host record sections this collector fills, in report order. */
export const SSH_SECTIONS = [
  'identity',
  'os',
  'hardware',
  'dmi',
  'interfaces',
  'network',
  'software',
  'services',
  'processes',
  'connections',
  'users',
  'virtualization',
] as const;
export type SshSectionName = (typeof SSH_SECTIONS)[number];

/** How the script ran: the `meta` section's facts. */
export interface SshRunFacts {
  uid: number | null;
  /** `root`, `sudo-n`, `sudo-S` (enhanced); `none`, `denied`, `unavailable` (basic). */
  privilege: string;
  /** Whether the host had `timeout` (each command bounded) and `head -c` (each section capped). */
  commandTimeouts: boolean;
  sectionCaps: boolean;
}

export interface SshCi {
  identity: {
    hostname: string | null;
    fqdn: string | null;
    domain: string | null;
    serial: string | null;
    systemUuid: string | null;
    macs: string[];
  };
  os: OsFacts & {
    kernelName: string | null;
    kernel: string | null;
    architecture: string | null;
    uptimeSeconds: number | null;
    bootTime: string | null;
  };
  hardware: {
    cpu: CpuFacts | null;
    memory: MemoryFacts | null;
    dmi: DmiFacts | null;
    /** macOS `hw.model`. */
    systemModel: string | null;
    disks: DiskFacts['disks'];
    partitions: DiskFacts['partitions'];
    filesystems: Filesystem[];
  };
  interfaces: NetInterface[];
  network: {
    routes: Route[];
    defaultGateways: string[];
    dnsServers: string[];
    searchDomains: string[];
  };
  software: InstalledPackage[];
  services: ServiceInfo[];
  processes: ProcessInfo[];
  connections: ConnectionInfo[];
  users: UserAccount[];
  virtualization: VirtualizationInfo | null;
}

export interface SshInventory {
  ci: SshCi;
  sections: Record<SshSectionName, SectionState>;
  /** Why a section is not `complete` (parser warnings, denied fields, cut output), per section. */
  notes: Partial<Record<SshSectionName, string[]>>;
  relationships: RelationshipRecord[];
  hostnames: Hostname[];
  run: SshRunFacts;
}

export interface InventoryInput {
  sections: ReadonlyMap<string, RawSection>;
  /** True when the script's final marker was read; absent sections then were never meant to run. */
  done: boolean;
  /**
   * Why the output stopped before the final marker (the exec timed out, the channel closed, the
   * output cap), named in the notes of the sections it cut or cost; unset: "output ended".
   */
  endedBy?: string;
  /** When the output was captured (ISO 8601), for process start times. */
  capturedAt?: string;
}

/** How the output ended, for sourceState: whether the final marker came and, if not, why. */
interface OutputEnd {
  done: boolean;
  endedBy: string | null;
}

const MAX_NOTES = 12;

type Outcome = { state: SectionState; notes: string[] };

/** The state of a section from its source's raw status and its parser's verdict. */
function sourceState(
  raw: RawSection | undefined,
  parsed: SectionResult<unknown> | null,
  end: OutputEnd,
  what: string,
): Outcome {
  if (raw === undefined) {
    return end.done
      ? { state: 'unsupported', notes: [`${what}: not collected on this host`] }
      : {
          state: 'timeout',
          notes: [`${what}: ${end.endedBy ?? 'output ended'} before this section`],
        };
  }
  if (raw.status === 'timeout')
    return { state: 'timeout', notes: [`${what}: ${raw.note ?? 'command timed out'}`] };
  if (raw.status === 'skipped')
    return { state: 'unsupported', notes: [`${what}: ${raw.note ?? 'skipped'}`] };
  const notes = (parsed?.warnings ?? []).map((w) => `${what}: ${w}`);
  if (raw.status === 'cut') {
    const why =
      raw.note === 'no end marker' && end.endedBy ? `${raw.note}: ${end.endedBy}` : raw.note;
    notes.unshift(`${what}: output cut (${why ?? 'truncated'})`);
    return { state: parsed && parsed.state !== 'unsupported' ? 'partial' : 'timeout', notes };
  }
  if (parsed === null) return { state: 'complete', notes };
  if (parsed.state === 'unsupported' && raw.exitCode !== 0) {
    notes.push(`${what}: exit ${raw.exitCode ?? '?'}`);
  }
  // A failed command that printed nothing is no proof of "none" (a BusyBox applet refusing the
  // options, a tool that crashed): most parsers read empty text as an empty, complete list.
  if (
    parsed.state === 'complete' &&
    raw.exitCode !== 0 &&
    raw.text.trim() === '' &&
    Array.isArray(parsed.data) &&
    parsed.data.length === 0
  ) {
    return {
      state: 'unsupported',
      notes: [...notes, `${what}: exit ${raw.exitCode ?? '?'} and no output`],
    };
  }
  return { state: parsed.state, notes };
}

/** Combines sources of one section: all alike → that state; any usable data → `partial`. */
function merge(outcomes: Outcome[]): Outcome {
  const notes = outcomes.flatMap((o) => o.notes).slice(0, MAX_NOTES);
  const states = outcomes.map((o) => o.state);
  if (states.length === 0) return { state: 'unsupported', notes };
  if (states.every((s) => s === states[0])) return { state: states[0] as SectionState, notes };
  if (states.some((s) => s === 'complete' || s === 'partial')) return { state: 'partial', notes };
  for (const s of ['timeout', 'denied', 'unsupported'] as const) {
    if (states.includes(s)) return { state: s, notes };
  }
  return { state: 'partial', notes };
}

/** Parses a raw section with `fn` when it has text to read. */
function parse<T>(
  raw: RawSection | undefined,
  fn: (text: string) => SectionResult<T>,
): SectionResult<T> | null {
  if (
    raw === undefined ||
    raw.status === 'skipped' ||
    (raw.status === 'timeout' && raw.text === '')
  )
    return null;
  return fn(raw.text);
}

function runFacts(raw: RawSection | undefined): SshRunFacts {
  const kv = new Map<string, string>();
  for (const line of (raw?.text ?? '').split('\n').slice(0, 50)) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const uid = /^\d{1,10}$/.test(kv.get('uid') ?? '') ? Number(kv.get('uid')) : null;
  return {
    uid,
    privilege: /^[a-zA-Z-]{1,16}$/.test(kv.get('priv') ?? '')
      ? (kv.get('priv') as string)
      : 'unknown',
    commandTimeouts: (kv.get('timeout') ?? 'none') !== 'none',
    sectionCaps: kv.get('head') === '1',
  };
}

const ENHANCED = new Set(['root', 'sudo-n', 'sudo-S']);

function emptyCi(): SshCi {
  return {
    identity: {
      hostname: null,
      fqdn: null,
      domain: null,
      serial: null,
      systemUuid: null,
      macs: [],
    },
    os: {
      name: null,
      version: null,
      id: null,
      idLike: [],
      prettyName: null,
      codename: null,
      build: null,
      family: 'unknown',
      kernelName: null,
      kernel: null,
      architecture: null,
      uptimeSeconds: null,
      bootTime: null,
    },
    hardware: {
      cpu: null,
      memory: null,
      dmi: null,
      systemModel: null,
      disks: [],
      partitions: [],
      filesystems: [],
    },
    interfaces: [],
    network: { routes: [], defaultGateways: [], dnsServers: [], searchDomains: [] },
    software: [],
    services: [],
    processes: [],
    connections: [],
    users: [],
    virtualization: null,
  };
}

function allSections(state: SectionState): Record<SshSectionName, SectionState> {
  return Object.fromEntries(SSH_SECTIONS.map((s) => [s, state])) as Record<
    SshSectionName,
    SectionState
  >;
}

/**
 * Maps the raw sections to the CI sections, their states and relationship evidence. Pure; never
 * throws. AIX and Solaris (from `uname`) give every section `unsupported` with the kernel facts kept.
 *
 * @example
 * const split = splitSections(output, nonce);
 * buildInventory({ sections: split.sections, done: split.done }).sections.software // → 'complete'
 */
export function buildInventory(input: InventoryInput): SshInventory {
  const S = input.sections;
  const end: OutputEnd = { done: input.done, endedBy: input.endedBy ?? null };
  const ci = emptyCi();
  const states: Partial<Record<SshSectionName, Outcome>> = {};
  const run = runFacts(S.get('meta'));

  const unameRaw = S.get('uname');
  const uname = parse(unameRaw, parseUname);
  if (uname) {
    ci.os.kernelName = uname.data.kernelName;
    ci.os.kernel = uname.data.kernel;
    ci.os.architecture = uname.data.architecture;
    ci.os.family = uname.data.family;
  }
  if (uname && !isSupportedFamily(uname.data.family)) {
    const note = `${uname.data.kernelName ?? 'this system'} is not supported by the SSH collector`;
    const hostname = uname.data.nodeName?.toLowerCase() ?? null;
    ci.identity.hostname = hostname;
    return {
      ci,
      sections: allSections('unsupported'),
      notes: { os: [note] },
      relationships: [],
      hostnames: hostname ? [{ name: hostname, source: 'ssh' }] : [],
      run,
    };
  }

  // identity + os
  const hostRaw = S.get('hostname');
  const host = parse(hostRaw, (t) => parseHostname(t));
  if (host) Object.assign(ci.identity, host.data);
  states.identity = sourceState(hostRaw, host, end, 'hostname');

  const osRaw = S.get('os-release') ?? S.get('sw-vers');
  const osParsed = parse(osRaw, S.has('os-release') ? parseOsRelease : parseSwVers);
  if (osParsed) {
    const family: OsFamily =
      osParsed.data.family === 'unknown' ? ci.os.family : osParsed.data.family;
    Object.assign(ci.os, osParsed.data, { family });
  }
  const dateText = S.get('date')?.text ?? '';
  const upRaw = S.get('uptime') ?? S.get('boottime');
  const up = parse(upRaw, (t) =>
    S.has('uptime') ? parseProcUptime(t, dateText) : parseKernBoottime(t, dateText),
  );
  if (up) Object.assign(ci.os, up.data);
  states.os = merge([
    sourceState(osRaw, osParsed, end, 'os-release'),
    sourceState(unameRaw, uname, end, 'uname'),
    sourceState(upRaw, up, end, 'uptime'),
  ]);

  // hardware
  const hw: Outcome[] = [];
  const cpuName = S.has('lscpu') ? 'lscpu' : S.has('cpuinfo') ? 'cpuinfo' : 'sysctl-hw';
  const cpuRaw = S.get(cpuName);
  if (cpuName === 'sysctl-hw') {
    const r = parse(cpuRaw, parseSysctlHardware);
    if (r) {
      ci.hardware.cpu = r.data.cpu;
      ci.hardware.memory = r.data.memory;
      ci.hardware.systemModel = r.data.systemModel;
    }
    hw.push(sourceState(cpuRaw, r, end, cpuName));
  } else {
    const r = parse(cpuRaw, cpuName === 'lscpu' ? parseLscpu : parseProcCpuinfo);
    if (r) ci.hardware.cpu = r.data;
    hw.push(sourceState(cpuRaw, r, end, cpuName));
    const memRaw = S.get('meminfo');
    const mem = parse(memRaw, parseMeminfo);
    if (mem) ci.hardware.memory = mem.data;
    hw.push(sourceState(memRaw, mem, end, 'meminfo'));
  }
  const diskName = S.has('lsblk') ? 'lsblk' : 'partitions';
  const diskRaw = S.get(diskName);
  const disks = parse(diskRaw, diskName === 'lsblk' ? parseLsblkJson : parseProcPartitions);
  if (disks) {
    ci.hardware.disks = disks.data.disks;
    ci.hardware.partitions = disks.data.partitions;
  }
  if (diskRaw?.status !== 'skipped') hw.push(sourceState(diskRaw, disks, end, diskName));
  const dfRaw = S.get('df');
  const df = parse(dfRaw, parseDfPosix);
  if (df) ci.hardware.filesystems = df.data;
  hw.push(sourceState(dfRaw, df, end, 'df'));
  states.hardware = merge(hw);

  // dmi: serial and UUID need root; without it the section is `denied`, naming what was missing.
  const dmiRaw = S.get('dmi');
  const dmi = parse(dmiRaw, parseDmiIdFiles);
  if (dmi) {
    ci.hardware.dmi = dmi.data;
    ci.identity.serial = dmi.data.serial;
    ci.identity.systemUuid = dmi.data.systemUuid;
  }
  const dmiState = sourceState(dmiRaw, dmi, end, 'dmi');
  if (dmi && dmi.data.permissionDenied.length > 0) {
    const why = ENHANCED.has(run.privilege)
      ? `unreadable even with ${run.privilege}`
      : `needs root (privilege: ${run.privilege})`;
    dmiState.state = 'denied';
    dmiState.notes = [`dmi: ${dmi.data.permissionDenied.join(', ')} ${why}`];
  }
  states.dmi = dmiState;

  // interfaces + network
  const ifName = S.has('ip-addr') ? 'ip-addr' : 'ifconfig';
  const ifRaw = S.get(ifName);
  const ifs = parse(ifRaw, ifName === 'ip-addr' ? parseIpAddrJson : parseIfconfig);
  if (ifs) ci.interfaces = ifs.data;
  ci.identity.macs = [
    ...new Set(ci.interfaces.map((i) => i.mac).filter((m): m is string => m !== null)),
  ];
  states.interfaces = sourceState(ifRaw, ifs, end, ifName);

  const net: Outcome[] = [];
  if (S.has('ip-route') || !S.has('netstat-rn')) {
    const r4Raw = S.get('ip-route');
    const r4 = parse(r4Raw, (t) => parseIpRouteJson(t, 'inet'));
    const r6Raw = S.get('ip-route6');
    const r6 = parse(r6Raw, (t) => parseIpRouteJson(t, 'inet6'));
    ci.network.routes = [...(r4?.data ?? []), ...(r6?.data ?? [])];
    net.push(sourceState(r4Raw, r4, end, 'ip-route'));
    if (r6Raw !== undefined) net.push(sourceState(r6Raw, r6, end, 'ip-route6'));
  } else {
    const rRaw = S.get('netstat-rn');
    const r = parse(rRaw, parseNetstatRn);
    const r6Raw = S.get('netstat-rn6');
    const r6 = parse(r6Raw, parseNetstatRn);
    ci.network.routes = [...(r?.data ?? []), ...(r6?.data ?? [])];
    net.push(sourceState(rRaw, r, end, 'netstat-rn'));
    if (r6Raw !== undefined) net.push(sourceState(r6Raw, r6, end, 'netstat-rn6'));
  }
  ci.network.defaultGateways = [
    ...new Set(
      ci.network.routes.filter((r) => r.isDefault && r.gateway).map((r) => r.gateway as string),
    ),
  ];
  const dnsRaw = S.get('resolv');
  const dns = parse(dnsRaw, parseResolvConf);
  if (dns) {
    ci.network.dnsServers = dns.data.nameservers;
    ci.network.searchDomains = dns.data.searchDomains;
  }
  net.push(sourceState(dnsRaw, dns, end, 'resolv.conf'));
  states.network = merge(net);

  // software: every package manager present counts.
  const pk: Outcome[] = [];
  const times = S.get('dpkg-times');
  const managers: [string, (t: string) => SectionResult<InstalledPackage[]>][] = [
    ['dpkg', (t) => parseDpkg(t, parseDpkgInstallTimes(times?.text ?? ''))],
    ['rpm', parseRpm],
    ['apk', parseApk],
    ['pacman', parsePacman],
  ];
  for (const [name, fn] of managers) {
    const raw = S.get(name);
    if (raw === undefined) continue;
    const r = parse(raw, fn);
    if (r) ci.software.push(...r.data);
    pk.push(sourceState(raw, r, end, name));
  }
  states.software =
    pk.length > 0 ? merge(pk) : sourceState(S.get('packages'), null, end, 'packages');

  // processes
  const psRaw = S.get('ps');
  const ps = parse(psRaw, (t) =>
    parsePs(t, input.capturedAt ? { capturedAt: input.capturedAt } : {}),
  );
  if (ps) ci.processes = ps.data;
  states.processes = sourceState(psRaw, ps, end, 'ps');

  // services
  if (S.has('systemd-units') || S.has('systemd-unit-files')) {
    const uRaw = S.get('systemd-units');
    const fRaw = S.get('systemd-unit-files');
    const r = parseSystemdServices(uRaw?.text ?? '', fRaw?.text ?? '');
    ci.services = r.data;
    const parts = [sourceState(fRaw, r, end, 'systemd')];
    if (uRaw !== undefined) parts.push(sourceState(uRaw, r, end, 'systemd'));
    states.services = merge(parts);
  } else {
    const name = S.has('openrc') ? 'openrc' : S.has('sysv') ? 'sysv' : 'services';
    const raw = S.get(name);
    const r =
      name === 'services' ? null : parse(raw, name === 'openrc' ? parseOpenRc : parseSysvServices);
    if (r) ci.services = r.data;
    states.services = sourceState(raw, r, end, name);
  }

  // connections
  if (S.has('ss') || S.has('netstat')) {
    const name = S.has('ss') ? 'ss' : 'netstat';
    const raw = S.get(name);
    const r = parse(raw, name === 'ss' ? parseSs : parseNetstat);
    if (r) ci.connections = r.data;
    states.connections = sourceState(raw, r, end, name);
  } else if (S.has('proc-net-tcp')) {
    const parts: Outcome[] = [];
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
      const raw = S.get(`proc-net-${f}`);
      const r = parse(raw, (t) => parseProcNet(t, f.startsWith('tcp') ? 'tcp' : 'udp'));
      if (r) ci.connections.push(...r.data);
      if (raw !== undefined || f === 'tcp') parts.push(sourceState(raw, r, end, `/proc/net/${f}`));
    }
    states.connections = merge(parts);
  } else {
    states.connections = sourceState(S.get('connections'), null, end, 'connections');
  }

  // users
  const pwRaw = S.get('passwd');
  const users = parse(pwRaw, (passwd) =>
    parseUsers({
      passwd,
      loginDefs: S.get('login-defs')?.text,
      group: S.get('group')?.text,
      lastlog: S.get('lastlog')?.text,
    }),
  );
  if (users) ci.users = users.data;
  states.users = sourceState(pwRaw, users, end, 'passwd');
  const lastlog = S.get('lastlog');
  if (
    users &&
    lastlog?.status === 'complete' &&
    lastlog.exitCode !== 0 &&
    lastlog.text.trim() === ''
  )
    states.users.notes.push('lastlog: not available on this host: last logins unknown');

  // virtualization
  const vRaw = S.get('virt');
  const virt = parse(vRaw, parseVirtualization);
  if (virt) ci.virtualization = virt.data;
  states.virtualization = sourceState(vRaw, virt, end, 'virtualization');

  const sections = {} as Record<SshSectionName, SectionState>;
  const notes: Partial<Record<SshSectionName, string[]>> = {};
  for (const name of SSH_SECTIONS) {
    const o = states[name] ?? { state: 'unsupported', notes: [] };
    sections[name] = o.state;
    if (o.notes.length > 0) notes[name] = o.notes.slice(0, MAX_NOTES);
  }

  const hostnames: Hostname[] = [];
  if (ci.identity.fqdn) hostnames.push({ name: ci.identity.fqdn, source: 'ssh' });
  if (ci.identity.hostname && ci.identity.hostname !== ci.identity.fqdn) {
    hostnames.push({ name: ci.identity.hostname, source: 'ssh' });
  }
  return {
    ci,
    sections,
    notes,
    relationships: connectionRelationships(ci.connections),
    hostnames,
    run,
  };
}
