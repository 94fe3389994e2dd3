// Pure parsers for the SSH collector's hardware facts: CPU, memory, DMI, disks and filesystems.
import {
  MAX_ITEMS,
  clip,
  splitLines,
  warningList,
  type ParserState,
  type SectionResult,
} from './section-types.js';
import { parseJsonPrefix } from './network.js';

/** CPU topology and model. Counts are null when the source does not say. */
export interface CpuFacts {
  /** `Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz`, `AMD EPYC`, `Cortex-A72`. */
  model: string | null;
  /** `GenuineIntel`, `AuthenticAMD`, `ARM`. */
  vendor: string | null;
  architecture: string | null;
  sockets: number | null;
  coresPerSocket: number | null;
  threadsPerCore: number | null;
  /** Physical cores over all sockets. */
  cores: number | null;
  /** Logical CPUs (hardware threads) over all sockets. */
  threads: number | null;
  /** Nominal or current clock in MHz, when printed. */
  mhz: number | null;
}

export interface MemoryFacts {
  totalBytes: number | null;
  availableBytes: number | null;
  swapTotalBytes: number | null;
  swapFreeBytes: number | null;
}

/** SMBIOS/DMI system and BIOS identity (enhanced mode: serial and UUID usually need root). */
export interface DmiFacts {
  manufacturer: string | null;
  model: string | null;
  serial: string | null;
  /** Lower-case canonical UUID. */
  systemUuid: string | null;
  biosVendor: string | null;
  biosVersion: string | null;
  /** ISO `YYYY-MM-DD` when the firmware's `MM/DD/YYYY` parses, else as printed. */
  biosDate: string | null;
  /** Fields or sources the user could not read (`product_serial`, `dmidecode`): the collector's `denied` evidence. */
  permissionDenied: string[];
}

export interface Disk {
  name: string;
  /** Kernel name (`sda`, `nvme0n1`, `dm-0`). */
  kname: string;
  /** `disk`, `rom`, `mpath`… as lsblk prints it. */
  type: string;
  sizeBytes: number | null;
  model: string | null;
  serial: string | null;
  /** A whole disk can carry a filesystem directly (VM images often do). */
  fsType: string | null;
  mountPoint: string | null;
}

/** Anything below a disk: partitions, LVM volumes, crypt and RAID devices. */
export interface Partition {
  name: string;
  kname: string;
  /** `part`, `lvm`, `crypt`, `raid1`… */
  type: string;
  /** Name of the device it sits on. */
  parent: string;
  sizeBytes: number | null;
  fsType: string | null;
  mountPoint: string | null;
}

export interface DiskFacts {
  disks: Disk[];
  partitions: Partition[];
}

export interface Filesystem {
  /** Device or source (`/dev/sda1`, `tmpfs`, `server:/export`). */
  source: string;
  mountPoint: string;
  sizeBytes: number;
  usedBytes: number;
  /** Can be negative on BSD UFS when the reserve is in use. */
  availableBytes: number;
  usedPercent: number | null;
}

const KIB = 1024;

function stateOf(warnings: string[], empty: boolean): ParserState {
  if (empty) return 'unsupported';
  return warnings.length > 0 ? 'partial' : 'complete';
}

function intOrNull(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function text(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' || t === '-' ? null : clip(t, 256);
}

/** `key: value` lines (lscpu, /proc/cpuinfo, sysctl); the first occurrence of a key wins. */
function colonFields(lines: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    if (!map.has(key)) map.set(key, line.slice(i + 1).trim());
  }
  return map;
}

/**
 * Parses `lscpu` (util-linux, run with `LC_ALL=C`). ARM's `Core(s) per cluster` stands in for
 * per socket when `Socket(s)` is `-`.
 *
 * @example
 * parseLscpu('Architecture: x86_64\nCPU(s): 2\nModel name: AMD EPYC\nThread(s) per core: 1\nCore(s) per socket: 2\nSocket(s): 1\n').data
 * // → { model: 'AMD EPYC', sockets: 1, coresPerSocket: 2, threadsPerCore: 1, cores: 2, threads: 2, … }
 */
