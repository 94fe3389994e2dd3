// Installed software and hotfixes from the registry: the two Uninstall hives as Windows' own
// "Programs and Features" filters them, and the servicing stack's package names for KBs.
import { installDate, type ValueMap } from './values.js';

/** The 64-bit (native) and 32-bit (WOW64) Uninstall keys, relative to HKLM. */
export const UNINSTALL_HIVES = [
  { path: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', arch: 'native' },
  { path: 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall', arch: 'x86' },
] as const;
export type UninstallArch = (typeof UNINSTALL_HIVES)[number]['arch'];

/** Component Based Servicing packages: one key per installed package, KB numbers in the names. */
export const CBS_PACKAGES =
  'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';

export interface WindowsSoftware {
  name: string;
  version: string | null;
  /** Publisher. */
  vendor: string | null;
  /** InstallDate as YYYY-MM-DD. */
  installedAt: string | null;
  /** `native` (64-bit hive on 64-bit Windows, the only hive on 32-bit) or `x86` (Wow6432Node). */
  arch: UninstallArch;
  /** The Uninstall subkey: a product code `{GUID}` for MSI packages, else the vendor's own key. */
  key: string;
  installLocation: string | null;
  /** True for Windows Installer (MSI) packages. */
  msi: boolean;
  manager: 'windows-uninstall';
}

export interface WindowsHotfix {
  /** `KB5034439`. */
  id: string;
  /** Update title where the Uninstall entry has one. */
  description: string | null;
  installedAt: string | null;
  source: 'uninstall' | 'cbs';
}

/** Uninstall entries that are updates to another product or to Windows (ReleaseType). */
const UPDATE_RELEASE_TYPES = new Set(['security update', 'update', 'hotfix', 'update rollup']);
const KB_RE = /\bKB(\d{6,8})\b/i;

/** What one Uninstall entry is: an installed program, an update (hotfix), or hidden. */
export type UninstallEntry =
  | { kind: 'software'; software: WindowsSoftware }
  | { kind: 'hotfix'; hotfix: WindowsHotfix }
  | { kind: 'hidden'; why: 'system-component' | 'no-display-name' | 'update-without-kb' };

/**
 * Classifies one Uninstall subkey as "Programs and Features" would: SystemComponent=1 and entries
 * without DisplayName are hidden; an update of another product (ParentKeyName, or ReleaseType
 * Security Update/Update/Hotfix/Update Rollup) is a hotfix when it names a KB, else hidden;
 * everything else is a program.
 * @example classifyUninstallEntry('7-Zip', 'native', new ValueMap([{ name: 'DisplayName', type: 1, data: '7-Zip 23.01 (x64)' }]))
 *   // → { kind: 'software', software: { name: '7-Zip 23.01 (x64)', … } }
 */
export function classifyUninstallEntry(
  key: string,
  arch: UninstallArch,
  values: ValueMap,
): UninstallEntry {
  if (values.int('SystemComponent') === 1) return { kind: 'hidden', why: 'system-component' };
  const name = values.text('DisplayName');
  if (name === null) return { kind: 'hidden', why: 'no-display-name' };
  const releaseType = values.text('ReleaseType')?.toLowerCase() ?? null;
  const isUpdate =
    values.text('ParentKeyName') !== null ||
    (releaseType !== null && UPDATE_RELEASE_TYPES.has(releaseType));
  if (isUpdate) {
    const kb = KB_RE.exec(key) ?? KB_RE.exec(name);
    if (!kb) return { kind: 'hidden', why: 'update-without-kb' };
    return {
      kind: 'hotfix',
      hotfix: {
        id: `KB${kb[1]}`,
        description: name,
        installedAt: installDate(values.text('InstallDate')),
        source: 'uninstall',
      },
    };
  }
  return {
    kind: 'software',
    software: {
      name,
      version: values.text('DisplayVersion'),
      vendor: values.text('Publisher'),
      installedAt: installDate(values.text('InstallDate')),
      arch,
      key,
      installLocation: values.text('InstallLocation'),
      msi: values.int('WindowsInstaller') === 1,
      manager: 'windows-uninstall',
    },
  };
}

/**
 * KB numbers in Component Based Servicing package names (`Package_for_KB5034439~31bf…`,
 * `Package_12_for_KB5031364~…`), each once, in first-seen order, with the key that names it.
 * Packages without a KB (rollups, features, language packs) are skipped.
 * @example cbsHotfixKeys(['Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1'])
 *   // → [{ id: 'KB5034439', key: 'Package_for_KB5034439~31bf3856ad364e35~amd64~~20348.2227.1.1' }]
 */
export function cbsHotfixKeys(packageKeys: readonly string[]): { id: string; key: string }[] {
  const seen = new Set<string>();
  const out: { id: string; key: string }[] = [];
  for (const key of packageKeys) {
    const m = /^Package_(?:\d+_)?for_KB(\d{6,8})~/i.exec(key);
    if (!m) continue;
    const id = `KB${m[1]}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, key });
  }
  return out;
}

/** CBS CurrentState values meaning the package is installed (MS docs: 0x70 Installed, 0x80 superseded…). */
export const CBS_INSTALLED_STATES: ReadonlySet<number> = new Set([0x70]);

/**
 * The software list sorted by name then version then arch, with exact duplicates (same name,
 * version and arch listed under two keys) kept once.
 */
export function sortSoftware(items: WindowsSoftware[]): WindowsSoftware[] {
  const seen = new Set<string>();
  const out: WindowsSoftware[] = [];
  for (const s of [...items].sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      (a.version ?? '').localeCompare(b.version ?? '') ||
      a.arch.localeCompare(b.arch),
  )) {
    const k = `${s.name}\0${s.version ?? ''}\0${s.arch}\0${s.vendor ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}
