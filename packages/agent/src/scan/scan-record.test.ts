// Every scan is recorded in the store with who started it (the GUI's scan history): `scan`
// without an integration, or with --no-upload, gets a row with source `cli`, its counts and
// summary, and nothing queued; one connection to the store serves the whole scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout } from '../config/data-dir.js';
import { openStore } from '../store/index.js';
import { runCli } from '../../../../test/support/cli-io.js';

test('scan without an integration is recorded as cli, not queued', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nopesight-scan-record-'));
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
  const peer = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
  });
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  const port = (peer.address() as { port: number }).port;
  try {
    const scan = (...extra: string[]) =>
      runCli(dataDir, [
        'scan',
        '--ports',
        `T:${port}`,
        '--protocols',
        'none',
        '--no-progress',
        '--no-dns',
        ...extra,
        '127.0.0.1',
      ]);
    const plain = await scan();
    assert.equal(plain.code, 0, plain.err);
    assert.doesNotMatch(plain.err, /upload:/, 'no integration: nothing said about uploads');
    const kept = await scan('--no-upload');
    assert.equal(kept.code, 0, kept.err);

    const store = openStore(dataDirLayout(dataDir));
    try {
      const rows = store.scans.list();
      assert.equal(rows.length, 2);
      for (const row of rows) {
        assert.deepEqual(row.source, { kind: 'cli' });
        assert.equal(row.upload, false);
        assert.equal(row.state, 'completed');
        assert.equal(row.hosts, 1);
        assert.equal(row.summary?.counts.alive, 1);
      }
      assert.equal(store.outbox.counts().pending, 0);
    } finally {
      store.close();
    }
  } finally {
    await new Promise((r) => peer.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
