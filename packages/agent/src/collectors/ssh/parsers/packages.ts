// Installed-package parsers for dpkg, rpm, apk and pacman output, with the exact commands that produce it.
import { clip, MAX_ITEMS, splitLines, warningList, type SectionResult } from './section-types.js';

/** One installed package, whatever the package manager. */
export interface InstalledPackage {
  name: string;
  /** Full version as the manager prints it (`epoch:version-release` for rpm when an epoch is set). */
  version: string;
  /** Architecture (`amd64`, `x86_64`, `noarch`, `all`…), or null when the manager does not say. */
  arch: string | null;
  /** Maintainer (dpkg), vendor (rpm), packager (pacman) or maintainer (apk db), or null. */
  vendor: string | null;
  /**
   * When it was installed: ISO 8601 UTC when the source gives an epoch (rpm, dpkg `.list` mtime);
   * null when the manager does not record it (apk) or it was not captured.
   */
  installedAt: string | null;
  manager: 'dpkg' | 'rpm' | 'apk' | 'pacman';
}

/**
 * dpkg: one tab-separated line per package. `db:Status-Abbrev` lets us drop removed-but-configured
 * (`rc`) packages. dpkg keeps no install date, so it comes from {@link DPKG_INSTALL_TIMES_COMMAND}.
 */
export const DPKG_COMMAND =
  "dpkg-query -W -f='${binary:Package}\\t${Version}\\t${Architecture}\\t${Maintainer}\\t${db:Status-Abbrev}\\n'";

/**
 * dpkg install time: the mtime of `/var/lib/dpkg/info/<pkg>.list` is rewritten when the package is
 * installed or upgraded, so it is "last installed or upgraded at" — the best dpkg offers
 * (`/var/log/dpkg.log` is rotated away). Output: `<epoch seconds> <path>` per line.
 */
export const DPKG_INSTALL_TIMES_COMMAND = "stat -c '%Y %n' /var/lib/dpkg/info/*.list";

/** rpm: tab-separated, epoch separate so `(none)` can be dropped; INSTALLTIME is epoch seconds. */
export const RPM_COMMAND =
  "rpm -qa --queryformat '%{NAME}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{INSTALLTIME}\\n'";

/** apk (Alpine 3.x): `apk list --installed`; older apk without `list` falls back to `apk info -v`. */
export const APK_COMMAND = 'apk list --installed 2>/dev/null || apk info -v';

/** pacman: `-Qi` gives architecture, packager and install date; C locale fixes the date format. */
export const PACMAN_COMMAND = 'LC_ALL=C pacman -Qi';

interface Collector {
  items: InstalledPackage[];
  warnings: ReturnType<typeof warningList>;
  partial: boolean;
  capped: boolean;
}

function newCollector(truncated: boolean): Collector {
  const warnings = warningList();
  if (truncated) warnings.add('output truncated at the line cap');
  return { items: [], warnings, partial: truncated, capped: false };
}

function push(c: Collector, pkg: InstalledPackage): void {
  if (c.items.length >= MAX_ITEMS) {
    if (!c.capped) c.warnings.add(`more than ${MAX_ITEMS} packages; rest dropped`);
    c.capped = true;
    c.partial = true;
    return;
  }
  c.items.push(pkg);
}

function finish(
  c: Collector,
  recognised: boolean,
  what: string,
): SectionResult<InstalledPackage[]> {
  if (!recognised) {
    c.warnings.add(`output does not look like ${what}`);
    return { state: 'unsupported', data: [], warnings: c.warnings.list() };
  }
  return { state: c.partial ? 'partial' : 'complete', data: c.items, warnings: c.warnings.list() };
}

const orNull = (v: string | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' || t === '(none)' ? null : clip(t, 512);
};

function epochToIso(value: string | undefined): string | null {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n > 0 ? new Date(n * 1000).toISOString() : null;
}

