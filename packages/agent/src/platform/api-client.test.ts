// Tests ApiClient against real loopback servers: the contract server (statuses, Retry-After,
// headers), TLS with and without the CA file, verification off (logged), a closed port, and an
// HTTPS_PROXY CONNECT proxy. Move to the reference platform: the 'contract' cases.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ApiClient, parseRetryAfter, PlatformHttpError } from './api-client.js';
import { createLogger, type LogFields } from '../log/logger.js';
import {
  startConnectProxy,
  startContractServer,
  type ContractServer,
} from './testdata/contract-server.js';
import { rejectsWithCode } from '../../../../test/support/errors.js';

const TOKEN = 'nst_' + 'T'.repeat(43);
const CA = readFileSync(new URL('./testdata/tls/ca.pem', import.meta.url), 'utf8');
const signal = () => new AbortController().signal;

function batch(seq: number, agentId = 'edge-01'): { key: string; body: Buffer } {
  const doc = { agentId, scanId: 's1', seq, final: false, hosts: [{ address: '198.18.0.1' }] };
  return { key: `${agentId}:s1:${seq}`, body: gzipSync(JSON.stringify(doc)) };
}

function memoryLog() {
  const lines: { level: string; msg: string; fields: LogFields }[] = [];
  const log = createLogger({
    enabled: () => true,
    write: (level, msg, fields) => lines.push({ level, msg, fields }),
  });
  return { log, lines };
}

describe('ApiClient against the contract server (move to the reference platform)', () => {
  let server: ContractServer;
  let client: ApiClient;
  before(async () => {
    server = await startContractServer({ tokens: { [TOKEN]: 'edge-01', other: 'edge-02' } });
    client = new ApiClient({
      apiBase: `${server.url}/api`,
      agentId: 'edge-01',
      token: TOKEN,
      tlsVerify: true,
    });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('me answers the agent document; every request carries the bearer token and agent id', async () => {
    const me = await client.me(signal());
    assert.equal(me.agentId, 'edge-01');
    assert.equal(me.platform?.protocol, 1);
    const req = server.requests.at(-1)!;
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req.headers['x-agent-id'], 'edge-01');
  });

  test('upload sends gzip with the Idempotency-Key; a repeat is acknowledged as duplicate', async () => {
    const b = batch(0);
    assert.deepEqual(await client.upload(b.key, b.body, signal()), {
      status: 200,
      accepted: 1,
      duplicate: false,
    });
    const req = server.requests.at(-1)!;
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['idempotency-key'], b.key);
    assert.equal((await client.upload(b.key, b.body, signal())).duplicate, true);
    assert.equal(server.stored.size, 1);
  });

  test('each error status maps to its code, keeping status, platform code and Retry-After', async () => {
    const cases: [number, string | undefined, string, number | null][] = [
      [400, undefined, 'ERR_UPLOAD_REJECTED', null],
      [413, undefined, 'ERR_UPLOAD_REJECTED', null],
      [408, undefined, 'ERR_PLATFORM_UNAVAILABLE', null],
      [429, '7', 'ERR_PLATFORM_UNAVAILABLE', 7000],
      [503, '2', 'ERR_PLATFORM_UNAVAILABLE', 2000],
      [500, undefined, 'ERR_PLATFORM_UNAVAILABLE', null],
    ];
    for (const [status, retryAfter, code, ms] of cases) {
      server.script.push({ status, ...(retryAfter ? { retryAfter } : {}) });
      const b = batch(10 + status);
      const err = await rejectsWithCode(client.upload(b.key, b.body, signal()), code, [TOKEN]);
      assert.ok(err instanceof PlatformHttpError);
      assert.equal(err.status, status);
      assert.equal(err.platformCode, 'scripted');
      assert.equal(err.retryAfterMs, ms, `${status}`);
    }
  });

  test('a wrong token is 401 and a token bound to another agent 403: ERR_PLATFORM_AUTH, never showing the token', async () => {
    const wrong = new ApiClient({
      apiBase: `${server.url}/api`,
      agentId: 'edge-01',
      token: 'nst_wrong_token_value',
      tlsVerify: true,
    });
    const err = await rejectsWithCode(wrong.me(signal()), 'ERR_PLATFORM_AUTH', [
      'nst_wrong_token_value',
    ]);
    assert.equal((err as PlatformHttpError).status, 401);
    wrong.close();
    const stolen = new ApiClient({
      apiBase: `${server.url}/api`,
      agentId: 'edge-01',
      token: 'other',
      tlsVerify: true,
    });
    const forbidden = await rejectsWithCode(stolen.me(signal()), 'ERR_PLATFORM_AUTH');
    assert.equal((forbidden as PlatformHttpError).status, 403);
    assert.match(forbidden.message, /another agent/);
    stolen.close();
  });

  test('a connection closed without an answer is ERR_UNREACHABLE', async () => {
    server.script.push({ status: 0, hangUp: true });
    const b = batch(99);
    await rejectsWithCode(client.upload(b.key, b.body, signal()), 'ERR_UNREACHABLE');
  });

  test('a key that does not match the body is refused as bad_request', async () => {
    const b = batch(5);
    const err = await rejectsWithCode(
      client.upload('edge-01:s1:6', b.body, signal()),
      'ERR_UPLOAD_REJECTED',
    );
    assert.match(err.message, /does not match/);
  });
});

