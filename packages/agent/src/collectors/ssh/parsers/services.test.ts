// Table tests for the service parsers over captures in testdata/services (see SOURCES.md there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseOpenRc,
  parseSystemdServices,
  parseSysvServices,
  type ServiceInfo,
} from './services.js';
import type { SectionResult } from './section-types.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/services/${name}`, import.meta.url), 'utf8');

interface Case {
  label: string;
  run: () => SectionResult<ServiceInfo[]>;
  state: 'complete' | 'partial' | 'unsupported';
  count?: number;
  expect?: Partial<ServiceInfo> & { name: string };
}

const rocky = (): SectionResult<ServiceInfo[]> =>
  parseSystemdServices(
    read('rocky9-systemctl-list-units.txt'),
    read('rocky9-systemctl-list-unit-files.txt'),
  );

const cases: Case[] = [
  {
    label: 'rocky9 systemd units + unit files',
    run: rocky,
    state: 'complete',
    count: 15,
    expect: {
      name: 'sshd.service',
      description: 'OpenSSH server daemon',
      state: 'running',
      rawState: 'active/running',
      startMode: 'enabled',
      manager: 'systemd',
    },
  },
  {
    label: 'rocky9 failed unit',
    run: rocky,
    state: 'complete',
    expect: { name: 'kdump.service', state: 'failed', startMode: 'enabled' },
  },
  {
    label: 'rocky9 unit file never loaded',
    run: rocky,
    state: 'complete',
    expect: { name: 'httpd.service', state: 'stopped', startMode: 'disabled', rawState: null },
  },
  {
    label: 'rocky9 instance inherits template mode',
    run: rocky,
    state: 'complete',
    expect: { name: 'getty@tty1.service', startMode: 'enabled' },
  },
  {
    label: 'rocky9 not-found unit',
    run: rocky,
    state: 'complete',
    expect: { name: 'nfs-server.service', state: 'stopped', startMode: null },
  },
  {
    label: 'ubuntu2204 list-units with bullets',
    run: () => parseSystemdServices(read('ubuntu2204-systemctl-list-units-bullets.txt'), ''),
    state: 'partial',
    count: 5,
    expect: {
      name: 'snapd.failure.service',
      state: 'failed',
      description: 'Failure handling of the snapd snap',
    },
  },
  {
    label: 'debian12 container without systemd as PID 1 (unit files only)',
    run: () =>
      parseSystemdServices(
        read('debian12-container-systemctl-list-units-no-systemd.txt'),
        read('debian12-systemctl-list-unit-files.txt'),
      ),
    state: 'partial',
    expect: { name: 'ssh.service', state: 'unknown', startMode: 'enabled', manager: 'systemd' },
  },
  {
    label: 'debian12 service --status-all',
    run: () => parseSysvServices(read('debian12-service-status-all.txt')),
    state: 'complete',
    expect: { name: 'hwclock.sh', state: 'unknown', rawState: '?', manager: 'sysv' },
  },
  {
    label: 'debian12 service --status-all stopped ssh',
    run: () => parseSysvServices(read('debian12-service-status-all.txt')),
    state: 'complete',
    expect: { name: 'ssh', state: 'stopped', rawState: '-' },
  },
  {
    label: 'centos6 service --status-all free text',
    run: () => parseSysvServices(read('centos6-service-status-all.txt')),
    state: 'complete',
    count: 6,
    expect: { name: 'sshd', state: 'running' },
  },
  {
    label: 'centos6 firewall not running',
    run: () => parseSysvServices(read('centos6-service-status-all.txt')),
    state: 'complete',
    expect: { name: 'ip6tables', state: 'stopped' },
  },
  {
    label: 'alpine318 rc-status -a',
    run: () => parseOpenRc(read('alpine318-rc-status-a.txt')),
    state: 'complete',
    count: 20,
    expect: {
      name: 'docker',
      state: 'running',
      rawState: 'started',
      startMode: 'default',
      manager: 'openrc',
    },
  },
  {
    label: 'alpine318 crashed service',
    run: () => parseOpenRc(read('alpine318-rc-status-a.txt')),
    state: 'complete',
    expect: { name: 'nginx', state: 'failed' },
  },
  {
    label: 'alpine318 boot runlevel',
    run: () => parseOpenRc(read('alpine318-rc-status-a.txt')),
    state: 'complete',
    expect: { name: 'networking', startMode: 'boot' },
  },
  {
    label: 'alpine318 dynamic runlevel',
    run: () => parseOpenRc(read('alpine318-rc-status-a.txt')),
    state: 'complete',
    expect: { name: 'redis', state: 'stopped', startMode: 'manual' },
  },
  {
    label: 'aix72 lssrc as SysV',
    run: () => parseSysvServices(read('aix72-lssrc-a.txt')),
    state: 'unsupported',
    count: 0,
  },
  {
    label: 'aix72 lssrc as OpenRC',
    run: () => parseOpenRc(read('aix72-lssrc-a.txt')),
    state: 'unsupported',
    count: 0,
  },
  {
    label: 'solaris11 svcs as systemd',
    run: () => parseSystemdServices(read('solaris11-svcs-a.txt'), read('solaris11-svcs-a.txt')),
    state: 'unsupported',
    count: 0,
  },
  {
    label: 'solaris11 svcs as SysV',
    run: () => parseSysvServices(read('solaris11-svcs-a.txt')),
    state: 'unsupported',
    count: 0,
  },
];

for (const c of cases) {
  test(`service parsers read ${c.label} as ${c.state}`, () => {
    const result = c.run();
    assert.equal(result.state, c.state, result.warnings.join('; '));
    if (c.count !== undefined) assert.equal(result.data.length, c.count);
    if (c.expect !== undefined) {
      const found = result.data.find((s) => s.name === c.expect?.name);
      assert.ok(found, `${c.expect.name} missing`);
      for (const [k, v] of Object.entries(c.expect))
        assert.deepEqual(found[k as keyof ServiceInfo], v, k);
    }
  });
}

test('parseSystemdServices skips template unit files', () => {
  const names = rocky().data.map((s) => s.name);
  assert.ok(!names.includes('getty@.service'));
  assert.ok(!names.includes('autovt@.service'));
});

test('parseSystemdServices tolerates CRLF and a truncated last line', () => {
  const result = parseSystemdServices(
    'cron.service loaded active running Cron\r\nssh.serv',
    'cron.service enabled enabled\r\n',
  );
  assert.deepEqual(
    result.data.map((s) => [s.name, s.state, s.startMode]),
    [['cron.service', 'running', 'enabled']],
  );
});

test('parseSysvServices stays fast on a flood line', () => {
  const started = Date.now();
  const result = parseSysvServices(`${'a-1'.repeat(200_000)} is running\n`);
  assert.equal(result.state, 'unsupported');
  assert.ok(Date.now() - started < 1000);
});

test('service parsers never throw on garbage', () => {
  const garbage = '\uFFFD\u0000[[[ ]]]\n:::\n'.repeat(1000);
  for (const r of [
    parseSystemdServices(garbage, garbage),
    parseOpenRc(garbage),
    parseSysvServices(garbage),
  ]) {
    assert.equal(r.state, 'unsupported');
    assert.ok(r.warnings.length <= 21);
  }
});
