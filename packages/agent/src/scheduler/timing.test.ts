// Tests when schedules run: daily and weekly in their time zones (DST included), every N hours,
// cron, blackout windows (wrapping midnight), and the stagger's determinism. No clock is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schedule } from '../store/schedules.js';
import {
  blackoutAt,
  formatInZone,
  nextRun,
  nextSlot,
  parseWindow,
  previousSlot,
  staggerOffsetMs,
  timingCron,
} from './timing.js';

const at = (iso: string) => new Date(iso);
const base: Schedule = { id: 's1', name: 'S', targets: ['198.18.0.1'], enabled: true };
const iso = (d: Date | null) => d?.toISOString() ?? null;

test('nextSlot reads a daily time in the schedule time zone', () => {
  const daily = { ...base, daily: '02:30' };
  // 02:30 in Berlin (UTC+1 in winter) is 01:30Z; in New York (UTC-5) it is 07:30Z.
  assert.equal(
    iso(nextSlot({ ...daily, timezone: 'Europe/Berlin' }, at('2025-01-10T12:00:00Z'))),
    '2025-01-11T01:30:00.000Z',
  );
  assert.equal(
    iso(nextSlot({ ...daily, timezone: 'America/New_York' }, at('2025-01-10T12:00:00Z'))),
    '2025-01-11T07:30:00.000Z',
  );
  // Summer time: Berlin is UTC+2.
  assert.equal(
    iso(nextSlot({ ...daily, timezone: 'Europe/Berlin' }, at('2025-07-10T12:00:00Z'))),
    '2025-07-11T00:30:00.000Z',
  );
  assert.equal(
    formatInZone(at('2025-07-11T00:30:00Z'), 'Europe/Berlin'),
    '2025-07-11 02:30 Europe/Berlin',
  );
});

test('nextSlot runs a daily time that DST skips once, at the end of the gap', () => {
  // 2025-03-30 02:00-03:00 does not exist in Berlin; the run comes at 03:00 CEST (01:00Z).
  const s = { ...base, daily: '02:30', timezone: 'Europe/Berlin' };
  assert.equal(iso(nextSlot(s, at('2025-03-29T12:00:00Z'))), '2025-03-30T01:00:00.000Z');
  assert.equal(iso(nextSlot(s, at('2025-03-30T01:00:00Z'))), '2025-03-31T00:30:00.000Z');
});

test('nextSlot of a weekly schedule picks the next chosen day', () => {
  const s = { ...base, weekly: { days: ['mon', 'thu'] as const, at: '22:00' }, timezone: 'UTC' };
  const weekly = { ...s, weekly: { ...s.weekly, days: [...s.weekly.days] } };
  assert.equal(timingCron(weekly), '0 22 * * MON,THU');
  // 2025-01-07 is a Tuesday: next is Thursday the 9th, then Monday the 13th.
  const first = nextSlot(weekly, at('2025-01-07T10:00:00Z'));
  assert.equal(iso(first), '2025-01-09T22:00:00.000Z');
  assert.equal(iso(nextSlot(weekly, first!)), '2025-01-13T22:00:00.000Z');
  // A day boundary that differs by zone: 22:00 Monday in Los Angeles is Tuesday 06:00Z.
  const la = { ...weekly, timezone: 'America/Los_Angeles' };
  assert.equal(iso(nextSlot(la, at('2025-01-11T00:00:00Z'))), '2025-01-14T06:00:00.000Z');
});

