import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostRecord } from '@nopesight/model';
import type { SweepResult, Target } from '../discovery/types.js';
import { runScan, type ScanRequest, type ScanStages } from './run-scan.js';

const request: ScanRequest = {
  scanId: 'scan-1',
  targets: ['198.18.0.0/29'],
  excludes: [],
  tcpPorts: [22, 445],
  udpPorts: [],
  protocols: ['ssh'],
  expectedAddresses: 6,
};

function targetsOf(n: number): (signal: AbortSignal) => AsyncIterable<Target> {
  return async function* (signal) {
    for (let i = 1; i <= n && !signal.aborted; i++) {
      yield { address: `198.18.0.${i}`, family: 4 };
    }
  };
}

/** A sweep that calls odd addresses alive with port 22 open and even ones dead. */
async function* oddAlive(targets: AsyncIterable<Target>): AsyncGenerator<SweepResult> {
  for await (const target of targets) {
    const last = Number(target.address.split('.')[3]);
    const alive = last % 2 === 1;
    yield {
      target,
      alive,
      foundBy: alive ? ['tcp'] : [],
      openTcp: alive ? [22] : [],
      openUdp: [],
      rttMs: alive ? 0.2 : null,
      startedAt: new Date(0),
      finishedAt: new Date(1),
    };
  }
}

function stages(overrides: Partial<ScanStages> = {}): ScanStages {
  return {
    targets: targetsOf(6),
    sweep: (t) => oddAlive(t),
    fingerprint: async () => ({ openPorts: [], hostnames: [], macs: [] }),
    collect: async (protocol) => ({
      attempt: {
        protocol,
        status: 'unauthorized',
        credentialId: 'c1',
        durationMs: 3,
        error: { code: 'ERR_AUTH_FAILED', message: 'rejected' },
      },
    }),
    hostConcurrency: 2,
    now: () => new Date(),
    ...overrides,
  };
}

test('runScan reports live hosts only, with counts and status totals', async () => {
  const hosts: HostRecord[] = [];
  const summary = await runScan(
    request,
    stages(),
    { host: (h) => void hosts.push(h) },
    new AbortController().signal,
  );
  assert.deepEqual(hosts.map((h) => h.address).sort(), ['198.18.0.1', '198.18.0.3', '198.18.0.5']);
  assert.deepEqual(summary.counts, { swept: 6, alive: 3, collected: 3 });
  assert.deepEqual(summary.statuses, { unauthorized: 3 });
  assert.equal(summary.state, 'completed');
  assert.deepEqual(hosts[0]!.discovery.candidateProtocols, ['ssh']);
  assert.equal(hosts[0]!.protocols[0]!.credentialId, 'c1');
});

test('runScan with no protocols (discovery only) tries nothing', async () => {
  let calls = 0;
  const hosts: HostRecord[] = [];
  const summary = await runScan(
    { ...request, protocols: [] },
    stages({
      collect: async () => {
        calls++;
        return null;
      },
    }),
    { host: (h) => void hosts.push(h) },
    new AbortController().signal,
  );
  assert.equal(calls, 0);
  assert.equal(hosts.length, 3);
  assert.deepEqual(summary.statuses, {});
});

test('runScan keeps a host whose fingerprinting throws', async () => {
  const warnings: string[] = [];
  const hosts: HostRecord[] = [];
  await runScan(
    request,
    stages({
      fingerprint: async () => {
        throw new Error('boom');
      },
    }),
    { host: (h) => void hosts.push(h), warning: (w) => warnings.push(w) },
    new AbortController().signal,
  );
  assert.equal(hosts.length, 3);
  assert.deepEqual(
    hosts[0]!.discovery.openPorts.map((p) => p.port),
    [22],
  );
  assert.equal(warnings.length, 3);
});

test('runScan cancelled midway returns what it found with state cancelled', async () => {
  const controller = new AbortController();
  const hosts: HostRecord[] = [];
  const summary = await runScan(
    request,
    stages({ targets: targetsOf(1000) }),
    {
      host: (h) => {
        hosts.push(h);
        if (hosts.length === 2) controller.abort();
      },
    },
    controller.signal,
  );
  assert.equal(summary.state, 'cancelled');
  assert.ok(hosts.length >= 2 && hosts.length < 500, `found ${hosts.length}`);
  assert.equal(summary.counts.collected, hosts.length);
});

test('runScan merges a successful collection into the host record', async () => {
  const hosts: HostRecord[] = [];
  await runScan(
    request,
    stages({
      collect: async (protocol) => ({
        attempt: { protocol, status: 'success', credentialId: 'c1', durationMs: 9, error: null },
        inventory: {
          ci: {
            identity: { hostname: 'web1', fqdn: 'web1.lab.test', macs: ['02:00:00:00:00:01'] },
            os: { name: 'Debian GNU/Linux', version: '12' },
          },
          sections: { os: 'complete', hardware: 'denied' },
          hostnames: [{ name: 'web1.lab.test', source: 'ssh' }],
        },
      }),
    }),
    { host: (h) => void hosts.push(h) },
    new AbortController().signal,
  );
  const h = hosts[0]!;
  assert.equal(h.ci.identity.hostname, 'web1');
  assert.equal(h.ci.identity.fqdn, 'web1.lab.test');
  assert.deepEqual(h.ci.identity.macs, ['02:00:00:00:00:01']);
  assert.deepEqual(h.ci.os, { name: 'Debian GNU/Linux', version: '12' });
  assert.deepEqual(h.sections, { os: 'complete', hardware: 'denied' });
  assert.ok(h.hostnames.some((n) => n.source === 'ssh'));
  assert.equal(h.ci.type, 'unknown', "the type stays the classifier's");
});
