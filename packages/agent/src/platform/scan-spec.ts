// What the platform may ask to scan, over the control channel (`scan.start`, a `Schedule`):
// targets, excludes, protocols and ports in the CLI's syntax, checked as the CLI checks them —
// except that @file lists are refused (the platform must not make the agent read local files).
// Also schedules (readSchedule: the one validation of the platform, the CLI and the scheduler)
// and the five-field cron syntax. Pure but for the target parser.
import { parsePorts, type PortSet } from '../discovery/ports.js';
import { checkSize, countAddresses, parseTargets } from '../discovery/targets/index.js';
import type { Config } from '../config/config.js';
import { parseProtocols } from '../scan/scan-job.js';
import { formatClock, isTimeZone, parseClock, parseWindow, WEEKDAYS } from '../scheduler/timing.js';
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

const TIMINGS = ['cron', 'daily', 'weekly', 'everyHours'] as const;
const MAX_EVERY_HOURS = 168;
const MAX_STAGGER_SECONDS = 3600;
const MAX_BLACKOUTS = 24;

/** `HH:MM` normalised, or bad_request naming the field. */
function clock(value: unknown, field: string): string {
  const minutes = typeof value === 'string' ? parseClock(value) : null;
  if (minutes === null)
    throw bad(`${field} must be a 24-hour time HH:MM, got ${JSON.stringify(value)}`);
  return formatClock(minutes);
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw bad(`${field} must be a whole number ${min}-${max}`);
  }
  return value as number;
}

/** The timing fields of a schedule: exactly one of cron, daily, weekly, everyHours; its time
 * zone, blackout windows and stagger. Normalised (cron spacing, HH:MM, week order). */
function readTiming(raw: Record<string, unknown>, where: string): Partial<Schedule> {
  const given = TIMINGS.filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    throw bad(
      `${where}timing: give exactly one of ${TIMINGS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}`,
    );
  }
  const out: Partial<Schedule> = {};
  const { cron, daily, weekly, everyHours, timezone, blackouts, staggerSeconds } = raw;
  if (cron !== undefined) {
    if (typeof cron !== 'string') throw bad(`${where}cron must be a string`);
    checkCron(cron, `${where}cron`);
    out.cron = cron.trim().split(/\s+/).join(' ');
  }
  if (daily !== undefined) out.daily = clock(daily, `${where}daily`);
  if (weekly !== undefined) {
    const days = isPlainObject(weekly) ? weekly.days : undefined;
    const names = Array.isArray(days) ? days.map((d) => String(d).toLowerCase()) : [];
    if (names.length === 0 || !names.every((d) => (WEEKDAYS as readonly string[]).includes(d))) {
      throw bad(
        `${where}weekly must be {days: [${WEEKDAYS.join('|')}, ...], at: "HH:MM"} with at least one day`,
      );
    }
    out.weekly = {
      days: WEEKDAYS.filter((d) => names.includes(d)),
      at: clock((weekly as Record<string, unknown>).at, `${where}weekly.at`),
    };
  }
  if (everyHours !== undefined) {
    out.everyHours = integer(everyHours, `${where}everyHours`, 1, MAX_EVERY_HOURS);
  }
  if (timezone !== undefined) {
    if (typeof timezone !== 'string' || timezone.length > 64 || !isTimeZone(timezone)) {
      throw bad(`${where}timezone must be an IANA time zone such as Europe/Berlin or UTC`);
    }
    out.timezone = timezone;
  }
  if (blackouts !== undefined) {
    if (!Array.isArray(blackouts) || blackouts.length > MAX_BLACKOUTS) {
      throw bad(`${where}blackouts must be an array of at most ${MAX_BLACKOUTS} windows`);
    }
    out.blackouts = blackouts.map((b, i) => {
      const w = typeof b === 'string' ? parseWindow(b) : null;
      if (!w) throw bad(`${where}blackouts[${i}] must be HH:MM-HH:MM (start not equal to end)`);
      return `${formatClock(w.start)}-${formatClock(w.end)}`;
    });
  }
  if (staggerSeconds !== undefined) {
    out.staggerSeconds = integer(staggerSeconds, `${where}staggerSeconds`, 0, MAX_STAGGER_SECONDS);
  }
  return out;
}

/**
 * Validates one schedule as the platform (`schedules.put`), the CLI (`schedule add`) and the
 * scheduler (before each run) all do: id, name, timing, enabled, and its scan spec as `scan`
 * checks it (no @file targets). Returns it normalised; throws bad_request naming the field.
 * @example readSchedule({id: 'n', name: 'Nightly', daily: '2:30', targets: ['198.18.0.0/24'], enabled: true}, config)
 */
export function readSchedule(raw: Record<string, unknown>, config: Config, where = ''): Schedule {
  const { id, name, enabled } = raw;
  if (typeof id !== 'string' || !SCHEDULE_ID.test(id)) {
    throw bad(`${where}id must be 1-64 of A-Z a-z 0-9 . _ -`);
  }
  if (typeof name !== 'string' || name.trim() === '' || name.length > 128) {
    throw bad(`${where}name must be a string of 1-128 characters`);
  }
  const timing = readTiming(raw, where);
  if (typeof enabled !== 'boolean') throw bad(`${where}enabled must be true or false`);
  const spec = readScanSpec(raw, where);
  checkScanSpec(spec, config, where);
  return {
    id,
    name,
    ...timing,
    targets: spec.targets,
    ...(raw.excludes === undefined ? {} : { excludes: spec.excludes }),
    ...(raw.protocols === undefined ? {} : { protocols: raw.protocols as Schedule['protocols'] }),
    ...(spec.ports === undefined ? {} : { ports: spec.ports }),
    enabled,
  };
}

/** Validates `schedules.put`'s list: each schedule (readSchedule) and unique ids. */
export function readSchedules(payload: Record<string, unknown>, config: Config): Schedule[] {
  const list = payload.schedules;
  if (!Array.isArray(list) || list.length > MAX_SCHEDULES) {
    throw bad(`schedules must be an array of at most ${MAX_SCHEDULES} schedules`);
  }
  const seen = new Set<string>();
  return list.map((raw, i): Schedule => {
    if (!isPlainObject(raw)) throw bad(`schedules[${i}] must be an object`);
    const schedule = readSchedule(raw, config, `schedules[${i}].`);
    if (seen.has(schedule.id)) throw bad(`schedules[${i}].id '${schedule.id}' is used twice`);
    seen.add(schedule.id);
    return schedule;
  });
}
