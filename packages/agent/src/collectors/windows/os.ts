// The OS section from HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion, ProductOptions and srvsvc.
import type { RemoteServerInfo } from './remote.js';
import { unixSeconds, ValueMap } from './values.js';
import type { WindowsHotfix } from './software.js';

export const CURRENT_VERSION = 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
/** The 32-bit view of CurrentVersion: on 64-bit Windows it carries the same product facts. */
export const CURRENT_VERSION_WOW64 = 'SOFTWARE\\Wow6432Node\\Microsoft\\Windows NT\\CurrentVersion';
export const PRODUCT_OPTIONS = 'SYSTEM\\CurrentControlSet\\Control\\ProductOptions';

/** SV_TYPE_* bits (MS-SRVS 2.2.2.7) that tell a server from a workstation. */
export const SV_TYPE = {
  workstation: 0x1,
  server: 0x2,
  domainController: 0x8,
  backupController: 0x10,
  serverNt: 0x8000,
} as const;

/** Product facts read from CurrentVersion; `fromWow64` names the fields the 32-bit view filled. */
export const PRODUCT_FIELDS = [
  'ProductName',
  'DisplayVersion',
  'ReleaseId',
  'CurrentBuild',
  'CurrentBuildNumber',
  'UBR',
  'EditionID',
  'InstallationType',
  'InstallDate',
  'RegisteredOwner',
  'RegisteredOrganization',
  'CurrentVersion',
  'CurrentMajorVersionNumber',
  'CurrentMinorVersionNumber',
  'SystemRoot',
  'CSDVersion',
] as const;

export type ProductRole = 'workstation' | 'server' | 'domain_controller';

export interface WindowsOs {
  family: 'windows';
  /** ProductName: `Windows Server 2022 Standard`, `Windows 10 Pro`. */
  name: string | null;
  /** DisplayVersion (`22H2`), else ReleaseId (`1809`), else CSDVersion (`Service Pack 1`). */
  version: string | null;
  /** CurrentBuild plus UBR: `20348.2340`. */
  build: string | null;
  /** NT kernel version: CurrentMajor/MinorVersionNumber (`10.0`), else CurrentVersion (`6.3`). */
  kernel: string | null;
  /** EditionID: `ServerStandard`, `Professional`. */
  edition: string | null;
  /** InstallationType: `Server`, `Server Core`, `Client`. */
  installationType: string | null;
  /** InstallDate (ISO 8601). */
  installedAt: string | null;
  registeredOwner: string | null;
  registeredOrganization: string | null;
  systemRoot: string | null;
  /** ProductOptions ProductType (`WinNT`, `ServerNT`, `LanmanNT`), else the srvsvc server type. */
  role: ProductRole | null;
  productType: string | null;
  /** Hotfixes (KB numbers) the registry lists. */
  patches: WindowsHotfix[];
  /** Fields read from the 32-bit view of CurrentVersion because the native key lacked them. */
  filledFromWow64: string[];
}

/**
 * CurrentVersion values, with any product field the native key lacks taken from the 32-bit view
 * (on 64-bit Windows both hold the same facts; a host that hides one still shows the other).
 */
export function mergeCurrentVersion(
  native: ValueMap | null,
  wow64: ValueMap | null,
): { values: ValueMap; filled: string[] } {
  const merged: { name: string; type: number; data: string | number }[] = [];
  const filled: string[] = [];
  for (const field of PRODUCT_FIELDS) {
    const fromNative = native?.text(field) ?? null;
    const fromWow = fromNative === null ? (wow64?.text(field) ?? null) : null;
    const text = fromNative ?? fromWow;
    if (text === null) continue;
    if (fromWow !== null) filled.push(field);
    const map = fromNative !== null ? native! : wow64!;
    const n = map.int(field);
    merged.push({ name: field, type: 1, data: n !== null && !/\D/.test(text) ? n : text });
  }
  return { values: new ValueMap(merged), filled };
}

/** The machine's role from ProductType, else from the srvsvc server type bits. */
export function productRole(
  productType: string | null,
  server: RemoteServerInfo | null,
): ProductRole | null {
  switch (productType?.toLowerCase()) {
    case 'winnt':
      return 'workstation';
    case 'servernt':
      return 'server';
    case 'lanmannt':
      return 'domain_controller';
  }
  if (!server) return null;
  if (server.type & (SV_TYPE.domainController | SV_TYPE.backupController))
    return 'domain_controller';
  if (server.type & SV_TYPE.serverNt) return 'server';
  if (server.type & SV_TYPE.workstation) return 'workstation';
  return null;
}

/**
 * Builds the OS section.
 * @example windowsOs(values, [], 'ServerNT', null, []).role // → 'server'
 */
export function windowsOs(
  values: ValueMap,
  filled: string[],
  productType: string | null,
  server: RemoteServerInfo | null,
  patches: WindowsHotfix[],
): WindowsOs {
  const build = values.text('CurrentBuild') ?? values.text('CurrentBuildNumber');
  const ubr = values.int('UBR');
  const major = values.int('CurrentMajorVersionNumber');
  const minor = values.int('CurrentMinorVersionNumber');
  const kernel =
    major !== null && minor !== null
      ? `${major}.${minor}`
      : (values.text('CurrentVersion') ??
        (server ? `${server.versionMajor}.${server.versionMinor}` : null));
  return {
    family: 'windows',
    name: values.text('ProductName'),
    version: values.text('DisplayVersion') ?? values.text('ReleaseId') ?? values.text('CSDVersion'),
    build: build === null ? null : ubr === null ? build : `${build}.${ubr}`,
    kernel,
    edition: values.text('EditionID'),
    installationType: values.text('InstallationType'),
    installedAt: unixSeconds(values.int('InstallDate')),
    registeredOwner: values.text('RegisteredOwner'),
    registeredOrganization: values.text('RegisteredOrganization'),
    systemRoot: values.text('SystemRoot'),
    role: productRole(productType, server),
    productType,
    patches,
    filledFromWow64: filled,
  };
}
