// Table tests of the identity/OS parsers over captured and documented outputs in testdata/system.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  isSupportedFamily,
  parseHostname,
  parseKernBoottime,
  parseOsRelease,
  parseProcUptime,
  parseSwVers,
  parseUname,
} from './system.js';

const data = (name: string): string =>
  readFileSync(new URL(`./testdata/system/${name}`, import.meta.url), 'utf8');

describe('parseOsRelease', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      'os-release-debian12.txt',
      'complete',
      {
        id: 'debian',
        version: '12',
        family: 'debian',
        codename: 'bookworm',
        name: 'Debian GNU/Linux',
      },
    ],
    [
      'os-release-ubuntu2204.txt',
      'complete',
      { id: 'ubuntu', version: '22.04', family: 'debian', codename: 'jammy' },
    ],
    [
      'os-release-rocky93.txt',
      'complete',
      { id: 'rocky', version: '9.3', family: 'rhel', name: 'Rocky Linux' },
    ],
    ['os-release-sles15sp5.txt', 'complete', { id: 'sles', version: '15.5', family: 'suse' }],
    [
      'os-release-opensuse-leap155.txt',
      'complete',
      { id: 'opensuse-leap', version: '15.5', family: 'suse' },
    ],
    ['os-release-alpine319.txt', 'complete', { id: 'alpine', version: '3.19.1', family: 'alpine' }],
    [
      'os-release-arch.txt',
      'complete',
      { id: 'arch', version: null, build: 'rolling', family: 'arch' },
    ],
    ['os-release-freebsd14.txt', 'complete', { id: 'freebsd', version: '14.0', family: 'freebsd' }],
    [
      'os-release-solaris114.txt',
      'unsupported',
      { id: 'solaris', version: '11.4', family: 'solaris' },
    ],
    [
      'os-release-crlf-garbage-truncated.txt',
      'partial',
      { id: 'debian', version: '12', name: 'Debian GNU/Linux', family: 'debian' },
    ],
  ];
  for (const [file, state, expected] of cases) {
    test(`parseOsRelease reads ${file}`, () => {
      const r = parseOsRelease(data(file));
      assert.equal(r.state, state, r.warnings.join('; '));
      for (const [k, v] of Object.entries(expected)) {
        assert.deepEqual(r.data[k as keyof typeof r.data], v, k);
      }
    });
  }

  test('parseOsRelease splits ID_LIKE and unescapes quoted values', () => {
    const r = parseOsRelease(data('os-release-rocky93.txt'));
    assert.deepEqual(r.data.idLike, ['rhel', 'centos', 'fedora']);
    assert.equal(parseOsRelease('NAME="A \\"B\\""\nID=x\n').data.name, 'A "B"');
  });

  test('parseOsRelease says unsupported for empty or foreign text', () => {
    assert.equal(parseOsRelease('').state, 'unsupported');
    assert.equal(
      parseOsRelease('cat: /etc/os-release: No such file or directory\n').state,
      'unsupported',
    );
  });

  test('parseOsRelease stays bounded on a flood of lines', () => {
    const r = parseOsRelease(
      'ID=debian\n' + 'x'.repeat(100) + '\n'.repeat(1) + 'junk\n'.repeat(100_000),
    );
    assert.equal(r.data.id, 'debian');
    assert.equal(r.state, 'partial');
    assert.ok(r.warnings.length <= 21);
  });
});

