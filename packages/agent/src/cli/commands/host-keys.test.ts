// Tests the host-keys command on a real store in a temp data dir (no network).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { dataDirLayout } from '../../config/data-dir.js';
import { openStore } from '../../store/index.js';
import { runCli, testIo } from '../../../../../test/support/cli-io.js';

const OLD = 'SHA256:' + 'o'.repeat(43);
const NEW = 'SHA256:' + 'n'.repeat(43);

describe('host-keys command', () => {
  let dataDir = '';
  const run = (...args: string[]) => runCli(dataDir, ['host-keys', ...args]);
  /** What a scan does when it meets a host: pin on first use, or record a different key. */
  const offer = (address: string, port: number, fingerprint: string): void => {
    const store = openStore(dataDirLayout(dataDir));
    try {
      store.hostKeys.verify(address, port, 'ssh-ed25519', fingerprint);
    } catch {
      // a changed key: recorded as offered, which is what this helper is for
    } finally {
      store.close();
    }
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-hostkeys-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('list on an empty store says how keys get pinned', async () => {
    const r = await run('list');
    assert.equal(r.code, 0);
    assert.match(r.out, /no host keys pinned yet/);
  });

  test('trust with nothing offered is a usage error that changes nothing', async () => {
    offer('198.18.0.10', 22, OLD);
    const r = await run('trust', '198.18.0.10');
    assert.equal(r.code, 2);
    assert.match(r.err, /ERR_CONFIG_INVALID: .*nothing to trust/);
  });

  test('a changed key shows in list; trust with the wrong fingerprint refuses; the right one pins', async () => {
    offer('198.18.0.10', 22, NEW);
    const listed = await run('list', '--json');
    const keys = JSON.parse(listed.out) as {
      fingerprint: string;
      offered: { fingerprint: string };
    }[];
    assert.equal(keys[0]?.fingerprint, OLD);
    assert.equal(keys[0]?.offered.fingerprint, NEW);
    const table = await run('list');
    assert.match(
      table.out,
      /198\.18\.0\.10\s+22\s+ssh-ed25519\s+SHA256:o+\s+\S+\s+SHA256:n+ \(ssh-ed25519/,
    );

    const wrong = await run('trust', '198.18.0.10', '--fingerprint', OLD);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /last offered SHA256:n+, not SHA256:o+/);

    const ok = await run('trust', '198.18.0.10', '--fingerprint', NEW);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /now trusting SHA256:n+ \(ssh-ed25519\) instead of SHA256:o+/);
    const after = JSON.parse((await run('list', '198.18.0.10', '--json')).out) as {
      fingerprint: string;
      offered: unknown;
    }[];
    assert.equal(after[0]?.fingerprint, NEW);
    assert.equal(after[0]?.offered, null);
    const audit = readFileSync(join(dataDir, 'logs', 'app.log'), 'utf8');
    assert.match(audit, /ssh host key trusted/);
  });

  test('remove forgets a pin on the given port only', async () => {
    offer('198.18.0.10', 2222, OLD);
    assert.equal((await run('remove', '198.18.0.10', '--port', '2222')).code, 0);
    const left = JSON.parse((await run('list', '--json')).out) as { port: number }[];
    assert.deepEqual(
      left.map((k) => k.port),
      [22],
    );
    const again = await run('remove', '198.18.0.10', '--port', '2222');
    assert.equal(again.code, 2);
    assert.match(again.err, /no host key is pinned for 198\.18\.0\.10:2222/);
  });

  test('bad input is a clear usage error', async () => {
    for (const [args, message] of [
      [['trust', 'ssh.example'], /not an IP address/],
      [['trust', '198.18.0.10', '--port', '70000'], /--port must be a TCP port/],
      [['trust', '198.18.0.10', '--fingerprint', 'md5:aa'], /not an SSH SHA256 fingerprint/],
      [['trust'], /needs an ADDRESS/],
      [['frobnicate'], /unknown host-keys subcommand/],
      [[], /needs a subcommand/],
    ] as const) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    }
  });

  test('a scanner.db that is not a database exits 3 and is left as it was', async () => {
    const other = mkdtempSync(join(tmpdir(), 'nopesight-hostkeys-bad-'));
    try {
      const junk = 'definitely not sqlite\n'.repeat(100);
      writeFileSync(join(other, 'scanner.db'), junk);
      const io = testIo({ env: { NOPESIGHT_DATA_DIR: other } });
      assert.equal(await main(['host-keys', 'list'], io), 3);
      assert.match(io.err(), /ERR_STORE_CORRUPT/);
      assert.equal(readFileSync(join(other, 'scanner.db'), 'utf8'), junk);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
