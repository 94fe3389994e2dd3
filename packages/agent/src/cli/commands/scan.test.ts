import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { testIo } from '../../../../../test/support/cli-io.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nopesight-scan-'));
}

async function listen(): Promise<{ server: Server; port: number }> {
  // The sweep resets its probe connections (RST), so the peer sees ECONNRESET: ignore it.
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const usageCases: [string, string[], RegExp][] = [
  ['no target', ['scan'], /at least one target/],
  ['malformed target names the token', ['scan', '198.18.1.300'], /198\.18\.1\.300/],
  ['bad exclusion names the token', ['scan', '127.0.0.1', '--exclude', '1.2.3'], /1\.2\.3/],
  ['huge range without --allow-large', ['scan', '10.0.0.0/8'], /--allow-large/],
  ['bad port list', ['scan', '127.0.0.1', '--ports', '22,99999'], /99999/],
  ['unknown protocol', ['scan', '127.0.0.1', '--protocols', 'telnet'], /telnet/],
  ['both outputs on stdout', ['scan', '127.0.0.1', '--json', '-', '--jsonl', '-'], /stdout/],
  ['unknown option', ['scan', '127.0.0.1', '--bogus'], /bogus/],
];

for (const [name, args, message] of usageCases) {
  test(`scan rejects bad usage: ${name} (exit 2, nothing scanned)`, async () => {
    const dir = tempDir();
    try {
      const io = testIo({ env: { NOPESIGHT_DATA_DIR: dir } });
      const code = await main(args, io);
      assert.equal(code, 2, io.err());
      assert.match(io.err(), message);
      assert.ok(
        !readdirSync(dir).includes('results') || readdirSync(join(dir, 'results')).length === 0,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('scan --help documents the contract options', async () => {
  const io = testIo();
  assert.equal(await main(['scan', '--help'], io), 0);
  for (const opt of [
    '--exclude',
    '--ports',
    '--protocols',
    '--json',
    '--jsonl',
    '--data-dir',
    '--no-upload',
  ]) {
    assert.ok(io.out().includes(opt), opt);
  }
});

test('scan of loopback finds an open port and streams JSON lines without escape codes', async () => {
  const dir = tempDir();
  const { server, port } = await listen();
  try {
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dir } });
    const code = await main(
      [
        'scan',
        '127.0.0.1',
        '--ports',
        String(port),
        '--protocols',
        'none',
        '--jsonl',
        '-',
        '--no-icmp',
        '--no-dns',
      ],
      io,
    );
    assert.equal(code, 0, io.err());
    const lines = io.out().trim().split('\n');
    assert.equal(lines.length, 1);
    const host = JSON.parse(lines[0]!);
    assert.equal(host.address, '127.0.0.1');
    assert.deepEqual(
      host.discovery.openPorts.map((p: { port: number }) => p.port),
      [port],
    );
    assert.ok(
      Array.isArray(host.hostnames) && Array.isArray(host.macs) && Array.isArray(host.protocols),
    );
    assert.equal(typeof host.ci.type, 'string');
    assert.ok(!(io.err() + io.out()).includes('\x1b['), 'no escape codes off a terminal');
    assert.match(io.err(), /1 alive/);
    const results = readdirSync(join(dir, 'results'));
    assert.equal(results.length, 1);
    const doc = JSON.parse(readFileSync(join(dir, 'results', results[0]!), 'utf8'));
    assert.equal(doc.scan.counts.alive, 1);
    assert.equal(doc.hosts[0].address, '127.0.0.1');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --json writes one document with scan and hosts; a closed port is not reported open', async () => {
  const dir = tempDir();
  const { server, port } = await listen();
  const closed = await listen();
  closed.server.close();
  try {
    const out = join(dir, 'scan.json');
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dir } });
    const code = await main(
      [
        'scan',
        '127.0.0.1',
        '--ports',
        `${port},${closed.port}`,
        '--protocols',
        'none',
        '--json',
        out,
        '--no-icmp',
        '--no-dns',
      ],
      io,
    );
    assert.equal(code, 0, io.err());
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(doc.scan.state, 'completed');
    assert.equal(doc.scan.counts.swept, 1);
    assert.deepEqual(
      doc.hosts[0].discovery.openPorts.map((p: { port: number }) => p.port),
      [port],
    );
    assert.match(io.out(), /127\.0\.0\.1/, 'summary table on stdout');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
