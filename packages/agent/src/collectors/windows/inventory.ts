// Collects a Windows host's inventory over the WindowsRemote port: registry, svcctl, SAM, LSA,
// srvsvc and wkssvc reads, each bounded, each section marked. A failed read never ends the rest,
// unless it ended the session itself (dropped connection, a host that stopped answering).
import type { CiRecord, Hostname, RelationshipRecord, SectionState } from '@nopesight/model';
import { connectionRelationships, type ConnectionInfo } from '../ssh/parsers/connections.js';
import {
  windowsAccounts,
  windowsMembership,
  type WindowsGroup,
  type WindowsMembership,
  type WindowsUser,
} from './accounts.js';
import {
  BIOS,
  CENTRAL_PROCESSOR,
  SYSTEM_INFORMATION,
  windowsHardware,
  type WindowsHardware,
} from './hardware.js';
import { mergeCurrentVersion, PRODUCT_OPTIONS, windowsOs, type WindowsOs } from './os.js';
import type { WindowsProcess } from './parsers/tasklist.js';
import {
  SERVICE_STATE,
  START_TYPE,
  type CallLimits,
  type RemoteAccounts,
  type RemoteMembership,
  type RemoteServerInfo,
  type RemoteService,
  type RemoteShare,
  type RemoteWorkstationInfo,
  type WindowsRemote,
} from './remote.js';
import { RegistryReads } from './registry-reads.js';
import { SectionLog, worse, type WindowsSectionName } from './section-log.js';
import type { WindowsHotfix, WindowsSoftware } from './software.js';
import type {
  WindowsCollectorInfo,
  WindowsHardwareDetail,
  WindowsPatch,
  WindowsSqlInstance,
} from './cim-record.js';

/** Caps on what one host may make us enumerate. */
export interface WindowsCaps {
  uninstallKeysPerHive: number;
  valuesPerKey: number;
  services: number;
  accounts: number;
  shares: number;
  cbsPackages: number;
  hotfixDetails: number;
  cpus: number;
}

export const DEFAULT_CAPS: WindowsCaps = {
  uninstallKeysPerHive: 5000,
  valuesPerKey: 256,
  services: 5000,
  accounts: 5000,
  shares: 2000,
  cbsPackages: 20_000,
  hotfixDetails: 500,
  cpus: 1024,
};

export interface WindowsService {
  name: string;
  displayName: string | null;
  state: 'running' | 'stopped' | 'paused' | 'pending' | 'unknown';
  /** svcctl's own word: `running`, `stop_pending`… */
  rawState: string;
  /** `auto`, `manual`, `disabled`, `boot`, `system`; null when the configuration was not read. */
  startMode: string | null;
  account: string | null;
  binaryPath: string | null;
  pid: number | null;
  manager: 'scm';
}

export interface WindowsShare {
  name: string;
  /** `disk`, `print`, `device`, `ipc`. */
  type: 'disk' | 'print' | 'device' | 'ipc' | 'unknown';
  /** Administrative share (C$, ADMIN$, IPC$: STYPE_SPECIAL). */
  special: boolean;
  remark: string | null;
}

export interface WindowsCi {
  identity: CiRecord['identity'];
  membership: WindowsMembership | null;
  /** Over WMI/WinRM the patches include Win32_QuickFixEngineering's (`source: 'qfe'`). */
  os: (Omit<WindowsOs, 'patches'> & { patches: WindowsPatch[] }) | null;
  /** Over WMI/WinRM also processors, memory modules, disks, logical disks and NICs. */
  hardware: (WindowsHardware & Partial<WindowsHardwareDetail>) | null;
  software: WindowsSoftware[];
  services: WindowsService[];
  users: WindowsUser[];
  groups: WindowsGroup[];
  shares: WindowsShare[];
  logons: { user: string; domain: string }[];
  processes: WindowsProcess[];
  connections: ConnectionInfo[];
  /** SQL Server instances (WMI/WinRM paths only). */
  sqlInstances?: WindowsSqlInstance[];
  /** The path that produced the record (set by the scan wiring). */
  collector?: WindowsCollectorInfo;
}

/** Processes and connections, gathered by remote execution when the credential allows it. */
export interface RemoteExecData {
  processes: { state: SectionState; data: WindowsProcess[]; notes: string[] };
  connections: { state: SectionState; data: ConnectionInfo[]; notes: string[] };
}

export interface WindowsInventory {
  ci: WindowsCi;
  sections: Record<WindowsSectionName, SectionState>;
  notes: Partial<Record<WindowsSectionName, string[]>>;
  hostnames: Hostname[];
  relationships: RelationshipRecord[];
  /**
   * For the caller's log: the failure that ended the session when one did (`sessionLost`), else
   * the first failure met. The sections say what it cost.
   */
  error: { code: string; message: string } | null;
  /** The session ended mid-collection (dropped, or stopped answering): nothing after was read. */
  sessionLost: boolean;
}

