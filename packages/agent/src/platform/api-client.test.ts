// Tests ApiClient against real loopback servers: the reference platform (packages/platform, in
// this process: the agent document, idempotent upload, 401/403, its own 400 and 413, TLS with and
// without the CA file, verification off, an HTTPS_PROXY CONNECT tunnel to it), and the contract
// server only for faults the platform cannot be made to produce on demand (408, 429 and 503 with
// Retry-After, a 500, a connection closed without an answer), a closed port and a silent peer.
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
import {
  platformHost,
  startReferencePlatform,
  type ReferencePlatform,
} from './testdata/reference-platform.js';
import { rejectsWithCode } from '../../../../test/support/errors.js';

const TOKEN = 'nst_' + 'T'.repeat(43);
const CA = readFileSync(new URL('./testdata/tls/ca.pem', import.meta.url), 'utf8');
const signal = () => new AbortController().signal;

function batch(
  seq: number,
  opts: { agentId?: string; hosts?: number; over?: Record<string, unknown> } = {},
): { key: string; body: Buffer } {
  const agentId = opts.agentId ?? 'edge-01';
  const hosts = Array.from({ length: opts.hosts ?? 1 }, (_, i) => platformHost(i + 1));
  const doc = { agentId, scanId: 's1', seq, final: false, hosts, ...opts.over };
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

describe('ApiClient against the reference platform', () => {
  let platform: ReferencePlatform;
  let client: ApiClient;
  const clientWith = (token: string) =>
    new ApiClient({
      apiBase: `${platform.url}/api`,
      agentId: 'edge-01',
      token,
      tlsVerify: true,
    });
  before(async () => {
    platform = await startReferencePlatform();
    client = clientWith(platform.agentToken);
  });
  after(async () => {
    client.close();
    await platform.close();
  });

  test('me answers the agent document; every request carries the bearer token and agent id', async () => {
    const me = await client.me(signal());
    assert.equal(me.agentId, 'edge-01');
    assert.equal(me.platform?.name, 'nopesight-platform');
    assert.equal(me.platform?.protocol, 1);
    const req = platform.requests.at(-1)!;
    assert.equal(req.headers.authorization, `Bearer ${platform.agentToken}`);
    assert.equal(req.headers['x-agent-id'], 'edge-01');
  });

  test('upload sends gzip with the Idempotency-Key; a repeat is acknowledged as duplicate', async () => {
    const b = batch(0);
    assert.deepEqual(await client.upload(b.key, b.body, signal()), {
      status: 200,
      accepted: 1,
      duplicate: false,
    });
    const req = platform.requests.at(-1)!;
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['idempotency-key'], b.key);
    assert.deepEqual(await client.upload(b.key, b.body, signal()), {
      status: 200,
      accepted: 0,
      duplicate: true,
    });
    const [scan] = await platform.scans();
    assert.equal(scan?.batchesReceived, 1);
    assert.equal(scan?.hosts, 1);
  });

  test('a wrong token is 401 and a token bound to another agent 403: ERR_PLATFORM_AUTH, never showing the token', async () => {
    const wrong = clientWith('nst_wrong_token_value');
    const err = await rejectsWithCode(wrong.me(signal()), 'ERR_PLATFORM_AUTH', [
      'nst_wrong_token_value',
    ]);
    assert.equal((err as PlatformHttpError).status, 401);
    assert.equal((err as PlatformHttpError).platformCode, 'unauthorized');
    wrong.close();
    const stolen = clientWith(platform.otherToken);
    const forbidden = await rejectsWithCode(stolen.me(signal()), 'ERR_PLATFORM_AUTH', [
      platform.otherToken,
    ]);
    assert.equal((forbidden as PlatformHttpError).status, 403);
    assert.match(forbidden.message, /another agent/);
    stolen.close();
  });

  test("the platform's own refusals are ERR_UPLOAD_REJECTED: a key that does not match the body (400), a bad record (400), 501 hosts (413)", async () => {
    const b = batch(5);
    const mismatch = await rejectsWithCode(
      client.upload('edge-01:s1:6', b.body, signal()),
      'ERR_UPLOAD_REJECTED',
    );
    assert.match(mismatch.message, /400 bad_request: .*does not match/);
    const bad = batch(7, { over: { hosts: [{ address: '198.18.0.1' }] } });
    const refused = await rejectsWithCode(
      client.upload(bad.key, bad.body, signal()),
      'ERR_UPLOAD_REJECTED',
    );
    assert.match(refused.message, /400 bad_request: hosts\[0\]/);
    const big = batch(8, { hosts: 501 });
    const tooLarge = await rejectsWithCode(
      client.upload(big.key, big.body, signal()),
      'ERR_UPLOAD_REJECTED',
    );
    assert.equal((tooLarge as PlatformHttpError).status, 413);
    assert.equal((tooLarge as PlatformHttpError).platformCode, 'too_large');
  });
});

// The reference platform answers 408, 429, 5xx and Retry-After only when it is really in trouble:
// a scripted server stands in for those.
describe('ApiClient against the contract server (faults the platform cannot be asked for)', () => {
  let server: ContractServer;
  let client: ApiClient;
  before(async () => {
    server = await startContractServer({ tokens: { [TOKEN]: 'edge-01' } });
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

  test('a connection closed without an answer is ERR_UNREACHABLE', async () => {
    server.script.push({ status: 0, hangUp: true });
    const b = batch(99);
    await rejectsWithCode(client.upload(b.key, b.body, signal()), 'ERR_UNREACHABLE');
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

describe('TLS and proxy, to the reference platform over HTTPS', () => {
  let server: ReferencePlatform;
  let token = '';
  before(async () => {
    server = await startReferencePlatform({ tls: true });
    token = server.agentToken;
  });
  after(() => server.close());
  const base = () => `https://127.0.0.1:${server.port}/api`;

  test('an unknown CA fails verification with ERR_PROTOCOL suggesting --ca-file', async () => {
    const client = new ApiClient({
      apiBase: base(),
      agentId: 'edge-01',
      token,
      tlsVerify: true,
    });
    const err = await rejectsWithCode(client.me(signal()), 'ERR_PROTOCOL', [token]);
    assert.match(err.message, /--ca-file/);
    client.close();
  });

  test('the CA file makes the certificate verify', async () => {
    const client = new ApiClient({
      apiBase: base(),
      agentId: 'edge-01',
      token,
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
      token,
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
        token,
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
        token,
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
        token,
        tlsVerify: true,
        ca: CA,
        env: { HTTPS_PROXY: proxy.url },
      });
      const err = await rejectsWithCode(refused.me(signal()), 'ERR_UNREACHABLE', [token]);
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
