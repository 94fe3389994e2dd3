// The generated unit: systemd's own checker accepts it (systemd-analyze verify, offline, on a
// file in a temp dir: it reads the unit, never the running manager), and its quoting.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageBinPath, type ServiceSpec } from './spec.js';
import { systemdQuote, systemdUnit } from './systemd-unit.js';

const ANALYZE = '/usr/bin/systemd-analyze';
const realSpec: ServiceSpec = {
  nodePath: process.execPath,
  binPath: packageBinPath(),
  dataDir: '/var/lib/nopesight-scanner',
};

/**
 * `systemd-analyze verify --man=no FILE`: needs no running systemd (it loads the unit into an
 * offline manager); --man=no skips looking up man pages named in Documentation=.
 */
function verify(unitText: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-unit-'));
  try {
    const file = join(dir, 'nopesight-scanner.service');
    writeFileSync(file, unitText);
    const r = spawnSync(ANALYZE, ['verify', '--man=no', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('systemdUnit', () => {
  const skip = existsSync(ANALYZE) ? false : `${ANALYZE} is not installed`;

  test('systemdUnit passes systemd-analyze verify without warnings', { skip }, () => {
    const r = verify(systemdUnit(realSpec));
    assert.equal(r.output, '');
    assert.equal(r.status, 0);
  });

  test('systemdUnit with a dedicated user and an awkward data dir passes verify', { skip }, () => {
    const spec = {
      ...realSpec,
      user: 'nopesight',
      group: 'nopesight',
      dataDir: '/srv/scan data/100%$x',
    };
    const r = verify(systemdUnit(spec));
    assert.equal(r.output, '');
    assert.equal(r.status, 0);
  });

  test(
    'systemdUnit verify catches a unit whose node does not exist (the check is real)',
    { skip },
    () => {
      const r = verify(systemdUnit({ ...realSpec, nodePath: '/nonexistent/node' }));
      assert.notEqual(r.status, 0);
      assert.match(r.output, /nonexistent\/node/);
    },
  );

  test('systemdUnit starts the daemon on the data dir with the hardening lines', () => {
    const unit = systemdUnit({ ...realSpec, user: 'nopesight' });
    const lines = unit.split('\n');
    assert.ok(
      lines.includes(
        `ExecStart=${process.execPath} ${packageBinPath()} daemon --data-dir /var/lib/nopesight-scanner`,
      ),
    );
    for (const line of [
      'Environment=NOPESIGHT_DATA_DIR=/var/lib/nopesight-scanner',
      'User=nopesight',
      'Restart=on-failure',
      'RestartSec=10',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/nopesight-scanner',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'AmbientCapabilities=CAP_NET_RAW',
    ]) {
      assert.ok(lines.includes(line), line);
    }
    assert.ok(!unit.includes('Group='));
  });

  test('systemdUnit keeps home directories readable when node lives under one', () => {
    const unit = systemdUnit({ ...realSpec, nodePath: '/root/.nvm/versions/node/v20/bin/node' });
    assert.ok(unit.split('\n').includes('ProtectHome=read-only'));
  });
});

describe('systemdQuote', () => {
  for (const [word, opts, want] of [
    ['/usr/bin/node', {}, '/usr/bin/node'],
    ['/a b', {}, '"/a b"'],
    ['50%', {}, '50%%'],
    ['a"b\\c', {}, '"a\\"b\\\\c"'],
    ['$HOME', { dollar: true }, '"$$HOME"'],
    ['$HOME', {}, '"$HOME"'],
  ] as const) {
    test(`systemdQuote ${JSON.stringify(word)} ${JSON.stringify(opts)}`, () => {
      assert.equal(systemdQuote(word, opts), want);
    });
  }
});
