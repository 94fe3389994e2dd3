// Tests the Uploader's rules over a real store, with an injected clock and sleep (no real
// waiting): what each answer does to the outbox, backoff and Retry-After, the bounds. Sending and
// a refused token run against the reference platform (packages/platform, in this process); the
// answers it cannot be asked for (scripted 400/413 that a retry then accepts, 429/5xx with
// Retry-After, a hang-up) come from the contract server.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, PlatformHttpError } from './api-client.js';
import {
  backoffDelay,
  classify,
  DEFAULT_BACKOFF,
  Uploader,
  type DrainOptions,
} from './uploader.js';
import { nullLogger } from '../log/logger.js';
import { openStore, type Store } from '../store/index.js';
import { ScannerError } from '../errors.js';
import { startContractServer, type ContractServer } from './testdata/contract-server.js';
import {
  platformHost,
  startReferencePlatform,
  type ReferencePlatform,
} from './testdata/reference-platform.js';
import { recordScan } from './testdata/scan-fixtures.js';

const TOKEN = 'nst_uploader_test_token';

test('backoffDelay doubles per failure within [half, full], caps, and never undercuts Retry-After', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  assert.equal(
    backoffDelay(1, policy, () => 0),
    500,
  );
  assert.equal(
    backoffDelay(1, policy, () => 1),
    1000,
  );
  assert.equal(
    backoffDelay(4, policy, () => 0),
    4000,
  );
  assert.equal(
    backoffDelay(4, policy, () => 1),
    8000,
  );
  assert.equal(
    backoffDelay(40, policy, () => 1),
    60_000,
  );
  assert.equal(
    backoffDelay(1, policy, () => 0, 30_000),
    30_000,
  );
  assert.equal(
    backoffDelay(5, DEFAULT_BACKOFF, () => 0.5),
    12_000,
  );
});

