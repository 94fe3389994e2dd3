// The Windows collector over 445 when the server goes away mid-RPC, against the lab Samba through
// a loopback proxy that reads the client's SMB2 frames: once it sees the CREATE of a named pipe it
// lets a few more messages through, then drops the connection (both sockets destroyed) or goes
// silent (nothing forwarded either way, sockets left open). Proves: the collection ends without
// waiting out limits it need not wait, stops calling a dead session, reports the error and the
// sections it cost, leaves no socket open and no rejection unhandled.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLogger, type LogFields } from '../../log/logger.js';
import { collectWindowsHost } from '../../scan/windows-host.js';
import { loginWindows } from '../../scan/windows-login.js';
import type { UnlockedCredential } from '../../vault/credential-types.js';
import { HOSTS, SMB } from '../../../../../test/lab/lab-hosts.js';
import { labOnly } from '../../../../../test/lab/lab.js';
import { collectWindowsInventory } from './inventory.js';
import { RpcWindowsRemote } from './rpc-remote.js';

const SMB2_CREATE = 5;

/** The pipe name a client's SMB2 CREATE request opens, or null for other messages. */
function createdName(msg: Buffer): string | null {
  if (msg.length < 64 + 48 || msg.readUInt32BE(0) !== 0xfe534d42) return null;
  if (msg.readUInt16LE(12) !== SMB2_CREATE) return null;
  const offset = msg.readUInt16LE(64 + 44);
  const length = msg.readUInt16LE(64 + 46);
  if (offset + length > msg.length) return null;
  return msg.toString('utf16le', offset, offset + length).toLowerCase();
}

interface CutPlan {
  /** The pipe whose exchange is cut (`winreg`, `svcctl`). */
  pipe: string;
  /** The client message of that exchange (1 = its CREATE) that is not forwarded. */
  at: number;
  how: 'drop' | 'silence';
}

/** A loopback proxy to the lab Samba's 445 that cuts one pipe's exchange as planned. */
class CuttingProxy {
  readonly sockets: Socket[] = [];
  cut = false;
  readonly #server: Server;
  readonly #plan: CutPlan;

  constructor(plan: CutPlan) {
    this.#plan = plan;
    this.#server = createServer((client) => this.#relay(client));
  }

  async listen(): Promise<number> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return (this.#server.address() as { port: number }).port;
  }

