// Collects the Windows record from CIM classes over a CimSource (WMI over DCOM, or WinRM): the
// same WindowsInventory the 445 collector produces, plus what only WMI knows. Each query is
// bounded (object cap, per-call limit, host deadline); a failed query lowers its section only.
import type { CimObject } from '../../transports/wmio/cim-object.js';
import { windowsMembership } from './accounts.js';
import { CIM_QUERIES, type CimQueryName } from './cim-classes.js';
import {
  cimAccounts,
  cimConnections,
  cimHardware,
  cimHardwareDetail,
  cimHotfixes,
  cimIdentity,
  cimLogons,
  cimMembership,
  cimNics,
  cimOs,
  cimProcesses,
  cimService,
  cimShare,
  ownersFromSessions,
  sqlFromServices,
} from './cim-mapping.js';
import type { WindowsPatch, WindowsSqlInstance } from './cim-record.js';
import { RegistryReads } from './registry-reads.js';
import { cimSessionLost, SectionLog, type WindowsSectionName } from './section-log.js';
import type { CimSource } from './cim-source.js';
import { cimText } from './cim-values.js';
import {
  DEFAULT_CAPS,
  type WindowsCaps,
  type WindowsInventory,
  type WindowsService,
  windowsInventory,
} from './inventory.js';
import type { CallLimits } from './remote.js';
import type { WindowsSoftware } from './software.js';

/** The 445 collector's caps plus the CIM path's own. */
export interface CimCaps extends WindowsCaps {
  /** Objects read from one query (a class's instances). */
  objectsPerQuery: number;
  /** Win32_Process.GetOwner calls for processes no logon session names (when offered). */
  ownerLookups: number;
}

export const DEFAULT_CIM_CAPS: CimCaps = {
  ...DEFAULT_CAPS,
  objectsPerQuery: 20_000,
  ownerLookups: 200,
};

export interface CollectCimOptions {
  /** Host deadline and cancel: once aborted, no more queries are made. */
  signal: AbortSignal;
  /** Limit for each call (DCOM call, WinRM exchange). */
  callTimeoutMs: number;
  caps?: Partial<CimCaps>;
}

/**
 * Reads the inventory. Sections start `complete` and are lowered by what went wrong: a cap hit →
 * partial, access denied → denied, a timeout or the deadline → timeout, a class this Windows does
 * not have → unsupported, another failure → partial. Without `source.registry`, software is
 * `unsupported` (installed software is read from the registry, never Win32_Product).
 */
