// Pure parsers for the SSH collector's identity and OS facts: hostname/FQDN, os-release, uname, uptime.
import { clip, splitLines, warningList, type SectionResult } from './section-types.js';

/** Host naming as the host itself reports it (`hostname`, `hostname -f`). */
export interface HostIdentity {
  /** Short name: the first label, lower-cased (`web01`). */
  hostname: string | null;
  /** Fully qualified name when the host knows one (`web01.corp.example`), else null. */
  fqdn: string | null;
  /** `fqdn` minus its first label (`corp.example`), else null. */
  domain: string | null;
}

/** Operating system facts, in the model's `os` section spirit. */
export interface OsFacts {
  /** `Debian GNU/Linux`, `Rocky Linux`, `Alpine Linux`, `macOS`, `FreeBSD`. */
  name: string | null;
  /** `12`, `9.3`, `15.5`, `3.19.1`, `14.0-RELEASE`; for rolling releases (Arch) null. */
  version: string | null;
  /** os-release `ID` (`debian`, `rocky`, `opensuse-leap`, `alpine`, `arch`) or `macos`/`freebsd`. */
  id: string | null;
  /** os-release `ID_LIKE` split (`['rhel', 'centos', 'fedora']`). */
  idLike: string[];
  /** os-release `PRETTY_NAME`. */
  prettyName: string | null;
  /** os-release `VERSION_CODENAME` (`bookworm`). */
  codename: string | null;
  /** os-release `BUILD_ID` (Arch: `rolling`). */
  build: string | null;
  family: OsFamily;
}

/** The families the SSH collector knows; `aix` and `solaris` are recognised only to say `unsupported`. */
export type OsFamily =
  | 'debian'
  | 'rhel'
  | 'suse'
  | 'alpine'
  | 'arch'
  | 'linux'
  | 'macos'
  | 'freebsd'
  | 'aix'
  | 'solaris'
  | 'unknown';

/** Kernel facts from `uname -snrm`. */
export interface KernelFacts {
  /** `uname -s`: `Linux`, `Darwin`, `FreeBSD`, `AIX`, `SunOS`. */
  kernelName: string | null;
  /** `uname -n`. */
  nodeName: string | null;
  /** `uname -r`: `6.1.0-18-amd64`, `23.4.0`, `14.0-RELEASE-p6`. */
  kernel: string | null;
  /** `uname -m`: `x86_64`, `aarch64`, `arm64`, `amd64`. */
  architecture: string | null;
  family: OsFamily;
}

/** Uptime and the boot time derived from it. */
export interface UptimeFacts {
  uptimeSeconds: number | null;
  /** ISO 8601 (UTC, second precision) when the host's clock (`date +%s`) was given, else null. */
  bootTime: string | null;
}

const UNSUPPORTED_FAMILIES: ReadonlySet<OsFamily> = new Set(['aix', 'solaris']);

/** Whether the SSH collector collects this family at all (AIX and Solaris: identity only). */
export function isSupportedFamily(family: OsFamily): boolean {
  return !UNSUPPORTED_FAMILIES.has(family);
}