describe('parseSwVers', () => {
  test('parseSwVers reads macOS 14', () => {
    const r = parseSwVers(data('sw-vers-macos14.txt'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(
      { name: r.data.name, version: r.data.version, build: r.data.build, family: r.data.family },
      { name: 'macOS', version: '14.2.1', build: '23C71', family: 'macos' },
    );
  });
  test('parseSwVers says unsupported for garbage', () => {
    assert.equal(parseSwVers('sh: sw_vers: not found').state, 'unsupported');
  });
});

describe('parseUname', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    [
      'uname-snrm-debian12.txt',
      'complete',
      {
        kernelName: 'Linux',
        nodeName: 'vm',
        kernel: '6.18.44-fc-v595',
        architecture: 'x86_64',
        family: 'linux',
      },
    ],
    [
      'uname-snrm-debian12-busybox135.txt',
      'complete',
      { kernelName: 'Linux', nodeName: 'vm', kernel: '6.18.44-fc-v595', family: 'linux' },
    ],
    [
      'uname-snrm-rocky93.txt',
      'complete',
      { kernel: '5.14.0-362.8.1.el9_3.x86_64', family: 'linux' },
    ],
    ['uname-snrm-alpine319.txt', 'complete', { kernel: '6.6.14-0-lts', family: 'linux' }],
    [
      'uname-snrm-macos14.txt',
      'complete',
      { kernelName: 'Darwin', architecture: 'arm64', family: 'macos' },
    ],
    [
      'uname-snrm-freebsd14.txt',
      'complete',
      { kernel: '14.0-RELEASE-p6', architecture: 'amd64', family: 'freebsd' },
    ],
    ['uname-snrm-aix72.txt', 'unsupported', { kernelName: 'AIX', family: 'aix' }],
    ['uname-snrm-solaris114.txt', 'unsupported', { kernelName: 'SunOS', family: 'solaris' }],
  ];
  for (const [file, state, expected] of cases) {
    test(`parseUname reads ${file}`, () => {
      const r = parseUname(data(file));
      assert.equal(r.state, state);
      for (const [k, v] of Object.entries(expected)) {
        assert.equal(r.data[k as keyof typeof r.data], v, k);
      }
    });
  }
  test('parseUname says unsupported for garbage and partial for a short line', () => {
    assert.equal(parseUname('\ufffd\ufffd\x00').state, 'unsupported');
    assert.equal(parseUname('').state, 'unsupported');
    assert.equal(parseUname('Linux host\r\n').state, 'partial');
  });
  test('parseUname given uname -a output does not take #1 as the architecture', () => {
    const r = parseUname('Linux vm 6.18.44-fc-v595 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux\n');
    assert.equal(r.state, 'partial');
    assert.equal(r.data.kernel, '6.18.44-fc-v595');
    assert.equal(r.data.architecture, null);
  });
  test('isSupportedFamily excludes AIX and Solaris only', () => {
    assert.equal(isSupportedFamily('aix'), false);
    assert.equal(isSupportedFamily('solaris'), false);
    assert.equal(isSupportedFamily('alpine'), true);
  });
});

describe('parseHostname', () => {
  test('parseHostname reads the Debian capture (no domain)', () => {
    const r = parseHostname(data('hostname-debian12.txt'));
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data, { hostname: 'vm', fqdn: null, domain: null });
  });
  test('parseHostname takes the FQDN from hostname -f', () => {
    const r = parseHostname('web01\n', 'web01.corp.example.\r\n');
    assert.deepEqual(r.data, {
      hostname: 'web01',
      fqdn: 'web01.corp.example',
      domain: 'corp.example',
    });
  });
  test('parseHostname splits a macOS/FreeBSD FQDN hostname', () => {
    assert.deepEqual(parseHostname('Fbsd14.Lab.Example\n').data, {
      hostname: 'fbsd14',
      fqdn: 'fbsd14.lab.example',
      domain: 'lab.example',
    });
  });
  test('parseHostname ignores placeholders, mismatches and garbage', () => {
    assert.deepEqual(parseHostname('web01', 'localhost.localdomain').data.fqdn, null);
    assert.deepEqual(parseHostname('web01', 'other.example').data.fqdn, null);
    const g = parseHostname('\ufffd\ufffdbad name');
    assert.equal(g.state, 'unsupported');
    assert.equal(g.data.hostname, null);
    assert.equal(parseHostname('(none)').data.hostname, null);
  });
});

describe('uptime', () => {
  test('parseProcUptime derives boot time from the Debian capture', () => {
    const now = Number(data('date-epoch-debian12.txt').trim());
    const r = parseProcUptime(data('proc-uptime-debian12.txt'), data('date-epoch-debian12.txt'));
    assert.equal(r.state, 'complete');
    const up = Math.floor(Number(data('proc-uptime-debian12.txt').split(' ')[0]));
    assert.equal(r.data.uptimeSeconds, up);
    assert.equal(r.data.bootTime, new Date((now - up) * 1000).toISOString().replace('.000Z', 'Z'));
  });
  test('parseProcUptime without a clock gives uptime only; garbage is unsupported', () => {
    assert.deepEqual(parseProcUptime('12.5 3.0\n').data, { uptimeSeconds: 12, bootTime: null });
    assert.equal(parseProcUptime('12.5 3.0\n', 'garbage').state, 'partial');
    assert.equal(parseProcUptime('\ufffd').state, 'unsupported');
  });
  test('parseKernBoottime reads FreeBSD/macOS kern.boottime', () => {
    const r = parseKernBoottime(data('kern-boottime-freebsd14.txt'), '1700003600\n');
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data, { uptimeSeconds: 3600, bootTime: '2023-11-14T22:13:20Z' });
    assert.equal(parseKernBoottime('sysctl: unknown oid').state, 'unsupported');
    assert.equal(parseKernBoottime(data('kern-boottime-freebsd14.txt')).state, 'partial');
  });
});
