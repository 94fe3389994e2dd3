// Tests for the SSH identification parser (captures in testdata/ssh) and the socket reader (real peers).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLIENT_IDENTIFICATION, readSshBanner } from './ssh-banner.js';
import { scanSshPreamble } from './ssh-banner-parse.js';
import { isCode, probeCtx as ctx } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';
import { freePort } from '../../../../../test/support/ports.js';

interface BannerCase {
  name: string;
  source: string;
  raw?: string;
  rawBase64?: string;
  expect: Record<string, string>;
  expectPreamble?: string[];
}
const captures = JSON.parse(
  readFileSync(new URL('./testdata/ssh/banners.json', import.meta.url), 'utf8'),
) as { cases: BannerCase[]; invalid: { name: string; raw: string }[] };

const bytesOf = (c: { raw?: string; rawBase64?: string }): Buffer =>
  c.rawBase64 ? Buffer.from(c.rawBase64, 'base64') : Buffer.from(c.raw ?? '', 'latin1');

describe('scanSshPreamble', () => {
  for (const c of captures.cases) {
    test(`scanSshPreamble splits ${c.name}`, () => {
      const scan = scanSshPreamble(bytesOf(c));
      assert.equal(scan.kind, 'found', JSON.stringify(scan));
      if (scan.kind !== 'found') return;
      assert.deepEqual({ ...scan.identification }, c.expect);
      assert.deepEqual(scan.preamble, c.expectPreamble ?? []);
    });
  }

  test('scanSshPreamble rejects a line starting SSH- that does not parse', () => {
    const scan = scanSshPreamble(Buffer.from('SSH-\r\n'));
    assert.equal(scan.kind, 'invalid');
  });

  test('scanSshPreamble waits for the rest of a partial line', () => {
    assert.deepEqual(scanSshPreamble(Buffer.from('SSH-2.0-Open')), { kind: 'need-more' });
    assert.deepEqual(scanSshPreamble(Buffer.from('Hello\r\n')), { kind: 'need-more' });
  });

  test('scanSshPreamble gives up after 20 lines before SSH-', () => {
    const text = 'x\r\n'.repeat(21) + 'SSH-2.0-late\r\n';
    const scan = scanSshPreamble(Buffer.from(text));
    assert.equal(scan.kind, 'invalid');
    assert.match(scan.kind === 'invalid' ? scan.reason : '', /more than 20 lines/);
    assert.equal(scanSshPreamble(Buffer.from('x\r\n'.repeat(20) + 'SSH-2.0-ok\r\n')).kind, 'found');
  });

  test('scanSshPreamble gives up at 8 KB without a line end', () => {
    const scan = scanSshPreamble(Buffer.alloc(8192, 0x41));
    assert.equal(scan.kind, 'invalid');
  });

  test('scanSshPreamble rejects an identification line longer than 255 characters', () => {
    const scan = scanSshPreamble(Buffer.from('SSH-2.0-' + 'a'.repeat(300)));
    assert.equal(scan.kind, 'invalid');
  });

  test('scanSshPreamble strips control characters a hostile peer embeds', () => {
    const scan = scanSshPreamble(Buffer.from('SSH-2.0-Evil\u001b[31m_1\u0000 x\r\n', 'latin1'));
    assert.equal(scan.kind, 'found');
    if (scan.kind === 'found') assert.equal(scan.identification.banner, 'SSH-2.0-Evil[31m_1 x');
  });

  for (const c of captures.invalid) {
    test(`scanSshPreamble finds no identification in ${c.name}`, () => {
      assert.notEqual(scanSshPreamble(bytesOf(c)).kind, 'found');
    });
  }
});