test('a closed port is ERR_UNREACHABLE naming the URL', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new ApiClient({
    apiBase: `http://127.0.0.1:${port}/api`,
    agentId: 'a',
    token: TOKEN,
    tlsVerify: true,
  });
  const err = await rejectsWithCode(client.me(signal()), 'ERR_UNREACHABLE', [TOKEN]);
  assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}/api`));
  client.close();
});

test('a peer that accepts and stays silent is ERR_TIMEOUT naming the limit', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const client = new ApiClient({
    apiBase: `http://127.0.0.1:${port}/api`,
    agentId: 'a',
    token: TOKEN,
    tlsVerify: true,
    timeoutMs: 200,
  });
  try {
    const err = await rejectsWithCode(client.me(signal()), 'ERR_TIMEOUT');
    assert.match(err.message, /200 ms/);
  } finally {
    client.close();
    silent.close();
  }
});

describe('TLS and proxy', () => {
  let server: ContractServer;
  before(async () => {
    server = await startContractServer({ tokens: { [TOKEN]: 'edge-01' }, tls: true });
  });
  after(() => server.close());
  const base = () => `https://127.0.0.1:${server.port}/api`;

  test('an unknown CA fails verification with ERR_PROTOCOL suggesting --ca-file', async () => {
    const client = new ApiClient({
      apiBase: base(),
      agentId: 'edge-01',
      token: TOKEN,
      tlsVerify: true,
    });
    const err = await rejectsWithCode(client.me(signal()), 'ERR_PROTOCOL', [TOKEN]);
    assert.match(err.message, /--ca-file/);
    client.close();
  });

  test('the CA file makes the certificate verify', async () => {
    const client = new ApiClient({
      apiBase: base(),
      agentId: 'edge-01',
      token: TOKEN,
      tlsVerify: true,
      ca: CA,
    });
    assert.equal((await client.me(signal())).agentId, 'edge-01');
    client.close();
  });

  test('verification off connects and logs each new connection', async () => {
    const { log, lines } = memoryLog();
    const client = new ApiClient({
      apiBase: base(),
      agentId: 'edge-01',
      token: TOKEN,
      tlsVerify: false,
      log,
    });
    await client.me(signal());
    client.close();
    assert.ok(
      lines.some((l) => l.level === 'warn' && /TLS verification is off/.test(l.msg)),
      JSON.stringify(lines),
    );
  });

  test('HTTPS_PROXY tunnels through CONNECT with Basic credentials; NO_PROXY bypasses it', async () => {
    const proxy = await startConnectProxy({ auth: 'user:p@ss' });
    try {
      const via = new ApiClient({
        apiBase: base(),
        agentId: 'edge-01',
        token: TOKEN,
        tlsVerify: true,
        ca: CA,
        env: { HTTPS_PROXY: proxy.url.replace('//', '//user:p%40ss@') },
      });
      assert.equal((await via.me(signal())).agentId, 'edge-01');
      const b = batch(0);
      assert.equal((await via.upload(b.key, b.body, signal())).accepted, 1);
      via.close();
      assert.ok(proxy.tunnels.length >= 1);
      assert.equal(proxy.tunnels[0], `127.0.0.1:${server.port}`);

      const direct = new ApiClient({
        apiBase: base(),
        agentId: 'edge-01',
        token: TOKEN,
        tlsVerify: true,
        ca: CA,
        env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.0/8' },
      });
      const before = proxy.authHeaders.length;
      await direct.me(signal());
      direct.close();
      assert.equal(proxy.authHeaders.length, before, 'NO_PROXY: the proxy saw nothing');

      const refused = new ApiClient({
        apiBase: base(),
        agentId: 'edge-01',
        token: TOKEN,
        tlsVerify: true,
        ca: CA,
        env: { HTTPS_PROXY: proxy.url },
      });
      const err = await rejectsWithCode(refused.me(signal()), 'ERR_UNREACHABLE', [TOKEN]);
      assert.match(err.message, /refused the tunnel: 407/);
      refused.close();
    } finally {
      await proxy.close();
    }
  });
});

test('parseRetryAfter reads seconds and HTTP dates, capped at an hour', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  assert.equal(parseRetryAfter('5', now), 5000);
  assert.equal(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('99999', now), 3_600_000);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(undefined, now), null);
});
