// HOST-RESOURCES-MIB (1.3.6.1.2.1.25): memory, storage, processors, installed and running software.
import type { SnmpVarbind } from '../../../transports/snmp/snmp-session.js';
import * as V from './varbinds.js';
import type { SectionResult } from './varbinds.js';

export const HR = {
  system: '1.3.6.1.2.1.25.1',
  memorySize: '1.3.6.1.2.1.25.2.2',
  storageEntry: '1.3.6.1.2.1.25.2.3.1',
  deviceEntry: '1.3.6.1.2.1.25.3.2.1',
  processorEntry: '1.3.6.1.2.1.25.3.3.1',
  swRunEntry: '1.3.6.1.2.1.25.4.2.1',
  swRunPerfEntry: '1.3.6.1.2.1.25.5.1.1',
  swInstalledEntry: '1.3.6.1.2.1.25.6.3.1',
} as const;

/** hrStorageTypes (1.3.6.1.2.1.25.2.1.N) and hrDeviceTypes (1.3.6.1.2.1.25.3.1.N) by last arc. */
const STORAGE_TYPES = [
  '',
  'other',
  'ram',
  'virtualMemory',
  'fixedDisk',
  'removableDisk',
  'floppyDisk',
  'compactDisc',
  'ramDisk',
  'flashMemory',
  'networkDisk',
];
const DEVICE_TYPES = [
  '',
  'other',
  'unknown',
  'processor',
  'network',
  'printer',
  'diskStorage',
  'video',
  'audio',
  'coprocessor',
  'keyboard',
  'modem',
  'parallelPort',
  'pointing',
  'serialPort',
  'tape',
  'clock',
  'volatileMemory',
  'nonVolatileMemory',
];
const SW_TYPES = ['', 'unknown', 'operatingSystem', 'deviceDriver', 'application'];
const RUN_STATUS = ['', 'running', 'runnable', 'notRunnable', 'invalid'];

export interface HrStorage {
  index: number;
  type: string | null;
  description: string | null;
  sizeBytes: number | null;
  usedBytes: number | null;
}

export interface HrDevice {
  index: number;
  type: string | null;
  description: string | null;
  /** For processors: hrProcessorLoad, percent over the last minute. */
  loadPercent: number | null;
}

export interface HrHardware {
  memoryBytes: number | null;
  storage: HrStorage[];
  /** hrDeviceTable rows of type processor, with their load. */
  processors: HrDevice[];
  /** Every hrDeviceTable row (processors, printers, disks, network…). */
  devices: HrDevice[];
  /** hrSystemProcesses and hrSystemNumUsers when answered. */
  processCount: number | null;
  userCount: number | null;
}

export interface HrInstalledSoftware {
  name: string;
  type: string | null;
  /** hrSWInstalledDate as ISO 8601 when it is a real date (agents send 0000-01-01 for unknown). */
  installedAt: string | null;
}

export interface HrProcess {
  pid: number;
  name: string;
  path: string | null;
  parameters: string | null;
  type: string | null;
  status: string | null;
  cpuCentiseconds: number | null;
  memoryBytes: number | null;
}

const typeArc = (vb: SnmpVarbind | undefined, names: string[]): string | null => {
  const oid = V.oidValue(vb);
  const last = oid ? Number(oid.split('.').pop()) : NaN;
  return names[last] || null;
};

/**
 * A DateAndTime (RFC 2579: 8 or 11 octets) as ISO 8601; null for year 0 or impossible fields.
 * @example dateAndTime(Buffer.from('07e70b1d0a1e0000', 'hex')) // → '2023-11-29T10:30:00'
 */
export function dateAndTime(b: Buffer | null): string | null {
  if (b === null || (b.length !== 8 && b.length !== 11)) return null;
  const year = b.readUInt16BE(0);
  const [mo, d, h, mi, s] = [b[2], b[3], b[4], b[5], b[6]] as number[];
  if (year < 1970 || mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 60)
    return null;
  const p = (n: number): string => String(n).padStart(2, '0');
  let iso = `${year}-${p(mo!)}-${p(d!)}T${p(h!)}:${p(mi!)}:${p(s!)}`;
  if (b.length === 11)
    iso += `${String.fromCharCode(b[8] as number)}${p(b[9] as number)}:${p(b[10] as number)}`;
  return iso;
}

/**
 * Memory, storage and devices. `unsupported` when neither hrStorage nor hrDevice answered.
 * @example parseHrHardware(vbs).data.memoryBytes // → 1051844608
 */
