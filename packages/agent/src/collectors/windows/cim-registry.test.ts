import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DcomWmiTestPeer } from '../../../../../test/support/dcom-wmi-peer.js';
import {
  DENIED_KEYS,
  dcomMethods,
  REGISTRY,
  wsmanInvoke,
} from '../../../../../test/support/windows-registry-fixture.js';
import { WsmanTestPeer } from '../../../../../test/support/wsman-peer.js';
import { hasCode, ScannerError } from '../../errors.js';
import { WmiMethodCaller } from '../../transports/wmi/exec-method.js';
import { WmiSession } from '../../transports/wmi/wmi-session.js';
import { WsmanClient } from '../../transports/wsman/wsman-client.js';
import {
  dcomMethodPort,
  objectPath,
  processOwner,
  winrmMethodPort,
  WmiRegistry,
  type WmiMethodPort,
} from './cim-registry.js';
import { FakeRemote, type RecordedHost } from './fake-remote.js';
import { collectWindowsInventory } from './inventory.js';
import type { CallLimits, RegistryAccess, WindowsRemote } from './remote.js';

const CREDS = { username: 'scanner', password: 'S3cret-pass', domain: 'PEER' };
const limits = (timeoutMs = 5_000): CallLimits => ({
  signal: new AbortController().signal,
  timeoutMs,
});
const UNINSTALL = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';

/** The same host as a 445 recording: what StdRegProv must reproduce. */
const RECORDED: RecordedHost = {
  registry: REGISTRY,
  services: [],
  accounts: {
    accountDomain: { name: 'WIN-SRV01', sid: 'S-1-5-21-1-2-3' },
    users: { items: [], truncated: false },
    groups: { items: [], truncated: false },
  },
  membership: {
    primaryDomain: { name: null, sid: null },
    accountDomain: { name: null, sid: null },
  },
  shares: [],
  server: {
    name: null,
    platformId: 500,
    versionMajor: 10,
    versionMinor: 0,
    type: 0,
    comment: null,
  },
  workstation: { computerName: null, langroup: null },
  logons: [],
};

/** A WindowsRemote whose registry is `registry` and which answers nothing else (as over WMI). */
function registryOnly(registry: RegistryAccess): WindowsRemote {
  const no = async (): Promise<never> => {
    throw new ScannerError('ERR_NOT_SUPPORTED', 'not asked over StdRegProv');
  };
  return {
    registry,
    services: no,
    accounts: no,
    membership: no,
    shares: no,
    serverInfo: no,
    workstationInfo: no,
    loggedOnUsers: no,
  };
}

let dcomPeer: DcomWmiTestPeer;
let wsmanPeer: WsmanTestPeer;
let wmi: WmiSession;
let winrm: WsmanClient;
const ports: Record<'dcom' | 'winrm', WmiMethodPort> = {} as never;

before(async () => {
  dcomPeer = await DcomWmiTestPeer.start({
    username: CREDS.username,
    password: CREDS.password,
    instances: {},
    namespaces: ['//./root/cimv2', '//./root/default'],
    methods: dcomMethods,
  });
  wsmanPeer = await WsmanTestPeer.start({
    https: false,
    auth: 'ntlm',
    username: CREDS.username,
    password: CREDS.password,
    instances: {},
    pageSize: 10,
    invoke: wsmanInvoke,
  });
  wmi = await WmiSession.connect('127.0.0.1', CREDS, {
    port: dcomPeer.activatorPort,
    timeoutMs: 5_000,
  });
  winrm = new WsmanClient({
    host: '127.0.0.1',
    port: wsmanPeer.port,
    https: false,
    auth: { kind: 'ntlm', credentials: CREDS },
    tlsVerify: true,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
  });
  ports.dcom = dcomMethodPort(new WmiMethodCaller(wmi));
  ports.winrm = winrmMethodPort(winrm);
});

after(async () => {
  await wmi.close();
  winrm.close();
  await dcomPeer.stop();
  await wsmanPeer.stop();
});

