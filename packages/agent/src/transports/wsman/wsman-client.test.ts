import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WsmanTestPeer,
  PEER_CERT,
  type PeerOptions,
} from '../../../../../test/support/wsman-peer.js';
import {
  WSMAN_INSTANCES,
  WSMAN_INSTANCES_SCHEMA,
} from '../../../../../test/support/wsman-instances.js';
import { hasCode } from '../../errors.js';
import { WsmanClient, type WsmanClientOptions } from './wsman-client.js';
import { WQL_DIALECT, wmiResourceUri } from './wsman-envelope.js';

const INSTANCES: PeerOptions['instances'] = WSMAN_INSTANCES;
const SCHEMA = WSMAN_INSTANCES_SCHEMA;
const CREDS = { username: 'scanner', password: 'S3cret-pass', domain: 'PEER' };

async function withPeer(o: Partial<PeerOptions> & Pick<PeerOptions, 'https' | 'auth'>) {
  return WsmanTestPeer.start({
    username: CREDS.username,
    password: CREDS.password,
    instances: INSTANCES,
    pageSize: 2,
    ...o,
  });
}

function client(
  peer: WsmanTestPeer,
  o: Partial<WsmanClientOptions> & Pick<WsmanClientOptions, 'https' | 'auth'>,
): WsmanClient {
  return new WsmanClient({
    host: '127.0.0.1',
    port: peer.port,
    tlsVerify: true,
    ca: PEER_CERT,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    maxElements: 32,
    ...o,
  });
}

const signal = () => new AbortController().signal;

describe('WsmanClient with Basic over HTTPS', () => {
  let peer: WsmanTestPeer;
  before(async () => (peer = await withPeer({ https: true, auth: 'basic' })));
  after(() => peer.stop());

  it('enumerates Win32_Service over Enumerate and Pulls until EndOfSequence', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
    });
    try {
      const items = await c.enumerate('SELECT * FROM Win32_Service', {
        signal: signal(),
        schema: SCHEMA,
      });
      assert.deepEqual(
        items.map((i) => [i.className, i.properties['Name']?.value, i.properties['State']?.value]),
        [
          ['Win32_Service', 'Spooler', 'Running'],
          ['Win32_Service', 'W32Time', 'Stopped'],
          ['Win32_Service', 'WinRM', 'Running'],
          ['Win32_Service', 'Dhcp', 'Running'],
          ['Win32_Service', 'Dnscache', 'Running'],
        ],
      );
      assert.deepEqual(items[0]?.properties['ProcessId'], {
        cimType: 'uint32',
        isArray: false,
        value: 700,
      });
      assert.equal(items[0]?.properties['Description']?.value, null);
      const seen = peer.requests.slice(-3);
      assert.deepEqual(
        seen.map((r) => r.action),
        ['Enumerate', 'Pull', 'Pull'],
      );
      assert.equal(seen[0]?.dialect, WQL_DIALECT);
      assert.equal(seen[0]?.filter, 'SELECT * FROM Win32_Service');
      assert.equal(seen[0]?.resourceUri, wmiResourceUri());
      assert.equal(seen[0]?.maxElements, '32');
    } finally {
      c.close();
    }
  });

  it('types Win32_OperatingSystem by the schema: uint64 as a string, datetime, arrays', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
    });
    try {
      const [os] = await c.enumerate('SELECT * FROM Win32_OperatingSystem', {
        signal: signal(),
        schema: SCHEMA,
      });
      assert.equal(os?.properties['TotalVisibleMemorySize']?.value, '16776632');
      assert.equal(os?.properties['ProductType']?.value, 3);
      assert.deepEqual(os?.properties['MUILanguages']?.value, ['en-US', 'de-DE']);
      const boot = os?.properties['LastBootUpTime'];
      assert.equal(boot?.cimType, 'datetime');
      assert.deepEqual(boot?.value, {
        dmtf: '20240301071500.500000-300',
        date: new Date('2024-03-01T12:15:00.500Z'),
      });
    } finally {
      c.close();
    }
  });

  it('maps a 401 for a wrong password to ERR_AUTH_FAILED', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: 'wrong' },
    });
    try {
      await assert.rejects(c.enumerate('SELECT * FROM Win32_Service', { signal: signal() }), (e) =>
        hasCode(e, 'ERR_AUTH_FAILED'),
      );
    } finally {
      c.close();
    }
  });

  it('refuses to send Basic over plain HTTP', () => {
    assert.throws(
      () => client(peer, { https: false, auth: { kind: 'basic', username: 'u', password: 'p' } }),
      (e) => hasCode(e, 'ERR_CONFIG_INVALID'),
    );
  });

  it('maps WS-Man faults: AccessDenied to ERR_ACCESS_DENIED, InvalidSelectors to ERR_PROTOCOL', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
    });
    try {
      peer.behaviour = { kind: 'fault', subcode: 'AccessDenied' };
      await assert.rejects(c.enumerate('SELECT * FROM Win32_Service', { signal: signal() }), (e) =>
        hasCode(e, 'ERR_ACCESS_DENIED'),
      );
      peer.behaviour = { kind: 'fault', subcode: 'InvalidSelectors', onAction: 'Pull' };
      await assert.rejects(
        c.enumerate('SELECT * FROM Win32_Service', { signal: signal() }),
        (e) => hasCode(e, 'ERR_PROTOCOL') && /InvalidSelectors/.test(String(e)),
      );
      peer.behaviour = { kind: 'garbage' };
      await assert.rejects(c.enumerate('SELECT * FROM Win32_Service', { signal: signal() }), (e) =>
        hasCode(e, 'ERR_PROTOCOL'),
      );
    } finally {
      peer.behaviour = { kind: 'normal' };
      c.close();
    }
  });

  it('times out on a peer that accepts the request and never answers', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
      requestTimeoutMs: 300,
    });
    try {
      peer.behaviour = { kind: 'stall', onAction: 'Pull' };
      await assert.rejects(
        c.enumerate('SELECT * FROM Win32_Service', { signal: signal() }),
        (e) => hasCode(e, 'ERR_TIMEOUT') && /300 ms/.test(String(e)),
      );
    } finally {
      peer.behaviour = { kind: 'normal' };
      c.close();
    }
  });

  it('releases the enumeration when the caller stops early', async () => {
    const c = client(peer, {
      https: true,
      auth: { kind: 'basic', username: CREDS.username, password: CREDS.password },
    });
    try {
      for await (const page of c.pages('SELECT * FROM Win32_Service', { signal: signal() })) {
        assert.equal(page.length, 2);
        break;
      }
      assert.deepEqual(
        peer.requests.slice(-2).map((r) => r.action),
        ['Enumerate', 'Release'],
      );
    } finally {
      c.close();
    }
  });
});

