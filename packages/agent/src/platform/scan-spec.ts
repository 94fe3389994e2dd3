// What the platform may ask to scan, over the control channel (`scan.start`, a `Schedule`):
// targets, excludes, protocols and ports in the CLI's syntax, checked as the CLI checks them —
// except that @file lists are refused (the platform must not make the agent read local files).
// Also the five-field cron syntax of schedules. Pure but for the target parser.
import { parsePorts, type PortSet } from '../discovery/ports.js';
import { checkSize, countAddresses, parseTargets } from '../discovery/targets/index.js';
import type { Config } from '../config/config.js';
import { parseProtocols } from '../scan/scan-job.js';
import type { Schedule } from '../store/schedules.js';
import { CommandError } from './control-channel.js';
import { isPlainObject } from './envelope.js';

/** A scan request as the CLI would take it (`--protocols` and `--ports` as text). */
export interface ScanSpec {
  targets: string[];
  excludes: string[];
  /** `--protocols` text; undefined = all. */
  protocols: string | undefined;
  /** `--ports` text; undefined = the config's. */
  ports: string | undefined;
}

const MAX_TARGET_TOKENS = 10_000;
const MAX_TOKEN_LENGTH = 1024;
const MAX_SCHEDULES = 1000;
const SCHEDULE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const bad = (message: string) => new CommandError('bad_request', message);

function stringList(value: unknown, field: string, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (
    !Array.isArray(value) ||
    value.length > MAX_TARGET_TOKENS ||
    !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_TOKEN_LENGTH)
  ) {
    throw bad(
      `${field} must be an array of up to ${MAX_TARGET_TOKENS} non-empty strings (the CLI's target syntax)`,
    );
  }
  if (required && value.length === 0) throw bad(`${field} needs at least one target`);
  return value as string[];
}

/** Reads `{targets, excludes?, protocols?, ports?}` (types only); `where` prefixes messages. */
export function readScanSpec(payload: Record<string, unknown>, where = ''): ScanSpec {
  const targets = stringList(payload.targets, `${where}targets`, true);
  const excludes = stringList(payload.excludes, `${where}excludes`, false);
  let protocols: string | undefined;
  const p = payload.protocols;
  if (p === 'none') protocols = 'none';
  else if (p !== undefined) {
    if (!Array.isArray(p) || p.length === 0 || !p.every((v) => typeof v === 'string')) {
      throw bad(`${where}protocols must be "none" or a non-empty array of protocol names`);
    }
    protocols = p.join(',');
  }
  const ports = payload.ports;
  if (ports !== undefined && (typeof ports !== 'string' || ports.length > MAX_TOKEN_LENGTH)) {
    throw bad(`${where}ports must be a string in the CLI's --ports syntax`);
  }
  return { targets, excludes, protocols, ports };
}

/**
 * Checks a spec the way `scan` does before sending anything (syntax, size without
 * --allow-large, known protocols, ports) and refuses @file targets. Returns the ports.
 */
export function checkScanSpec(spec: ScanSpec, config: Config, where = ''): PortSet {
  try {
    const noFiles = { allowFiles: false };
    const targets = parseTargets(spec.targets, noFiles);
    const excludes = parseTargets(spec.excludes, noFiles);
    checkSize(countAddresses(targets, excludes), false);
    parseProtocols(spec.protocols);
    const ports =
      spec.ports === undefined
        ? { tcp: config.scan.tcpPorts, udp: config.scan.udpPorts }
        : parsePorts(spec.ports, config.scan.profiles);
    if (ports.tcp.length === 0 && ports.udp.length === 0) throw bad('ports selects no port');
    return ports;
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw bad(`${where}${(err as Error).message}`);
  }
}

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 0 and 7 are both Sunday, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** A value of `field`: a number in range, or (month, day of week) a three-letter name. */
function cronValue(text: string, field: CronField): number | null {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : null;
  }
  const i = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return i < 0 ? null : i + (field.name === 'month' ? 1 : 0);
}

/** Why one comma-separated item of a cron field is wrong; null when it is right. */
function cronItemError(item: string, field: CronField): string | null {
  const [range, step, extra] = item.split('/');
  if (extra !== undefined || range === undefined || range === '') return 'malformed';
  if (step !== undefined) {
    const n = /^\d{1,2}$/.test(step) ? Number(step) : 0;
    if (n < 1 || n > field.max) return `step '${step}' must be 1-${field.max}`;
  }
  if (range === '*') return null;
  const [from, to, more] = range.split('-');
  if (more !== undefined) return 'malformed range';
  const a = cronValue(from ?? '', field);
  if (a === null) return `'${from}' is not ${field.min}-${field.max}`;
  if (to === undefined) return null;
  const b = cronValue(to, field);
  if (b === null) return `'${to}' is not ${field.min}-${field.max}`;
  return a <= b ? null : `range ${from}-${to} runs backwards`;
}

/**
 * Checks a five-field cron expression (minute hour day-of-month month day-of-week; `*`, lists,
 * ranges, steps, JAN-DEC and SUN-SAT names). Throws bad_request naming the field; macros such as
 * `@daily` and six-field (seconds) forms are refused.
 * @example checkCron('30 2 * * MON-FRI') // ok
 */
export function checkCron(expr: string, where = 'cron'): void {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 || expr.length > 256) {
    throw bad(
      `${where} '${expr}' must have five fields: minute hour day-of-month month day-of-week`,
    );
  }
  fields.forEach((text, i) => {
    const field = CRON_FIELDS[i]!;
    for (const item of text.split(',')) {
      const why = cronItemError(item, field);
      if (why) throw bad(`${where} '${expr}': ${field.name} '${item}': ${why}`);
    }
  });
}

/** Validates `schedules.put`'s list: shapes, unique ids, cron, and each scan spec. */
export function readSchedules(payload: Record<string, unknown>, config: Config): Schedule[] {
  const list = payload.schedules;
  if (!Array.isArray(list) || list.length > MAX_SCHEDULES) {
    throw bad(`schedules must be an array of at most ${MAX_SCHEDULES} schedules`);
  }
  const seen = new Set<string>();
  return list.map((raw, i): Schedule => {
    const where = `schedules[${i}].`;
    if (!isPlainObject(raw)) throw bad(`schedules[${i}] must be an object`);
    const { id, name, cron, enabled } = raw;
    if (typeof id !== 'string' || !SCHEDULE_ID.test(id)) {
      throw bad(`${where}id must be 1-64 of A-Z a-z 0-9 . _ -`);
    }
    if (seen.has(id)) throw bad(`${where}id '${id}' is used twice`);
    seen.add(id);
    if (typeof name !== 'string' || name.trim() === '' || name.length > 128) {
      throw bad(`${where}name must be a string of 1-128 characters`);
    }
    if (typeof cron !== 'string') throw bad(`${where}cron must be a string`);
    checkCron(cron, `${where}cron`);
    if (typeof enabled !== 'boolean') throw bad(`${where}enabled must be true or false`);
    const spec = readScanSpec(raw, where);
    checkScanSpec(spec, config, where);
    return {
      id,
      name,
      cron: cron.trim().split(/\s+/).join(' '),
      targets: spec.targets,
      ...(raw.excludes === undefined ? {} : { excludes: spec.excludes }),
      ...(raw.protocols === undefined ? {} : { protocols: raw.protocols as Schedule['protocols'] }),
      ...(spec.ports === undefined ? {} : { ports: spec.ports }),
      enabled,
    };
  });
}
