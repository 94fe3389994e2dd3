// When a schedule runs: its slots (daily, weekly, every N hours or cron, in its time zone, moved
// by its stagger), its blackout windows, and how it reads in a table. Pure: every clock reading
// is an argument. Cron arithmetic (DST included) is croner's.
import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { Schedule } from '../store/schedules.js';

export { WEEKDAYS, type Weekday } from './schedule.js';

/** What decides a schedule's slots (the rest of `Schedule` does not move them). */
export type ScheduleTiming = Pick<
  Schedule,
  'id' | 'cron' | 'daily' | 'weekly' | 'everyHours' | 'timezone' | 'staggerSeconds'
>;

const HOUR_MS = 3_600_000;
/** `nextRun` looks this many slots ahead for one outside the blackouts (a per-minute cron has
 * 1440 a day) before giving up. */
const MAX_BLACKOUT_SKIPS = 2000;

/**
 * Reads a 24-hour `H:MM` or `HH:MM` clock time as minutes after midnight; null when malformed.
 * @example parseClock('02:30') // 150
 */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? h * 60 + min : null;
}

/** Minutes after midnight as `HH:MM`. */
export function formatClock(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** A blackout window in the schedule's time zone: [start, end) in minutes; wraps past midnight
 * when end < start (`22:00-06:00`). */
export interface BlackoutWindow {
  start: number;
  end: number;
}

/**
 * Reads `HH:MM-HH:MM`; null when malformed or empty (start equal to end).
 * @example parseWindow('22:00-06:00') // {start: 1320, end: 360}
 */
export function parseWindow(text: string): BlackoutWindow | null {
  const [from, to, more] = text.split('-');
  if (from === undefined || to === undefined || more !== undefined) return null;
  const start = parseClock(from.trim());
  const end = parseClock(to.trim());
  return start === null || end === null || start === end ? null : { start, end };
}

/** True when `tz` is an IANA time zone this Node knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The five-field cron the timing amounts to; null for `everyHours`, which is not one. */
export function timingCron(s: ScheduleTiming): string | null {
  if (s.cron !== undefined) return s.cron;
  const at = s.daily ?? s.weekly?.at;
  if (at === undefined) return null;
  const minutes = parseClock(at) ?? 0;
  const days = s.weekly ? s.weekly.days.join(',').toUpperCase() : '*';
  return `${minutes % 60} ${Math.floor(minutes / 60)} * * ${days}`;
}

/**
 * The schedule's stagger as a fixed offset: the same schedule id always gets the same offset
 * (so its runs stay evenly spaced), different ids spread over 0..staggerSeconds.
 */
export function staggerOffsetMs(s: Pick<Schedule, 'id' | 'staggerSeconds'>): number {
  const spread = s.staggerSeconds ?? 0;
  if (spread <= 0) return 0;
  const n = createHash('sha256').update(s.id).digest().readUInt32BE(0);
  return (n % (spread + 1)) * 1000;
}

interface SlotFinder {
  /** The first slot strictly after `after`. */
  next(after: Date): Date | null;
  /** The last slot at or before `atOrBefore`. */
  previous(atOrBefore: Date): Date | null;
}

/** The schedule's slots, stagger included (one croner instance for many questions). */
function slotFinder(s: ScheduleTiming): SlotFinder {
  const offset = staggerOffsetMs(s);
  const shifted = (d: Date | null | undefined) => (d ? new Date(d.getTime() + offset) : null);
  if (s.everyHours !== undefined) {
    // Counted from 1970-01-01 00:00 UTC: exact intervals, unmoved by DST or restarts.
    const period = s.everyHours * HOUR_MS;
    return {
      next: (after) =>
        new Date((Math.floor((after.getTime() - offset) / period) + 1) * period + offset),
      previous: (at) => new Date(Math.floor((at.getTime() - offset) / period) * period + offset),
    };
  }
  // No callback: croner only computes dates, it starts no timer.
  const cron = new Cron(timingCron(s)!, {
    mode: '5-part',
    ...(s.timezone ? { timezone: s.timezone } : {}),
  });
  return {
    next: (after) => shifted(cron.nextRun(new Date(after.getTime() - offset))),
    // previousRuns is strictly before its reference; one millisecond more makes it "at or before".
    previous: (at) => shifted(cron.previousRuns(1, new Date(at.getTime() - offset + 1))[0]),
  };
}

/** The first slot strictly after `after` (stagger included); null when there is none. */
export function nextSlot(s: ScheduleTiming, after: Date): Date | null {
  return slotFinder(s).next(after);
}

/** The last slot at or before `atOrBefore` (stagger included); null when there is none. */
export function previousSlot(s: ScheduleTiming, atOrBefore: Date): Date | null {
  return slotFinder(s).previous(atOrBefore);
}

/** A 24-hour `HH:MM` formatter (plus `fields`) on the clock of `timezone` (the agent's when
 * undefined). */
function zonedClock(
  timezone: string | undefined,
  fields: Intl.DateTimeFormatOptions = {},
): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    ...fields,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timezone ? { timeZone: timezone } : {}),
  });
}