describe('objectPath', () => {
  it('names a class, or an instance by its keys with quotes and backslashes escaped', () => {
    assert.equal(objectPath('StdRegProv'), 'StdRegProv');
    assert.equal(
      objectPath('Win32_Process', [{ name: 'Handle', value: '4' }]),
      'Win32_Process.Handle="4"',
    );
    assert.equal(
      objectPath('Win32_Service', [{ name: 'Name', value: 'a"b\\c' }]),
      'Win32_Service.Name="a\\"b\\\\c"',
    );
  });
});

describe('WmiRegistry over DCOM ExecMethod and WinRM Invoke gives what the 445 path gives', () => {
  const fake = new FakeRemote(RECORDED).registry;
  const paths = [
    UNINSTALL,
    `${UNINSTALL}\\NsAgent`,
    `${UNINSTALL}\\AddressBook`,
    'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall',
    'SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Übersetzer',
    'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
    'SYSTEM\\CurrentControlSet\\Control\\ProductOptions',
    'HARDWARE\\DESCRIPTION\\System\\CentralProcessor',
    'HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0',
    'SOFTWARE\\Microsoft\\Microsoft SQL Server',
    'SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL',
  ];
  for (const path of paths) {
    it(`subkeys and values of HKLM\\${path}`, async () => {
      const want = {
        subkeys: await fake.subkeys(path, 100, limits()),
        values: await fake.values(path, 100, limits()),
      };
      for (const via of ['dcom', 'winrm'] as const) {
        const reg = new WmiRegistry(ports[via]);
        const got = {
          subkeys: await reg.subkeys(path, 100, limits()),
          values: await reg.values(path, 100, limits()),
        };
        // Keys without subkeys: StdRegProv sends a NULL array, read as an empty listing.
        if (want.subkeys === null || want.subkeys.items.length === 0)
          want.subkeys = { items: [], truncated: false };
        assert.deepEqual(got, want, via);
      }
    });
  }

  it('every registry type comes back typed: REG_SZ, EXPAND_SZ, MULTI_SZ, DWORD, QWORD, BINARY, NONE', async () => {
    for (const via of ['dcom', 'winrm'] as const) {
      const l = await new WmiRegistry(ports[via]).values(`${UNINSTALL}\\NsAgent`, 100, limits());
      const by = Object.fromEntries(l!.items.map((v) => [v.name, v]));
      assert.equal(by['UninstallString']!.data, '%ProgramFiles%\\Ns\\uninstall.exe', via);
      assert.deepEqual(by['Languages']!.data, ['en-US', 'de-DE'], via);
      assert.equal(by['InstallBytes']!.data, 9_223_372_036_854_775_813n, via);
      assert.deepEqual(by['Signature']!.data, Buffer.from('00ff10ab', 'hex'), via);
      // REG_NONE: GetBinaryValue refuses the type; the value is listed with no data.
      assert.deepEqual(by['Marker'], { name: 'Marker', type: 0, data: Buffer.alloc(0) }, via);
    }
  });

  it('caps: at most `max` names or values, and says there were more', async () => {
    for (const via of ['dcom', 'winrm'] as const) {
      const reg = new WmiRegistry(ports[via]);
      assert.deepEqual(await reg.subkeys(UNINSTALL, 2, limits()), {
        items: ['7-Zip', 'AddressBook'],
        truncated: true,
      });
      const v = await reg.values(`${UNINSTALL}\\NsAgent`, 3, limits());
      assert.deepEqual(
        v!.items.map((x) => x.name),
        ['DisplayName', 'DisplayVersion', 'Publisher'],
      );
      assert.equal(v!.truncated, true);
    }
  });

  it('a key that does not exist is null on both paths', async () => {
    for (const via of ['dcom', 'winrm'] as const) {
      const reg = new WmiRegistry(ports[via]);
      assert.equal(await reg.subkeys('SOFTWARE\\NoSuchVendor', 10, limits()), null, via);
      assert.equal(await reg.values(`${UNINSTALL}\\NoSuchProgram`, 10, limits()), null, via);
    }
  });

  it('a key StdRegProv refuses (ReturnValue 5) is ERR_ACCESS_DENIED', async () => {
    for (const via of ['dcom', 'winrm'] as const) {
      const reg = new WmiRegistry(ports[via]);
      await assert.rejects(reg.subkeys(DENIED_KEYS[0]!, 10, limits()), (e) =>
        hasCode(e, 'ERR_ACCESS_DENIED'),
      );
      await assert.rejects(reg.values(DENIED_KEYS[1]!, 10, limits()), (e) =>
        hasCode(e, 'ERR_ACCESS_DENIED'),
      );
    }
  });

  it('an aborted caller makes no call', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = dcomPeer.calls.length;
    await assert.rejects(
      new WmiRegistry(ports.dcom).subkeys(UNINSTALL, 10, { signal: ac.signal, timeoutMs: 1000 }),
      (e) => hasCode(e, 'ERR_ABORTED'),
    );
    assert.equal(dcomPeer.calls.length, before);
  });
});