describe('WsmanClient with NTLM', () => {
  it('over HTTP authenticates once, then seals every message (pywinrm framing)', async () => {
    const peer = await withPeer({ https: false, auth: 'ntlm' });
    const c = client(peer, { https: false, auth: { kind: 'ntlm', credentials: CREDS } });
    try {
      const procs = await c.enumerate('SELECT * FROM Win32_Process', { signal: signal() });
      assert.deepEqual(
        procs.map((p) => p.properties['Name']?.value),
        ['p1.exe', 'p2.exe', 'p3.exe'],
      );
      const os = await c.enumerate('SELECT * FROM Win32_OperatingSystem', {
        signal: signal(),
        schema: SCHEMA,
      });
      assert.equal(os[0]?.properties['BuildNumber']?.value, '20348');
      assert.equal(c.encrypted, true);
      assert.equal(peer.handshakes, 1);
      assert.ok(peer.requests.length >= 3 && peer.requests.every((r) => r.encrypted));
    } finally {
      c.close();
      await peer.stop();
    }
  });

  it('over HTTPS sends channel bindings of the server certificate and does not seal', async () => {
    const peer = await withPeer({ https: true, auth: 'ntlm' });
    const c = client(peer, { https: true, auth: { kind: 'ntlm', credentials: CREDS } });
    try {
      const items = await c.enumerate('SELECT * FROM Win32_Service', { signal: signal() });
      assert.equal(items.length, 5);
      assert.equal(c.encrypted, false);
      assert.equal(peer.handshakes, 1);
    } finally {
      c.close();
      await peer.stop();
    }
  });

  it('maps a wrong password to ERR_AUTH_FAILED without leaking it', async () => {
    const peer = await withPeer({ https: false, auth: 'ntlm' });
    const c = client(peer, {
      https: false,
      auth: { kind: 'ntlm', credentials: { ...CREDS, password: 'Wrong-pass-123' } },
    });
    try {
      await assert.rejects(
        c.enumerate('SELECT * FROM Win32_Process', { signal: signal() }),
        (e) => hasCode(e, 'ERR_AUTH_FAILED') && !String(e).includes('Wrong-pass-123'),
      );
      assert.equal(peer.handshakes, 0);
    } finally {
      c.close();
      await peer.stop();
    }
  });

  it('maps a refused port to ERR_PORT_CLOSED', async () => {
    const peer = await withPeer({ https: false, auth: 'ntlm' });
    await peer.stop();
    const c = client(peer, { https: false, auth: { kind: 'ntlm', credentials: CREDS } });
    try {
      await assert.rejects(c.enumerate('SELECT * FROM Win32_Process', { signal: signal() }), (e) =>
        hasCode(e, 'ERR_PORT_CLOSED'),
      );
    } finally {
      c.close();
    }
  });
});
