import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  DcomWmiTestPeer,
  type DcomPeerOptions,
} from '../../../../../test/support/dcom-wmi-peer.js';
import { freePort } from '../../../../../test/support/ports.js';
import {
  WSMAN_INSTANCES,
  WSMAN_INSTANCES_SCHEMA,
} from '../../../../../test/support/wsman-instances.js';
import { PEER_CERT, WsmanTestPeer } from '../../../../../test/support/wsman-peer.js';
import { hasCode } from '../../errors.js';
import { E_ACCESSDENIED, hresultOf } from '../dcom/hresult.js';
import type { CimObject } from '../wmio/cim-object.js';
import { WsmanClient } from '../wsman/wsman-client.js';
import {
  WBEM_E_ACCESS_DENIED,
  WBEM_E_INVALID_NAMESPACE,
  WBEM_E_INVALID_QUERY,
} from './wbem-status.js';
import { networkResource, WmiSession } from './wmi-session.js';

const CREDS = { username: 'scanner', password: 'S3cret-pass', domain: 'PEER' };
const here = (p: string) => new URL(p, import.meta.url);
const units = (hexes: string[]) => hexes.map((h) => Buffer.from(h, 'hex'));
/** MS-WMIO encodings of the instances the WinRM peer below serves as XML (testdata/make-instances.py). */
const EQUIVALENTS = JSON.parse(
  readFileSync(here('./testdata/winrm-equivalents.json'), 'utf8'),
) as Record<string, string[]>;
const wmioHex = (name: string) => readFileSync(here(`../wmio/testdata/${name}.hex`), 'utf8').trim();
const INSTANCES: DcomPeerOptions['instances'] = {
  ...Object.fromEntries(Object.entries(EQUIVALENTS).map(([cls, hexes]) => [cls, units(hexes)])),
  // The MS-WMIO helper's vectors, served under names of their own.
  Test_FullOperatingSystem: units([wmioHex('win32-operatingsystem')]),
  Test_FullProcess: units([wmioHex('win32-process'), wmioHex('win32-process')]),
};

async function collect(it: AsyncIterable<CimObject>): Promise<CimObject[]> {
  const out: CimObject[] = [];
  for await (const o of it) out.push(o);
  return out;
}

const connect = (
  peer: DcomWmiTestPeer,
  o: { timeoutMs?: number; signal?: AbortSignal; password?: string; port?: number } = {},
) =>
  WmiSession.connect(
    '127.0.0.1',
    { ...CREDS, password: o.password ?? CREDS.password },
    {
      port: o.port ?? peer.activatorPort,
      timeoutMs: o.timeoutMs ?? 5_000,
      ...(o.signal ? { signal: o.signal } : {}),
    },
  );

