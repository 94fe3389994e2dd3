// `scan ADDRESS --ports 5985 --protocols winrm` through the real CLI against the WS-Man test
// peer on a loopback address: discovery selects winrm from the open 5985, the stored windows
// credential logs in with NTLM (sealed over HTTP), and the host record is the fixture machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostRecord } from '@nopesight/model';
import type { WindowsCi } from '../collectors/windows/index.js';
import { runCli } from '../../../../test/support/cli-io.js';
import { serveWsman } from '../../../../test/support/windows-cim-fixture.js';
import { wsmanInvoke } from '../../../../test/support/windows-registry-fixture.js';
import { WsmanTestPeer } from '../../../../test/support/wsman-peer.js';

const USER = 'labadmin';
const PASSWORD = 'WinRM-Scan-Pa55!';

/** The peer on 5985 of a random 127.x.y.z (so parallel runs do not collide). */
function startOn5985(): Promise<{ peer: WsmanTestPeer; address: string }> {
  return WsmanTestPeer.startOnRandomLoopback({
    https: false,
    auth: 'ntlm',
    username: USER,
    password: PASSWORD,
    instances: {},
    pageSize: 8,
    serve: serveWsman(),
    invoke: wsmanInvoke,
    port: 5985,
  });
}

describe('scan --protocols winrm against the WS-Man peer on 5985', () => {
  let dataDir = '';
  let peer: WsmanTestPeer;
  let address = '';
  let host: HostRecord;

  before(async () => {
    ({ peer, address } = await startOn5985());
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-winrm-scan-'));
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
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
        '--stdin',
      ],
      { password: PASSWORD },
    );
    assert.equal(add.code, 0, add.err);
    const r = await runCli(dataDir, [
      'scan',
      address,
      '--ports',
      '5985',
      '--protocols',
      'winrm',
      '--no-dns',
      '--json',
      '-',
    ]);
    assert.equal(r.code, 0, r.err);
    host = (JSON.parse(r.out) as { hosts: HostRecord[] }).hosts.find((h) => h.address === address)!;
    assert.ok(host, 'the peer was reported');
  });
  after(async () => {
    await peer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('discovery selects winrm from 5985 and the login succeeds', () => {
    assert.deepEqual(host.discovery.candidateProtocols, ['winrm']);
    assert.deepEqual(
      host.protocols.map((p) => [p.protocol, p.status]),
      [['winrm', 'success']],
    );
  });

  test('the record is the fixture machine, collected over WinRM with every message sealed', () => {
    const ci = host.ci as unknown as WindowsCi;
    assert.deepEqual(ci.collector, { path: 'winrm', fallbacks: [] });
    assert.equal(host.ci.type, 'server');
    assert.equal(ci.identity.hostname, 'WIN-SRV01');
    assert.equal(host.ci.identity.systemUuid, '4c4c4544-0042-3510-8052-b4c04f4e4b33');
    assert.ok(ci.services.some((s) => s.name === 'MSSQLSERVER'));
    assert.ok(ci.sqlInstances!.length > 0);
    assert.ok(host.hostnames.some((h) => h.name === 'WIN-SRV01' && h.source === 'wmi'));
    const soap = peer.requests.filter((q) => q.action === 'Enumerate' || q.action === 'Pull');
    assert.ok(soap.length > 10);
    assert.ok(soap.every((q) => q.encrypted));
  });
});
