// Tests VimClient against the govmomi vCenter simulator (the lab's test/lab/vcsim) on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScannerError } from '../../errors.js';
import { VimFaultError } from './soap.js';
import { VimClient, type VimClientOptions } from './vim-client.js';
import { freePort, vcsimBinary } from '../../../../../test/support/vcsim.js';
import { rejectsWithCode } from '../../../../../test/support/errors.js';
import { stopChild } from '../../../../../test/support/child-process.js';

const USER = 'unit@vsphere.local';
const PASSWORD = 'unit-Vc-Pass-5';
const WRONG = 'unit-Vc-Wrong-5';
const rejectsWith = (p: Promise<unknown>, code: string): Promise<ScannerError> =>
  rejectsWithCode(p, code, [PASSWORD, WRONG]);

const bin = vcsimBinary();
const haveOpenssl = existsSync('/usr/bin/openssl');

describe(
  'VimClient against the vCenter simulator',
  { skip: (!bin || !haveOpenssl) && 'vcsim (go + govmomi) or openssl missing' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsl-vc-unit-'));
    let sim: ChildProcess | null = null;
    let port = 0;
    let ca = '';
    const clients: VimClient[] = [];
    const client = (over: Partial<VimClientOptions> = {}): VimClient => {
      const c = new VimClient({
        address: '127.0.0.1',
        port,
        tlsVerify: true,
        connectTimeoutMs: 5000,
        requestTimeoutMs: 10_000,
        ...over,
      });
      clients.push(c);
      return c;
    };
    const call = () => ({ signal: AbortSignal.timeout(20_000) });

    before(async () => {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-subj',
          '/CN=vcenter.unit',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
      port = await freePort();
      sim = spawn(
        bin as string,
        [
          '-listen',
          `127.0.0.1:${port}`,
          '-username',
          USER,
          '-password',
          PASSWORD,
          '-cert',
          join(dir, 'cert.pem'),
          '-key',
          join(dir, 'key.pem'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        sim?.stdout?.on('data', (d: Buffer) => {
          seen += d.toString();
          if (/serving https:/.test(seen)) resolve();
        });
        sim?.once('exit', (code) => reject(new Error(`vcsim exited (${code}): ${seen}`)));
      });
    });

    after(async () => {
      for (const c of clients) c.close();
      await stopChild(sim);
      rmSync(dir, { recursive: true, force: true });
    });

    test('with verification on, the self-signed certificate fails with a clear ERR_PROTOCOL', async () => {
      const err = await rejectsWith(client().retrieveServiceContent(call()), 'ERR_PROTOCOL');
      assert.match(err.message, /TLS certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    });

    test('with the simulator certificate as CA, login and logout work', async () => {
      const c = client({ ca });
      assert.equal(c.tlsVerified, true);
      const sc = await c.retrieveServiceContent(call());
      assert.equal(sc.about.apiType, 'VirtualCenter');
      assert.match(sc.about.fullName, /vCenter Server/);
      assert.deepEqual(sc.sessionManager, { type: 'SessionManager', value: 'SessionManager' });
      const session = await c.login(USER, PASSWORD, call());
      assert.equal(session.userName, USER);
      assert.ok(session.key.length > 0);
      await c.logout(call());
    });

    test('the session cookie is what authenticates later calls', async () => {
      const c = client({ ca });
      const sc = await c.retrieveServiceContent(call());
      // Logout before login is refused: the call carries no session cookie.
      const denied = await rejectsWith(
        c.call('Logout', sc.sessionManager, '', call()),
        'ERR_AUTH_FAILED',
      );
      assert.ok(denied instanceof VimFaultError && denied.faultType === 'NotAuthenticated');
      await c.login(USER, PASSWORD, call());
      await c.call('Logout', sc.sessionManager, '', call());
    });

    test('with tlsVerify false the self-signed certificate is accepted and flagged', async () => {
      const c = client({ tlsVerify: false });
      assert.equal(c.tlsVerified, false);
      await c.login(USER, PASSWORD, call());
      await c.logout(call());
    });

    test('a wrong password is an InvalidLogin fault, ERR_AUTH_FAILED, without leaking it', async () => {
      const err = await rejectsWith(client({ ca }).login(USER, WRONG, call()), 'ERR_AUTH_FAILED');
      assert.ok(err instanceof VimFaultError);
      assert.equal(err.faultType, 'InvalidLogin');
    });

    test('an answer larger than maxResponseBytes is cut off as ERR_PROTOCOL', async () => {
      const err = await rejectsWith(
        client({ ca, maxResponseBytes: 512 }).retrieveServiceContent(call()),
        'ERR_PROTOCOL',
      );
      assert.match(err.message, /exceeded 512 bytes/);
    });

    test('an aborted call is ERR_ABORTED', async () => {
      const ctl = new AbortController();
      ctl.abort();
      await rejectsWith(
        client({ ca }).retrieveServiceContent({ signal: ctl.signal }),
        'ERR_ABORTED',
      );
    });
  },
);

describe('VimClient failure paths without a server', () => {
  test('a closed port is ERR_PORT_CLOSED', async () => {
    const port = await freePort();
    const c = new VimClient({
      address: '127.0.0.1',
      port,
      tlsVerify: true,
      connectTimeoutMs: 5000,
      requestTimeoutMs: 5000,
    });
    try {
      await rejectsWith(
        c.retrieveServiceContent({ signal: AbortSignal.timeout(10_000) }),
        'ERR_PORT_CLOSED',
      );
    } finally {
      c.close();
    }
  });

  test('a peer that accepts and never answers the TLS handshake is ERR_TIMEOUT naming the limit', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const c = new VimClient({
      address: '127.0.0.1',
      port,
      tlsVerify: true,
      connectTimeoutMs: 300,
      requestTimeoutMs: 10_000,
    });
    try {
      const err = await rejectsWith(
        c.retrieveServiceContent({ signal: AbortSignal.timeout(10_000) }),
        'ERR_TIMEOUT',
      );
      assert.match(err.message, /vsphere connect timed out after 300ms/);
    } finally {
      c.close();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
