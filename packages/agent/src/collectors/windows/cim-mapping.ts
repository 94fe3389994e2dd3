// From CIM instances (Win32_*, MSFT_Net*) to the Windows record's sections: pure functions, the
// same for WMI and WinRM objects (cim-values.ts reads either).
import type { CimObject } from '../../transports/wmio/cim-object.js';
import type { ConnectionInfo } from '../ssh/parsers/connections.js';
import {
  accountOrigin,
  type AccountOrigin,
  type WindowsGroup,
  type WindowsMembership,
  type WindowsUser,
} from './accounts.js';
import type {
  WindowsDisk,
  WindowsHardwareDetail,
  WindowsLogicalDisk,
  WindowsNic,
  WindowsPatch,
  WindowsQfeHotfix,
  WindowsSqlInstance,
} from './cim-record.js';
import { cimBool, cimInt, cimIso, cimText, cimTexts, parseCimRef, refKey } from './cim-values.js';
import type { WindowsHardware } from './hardware.js';
import type { WindowsCi, WindowsService, WindowsShare } from './inventory.js';
import type { ProductRole, WindowsOs } from './os.js';
import type { WindowsProcess } from './parsers/tasklist.js';
import { installDate, type ValueMap } from './values.js';

const lower = (s: string | null): string | null => (s === null ? null : s.toLowerCase());

/** Win32_ComputerSystem.DomainRole values meaning a domain member or controller. */
const JOINED_ROLES = new Set([1, 3, 4, 5]);

/** Identity: names from Win32_ComputerSystem, serial from Win32_BIOS, UUID from the product. */
export function cimIdentity(
  cs: CimObject | null,
  product: CimObject | null,
  bios: CimObject | null,
  nics: WindowsNic[],
): WindowsCi['identity'] {
  const hostname = cimText(cs, 'DNSHostName') ?? cimText(cs, 'Name');
  const joined = isJoined(cs);
  const domain = joined ? cimText(cs, 'Domain') : null;
  return {
    hostname,
    fqdn: hostname && domain ? `${hostname}.${domain}`.toLowerCase() : null,
    domain,
    serial: usable(cimText(bios, 'SerialNumber')) ?? usable(cimText(product, 'IdentifyingNumber')),
    systemUuid: uuid(cimText(product, 'UUID')),
    macs: [...new Set(nics.map((n) => n.mac).filter((m): m is string => m !== null))],
  };
}

function isJoined(cs: CimObject | null): boolean {
  const part = cimBool(cs, 'PartOfDomain');
  if (part !== null) return part;
  const role = cimInt(cs, 'DomainRole');
  return role !== null && JOINED_ROLES.has(role);
}

/** Firmware placeholders that are not a serial number. */
function usable(serial: string | null): string | null {
  if (serial === null) return null;
  return /^(to be filled by o\.e\.m\.|default string|system serial number|none|0+)$/i.test(serial)
    ? null
    : serial;
}

/** A SMBIOS UUID, lower-case; null for the all-zero and all-F placeholders. */
function uuid(text: string | null): string | null {
  if (text === null || !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(text)) return null;
  if (/^[0-]+$/.test(text) || /^[f-]+$/i.test(text)) return null;
  return text.toLowerCase();
}

/**
 * Domain vs workgroup from Win32_ComputerSystem (PartOfDomain, else DomainRole); the machine SID
 * from a local account's SID (its RID removed). WMI gives the domain's DNS name, not its SID.
 */
export function cimMembership(cs: CimObject | null, users: CimObject[]): WindowsMembership {
  const joined = isJoined(cs);
  const sid = users.map((u) => cimText(u, 'SID')).find((s) => s && /^S-1-5-21-/i.test(s)) ?? null;
  return {
    type: joined ? 'domain' : 'workgroup',
    name: joined ? cimText(cs, 'Domain') : (cimText(cs, 'Workgroup') ?? cimText(cs, 'Domain')),
    domainSid: null,
    machineSid: sid ? sid.replace(/-\d+$/, '') : null,
  };
}

const PRODUCT_TYPES: Record<number, { role: ProductRole; text: string }> = {
  1: { role: 'workstation', text: 'WinNT' },
  2: { role: 'domain_controller', text: 'LanmanNT' },
  3: { role: 'server', text: 'ServerNT' },
};

