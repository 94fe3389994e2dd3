// End to end: the real `nopesight-platform` command — tokens made by the CLI, `serve` on an
// ephemeral loopback port, an upload with plain fetch + gzip, TLS, the loopback-only rule.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { batch, hostRecord } from '../testing/fixtures.js';
import { buildPlatform, runCli, startServe, type ServeProcess } from '../testing/serve-process.js';

const cli = (args: string[]) => runCli(args, { DATABASE_URL: '' });
const serve = (args: string[]) => startServe(args, { DATABASE_URL: '' });

describe('nopesight-platform (end to end)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-platform-e2e-'));
  const servers: ServeProcess[] = [];

  // The bin runs the compiled CLI: build it (incremental, quick when up to date).
  before(() => buildPlatform());
  after(async () => {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('token create prints the token last; serve takes an upload made with fetch + gzip', async () => {
    const created = cli([
      'token',
      'create',
      '--name',
      'edge',
      '--agent-id',
      'edge-01',
      '--data-dir',
      dir,
    ]);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.last, /^nst_[A-Za-z0-9_-]{43}$/);
    const token = created.last;
    const admin = cli([
      'token',
      'create',
      '--name',
      'ops',
      '--role',
      'admin',
      '--data-dir',
      dir,
    ]).last;

    const srv = await serve(['--port', '0', '--host', '127.0.0.1', '--data-dir', dir]);
    servers.push(srv);
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const headers = { authorization: `Bearer ${token}`, 'x-agent-id': 'edge-01' };
    const me = await fetch(`${srv.url}/api/discovery/agents/me`, { headers });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { agentId: string }).agentId, 'edge-01');

    const body = batch('edge-01', 'scan-e2e', 0, [hostRecord({ serial: 'CZ2942036K' })], true);
    const upload = () =>
      fetch(`${srv.url}/api/discovery/scan-data`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'idempotency-key': 'edge-01:scan-e2e:0',
        },
        body: gzipSync(JSON.stringify(body)),
      });
    assert.deepEqual(await (await upload()).json(), { accepted: 1, duplicate: false });
    assert.deepEqual(await (await upload()).json(), { accepted: 0, duplicate: true });
    const cis = await fetch(`${srv.url}/api/cmdb/ci`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const list = (await cis.json()) as { data: { name: string }[]; pagination: { total: number } };
    assert.deepEqual([list.pagination.total, list.data[0]!.name], [1, 'lab-ssh']);

    // Revoked from another process while the server runs: the next request is refused.
    const listed = cli(['token', 'list', '--data-dir', dir]);
    assert.match(listed.stdout, /edge\s+agent\s+edge-01/);
    assert.equal(listed.stdout.includes(token), false);
    assert.equal(cli(['token', 'revoke', 'edge', '--data-dir', dir]).status, 0);
    assert.equal((await fetch(`${srv.url}/api/discovery/agents/me`, { headers })).status, 401);
    assert.equal(cli(['token', 'revoke', 'edge', '--data-dir', dir]).status, 1);

    assert.equal(await srv.stop(), 0);
    assert.match(srv.output(), /nopesight-platform stopped/);
  });

  test('plain HTTP is refused on a non-loopback address', () => {
    const r = cli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /refusing to serve plain HTTP on 0\.0\.0\.0.*--cert FILE --key FILE/);
    assert.equal(cli(['serve', '--cert', 'x', '--data-dir', dir]).status, 2);
    assert.equal(cli(['token', 'create', '--data-dir', dir]).status, 2);
    assert.equal(cli(['frobnicate']).status, 2);
  });

  test('with --cert and --key it serves HTTPS', async (t) => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const ssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    );
    if (ssl.error || ssl.status !== 0) {
      t.skip('openssl is not available to make a test certificate');
      return;
    }
    const srv = await serve(['--port', '0', '--data-dir', dir, '--cert', cert, '--key', key]);
    servers.push(srv);
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${srv.url}/api/discovery/agents/me`,
        { ca: readFileSync(cert) },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 401);
    assert.equal(await srv.stop(), 0);
  });
});
