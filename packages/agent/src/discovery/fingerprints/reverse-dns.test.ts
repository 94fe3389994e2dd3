// Tests for reverseDns against a real DNS server (Debian's dnsmasq on 127.0.0.1) and silent peers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { reverseDns, reverseName } from './reverse-dns.js';
import { isCode } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const DNSMASQ = '/usr/sbin/dnsmasq';

const ctx = (timeoutMs = 2000): { signal: AbortSignal; timeoutMs: number } => ({
  signal: new AbortController().signal,
  timeoutMs,
});

/** A UDP port on 127.0.0.1 that swallows every query: a DNS server that never answers. */
async function silentUdp(): Promise<{ port: number; queries: () => number; close: () => void }> {
  const socket: UdpSocket = createSocket('udp4');
  let queries = 0;
  socket.on('message', () => queries++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, queries: () => queries, close: () => socket.close() };
}

describe('reverseName', () => {
  test('reverseName builds in-addr.arpa and ip6.arpa names', () => {
    assert.equal(reverseName('198.18.0.10'), '10.0.18.198.in-addr.arpa');
    assert.equal(
      reverseName('2001:db8::567:89ab'),
      'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    assert.equal(reverseName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
    assert.equal(reverseName('vcsa.lab.example'), undefined);
  });
});

describe('reverseDns against dnsmasq', () => {
  let dnsmasq: ChildProcess | undefined;
  let server = '';
  let log = '';
  const available = existsSync(DNSMASQ);

  before(async () => {
    if (!available) return;
    // A free port for both UDP and TCP is not guaranteed; retry a few times if dnsmasq cannot bind.
    for (let attempt = 0; attempt < 5 && !log.includes('started'); attempt++) {
      const probe = await silentUdp();
      const port = probe.port;
      probe.close();
      log = '';
      dnsmasq = spawn(
        DNSMASQ,
        [
          '--keep-in-foreground',
          '--conf-file=/dev/null',
          '--no-resolv',
          '--no-hosts',
          `--port=${port}`,
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          '--log-facility=-',
          // Answer NXDOMAIN for unknown reverse names instead of REFUSED (no upstream to ask).
          '--local=/in-addr.arpa/',
          '--local=/ip6.arpa/',
          '--ptr-record=10.0.18.198.in-addr.arpa,ssh.lab.example',
          '--ptr-record=40.0.18.198.in-addr.arpa,vcsa.lab.example',
          '--ptr-record=40.0.18.198.in-addr.arpa,VCenter.Lab.Example.',
          `--ptr-record=${reverseName('::1')},loopback6.lab.example`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      dnsmasq.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      for (let i = 0; i < 100 && !log.includes('started') && dnsmasq.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      server = `127.0.0.1:${port}`;
    }
    assert.match(log, /started/, `dnsmasq did not start: ${log}`);
  });

  after(async () => {
    await stopChild(dnsmasq);
  });

  test('reverseDns returns the PTR name of a known address', async (t) => {
    if (!available) return t.skip(`no ${DNSMASQ}`);
    assert.deepEqual(await reverseDns('198.18.0.10', { ...ctx(), servers: [server] }), [
      'ssh.lab.example',
    ]);
  });

  test('reverseDns returns every name, lower-cased, without the trailing dot', async (t) => {
    if (!available) return t.skip(`no ${DNSMASQ}`);
    const names = await reverseDns('198.18.0.40', { ...ctx(), servers: [server] });
    assert.deepEqual([...names].sort(), ['vcenter.lab.example', 'vcsa.lab.example']);
  });

  test('reverseDns looks IPv6 addresses up in ip6.arpa', async (t) => {
    if (!available) return t.skip(`no ${DNSMASQ}`);
    assert.deepEqual(await reverseDns('::1', { ...ctx(), servers: [server] }), [
      'loopback6.lab.example',
    ]);
  });

  test('reverseDns returns [] for an address without a PTR record', async (t) => {
    if (!available) return t.skip(`no ${DNSMASQ}`);
    assert.deepEqual(await reverseDns('198.18.0.99', { ...ctx(), servers: [server] }), []);
  });
});

describe('reverseDns failures', () => {
  test('reverseDns times out on a DNS server that never answers', async () => {
    const silent = await silentUdp();
    try {
      await assert.rejects(
        reverseDns('198.18.0.10', { ...ctx(300), servers: [`127.0.0.1:${silent.port}`] }),
        isCode('ERR_TIMEOUT', /query phase exceeded its 300 ms limit/),
      );
      assert.ok(silent.queries() >= 1, 'the query reached the silent server');
    } finally {
      silent.close();
    }
  });

  test('reverseDns reports a closed DNS port as unreachable', async () => {
    const silent = await silentUdp();
    const port = silent.port;
    silent.close();
    await assert.rejects(
      reverseDns('198.18.0.10', { ...ctx(), servers: [`127.0.0.1:${port}`] }),
      isCode('ERR_UNREACHABLE'),
    );
  });

  test('reverseDns stops when the caller aborts', async () => {
    const silent = await silentUdp();
    const controller = new AbortController();
    try {
      const pending = reverseDns('198.18.0.10', {
        signal: controller.signal,
        timeoutMs: 60_000,
        servers: [`127.0.0.1:${silent.port}`],
      });
      setImmediate(() => controller.abort());
      await assert.rejects(pending, isCode('ERR_ABORTED'));
    } finally {
      silent.close();
    }
  });

  test('reverseDns refuses an unusable server list', async () => {
    await assert.rejects(
      reverseDns('198.18.0.10', { ...ctx(), servers: ['not a server'] }),
      isCode('ERR_CONFIG_INVALID'),
    );
  });

  test('reverseDns refuses something that is not an address', async () => {
    await assert.rejects(reverseDns('vcsa.lab.example', ctx()), isCode('ERR_TARGET_INVALID'));
  });
});
