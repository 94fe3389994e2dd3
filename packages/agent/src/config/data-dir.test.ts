// Tests for data directory resolution (every platform's rule) and creation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  dataDirLayout,
  defaultDataDirRoot,
  ensureDataDir,
  resolveDataDirRoot,
  type DataDirEnvironment,
} from './data-dir.js';
import { hasCode } from '../errors.js';

const linuxUser: DataDirEnvironment = {
  platform: 'linux',
  env: {},
  isRoot: false,
  homeDir: '/home/ann',
};

test('defaultDataDirRoot follows each platform', () => {
  assert.equal(
    defaultDataDirRoot({ ...linuxUser, platform: 'win32', env: {} }),
    'C:\\ProgramData\\NopesightScanner',
  );
  assert.equal(
    defaultDataDirRoot({ ...linuxUser, platform: 'win32', env: { ProgramData: 'D:\\PD' } }),
    'D:\\PD\\NopesightScanner',
  );
  assert.equal(defaultDataDirRoot({ ...linuxUser, isRoot: true }), '/var/lib/nopesight-scanner');
  assert.equal(defaultDataDirRoot(linuxUser), '/home/ann/.local/share/nopesight-scanner');
  assert.equal(
    defaultDataDirRoot({ ...linuxUser, env: { XDG_DATA_HOME: '/data/ann' } }),
    '/data/ann/nopesight-scanner',
  );
  assert.equal(
    defaultDataDirRoot({ ...linuxUser, env: { XDG_DATA_HOME: 'relative' } }),
    '/home/ann/.local/share/nopesight-scanner',
  );
  assert.equal(
    defaultDataDirRoot({ ...linuxUser, platform: 'darwin', homeDir: '/Users/ann' }),
    '/Users/ann/Library/Application Support/NopesightScanner',
  );
});

test('resolveDataDirRoot prefers the flag, then NOPESIGHT_DATA_DIR, then the default', () => {
  const env = { ...linuxUser, env: { NOPESIGHT_DATA_DIR: '/srv/ns' } };
  assert.equal(resolveDataDirRoot('/opt/x', env), '/opt/x');
  assert.equal(resolveDataDirRoot(undefined, env), '/srv/ns');
  assert.equal(
    resolveDataDirRoot(undefined, linuxUser),
    '/home/ann/.local/share/nopesight-scanner',
  );
  assert.equal(resolveDataDirRoot('rel', linuxUser), resolve('rel'));
  assert.throws(
    () => resolveDataDirRoot(undefined, { ...linuxUser, env: { NOPESIGHT_DATA_DIR: '' } }),
    (err) => hasCode(err, 'ERR_CONFIG_INVALID'),
  );
});

test('ensureDataDir creates the directory with mode 0700 and its subdirectories', async () => {
  const parent = await mkdtemp(join(tmpdir(), 'ns-datadir-'));
  try {
    const root = join(parent, 'a', 'b');
    const dir = await ensureDataDir(root);
    assert.deepEqual(dir, dataDirLayout(root));
    assert.equal(dir.keyFile, join(root, 'key.enc'));
    assert.equal(dir.logsDir, join(root, 'logs'));
    for (const d of [dir.root, dir.resultsDir, dir.logsDir]) {
      const s = await stat(d);
      assert.ok(s.isDirectory(), d);
      if (process.platform !== 'win32') assert.equal(s.mode & 0o777, 0o700, d);
    }
    // Idempotent on an existing directory.
    await ensureDataDir(root);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});