/** Names that mean "no real name configured". */
const PLACEHOLDER_NAMES = new Set(['', '(none)', 'localhost', 'localhost.localdomain', 'unknown']);
const HOST_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function cleanName(raw: string | undefined): string | null {
  const v = (raw ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (PLACEHOLDER_NAMES.has(v) || v.length > 253) return null;
  const labels = v.split('.');
  return labels.every((l) => HOST_LABEL.test(l)) ? v : null;
}

/**
 * Reads the output of `hostname` and, optionally, `hostname -f` (each a single line; the
 * collector may pass both in one text as two lines). macOS and FreeBSD `hostname` already
 * print the FQDN when one is set. Garbage or placeholder names become null with a warning.
 *
 * @example
 * parseHostname('web01\n', 'web01.corp.example\n').data
 * // → { hostname: 'web01', fqdn: 'web01.corp.example', domain: 'corp.example' }
 */
export function parseHostname(hostnameOut: string, fqdnOut = ''): SectionResult<HostIdentity> {
  const warnings = warningList();
  let lines = splitLines(hostnameOut, 4).lines.map((l) => l.trim());
  let fqdnLine = splitLines(fqdnOut, 4).lines[0]?.trim() ?? '';
  if (fqdnOut === '' && lines.length >= 2) {
    fqdnLine = lines[1] ?? '';
    lines = lines.slice(0, 1);
  }
  const primary = cleanName(lines[0]);
  const secondary = cleanName(fqdnLine);
  if (!primary && lines[0]) warnings.add(`hostname not usable: ${clip(lines[0], 80)}`);
  if (fqdnLine && !secondary) warnings.add(`hostname -f not usable: ${clip(fqdnLine, 80)}`);
  const short = (primary ?? secondary)?.split('.')[0] ?? null;
  let fqdn: string | null = null;
  for (const candidate of [secondary, primary]) {
    if (candidate && candidate.includes('.') && candidate.split('.')[0] === short) {
      fqdn = candidate;
      break;
    }
  }
  const domain = fqdn ? fqdn.slice(fqdn.indexOf('.') + 1) : null;
  const data = { hostname: short, fqdn, domain };
  const state = short === null ? 'unsupported' : warnings.list().length ? 'partial' : 'complete';
  return { state, data, warnings: warnings.list() };
}

/**
 * Parses an os-release file (freedesktop format: `KEY=value`, values optionally quoted with
 * `"` or `'`, `\` escapes inside double quotes, `#` comments). Also accepts
 * `/usr/lib/os-release`. Solaris 11.4 ships one: it parses, with state `unsupported`.
 *
 * @example
 * parseOsRelease('NAME="Rocky Linux"\nVERSION_ID="9.3"\nID="rocky"\nID_LIKE="rhel centos fedora"\n').data
 * // → { name: 'Rocky Linux', version: '9.3', id: 'rocky', idLike: ['rhel','centos','fedora'], family: 'rhel', … }
 */
export function parseOsRelease(text: string): SectionResult<OsFacts> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(text, 500);
  const fields = new Map<string, string>();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      warnings.add(`os-release: unreadable line: ${clip(line, 80)}`);
      continue;
    }
    fields.set(m[1] as string, clip(unquote(m[2] as string), 256));
  }
  if (truncated) warnings.add('os-release: output truncated');
  const id = fields.get('ID')?.toLowerCase() || null;
  const idLike = (fields.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const data: OsFacts = {
    name: fields.get('NAME') || null,
    version: fields.get('VERSION_ID') || null,
    id,
    idLike,
    prettyName: fields.get('PRETTY_NAME') || null,
    codename: fields.get('VERSION_CODENAME') || null,
    build: fields.get('BUILD_ID') || null,
    family: familyFromOsRelease(id, idLike),
  };
  if (!data.name && !data.id) {
    return { state: 'unsupported', data, warnings: [...warnings.list(), 'no os-release fields'] };
  }
  if (!isSupportedFamily(data.family)) {
    warnings.add(`${data.name ?? data.id} is not supported by the SSH collector`);
    return { state: 'unsupported', data, warnings: warnings.list() };
  }
  return {
    state: warnings.list().length ? 'partial' : 'complete',
    data,
    warnings: warnings.list(),
  };
}

/**
 * Parses macOS `sw_vers` (`ProductName:\tmacOS`, `ProductVersion:\t14.2.1`, `BuildVersion:\t23C71`),
 * macOS having no os-release. Older releases say `Mac OS X`; the name is kept as printed.
 *
 * @example
 * parseSwVers('ProductName:\tmacOS\nProductVersion:\t14.2.1\nBuildVersion:\t23C71\n').data
 * // → { name: 'macOS', version: '14.2.1', id: 'macos', build: '23C71', family: 'macos', … }
 */
export function parseSwVers(text: string): SectionResult<OsFacts> {
  const fields = new Map<string, string>();
  for (const line of splitLines(text, 50).lines) {
    const m = /^\s*(ProductName|ProductVersion|ProductVersionExtra|BuildVersion):\s*(.*?)\s*$/.exec(
      line,
    );
    if (m) fields.set(m[1] as string, clip(m[2] as string, 128));
  }
  const name = fields.get('ProductName') || null;
  const version = fields.get('ProductVersion') || null;
  const data: OsFacts = {
    name,
    version,
    id: name ? 'macos' : null,
    idLike: [],
    prettyName: name && version ? `${name} ${version}` : name,
    codename: null,
    build: fields.get('BuildVersion') || null,
    family: name ? 'macos' : 'unknown',
  };
  if (!name) return { state: 'unsupported', data, warnings: ['sw_vers: no ProductName'] };
  const missing = !version || !data.build;
  return {
    state: missing ? 'partial' : 'complete',
    data,
    warnings: missing ? ['sw_vers: version or build missing'] : [],
  };
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  }
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

function familyFromOsRelease(id: string | null, idLike: string[]): OsFamily {
  for (const candidate of [id, ...idLike]) {
    switch (candidate) {
      case 'debian':
      case 'ubuntu':
        return 'debian';
      case 'rhel':
      case 'centos':
      case 'fedora':
      case 'rocky':
      case 'almalinux':
      case 'ol':
        return 'rhel';
      case 'suse':
      case 'sles':
      case 'opensuse':
      case 'opensuse-leap':
      case 'opensuse-tumbleweed':
        return 'suse';
      case 'alpine':
        return 'alpine';
      case 'arch':
      case 'archarm':
        return 'arch';
      case 'freebsd':
        return 'freebsd';
      case 'solaris':
      case 'illumos':
      case 'omnios':
      case 'openindiana':
        return 'solaris';
    }
  }
  return id ? 'linux' : 'unknown';
}

function familyFromKernel(kernelName: string | null): OsFamily {
  switch ((kernelName ?? '').toLowerCase()) {
    case 'linux':
      return 'linux';
    case 'darwin':
      return 'macos';
    case 'freebsd':
      return 'freebsd';
    case 'aix':
      return 'aix';
    case 'sunos':
      return 'solaris';
    default:
      return 'unknown';
  }
}