  #relay(client: Socket): void {
    const upstream = createConnection({ host: HOSTS.smb, port: 445 });
    this.sockets.push(client, upstream);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.on('data', (chunk: Buffer) => {
      if (!this.cut) client.write(chunk);
    });
    let buf = Buffer.alloc(0);
    let seen = 0;
    client.on('data', (chunk: Buffer) => {
      if (this.cut) return;
      buf = Buffer.concat([buf, chunk]);
      // Whole frames only (4-byte length, then one SMB2 message), each forwarded or cut.
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const frame = buf.subarray(0, 4 + buf.readUInt32BE(0));
        buf = buf.subarray(frame.length);
        if (seen > 0 || createdName(frame.subarray(4)) === this.#plan.pipe) seen++;
        if (seen === this.#plan.at) {
          this.cut = true;
          if (this.#plan.how === 'drop') {
            client.destroy();
            upstream.destroy();
          }
          return;
        }
        upstream.write(frame);
      }
    });
  }

  /** Resolves once every socket it handled is closed (the test's own timeout bounds the wait). */
  async allClosed(): Promise<void> {
    await Promise.all(this.sockets.filter((s) => !s.closed).map((s) => once(s, 'close')));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

const unlocked: UnlockedCredential = {
  credential: {
    id: '00000000-0000-4000-8000-000000000445',
    name: 'lab',
    kind: 'windows',
    scope: [],
    username: SMB.username,
    domain: '.',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
  secrets: { password: SMB.password },
};

describe('a server that goes away mid-RPC', labOnly(), () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  const proxies: CuttingProxy[] = [];
  before(() => process.on('unhandledRejection', onUnhandled));
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    for (const p of proxies) await p.close();
  });
  const proxy = async (plan: CutPlan): Promise<{ p: CuttingProxy; port: number }> => {
    const p = new CuttingProxy(plan);
    proxies.push(p);
    return { p, port: await p.listen() };
  };
  /** No rejection went unhandled, once pending callbacks have run. */
  const noUnhandled = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled, []);
  };

  test(
    'a connection dropped during svcctl: the scan ends with the sections read so far, the rest partial, the drop logged',
    { timeout: 120_000 },
    async () => {
      const { p, port } = await proxy({ pipe: 'svcctl', at: 4, how: 'drop' });
      const warnings: LogFields[] = [];
      const log = createLogger({
        write: (level, _msg, fields) => void (level === 'warn' && warnings.push(fields)),
        enabled: () => true,
      });
      const outcome = await collectWindowsHost(unlocked, '127.0.0.1', {
        signal: new AbortController().signal,
        loginTimeoutMs: 10_000,
        callTimeoutMs: 10_000,
        collectTimeoutMs: 100_000,
        port,
        log,
      });
      assert.equal(p.cut, true, 'the proxy cut the svcctl exchange');
      // The login worked: the attempt is a success; the sections say what the drop cost.
      assert.equal(outcome.attempt.status, 'success');
      const sections = outcome.inventory?.sections ?? {};
      for (const s of ['identity', 'os', 'hardware', 'software'])
        assert.equal(sections[s], 'complete', s);
      for (const s of ['services', 'users', 'groups', 'shares', 'logons'])
        assert.equal(sections[s], 'partial', s);
      // Nothing waited out a limit: no section timed out.
      assert.ok(!Object.values(sections).includes('timeout'), JSON.stringify(sections));
      const error = warnings.find((w) => w['error'])?.['error'] as {
        code: string;
        message: string;
      };
      assert.equal(error.code, 'ERR_PROTOCOL');
      assert.match(error.message, /connection closed by the server/);
      await p.allClosed();
      await noUnhandled();
    },
  );

  test(
    'a server that stops answering during winreg: one call and one echo time out, the rest is timeout, every socket closed',
    { timeout: 120_000 },
    async () => {
      const { p, port } = await proxy({ pipe: 'winreg', at: 4, how: 'silence' });
      const login = await loginWindows(unlocked, '127.0.0.1', {
        signal: new AbortController().signal,
        timeoutMs: 10_000,
        port,
      });
      const remote = new RpcWindowsRemote(login.ipc);
      const inv = await collectWindowsInventory(remote, {
        signal: new AbortController().signal,
        callTimeoutMs: 1500,
      }).finally(async () => {
        await remote.close();
        await login.close();
      });
      assert.equal(p.cut, true, 'the proxy went silent in the winreg exchange');
      assert.equal(inv.sessionLost, true);
      assert.equal(inv.error?.code, 'ERR_TIMEOUT');
      assert.match(inv.error!.message, /stopped answering.*echo/);
      // srvsvc, wkssvc and LSA answered before the silence; the first winreg read (Tcpip's
      // parameters, for the DNS name) met it, so identity has the NetBIOS name only.
      assert.equal(inv.ci.identity.hostname, SMB.netbiosName);
      assert.equal(inv.ci.membership?.name, SMB.workgroup);
      const all = [
        'identity',
        'os',
        'hardware',
        'software',
        'services',
        'users',
        'groups',
        'shares',
      ];
      for (const s of all) assert.equal(inv.sections[s as keyof typeof inv.sections], 'timeout', s);
      assert.match(inv.notes.shares!.join(), /not read: the session ended/);
      // The session was given up: the client closed its connection, so the proxy's sockets close.
      assert.match(login.client.failure?.message ?? '', /closed by the client/);
      await p.allClosed();
      await noUnhandled();
    },
  );
});