/** A TCP peer on 127.0.0.1 whose behaviour each test scripts; it records what it received. */
async function startPeer(
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let received = '';
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('readSshBanner against scripted peers', () => {
  test('readSshBanner sends our identification line and reads the server line', async () => {
    const peer = await startPeer((s) => s.write('SSH-2.0-TestServer_1.0 hello\r\n'));
    try {
      const banner = await readSshBanner('127.0.0.1', peer.port, ctx());
      assert.deepEqual(banner, {
        banner: 'SSH-2.0-TestServer_1.0 hello',
        protoVersion: '2.0',
        software: 'TestServer_1.0',
        comments: 'hello',
      });
      for (let i = 0; i < 100 && !peer.received().includes('\n'); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(peer.received(), `${CLIENT_IDENTIFICATION}\r\n`);
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner reads a server that waits for the client line first', async () => {
    const peer = await startPeer((s) =>
      s.once('data', () => s.write('Pre-login notice\r\nSSH-2.0-Waiter\r\n')),
    );
    try {
      const banner = await readSshBanner('127.0.0.1', peer.port, ctx());
      assert.equal(banner.software, 'Waiter');
      assert.deepEqual(banner.preamble, ['Pre-login notice']);
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner times out on a peer that accepts and stays silent', async () => {
    const peer = await startPeer(() => {});
    try {
      await assert.rejects(readSshBanner('127.0.0.1', peer.port, ctx(200)), (err) => {
        isCode('ERR_TIMEOUT')(err);
        assert.match((err as Error).message, /identification phase exceeded its 200 ms limit/);
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner stops reading a peer that floods lines', async () => {
    let written = 0;
    const peer = await startPeer((s) => {
      const flood = (): void => {
        while (!s.destroyed && written < 50_000_000 && s.write('A'.repeat(100) + '\r\n'))
          written += 102;
        if (!s.destroyed && written < 50_000_000) s.once('drain', flood);
      };
      flood();
    });
    try {
      await assert.rejects(readSshBanner('127.0.0.1', peer.port, ctx()), isCode('ERR_PROTOCOL'));
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner stops reading a peer that floods one endless line', async () => {
    const peer = await startPeer((s) => {
      const chunk = Buffer.alloc(65536, 0x42);
      const flood = (): void => {
        while (!s.destroyed && s.write(chunk));
        if (!s.destroyed) s.once('drain', flood);
      };
      flood();
    });
    try {
      await assert.rejects(readSshBanner('127.0.0.1', peer.port, ctx()), (err) => {
        isCode('ERR_PROTOCOL')(err);
        assert.match((err as Error).message, /8192 bytes/);
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner reports what a refusing server said before closing', async () => {
    const peer = await startPeer((s) => s.end('Exceeded MaxStartups\r\n'));
    try {
      await assert.rejects(readSshBanner('127.0.0.1', peer.port, ctx()), (err) => {
        isCode('ERR_PROTOCOL')(err);
        assert.match((err as Error).message, /Exceeded MaxStartups/);
        return true;
      });
    } finally {
      await peer.close();
    }
  });

  test('readSshBanner reports a closed port as unreachable', async () => {
    const peer = await startPeer(() => {});
    const port = peer.port;
    await peer.close();
    await assert.rejects(readSshBanner('127.0.0.1', port, ctx()), isCode('ERR_UNREACHABLE'));
  });

  test('readSshBanner stops when the caller aborts', async () => {
    const peer = await startPeer(() => {});
    const controller = new AbortController();
    try {
      const pending = readSshBanner('127.0.0.1', peer.port, {
        signal: controller.signal,
        timeoutMs: 60_000,
      });
      setImmediate(() => controller.abort());
      await assert.rejects(pending, isCode('ERR_ABORTED'));
      await assert.rejects(
        readSshBanner('127.0.0.1', peer.port, { signal: controller.signal, timeoutMs: 1000 }),
        isCode('ERR_ABORTED'),
      );
    } finally {
      await peer.close();
    }
  });
});

describe('readSshBanner against a real OpenSSH sshd', () => {
  const SSHD = '/usr/sbin/sshd';
  let dir = '';
  let sshd: ChildProcess | undefined;
  let port = 0;
  let log = '';
  const available = spawnSync(SSHD, ['-V'], { encoding: 'utf8' }).error === undefined;

  before(async () => {
    if (!available) return;
    dir = mkdtempSync(join(tmpdir(), 'nopesight-sshd-'));
    chmodSync(dir, 0o755);
    const key = join(dir, 'host_ed25519');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
    port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${key}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'LogLevel VERBOSE',
      ].join('\n') + '\n',
    );
    // As root, sshd wants /run/sshd for privilege separation; as nobody it runs without it.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chownSync(dir, 65534, 65534);
      for (const f of [key, `${key}.pub`, config]) chownSync(f, 65534, 65534);
    }
    const argv = [SSHD, '-D', '-e', '-f', config];
    sshd = asRoot
      ? spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv])
      : spawn(argv[0] as string, argv.slice(1));
    sshd.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 100 && !log.includes('Server listening'); i++) {
      if (sshd.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(log, /Server listening/, `sshd did not start: ${log}`);
  });

  after(async () => {
    await stopChild(sshd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('readSshBanner reads OpenSSH identification and the server logs a clean close', async (t) => {
    if (!available) return t.skip('no /usr/sbin/sshd on this machine');
    const banner = await readSshBanner('127.0.0.1', port, ctx());
    assert.equal(banner.protoVersion, '2.0');
    assert.match(banner.software, /^OpenSSH_\d/);
    assert.match(banner.banner, /^SSH-2\.0-OpenSSH_/);
    for (let i = 0; i < 100 && !/Connection closed by 127\.0\.0\.1/.test(log); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(log, /Connection closed by 127\.0\.0\.1 port \d+ \[preauth\]/);
  });
});
