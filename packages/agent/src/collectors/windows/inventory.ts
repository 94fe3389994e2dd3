// Collects a Windows host's inventory over the WindowsRemote port: registry, svcctl, SAM, LSA,
// srvsvc and wkssvc reads, each bounded, each section marked. A failed read never ends the rest,
// unless it ended the session itself (dropped connection, a host that stopped answering).
import type { Hostname, RelationshipRecord, SectionState } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
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
import {
  CURRENT_VERSION,
  CURRENT_VERSION_WOW64,
  mergeCurrentVersion,
  PRODUCT_OPTIONS,
  windowsOs,
  type WindowsOs,
} from './os.js';
import type { WindowsProcess } from './parsers/tasklist.js';
import {
  SERVICE_STATE,
  START_TYPE,
  type CallLimits,
  type Listing,
  type RemoteAccounts,
  type RemoteMembership,
  type RemoteServerInfo,
  type RemoteWorkstationInfo,
  type WindowsRemote,
} from './remote.js';
import {
  CBS_INSTALLED_STATES,
  CBS_PACKAGES,
  cbsHotfixKeys,
  classifyUninstallEntry,
  sortSoftware,
  UNINSTALL_HIVES,
  type WindowsHotfix,
  type WindowsSoftware,
} from './software.js';
import { fileTime, ValueMap } from './values.js';
import type {
  WindowsCollectorInfo,
  WindowsHardwareDetail,
  WindowsPatch,
  WindowsSqlInstance,
} from './cim-record.js';

/** The sections this collector fills, in report order. */
export const WINDOWS_SECTIONS = [
  'identity',
  'os',
  'hardware',
  'software',
  'services',
  'users',
  'groups',
  'shares',
  'logons',
  'processes',
  'connections',
] as const;
export type WindowsSectionName = (typeof WINDOWS_SECTIONS)[number];

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
  identity: {
    hostname: string | null;
    fqdn: string | null;
    domain: string | null;
    serial: string | null;
    systemUuid: string | null;
    macs: string[];
  };
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

/** A section's state from the error that stopped it. */
function stateFor(err: unknown): SectionState {
  if (err instanceof ScannerError) {
    if (err.code === 'ERR_ACCESS_DENIED') return 'denied';
    if (err.code === 'ERR_TIMEOUT' || err.code === 'ERR_ABORTED') return 'timeout';
    if (err.code === 'ERR_NOT_SUPPORTED') return 'unsupported';
  }
  return 'partial';
}