/**
 * The OS section from Win32_OperatingSystem; `currentVersion` (the registry's CurrentVersion,
 * when StdRegProv could read it) adds what WMI does not carry: DisplayVersion, UBR, EditionID,
 * InstallationType. ProductType 1/2/3 → workstation / domain controller / server, written as the
 * registry's WinNT / LanmanNT / ServerNT.
 */
export function cimOs(
  os: CimObject,
  currentVersion: { values: ValueMap; filled: string[] } | null,
  patches: WindowsPatch[],
): Omit<WindowsOs, 'patches'> & { patches: WindowsPatch[] } {
  const cv = currentVersion?.values ?? null;
  const build = cimText(os, 'BuildNumber');
  const ubr = cv?.int('UBR') ?? null;
  const kernel = /^(\d+\.\d+)/.exec(cimText(os, 'Version') ?? '')?.[1] ?? null;
  const type = PRODUCT_TYPES[cimInt(os, 'ProductType') ?? -1] ?? null;
  return {
    family: 'windows',
    name: cimText(os, 'Caption')?.replace(/^Microsoft\s+/i, '') ?? null,
    version:
      cv?.text('DisplayVersion') ?? cv?.text('ReleaseId') ?? cimText(os, 'CSDVersion') ?? null,
    build: build === null ? null : ubr === null ? build : `${build}.${ubr}`,
    kernel,
    edition: cv?.text('EditionID') ?? null,
    installationType: cv?.text('InstallationType') ?? null,
    installedAt: cimIso(os, 'InstallDate'),
    registeredOwner: cimText(os, 'RegisteredUser'),
    registeredOrganization: cimText(os, 'Organization'),
    systemRoot: cimText(os, 'WindowsDirectory'),
    role: type?.role ?? null,
    productType: type?.text ?? null,
    patches,
    filledFromWow64: currentVersion?.filled ?? [],
  };
}

/** Win32_QuickFixEngineering rows as hotfixes (KB ids only; `File 1` placeholders skipped). */
export function cimHotfixes(rows: CimObject[]): WindowsQfeHotfix[] {
  const out: WindowsQfeHotfix[] = [];
  for (const r of rows) {
    const id = cimText(r, 'HotFixID')?.toUpperCase() ?? null;
    if (!id || !/^KB\d{6,8}$/.test(id)) continue;
    out.push({
      id,
      description: cimText(r, 'Description'),
      installedAt: installDate(cimText(r, 'InstalledOn')),
      source: 'qfe',
    });
  }
  return out;
}

/** The registry-level hardware section, filled from WMI classes instead of registry keys. */
export function cimHardware(
  cs: CimObject | null,
  processors: CimObject[],
  bios: CimObject | null,
  board: CimObject | null,
): WindowsHardware {
  const cpu0 = processors[0] ?? null;
  const logical = processors.reduce<number | null>((sum, p) => {
    const n = cimInt(p, 'NumberOfLogicalProcessors');
    return n === null ? sum : (sum ?? 0) + n;
  }, null);
  return {
    cpu: {
      model: cimText(cpu0, 'Name')?.replace(/\s+/g, ' ') ?? null,
      vendor: cimText(cpu0, 'Manufacturer'),
      identifier: cimText(cpu0, 'Caption'),
      mhz: cimInt(cpu0, 'MaxClockSpeed'),
      logicalCount: logical ?? cimInt(cs, 'NumberOfLogicalProcessors'),
    },
    system: {
      manufacturer: cimText(cs, 'Manufacturer'),
      model: cimText(cs, 'Model'),
      sku: cimText(cs, 'SystemSKUNumber'),
      family: cimText(cs, 'SystemFamily'),
    },
    bios: {
      vendor: cimText(bios, 'Manufacturer'),
      version: cimText(bios, 'SMBIOSBIOSVersion') ?? cimText(bios, 'Version'),
      releaseDate: cimIso(bios, 'ReleaseDate')?.slice(0, 10) ?? null,
    },
    baseboard: {
      manufacturer: cimText(board, 'Manufacturer'),
      product: cimText(board, 'Product'),
    },
  };
}

const DRIVE_TYPES: Record<number, WindowsLogicalDisk['type']> = {
  2: 'removable',
  3: 'local',
  4: 'network',
  5: 'cdrom',
  6: 'ram',
};