describe('the 445 collector over the WMI registry', () => {
  it('gives the same software, OS and hardware over DCOM and WinRM as over the 445 recording', async () => {
    const opts = { signal: new AbortController().signal, callTimeoutMs: 5_000 };
    const via445 = await collectWindowsInventory(new FakeRemote(RECORDED), opts);
    const results = [];
    for (const via of ['dcom', 'winrm'] as const) {
      const inv = await collectWindowsInventory(registryOnly(new WmiRegistry(ports[via])), opts);
      results.push(inv);
      assert.deepEqual(inv.ci.software, via445.ci.software, via);
      assert.deepEqual(inv.ci.os, via445.ci.os, via);
      assert.deepEqual(inv.ci.hardware, via445.ci.hardware, via);
      assert.equal(inv.sections.software, 'complete', via);
      assert.deepEqual(inv.notes.software, via445.notes.software, via);
    }
    // What the list is: shown programs of both hives, hidden and update entries left out.
    assert.deepEqual(
      via445.ci.software.map((s) => `${s.arch} ${s.name}`),
      [
        'native 7-Zip 23.01 (x64)',
        'native Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219',
        'native NopeSight Test Agent',
        'x86 Notepad++ (32-bit x86)',
        'x86 Übersetzer Pro 日本',
      ],
    );
    assert.equal(via445.ci.os?.name, 'Windows Server 2022 Datacenter');
    assert.equal(via445.ci.os?.build, '20348.2340');
    assert.equal(via445.ci.hardware?.cpu.logicalCount, 4);
    assert.deepEqual(results[0]!.ci.software, results[1]!.ci.software);
  });
});

describe('processOwner over both paths', () => {
  it('DOMAIN\\user for running processes, null for ended ones and owner-less ones', async () => {
    for (const via of ['dcom', 'winrm'] as const) {
      const port = ports[via];
      assert.equal(await processOwner(port, 4, limits()), 'NT AUTHORITY\\SYSTEM', via);
      assert.equal(await processOwner(port, 1234, limits()), 'WIN-SRV01\\Administrator', via);
      assert.equal(await processOwner(port, 0, limits()), null, via);
      assert.equal(await processOwner(port, 999_999, limits()), null, via);
      await assert.rejects(processOwner(port, 5678, limits()), (e) =>
        hasCode(e, 'ERR_ACCESS_DENIED'),
      );
    }
  });

  it('over DCOM calls GetOwner on Win32_Process.Handle="<pid>" without in-parameters', async () => {
    await processOwner(ports.dcom, 2222, limits());
    const call = dcomPeer.calls.filter((c) => c.op === 'ExecMethod').at(-1);
    assert.equal(call?.detail, 'Win32_Process.Handle="2222".GetOwner');
  });
});