export interface CollectWindowsOptions {
  signal: AbortSignal;
  /** Limit for each remote call. */
  callTimeoutMs: number;
  caps?: Partial<WindowsCaps>;
  /**
   * Processes and connections: a function that gathers them (remote execution, opt-in per
   * credential); absent, both sections are `unsupported`.
   */
  remoteExec?: (signal: AbortSignal) => Promise<RemoteExecData>;
}

/**
 * Reads the inventory. Each section starts `complete` and is lowered by what went wrong in its
 * reads (a cap hit → partial, access denied → denied, a timeout or the host deadline → timeout,
 * another failure → partial), with a note. After a failed read the remote is asked whether the
 * session survived (`sessionLost`); when it did not, no more calls are made and every read left
 * is noted "not read" with the state of the error that ended it (a drop → partial, a host that
 * stopped answering → timeout). Programming errors (not ScannerError) propagate.
 */
export async function collectWindowsInventory(
  remote: WindowsRemote,
  opts: CollectWindowsOptions,
): Promise<WindowsInventory> {
  const caps = { ...DEFAULT_CAPS, ...opts.caps };
  const limits: CallLimits = { signal: opts.signal, timeoutMs: opts.callTimeoutMs };
  const log = new SectionLog(opts.signal, async (err) =>
    remote.sessionLost ? remote.sessionLost(err, limits) : null,
  );
  const registry = new RegistryReads(remote.registry, log, limits, caps);

  // Identity and membership: srvsvc, wkssvc, LSA, and the TCP/IP parameters for the DNS name.
  const server: RemoteServerInfo | null = await log.read('identity', 'srvsvc server info', () =>
    remote.serverInfo(limits),
  );
  const wksta: RemoteWorkstationInfo | null = await log.read(
    'identity',
    'wkssvc workstation info',
    () => remote.workstationInfo(limits),
  );
  const lsa: RemoteMembership | null = await log.read('identity', 'lsarpc policy', () =>
    remote.membership(limits),
  );
  const tcpip = await registry.values(
    'identity',
    'SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters',
  );
  const membership = server || wksta || lsa ? windowsMembership(lsa, wksta) : null;
  const hostname = tcpip?.text('Hostname') ?? wksta?.computerName ?? server?.name ?? null;
  const dnsDomain = tcpip?.text('Domain') ?? tcpip?.text('NV Domain') ?? null;
  const identity = {
    hostname,
    fqdn: hostname && dnsDomain ? `${hostname}.${dnsDomain}`.toLowerCase() : null,
    domain: dnsDomain ?? (membership?.type === 'domain' ? membership.name : null),
    serial: null,
    systemUuid: null,
    macs: [],
  };
  if (!hostname && !log.lost)
    log.lower('identity', 'partial', 'no computer name from srvsvc, wkssvc or Tcpip');

  // OS: CurrentVersion (native, then the 32-bit view for what it lacks), ProductOptions, hotfixes.
  const merged = (await registry.currentVersion()) ?? mergeCurrentVersion(null, null);
  const productType = (await registry.values('os', PRODUCT_OPTIONS))?.text('ProductType') ?? null;
  if (merged.filled.length > 0)
    log.note('os', `from the 32-bit view of CurrentVersion: ${merged.filled.join(', ')}`);
  if (!merged.values.has('ProductName') && !log.lost)
    log.lower('os', 'partial', 'CurrentVersion has no ProductName');

  // Software and the hotfixes listed in Uninstall and CBS.
  const { software, hotfixes } = await registry.software();

  // Hardware.
  const cpuKeys = await log.read('hardware', `HKLM\\${CENTRAL_PROCESSOR}`, () =>
    remote.registry.subkeys(CENTRAL_PROCESSOR, caps.cpus, limits),
  );
  const cpus = log.capped('hardware', 'processors', cpuKeys);
  const cpu0 =
    cpus.length > 0 ? await registry.values('hardware', `${CENTRAL_PROCESSOR}\\${cpus[0]}`) : null;
  const bios = await registry.values('hardware', BIOS);
  const sysInfo = await registry.values('hardware', SYSTEM_INFORMATION);
  const hardware =
    cpuKeys || bios || sysInfo
      ? windowsHardware(cpu0, cpuKeys ? cpus.length : null, bios, sysInfo)
      : null;
  if (!cpuKeys && !bios && !sysInfo && !log.lost)
    log.lower('hardware', 'unsupported', 'no hardware keys in the registry');

  // Services.
  const services = log
    .capped(
      'services',
      'services',
      await log.read('services', 'svcctl services', () => remote.services(caps.services, limits)),
    )
    .map(mapService);
  if (services.some((s) => s.startMode === null))
    log.lower('services', 'partial', 'the configuration of some services could not be read');

  // Users and groups.
  const accounts: RemoteAccounts | null = await log.read('users', 'samr accounts', () =>
    remote.accounts(caps.accounts, limits),
  );
  let users: WindowsUser[] = [];
  let groups: WindowsGroup[] = [];
  if (accounts) {
    log.capped('users', 'users', accounts.users);
    log.capped('groups', 'groups', accounts.groups);
    ({ users, groups } = windowsAccounts(accounts, membership ?? windowsMembership(null, null)));
  } else {
    log.sections.groups = log.sections.users;
    log.note('groups', 'not read: the SAM could not be read');
  }

  const shares = log
    .capped(
      'shares',
      'shares',
      await log.read('shares', 'srvsvc shares', () => remote.shares(caps.shares, limits)),
    )
    .map(mapShare);
  const logons = log.capped(
    'logons',
    'logged-on users',
    await log.read('logons', 'wkssvc logged-on users', () =>
      remote.loggedOnUsers(caps.accounts, limits),
    ),
  );

  let processes: WindowsProcess[] = [];
  let connections: ConnectionInfo[] = [];
  if (!opts.remoteExec) {
    for (const s of ['processes', 'connections'] as const) {
      log.sections[s] = 'unsupported';
      log.note(s, 'needs remote execution (the credential option --remote-exec)');
    }
  } else {
    const data = await log.read('processes', 'remote execution', () =>
      opts.remoteExec!(opts.signal),
    );
    if (!data) {
      log.sections.connections = log.sections.processes;
      log.note('connections', 'remote execution failed (see processes)');
    } else {
      processes = data.processes.data;
      connections = data.connections.data;
      log.sections.processes = worse(log.sections.processes, data.processes.state);
      log.sections.connections = worse(log.sections.connections, data.connections.state);
      for (const n of data.processes.notes) log.note('processes', n);
      for (const n of data.connections.notes) log.note('connections', n);
      const names = new Map(processes.map((p) => [p.pid, p.name]));
      for (const c of connections)
        c.processName = c.pid === null ? null : (names.get(c.pid) ?? null);
    }
  }

  const os = windowsOs(merged.values, merged.filled, productType, server, sortHotfixes(hotfixes));
  return windowsInventory(
    {
      identity,
      membership,
      os,
      hardware,
      software,
      services: services.sort((a, b) => a.name.localeCompare(b.name)),
      users,
      groups,
      shares: shares.sort((a, b) => a.name.localeCompare(b.name)),
      logons: logons.map((l) => ({ user: l.user, domain: l.domain })),
      processes,
      connections,
    },
    log,
    'smb',
  );
}