/** Processors, memory modules, disks, logical disks and NICs. */
export function cimHardwareDetail(
  cs: CimObject | null,
  processors: CimObject[],
  memory: CimObject[],
  disks: CimObject[],
  logicalDisks: CimObject[],
  nics: WindowsNic[],
): WindowsHardwareDetail {
  return {
    processors: processors.map((p) => ({
      deviceId: cimText(p, 'DeviceID'),
      model: cimText(p, 'Name')?.replace(/\s+/g, ' ') ?? null,
      manufacturer: cimText(p, 'Manufacturer'),
      cores: cimInt(p, 'NumberOfCores'),
      logicalProcessors: cimInt(p, 'NumberOfLogicalProcessors'),
      maxMhz: cimInt(p, 'MaxClockSpeed'),
      socket: cimText(p, 'SocketDesignation'),
    })),
    memory: {
      totalBytes: cimInt(cs, 'TotalPhysicalMemory'),
      modules: memory.map((m) => ({
        bank: cimText(m, 'BankLabel'),
        locator: cimText(m, 'DeviceLocator'),
        capacityBytes: cimInt(m, 'Capacity'),
        speedMhz: cimInt(m, 'Speed'),
        manufacturer: cimText(m, 'Manufacturer'),
        partNumber: cimText(m, 'PartNumber'),
        serial: cimText(m, 'SerialNumber'),
      })),
    },
    disks: disks
      .map((d): WindowsDisk => ({
        index: cimInt(d, 'Index'),
        deviceId: cimText(d, 'DeviceID'),
        model: cimText(d, 'Model'),
        serial: cimText(d, 'SerialNumber'),
        sizeBytes: cimInt(d, 'Size'),
        interfaceType: cimText(d, 'InterfaceType'),
        mediaType: cimText(d, 'MediaType'),
        firmware: cimText(d, 'FirmwareRevision'),
      }))
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0)),
    logicalDisks: logicalDisks
      .filter((l) => cimText(l, 'DeviceID') !== null)
      .map((l) => ({
        deviceId: cimText(l, 'DeviceID')!,
        type: DRIVE_TYPES[cimInt(l, 'DriveType') ?? -1] ?? 'unknown',
        fileSystem: cimText(l, 'FileSystem'),
        sizeBytes: cimInt(l, 'Size'),
        freeBytes: cimInt(l, 'FreeSpace'),
        volumeName: cimText(l, 'VolumeName'),
        volumeSerial: cimText(l, 'VolumeSerialNumber'),
        providerName: cimText(l, 'ProviderName'),
      }))
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId)),
    nics,
  };
}

/** Win32_NetworkAdapterConfiguration (IPEnabled) rows: addresses paired with their subnets. */
export function cimNics(rows: CimObject[]): WindowsNic[] {
  return rows
    .map((r) => {
      const ips = cimTexts(r, 'IPAddress');
      const subnets = cimTexts(r, 'IPSubnet');
      const mac = cimText(r, 'MACAddress');
      return {
        index: cimInt(r, 'Index'),
        interfaceIndex: cimInt(r, 'InterfaceIndex'),
        description: cimText(r, 'Description'),
        mac:
          mac && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(mac)
            ? lower(mac.replace(/-/g, ':'))
            : null,
        addresses: ips.map((address, i) => ({
          address,
          family: (address.includes(':') ? 6 : 4) as 4 | 6,
          subnet: subnets[i] ?? null,
        })),
        gateways: cimTexts(r, 'DefaultIPGateway'),
        dhcpEnabled: cimBool(r, 'DHCPEnabled'),
        dhcpServer: cimText(r, 'DHCPServer'),
        dnsServers: cimTexts(r, 'DNSServerSearchOrder'),
        dnsDomain: cimText(r, 'DNSDomain'),
      };
    })
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}