/** The worse of two states for one section (a section is as good as its weakest read). */
function worse(a: SectionState, b: SectionState): SectionState {
  const rank: SectionState[] = ['complete', 'partial', 'unsupported', 'denied', 'timeout'];
  return rank.indexOf(b) > rank.indexOf(a) ? b : a;
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
  const sections = Object.fromEntries(WINDOWS_SECTIONS.map((s) => [s, 'complete'])) as Record<
    WindowsSectionName,
    SectionState
  >;
  const notes: Partial<Record<WindowsSectionName, string[]>> = {};
  let firstError: WindowsInventory['error'] = null;
  /** The error that ended the session; set once, then every read is skipped. */
  let lost: ScannerError | null = null;
  const lostNoted = new Set<WindowsSectionName>();
  const note = (section: WindowsSectionName, text: string): void => {
    (notes[section] ??= []).push(text);
  };
  const lower = (section: WindowsSectionName, state: SectionState, text: string): void => {
    sections[section] = worse(sections[section], state);
    note(section, text);
  };

  /** One read for `section`: its result, or null with the section lowered and noted. */
  async function read<T>(
    section: WindowsSectionName,
    what: string,
    fn: () => Promise<T>,
  ): Promise<T | null> {
    if (lost) {
      if (!lostNoted.has(section)) {
        lostNoted.add(section);
        lower(section, stateFor(lost), `not read: the session ended (${lost.message})`);
      }
      return null;
    }
    if (opts.signal.aborted) {
      lower(section, 'timeout', `${what}: not read (host deadline or cancel)`);
      return null;
    }
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ScannerError)) throw err;
      const state = opts.signal.aborted ? 'timeout' : stateFor(err);
      lower(section, state, `${what}: ${err.message}`);
      firstError ??= { code: err.code, message: err.message };
      if (!opts.signal.aborted && remote.sessionLost) {
        lost = await remote.sessionLost(err, limits);
        if (lost) {
          lostNoted.add(section);
          if (lost !== err) lower(section, stateFor(lost), lost.message);
          firstError = { code: lost.code, message: lost.message };
        }
      }
      return null;
    }
  }
  const capped = <T>(section: WindowsSectionName, what: string, l: Listing<T> | null): T[] => {
    if (!l) return [];
    if (l.truncated) lower(section, 'partial', `${what}: more than the cap of ${l.items.length}`);
    return l.items;
  };
  const valuesOf = async (section: WindowsSectionName, path: string): Promise<ValueMap | null> => {
    const l = await read(section, `HKLM\\${path}`, () =>
      remote.registry.values(path, caps.valuesPerKey, limits),
    );
    return l ? new ValueMap(capped(section, `HKLM\\${path} values`, l)) : null;
  };

  // Identity and membership: srvsvc, wkssvc, LSA, and the TCP/IP parameters for the DNS name.
  const server: RemoteServerInfo | null = await read('identity', 'srvsvc server info', () =>
    remote.serverInfo(limits),
  );
  const wksta: RemoteWorkstationInfo | null = await read(
    'identity',
    'wkssvc workstation info',
    () => remote.workstationInfo(limits),
  );
  const lsa: RemoteMembership | null = await read('identity', 'lsarpc policy', () =>
    remote.membership(limits),
  );
  const tcpip = await valuesOf(
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
  if (!hostname && !lost)
    lower('identity', 'partial', 'no computer name from srvsvc, wkssvc or Tcpip');

  // OS: CurrentVersion (native, then the 32-bit view for what it lacks), ProductOptions, hotfixes.
  const native = await valuesOf('os', CURRENT_VERSION);
  const wow64 = await valuesOf('os', CURRENT_VERSION_WOW64);
  const merged = mergeCurrentVersion(native, wow64);
  const productType = (await valuesOf('os', PRODUCT_OPTIONS))?.text('ProductType') ?? null;
  if (merged.filled.length > 0)
    note('os', `from the 32-bit view of CurrentVersion: ${merged.filled.join(', ')}`);
  if (!merged.values.has('ProductName') && !lost)
    lower('os', 'partial', 'CurrentVersion has no ProductName');

  // Software and the Uninstall-listed hotfixes.
  const software: WindowsSoftware[] = [];
  const hotfixes: WindowsHotfix[] = [];
  const hidden: Record<string, number> = {};
  for (const hive of UNINSTALL_HIVES) {
    const keys = capped(
      'software',
      `HKLM\\${hive.path}`,
      await read('software', `HKLM\\${hive.path}`, () =>
        remote.registry.subkeys(hive.path, caps.uninstallKeysPerHive, limits),
      ),
    );
    for (const key of keys) {
      const values = await valuesOf('software', `${hive.path}\\${key}`);
      if (!values) continue;
      const entry = classifyUninstallEntry(key, hive.arch, values);
      if (entry.kind === 'software') software.push(entry.software);
      else if (entry.kind === 'hotfix') hotfixes.push(entry.hotfix);
      else hidden[entry.why] = (hidden[entry.why] ?? 0) + 1;
    }
  }
  const hiddenNote = Object.entries(hidden)
    .map(([why, n]) => `${n} ${why}`)
    .join(', ');
  if (hiddenNote) note('software', `hidden as Programs and Features hides them: ${hiddenNote}`);
  await cbsHotfixes(hotfixes);

  // Hardware.
  const cpuKeys = await read('hardware', `HKLM\\${CENTRAL_PROCESSOR}`, () =>
    remote.registry.subkeys(CENTRAL_PROCESSOR, caps.cpus, limits),
  );
  const cpus = capped('hardware', 'processors', cpuKeys);
  const cpu0 =
    cpus.length > 0 ? await valuesOf('hardware', `${CENTRAL_PROCESSOR}\\${cpus[0]}`) : null;
  const bios = await valuesOf('hardware', BIOS);
  const sysInfo = await valuesOf('hardware', SYSTEM_INFORMATION);
  const hardware =
    cpuKeys || bios || sysInfo
      ? windowsHardware(cpu0, cpuKeys ? cpus.length : null, bios, sysInfo)
      : null;
  if (!cpuKeys && !bios && !sysInfo && !lost)
    lower('hardware', 'unsupported', 'no hardware keys in the registry');

  // Services.
  const services = capped(
    'services',
    'services',
    await read('services', 'svcctl services', () => remote.services(caps.services, limits)),
  ).map(mapService);
  if (services.some((s) => s.startMode === null))
    lower('services', 'partial', 'the configuration of some services could not be read');

  // Users and groups.
  const accounts: RemoteAccounts | null = await read('users', 'samr accounts', () =>
    remote.accounts(caps.accounts, limits),
  );
  let users: WindowsUser[] = [];
  let groups: WindowsGroup[] = [];
  if (accounts) {
    capped('users', 'users', accounts.users);
    capped('groups', 'groups', accounts.groups);
    ({ users, groups } = windowsAccounts(accounts, membership ?? windowsMembership(null, null)));
  } else {
    sections.groups = sections.users;
    note('groups', 'not read: the SAM could not be read');
  }

  const shares = capped(
    'shares',
    'shares',
    await read('shares', 'srvsvc shares', () => remote.shares(caps.shares, limits)),
  ).map(mapShare);
  const logons = capped(
    'logons',
    'logged-on users',
    await read('logons', 'wkssvc logged-on users', () =>
      remote.loggedOnUsers(caps.accounts, limits),
    ),
  );

  let processes: WindowsProcess[] = [];
  let connections: ConnectionInfo[] = [];
  if (!opts.remoteExec) {
    for (const s of ['processes', 'connections'] as const) {
      sections[s] = 'unsupported';
      note(s, 'needs remote execution (the credential option --remote-exec)');
    }
  } else {
    const data = await read('processes', 'remote execution', () => opts.remoteExec!(opts.signal));
    if (!data) {
      sections.connections = sections.processes;
      note('connections', 'remote execution failed (see processes)');
    } else {
      processes = data.processes.data;
      connections = data.connections.data;
      sections.processes = worse(sections.processes, data.processes.state);
      sections.connections = worse(sections.connections, data.connections.state);
      for (const n of data.processes.notes) note('processes', n);
      for (const n of data.connections.notes) note('connections', n);
      const names = new Map(processes.map((p) => [p.pid, p.name]));
      for (const c of connections)
        c.processName = c.pid === null ? null : (names.get(c.pid) ?? null);
    }
  }

  const os = windowsOs(merged.values, merged.filled, productType, server, sortHotfixes(hotfixes));
  const hostnames: Hostname[] = [];
  if (hostname) hostnames.push({ name: hostname, source: 'smb' });
  if (identity.fqdn && identity.fqdn !== hostname?.toLowerCase())
    hostnames.push({ name: identity.fqdn, source: 'smb' });
  return {
    ci: {
      identity,
      membership,
      os,
      hardware,
      software: sortSoftware(software),
      services: services.sort((a, b) => a.name.localeCompare(b.name)),
      users,
      groups,
      shares: shares.sort((a, b) => a.name.localeCompare(b.name)),
      logons: logons.map((l) => ({ user: l.user, domain: l.domain })),
      processes,
      connections,
    },
    sections,
    notes,
    hostnames,
    relationships: connectionRelationships(connections),
    error: firstError,
    sessionLost: lost !== null,
  };

  /** KBs from the servicing stack's package names, with install time for the first few. */
  async function cbsHotfixes(into: WindowsHotfix[]): Promise<void> {
    const listing = await read('os', `HKLM\\${CBS_PACKAGES}`, () =>
      remote.registry.subkeys(CBS_PACKAGES, caps.cbsPackages, limits),
    );
    if (!listing) return;
    const known = new Set(into.map((h) => h.id));
    const found = cbsHotfixKeys(capped('os', 'servicing packages', listing)).filter(
      (k) => !known.has(k.id),
    );
    for (const [i, { id, key }] of found.entries()) {
      if (i >= caps.hotfixDetails) {
        into.push({ id, description: null, installedAt: null, source: 'cbs' });
        continue;
      }
      const v = await valuesOf('os', `${CBS_PACKAGES}\\${key}`);
      const state = v?.int('CurrentState') ?? null;
      if (state !== null && !CBS_INSTALLED_STATES.has(state)) continue;
      into.push({
        id,
        description: null,
        installedAt: fileTime(v?.int('InstallTimeHigh') ?? null, v?.int('InstallTimeLow') ?? null),
        source: 'cbs',
      });
    }
    if (found.length > caps.hotfixDetails)
      note('os', `install times read for the first ${caps.hotfixDetails} of ${found.length} KBs`);
  }
}

function sortHotfixes(list: WindowsHotfix[]): WindowsHotfix[] {
  const seen = new Set<string>();
  return list
    .filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function mapService(s: {
  name: string;
  displayName: string | null;
  state: number;
  startType: number | null;
  account: string | null;
  binaryPath: string | null;
  processId: number | null;
}): WindowsService {
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

function mapShare(s: { name: string; type: number; remark: string }): WindowsShare {
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