export function parseHrHardware(varbinds: readonly SnmpVarbind[]): SectionResult<HrHardware> {
  const storage = V.tableRows(varbinds, HR.storageEntry);
  const devices = V.tableRows(varbinds, HR.deviceEntry);
  const procs = V.tableRows(varbinds, HR.processorEntry);
  const warnings = V.warningList();
  const memKb = V.num(V.scalar(varbinds, HR.memorySize));
  const data: HrHardware = {
    memoryBytes: memKb === null ? null : memKb * 1024,
    storage: [],
    processors: [],
    devices: [],
    processCount: V.num(V.scalar(varbinds, `${HR.system}.6`)),
    userCount: V.num(V.scalar(varbinds, `${HR.system}.5`)),
  };
  for (const row of storage.rows) {
    const c = row.columns;
    const unit = V.num(c.get(4));
    const size = V.num(c.get(5));
    const used = V.num(c.get(6));
    data.storage.push({
      index: Number(row.index),
      type: typeArc(c.get(2), STORAGE_TYPES),
      description: V.nonEmpty(c.get(3)),
      sizeBytes: unit !== null && size !== null ? unit * size : null,
      usedBytes: unit !== null && used !== null ? unit * used : null,
    });
  }
  const load = new Map(procs.rows.map((r) => [r.index, V.num(r.columns.get(2))]));
  for (const row of devices.rows) {
    const type = typeArc(row.columns.get(2), DEVICE_TYPES);
    const device: HrDevice = {
      index: Number(row.index),
      type,
      description: V.nonEmpty(row.columns.get(3)),
      loadPercent: load.get(row.index) ?? null,
    };
    data.devices.push(device);
    if (type === 'processor') data.processors.push(device);
  }
  if (storage.rows.length === 0 && devices.rows.length === 0 && memKb === null) {
    return { state: 'unsupported', data, warnings: ['hrStorage and hrDevice not answered'] };
  }
  const dropped = storage.dropped + devices.dropped + procs.dropped;
  const w = warnings.list();
  if (dropped > 0) w.push(`${dropped} host-resources values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}

/**
 * hrSWInstalledTable. `unsupported` when not answered.
 * @example parseHrSoftware(vbs).data[0] // → { name: 'adduser_3.134_all', type: 'application', installedAt: … }
 */
export function parseHrSoftware(
  varbinds: readonly SnmpVarbind[],
): SectionResult<HrInstalledSoftware[]> {
  const table = V.tableRows(varbinds, HR.swInstalledEntry);
  const warnings = V.warningList();
  const data: HrInstalledSoftware[] = [];
  for (const row of table.rows) {
    const name = V.nonEmpty(row.columns.get(2));
    if (name === null) {
      warnings.add(`hrSWInstalled ${row.index}: no name`);
      continue;
    }
    data.push({
      name,
      type: SW_TYPES[V.num(row.columns.get(4)) ?? 0] || null,
      installedAt: dateAndTime(V.bytes(row.columns.get(5))),
    });
  }
  if (table.rows.length === 0)
    return { state: 'unsupported', data, warnings: ['hrSWInstalledTable not answered'] };
  const w = warnings.list();
  if (table.dropped > 0) w.push(`${table.dropped} hrSWInstalled values dropped`);
  return { state: V.stateOf(table.dropped, w), data, warnings: w };
}

/**
 * hrSWRunTable joined with hrSWRunPerfTable. `unsupported` when not answered.
 * @example parseHrProcesses(vbs).data[0] // → { pid: 1, name: 'systemd', memoryBytes: 12288000, … }
 */
export function parseHrProcesses(varbinds: readonly SnmpVarbind[]): SectionResult<HrProcess[]> {
  const run = V.tableRows(varbinds, HR.swRunEntry);
  const perf = V.tableRows(varbinds, HR.swRunPerfEntry);
  const perfBy = new Map(perf.rows.map((r) => [r.index, r.columns]));
  const warnings = V.warningList();
  const data: HrProcess[] = [];
  for (const row of run.rows) {
    const pid = Number(row.index);
    const name = V.nonEmpty(row.columns.get(2));
    if (!Number.isInteger(pid) || name === null) {
      warnings.add(`hrSWRun ${row.index}: no name`);
      continue;
    }
    const p = perfBy.get(row.index);
    const memKb = V.num(p?.get(2));
    data.push({
      pid,
      name,
      path: V.nonEmpty(row.columns.get(4)),
      parameters: V.nonEmpty(row.columns.get(5)),
      type: SW_TYPES[V.num(row.columns.get(6)) ?? 0] || null,
      status: RUN_STATUS[V.num(row.columns.get(7)) ?? 0] || null,
      cpuCentiseconds: V.num(p?.get(1)),
      memoryBytes: memKb === null ? null : memKb * 1024,
    });
  }
  if (run.rows.length === 0)
    return { state: 'unsupported', data, warnings: ['hrSWRunTable not answered'] };
  const dropped = run.dropped + perf.dropped;
  const w = warnings.list();
  if (dropped > 0) w.push(`${dropped} hrSWRun values dropped`);
  return { state: V.stateOf(dropped, w), data, warnings: w };
}
