// Table tests for the ps parser over captures in testdata/processes (see SOURCES.md there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePs, type ProcessInfo } from './processes.js';
import { MAX_ITEMS } from './section-types.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/processes/${name}`, import.meta.url), 'utf8');

interface Case {
  file: string;
  capturedAt?: string;
  state: 'complete' | 'partial' | 'unsupported';
  count?: number;
  expect?: Partial<ProcessInfo> & { pid: number };
}

const cases: Case[] = [
  {
    file: 'debian12-ps-procps.txt',
    state: 'complete',
    count: 81,
    expect: {
      pid: 2,
      ppid: 0,
      user: 'root',
      name: 'kthreadd',
      commandLine: '[kthreadd]',
      startedAt: '2026-11-29T07:35:52',
    },
  },
  {
    file: 'debian12-ps-procps.txt',
    capturedAt: '2026-11-29T08:55:51Z',
    state: 'complete',
    expect: {
      pid: 2,
      startedAt: '2026-11-29T07:35:52.000Z',
      cpuPercent: 0,
      memoryPercent: 0,
      rssKb: 0,
    },
  },
  {
    file: 'debian12-ps-procps.txt',
    state: 'complete',
    expect: {
      pid: 23306,
      ppid: 23303,
      user: 'root',
      name: 'node',
      commandLine: 'node /tmp/sock.mjs',
    },
  },
  {
    file: 'alpine-busybox-ps-o.txt',
    capturedAt: '2024-03-14T10:00:00Z',
    state: 'complete',
    count: 7,
    expect: {
      pid: 312,
      ppid: 1,
      user: 'root',
      name: 'syslogd',
      startedAt: '2024-03-12T06:45:53.000Z',
      rssKb: 2355,
    },
  },
  {
    file: 'alpine-busybox-ps-o.txt',
    state: 'complete',
    expect: {
      pid: 880,
      user: 'scanner',
      name: 'sshd',
      commandLine: 'sshd: scanner@notty',
      startedAt: null,
      cpuPercent: null,
    },
  },
  {
    // BUSYBOX_PS_COMMAND on Debian's busybox 1.35: no etime, a 32-wide USER column.
    file: 'debian12-busybox135-ps-o.txt',
    capturedAt: '2026-11-29T10:35:00Z',
    state: 'complete',
    count: 62,
    expect: {
      pid: 18541,
      ppid: 18525,
      user: 'systemd-timesync',
      name: 'sleep',
      commandLine: 'sleep 30',
      startedAt: null,
      cpuPercent: null,
      rssKb: 1660,
    },
  },
  {
    file: 'debian12-busybox135-ps-o.txt',
    state: 'complete',
    expect: { pid: 18529, name: 'node', commandLine: 'node listen.mjs', rssKb: 43 * 1024 },
  },
  {
    file: 'debian12-busybox135-ps-o.txt',
    state: 'complete',
    expect: { pid: 2, ppid: 0, name: 'kthreadd', commandLine: '[kthreadd]', rssKb: 0 },
  },
  {
    // Plain busybox `ps` (the last fallback): the 8-wide USER column cuts names, which is why
    // BUSYBOX_PS_COMMAND widens it.
    file: 'debian12-busybox135-ps-default.txt',
    state: 'complete',
    count: 62,
    expect: { pid: 18541, ppid: null, user: 'systemd-', name: 'sleep', rssKb: null },
  },
  { file: 'debian12-busybox135-ps-o-etime-error.txt', state: 'unsupported', count: 0 },
  {
    file: 'alpine-busybox-ps-default.txt',
    state: 'complete',
    count: 5,
    expect: { pid: 401, ppid: null, user: 'root', name: 'sshd', rssKb: null },
  },
  {
    file: 'macos14-ps-bsd.txt',
    state: 'complete',
    count: 6,
    expect: {
      pid: 392,
      user: '_windowserver',
      name: 'WindowServer',
      startedAt: '2024-03-04T08:12:09',
      cpuPercent: 3.2,
      memoryPercent: 0.9,
      rssKb: 151040,
    },
  },
  {
    file: 'freebsd14-ps-bsd.txt',
    state: 'complete',
    count: 6,
    expect: { pid: 830, name: 'cron', startedAt: '2024-03-05T10:00:07' },
  },
  { file: 'solaris11-ps-ef.txt', state: 'unsupported', count: 0 },
  { file: 'aix72-ps-error.txt', state: 'unsupported', count: 0 },
];

for (const c of cases) {
  test(`parsePs reads ${c.file} as ${c.state}${c.expect ? ` (pid ${c.expect.pid})` : ''}`, () => {
    const result = parsePs(
      read(c.file),
      c.capturedAt !== undefined ? { capturedAt: c.capturedAt } : {},
    );
    assert.equal(result.state, c.state, result.warnings.join('; '));
    if (c.count !== undefined) assert.equal(result.data.length, c.count);
    if (c.expect !== undefined) {
      const found = result.data.find((p) => p.pid === c.expect?.pid);
      assert.ok(found, `pid ${c.expect.pid} missing`);
      for (const [k, v] of Object.entries(c.expect))
        assert.deepEqual(found[k as keyof ProcessInfo], v, k);
    }
  });
}

test('parsePs marks a line cut mid-way as partial and keeps the rest', () => {
  const text =
    '  PID  PPID USER STARTED COMMAND\r\n    1     0 root Sun Nov 29 07:35:52 2026 /sbin/init\r\n   77     1 ro';
  const result = parsePs(text);
  assert.equal(result.state, 'partial');
  assert.deepEqual(
    result.data.map((p) => p.pid),
    [1],
  );
});

test('parsePs notes that a list without etime or lstart has no start times', () => {
  const busybox = parsePs(read('debian12-busybox135-ps-o.txt'));
  assert.ok(busybox.warnings.some((w) => /start times unknown/.test(w)));
  assert.ok(!parsePs(read('alpine-busybox-ps-o.txt')).warnings.some((w) => /start/.test(w)));
});

test('parsePs keeps the spacing inside a command line', () => {
  const result = parsePs("PID USER COMMAND\n 9 root sh -c 'echo  a   b'\n");
  assert.equal(result.data[0]?.commandLine, "sh -c 'echo  a   b'");
});

test('parsePs keeps non-UTF-8 replacement characters in command lines', () => {
  const result = parsePs('PID USER COMMAND\n 9 root /opt/\uFFFD\uFFFDbin --flag\n');
  assert.equal(result.data[0]?.commandLine, '/opt/\uFFFD\uFFFDbin --flag');
  assert.equal(result.data[0]?.name, '\uFFFD\uFFFDbin');
});

test('parsePs caps a flood of processes', () => {
  const text = `PID USER COMMAND\n${' 5 root x\n'.repeat(MAX_ITEMS + 10)}`;
  const result = parsePs(text);
  assert.equal(result.state, 'partial');
  assert.equal(result.data.length, MAX_ITEMS);
});

test('parsePs calls garbage unsupported, never throws', () => {
  for (const garbage of ['', '\u0000\u0001\u0002', 'Segmentation fault', 'PID\n1']) {
    assert.equal(parsePs(garbage).state, 'unsupported');
  }
});