describe('ExecMethod over DCOM: the flow and its failures', () => {
  it('fetches each class once with GetObject, at packet privacy, on the IWbemServices IPID', async () => {
    const held = dcomPeer.outstanding();
    const session = await WmiSession.connect('127.0.0.1', CREDS, {
      port: dcomPeer.activatorPort,
      timeoutMs: 5_000,
    });
    try {
      const start = dcomPeer.calls.length;
      const reg = new WmiRegistry(dcomMethodPort(new WmiMethodCaller(session)));
      await reg.values(`${UNINSTALL}\\7-Zip`, 100, limits());
      await reg.subkeys(UNINSTALL, 100, limits());
      const calls = dcomPeer.calls.slice(start);
      assert.deepEqual(
        calls.filter((c) => c.op === 'GetObject').map((c) => c.detail),
        ['StdRegProv'],
      );
      assert.deepEqual(
        calls.filter((c) => c.op === 'ExecMethod').map((c) => c.detail),
        [
          'StdRegProv.EnumValues',
          'StdRegProv.GetStringValue',
          'StdRegProv.GetStringValue',
          'StdRegProv.GetStringValue',
          'StdRegProv.GetStringValue',
          'StdRegProv.GetDWORDValue',
          'StdRegProv.EnumKey',
        ],
      );
      assert.ok(calls.every((c) => c.authLevel === 6 && c.object));
      assert.deepEqual(
        calls.filter((c) => c.op === 'NTLMLogin').map((c) => c.detail),
        ['//./root/default'],
      );
    } finally {
      await session.close();
    }
    // Everything this session was granted is released (class objects are by value: no refs).
    assert.deepEqual(dcomPeer.outstanding(), held);
  });

  it('WBEM_E_ACCESS_DENIED from ExecMethod is ERR_ACCESS_DENIED; an unknown method is ERR_RPC', async () => {
    const caller = new WmiMethodCaller(wmi);
    dcomPeer.behaviour = { kind: 'hresult', op: 'ExecMethod', hresult: 0x80041003 };
    try {
      await assert.rejects(
        new WmiRegistry(dcomMethodPort(caller)).subkeys('SOFTWARE', 5, limits()),
        (e) => hasCode(e, 'ERR_ACCESS_DENIED'),
      );
    } finally {
      dcomPeer.behaviour = { kind: 'normal' };
    }
    await assert.rejects(
      caller.execMethod('root/default', 'StdRegProv', 'StdRegProv', 'DeleteKey', {}),
      (e) => hasCode(e, 'ERR_RPC') && /no method DeleteKey/.test((e as Error).message),
    );
  });

  it('a stalling ExecMethod ends in ERR_TIMEOUT naming the call (opnum 24) and the limit', async () => {
    const session = await WmiSession.connect('127.0.0.1', CREDS, {
      port: dcomPeer.activatorPort,
      timeoutMs: 5_000,
    });
    dcomPeer.behaviour = { kind: 'stall', op: 'ExecMethod' };
    try {
      const reg = new WmiRegistry(dcomMethodPort(new WmiMethodCaller(session)));
      await assert.rejects(
        reg.subkeys(UNINSTALL, 5, limits(300)),
        (e) =>
          hasCode(e, 'ERR_TIMEOUT') &&
          /IWbemServices opnum 24 .*no answer within 300 ms/.test((e as Error).message),
      );
    } finally {
      dcomPeer.behaviour = { kind: 'normal' };
      await session.close();
    }
  });
});

describe('Invoke over WinRM: failures', () => {
  it('a stalling Invoke ends in ERR_TIMEOUT after the per-call limit', async () => {
    wsmanPeer.behaviour = { kind: 'stall', onAction: 'Invoke' };
    try {
      await assert.rejects(
        new WmiRegistry(ports.winrm).subkeys(UNINSTALL, 5, limits(300)),
        (e) =>
          hasCode(e, 'ERR_TIMEOUT') && /EnumKey timed out after 300 ms/.test((e as Error).message),
      );
    } finally {
      wsmanPeer.behaviour = { kind: 'normal' };
    }
  });

  it('an AccessDenied fault is ERR_ACCESS_DENIED', async () => {
    wsmanPeer.behaviour = { kind: 'fault', subcode: 'AccessDenied', onAction: 'Invoke' };
    try {
      await assert.rejects(new WmiRegistry(ports.winrm).subkeys(UNINSTALL, 5, limits()), (e) =>
        hasCode(e, 'ERR_ACCESS_DENIED'),
      );
    } finally {
      wsmanPeer.behaviour = { kind: 'normal' };
    }
  });
});