describe('networkResource', () => {
  it('turns root/cimv2, root\\cimv2 and //./root/cimv2 into //./root/cimv2 and refuses other text', () => {
    for (const ns of ['root/cimv2', 'root\\cimv2', '//./root/cimv2', '\\\\.\\root\\cimv2'])
      assert.equal(networkResource(ns), '//./root/cimv2');
    assert.equal(networkResource('root\\StandardCimv2'), '//./root/StandardCimv2');
    assert.throws(
      () => networkResource('root/cimv2"; x'),
      (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
    );
  });
});

describe('WmiSession against the DCOM/WMI test peer', () => {
  let peer: DcomWmiTestPeer;
  before(async () => (peer = await DcomWmiTestPeer.start({ ...CREDS, instances: INSTANCES })));
  after(() => peer.stop());

  it('activates, logs in, queries, enumerates in batches, decodes, and releases everything', async () => {
    const callsBefore = peer.calls.length;
    const wmi = await connect(peer);
    let services: CimObject[];
    try {
      services = await collect(
        wmi.query('root/cimv2', 'SELECT * FROM Win32_Service', { batch: 2 }),
      );
    } finally {
      await wmi.close();
    }
    assert.deepEqual(
      services.map((s) => [
        s.className,
        s.properties['Name']?.value,
        s.properties['ProcessId']?.value,
      ]),
      [
        ['Win32_Service', 'Spooler', 700],
        ['Win32_Service', 'W32Time', 700],
        ['Win32_Service', 'WinRM', 500],
        ['Win32_Service', 'Dhcp', 400],
        ['Win32_Service', 'Dnscache', 800],
      ],
    );
    const calls = peer.calls.slice(callsBefore);
    assert.deepEqual(
      calls.map((c) => [c.listener, c.op, c.detail]),
      [
        [
          'activator',
          'RemoteCreateInstance',
          '8bc3f05e-d86b-11d0-a075-00c04fb68820 f309ad18-d86a-11d0-a075-00c04fb68820 props=6',
        ],
        ['exporter', 'NTLMLogin', '//./root/cimv2'],
        ['exporter', 'ExecQuery', 'SELECT * FROM Win32_Service'],
        ['exporter', 'Next', 'count=2'],
        ['exporter', 'Next', 'count=2'],
        ['exporter', 'Next', 'count=2'],
        ['exporter', 'RemRelease', calls[6]?.detail],
        ['exporter', 'RemRelease', calls[7]?.detail],
      ],
    );
    // Packet privacy everywhere; every exporter call names its object (IPID).
    assert.ok(calls.every((c) => c.authLevel === 6));
    assert.ok(calls.filter((c) => c.listener === 'exporter').every((c) => c.object !== undefined));
    assert.deepEqual(peer.outstanding(), {}, 'every public reference handed out was released');
  });

  it('decodes the MS-WMIO vectors as the WMIO decoder does (Next of more objects than are left ends the enumeration)', async () => {
    const wmi = await connect(peer);
    try {
      const [os] = await collect(wmi.query('root/cimv2', 'SELECT * FROM Test_FullOperatingSystem'));
      const procs = await collect(
        wmi.query('root/cimv2', 'SELECT * FROM Test_FullProcess', { batch: 1 }),
      );
      const expected = (n: string) =>
        JSON.parse(readFileSync(here(`../wmio/testdata/${n}.json`), 'utf8')) as CimObject;
      const dmtfOnly = (o: CimObject | undefined) =>
        JSON.parse(JSON.stringify(o, (k, v: unknown) => (k === 'date' ? undefined : v))) as unknown;
      const osWant = expected('win32-operatingsystem');
      assert.deepEqual(dmtfOnly(os), {
        className: osWant.className,
        properties: osWant.properties,
      });
      assert.equal(procs.length, 2);
      const procWant = expected('win32-process');
      assert.deepEqual(dmtfOnly(procs[1]), {
        className: procWant.className,
        properties: procWant.properties,
      });
    } finally {
      await wmi.close();
    }
    assert.deepEqual(peer.outstanding(), {});
  });

  it('releases the enumerator when the caller stops early', async () => {
    const wmi = await connect(peer);
    try {
      for await (const s of wmi.query('root/cimv2', 'SELECT * FROM Win32_Service', { batch: 2 })) {
        assert.equal(s.properties['Name']?.value, 'Spooler');
        break;
      }
      assert.equal(peer.outstanding()['enum'], undefined);
    } finally {
      await wmi.close();
    }
  });

  it('names WBEM_E_INVALID_QUERY and WBEM_E_INVALID_NAMESPACE, and the session stays usable', async () => {
    const wmi = await connect(peer);
    try {
      await assert.rejects(
        collect(wmi.query('root/cimv2', 'SELECT Name FROM Nowhere WHERE')),
        (e) => {
          return (
            hasCode(e, 'ERR_RPC') &&
            hresultOf(e) === WBEM_E_INVALID_QUERY &&
            /WBEM_E_INVALID_QUERY \(0x80041017\)/.test(String(e))
          );
        },
      );
      await assert.rejects(
        collect(wmi.query('root/nothere', 'SELECT * FROM Win32_Service')),
        (e) => {
          return (
            hasCode(e, 'ERR_RPC') &&
            hresultOf(e) === WBEM_E_INVALID_NAMESPACE &&
            /WBEM_E_INVALID_NAMESPACE/.test(String(e))
          );
        },
      );
      peer.behaviour = { kind: 'hresult', op: 'ExecQuery', hresult: WBEM_E_INVALID_QUERY };
      await assert.rejects(
        collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')),
        (e) => hresultOf(e) === WBEM_E_INVALID_QUERY,
      );
      peer.behaviour = { kind: 'normal' };
      assert.equal(
        (await collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Process'))).length,
        3,
      );
    } finally {
      peer.behaviour = { kind: 'normal' };
      await wmi.close();
    }
    assert.deepEqual(peer.outstanding(), {});
  });

  it('maps access denied: E_ACCESSDENIED at activation and WBEM_E_ACCESS_DENIED at login to ERR_ACCESS_DENIED', async () => {
    try {
      peer.behaviour = { kind: 'hresult', op: 'RemoteCreateInstance', hresult: E_ACCESSDENIED };
      await assert.rejects(
        connect(peer),
        (e) => hasCode(e, 'ERR_ACCESS_DENIED') && /E_ACCESSDENIED/.test(String(e)),
      );
      peer.behaviour = { kind: 'hresult', op: 'NTLMLogin', hresult: WBEM_E_ACCESS_DENIED };
      const wmi = await connect(peer);
      try {
        await assert.rejects(
          collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')),
          (e) => hasCode(e, 'ERR_ACCESS_DENIED') && /WBEM_E_ACCESS_DENIED/.test(String(e)),
        );
      } finally {
        await wmi.close();
      }
    } finally {
      peer.behaviour = { kind: 'normal' };
    }
  });

  it('maps rpc_s_access_denied on activation and a wrong password to ERR_AUTH_FAILED', async () => {
    try {
      peer.behaviour = { kind: 'fault', op: 'RemoteCreateInstance', status: 5 };
      await assert.rejects(connect(peer), (e) => hasCode(e, 'ERR_AUTH_FAILED'));
    } finally {
      peer.behaviour = { kind: 'normal' };
    }
    await assert.rejects(connect(peer, { password: 'wrong' }), (e) =>
      hasCode(e, 'ERR_AUTH_FAILED'),
    );
  });

  it('gives ERR_RPC when port 135 is closed', async () => {
    await assert.rejects(
      connect(peer, { port: await freePort() }),
      (e) => hasCode(e, 'ERR_RPC') && /135|activator/.test(String(e)),
    );
  });

  it('gives ERR_TIMEOUT for a peer that stalls at activation or in Next, and does not wait on releases', async () => {
    try {
      peer.behaviour = { kind: 'stall', op: 'RemoteCreateInstance' };
      await assert.rejects(connect(peer, { timeoutMs: 300 }), (e) => hasCode(e, 'ERR_TIMEOUT'));
      peer.behaviour = { kind: 'stall', op: 'Next' };
      const wmi = await connect(peer, { timeoutMs: 300 });
      try {
        await assert.rejects(collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')), (e) =>
          hasCode(e, 'ERR_TIMEOUT'),
        );
      } finally {
        await wmi.close();
      }
    } finally {
      peer.behaviour = { kind: 'normal' };
    }
  });

  it('stops with ERR_ABORTED when the caller aborts a stalled call', async () => {
    const ctl = new AbortController();
    try {
      peer.behaviour = { kind: 'stall', op: 'NTLMLogin' };
      const wmi = await connect(peer, { signal: ctl.signal });
      try {
        const pending = collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service'));
        // Bounded wait until the peer holds the login call, then abort it.
        for (let i = 0; i < 500 && peer.calls.at(-1)?.op !== 'NTLMLogin'; i++)
          await new Promise((r) => setTimeout(r, 10));
        ctl.abort();
        await assert.rejects(pending, (e) => hasCode(e, 'ERR_ABORTED'));
      } finally {
        await wmi.close();
      }
    } finally {
      peer.behaviour = { kind: 'normal' };
    }
  });

  it('gives ERR_PROTOCOL for garbage and for a PDU cut short', async () => {
    try {
      peer.behaviour = { kind: 'garbage', op: 'ExecQuery' };
      let wmi = await connect(peer);
      try {
        await assert.rejects(collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')), (e) =>
          hasCode(e, 'ERR_PROTOCOL'),
        );
      } finally {
        await wmi.close();
      }
      peer.behaviour = { kind: 'truncated', op: 'Next' };
      wmi = await connect(peer);
      try {
        await assert.rejects(collect(wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')), (e) =>
          hasCode(e, 'ERR_PROTOCOL'),
        );
      } finally {
        await wmi.close();
      }
    } finally {
      peer.behaviour = { kind: 'normal' };
    }
  });
});

describe('WmiSession when the dynamic port is closed', () => {
  let peer: DcomWmiTestPeer;
  before(
    async () =>
      (peer = await DcomWmiTestPeer.start({
        ...CREDS,
        instances: INSTANCES,
        advertisedPort: await freePort(),
      })),
  );
  after(() => peer.stop());

  it('gives ERR_RPC after a successful activation, having connected only to the scanned address', async () => {
    await assert.rejects(
      connect(peer),
      (e) => hasCode(e, 'ERR_RPC') && /dynamic RPC port/.test(String(e)),
    );
    assert.equal(peer.connections.activator, 1);
    assert.equal(peer.connections.exporter, 0);
  });
});

describe('WMI over DCOM and WinRM give the same objects for the same instances', () => {
  // The WinRM peer serves XML; the DCOM peer the same instances MS-WMIO encoded.
  const XML = WSMAN_INSTANCES;
  const SCHEMA = WSMAN_INSTANCES_SCHEMA;
  let dcom: DcomWmiTestPeer;
  let winrm: WsmanTestPeer;
  before(async () => {
    dcom = await DcomWmiTestPeer.start({ ...CREDS, instances: INSTANCES });
    winrm = await WsmanTestPeer.start({
      https: true,
      auth: 'basic',
      username: CREDS.username,
      password: CREDS.password,
      instances: XML,
      pageSize: 2,
    });
  });
  after(async () => {
    await dcom.stop();
    await winrm.stop();
  });

  for (const cls of Object.keys(XML)) {
    it(`${cls}`, async () => {
      const c = new WsmanClient({
        host: '127.0.0.1',
        port: winrm.port,
        https: true,
        tlsVerify: true,
        ca: PEER_CERT,
        auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
        connectTimeoutMs: 5_000,
        requestTimeoutMs: 5_000,
        maxElements: 32,
      });
      let viaWinrm: CimObject[];
      try {
        viaWinrm = (
          await c.enumerate(`SELECT * FROM ${cls}`, {
            signal: new AbortController().signal,
            schema: SCHEMA,
          })
        ).map((o) => ({
          className: o.className,
          properties: o.properties,
        }));
      } finally {
        c.close();
      }
      const wmi = await connect(dcom);
      let viaDcom: CimObject[];
      try {
        viaDcom = await collect(wmi.query('root/cimv2', `SELECT * FROM ${cls}`, { batch: 2 }));
      } finally {
        await wmi.close();
      }
      assert.equal(viaDcom.length, XML[cls as keyof typeof XML].length);
      assert.deepEqual(viaDcom, viaWinrm);
    });
  }
});
