// Tests `integration` and `uploads` and the scan's upload through the CLI, with testIo, against
// the reference platform (packages/platform in this process, on loopback): test connection, a
// scan's upload, a wrong token, a platform that is down. A refused batch that a retry then
// delivers needs an answer the platform cannot be asked for: the contract server scripts it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { testIo } from '../../../../../test/support/cli-io.js';
import {
  startContractServer,
  type ContractServer,
} from '../../platform/testdata/contract-server.js';
import {
  startReferencePlatform,
  type ReferencePlatform,
} from '../../platform/testdata/reference-platform.js';

/** The contract server's token (the platform makes its own). */
const TOKEN = 'nst_' + 'CliT0kenValue'.repeat(3);
const CA_FILE = new URL('../../platform/testdata/tls/ca.pem', import.meta.url).pathname;

/** Every file under `dir` that contains `secret`. */
function filesHolding(dir: string, secret: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => readFileSync(p).includes(secret));
}

describe('integration and uploads commands', () => {
  let platform: ReferencePlatform;
  let server: ContractServer;
  let dataDir = '';
  let peer: Server;
  let peerPort = 0;
  const run = async (args: string[], stdin?: string) => {
    const io = testIo({ env: { NOPESIGHT_DATA_DIR: dataDir }, ...(stdin ? { stdin } : {}) });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const add = (token = platform.agentToken, extra: string[] = [], url = platform.url) =>
    run(
      [
        'integration',
        'add',
        '--name',
        'lab',
        '--api-url',
        url,
        '--agent-id',
        'edge-01',
        '--stdin',
        ...extra,
      ],
      JSON.stringify({ apiToken: token }),
    );
  const status = async () => JSON.parse((await run(['uploads', 'status', '--json'])).out);
  const scan = (...extra: string[]) =>
    run([
      'scan',
      '127.0.0.1',
      '--ports',
      String(peerPort),
      '--protocols',
      'none',
      '--no-progress',
      '--no-dns',
      '--no-icmp',
      ...extra,
    ]);

  before(async () => {
    platform = await startReferencePlatform();
    server = await startContractServer({ tokens: { [TOKEN]: 'edge-01' } });
    dataDir = mkdtempSync(join(tmpdir(), 'nopesight-integration-cli-'));
    peer = createServer((s) => {
      s.on('error', () => undefined);
      s.end('SSH-2.0-OpenSSH_9.2p1 TestPeer\r\n');
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    peerPort = (peer.address() as { port: number }).port;
  });
  after(async () => {
    peer.close();
    await server.close();
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('help lists the contract options of both commands', async () => {
    const integration = await run(['integration', '--help']);
    for (const o of ['--name', '--api-url', '--agent-id', '--ws-url', '--ca-file', '--stdin']) {
      assert.ok(integration.out.includes(o), o);
    }
    const uploads = await run(['uploads', '--help']);
    for (const o of ['status', '--json', 'flush', 'retry']) assert.ok(uploads.out.includes(o), o);
    assert.match((await run(['--help'])).out, /integration[\s\S]*uploads/);
  });

  test('without an integration: show says so, test and flush are usage errors, status counts 0', async () => {
    assert.match((await run(['integration', 'show'])).out, /no integration configured/);
    const t = await run(['integration', 'test']);
    assert.equal(t.code, 2);
    assert.match(t.err, /ERR_CONFIG_INVALID: no integration/);
    assert.equal((await run(['uploads', 'flush'])).code, 2);
    const s = await status();
    assert.equal(s.pending, 0);
    assert.equal(s.deadLetters, 0);
    assert.equal(s.integration, null);
  });

  test('a scan without an integration uploads nothing and says nothing about it', async () => {
    const r = await scan();
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /upload/);
    assert.equal((await status()).pending, 0);
  });

  test('add refuses the token as an argument and bad input, before asking for anything', async () => {
    const asArg = await run(['integration', 'add', '--name', 'x', '--api-token', TOKEN]);
    assert.equal(asArg.code, 2);
    assert.match(asArg.err, /never an argument/);
    assert.ok(!asArg.err.includes(TOKEN));
    const badUrl = await run(
      [
        'integration',
        'add',
        '--name',
        'x',
        '--api-url',
        'http://cmdb.example.com',
        '--agent-id',
        'a',
        '--stdin',
      ],
      '{"apiToken":"x"}',
    );
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.err, /loopback/);
    const badJson = await run(
      ['integration', 'add', '--name', 'x', '--api-url', server.url, '--agent-id', 'a', '--stdin'],
      `{"apiToken": "${TOKEN}", "password": "y"}`,
    );
    assert.equal(badJson.code, 2);
    assert.ok(!badJson.err.includes(TOKEN));
    const noTty = await run([
      'integration',
      'add',
      '--name',
      'x',
      '--api-url',
      server.url,
      '--agent-id',
      'a',
    ]);
    assert.equal(noTty.code, 2);
    assert.match(noTty.err, /--stdin/);
  });

  test('add, show and test: show prints everything but the token; test reports the platform', async () => {
    const added = await add();
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /added integration 'lab'/);
    const shown = await run(['integration', 'show']);
    assert.match(shown.out, new RegExp(`${platform.url}/api`));
    assert.match(shown.out, /edge-01/);
    assert.match(shown.out, /set \(not shown\)/);
    const json = JSON.parse((await run(['integration', 'show', '--json'])).out);
    assert.equal(json.apiUrl, `${platform.url}/api`);
    assert.equal(json.wsUrl, `${platform.url.replace('http', 'ws')}/api/discovery/agents/ws`);
    assert.equal(json.tlsVerify, true);
    const t = await run(['integration', 'test']);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /connected to .* as agent edge-01 .*status online.*protocol 1/);
    const tj = JSON.parse((await run(['integration', 'test', '--json'])).out);
    assert.equal(tj.agent.agentId, 'edge-01');
  });

  test('a scan with the integration uploads its batches to the platform and exits 0', async () => {
    const r = await scan();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /upload: sent to 'lab' \(1 batch\)/);
    const scans = await platform.scans();
    assert.equal(scans.length, 1);
    assert.equal(scans[0]!.batchesReceived, 1);
    assert.equal(scans[0]!.hosts, 1);
    assert.equal(scans[0]!.state, 'completed');
    const cis = await platform.cis();
    assert.deepEqual(
      cis.map((c) => c.addresses),
      [['127.0.0.1']],
    );
    assert.equal((await status()).pending, 0);
    // --no-upload keeps it local.
    const local = await scan('--no-upload');
    assert.equal(local.code, 0);
    assert.equal((await platform.scans()).length, 1);
  });

  test('a wrong token: test fails with ERR_PLATFORM_AUTH, a scan keeps its batch, flush exits 1', async () => {
    const scansBefore = (await platform.scans()).length;
    assert.equal((await add('nst_wrong')).code, 0);
    const t = await run(['integration', 'test']);
    assert.equal(t.code, 1);
    assert.match(t.err, /ERR_PLATFORM_AUTH: the platform refused the token \(401 unauthorized/);
    const r = await scan();
    assert.equal(r.code, 0, 'an upload failure does not change the scan exit code');
    const lines = r.err.split('\n').filter((l) => l.startsWith('upload:'));
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0]!, /ERR_PLATFORM_AUTH.*1 batch kept in the outbox/);
    const f = await run(['uploads', 'flush']);
    assert.equal(f.code, 1);
    assert.match(f.err, /ERR_PLATFORM_AUTH/);
    const s = await status();
    assert.equal(s.pending, 1);
    assert.equal(s.deadLetters, 0);
    assert.match(s.lastError, /ERR_PLATFORM_AUTH/);
    assert.equal((await platform.scans()).length, scansBefore, 'the platform stored nothing');
    // With the right token the kept batch goes.
    assert.equal((await add()).code, 0);
    const ok = await run(['uploads', 'flush']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /sent 1 batch; pending 0; dead letters 0/);
    assert.equal((await platform.scans()).length, scansBefore + 1);
  });

  test('a refused batch becomes a dead letter: status shows it, retry resends it', async () => {
    assert.equal((await add(TOKEN, [], server.url)).code, 0);
    server.script.push({ status: 400 });
    const r = await scan();
    assert.equal(r.code, 0);
    assert.match(r.err, /upload: sent to 'lab' \(0 batches\); 1 dead letters/);
    const s = await status();
    assert.equal(s.deadLetters, 1);
    assert.equal(s.pending, 0);
    assert.match(s.deadLetterBatches[0].lastError, /ERR_UPLOAD_REJECTED/);
    const text = await run(['uploads', 'status']);
    assert.match(text.out, /dead letters: 1 \(resend with: nopesight-scanner uploads retry\)/);
    const key = s.deadLetterBatches[0].key as string;
    assert.equal((await run(['uploads', 'retry', 'edge-01:nope:0'])).code, 2);
    const retried = await run(['uploads', 'retry', key]);
    assert.equal(retried.code, 0, retried.err);
    assert.match(retried.out, /1 dead letter queued again/);
    assert.ok(server.stored.has(key));
    assert.equal((await status()).deadLetters, 0);
  });

  test('a platform that is down: the scan exits 0 with one line; flush later sends it', async () => {
    assert.equal((await add()).code, 0);
    const scansBefore = (await platform.scans()).length;
    await platform.close();
    try {
      const r = await scan();
      assert.equal(r.code, 0);
      assert.match(r.err, /upload: ERR_UNREACHABLE: .*1 batch kept in the outbox/);
      assert.equal((await status()).pending, 1);
      const f = await run(['uploads', 'flush', '--timeout-ms', '1']);
      assert.equal(f.code, 1);
      assert.equal((await status()).pending, 1);
    } finally {
      // A platform again (a new store, so a new token and port).
      platform = await startReferencePlatform();
    }
    assert.ok(scansBefore > 0);
    assert.equal((await add()).code, 0);
    const f = await run(['uploads', 'flush']);
    assert.equal(f.code, 0, f.err);
    assert.equal((await status()).pending, 0);
    const [kept] = await platform.scans();
    assert.equal(kept?.hosts, 1);
    assert.equal(kept?.state, 'completed');
  });

  test('TLS verification off is warned about and logged; a CA file is checked at add', async () => {
    const off = await add(platform.agentToken, ['--tls-verify', 'false']);
    assert.equal(off.code, 0);
    assert.match(off.err, /will not verify/);
    const missing = await add(platform.agentToken, ['--ca-file', '/nonexistent/ca.pem']);
    assert.equal(missing.code, 2);
    const ca = await add(platform.agentToken, ['--ca-file', CA_FILE]);
    assert.equal(ca.code, 0, ca.err);
    assert.equal(JSON.parse((await run(['integration', 'show', '--json'])).out).caFile, CA_FILE);
    const log = readFileSync(join(dataDir, 'logs', 'integrations.log'), 'utf8');
    assert.match(log, /TLS verification turned off/);
  });

  test('the tokens are in no file of the data directory, logs included', async () => {
    assert.deepEqual(filesHolding(dataDir, TOKEN), []);
    assert.deepEqual(filesHolding(dataDir, platform.agentToken), []);
    assert.ok(
      readFileSync(join(dataDir, 'logs', 'integrations.log'), 'utf8').includes('batch uploaded'),
    );
  });

  test('remove forgets the integration and keeps the outbox', async () => {
    const r = await run(['integration', 'remove']);
    assert.equal(r.code, 0);
    assert.match((await run(['integration', 'show'])).out, /no integration configured/);
    assert.equal((await run(['integration', 'remove'])).code, 2);
  });
});