/**
 * The inventory both collectors return: the record, the sections and notes of `log`, the host
 * names the record gives (its name, and its FQDN when that differs), found by `source`, and the
 * relationships of its connections.
 */
export function windowsInventory(
  ci: WindowsCi,
  log: SectionLog,
  source: Hostname['source'],
): WindowsInventory {
  const { hostname, fqdn } = ci.identity;
  const hostnames: Hostname[] = [];
  if (hostname) hostnames.push({ name: hostname, source });
  if (fqdn && fqdn !== hostname?.toLowerCase()) hostnames.push({ name: fqdn, source });
  return {
    ci,
    sections: log.sections,
    notes: log.notes,
    hostnames,
    relationships: connectionRelationships(ci.connections),
    error: log.firstError,
    sessionLost: log.lost !== null,
  };
}

function sortHotfixes(list: WindowsHotfix[]): WindowsHotfix[] {
  const seen = new Set<string>();
  return list
    .filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function mapService(s: RemoteService): WindowsService {
  const raw = SERVICE_STATE[s.state] ?? `state-${s.state}`;
  const state: WindowsService['state'] =
    s.state === 4
      ? 'running'
      : s.state === 1
        ? 'stopped'
        : s.state === 7
          ? 'paused'
          : SERVICE_STATE[s.state]
            ? 'pending'
            : 'unknown';
  return {
    name: s.name,
    displayName: s.displayName,
    state,
    rawState: raw,
    startMode: s.startType === null ? null : (START_TYPE[s.startType] ?? `type-${s.startType}`),
    account: s.account,
    binaryPath: s.binaryPath,
    pid: s.processId !== null && s.processId > 0 ? s.processId : null,
    manager: 'scm',
  };
}

const STYPE_SPECIAL = 0x80000000;

function mapShare(s: RemoteShare): WindowsShare {
  const base = s.type & 0xff;
  return {
    name: s.name,
    type:
      base === 0
        ? 'disk'
        : base === 1
          ? 'print'
          : base === 2
            ? 'device'
            : base === 3
              ? 'ipc'
              : 'unknown',
    special: (s.type & STYPE_SPECIAL) !== 0,
    remark: s.remark === '' ? null : s.remark,
  };
}
