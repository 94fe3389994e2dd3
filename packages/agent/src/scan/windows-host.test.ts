// The Windows host in a scan over the two CIM paths, against the DCOM/WMI and WS-Man test peers
// serving one fake machine (test/support/windows-cim-fixture.ts, the registry and GetOwner from
// windows-registry-fixture.ts): both paths give the same record, WMI falls back to WinRM when
// it is not reachable, access denied is `unauthorized`, a stall is a timeout, never a hang.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowsCi } from '../collectors/windows/index.js';
import { nullLogger } from '../log/logger.js';
import type { UnlockedCredential } from '../vault/credential-types.js';
import { DcomWmiTestPeer } from '../../../../test/support/dcom-wmi-peer.js';
import { freePort } from '../../../../test/support/ports.js';
import {
  FIXTURE_NAMESPACES,
  serveWmio,
  serveWsman,
} from '../../../../test/support/windows-cim-fixture.js';
import { dcomMethods, wsmanInvoke } from '../../../../test/support/windows-registry-fixture.js';
import { WsmanTestPeer } from '../../../../test/support/wsman-peer.js';
import type { CollectOutcome } from './run-scan.js';
import { collectWindowsHost, collectWinrmHost, type WindowsHostOptions } from './windows-host.js';

const USER = 'labadmin';
const PASSWORD = 'Wmi-Peer-Pa55!';

function unlocked(password = PASSWORD): UnlockedCredential {
  return {
    credential: {
      id: '7d1c54a4-0e53-4b55-9d53-2f1c8b3e9a01',
      name: 'lab',
      kind: 'windows',
      username: USER,
      domain: '.',
      scope: [],
      createdAt: '2026-11-29T00:00:00.000Z',
      updatedAt: '2026-11-29T00:00:00.000Z',
    },
    secrets: { password },
  };
}

const base = (): WindowsHostOptions => ({
  signal: new AbortController().signal,
  loginTimeoutMs: 5_000,
  callTimeoutMs: 5_000,
  collectTimeoutMs: 60_000,
  log: nullLogger(),
});

const ciOf = (o: CollectOutcome) => o.inventory!.ci as unknown as WindowsCi;