/** Win32_Service.State words → the 445 path's state and svcctl-style raw word. */
export function cimService(s: CimObject): WindowsService | null {
  const name = cimText(s, 'Name');
  if (name === null) return null;
  const stateText = cimText(s, 'State');
  const rawState = stateText === null ? 'unknown' : stateText.toLowerCase().replace(/\s+/g, '_');
  const state: WindowsService['state'] =
    rawState === 'running'
      ? 'running'
      : rawState === 'stopped'
        ? 'stopped'
        : rawState === 'paused'
          ? 'paused'
          : rawState.endsWith('_pending')
            ? 'pending'
            : 'unknown';
  const pid = cimInt(s, 'ProcessId');
  return {
    name,
    displayName: cimText(s, 'DisplayName'),
    state,
    rawState,
    startMode: lower(cimText(s, 'StartMode')),
    account: cimText(s, 'StartName'),
    binaryPath: cimText(s, 'PathName'),
    pid: pid !== null && pid > 0 ? pid : null,
    manager: 'scm',
  };
}

/**
 * Process owners from the logon sessions: Win32_SessionProcess (session → process handle) joined
 * with Win32_LoggedOnUser (account → session). `DOMAIN\user` by process id.
 */
export function ownersFromSessions(
  sessionProcesses: CimObject[],
  loggedOnUsers: CimObject[],
): Map<number, string> {
  const accountOf = new Map<string, string>();
  for (const row of loggedOnUsers) {
    const account = parseCimRef(cimText(row, 'Antecedent'));
    const session = refKey(parseCimRef(cimText(row, 'Dependent')), 'LogonId');
    const name = refKey(account, 'Name');
    if (session === null || name === null) continue;
    const domain = refKey(account, 'Domain');
    accountOf.set(session, domain ? `${domain}\\${name}` : name);
  }
  const owners = new Map<number, string>();
  for (const row of sessionProcesses) {
    const session = refKey(parseCimRef(cimText(row, 'Antecedent')), 'LogonId');
    const handle = refKey(parseCimRef(cimText(row, 'Dependent')), 'Handle');
    const account = session === null ? undefined : accountOf.get(session);
    if (handle === null || !/^\d+$/.test(handle) || account === undefined) continue;
    owners.set(Number(handle), account);
  }
  return owners;
}

/** LogonType values of a person at the machine: interactive, remote interactive, cached. */
const INTERACTIVE_LOGONS = new Set([2, 10, 11]);

