// Tests for the configuration: embedded defaults, merging with config.json, field-naming errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig, validateConfig } from './config.js';
import { ScannerError } from '../errors.js';

function configError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof ScannerError);
    assert.equal(err.code, 'ERR_CONFIG_INVALID');
    assert.match(err.message, pattern);
    return true;
  });
}

test('defaultConfig holds the documented defaults', () => {
  const c = defaultConfig();
  assert.deepEqual(c.scan.tcpPorts, [22, 135, 139, 443, 445, 5985, 5986]);
  assert.deepEqual(c.scan.udpPorts, [161]);
  assert.deepEqual(c.scan.profiles.default?.tcp, c.scan.tcpPorts);
  assert.ok(c.scan.profiles.wide!.tcp.includes(3389));
  assert.equal(c.scan.maxInFlight, 2000);
  assert.equal(c.scan.hostConcurrency, 512);
  assert.deepEqual(c.scan.connectTimeoutMs, { initial: 1000, min: 100, max: 3000 });
  assert.equal(c.logging.maxBytes, 20 * 1024 * 1024);
  assert.equal(c.logging.maxFiles, 5);
});

test('defaultConfig returns independent copies', () => {
  const a = defaultConfig();
  a.scan.tcpPorts.push(1);
  assert.equal(defaultConfig().scan.tcpPorts.includes(1), false);
});

test('validateConfig merges objects and replaces arrays', () => {
  const c = validateConfig({
    scan: {
      tcpPorts: [22, 22, 80],
      connectTimeoutMs: { max: 5000 },
      profiles: { web: { tcp: [80, 443] } },
    },
    logging: { level: 'debug' },
  });
  assert.deepEqual(c.scan.tcpPorts, [22, 80]);
  assert.deepEqual(c.scan.connectTimeoutMs, { initial: 1000, min: 100, max: 5000 });
  assert.deepEqual(c.scan.profiles.web, { tcp: [80, 443], udp: [] });
  assert.ok(c.scan.profiles.wide);
  assert.equal(c.logging.level, 'debug');
  assert.equal(c.logging.maxFiles, 5);
});

test('validateConfig names the field path and the bad value', () => {
  configError(
    () => validateConfig({ scan: { tcpPorts: [22, 70000] } }, 'cfg.json'),
    /^cfg\.json: scan\.tcpPorts\[1\] must be an integer from 1 to 65535, got 70000$/,
  );
  configError(
    () => validateConfig({ scan: { maxInFlight: 'lots' } }),
    /scan\.maxInFlight .* got "lots"/,
  );
  configError(
    () => validateConfig({ logging: { level: 'loud' } }),
    /logging\.level must be one of/,
  );
  configError(() => validateConfig({ scan: { tcpPort: [1] } }), /unknown field scan\.tcpPort/);
  configError(() => validateConfig({ nope: 1 }), /unknown field nope/);
  configError(() => validateConfig([]), /top level must be an object/);
  configError(
    () => validateConfig({ scan: { connectTimeoutMs: { min: 5000 } } }),
    /scan\.connectTimeoutMs must satisfy min <= initial <= max/,
  );
  configError(
    () => validateConfig({ scan: { profiles: { 'a b': { tcp: [1] } } } }),
    /scan\.profiles\.a b/,
  );
  configError(() => validateConfig({ scan: { profiles: { x: {} } } }), /at least one port/);
});

test('loadConfig uses the defaults when config.json is missing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ns-config-'));
  try {
    assert.deepEqual(await loadConfig(join(dir, 'config.json')), defaultConfig());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadConfig reads config.json, with or without a byte-order mark', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ns-config-'));
  try {
    const file = join(dir, 'config.json');
    await writeFile(file, '\uFEFF{"scan":{"retries":3}}');
    assert.equal((await loadConfig(file)).scan.retries, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadConfig reports a corrupt config.json by name and leaves it unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ns-config-'));
  try {
    const file = join(dir, 'config.json');
    const text = '{"scan": {"retries": 3,,}';
    await writeFile(file, text);
    await assert.rejects(loadConfig(file), (err) => {
      assert.ok(err instanceof ScannerError);
      assert.equal(err.code, 'ERR_CONFIG_INVALID');
      assert.ok(err.message.includes(file), err.message);
      assert.match(err.message, /not valid JSON/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), text);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('results retention has defaults and validated overrides', () => {
  assert.deepEqual(defaultConfig().results, { maxAgeDays: 30, maxTotalBytes: 1024 ** 3 });
  const c = validateConfig({ results: { maxAgeDays: 0 } });
  assert.equal(c.results.maxAgeDays, 0);
  assert.equal(c.results.maxTotalBytes, 1024 ** 3);
  configError(() => validateConfig({ results: { maxTotalBytes: 10 } }), /results\.maxTotalBytes/);
  configError(() => validateConfig({ results: { maxAgeDays: -1 } }), /results\.maxAgeDays/);
  configError(() => validateConfig({ results: { keep: 1 } }), /unknown field results\.keep/);
});

test('scan.maxFailedLoginsPerAccount defaults to 3 and must be 1-100', () => {
  assert.equal(defaultConfig().scan.maxFailedLoginsPerAccount, 3);
  assert.equal(
    validateConfig({ scan: { maxFailedLoginsPerAccount: 5 } }).scan.maxFailedLoginsPerAccount,
    5,
  );
  assert.throws(
    () => validateConfig({ scan: { maxFailedLoginsPerAccount: 0 } }),
    (e) => e instanceof ScannerError && /scan\.maxFailedLoginsPerAccount/.test(e.message),
  );
});
