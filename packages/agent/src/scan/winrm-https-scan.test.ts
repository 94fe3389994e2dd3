// WinRM over HTTPS 5986 through the real CLI against the WS-Man peer (self-signed certificate) on a
// loopback address: a credential pinning the certificate scans the host; one without trust fails
// with ERR_TLS_UNTRUSTED naming the fingerprint; `credentials test` reports the TLS facts; a
// Basic credential is never sent over HTTP; and a CA bundle accepts a certificate naming the
// host's forward-confirmed DNS name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord, Hostname } from '@nopesight/model';
import type { WindowsCi } from '../collectors/windows/index.js';
import { nullLogger } from '../log/logger.js';
import type { UnlockedCredential, WindowsCredential } from '../vault/credential-types.js';
import { NameConfirmer } from '../discovery/fingerprints/forward-confirm.js';
import { reverseDns, reverseName } from '../discovery/fingerprints/reverse-dns.js';
import { TestDnsServer } from '../discovery/fingerprints/testdata/dns-server.js';
import { runCli } from '../../../../test/support/cli-io.js';
import { serveWsman } from '../../../../test/support/windows-cim-fixture.js';
import { wsmanInvoke } from '../../../../test/support/windows-registry-fixture.js';
import { PEER_CERT, WsmanTestPeer } from '../../../../test/support/wsman-peer.js';
import { checkCredential } from './credential-check.js';
import { collectWindowsHost, collectWinrmHost, winrmDnsNames } from './windows-host.js';

const USER = 'labadmin';
const PASSWORD = 'WinRM-Https-Pa55!';
const PEER_FP = `SHA256:${new X509Certificate(PEER_CERT).fingerprint256}`;

/** The peer on 5986 of a random 127.x.y.z (so parallel runs do not collide). */
function startOn5986(): Promise<{ peer: WsmanTestPeer; address: string }> {
  return WsmanTestPeer.startOnRandomLoopback({
    https: true,
    auth: 'ntlm',
    username: USER,
    password: PASSWORD,
    instances: {},
    pageSize: 8,
    serve: serveWsman(),
    invoke: wsmanInvoke,
    port: 5986,
  });
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-winrm-https-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
  return dir;
}

async function addCredential(dataDir: string, address: string, extra: string[]): Promise<void> {
  const add = await runCli(
    dataDir,
    [
      'credentials',
      'add',
      'windows',
      '--name',
      'peer',
      '--username',
      USER,
      '--scope',
      address,
      ...extra,
      '--stdin',
    ],
    { password: PASSWORD },
  );
  assert.equal(add.code, 0, add.err);
}

async function scan(dataDir: string, address: string): Promise<HostRecord> {
  const r = await runCli(dataDir, [
    'scan',
    address,
    '--ports',
    '5986',
    '--protocols',
    'winrm',
    '--no-dns',
    '--json',
    '-',
  ]);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts.find(
    (h) => h.address === address,
  );
  assert.ok(host, 'the peer was reported');
  return host;
}

describe('scan --ports 5986 --protocols winrm against the WS-Man peer over HTTPS', () => {
  let peer: WsmanTestPeer;
  let address = '';
  const dirs: string[] = [];
  before(async () => {
    ({ peer, address } = await startOn5986());
  });
  after(async () => {
    await peer.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('a credential pinning the certificate collects the host over WinRM HTTPS', async () => {
    const dir = newDataDir();
    dirs.push(dir);
    await addCredential(dir, address, ['--winrm-cert-fingerprint', PEER_FP.toLowerCase()]);
    const host = await scan(dir, address);
    assert.deepEqual(host.discovery.candidateProtocols, ['winrm']);
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['winrm', 'success']],
    );
    const ci = host.ci as unknown as WindowsCi;
    assert.deepEqual(ci.collector, { path: 'winrm', fallbacks: [] });
    assert.equal(ci.identity.hostname, 'WIN-SRV01');
    // Over HTTPS NTLM is not sealed: TLS protects the messages.
    const soap = peer.requests.filter((q) => q.action === 'Enumerate' || q.action === 'Pull');
    assert.ok(soap.length > 10);
    assert.ok(soap.every((q) => !q.encrypted));
  });

  test('`credentials test` proves the pinned credential over 5986 and names the certificate', async () => {
    const dir = dirs[0]!;
    const r = await runCli(dir, ['credentials', 'test', 'peer', address]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /windows with 'peer' on .*: success/);
    assert.match(r.out, /^ {2}path: winrm$/m);
    assert.match(
      r.out,
      new RegExp(`^  endpoint: https://${address.replace(/\./g, '\\.')}:5986/wsman$`, 'm'),
    );
    assert.match(r.out, /^ {2}winrmAuth: ntlm$/m);
    assert.match(r.out, /^ {2}tlsTrust: pinned$/m);
    assert.ok(r.out.includes(`  tlsFingerprint: ${PEER_FP}\n`), r.out);
    assert.match(r.out, /^ {2}tlsSubject: CN=wsman-test-peer$/m);
    assert.match(r.out, /^ {2}computerName: WIN-SRV01$/m);
    assert.ok(!r.out.includes(PASSWORD) && !r.err.includes(PASSWORD));
  });

  test('without trust for the certificate the attempt fails with ERR_TLS_UNTRUSTED naming it', async () => {
    const dir = newDataDir();
    dirs.push(dir);
    await addCredential(dir, address, []);
    const before = peer.requests.length;
    const host = await scan(dir, address);
    const [attempt] = host.protocols;
    assert.equal(attempt?.status, 'failed');
    assert.equal(attempt?.error?.code, 'ERR_TLS_UNTRUSTED');
    assert.ok(attempt?.error?.message.includes(`--winrm-cert-fingerprint ${PEER_FP}`));
    assert.equal(peer.requests.length, before, 'nothing reached the peer');
  });

  test('a CA bundle with the certificate is refused on an address the certificate does not name', async () => {
    const dir = newDataDir();
    dirs.push(dir);
    const ca = join(dir, 'winrm-ca.pem');
    writeFileSync(ca, PEER_CERT);
    await addCredential(dir, address, ['--winrm-ca', ca]);
    const r = await runCli(dir, ['credentials', 'test', 'peer', address]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /ERR_TLS_UNTRUSTED: .*does not name 127\./);
  });
});