/**
 * Parses `stat -c '%Y %n' /var/lib/dpkg/info/*.list` into package name → ISO time.
 * Multi-arch names (`libc6:amd64.list`) keep their `:arch` suffix, as `${binary:Package}` does.
 * @example parseDpkgInstallTimes('1700000000 /var/lib/dpkg/info/bash.list').get('bash') // → '2023-11-14T22:13:20.000Z'
 */
export function parseDpkgInstallTimes(text: string): Map<string, string> {
  const times = new Map<string, string>();
  for (const line of splitLines(text).lines) {
    const m = /^\s*(\d{1,12})\s+\S*\/([^/\s]+)\.list\s*$/.exec(line);
    if (m === null || times.size >= MAX_ITEMS) continue;
    const iso = epochToIso(m[1]);
    if (iso !== null) times.set(m[2] as string, iso);
  }
  return times;
}

/**
 * Parses {@link DPKG_COMMAND} output; `installTimes` (from {@link parseDpkgInstallTimes}) fills
 * `installedAt`. Packages whose status is not installed (`rc`, `un`) are skipped.
 * @example parseDpkg('bash\t5.2.15-2+b2\tamd64\tMatthias Klose <doko@debian.org>\tii \n').data[0].name // → 'bash'
 */
export function parseDpkg(
  text: string,
  installTimes: ReadonlyMap<string, string> = new Map(),
): SectionResult<InstalledPackage[]> {
  const { lines, truncated } = splitLines(text);
  const c = newCollector(truncated);
  let recognised = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length < 4 || (f[0] ?? '').trim() === '') {
      c.warnings.add(`line ${i + 1}: not a dpkg-query record`);
      c.partial = true;
      continue;
    }
    recognised = true;
    const status = (f[4] ?? 'ii').trim();
    // Second letter is the current state: keep installed/unpacked/half-configured, drop `c`/`n`.
    const current = status[1];
    if (current !== undefined && !'iUFWHt'.includes(current)) continue;
    const name = (f[0] as string).trim();
    const arch = orNull(f[2]);
    const installedAt =
      installTimes.get(name) ??
      (arch !== null ? installTimes.get(`${name}:${arch}`) : undefined) ??
      null;
    push(c, {
      name: clip(name, 256),
      version: clip((f[1] ?? '').trim(), 256),
      arch,
      vendor: orNull(f[3]),
      installedAt,
      manager: 'dpkg',
    });
  }
  return finish(c, recognised || lines.every((l) => l.trim() === ''), 'dpkg-query output');
}

/**
 * Parses {@link RPM_COMMAND} output (RHEL/Rocky/Alma/CentOS, SUSE, Fedora).
 * @example parseRpm('bash\t(none)\t5.1.8-6.el9\tx86_64\tRocky Enterprise Software Foundation\t1700000000\n').data[0].version // → '5.1.8-6.el9'
 */
export function parseRpm(text: string): SectionResult<InstalledPackage[]> {
  const { lines, truncated } = splitLines(text);
  const c = newCollector(truncated);
  let recognised = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length < 4 || (f[0] ?? '').trim() === '') {
      c.warnings.add(`line ${i + 1}: not an rpm query record`);
      c.partial = true;
      continue;
    }
    recognised = true;
    const epoch = orNull(f[1]);
    const vr = (f[2] ?? '').trim();
    push(c, {
      name: clip((f[0] as string).trim(), 256),
      version: clip(epoch !== null && epoch !== '0' ? `${epoch}:${vr}` : vr, 256),
      arch: orNull(f[3]),
      vendor: orNull(f[4]),
      installedAt: epochToIso(f[5]),
      manager: 'rpm',
    });
  }
  return finish(c, recognised || lines.every((l) => l.trim() === ''), 'rpm query output');
}

/** Splits `name-version-rN` at the version: the first `-` followed by a digit and ending in `-r<n>`. */
function splitApkNameVersion(token: string): { name: string; version: string } | null {
  const m = /^(.+?)-(\d[^-\s]*-r\d+)$/.exec(token);
  return m === null ? null : { name: m[1] as string, version: m[2] as string };
}