type Blackouts = (at: Date) => string | null;

/** A test for the schedule's blackout windows (one formatter for many questions). */
function blackoutTest(s: Pick<Schedule, 'blackouts' | 'timezone'>): Blackouts {
  const windows = (s.blackouts ?? []).flatMap((text) => {
    const w = parseWindow(text);
    return w ? [{ ...w, text }] : [];
  });
  if (windows.length === 0) return () => null;
  const clock = zonedClock(s.timezone);
  return (at) => {
    const [h, m] = clock.format(at).split(':').map(Number);
    const minutes = (h ?? 0) * 60 + (m ?? 0);
    const hit = windows.find((w) =>
      w.start < w.end
        ? minutes >= w.start && minutes < w.end
        : minutes >= w.start || minutes < w.end,
    );
    return hit?.text ?? null;
  };
}

/** The blackout window (as written) that `at` falls in, in the schedule's time zone; or null. */
export function blackoutAt(s: Pick<Schedule, 'blackouts' | 'timezone'>, at: Date): string | null {
  return blackoutTest(s)(at);
}

/**
 * The next time the schedule will really run after `after`: its next slot outside every
 * blackout window. Null when there is none within MAX_BLACKOUT_SKIPS slots.
 * @example nextRun({id: 'n', daily: '02:00', timezone: 'UTC', blackouts: ['01:00-03:00']}, now) // null
 */
export function nextRun(s: ScheduleTiming & Pick<Schedule, 'blackouts'>, after: Date): Date | null {
  const slots = slotFinder(s);
  const blackout = blackoutTest(s);
  let at: Date | null = after;
  for (let i = 0; i < MAX_BLACKOUT_SKIPS; i++) {
    at = slots.next(at);
    if (at === null || blackout(at) === null) return at;
  }
  return null;
}

/** How the timing reads in `schedule list`: `daily 02:30 Europe/Berlin, stagger 300 s`. */
export function describeTiming(s: ScheduleTiming): string {
  let what: string;
  if (s.daily !== undefined) what = `daily ${s.daily}`;
  else if (s.weekly !== undefined) what = `weekly ${s.weekly.days.join(',')}@${s.weekly.at}`;
  else if (s.everyHours !== undefined) what = `every ${s.everyHours} h`;
  else what = `cron ${s.cron ?? '?'}`;
  const tz = s.timezone ? ` ${s.timezone}` : '';
  const stagger = s.staggerSeconds ? `, stagger ${s.staggerSeconds} s` : '';
  return `${what}${tz}${stagger}`;
}

/** `2025-03-27 02:30 Europe/Berlin`: a time as the schedule's clock shows it. */
export function formatInZone(at: Date, timezone: string | undefined): string {
  const parts = zonedClock(timezone, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZoneName: 'short',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${timezone ?? get('timeZoneName')}`;
}
