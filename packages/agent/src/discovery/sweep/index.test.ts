// Tests of sweep() over loopback: real sockets to listening, closed and silent local peers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCode } from '../../errors.js';
import type { SweepResult, Target } from '../types.js';
import { sweep, type SweepStats } from './index.js';

const v4 = (address: string): Target => ({ address, family: 4 });

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function collect(it: AsyncIterable<SweepResult>): Promise<SweepResult[]> {
  const out: SweepResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('sweep over loopback', () => {
  const open = createServer((c) => c.destroy());
  // Accepts and stays silent, keeping every connection: a peer that never speaks first.
  const silentConns: Socket[] = [];
  const silent = createServer((c) => {
    c.on('error', () => {});
    silentConns.push(c);
  });
  let openPort = 0;
  let silentPort = 0;
  let closedPort = 0;

  before(async () => {
    openPort = await listen(open);
    silentPort = await listen(silent);
    const tmp = createServer();
    closedPort = await listen(tmp);
    tmp.close();
    await once(tmp, 'close');
  });
  after(() => {
    open.close();
    for (const c of silentConns) c.destroy();
    silent.close();
  });

  it('sweep finds an open port and counts a refused one as alive', async () => {
    const [r] = await collect(sweep([v4('127.0.0.1')], { tcpPorts: [closedPort, openPort] }));
    assert.ok(r);
    assert.equal(r.alive, true);
    assert.deepEqual(r.openTcp, [openPort]);
    assert.deepEqual(r.foundBy, ['tcp']);
    assert.equal(typeof r.rttMs, 'number');
    assert.ok(r.finishedAt >= r.startedAt);
  });

  it('sweep calls a host with only refused ports alive with no open ports', async () => {
    const [r] = await collect(sweep([v4('127.0.0.1')], { tcpPorts: [closedPort] }));
    assert.equal(r?.alive, true);
    assert.deepEqual(r?.openTcp, []);
  });

  it('sweep reports an accept-and-silent peer open, nothing more, and resets the connection', async () => {
    const results = await collect(
      sweep([v4('127.0.0.1'), v4('127.0.0.2'), v4('127.0.0.3')], {
        tcpPorts: [silentPort, closedPort, openPort],
      }),
    );
    const by = new Map(results.map((r) => [r.target.address, r]));
    assert.deepEqual(
      by.get('127.0.0.1')?.openTcp,
      [openPort, silentPort].sort((a, b) => a - b),
    );
    // The listeners are bound to 127.0.0.1 only: the other loopback addresses refuse.
    assert.deepEqual(by.get('127.0.0.2')?.openTcp, []);
    assert.deepEqual(by.get('127.0.0.3')?.openTcp, []);
    assert.equal(results.length, 3);
    // The sweep tore its connection down with a RST, not a FIN: the peer sees ECONNRESET.
    const peer = silentConns.at(-1)!;
    if (!peer.destroyed) {
      const [err] = (await once(peer, 'error')) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'ECONNRESET');
    }
  });

  it('sweep sorts open ports and yields every target once', async () => {
    const targets = Array.from({ length: 50 }, (_, i) => v4(`127.0.1.${i + 1}`));
    const results = await collect(sweep(targets, { tcpPorts: [openPort, closedPort] }));
    assert.equal(results.length, 50);
    assert.equal(new Set(results.map((r) => r.target.address)).size, 50);
    for (const r of results) assert.deepEqual(r.openTcp, []);
  });

  it('sweep stops promptly on abort and throws ERR_ABORTED', async () => {
    const ac = new AbortController();
    let pulled = 0;
    async function* many(): AsyncGenerator<Target> {
      for (let i = 0; i < 60_000; i++) {
        pulled++;
        yield v4(`127.2.${(i >> 8) & 255}.${(i & 255) + 1}`);
      }
    }
    let seen = 0;
    await assert.rejects(
      async () => {
        for await (const _r of sweep(many(), { tcpPorts: [closedPort], signal: ac.signal })) {
          if (++seen === 5) ac.abort();
        }
      },
      (err) => hasCode(err, 'ERR_ABORTED'),
    );
    assert.ok(pulled < 60_000, `input not drained (pulled ${pulled})`);
  });

  it('sweep does not pull targets ahead of its capacity', async () => {
    let pulled = 0;
    async function* many(): AsyncGenerator<Target> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield v4(`127.3.${i >> 8}.${(i & 255) + 1}`);
      }
    }
    const it = sweep(many(), { tcpPorts: [closedPort], hostConcurrency: 4, maxInFlight: 4 });
    const first = await it.next();
    assert.equal(first.done, false);
    // A slow consumer: give the sweep time to run ahead as far as it would.
    await sleep(100);
    // One consumed, at most 4 finished waiting, 4 in progress, 1 being pulled.
    assert.ok(pulled <= 10, `pulled ${pulled} targets while the consumer held 1`);
    await it.return(undefined);
  });

  it('sweep asks the injected SNMP prober when udp/161 is requested', async () => {
    const asked: string[] = [];
    const results = await collect(
      sweep([v4('127.0.0.1'), v4('127.0.0.2'), v4('127.0.0.3')], {
        tcpPorts: [],
        udpPorts: [161],
        snmpTimeoutMs: 100,
        snmpProbe: async (address, signal) => {
          asked.push(address);
          if (address === '127.0.0.1') return { community: 'public', sysDescr: 'Linux lab' };
          if (address === '127.0.0.2') throw new Error('no answer');
          // 127.0.0.3: never answers, only gives up when aborted.
          await once(signal, 'abort');
          return null;
        },
      }),
    );
    const by = new Map(results.map((r) => [r.target.address, r]));
    assert.deepEqual(asked.sort(), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    assert.equal(by.get('127.0.0.1')?.alive, true);
    assert.deepEqual(by.get('127.0.0.1')?.foundBy, ['snmp']);
    assert.deepEqual(by.get('127.0.0.1')?.openUdp, [161]);
    assert.equal(by.get('127.0.0.1')?.snmpSysDescr, 'Linux lab');
    assert.equal(by.get('127.0.0.1')?.snmpCommunity, 'public');
    assert.equal(by.get('127.0.0.2')?.alive, false);
    assert.equal(by.get('127.0.0.3')?.alive, false);
  });

  it('sweep counts an SNMPv3 engine alone as alive on udp/161, without sysDescr', async () => {
    const snmpV3 = {
      engineId: '80001f8880e5cc701946040c6b00000000',
      engineIdFormat: 'enterprise' as const,
      enterpriseNumber: 8072,
      engineBoots: 1,
      engineTime: 2,
    };
    const results = await collect(
      sweep([v4('127.0.0.1'), v4('127.0.0.2')], {
        tcpPorts: [],
        udpPorts: [161],
        snmpProbe: async (address) =>
          address === '127.0.0.1'
            ? { snmpV3 }
            : { community: 'public', sysDescr: 'Linux lab', snmpV3 },
      }),
    );
    const by = new Map(results.map((r) => [r.target.address, r]));
    const v3Only = by.get('127.0.0.1');
    assert.equal(v3Only?.alive, true);
    assert.deepEqual(v3Only?.foundBy, ['snmp']);
    assert.deepEqual(v3Only?.openUdp, [161]);
    assert.deepEqual(v3Only?.snmpV3, snmpV3);
    assert.equal(v3Only?.snmpSysDescr, undefined);
    assert.equal(v3Only?.snmpCommunity, undefined);
    assert.equal(by.get('127.0.0.2')?.snmpSysDescr, 'Linux lab');
    assert.deepEqual(by.get('127.0.0.2')?.snmpV3, snmpV3);
  });

  it('sweep ignores udp/161 without a prober and reports progress at the end', async () => {
    let last: SweepStats | null = null;
    const results = await collect(
      sweep([v4('127.0.0.1')], {
        tcpPorts: [openPort],
        udpPorts: [161],
        onProgress: (s) => (last = s),
      }),
    );
    assert.deepEqual(results[0]?.openUdp, []);
    const s = last as SweepStats | null;
    assert.equal(s?.hostsDone, 1);
    assert.equal(s?.hostsAlive, 1);
    assert.equal(s?.openPorts, 1);
    assert.equal(s?.inFlight, 0);
  });

  it('sweep with nothing to probe yields the host not alive', async () => {
    const [r] = await collect(sweep([v4('127.0.0.1')], { tcpPorts: [] }));
    assert.equal(r?.alive, false);
    assert.deepEqual(r?.foundBy, []);
  });

  it('sweep with ICMP sees loopback answer echo when fping is usable', async (t) => {
    let icmpAvailable = false;
    const results = await collect(
      sweep([v4('127.0.0.1')], {
        tcpPorts: [],
        icmp: true,
        onProgress: (s) => (icmpAvailable = s.icmpAvailable),
      }),
    );
    if (!icmpAvailable) {
      t.skip('fping missing or not permitted here');
      return;
    }
    assert.deepEqual(results[0]?.foundBy, ['icmp']);
    assert.equal(typeof results[0]?.rttMs, 'number');
  });

  it('sweep rejects a port out of range', async () => {
    await assert.rejects(
      () => collect(sweep([v4('127.0.0.1')], { tcpPorts: [0] })),
      (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
    );
  });

  it('sweep over ::1 finds an IPv6 listener', async (t) => {
    const s6 = createServer((c) => c.destroy());
    try {
      await listen(s6, '::1');
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    const port = (s6.address() as { port: number }).port;
    const [r] = await collect(sweep([{ address: '::1', family: 6 }], { tcpPorts: [port] }));
    s6.close();
    assert.deepEqual(r?.openTcp, [port]);
  });
});