/**
 * Parses {@link APK_COMMAND} output: `apk list --installed` lines
 * (`musl-1.2.4-r2 x86_64 {musl} (MIT) [installed]`) or bare `apk info -v` lines (`musl-1.2.4-r2`).
 * apk records no install date or vendor in this output.
 * @example parseApk('musl-1.2.4-r2 x86_64 {musl} (MIT) [installed]').data[0] // → { name: 'musl', version: '1.2.4-r2', arch: 'x86_64', … }
 */
export function parseApk(text: string): SectionResult<InstalledPackage[]> {
  const { lines, truncated } = splitLines(text);
  const c = newCollector(truncated);
  let recognised = false;
  for (const [i, line] of lines.entries()) {
    const t = line.trim();
    if (t === '' || t.startsWith('WARNING:')) continue;
    const tokens = t.split(/\s+/);
    const nv = splitApkNameVersion(tokens[0] ?? '');
    if (nv === null) {
      c.warnings.add(`line ${i + 1}: not an apk package line`);
      c.partial = true;
      continue;
    }
    recognised = true;
    const listForm = tokens.length >= 2 && !tokens[1]?.startsWith('{');
    push(c, {
      name: clip(nv.name, 256),
      version: clip(nv.version, 256),
      arch: listForm ? orNull(tokens[1]) : null,
      vendor: null,
      installedAt: null,
      manager: 'apk',
    });
  }
  return finish(c, recognised || lines.every((l) => l.trim() === ''), 'apk output');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Reads a C-locale `%c` date (`Tue Nov 14 10:12:33 2023`) as a timezone-less ISO string
 * (`2023-11-14T10:12:33`), because the host's zone is not in the text. Null if unrecognised.
 */
function cLocaleDate(text: string): string | null {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
  if (m === null) return null;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return null;
  const p = (s: string | number): string => String(s).padStart(2, '0');
  return `${m[6]}-${p(month + 1)}-${p(m[2] as string)}T${m[3]}:${m[4]}:${m[5]}`;
}

/**
 * Parses `pacman -Q` (`name version` lines) or `LC_ALL=C pacman -Qi` (blank-line separated
 * `Key : value` blocks). `installedAt` from `-Qi` is host-local time without a zone.
 * @example parsePacman('bash 5.2.026-2\n').data[0].version // → '5.2.026-2'
 */
export function parsePacman(text: string): SectionResult<InstalledPackage[]> {
  const { lines, truncated } = splitLines(text);
  const c = newCollector(truncated);
  let recognised = false;
  const detailed = lines.some((l) => /^Name\s+:/.test(l));
  if (!detailed) {
    for (const [i, line] of lines.entries()) {
      const t = line.trim();
      if (t === '') continue;
      const m = /^(\S+)\s+(\S+)$/.exec(t);
      if (m === null) {
        c.warnings.add(`line ${i + 1}: not a pacman -Q line`);
        c.partial = true;
        continue;
      }
      recognised = true;
      push(c, {
        name: m[1] as string,
        version: m[2] as string,
        arch: null,
        vendor: null,
        installedAt: null,
        manager: 'pacman',
      });
    }
    return finish(c, recognised || lines.every((l) => l.trim() === ''), 'pacman output');
  }
  let block: Record<string, string> = {};
  const flush = (): void => {
    const name = block['Name'];
    if (name !== undefined && name !== '') {
      recognised = true;
      const installed = block['Install Date'] ?? '';
      push(c, {
        name: clip(name, 256),
        version: clip(block['Version'] ?? '', 256),
        arch: orNull(block['Architecture']),
        vendor: orNull(block['Packager']),
        installedAt: cLocaleDate(installed),
        manager: 'pacman',
      });
      if (installed !== '' && cLocaleDate(installed) === null)
        c.warnings.add(`${name}: unreadable install date`);
    } else if (Object.keys(block).length > 0) {
      c.warnings.add('pacman block without a Name');
      c.partial = true;
    }
    block = {};
  };
  for (const line of lines) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    const m = /^([A-Z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(line);
    if (m !== null) block[m[1] as string] = (m[2] as string).trim();
  }
  flush();
  return finish(c, recognised, 'pacman -Qi output');
}