export function parseLscpu(output: string): SectionResult<CpuFacts> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output, 2000);
  if (truncated) warnings.add('lscpu: output truncated');
  const f = colonFields(lines);
  const threads = intOrNull(f.get('CPU(s)'));
  const threadsPerCore = intOrNull(f.get('Thread(s) per core'));
  let sockets = intOrNull(f.get('Socket(s)'));
  let coresPerSocket = intOrNull(f.get('Core(s) per socket'));
  if (coresPerSocket === null) {
    coresPerSocket = intOrNull(f.get('Core(s) per cluster'));
    if (sockets === null) sockets = intOrNull(f.get('Cluster(s)'));
  }
  const mhz = Number.parseFloat(f.get('CPU max MHz') ?? f.get('CPU MHz') ?? '');
  const data: CpuFacts = {
    model: text(f.get('Model name')),
    vendor: text(f.get('Vendor ID')),
    architecture: text(f.get('Architecture')),
    sockets,
    coresPerSocket,
    threadsPerCore,
    cores: sockets !== null && coresPerSocket !== null ? sockets * coresPerSocket : null,
    threads,
    mhz: Number.isFinite(mhz) ? Math.round(mhz) : null,
  };
  if (threads === null && data.model === null) {
    return { state: 'unsupported', data, warnings: ['lscpu: no CPU(s) or Model name line'] };
  }
  for (const k of ['model', 'sockets', 'coresPerSocket', 'threadsPerCore', 'threads'] as const) {
    if (data[k] === null) warnings.add(`lscpu: ${k} not found`);
  }
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

/**
 * Parses Linux `/proc/cpuinfo` (x86 `physical id`/`core id`/`siblings`; ARM and others give
 * fewer facts, which makes the result `partial`). Fallback when lscpu is missing (busybox).
 *
 * @example
 * parseProcCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC\nphysical id\t: 0\ncore id\t: 0\ncpu cores\t: 1\nsiblings\t: 1\n').data.threads
 * // → 1
 */
export function parseProcCpuinfo(output: string): SectionResult<CpuFacts> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output, 100_000);
  if (truncated) warnings.add('/proc/cpuinfo: output truncated');
  let processors = 0;
  const physicalIds = new Set<string>();
  const cores = new Set<string>();
  let physical = '0';
  const global = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (key === 'processor' && /^\d+$/.test(value)) processors += 1;
    else if (key === 'physical id') {
      physical = value;
      physicalIds.add(value);
    } else if (key === 'core id') {
      if (cores.size < MAX_ITEMS) cores.add(`${physical}:${value}`);
    }
    if (!global.has(key)) global.set(key, value);
  }
  const sockets = physicalIds.size > 0 ? physicalIds.size : null;
  const coresPerSocket = intOrNull(global.get('cpu cores'));
  const siblings = intOrNull(global.get('siblings'));
  const totalCores = cores.size > 0 ? cores.size : null;
  const threads = processors > 0 ? processors : null;
  const data: CpuFacts = {
    model: text(global.get('model name') ?? global.get('Processor') ?? global.get('cpu model')),
    vendor: text(global.get('vendor_id') ?? global.get('CPU implementer')),
    architecture: null,
    sockets,
    coresPerSocket,
    threadsPerCore:
      siblings !== null && coresPerSocket
        ? Math.max(1, Math.round(siblings / coresPerSocket))
        : null,
    cores:
      totalCores ?? (sockets !== null && coresPerSocket !== null ? sockets * coresPerSocket : null),
    threads,
    mhz: Number.isFinite(Number.parseFloat(global.get('cpu MHz') ?? ''))
      ? Math.round(Number.parseFloat(global.get('cpu MHz') ?? ''))
      : null,
  };
  if (threads === null) {
    return { state: 'unsupported', data, warnings: ['/proc/cpuinfo: no processor entries'] };
  }
  if (data.model === null) warnings.add('/proc/cpuinfo: no model name');
  if (sockets === null) warnings.add('/proc/cpuinfo: no physical id (topology unknown)');
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

/**
 * Parses Linux `/proc/meminfo` (values in kB, meaning KiB). `MemAvailable` is missing before
 * Linux 3.14; then `availableBytes` is null.
 *
 * @example
 * parseMeminfo('MemTotal: 2048 kB\nMemAvailable: 1024 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n').data
 * // → { totalBytes: 2097152, availableBytes: 1048576, swapTotalBytes: 0, swapFreeBytes: 0 }
 */
