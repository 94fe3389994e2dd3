// Table tests for the package parsers over captures in testdata/packages (see SOURCES.md there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseApk,
  parseDpkg,
  parseDpkgInstallTimes,
  parsePacman,
  parseRpm,
  type InstalledPackage,
} from './packages.js';
import { MAX_ITEMS, type SectionResult } from './section-types.js';

const read = (name: string): string =>
  readFileSync(new URL(`./testdata/packages/${name}`, import.meta.url), 'utf8');

interface Case {
  file: string;
  parse: (text: string) => SectionResult<InstalledPackage[]>;
  state: 'complete' | 'partial' | 'unsupported';
  count?: number;
  expect?: Partial<InstalledPackage> & { name: string };
}

const debianTimes = parseDpkgInstallTimes(read('debian12-dpkg-list-mtimes.txt'));

const cases: Case[] = [
  {
    file: 'debian12-dpkg-query.txt',
    parse: (t) => parseDpkg(t, debianTimes),
    state: 'complete',
    count: 784,
    expect: {
      name: 'adduser',
      version: '3.134',
      arch: 'all',
      vendor: 'Debian Adduser Developers <adduser@packages.debian.org>',
      installedAt: '2025-05-20T00:00:00.000Z',
      manager: 'dpkg',
    },
  },
  {
    file: 'rocky9-rpm-qa.txt',
    parse: parseRpm,
    state: 'complete',
    count: 7,
    expect: {
      name: 'NetworkManager',
      version: '1:1.46.0-8.el9_4',
      arch: 'x86_64',
      vendor: 'Rocky Enterprise Software Foundation',
      installedAt: '2024-05-06T12:53:24.000Z',
    },
  },
  {
    file: 'rocky9-rpm-qa.txt',
    parse: parseRpm,
    state: 'complete',
    expect: { name: 'gpg-pubkey', arch: null, vendor: null },
  },
  {
    file: 'rocky9-rpm-qa.txt',
    parse: parseRpm,
    state: 'complete',
    expect: { name: 'perl-Errno', version: '1.30-481.el9' },
  },
  {
    file: 'sles15-rpm-qa.txt',
    parse: parseRpm,
    state: 'complete',
    count: 3,
    expect: {
      name: 'zypper',
      version: '1.14.68-150400.3.40.1',
      vendor: 'SUSE LLC <https://www.suse.com/>',
    },
  },
  {
    file: 'alpine318-apk-list-installed.txt',
    parse: parseApk,
    state: 'complete',
    count: 10,
    expect: {
      name: 'openssh-server',
      version: '9.3_p2-r0',
      arch: 'x86_64',
      installedAt: null,
      manager: 'apk',
    },
  },
  {
    file: 'alpine318-apk-list-installed.txt',
    parse: parseApk,
    state: 'complete',
    expect: { name: 'ca-certificates-bundle', version: '20230506-r0', arch: 'x86_64' },
  },
  {
    file: 'alpine-apk-info-v.txt',
    parse: parseApk,
    state: 'complete',
    count: 4,
    expect: { name: 'musl', version: '1.2.4-r2', arch: null },
  },
  {
    file: 'arch-pacman-Qi.txt',
    parse: parsePacman,
    state: 'complete',
    count: 3,
    expect: {
      name: 'openssh',
      version: '9.7p1-1',
      arch: 'x86_64',
      vendor: 'Levente Polyak <anthraxx@archlinux.org>',
      installedAt: '2024-03-14T18:40:02',
      manager: 'pacman',
    },
  },
  {
    file: 'arch-pacman-Qi.txt',
    parse: parsePacman,
    state: 'complete',
    expect: { name: 'bash', installedAt: '2024-03-06T09:01:55' },
  },
  {
    file: 'arch-pacman-Q.txt',
    parse: parsePacman,
    state: 'complete',
    count: 3,
    expect: { name: 'tzdata', version: '2024a-1' },
  },
  {
    file: 'aix-dpkg-query-not-found.txt',
    parse: (t) => parseDpkg(t),
    state: 'unsupported',
    count: 0,
  },
  { file: 'solaris-rpm-not-found.txt', parse: parseRpm, state: 'unsupported', count: 0 },
  // BusyBox's `rpm` applet only reads .rpm files: its usage text is no package list.
  { file: 'debian12-busybox135-rpm-applet.txt', parse: parseRpm, state: 'unsupported', count: 0 },
  { file: 'solaris-rpm-not-found.txt', parse: parseApk, state: 'unsupported', count: 0 },
  { file: 'aix-dpkg-query-not-found.txt', parse: parsePacman, state: 'unsupported', count: 0 },
];

for (const c of cases) {
  test(`package parsers read ${c.file} as ${c.state}${c.expect ? ` (${c.expect.name})` : ''}`, () => {
    const result = c.parse(read(c.file));
    assert.equal(result.state, c.state, result.warnings.join('; '));
    if (c.count !== undefined) assert.equal(result.data.length, c.count);
    if (c.expect !== undefined) {
      const found = result.data.find((p) => p.name === c.expect?.name);
      assert.ok(found, `${c.expect.name} missing`);
      for (const [k, v] of Object.entries(c.expect))
        assert.deepEqual(found[k as keyof InstalledPackage], v, k);
    }
  });
}

test('parseDpkg skips removed packages that only left config files', () => {
  const text = 'vim\t2:9.0\tamd64\tX <x@y>\tii \nold\t1.0\tamd64\tX <x@y>\trc \n';
  assert.deepEqual(
    parseDpkg(text).data.map((p) => p.name),
    ['vim'],
  );
});

test('parseDpkg matches multi-arch install times by name:arch', () => {
  const times = parseDpkgInstallTimes('1700000000 /var/lib/dpkg/info/libc6:amd64.list\n');
  const result = parseDpkg('libc6\t2.36-9\tamd64\tGNU <g@d.org>\tii \n', times);
  assert.equal(result.data[0]?.installedAt, '2023-11-14T22:13:20.000Z');
});

test('parseDpkg tolerates CRLF, garbage lines and a line cut mid-way', () => {
  const text = 'bash\t5.2\tamd64\tM <m@d.org>\tii \r\n\uFFFD\uFFFDgarbage\r\ncoreutils\t9.1\tam';
  const result = parseDpkg(text);
  assert.equal(result.state, 'partial');
  assert.deepEqual(
    result.data.map((p) => [p.name, p.version, p.arch]),
    [['bash', '5.2', 'amd64']],
  );
  assert.ok(result.warnings.length >= 1);
});

test('parseRpm caps a flood of lines and says so', () => {
  const line = 'pkg\t(none)\t1-1\tx86_64\tV\t1700000000\n';
  const result = parseRpm(line.repeat(MAX_ITEMS + 5));
  assert.equal(result.state, 'partial');
  assert.equal(result.data.length, MAX_ITEMS);
  assert.ok(result.warnings.some((w) => w.includes('rest dropped')));
});

test('package parsers return complete and empty for empty output', () => {
  for (const parse of [parseDpkg, parseRpm, parseApk, parsePacman]) {
    const r = parse('');
    assert.equal(r.state, 'complete');
    assert.deepEqual(r.data, []);
  }
});