test('every N hours counts exact intervals from 00:00 UTC; previousSlot is at or before', () => {
  const s = { ...base, everyHours: 6 };
  assert.equal(iso(nextSlot(s, at('2025-01-10T05:59:59Z'))), '2025-01-10T06:00:00.000Z');
  assert.equal(iso(nextSlot(s, at('2025-01-10T06:00:00Z'))), '2025-01-10T12:00:00.000Z');
  assert.equal(iso(previousSlot(s, at('2025-01-10T06:00:00Z'))), '2025-01-10T06:00:00.000Z');
  assert.equal(iso(previousSlot(s, at('2025-01-10T11:59:59Z'))), '2025-01-10T06:00:00.000Z');
  // A time zone does not move the interval (it only places blackouts).
  const berlin = { ...s, timezone: 'Europe/Berlin' };
  assert.equal(iso(nextSlot(berlin, at('2025-03-30T00:30:00Z'))), '2025-03-30T06:00:00.000Z');
  // 5 does not divide 24: the slots still come every 5 hours, across midnight.
  const five = { ...base, everyHours: 5 };
  const a = nextSlot(five, at('2025-01-10T22:00:00Z'))!;
  assert.equal(nextSlot(five, a)!.getTime() - a.getTime(), 5 * 3_600_000);
});

test('a cron schedule is read with croner in its zone; previousSlot includes the exact slot', () => {
  const s = { ...base, cron: '*/15 9-17 * * MON-FRI', timezone: 'Asia/Tokyo' };
  // Friday 17:50 Tokyo (08:50Z) → Monday 09:00 Tokyo (00:00Z).
  assert.equal(iso(nextSlot(s, at('2025-01-10T08:50:00Z'))), '2025-01-13T00:00:00.000Z');
  assert.equal(iso(previousSlot(s, at('2025-01-13T00:00:00Z'))), '2025-01-13T00:00:00.000Z');
  assert.equal(iso(previousSlot(s, at('2025-01-12T00:00:00Z'))), '2025-01-10T08:45:00.000Z');
});

test('blackoutAt reads windows on the schedule clock, wrapping midnight', () => {
  const s = { ...base, everyHours: 1, timezone: 'Europe/Berlin', blackouts: ['22:00-06:00'] };
  assert.deepEqual(parseWindow('22:00-06:00'), { start: 1320, end: 360 });
  assert.equal(parseWindow('06:00-06:00'), null);
  assert.equal(blackoutAt(s, at('2025-01-10T21:00:00Z')), '22:00-06:00'); // 22:00 Berlin
  assert.equal(blackoutAt(s, at('2025-01-10T04:59:00Z')), '22:00-06:00'); // 05:59 Berlin
  assert.equal(blackoutAt(s, at('2025-01-10T05:00:00Z')), null); // 06:00 Berlin: end excluded
  assert.equal(blackoutAt(s, at('2025-01-10T20:59:00Z')), null);
});

test('nextRun skips slots inside a blackout; none at all gives null', () => {
  const s = { ...base, everyHours: 1, timezone: 'UTC', blackouts: ['01:00-03:00', '12:00-12:30'] };
  assert.equal(iso(nextRun(s, at('2025-01-10T00:30:00Z'))), '2025-01-10T03:00:00.000Z');
  assert.equal(iso(nextRun(s, at('2025-01-10T11:30:00Z'))), '2025-01-10T13:00:00.000Z');
  const never = { ...base, daily: '02:00', timezone: 'UTC', blackouts: ['01:00-03:00'] };
  assert.equal(nextRun(never, at('2025-01-10T00:00:00Z')), null);
});

test('the stagger is the same offset for the same id, spread for others, within bounds', () => {
  const s = { ...base, everyHours: 1, staggerSeconds: 600 };
  const offset = staggerOffsetMs(s);
  assert.equal(staggerOffsetMs({ ...s }), offset);
  assert.ok(offset >= 0 && offset <= 600_000 && offset % 1000 === 0);
  const offsets = new Set(
    Array.from({ length: 20 }, (_, i) =>
      staggerOffsetMs({ id: `schedule-${i}`, staggerSeconds: 600 }),
    ),
  );
  assert.ok(offsets.size > 10, 'different schedules get different offsets');
  assert.equal(staggerOffsetMs({ id: 'x' }), 0);
  // Every slot moves by the offset, so runs stay exactly an interval apart.
  const first = nextSlot(s, at('2025-01-10T00:00:00Z'))!;
  assert.equal(first.getTime() % 3_600_000, offset);
  assert.equal(nextSlot(s, first)!.getTime() - first.getTime(), 3_600_000);
  assert.equal(iso(previousSlot(s, first)), iso(first));
});
