// What both Windows collectors read from the registry (winreg on 445, StdRegProv on the CIM paths
// when the transport offers it): a key's values, installed software and hotfixes (both Uninstall
// hives, CBS packages, classified by software.ts), CurrentVersion (native, then the 32-bit view
// for what it lacks), and the SQL Server instance names (CIM paths).
import type { WindowsSqlInstance } from './cim-record.js';
import { sqlServiceName } from './cim-mapping.js';
import type { WindowsCaps } from './inventory.js';
import { CURRENT_VERSION, CURRENT_VERSION_WOW64, mergeCurrentVersion } from './os.js';
import type { CallLimits, RegistryAccess } from './remote.js';
import type { SectionLog, WindowsSectionName } from './section-log.js';
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

export const SQL_INSTANCE_NAMES = 'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL';
const SQL_ROOT = 'SOFTWARE\\Microsoft\\Microsoft SQL Server';

export class RegistryReads {
  readonly #registry: RegistryAccess;
  readonly #log: SectionLog;
  readonly #limits: CallLimits;
  readonly #caps: WindowsCaps;

  constructor(registry: RegistryAccess, log: SectionLog, limits: CallLimits, caps: WindowsCaps) {
    this.#registry = registry;
    this.#log = log;
    this.#limits = limits;
    this.#caps = caps;
  }

  /** A key's values (null when absent or unreadable, the section lowered then). */
  async values(section: WindowsSectionName, path: string): Promise<ValueMap | null> {
    const l = await this.#log.read(section, `HKLM\\${path}`, () =>
      this.#registry.values(path, this.#caps.valuesPerKey, this.#limits),
    );
    return l ? new ValueMap(this.#log.capped(section, `HKLM\\${path} values`, l)) : null;
  }

  /** CurrentVersion, native then the 32-bit view for what it lacks. */
  async currentVersion(): Promise<{ values: ValueMap; filled: string[] } | null> {
    const native = await this.values('os', CURRENT_VERSION);
    const wow64 = await this.values('os', CURRENT_VERSION_WOW64);
    if (!native && !wow64) return null;
    return mergeCurrentVersion(native, wow64);
  }

  /** Programs of both Uninstall hives, and the hotfixes listed there and in CBS. */
  async software(): Promise<{ software: WindowsSoftware[]; hotfixes: WindowsHotfix[] }> {
    const log = this.#log;
    const software: WindowsSoftware[] = [];
    const hotfixes: WindowsHotfix[] = [];
    const hidden: Record<string, number> = {};
    for (const hive of UNINSTALL_HIVES) {
      const keys = log.capped(
        'software',
        `HKLM\\${hive.path}`,
        await log.read('software', `HKLM\\${hive.path}`, () =>
          this.#registry.subkeys(hive.path, this.#caps.uninstallKeysPerHive, this.#limits),
        ),
      );
      for (const key of keys) {
        const values = await this.values('software', `${hive.path}\\${key}`);
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
    if (hiddenNote)
      log.note('software', `hidden as Programs and Features hides them: ${hiddenNote}`);
    await this.#cbs(hotfixes);
    return { software: sortSoftware(software), hotfixes };
  }

  /** KBs from the servicing stack's package names, install times for the first few. */
  async #cbs(into: WindowsHotfix[]): Promise<void> {
    const log = this.#log;
    const listing = await log.read('os', `HKLM\\${CBS_PACKAGES}`, () =>
      this.#registry.subkeys(CBS_PACKAGES, this.#caps.cbsPackages, this.#limits),
    );
    if (!listing) return;
    const known = new Set(into.map((h) => h.id));
    const found = cbsHotfixKeys(log.capped('os', 'servicing packages', listing)).filter(
      (k) => !known.has(k.id),
    );
    for (const [i, { id, key }] of found.entries()) {
      if (i >= this.#caps.hotfixDetails) {
        into.push({ id, description: null, installedAt: null, source: 'cbs' });
        continue;
      }
      const v = await this.values('os', `${CBS_PACKAGES}\\${key}`);
      const state = v?.int('CurrentState') ?? null;
      if (state !== null && !CBS_INSTALLED_STATES.has(state)) continue;
      into.push({
        id,
        description: null,
        installedAt: fileTime(v?.int('InstallTimeHigh') ?? null, v?.int('InstallTimeLow') ?? null),
        source: 'cbs',
      });
    }
    if (found.length > this.#caps.hotfixDetails)
      log.note(
        'os',
        `install times read for the first ${this.#caps.hotfixDetails} of ${found.length} KBs`,
      );
  }

  /**
   * SQL Server instances from `Instance Names\SQL` (name → instance id) and each instance's
   * `Setup` key (PatchLevel, else Version; Edition); null when SQL Server is not installed.
   */
  async sqlInstances(): Promise<WindowsSqlInstance[] | null> {
    const listing = await this.#log.read('software', `HKLM\\${SQL_INSTANCE_NAMES}`, () =>
      this.#registry.values(SQL_INSTANCE_NAMES, this.#caps.valuesPerKey, this.#limits),
    );
    if (!listing || listing.items.length === 0) return null;
    const names = new ValueMap(listing.items);
    const out: WindowsSqlInstance[] = [];
    for (const v of listing.items) {
      const id = names.text(v.name);
      if (!id) continue;
      const setup = await this.values('software', `${SQL_ROOT}\\${id}\\Setup`);
      out.push({
        name: v.name,
        instanceId: id,
        version: setup?.text('PatchLevel') ?? setup?.text('Version') ?? null,
        edition: setup?.text('Edition') ?? null,
        serviceName: sqlServiceName(v.name),
        state: null,
        source: 'registry',
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