export function parseMeminfo(output: string): SectionResult<MemoryFacts> {
  const { lines } = splitLines(output, 1000);
  const kb = new Map<string, number>();
  for (const line of lines) {
    const m = /^([A-Za-z_()0-9]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m && !kb.has(m[1] as string)) kb.set(m[1] as string, Number(m[2]));
  }
  const bytes = (k: string): number | null => {
    const v = kb.get(k);
    return v === undefined ? null : v * KIB;
  };
  const data: MemoryFacts = {
    totalBytes: bytes('MemTotal'),
    availableBytes: bytes('MemAvailable'),
    swapTotalBytes: bytes('SwapTotal'),
    swapFreeBytes: bytes('SwapFree'),
  };
  if (data.totalBytes === null) {
    return { state: 'unsupported', data, warnings: ['/proc/meminfo: no MemTotal'] };
  }
  const warnings = Object.entries(data)
    .filter(([, v]) => v === null)
    .map(([k]) => `/proc/meminfo: ${k} not found`);
  return { state: stateOf(warnings, false), data, warnings };
}

/**
 * Parses BSD/macOS `sysctl hw.model hw.machine hw.ncpu hw.physmem hw.memsize
 * machdep.cpu.brand_string hw.packages hw.physicalcpu hw.logicalcpu kern.smp.cores
 * kern.smp.threads_per_core` (`name: value` lines; unknown OIDs are simply absent). On macOS
 * `hw.model` is the machine model (`MacBookPro18,3`) and the CPU is `machdep.cpu.brand_string`.
 *
 * @example
 * parseSysctlHardware('hw.model: Intel(R) Xeon(R) CPU\nhw.ncpu: 4\nhw.physmem: 8589934592\n').data.memory.totalBytes
 * // → 8589934592
 */
export function parseSysctlHardware(
  output: string,
): SectionResult<{ cpu: CpuFacts; memory: MemoryFacts; systemModel: string | null }> {
  const f = colonFields(splitLines(output, 500).lines);
  const brand = text(f.get('machdep.cpu.brand_string'));
  const threads = intOrNull(f.get('hw.logicalcpu')) ?? intOrNull(f.get('hw.ncpu'));
  const sockets = intOrNull(f.get('hw.packages'));
  const cores = intOrNull(f.get('hw.physicalcpu')) ?? intOrNull(f.get('kern.smp.cores'));
  const tpc = intOrNull(f.get('kern.smp.threads_per_core'));
  const cpu: CpuFacts = {
    model: brand ?? text(f.get('hw.model')),
    vendor: text(f.get('machdep.cpu.vendor')),
    architecture: text(f.get('hw.machine')),
    sockets,
    coresPerSocket: sockets && cores ? Math.round(cores / sockets) : null,
    threadsPerCore: tpc ?? (cores && threads ? Math.max(1, Math.round(threads / cores)) : null),
    cores,
    threads,
    mhz: null,
  };
  const memory: MemoryFacts = {
    totalBytes: intOrNull(f.get('hw.memsize')) ?? intOrNull(f.get('hw.physmem')),
    availableBytes: null,
    swapTotalBytes: null,
    swapFreeBytes: null,
  };
  const data = { cpu, memory, systemModel: brand ? text(f.get('hw.model')) : null };
  if (threads === null && memory.totalBytes === null) {
    return { state: 'unsupported', data, warnings: ['sysctl: no hw.ncpu or memory size'] };
  }
  const warnings: string[] = [];
  if (cpu.model === null) warnings.push('sysctl: no CPU model');
  if (memory.totalBytes === null) warnings.push('sysctl: no memory size');
  return { state: stateOf(warnings, false), data, warnings };
}

/** Vendor placeholders that carry no information and must not be taken as identity. */
const DMI_PLACEHOLDERS = new Set(
  [
    'to be filled by o.e.m.',
    'not specified',
    'not present',
    'not applicable',
    'default string',
    'system serial number',
    'system manufacturer',
    'system product name',
    'system version',
    'none',
    'n/a',
    'oem',
    'o.e.m.',
    '0',
    '0123456789',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '03000200-0400-0500-0006-000700080009',
  ].map((s) => s.toLowerCase()),
);