export async function collectCimInventory(
  source: CimSource,
  opts: CollectCimOptions,
): Promise<WindowsInventory> {
  const caps = { ...DEFAULT_CIM_CAPS, ...opts.caps };
  const limits: CallLimits = { signal: opts.signal, timeoutMs: opts.callTimeoutMs };
  const log = new SectionLog(opts.signal, cimSessionLost);

  /** Every object of one query (at most the cap; the section partial when more were offered). */
  const all = async (
    section: WindowsSectionName,
    name: CimQueryName,
  ): Promise<CimObject[] | null> => {
    const q = CIM_QUERIES[name];
    return log.read(section, q.className, async () => {
      const out: CimObject[] = [];
      const cap = caps.objectsPerQuery;
      for await (const o of source.query(q.namespace, q.wql, { ...limits, maxObjects: cap + 1 })) {
        if (out.length >= cap) {
          log.lower(section, 'partial', `${q.className}: more than the cap of ${cap}`);
          break;
        }
        out.push(o);
      }
      return out;
    });
  };
  const one = async (section: WindowsSectionName, name: CimQueryName): Promise<CimObject | null> =>
    (await all(section, name))?.[0] ?? null;

  // Identity and membership.
  const cs = await one('identity', 'computerSystem');
  const product = await one('identity', 'product');
  const bios = await one('hardware', 'bios');
  const nicRows = await all('hardware', 'nics');
  const nics = cimNics(nicRows ?? []);
  const identity = cimIdentity(cs, product, bios, nics);
  if (!identity.hostname)
    log.lower('identity', 'partial', 'no computer name from Win32_ComputerSystem');

  // Users first: the machine SID comes from a local account's SID.
  const userRows = await all('users', 'users');
  const membership = cs || userRows ? cimMembership(cs, userRows ?? []) : null;

  // OS and hotfixes; the registry adds DisplayVersion, UBR, EditionID and the registry's hotfixes.
  const osRow = await one('os', 'operatingSystem');
  const qfe = cimHotfixes((await all('os', 'quickFixes')) ?? []);
  const registry = source.registry ? new RegistryReads(source.registry, log, limits, caps) : null;
  const currentVersion = registry ? await registry.currentVersion() : null;

  let software: WindowsSoftware[] = [];
  const patches: WindowsPatch[] = [...qfe];
  if (registry) {
    const read = await registry.software();
    software = read.software;
    patches.push(...read.hotfixes);
  } else {
    log.lower(
      'software',
      'unsupported',
      `installed software is read from the registry (StdRegProv), which the ${source.path} path does not offer here`,
    );
    log.note('os', 'hotfixes from Win32_QuickFixEngineering only (no registry)');
  }
  const os = osRow ? cimOs(osRow, currentVersion, dedupeHotfixes(patches)) : null;
  if (!osRow && log.sections.os === 'complete')
    log.lower('os', 'partial', 'Win32_OperatingSystem returned no instance');

  // Hardware.
  const processors = (await all('hardware', 'processors')) ?? [];
  const board = await one('hardware', 'baseBoard');
  const memory = (await all('hardware', 'memory')) ?? [];
  const disks = (await all('hardware', 'disks')) ?? [];
  const logicalDisks = (await all('hardware', 'logicalDisks')) ?? [];
  const hardware = {
    ...cimHardware(cs, processors, bios, board),
    ...cimHardwareDetail(cs, processors, memory, disks, logicalDisks, nics),
  };

  // Services.
  const services = ((await all('services', 'services')) ?? [])
    .map(cimService)
    .filter((s): s is WindowsService => s !== null)
    .sort((a, b) => a.name.localeCompare(b.name));

  // Users and local groups.
  const groupRows = await all('groups', 'groups');
  const memberRows = groupRows ? await all('groups', 'groupMembers') : null;
  const { users, groups } = cimAccounts(
    userRows ?? [],
    groupRows ?? [],
    memberRows ?? [],
    membership ?? windowsMembership(null, null),
    cimText(cs, 'Name'),
  );

  const shares = ((await all('shares', 'shares')) ?? [])
    .map(cimShare)
    .filter((s) => s !== null)
    .sort((a, b) => a.name.localeCompare(b.name));

  // Processes with owners from the logon sessions; logged-on users from the same sessions.
  const processRows = await all('processes', 'processes');
  const sessionProcesses = processRows ? ((await all('processes', 'sessionProcesses')) ?? []) : [];
  const loggedOn = await all('logons', 'loggedOnUsers');
  const logonSessions = loggedOn ? await all('logons', 'logonSessions') : null;
  const owners = ownersFromSessions(sessionProcesses, loggedOn ?? []);
  const processes = cimProcesses(processRows ?? [], owners);
  await lookUpOwners(processes);
  const logons = cimLogons(loggedOn ?? [], logonSessions ?? []);
  if (processes.some((p) => p.user === null))
    log.note(
      'processes',
      `owner unknown for ${processes.filter((p) => p.user === null).length} processes`,
    );

  // Connections (root\StandardCimv2: Windows 8 / Server 2012 and later).
  const tcp = await all('connections', 'tcp');
  const udp = await all('connections', 'udp');
  const names = new Map(processes.map((p) => [p.pid, p.name]));
  const connections = cimConnections(tcp ?? [], udp ?? [], names);

  // SQL Server: the registry's instance list, else the services named like SQL Server's.
  let sqlInstances: WindowsSqlInstance[] = registry ? ((await registry.sqlInstances()) ?? []) : [];
  const fromServices = sqlFromServices(services);
  if (sqlInstances.length === 0) sqlInstances = fromServices;
  else {
    const state = new Map(fromServices.map((s) => [s.serviceName.toUpperCase(), s.state]));
    sqlInstances = sqlInstances.map((s) => ({
      ...s,
      state: state.get(s.serviceName.toUpperCase()) ?? null,
    }));
  }

  return windowsInventory(
    {
      identity,
      membership,
      os,
      hardware,
      software,
      services,
      users,
      groups,
      shares,
      logons,
      processes,
      connections,
      sqlInstances,
    },
    log,
    'wmi',
  );

  /** GetOwner for processes no logon session named, when the source offers it; bounded. */
  async function lookUpOwners(list: typeof processes): Promise<void> {
    if (!source.processOwner) return;
    const missing = list.filter((p) => p.user === null && p.pid > 4).slice(0, caps.ownerLookups);
    for (const p of missing) {
      let failed = true;
      const owner = await log.read('processes', `GetOwner of process ${p.pid}`, async () => {
        const o = await source.processOwner!(p.pid, limits);
        failed = false;
        return o;
      });
      // One failed call says the rest would fail too (denied, timeout): stop asking.
      if (failed) return;
      if (owner) p.user = owner;
    }
  }
}

/** Hotfixes once each (the first source listing a KB wins), by id. */
function dedupeHotfixes(list: WindowsPatch[]): WindowsPatch[] {
  const seen = new Set<string>();
  return list
    .filter((h) => (seen.has(h.id) ? false : (seen.add(h.id), true)))
    .sort((a, b) => a.id.localeCompare(b.id));
}
