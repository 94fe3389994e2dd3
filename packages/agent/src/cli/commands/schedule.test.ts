// Tests the schedule command through the real CLI (testIo) on a temp data dir: add in each
// timing, refusals (exit 2, nothing stored), list with next runs, enable/disable/remove by name,
// and run-now scanning 127.0.0.1 on a port the test opens, logged in scheduler.log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../../test/support/cli-io.js';
import { dataDirLayout } from '../../config/data-dir.js';
import { openStore } from '../../store/index.js';

interface Listed {
  id: string;
  name: string;
  enabled: boolean;
  nextRunAt: string | null;
  lastRun: { outcome: string; state?: string } | null;
  [key: string]: unknown;
}

describe('schedule command', () => {
  let dataDir = '';
  let server: Server;
  let port = 0;
  const run = (...args: string[]) => runCli(dataDir, ['schedule', ...args]);
  const listed = async () => JSON.parse((await run('list', '--json')).out) as Listed[];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-schedule-cli-'));
    server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('list on an empty store says how schedules get there', async () => {
    const r = await run('list');
    assert.equal(r.code, 0);
    assert.match(r.out, /no schedules yet/);
  });

  test('add stores each timing as the platform would send it, normalised', async () => {
    const daily = await run(
      'add',
      '--name',
      'nightly',
      '--targets',
      '198.18.0.0/24',
      '--exclude',
      '198.18.0.1',
      '--daily',
      '2:30',
      '--timezone',
      'Europe/Berlin',
      '--blackout',
      '08:00-18:00',
      '--blackout',
      '22:00-23:00',
    );
    assert.equal(daily.code, 0, daily.err);
    assert.match(
      daily.out,
      /added nightly \(daily 02:30 Europe\/Berlin; id [0-9a-f-]{36}\); next run \d{4}-\d\d-\d\d 02:30 Europe\/Berlin/,
    );
    const weekly = await run(
      'add',
      '--name',
      'dmz',
      '--targets',
      '198.18.5.0/24,198.18.6.1',
      '--weekly',
      'mon,THU@22:00',
      '--protocols',
      'ssh,snmp',
      '--ports',
      'T:22,U:161',
      '--stagger',
      '600',
    );
    assert.equal(weekly.code, 0, weekly.err);
    const every = await run(
      'add',
      '--name',
      'sweep',
      '--targets',
      '198.18.7.1',
      '--every-hours',
      '6',
      '--protocols',
      'none',
      '--disabled',
    );
    assert.equal(every.code, 0, every.err);
    assert.match(every.out, /not scheduled to run/);
    const cron = await run(
      'add',
      '--name',
      'cron',
      '--targets',
      '198.18.8.1',
      '--cron',
      '0  3 * * 1-5',
    );
    assert.equal(cron.code, 0, cron.err);

    const [n, d, s, c] = await listed();
    assert.deepEqual(
      { ...n, id: undefined, nextRunAt: undefined },
      {
        id: undefined,
        name: 'nightly',
        daily: '02:30',
        timezone: 'Europe/Berlin',
        blackouts: ['08:00-18:00', '22:00-23:00'],
        targets: ['198.18.0.0/24'],
        excludes: ['198.18.0.1'],
        enabled: true,
        nextRunAt: undefined,
        lastRun: null,
      },
    );
    assert.deepEqual(d?.weekly, { days: ['mon', 'thu'], at: '22:00' });
    assert.deepEqual(d?.protocols, ['ssh', 'snmp']);
    assert.equal(d?.ports, 'T:22,U:161');
    assert.equal(d?.staggerSeconds, 600);
    assert.ok(Date.parse(String(d?.nextRunAt)) > Date.now());
    assert.equal(s?.everyHours, 6);
    assert.equal(s?.protocols, 'none');
    assert.equal(s?.nextRunAt, null, 'disabled: no next run');
    assert.equal(c?.cron, '0 3 * * 1-5');
    const audit = readFileSync(join(dataDir, 'logs', 'app.log'), 'utf8');
    assert.match(audit, /"msg":"schedule added".*"name":"nightly"/);
  });

  const refusals: [string, string[], RegExp][] = [
    ['no timing', ['--targets', '198.18.9.1'], /exactly one of cron, daily, weekly, everyHours/],
    [
      'two timings',
      ['--targets', '198.18.9.1', '--daily', '01:00', '--every-hours', '2'],
      /got daily, everyHours/,
    ],
    ['a bad time', ['--targets', '198.18.9.1', '--daily', '25:00'], /daily must be a 24-hour time/],
    ['weekly without a time', ['--targets', '198.18.9.1', '--weekly', 'mon'], /DAYS@HH:MM/],
    ['an unknown day', ['--targets', '198.18.9.1', '--weekly', 'fun@01:00'], /weekly must be/],
    ['a bad cron', ['--targets', '198.18.9.1', '--cron', '61 * * * *'], /minute '61'/],
    [
      'an unknown zone',
      ['--targets', '198.18.9.1', '--daily', '01:00', '--timezone', 'Mars/Base'],
      /IANA/,
    ],
    [
      'a bad blackout',
      ['--targets', '198.18.9.1', '--daily', '01:00', '--blackout', '1-2'],
      /blackouts\[0\]/,
    ],
    ['a bad target', ['--targets', '198.18.1.300', '--daily', '01:00'], /198\.18\.1\.300/],
    ['an @file target', ['--targets', '@/etc/hosts', '--daily', '01:00'], /not allowed/],
    [
      'a taken name',
      ['--targets', '198.18.9.1', '--daily', '01:00', '--name', 'nightly'],
      /already named 'nightly'/,
    ],
  ];
  for (const [what, args, message] of refusals) {
    test(`add refuses ${what} (exit 2, nothing stored)`, async () => {
      const before = (await listed()).length;
      const withName = args.includes('--name') ? args : ['--name', 'refused', ...args];
      const r = await run('add', ...withName);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /ERR_CONFIG_INVALID/);
      assert.match(r.err, message);
      assert.equal((await listed()).length, before);
    });
  }

  test('the table shows timing, next run in the schedule zone, and blackouts', async () => {
    const r = await run('list');
    assert.equal(r.code, 0);
    assert.match(r.out, /^NAME +ENABLED +WHEN +NEXT RUN +TARGETS +LAST RUN/);
    assert.match(
      r.out,
      /nightly +yes +daily 02:30 Europe\/Berlin, blackout 08:00-18:00 22:00-23:00 +\d{4}-\d\d-\d\d 02:30 Europe\/Berlin/,
    );
    assert.match(r.out, /dmz +yes +weekly mon,thu@22:00, stagger 600 s/);
    assert.match(r.out, /sweep +no +every 6 h +- /);
  });

  test('enable and disable by name; remove by id; an unknown name is exit 2', async () => {
    const enabled = await run('enable', 'sweep');
    assert.equal(enabled.code, 0, enabled.err);
    assert.match(enabled.out, /sweep: enabled; next run /);
    assert.equal((await listed()).find((s) => s.name === 'sweep')?.enabled, true);
    assert.equal((await run('disable', 'sweep')).code, 0);
    assert.equal((await listed()).find((s) => s.name === 'sweep')?.nextRunAt, null);
    const cronId = (await listed()).find((s) => s.name === 'cron')!.id;
    const removed = await run('remove', cronId);
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /cron: removed/);
    assert.equal(
      (await listed()).some((s) => s.name === 'cron'),
      false,
    );
    const unknown = await run('enable', 'nope');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no schedule is named 'nope'/);
    assert.equal((await run('frobnicate')).code, 2);
  });

  test('run-now scans the schedule in the foreground like scan, logged in scheduler.log', async () => {
    const add = await run(
      'add',
      '--name',
      'loopback',
      '--targets',
      '127.0.0.1',
      '--ports',
      String(port),
      '--protocols',
      'none',
      '--daily',
      '03:00',
    );
    assert.equal(add.code, 0, add.err);
    const r = await run('run-now', 'loopback', '--no-progress', '--no-upload');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /127\.0\.0\.1/);
    const results = readdirSync(join(dataDir, 'results')).filter((f) => f.endsWith('.json'));
    assert.equal(results.length, 1);
    const doc = JSON.parse(readFileSync(join(dataDir, 'results', results[0]!), 'utf8')) as {
      hosts: { address: string; ports?: { port: number }[] }[];
    };
    assert.ok(doc.hosts.some((h) => h.address === '127.0.0.1'));
    const log = readFileSync(join(dataDir, 'logs', 'scheduler.log'), 'utf8');
    assert.match(log, /"msg":"schedule run started".*"trigger":"run-now"/);
    assert.match(log, /"msg":"schedule run finished".*"state":"completed"/);
    // Recorded and logged as the schedule's scan, like the agent's scheduled runs (not `cli`).
    const scanId = results[0]!.replace(/\.json$/, '');
    const store = openStore(dataDirLayout(dataDir));
    try {
      assert.deepEqual(store.scans.get(scanId)?.source, {
        kind: 'schedule',
        scheduleId: (await listed()).find((s) => s.name === 'loopback')?.id,
        scheduleName: 'loopback',
      });
    } finally {
      store.close();
    }
    const agentLog = readFileSync(join(dataDir, 'logs', 'agent.log'), 'utf8');
    assert.match(agentLog, /"msg":"scan started".*"source":"schedule loopback"/);
    const last = (await listed()).find((s) => s.name === 'loopback')?.lastRun;
    assert.deepEqual(
      { outcome: last?.outcome, state: last?.state },
      { outcome: 'finished', state: 'completed' },
    );
  });
});