describe('collectWindowsHost over WMI and WinRM', () => {
  let dcom: DcomWmiTestPeer;
  let wsman: WsmanTestPeer;
  before(async () => {
    dcom = await DcomWmiTestPeer.start({
      username: USER,
      password: PASSWORD,
      instances: {},
      serve: serveWmio(),
      namespaces: [...FIXTURE_NAMESPACES, '//./root/default'],
      methods: dcomMethods,
    });
    wsman = await WsmanTestPeer.start({
      https: false,
      auth: 'ntlm',
      username: USER,
      password: PASSWORD,
      instances: {},
      pageSize: 5,
      serve: serveWsman(),
      invoke: wsmanInvoke,
    });
  });
  after(async () => {
    await dcom.stop();
    await wsman.stop();
  });
  const wmiOpts = (): WindowsHostOptions => ({
    ...base(),
    openTcp: [dcom.activatorPort],
    dcomPort: dcom.activatorPort,
  });
  const winrmOpts = (): WindowsHostOptions => ({
    ...base(),
    winrm: { port: wsman.port, https: false },
  });

  test('the WMI path and the WinRM path produce the same record, but for the collector', async () => {
    dcom.behaviour = { kind: 'normal' };
    wsman.behaviour = { kind: 'normal' };
    const wmi = await collectWindowsHost(unlocked(), '127.0.0.1', wmiOpts());
    const winrm = await collectWinrmHost(unlocked(), '127.0.0.1', winrmOpts());
    assert.deepEqual(
      [wmi.attempt.protocol, wmi.attempt.status, wmi.attempt.error],
      ['windows', 'success', null],
    );
    assert.deepEqual(
      [winrm.attempt.protocol, winrm.attempt.status, winrm.attempt.error],
      ['winrm', 'success', null],
    );
    const a = ciOf(wmi);
    const b = ciOf(winrm);
    assert.deepEqual(a.collector, { path: 'wmi', fallbacks: [] });
    assert.deepEqual(b.collector, { path: 'winrm', fallbacks: [] });
    const { collector: _a, ...restA } = a;
    const { collector: _b, ...restB } = b;
    assert.deepEqual(restA, restB);
    assert.deepEqual(wmi.inventory!.sections, winrm.inventory!.sections);
    assert.deepEqual(wmi.inventory!.type, winrm.inventory!.type);
    assert.deepEqual(wmi.inventory!.hostnames, winrm.inventory!.hostnames);
    assert.deepEqual(wmi.inventory!.relationships, winrm.inventory!.relationships);
    // And it is the fixture's machine, whole: every section read, software through StdRegProv.
    assert.deepEqual(
      Object.entries(wmi.inventory!.sections!).filter(([, s]) => s !== 'complete'),
      [],
    );
    assert.equal(wmi.inventory!.type!.type, 'server');
    assert.equal(a.identity.systemUuid, '4c4c4544-0042-3510-8052-b4c04f4e4b33');
    assert.ok(a.software.length > 0, 'software from the registry');
    assert.ok(a.processes.some((p) => p.user === 'CORP\\alice'));
    assert.ok(a.connections.some((c) => c.processName === 'sqlservr.exe'));
    assert.ok(
      wsman.requests.some((q) => q.encrypted),
      'WinRM over HTTP was sealed',
    );
  });

  test('135 closed: the WMI path is left with ERR_RPC and WinRM produces the record', async () => {
    const closed = await freePort();
    const r = await collectWindowsHost(unlocked(), '127.0.0.1', {
      ...base(),
      openTcp: [closed, wsman.port],
      dcomPort: closed,
      winrm: { port: wsman.port, https: false },
    });
    assert.equal(r.attempt.status, 'success');
    assert.equal(r.attempt.protocol, 'windows');
    const ci = ciOf(r);
    assert.equal(ci.collector!.path, 'winrm');
    assert.deepEqual(
      ci.collector!.fallbacks.map((f) => [f.path, f.code]),
      [['wmi', 'ERR_RPC']],
    );
    assert.equal(ci.identity.hostname, 'WIN-SRV01');
  });

  test('access denied on activation is unauthorized, and no other path is tried', async () => {
    dcom.behaviour = { kind: 'hresult', op: 'RemoteCreateInstance', hresult: 0x80070005 };
    const before = wsman.requests.length;
    try {
      const r = await collectWindowsHost(unlocked(), '127.0.0.1', {
        ...wmiOpts(),
        openTcp: [dcom.activatorPort, wsman.port],
        winrm: { port: wsman.port, https: false },
      });
      assert.equal(r.attempt.status, 'unauthorized');
      assert.equal(r.attempt.error!.code, 'ERR_ACCESS_DENIED');
      assert.equal(r.inventory, undefined);
      assert.equal(wsman.requests.length, before, 'WinRM was not tried after a refusal');
    } finally {
      dcom.behaviour = { kind: 'normal' };
    }
  });

  test('WBEM_E_ACCESS_DENIED at NTLMLogin is unauthorized too', async () => {
    dcom.behaviour = { kind: 'hresult', op: 'NTLMLogin', hresult: 0x80041003 };
    try {
      const r = await collectWindowsHost(unlocked(), '127.0.0.1', wmiOpts());
      assert.equal(r.attempt.status, 'unauthorized');
    } finally {
      dcom.behaviour = { kind: 'normal' };
    }
  });

  test('a wrong password is unauthorized on either path, and not secret in the error', async () => {
    const wmi = await collectWindowsHost(unlocked('wrong-Pa55'), '127.0.0.1', wmiOpts());
    const winrm = await collectWinrmHost(unlocked('wrong-Pa55'), '127.0.0.1', winrmOpts());
    assert.equal(wmi.attempt.status, 'unauthorized');
    assert.equal(winrm.attempt.status, 'unauthorized');
    for (const r of [wmi, winrm]) assert.ok(!JSON.stringify(r).includes('wrong-Pa55'));
  });

  test('a WMI peer that stalls at login is a timeout, not a hang', async () => {
    dcom.behaviour = { kind: 'stall', op: 'ExecQuery' };
    try {
      const r = await collectWindowsHost(unlocked(), '127.0.0.1', {
        ...wmiOpts(),
        loginTimeoutMs: 300,
      });
      assert.equal(r.attempt.status, 'timeout');
      assert.equal(r.attempt.error!.code, 'ERR_TIMEOUT');
    } finally {
      dcom.behaviour = { kind: 'normal' };
    }
  });

  test('a WMI peer that stalls mid-collection: the sections left are timeout, the rest kept', async () => {
    // The stall starts with the Win32_OperatingSystem enumeration (after identity was read).
    const serve = serveWmio();
    const stalling = await DcomWmiTestPeer.start({
      username: USER,
      password: PASSWORD,
      instances: {},
      namespaces: FIXTURE_NAMESPACES,
      serve: (ns, wql) => {
        if (/Win32_OperatingSystem/.test(wql)) stalling.behaviour = { kind: 'stall', op: 'Next' };
        return serve(ns, wql);
      },
    });
    try {
      const r = await collectWindowsHost(unlocked(), '127.0.0.1', {
        ...base(),
        callTimeoutMs: 300,
        openTcp: [stalling.activatorPort],
        dcomPort: stalling.activatorPort,
      });
      assert.equal(r.attempt.status, 'success');
      const s = r.inventory!.sections!;
      assert.equal(s['identity'], 'complete');
      assert.equal(s['os'], 'timeout');
      assert.equal(s['services'], 'timeout');
      assert.equal(s['connections'], 'timeout');
      assert.equal(ciOf(r).identity.hostname, 'WIN-SRV01');
    } finally {
      await stalling.stop();
    }
  });
});