/**
 * Parses `uname -snrm` (one line: kernel name, node name, release, machine; none contains
 * spaces on the supported systems). AIX and SunOS parse, with state `unsupported`.
 *
 * @example
 * parseUname('Linux web01 6.1.0-18-amd64 x86_64\n').data
 * // → { kernelName: 'Linux', nodeName: 'web01', kernel: '6.1.0-18-amd64', architecture: 'x86_64', family: 'linux' }
 */
export function parseUname(text: string): SectionResult<KernelFacts> {
  const first = splitLines(text, 8).lines.find((l) => l.trim() !== '') ?? '';
  const tokens = clip(first, 512).trim().split(/\s+/).filter(Boolean);
  const kernelName = tokens[0] ?? null;
  const family = familyFromKernel(kernelName);
  const data: KernelFacts = {
    kernelName,
    nodeName: tokens[1] ?? null,
    kernel: tokens[2] ?? null,
    // `uname -a` by mistake puts `#1` here: only a machine-like token is taken.
    architecture: /^[A-Za-z0-9_]+$/.test(tokens[3] ?? '') ? (tokens[3] as string) : null,
    family,
  };
  if (family === 'unknown') {
    return { state: 'unsupported', data, warnings: [`uname: unknown system: ${clip(first, 80)}`] };
  }
  if (!isSupportedFamily(family)) {
    return {
      state: 'unsupported',
      data,
      warnings: [`${kernelName} is not supported by the SSH collector`],
    };
  }
  if (tokens.length !== 4) {
    return { state: 'partial', data, warnings: [`uname: expected 4 fields, got ${tokens.length}`] };
  }
  return { state: 'complete', data, warnings: [] };
}

/** Parses a whole number of seconds since the epoch (`date +%s`), else null. */
function parseEpoch(text: string | undefined): number | null {
  const v = (text ?? '').trim();
  if (!/^\d{9,11}$/.test(v)) return null;
  return Number(v);
}

function bootTimeFrom(nowEpoch: number | null, uptimeSeconds: number): string | null {
  if (nowEpoch === null) return null;
  return new Date((nowEpoch - Math.floor(uptimeSeconds)) * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
}

/**
 * Parses Linux `/proc/uptime` (`<uptime> <idle>` seconds; busybox too) and, when given, the
 * host's own clock from `date +%s` to derive the boot time in the host's timekeeping.
 *
 * @example
 * parseProcUptime('4775.09 6595.36\n', '1795942568').data
 * // → { uptimeSeconds: 4775, bootTime: '2026-11-29T07:36:33Z' }
 */
export function parseProcUptime(text: string, dateEpochOut = ''): SectionResult<UptimeFacts> {
  const first = splitLines(text, 4).lines[0] ?? '';
  const m = /^\s*(\d+(?:\.\d+)?)(?:\s+\d+(?:\.\d+)?)?\s*$/.exec(first);
  const now = parseEpoch(dateEpochOut);
  if (!m) {
    return {
      state: 'unsupported',
      data: { uptimeSeconds: null, bootTime: null },
      warnings: [`/proc/uptime: unreadable: ${clip(first, 80)}`],
    };
  }
  const uptimeSeconds = Math.floor(Number(m[1]));
  const warnings = dateEpochOut && now === null ? ['date +%s: unreadable'] : [];
  return {
    state: warnings.length ? 'partial' : 'complete',
    data: { uptimeSeconds, bootTime: bootTimeFrom(now, uptimeSeconds) },
    warnings,
  };
}

/**
 * Parses BSD/macOS `sysctl -n kern.boottime` (`{ sec = 1700000000, usec = 12345 } Tue Nov 14 …`)
 * together with `date +%s` from the same host, giving boot time and uptime.
 *
 * @example
 * parseKernBoottime('{ sec = 1700000000, usec = 0 } Tue Nov 14 22:13:20 2023\n', '1700003600').data
 * // → { uptimeSeconds: 3600, bootTime: '2023-11-14T22:13:20Z' }
 */
export function parseKernBoottime(text: string, dateEpochOut = ''): SectionResult<UptimeFacts> {
  const first = splitLines(text, 4).lines[0] ?? '';
  const m = /\{\s*sec\s*=\s*(\d+)/.exec(first);
  if (!m) {
    return {
      state: 'unsupported',
      data: { uptimeSeconds: null, bootTime: null },
      warnings: [`kern.boottime: unreadable: ${clip(first, 80)}`],
    };
  }
  const boot = Number(m[1]);
  const now = parseEpoch(dateEpochOut);
  const bootTime = new Date(boot * 1000).toISOString().replace('.000Z', 'Z');
  const uptimeSeconds = now !== null && now >= boot ? now - boot : null;
  return {
    state: uptimeSeconds === null ? 'partial' : 'complete',
    data: { uptimeSeconds, bootTime },
    warnings: uptimeSeconds === null ? ['date +%s missing or before boot time'] : [],
  };
}