function dmiValue(v: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex -- firmware strings can carry NULs and padding.
  const t = (v ?? '').replace(/[\x00-\x1f\x7f]/g, '').trim();
  if (t === '' || DMI_PLACEHOLDERS.has(t.toLowerCase())) return null;
  return clip(t, 256);
}

function uuidValue(v: string | undefined): string | null {
  const t = dmiValue(v)?.toLowerCase() ?? null;
  return t && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t) ? t : null;
}

function biosDateValue(v: string | undefined): string | null {
  const t = dmiValue(v);
  const m = t ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t) : null;
  return m ? `${m[3]}-${m[1]}-${m[2]}` : t;
}

function emptyDmi(): DmiFacts {
  return {
    manufacturer: null,
    model: null,
    serial: null,
    systemUuid: null,
    biosVendor: null,
    biosVersion: null,
    biosDate: null,
    permissionDenied: [],
  };
}

const DMI_FILE_FIELDS: Record<string, keyof Omit<DmiFacts, 'permissionDenied'>> = {
  sys_vendor: 'manufacturer',
  product_name: 'model',
  product_serial: 'serial',
  product_uuid: 'systemUuid',
  bios_vendor: 'biosVendor',
  bios_version: 'biosVersion',
  bios_date: 'biosDate',
};

/**
 * Parses `grep -H . /sys/class/dmi/id/{sys_vendor,product_name,product_serial,product_uuid,
 * bios_vendor,bios_version,bios_date} 2>&1` (`path:value` lines). `product_serial` and
 * `product_uuid` are root-only: their `Permission denied` lines land in `permissionDenied`.
 *
 * @example
 * parseDmiIdFiles('/sys/class/dmi/id/sys_vendor:QEMU\ngrep: /sys/class/dmi/id/product_serial: Permission denied\n').data
 * // → { manufacturer: 'QEMU', serial: null, permissionDenied: ['product_serial'], … }
 */