describe('collectWinrmHost with a Basic credential', () => {
  let plain: Server;
  let connections = 0;
  let port = 0;
  before(async () => {
    plain = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    port = (plain.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => plain.close(() => r())));

  const basic = (): UnlockedCredential => ({
    credential: {
      id: '0b0d3d0e-8f3e-4d7e-9b1a-3c5f0e2a7b11',
      name: 'basic-local',
      kind: 'windows',
      username: USER,
      domain: '.',
      scope: [],
      createdAt: '2026-11-29T00:00:00.000Z',
      updatedAt: '2026-11-29T00:00:00.000Z',
      winrmAuth: 'basic',
    },
    secrets: { password: PASSWORD },
  });
  const opts = {
    signal: new AbortController().signal,
    loginTimeoutMs: 5_000,
    callTimeoutMs: 5_000,
    collectTimeoutMs: 10_000,
    log: nullLogger(),
  };

  test('is refused over HTTP before a connection is opened', async () => {
    const r = await collectWinrmHost(basic(), '127.0.0.1', {
      ...opts,
      winrm: { port, https: false },
    });
    assert.equal(r.attempt.status, 'failed');
    assert.equal(r.attempt.error?.code, 'ERR_CONFIG_INVALID');
    assert.match(r.attempt.error?.message ?? '', /only sent over HTTPS.*nothing was sent/);
    assert.equal(connections, 0);
  });

  test('in the windows fallback, only 5985 open: WinRM is skipped (recorded) for the 445 path', async () => {
    // The SMB port is the counting server: the SMB login then fails there, after the WinRM skip.
    const r = await collectWindowsHost(basic(), '127.0.0.1', {
      ...opts,
      openTcp: [5985, port],
      port,
      winrm: { port, https: false },
    });
    assert.notEqual(r.attempt.error?.code, 'ERR_CONFIG_INVALID');
    assert.equal(connections, 1, 'one connection, from the SMB path');
  });
});

/**
 * A CA-issued certificate that names the host's DNS name only (win1.lab.test), served by the
 * WS-Man peer on a random 127.x.y.z; an in-process DNS server holds the host's PTR and A records.
 * The PTR names come from reverseDns as a scan's fingerprinting gets them.
 */
describe('WinRM HTTPS with a CA bundle on a certificate that names the host', () => {
  const names = (file: string) =>
    readFileSync(
      new URL(`../transports/wsman/testdata/names-${file}.pem`, import.meta.url),
      'utf8',
    );
  const CA = names('ca');
  const CERT = names('server-cert');
  const CERT_FP = `SHA256:${new X509Certificate(CERT).fingerprint256}`;
  let peer: WsmanTestPeer;
  let address = '';
  let confirming: TestDnsServer;
  let lying: TestDnsServer;
  let empty: TestDnsServer;

  before(async () => {
    ({ peer, address } = await WsmanTestPeer.startOnRandomLoopback({
      https: true,
      tls: { cert: CERT, key: names('server-key') },
      auth: 'ntlm',
      username: USER,
      password: PASSWORD,
      instances: {},
      pageSize: 8,
      serve: serveWsman(),
      invoke: wsmanInvoke,
    }));
    const ptr = { [reverseName(address)!]: { PTR: ['win1.lab.test'] } };
    // The name's A record is the peer's address, or (lying) another one.
    confirming = await TestDnsServer.start({ ...ptr, 'win1.lab.test': { A: [address] } });
    lying = await TestDnsServer.start({ ...ptr, 'win1.lab.test': { A: ['127.0.0.9'] } });
    empty = await TestDnsServer.start({});
  });
  after(async () => {
    await peer.stop();
    for (const d of [confirming, lying, empty]) await d.close();
  });

  const credential = (extra: Partial<WindowsCredential>): UnlockedCredential => ({
    credential: {
      id: '5d1f6a9e-2b7c-4e0a-9c3d-8f1e2a4b6c70',
      name: 'corp-ca',
      kind: 'windows',
      username: USER,
      domain: '.',
      scope: [],
      createdAt: '2026-11-29T00:00:00.000Z',
      updatedAt: '2026-11-29T00:00:00.000Z',
      ...extra,
    },
    secrets: { password: PASSWORD },
  });

  /** collectWinrmHost with the host's PTR names (as fingerprinting finds them) from `dns`. */
  async function collect(
    dns: TestDnsServer,
    unlocked: UnlockedCredential,
    { netbios = false, targetName = '' } = {},
  ) {
    const signal = new AbortController().signal;
    const ptr = await reverseDns(address, { signal, timeoutMs: 2000, servers: [dns.server] });
    const hostnames: Hostname[] = ptr.map((name) => ({ name, source: 'dns' }));
    if (netbios) {
      hostnames.push({ name: 'win1.lab.test', source: 'netbios' });
      hostnames.push({ name: 'win1.lab.test', source: 'smb' });
    }
    return collectWinrmHost(unlocked, address, {
      signal,
      loginTimeoutMs: 5_000,
      callTimeoutMs: 5_000,
      collectTimeoutMs: 20_000,
      winrm: { port: peer.port, https: true },
      dnsNames: winrmDnsNames(hostnames),
      ...(targetName ? { targetName } : {}),
      nameConfirmer: new NameConfirmer({ timeoutMs: 2000, servers: [dns.server] }),
      log: nullLogger(),
    });
  }

  test('a PTR name whose A record is the address is accepted: the host is collected', async () => {
    const r = await collect(confirming, credential({ winrmCa: CA }));
    assert.equal(r.attempt.status, 'success', r.attempt.error?.message);
    assert.equal((r.inventory?.ci as unknown as WindowsCi).identity.hostname, 'WIN-SRV01');
    assert.ok(confirming.queries.includes('win1.lab.test A'));
  });

  test('a PTR name that does not resolve back to the address is refused, named as unconfirmed', async () => {
    const before = peer.requests.length;
    const r = await collect(lying, credential({ winrmCa: CA }));
    assert.equal(r.attempt.error?.code, 'ERR_TLS_UNTRUSTED');
    assert.ok(
      r.attempt.error?.message.includes(
        `not forward-confirmed: win1.lab.test (its A records do not include ${address})`,
      ),
      r.attempt.error?.message,
    );
    assert.equal(peer.requests.length, before, 'nothing reached the peer');
  });

  test('no PTR name: refused for the address, as without names', async () => {
    const r = await collect(empty, credential({ winrmCa: CA }));
    assert.equal(r.attempt.error?.code, 'ERR_TLS_UNTRUSTED');
    assert.match(r.attempt.error?.message ?? '', /does not name 127\.[\d.]+ \(no DNS name of it/);
  });

  test('a NetBIOS or SMB name equal to the certificate name is never used', async () => {
    const r = await collect(empty, credential({ winrmCa: CA }), { netbios: true });
    assert.equal(r.attempt.error?.code, 'ERR_TLS_UNTRUSTED');
    assert.match(r.attempt.error?.message ?? '', /\(no DNS name of it is known\)/);
    assert.ok(!empty.queries.includes('win1.lab.test A'), 'the name was not even looked up');
  });

  test('the name a scan target was given as is accepted with no lookup', async () => {
    const before = empty.queries.length;
    const r = await collect(empty, credential({ winrmCa: CA }), { targetName: 'win1.lab.test' });
    assert.equal(r.attempt.status, 'success', r.attempt.error?.message);
    // The PTR query reverseDns made, and no A query.
    assert.deepEqual(empty.queries.slice(before), [`${reverseName(address)} PTR`]);
  });

  test('a pinned certificate is accepted whatever DNS says, and no name is looked up', async () => {
    const before = lying.queries.filter((q) => q.endsWith(' A')).length;
    const r = await collect(lying, credential({ winrmCertFingerprints: [CERT_FP] }));
    assert.equal(r.attempt.status, 'success', r.attempt.error?.message);
    assert.equal(lying.queries.filter((q) => q.endsWith(' A')).length, before);
  });

  test('`credentials test` by host name accepts the certificate for that name and says so', async () => {
    const opts = {
      signal: new AbortController().signal,
      timeoutMs: 10_000,
      winrm: { port: peer.port, https: true },
    };
    const byName = await checkCredential(credential({ winrmCa: CA }), address, {
      ...opts,
      hostname: 'WIN1.lab.test',
    });
    assert.equal(byName.attempt.status, 'success', byName.attempt.error?.message);
    assert.equal(byName.facts['tlsTrust'], 'ca');
    assert.equal(byName.facts['tlsName'], 'win1.lab.test');
    const byAddress = await checkCredential(credential({ winrmCa: CA }), address, opts);
    assert.equal(byAddress.attempt.error?.code, 'ERR_TLS_UNTRUSTED');
  });
});
