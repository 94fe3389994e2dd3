// Tests the control channel's scan requests and schedules: the CLI's syntax, @files refused,
// five-field cron checked field by field; readSchedule's timings (daily, weekly, every N hours,
// cron), time zones, blackouts and stagger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/config.js';
import { CommandError } from './control-channel.js';
import {
  checkCron,
  checkScanSpec,
  readScanSpec,
  readSchedule,
  readSchedules,
} from './scan-spec.js';

const badRequest = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CommandError);
    assert.equal(err.code, 'bad_request');
    assert.match(err.message, message);
    return true;
  });

for (const ok of [
  '* * * * *',
  '30 2 * * MON-FRI',
  '*/15 0-6,18-23 1,15 jan-jun 0',
  '0 0 31 12 7',
  '5-55/10 * * * sun',
]) {
  test(`checkCron accepts '${ok}'`, () => checkCron(ok));
}

const badCron: [string, RegExp][] = [
  ['@daily', /five fields/],
  ['0 * * * * *', /five fields/],
  ['60 * * * *', /minute '60'/],
  ['* 24 * * *', /hour '24'/],
  ['* * 0 * *', /day of month '0'/],
  ['* * * 13 *', /month '13'/],
  ['* * * * 8', /day of week '8'/],
  ['*/0 * * * *', /step '0'/],
  ['10-5 * * * *', /backwards/],
  ['1,,2 * * * *', /minute ''/],
  ['* * * FOO *', /month 'FOO'/],
];
for (const [expr, message] of badCron) {
  test(`checkCron refuses '${expr}'`, () => badRequest(() => checkCron(expr), message));
}

test('readScanSpec takes the CLI syntax: protocols as a list or "none", ports as text', () => {
  assert.deepEqual(
    readScanSpec({ targets: ['127.0.0.1'], protocols: ['ssh', 'snmp'], ports: 'T:22' }),
    { targets: ['127.0.0.1'], excludes: [], protocols: 'ssh,snmp', ports: 'T:22' },
  );
  assert.equal(readScanSpec({ targets: ['127.0.0.1'], protocols: 'none' }).protocols, 'none');
  badRequest(() => readScanSpec({ targets: [] }), /at least one target/);
  badRequest(() => readScanSpec({ targets: [1] }), /targets must be an array/);
  badRequest(() => readScanSpec({ targets: ['a'], protocols: 'all' }), /protocols/);
  badRequest(() => readScanSpec({ targets: ['a'], ports: 22 }), /ports/);
});

test('checkScanSpec checks like the CLI and refuses @file targets', () => {
  const config = defaultConfig();
  const spec = (over: object) => ({ ...readScanSpec({ targets: ['127.0.0.1'] }), ...over });
  assert.deepEqual(checkScanSpec(spec({ ports: 'T:22,U:161' }), config), { tcp: [22], udp: [161] });
  badRequest(() => checkScanSpec(spec({ targets: ['@/etc/hosts'] }), config), /not allowed/);
  badRequest(() => checkScanSpec(spec({ targets: ['10.0.0.0/8'] }), config), /allow-large/);
  badRequest(() => checkScanSpec(spec({ protocols: 'telnet' }), config), /telnet/);
  badRequest(() => checkScanSpec(spec({ ports: '70000' }), config), /70000/);
});

test('readSchedules validates each schedule and refuses a repeated id', () => {
  const config = defaultConfig();
  const one = {
    id: 'n1',
    name: 'Nightly',
    cron: '0  3 * * *',
    targets: ['198.18.0.0/24'],
    enabled: true,
  };
  assert.deepEqual(readSchedules({ schedules: [one] }, config), [{ ...one, cron: '0 3 * * *' }]);
  badRequest(() => readSchedules({ schedules: [one, one] }, config), /used twice/);
  badRequest(() => readSchedules({ schedules: [{ ...one, id: 'a b' }] }, config), /id must be/);
  badRequest(() => readSchedules({ schedules: [{ ...one, enabled: 'yes' }] }, config), /enabled/);
  badRequest(
    () => readSchedules({ schedules: [{ ...one, targets: ['198.18.1.300'] }] }, config),
    /schedules\[0\]\..*198\.18\.1\.300/,
  );
});

test('readSchedule takes one timing of four, normalised, with zone, blackouts and stagger', () => {
  const config = defaultConfig();
  const one = { id: 'n1', name: 'N', targets: ['198.18.0.1'], enabled: true };
  assert.deepEqual(
    readSchedule(
      {
        ...one,
        weekly: { days: ['THU', 'mon'], at: '2:05' },
        timezone: 'Europe/Berlin',
        blackouts: ['8:00-18:00'],
        staggerSeconds: 300,
      },
      config,
    ),
    {
      ...one,
      weekly: { days: ['mon', 'thu'], at: '02:05' },
      timezone: 'Europe/Berlin',
      blackouts: ['08:00-18:00'],
      staggerSeconds: 300,
    },
  );
  assert.deepEqual(readSchedule({ ...one, daily: '23:59' }, config), { ...one, daily: '23:59' });
  assert.deepEqual(readSchedule({ ...one, everyHours: 6 }, config), { ...one, everyHours: 6 });
  badRequest(() => readSchedule(one, config), /exactly one of cron, daily, weekly, everyHours/);
  badRequest(
    () => readSchedule({ ...one, daily: '1:00', cron: '* * * * *' }, config),
    /got cron, daily/,
  );
  badRequest(
    () => readSchedule({ ...one, daily: '24:00' }, config),
    /daily must be a 24-hour time/,
  );
  badRequest(
    () => readSchedule({ ...one, weekly: { days: ['fun'], at: '01:00' } }, config),
    /weekly/,
  );
  badRequest(() => readSchedule({ ...one, weekly: { days: [], at: '01:00' } }, config), /weekly/);
  badRequest(() => readSchedule({ ...one, everyHours: 0 }, config), /everyHours .* 1-168/);
  badRequest(() => readSchedule({ ...one, everyHours: 1.5 }, config), /everyHours/);
  badRequest(() => readSchedule({ ...one, daily: '01:00', timezone: 'Mars/Base' }, config), /IANA/);
  badRequest(
    () => readSchedule({ ...one, daily: '01:00', blackouts: ['01:00-01:00'] }, config),
    /blackouts\[0\]/,
  );
  badRequest(
    () => readSchedule({ ...one, daily: '01:00', staggerSeconds: 3601 }, config),
    /0-3600/,
  );
  badRequest(
    () => readSchedule({ ...one, daily: '01:00', targets: ['@/etc/hosts'] }, config),
    /not allowed/,
  );
});