test('classify sorts errors as the contract says', () => {
  const http = (status: number) =>
    new PlatformHttpError('ERR_PLATFORM_UNAVAILABLE', 'x', status, null, null);
  const table: [number, string][] = [
    [400, 'dead'],
    [413, 'dead'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'transient'],
    [408, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [503, 'transient'],
  ];
  for (const [status, want] of table) assert.equal(classify(http(status)), want, `${status}`);
  assert.equal(classify(new ScannerError('ERR_UNREACHABLE', 'x')), 'transient');
  assert.equal(classify(new ScannerError('ERR_TIMEOUT', 'x')), 'transient');
  assert.equal(classify(new Error('bug')), 'transient');
});

describe('Uploader drain', () => {
  let server: ContractServer;
  let platform: ReferencePlatform;
  let dir: string;
  let store: Store;
  let client: ApiClient;
  const clock = { t: Date.parse('2026-11-29T10:00:00Z') };
  const sleeps: number[] = [];
  const uploader = (sender: ApiClient = client) =>
    new Uploader({
      outbox: store.outbox,
      sender,
      log: nullLogger(),
      now: () => clock.t,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.t += ms;
      },
    });
  const opts = (o: Partial<DrainOptions> = {}): DrainOptions => ({
    signal: new AbortController().signal,
    budgetMs: 600_000,
    maxConsecutiveFailures: 5,
    ...o,
  });
  const queueScan = (scanId: string, hosts: number) =>
    recordScan(store, scanId, hosts, platformHost);
  const platformClient = (token = platform.agentToken) =>
    new ApiClient({ apiBase: `${platform.url}/api`, agentId: 'edge-01', token, tlsVerify: true });

  before(async () => {
    server = await startContractServer({ tokens: { [TOKEN]: 'edge-01' } });
    platform = await startReferencePlatform();
  });
  after(async () => {
    await server.close();
    await platform.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nopesight-uploader-'));
    store = openStore({ databaseFile: join(dir, 'scanner.db') }, () => new Date(clock.t));
    client = new ApiClient({
      apiBase: `${server.url}/api`,
      agentId: 'edge-01',
      token: TOKEN,
      tlsVerify: true,
    });
    server.script.length = 0;
    server.stored.clear();
    server.arrivals.clear();
    sleeps.length = 0;
  });
  afterEach(() => {
    client.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('drain sends everything to the platform: 2xx and duplicates leave the outbox', async () => {
    queueScan('s1', 1200);
    const sender = platformClient();
    try {
      // One batch was stored earlier (a crash after the platform stored it): a duplicate.
      const first = store.outbox.get('edge-01:s1:0')!;
      await sender.upload(first.key, first.body, new AbortController().signal);
      const r = await uploader(sender).drain(opts());
      assert.equal(r.stoppedBy, 'empty');
      assert.equal(r.sent, 3);
      assert.equal(r.duplicates, 1);
      assert.equal(r.pending, 0);
    } finally {
      sender.close();
    }
    const scan = (await platform.scans()).find((x) => x.scanId === 's1');
    assert.equal(scan?.batchesReceived, 3);
    assert.equal(scan?.batchesExpected, 3);
    assert.equal(scan?.hosts, 1200, 'each batch stored once');
    assert.equal(scan?.state, 'completed');
    assert.equal(scan?.summary?.scanId, 's1');
    const addresses = new Set((await platform.cis()).flatMap((c) => c.addresses));
    for (let i = 0; i < 1200; i++) assert.ok(addresses.has(platformHost(i).address), `host ${i}`);
  });

  test('400 and 413 make dead letters and the drain goes on with the next batch', async () => {
    queueScan('s2', 1200);
    server.script.push({ status: 400 }, { status: 413 });
    const r = await uploader().drain(opts());
    assert.equal(r.deadLettered, 2);
    assert.equal(r.deadLetters, 2);
    assert.equal(r.sent, 1);
    assert.equal(r.pending, 0);
    assert.equal(r.stoppedBy, 'empty');
    const dead = store.outbox.list('dead');
    assert.deepEqual(
      dead.map((d) => d.key),
      ['edge-01:s2:0', 'edge-01:s2:1'],
    );
    assert.match(dead[0]!.lastError ?? '', /ERR_UPLOAD_REJECTED: .*400/);
    // Retried, they go.
    store.outbox.retryDead();
    const again = await uploader().drain(opts());
    assert.equal(again.sent, 2);
    assert.equal(again.deadLetters, 0);
  });

  test("the platform's 401 stops the drain at once and keeps every batch, due for the next drain", async () => {
    queueScan('s3', 600);
    const sender = platformClient('nst_not_a_token_of_this_platform');
    try {
      const r = await uploader(sender).drain(opts());
      assert.equal(r.stoppedBy, 'auth');
      assert.equal(r.lastError?.code, 'ERR_PLATFORM_AUTH');
      assert.match(r.lastError?.message ?? '', /401 unauthorized/);
      assert.equal(r.pending, 2);
    } finally {
      sender.close();
    }
    assert.equal(store.outbox.nextDue(clock.t)?.key, 'edge-01:s3:0');
    assert.deepEqual(sleeps, []);
    assert.equal(
      (await platform.scans()).find((x) => x.scanId === 's3'),
      undefined,
      'nothing stored',
    );
  });

  test('5xx and 429 back off with jitter, honour Retry-After, and then send', async () => {
    queueScan('s4', 10);
    server.script.push({ status: 503 }, { status: 429, retryAfter: '30' }, { status: 500 });
    const r = await uploader().drain(opts());
    assert.equal(r.stoppedBy, 'empty');
    assert.equal(r.sent, 1);
    // random 0.5 → 0.75 of the exponential step: 750, 1500 (but Retry-After 30 s), 3000.
    assert.deepEqual(sleeps, [750, 30_000, 3000]);
    assert.equal(server.stored.size, 1);
  });

  test('a platform that keeps failing ends the drain after maxConsecutiveFailures; nothing is lost', async () => {
    queueScan('s5', 700);
    for (let i = 0; i < 10; i++) server.script.push({ status: 502 });
    const r = await uploader().drain(opts({ maxConsecutiveFailures: 3 }));
    assert.equal(r.stoppedBy, 'failures');
    assert.equal(r.pending, 2);
    assert.equal(sleeps.length, 2, 'waits between failures, not after the last');
    // One failure per request: the other batch was not hammered meanwhile.
    assert.equal(server.script.length, 7);
  });

  test('a scan-style drain (one failure, short budget) never waits', async () => {
    queueScan('s6', 1);
    server.script.push({ hangUp: true, status: 0 });
    const r = await uploader().drain(opts({ maxConsecutiveFailures: 1, budgetMs: 15_000 }));
    assert.equal(r.stoppedBy, 'failures');
    assert.equal(r.lastError?.code, 'ERR_UNREACHABLE');
    assert.deepEqual(sleeps, []);
    assert.equal(store.outbox.counts().pending, 1);
  });

  test('a backoff beyond the budget ends the drain instead of waiting', async () => {
    queueScan('s7', 1);
    server.script.push({ status: 503, retryAfter: '3600' });
    const r = await uploader().drain(opts({ budgetMs: 60_000 }));
    assert.equal(r.stoppedBy, 'failures');
    assert.deepEqual(sleeps, []);
    assert.equal(store.outbox.get('edge-01:s7:0')!.nextAttemptAt, clock.t + 3_600_000);
  });

  test('an aborted signal stops before sending', async () => {
    queueScan('s8', 1);
    const controller = new AbortController();
    controller.abort();
    const r = await uploader().drain(opts({ signal: controller.signal }));
    assert.equal(r.stoppedBy, 'aborted');
    assert.equal(r.pending, 1);
    assert.equal(server.arrivals.size, 0);
  });
});