export function parseDmiIdFiles(output: string): SectionResult<DmiFacts> {
  const warnings = warningList();
  const data = emptyDmi();
  let seen = 0;
  for (const line of splitLines(output, 200).lines) {
    const denied = /([a-z_]+): Permission denied\s*$/.exec(line);
    if (denied && DMI_FILE_FIELDS[denied[1] as string]) {
      data.permissionDenied.push(denied[1] as string);
      warnings.add(`${denied[1]}: permission denied`);
      continue;
    }
    if (/^[a-z]+: /.test(line) || /No such file or directory\s*$/.test(line)) continue;
    const m = /^(?:.*\/)?([a-z_]+):(.*)$/.exec(line);
    const field = m ? DMI_FILE_FIELDS[m[1] as string] : undefined;
    if (!m || !field) continue;
    seen += 1;
    const raw = m[2] as string;
    if (field === 'systemUuid') data.systemUuid = uuidValue(raw);
    else if (field === 'biosDate') data.biosDate = biosDateValue(raw);
    else data[field] = dmiValue(raw);
  }
  if (seen === 0) {
    const why = data.permissionDenied.length ? warnings.list() : ['no DMI files readable'];
    return { state: 'unsupported', data, warnings: why };
  }
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

/**
 * Parses `dmidecode -t system -t bios` (root). Without root it prints only errors
 * (`/dev/mem: Permission denied`): state `unsupported`, `permissionDenied: ['dmidecode']`.
 *
 * @example
 * parseDmidecode('Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: Dell Inc.\n').data.manufacturer
 * // → 'Dell Inc.'
 */
export function parseDmidecode(output: string): SectionResult<DmiFacts> {
  const data = emptyDmi();
  const warnings = warningList();
  let section = '';
  let seen = 0;
  for (const line of splitLines(output, 5000).lines) {
    if (/Permission denied|must be root/i.test(line)) {
      if (!data.permissionDenied.includes('dmidecode')) data.permissionDenied.push('dmidecode');
      continue;
    }
    if (/^\S/.test(line)) {
      section = line.trim();
      continue;
    }
    const m = /^\t([^:\t]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    const [key, value] = [m[1] as string, m[2] as string];
    if (section === 'System Information') {
      seen += 1;
      if (key === 'Manufacturer') data.manufacturer = dmiValue(value);
      else if (key === 'Product Name') data.model = dmiValue(value);
      else if (key === 'Serial Number') data.serial = dmiValue(value);
      else if (key === 'UUID') data.systemUuid = uuidValue(value);
    } else if (section === 'BIOS Information') {
      seen += 1;
      if (key === 'Vendor') data.biosVendor = dmiValue(value);
      else if (key === 'Version') data.biosVersion = dmiValue(value);
      else if (key === 'Release Date') data.biosDate = biosDateValue(value);
    }
  }
  if (seen === 0) {
    const why = data.permissionDenied.length
      ? 'dmidecode: permission denied'
      : 'dmidecode: no System or BIOS Information';
    return { state: 'unsupported', data, warnings: [why] };
  }
  if (data.manufacturer === null && data.model === null)
    warnings.add('dmidecode: no System Information');
  if (data.biosVendor === null) warnings.add('dmidecode: no BIOS Information');
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

/** Devices that are not storage: RAM disks, compressed swap in RAM, loop-mounted images. */
function isVirtualBlock(name: string, type: string): boolean {
  return type === 'loop' || /^(loop|ram|zram)\d/.test(name);
}

function sizeOf(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return intOrNull(v);
  return null;
}

function str(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : clip(t, 256);
}

/** lsblk ≥ 2.37 can print `mountpoints: [...]`; older ones `mountpoint`. */
function mountOf(node: Record<string, unknown>): string | null {
  if (Array.isArray(node.mountpoints))
    return str(node.mountpoints.find((m) => typeof m === 'string'));
  return str(node.mountpoint);
}

/**
 * Parses `lsblk -J -b -o NAME,KNAME,TYPE,SIZE,MODEL,SERIAL,FSTYPE,MOUNTPOINT`. Sizes are numbers
 * (util-linux ≥ 2.33) or digit strings (older). Loop, RAM and zram devices are ignored;
 * everything below a disk becomes a `Partition` with its parent's name.
 *
 * @example
 * parseLsblkJson('{"blockdevices":[{"name":"sda","kname":"sda","type":"disk","size":1024,"model":"X","serial":null,"fstype":null,"mountpoint":null}]}').data.disks[0]?.sizeBytes
 * // → 1024
 */
export function parseLsblkJson(output: string): SectionResult<DiskFacts> {
  const warnings = warningList();
  const data: DiskFacts = { disks: [], partitions: [] };
  const parsed = parseJsonPrefix(output);
  if (!parsed) {
    return {
      state: 'unsupported',
      data,
      warnings: ['lsblk: output is not JSON (error text or old lsblk)'],
    };
  }
  if (parsed.truncated) warnings.add('lsblk: output cut short, later devices lost');
  const top = (parsed.value as { blockdevices?: unknown } | null)?.blockdevices;
  if (!Array.isArray(top)) {
    return { state: 'unsupported', data, warnings: ['lsblk: no blockdevices array'] };
  }
  const walk = (node: unknown, parent: string | null, depth: number): void => {
    if (data.disks.length + data.partitions.length >= MAX_ITEMS) {
      warnings.add(`lsblk: more than ${MAX_ITEMS} devices, rest ignored`);
      return;
    }
    if (typeof node !== 'object' || node === null || depth > 16) return;
    const n = node as Record<string, unknown>;
    const name = str(n.name);
    const type = str(n.type) ?? 'unknown';
    if (!name) {
      warnings.add('lsblk: device without a name');
      return;
    }
    if (isVirtualBlock(name, type)) return;
    const common = {
      name,
      kname: str(n.kname) ?? name,
      type,
      sizeBytes: sizeOf(n.size),
      fsType: str(n.fstype),
      mountPoint: mountOf(n),
    };
    if (parent === null) {
      data.disks.push({ ...common, model: str(n.model), serial: str(n.serial) });
    } else {
      data.partitions.push({ ...common, parent });
    }
    if (Array.isArray(n.children)) for (const c of n.children) walk(c, name, depth + 1);
  };
  for (const node of top) walk(node, null, 0);
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

/**
 * Parses `/proc/partitions` (`major minor #blocks name`, blocks of 1 KiB): the fallback when
 * lsblk is missing (busybox systems). A name that is another name plus digits (`sda1`,
 * `nvme0n1p1`, `mmcblk0p1`) is that device's partition.
 *
 * @example
 * parseProcPartitions('major minor  #blocks  name\n\n   8  0  1024 sda\n   8  1  512 sda1\n').data.partitions[0]?.parent
 * // → 'sda'
 */
export function parseProcPartitions(output: string): SectionResult<DiskFacts> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output, MAX_ITEMS);
  if (truncated) warnings.add('/proc/partitions: truncated');
  const rows: { name: string; sizeBytes: number }[] = [];
  let header = false;
  for (const line of lines) {
    if (/^\s*major\s+minor/.test(line)) {
      header = true;
      continue;
    }
    if (line.trim() === '') continue;
    const m = /^\s*\d+\s+\d+\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (!m) {
      warnings.add(`/proc/partitions: unreadable line: ${clip(line, 80)}`);
      continue;
    }
    const name = m[2] as string;
    if (!isVirtualBlock(name, '')) rows.push({ name, sizeBytes: Number(m[1]) * KIB });
  }
  const data: DiskFacts = { disks: [], partitions: [] };
  const names = new Set(rows.map((r) => r.name));
  for (const r of rows) {
    const pm = /^(.*?\D)p?(\d+)$/.exec(r.name);
    const parent = pm
      ? [pm[1] as string, (pm[1] as string).replace(/p$/, '')].find(
          (p) => p !== r.name && names.has(p),
        )
      : undefined;
    const base = {
      name: r.name,
      kname: r.name,
      sizeBytes: r.sizeBytes,
      fsType: null,
      mountPoint: null,
    };
    if (parent) data.partitions.push({ ...base, type: 'part', parent });
    else data.disks.push({ ...base, type: 'disk', model: null, serial: null });
  }
  if (!header && rows.length === 0) {
    return { state: 'unsupported', data, warnings: ['/proc/partitions: no header'] };
  }
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}

const DF_ROW = /^(.*?)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\d+%|-)\s+(\/.*)$/;

/**
 * Parses POSIX `df -P -k` (GNU, busybox, macOS, FreeBSD). Mount points and sources may contain
 * spaces (`map auto_home`); a row wrapped onto two lines is joined; zero-size pseudo
 * filesystems are skipped. Output without the POSIX header (AIX `df -k`, Solaris, an error)
 * is `unsupported`.
 *
 * @example
 * parseDfPosix('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 40 60 40% /\n').data[0]
 * // → { source: '/dev/sda1', mountPoint: '/', sizeBytes: 102400, usedBytes: 40960, availableBytes: 61440, usedPercent: 40 }
 */
export function parseDfPosix(output: string): SectionResult<Filesystem[]> {
  const warnings = warningList();
  const { lines, truncated } = splitLines(output, MAX_ITEMS);
  if (truncated) warnings.add('df: output truncated');
  const data: Filesystem[] = [];
  const headerAt = lines.findIndex((l) => /^Filesystem\s+(1024|1K)-blocks\s+Used\s+Avail/i.test(l));
  if (headerAt < 0) {
    return { state: 'unsupported', data, warnings: ['df: no POSIX header (df -P -k)'] };
  }
  let pending = '';
  for (const line of lines.slice(headerAt + 1)) {
    if (line.trim() === '') continue;
    const joined = pending ? `${pending} ${line.trim()}` : line;
    const m = DF_ROW.exec(joined);
    if (!m) {
      if (!pending && !/\s/.test(line.trim())) {
        pending = line.trim();
        continue;
      }
      warnings.add(`df: unreadable line: ${clip(joined, 80)}`);
      pending = '';
      continue;
    }
    pending = '';
    const size = Number(m[2]) * KIB;
    if (size === 0) continue;
    data.push({
      source: clip((m[1] as string).trim(), 256),
      mountPoint: clip(m[6] as string, 1024),
      sizeBytes: size,
      usedBytes: Number(m[3]) * KIB,
      availableBytes: Number(m[4]) * KIB,
      usedPercent: m[5] === '-' ? null : Number((m[5] as string).slice(0, -1)),
    });
  }
  if (pending) warnings.add(`df: truncated last line: ${clip(pending, 80)}`);
  return { state: stateOf(warnings.list(), false), data, warnings: warnings.list() };
}
