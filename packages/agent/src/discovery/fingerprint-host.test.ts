import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScannerError } from '../errors.js';
import { fingerprintHost, neighborMacs, type FingerprintProbes } from './fingerprint-host.js';
import type { SweepResult } from './types.js';
import type { OuiDatabase } from './probes/oui.js';

const result = (address: string, openTcp: number[]): SweepResult => ({
  target: { address, family: 4 },
  alive: true,
  foundBy: ['tcp'],
  openTcp,
  openUdp: [],
  rttMs: 0.3,
  startedAt: new Date(0),
  finishedAt: new Date(1),
});

function probes(calls: string[], overrides: Partial<FingerprintProbes> = {}): FingerprintProbes {
  return {
    port: async (_a, port) => {
      calls.push(`port:${port}`);
      return {
        port,
        service: port === 22 ? 'ssh' : 'https',
        banner: port === 22 ? 'SSH-2.0-OpenSSH_9.2p1' : undefined,
        ssh:
          port === 22
            ? { banner: 'SSH-2.0-OpenSSH_9.2p1', protoVersion: '2.0', software: 'OpenSSH_9.2p1' }
            : undefined,
        errors: [],
      } as Awaited<ReturnType<FingerprintProbes['port']>>;
    },
    smb: async () => {
      calls.push('smb');
      return { dialect: '3.1.1', signingRequired: true, dnsComputerName: 'dc1.corp.test' };
    },
    netbios: async () => {
      calls.push('netbios');
      return { names: [{ name: 'DC1', suffix: 0, group: false }] };
    },
    reverseDns: async () => {
      calls.push('dns');
      return ['dc1.corp.test'];
    },
    macs: async () => ({ mac: '00:50:56:aa:bb:cc', vendor: 'VMware, Inc.' }),
    ...overrides,
  };
}

const opts = { timeoutMs: 1000, reverseDns: true };

test('fingerprintHost runs the probes the open ports call for and gathers names and MACs', async () => {
  const calls: string[] = [];
  const fp = await fingerprintHost(
    result('198.18.0.30', [22, 445]),
    probes(calls),
    opts,
    new AbortController().signal,
  );
  assert.deepEqual(calls.sort(), ['dns', 'netbios', 'port:22', 'smb']);
  assert.equal(fp.sshBanner, 'SSH-2.0-OpenSSH_9.2p1');
  assert.equal(fp.smb?.dialect, '3.1.1');
  assert.deepEqual(
    fp.hostnames.map((h) => `${h.source}:${h.name}`),
    ['dns:dc1.corp.test', 'smb:dc1.corp.test', 'netbios:DC1'],
  );
  assert.equal(fp.macs[0]?.vendor, 'VMware, Inc.');
});

test('fingerprintHost keeps what worked when a probe fails', async () => {
  const calls: string[] = [];
  const failing = probes(calls, {
    smb: async () => {
      throw new ScannerError('ERR_TIMEOUT', 'smb negotiate timed out after 1000ms');
    },
  });
  const fp = await fingerprintHost(
    result('198.18.0.30', [22, 445]),
    failing,
    opts,
    new AbortController().signal,
  );
  assert.equal(fp.smb, undefined);
  assert.equal(fp.sshBanner, 'SSH-2.0-OpenSSH_9.2p1');
});

test('fingerprintHost sends no DNS query for loopback and no service probe with services off', async () => {
  const calls: string[] = [];
  const fp = await fingerprintHost(
    result('127.0.0.1', [22, 445]),
    probes(calls),
    { ...opts, services: false },
    new AbortController().signal,
  );
  assert.deepEqual(calls, []);
  assert.equal(fp.openPorts.length, 0);
  assert.equal(fp.macs.length, 1, 'MACs come from the local table, not from the host');
});

test('neighborMacs reads the neighbour table once for many lookups', async () => {
  let reads = 0;
  const oui = { vendor: async () => 'Vendor' } as unknown as OuiDatabase;
  const lookup = neighborMacs(oui, new AbortController().signal, async () => {
    reads++;
    return new Map([['198.18.0.10', '02:00:c6:12:00:0a']]);
  });
  assert.deepEqual(await lookup('198.18.0.10'), { mac: '02:00:c6:12:00:0a', vendor: 'Vendor' });
  assert.equal(await lookup('198.18.0.11'), null);
  assert.equal(await lookup('198.18.0.10').then((m) => m?.mac), '02:00:c6:12:00:0a');
  assert.equal(reads, 1);
});