/** Accounts with an interactive logon session (Win32_LoggedOnUser × Win32_LogonSession). */
export function cimLogons(
  loggedOnUsers: CimObject[],
  sessions: CimObject[],
): { user: string; domain: string }[] {
  const interactive = new Set(
    sessions
      .filter((s) => INTERACTIVE_LOGONS.has(cimInt(s, 'LogonType') ?? -1))
      .map((s) => cimText(s, 'LogonId'))
      .filter((id): id is string => id !== null),
  );
  const seen = new Set<string>();
  const out: { user: string; domain: string }[] = [];
  for (const row of loggedOnUsers) {
    const session = refKey(parseCimRef(cimText(row, 'Dependent')), 'LogonId');
    if (session === null || !interactive.has(session)) continue;
    const account = parseCimRef(cimText(row, 'Antecedent'));
    const user = refKey(account, 'Name');
    const domain = refKey(account, 'Domain') ?? '';
    if (user === null) continue;
    const key = `${domain}\\${user}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ user, domain });
  }
  return out.sort((a, b) => a.domain.localeCompare(b.domain) || a.user.localeCompare(b.user));
}

/** 100-ns ticks as tasklist's `H:MM:SS`. */
function cpuTime(kernel: number | null, user: number | null): string | null {
  if (kernel === null && user === null) return null;
  const s = Math.floor(((kernel ?? 0) + (user ?? 0)) / 1e7);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Win32_Process rows with their owners (`DOMAIN\user`), sorted by pid. */
export function cimProcesses(rows: CimObject[], owners: Map<number, string>): WindowsProcess[] {
  const out: WindowsProcess[] = [];
  for (const r of rows) {
    const pid = cimInt(r, 'ProcessId');
    const name = cimText(r, 'Name');
    if (pid === null || name === null) continue;
    const ws = cimInt(r, 'WorkingSetSize');
    out.push({
      pid,
      ppid: cimInt(r, 'ParentProcessId'),
      user: owners.get(pid) ?? null,
      name,
      commandLine: cimText(r, 'CommandLine') ?? cimText(r, 'ExecutablePath') ?? name,
      startedAt: cimIso(r, 'CreationDate'),
      cpuPercent: null,
      memoryPercent: null,
      rssKb: ws === null ? null : Math.round(ws / 1024),
      sessionName: null,
      sessionId: cimInt(r, 'SessionId'),
      status: null,
      cpuTime: cpuTime(cimInt(r, 'KernelModeTime'), cimInt(r, 'UserModeTime')),
      windowTitle: null,
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** MSFT_NetTCPConnection.State (uint8) → the SSH collector's state names. */
const TCP_STATES: Record<number, string> = {
  1: 'CLOSE',
  2: 'LISTEN',
  3: 'SYN_SENT',
  4: 'SYN_RECV',
  5: 'ESTABLISHED',
  6: 'FIN_WAIT1',
  7: 'FIN_WAIT2',
  8: 'CLOSE_WAIT',
  9: 'CLOSING',
  10: 'LAST_ACK',
  11: 'TIME_WAIT',
  12: 'DELETE_TCB',
  100: 'BOUND',
};

/** TCP connections and UDP endpoints, named after their owning processes. */
export function cimConnections(
  tcp: CimObject[],
  udp: CimObject[],
  processNames: Map<number, string>,
): ConnectionInfo[] {
  const out: ConnectionInfo[] = [];
  const base = (r: CimObject, proto: 'tcp' | 'udp') => {
    const localAddress = cimText(r, 'LocalAddress');
    const localPort = cimInt(r, 'LocalPort');
    if (localAddress === null || localPort === null) return null;
    const pid = cimInt(r, 'OwningProcess');
    return {
      proto,
      family: (localAddress.includes(':') ? 6 : 4) as 4 | 6,
      localAddress,
      localPort,
      pid,
      processName: pid === null ? null : (processNames.get(pid) ?? null),
      inode: null,
    };
  };
  for (const r of tcp) {
    const b = base(r, 'tcp');
    if (!b) continue;
    const code = cimInt(r, 'State');
    const state = code === null ? 'UNKNOWN' : (TCP_STATES[code] ?? `STATE_${code}`);
    const listening = state === 'LISTEN' || state === 'BOUND';
    out.push({
      ...b,
      remoteAddress: listening ? null : cimText(r, 'RemoteAddress'),
      remotePort: listening ? null : cimInt(r, 'RemotePort'),
      state,
    });
  }
  for (const r of udp) {
    const b = base(r, 'udp');
    if (b) out.push({ ...b, remoteAddress: null, remotePort: null, state: 'UNCONN' });
  }
  return out.sort(
    (a, b) =>
      a.proto.localeCompare(b.proto) ||
      a.localAddress.localeCompare(b.localAddress) ||
      a.localPort - b.localPort ||
      (a.remoteAddress ?? '').localeCompare(b.remoteAddress ?? '') ||
      (a.remotePort ?? 0) - (b.remotePort ?? 0),
  );
}

/** Win32_Share.Type: the STYPE values the 445 path decodes too. */
export function cimShare(r: CimObject): WindowsShare | null {
  const name = cimText(r, 'Name');
  if (name === null) return null;
  const type = cimInt(r, 'Type') ?? 0;
  const base = type & 0xff;
  return {
    name,
    type: (['disk', 'print', 'device', 'ipc'] as const)[base] ?? 'unknown',
    special: type >= 0x80000000,
    remark: cimText(r, 'Description'),
  };
}

const BUILTIN_SID = /^S-1-5-32-/i;
const WELL_KNOWN_DOMAINS = new Set(['nt authority', 'nt service', 'nt virtual machine']);

/**
 * Local users and groups: Win32_UserAccount and Win32_Group (LocalAccount = TRUE), members from
 * Win32_GroupUser. Groups whose SID is under S-1-5-32 are BUILTIN's (WMI names the computer as
 * their domain). A member's SID comes from the local accounts; members the machine does not hold
 * (domain accounts) keep an empty SID and an origin from their domain's name.
 */
export function cimAccounts(
  userRows: CimObject[],
  groupRows: CimObject[],
  memberships: CimObject[],
  membership: WindowsMembership,
  computerName: string | null,
): { users: WindowsUser[]; groups: WindowsGroup[] } {
  const key = (domain: string | null, name: string) => `${domain ?? ''}\\${name}`.toLowerCase();
  const sidOf = new Map<string, string>();
  for (const r of [...userRows, ...groupRows]) {
    const name = cimText(r, 'Name');
    const sid = cimText(r, 'SID');
    if (name !== null && sid !== null) sidOf.set(key(cimText(r, 'Domain'), name), sid);
  }
  const groups: WindowsGroup[] = [];
  const byRawKey = new Map<string, WindowsGroup>();
  for (const r of groupRows) {
    const name = cimText(r, 'Name');
    const sid = cimText(r, 'SID');
    if (name === null || sid === null) continue;
    const g: WindowsGroup = {
      name,
      domain: BUILTIN_SID.test(sid) ? 'BUILTIN' : (cimText(r, 'Domain') ?? ''),
      sid,
      description: cimText(r, 'Description'),
      members: [],
    };
    groups.push(g);
    byRawKey.set(key(cimText(r, 'Domain'), name), g);
  }
  for (const row of memberships) {
    const group = parseCimRef(cimText(row, 'GroupComponent'));
    const part = parseCimRef(cimText(row, 'PartComponent'));
    const gName = refKey(group, 'Name');
    const g = gName === null ? undefined : byRawKey.get(key(refKey(group, 'Domain'), gName));
    const mName = refKey(part, 'Name');
    if (!g || mName === null) continue;
    const mDomain = refKey(part, 'Domain');
    const sid = sidOf.get(key(mDomain, mName)) ?? '';
    g.members.push({
      name: mName,
      domain: mDomain,
      sid,
      origin: sid
        ? accountOrigin(sid, membership.machineSid, membership.domainSid)
        : originByDomain(mDomain, computerName),
    });
  }
  const groupsOf = new Map<string, string[]>();
  for (const g of groups) {
    g.members.sort(
      (a, b) =>
        (a.domain ?? '').localeCompare(b.domain ?? '') ||
        (a.name ?? '').localeCompare(b.name ?? ''),
    );
    for (const m of g.members) {
      const k = key(m.domain, m.name ?? '');
      groupsOf.set(k, [...(groupsOf.get(k) ?? []), `${g.domain}\\${g.name}`]);
    }
  }
  const users: WindowsUser[] = [];
  for (const r of userRows) {
    const name = cimText(r, 'Name');
    const sid = cimText(r, 'SID');
    if (name === null || sid === null) continue;
    users.push({
      name,
      sid,
      fullName: cimText(r, 'FullName'),
      description: cimText(r, 'Description'),
      disabled: cimBool(r, 'Disabled'),
      lockedOut: cimBool(r, 'Lockout'),
      groups: (groupsOf.get(key(cimText(r, 'Domain'), name)) ?? []).sort(),
    });
  }
  users.sort((a, b) => a.name.localeCompare(b.name));
  groups.sort((a, b) => a.domain.localeCompare(b.domain) || a.name.localeCompare(b.name));
  return { users, groups };
}

function originByDomain(domain: string | null, computerName: string | null): AccountOrigin {
  const d = domain?.toLowerCase() ?? '';
  if (computerName !== null && d === computerName.toLowerCase()) return 'local';
  if (d === 'builtin') return 'builtin';
  if (d === '' || WELL_KNOWN_DOMAINS.has(d)) return 'well-known';
  return 'domain';
}

/** The SQL Server service names: MSSQLSERVER (default instance) and MSSQL$NAME. */
export function sqlInstanceName(serviceName: string): string | null {
  if (serviceName.toUpperCase() === 'MSSQLSERVER') return 'MSSQLSERVER';
  const m = /^MSSQL\$(.+)$/i.exec(serviceName);
  return m ? m[1]! : null;
}

export function sqlServiceName(instance: string): string {
  return instance.toUpperCase() === 'MSSQLSERVER' ? 'MSSQLSERVER' : `MSSQL$${instance}`;
}

/** SQL Server instances known only from their services. */
export function sqlFromServices(services: WindowsService[]): WindowsSqlInstance[] {
  const out: WindowsSqlInstance[] = [];
  for (const s of services) {
    const name = sqlInstanceName(s.name);
    if (name === null) continue;
    out.push({
      name,
      instanceId: null,
      version: null,
      edition: null,
      serviceName: s.name,
      state: s.state,
      source: 'service',
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
