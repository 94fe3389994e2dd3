// The GUI server against its real routes on 127.0.0.1 with a temp data directory: the gate
// (token, cookie, CSRF, Host/Origin, content type, body cap, headers), each area's main flow and
// its validation errors, a scan of loopback listeners followed over the event stream (progress,
// host, finished; cancel), Test Connection against the reference platform and a dead port,
// logs, status with and without agent-state.json — and no secret in anything it sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_STATUSES } from '@nopesight/model';
import { runCli } from '../../../../../test/support/cli-io.js';
import { freePort } from '../../../../../test/support/ports.js';
import { dataDirLayout } from '../../config/data-dir.js';
import {
  startReferencePlatform,
  type ReferencePlatform,
} from '../../platform/testdata/reference-platform.js';
import type { RunResult, ServiceHost } from '../../service/manager.js';
import { runAgent } from '../../platform/agent-runtime.js';
import { openStore } from '../../store/index.js';
import { Vault } from '../../vault/vault.js';
import { CSP, startGuiServer, type GuiServer } from './gui-server.js';
import { GuiClient, raw, transcript, type EventStream } from './testdata/gui-client.js';

const SECRETS = {
  sshPassword: 'ssh-Pa55word-7c1e',
  community: 'c0mmunity-s3cret-91',
  authPassword: 'auth-Pa55-long-aa',
  privPassword: 'priv-Pa55-long-bb',
  wrongToken: 'nst_wrong_' + 'Q'.repeat(30),
  vcenterPassword: 'vc-Pa55-3d3d',
};

const root = mkdtempSync(join(tmpdir(), 'nopesight-gui-'));
const dataDir = join(root, 'data');
const staticDir = join(root, 'static');
mkdirSync(join(staticDir, 'server'), { recursive: true });
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>gui-test-index</title>');
writeFileSync(join(staticDir, 'app.js'), 'console.log("app")');
writeFileSync(join(staticDir, 'server', 'gui-server.js'), '// compiled server, never served');

/** What the fake machine of the service routes is: changed by the service test. */
let machine: { isRoot: boolean; systemdRunning: boolean; ran: string[][] } = {
  isRoot: false,
  systemdRunning: false,
  ran: [],
};
function fakeServiceHost(): ServiceHost {
  const ok: RunResult = { code: 0, stdout: 'Active: active (running)\n', stderr: '' };
  return {
    platform: 'linux',
    isRoot: machine.isRoot,
    systemdRunning: machine.systemdRunning,
    run: async (argv) => {
      machine.ran.push(argv);
      return ok;
    },
    writeFile: async () => undefined,
    removeFile: async () => undefined,
    ensureDataDir: async () => undefined,
    copyFile: async () => undefined,
  };
}

let gui: GuiServer;
let page: GuiClient;
let events: EventStream;
let platform: ReferencePlatform;
const listeners: Server[] = [];

async function listen(): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.end();
  });
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

before(async () => {
  // No ICMP (needs privileges the tests must not rely on) and no reverse DNS: loopback only.
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
  gui = await startGuiServer({
    dataDir,
    env: {},
    staticDir,
    serviceHost: fakeServiceHost,
    tickMs: 200,
  });
  page = new GuiClient(gui.port);
  const login = await page.login(gui.loginUrl);
  assert.equal(login.status, 303);
  events = await page.events();
  platform = await startReferencePlatform();
});

after(async () => {
  events?.close();
  await gui?.close();
  await platform?.close();
  for (const l of listeners) l.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the gate', () => {
  test('no cookie is 401 ERR_GUI_AUTH on /api and a page saying how to log in', async () => {
    const api = await raw(gui.port, { path: '/api/session' });
    assert.equal(api.status, 401);
    assert.equal(api.json().error.code, 'ERR_GUI_AUTH');
    const home = await raw(gui.port, { path: '/' });
    assert.equal(home.status, 401);
    assert.match(home.text, /nopesight-scanner gui/);
  });

  test('the token is used once: a second login with it is refused and sets no cookie', async () => {
    const again = await raw(gui.port, {
      path: new URL(gui.loginUrl).pathname + new URL(gui.loginUrl).search,
    });
    assert.equal(again.status, 401);
    assert.equal(again.headers['set-cookie'], undefined);
    const wrong = await raw(gui.port, { path: '/?token=not-the-token' });
    assert.equal(wrong.status, 401);
  });

  test('the login answer sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const other = await startGuiServer({
      dataDir,
      env: {},
      staticDir,
      serviceHost: fakeServiceHost,
    });
    try {
      const url = new URL(other.loginUrl);
      assert.match(url.searchParams.get('token')!, /^[A-Za-z0-9_-]{43}$/);
      const answer = await raw(other.port, { path: url.pathname + url.search });
      assert.equal(answer.status, 303);
      assert.equal(answer.headers.location, '/');
      assert.match(
        String(answer.headers['set-cookie']),
        /^nsg_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/,
      );
    } finally {
      await other.close();
    }
  });

  test('a foreign Host (DNS rebinding) is 421 and a foreign Origin 403, even with the cookie', async () => {
    const host = await raw(gui.port, {
      path: '/api/session',
      headers: { host: `evil.example:${gui.port}`, cookie: page.cookie },
    });
    assert.equal(host.status, 421);
    const localhost = await raw(gui.port, {
      path: '/api/session',
      headers: { host: `localhost:${gui.port}`, cookie: page.cookie },
    });
    assert.equal(localhost.status, 200);
    const origin = await raw(gui.port, {
      method: 'POST',
      path: '/api/scans',
      headers: {
        cookie: page.cookie,
        origin: 'http://evil.example',
        'x-nopesight-csrf': page.csrf,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(origin.status, 403);
  });

  test('changes need the CSRF header (403) and a JSON content type (415)', async () => {
    const noCsrf = await raw(gui.port, {
      method: 'POST',
      path: '/api/schedules',
      headers: { cookie: page.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json().error.code, 'ERR_GUI_CSRF');
    const form = await raw(gui.port, {
      method: 'POST',
      path: '/api/schedules',
      headers: {
        cookie: page.cookie,
        'x-nopesight-csrf': page.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=x',
    });
    assert.equal(form.status, 415);
    const del = await raw(gui.port, {
      method: 'DELETE',
      path: '/api/integration',
      headers: { cookie: page.cookie, 'content-type': 'application/json' },
    });
    assert.equal(del.status, 403);
  });

  test('a body over 64 KiB is 413; one that is not a JSON object is 400', async () => {
    const big = await page.call('POST', '/api/schedules', { name: 'x'.repeat(70 * 1024) });
    assert.equal(big.status, 413);
    const notJson = await raw(gui.port, {
      method: 'POST',
      path: '/api/schedules',
      headers: {
        cookie: page.cookie,
        'x-nopesight-csrf': page.csrf,
        'content-type': 'application/json',
      },
      body: '{"secret": ',
    });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json().error.code, 'ERR_GUI_BAD_REQUEST');
  });

  test('answers carry the CSP and safety headers; /api is no-store', async () => {
    const s = await page.call('GET', '/api/session');
    assert.equal(s.headers['content-security-policy'], CSP);
    assert.equal(s.headers['x-content-type-options'], 'nosniff');
    assert.equal(s.headers['referrer-policy'], 'no-referrer');
    assert.equal(s.headers['cache-control'], 'no-store');
  });

  test('the bundle is served with the cookie; the compiled server beside it never is', async () => {
    const index = await raw(gui.port, { path: '/', headers: { cookie: page.cookie } });
    assert.equal(index.status, 200);
    assert.match(index.text, /gui-test-index/);
    const route = await raw(gui.port, { path: '/scans', headers: { cookie: page.cookie } });
    assert.match(route.text, /gui-test-index/, 'app routes get index.html');
    const js = await raw(gui.port, { path: '/app.js', headers: { cookie: page.cookie } });
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    for (const path of [
      '/server/gui-server.js',
      '/../data/config.json',
      '/%2e%2e/data/config.json',
    ]) {
      const res = await raw(gui.port, { path, headers: { cookie: page.cookie } });
      assert.equal(res.status, 404, path);
    }
  });

  test('the server fails to start, naming npm run build, when the bundle is missing', async () => {
    await assert.rejects(
      startGuiServer({ dataDir, env: {}, staticDir: join(root, 'nothing') }),
      /npm run build/,
    );
  });
});

describe('session and integration', () => {
  test('GET /api/session gives version, data directory, CSRF and platform', async () => {
    const s = (await page.call('GET', '/api/session')).json();
    assert.equal(s.dataDir, dataDir);
    assert.equal(s.csrf, page.csrf);
    assert.equal(s.platform, process.platform);
    assert.match(s.version, /^\d+\.\d+\.\d+/);
  });

  test('integration: save, test against the reference platform, keep the token, refuse a bad one, remove', async () => {
    assert.deepEqual((await page.call('GET', '/api/integration')).json(), { integration: null });
    const noToken = await page.call('PUT', '/api/integration', {
      name: 'lab',
      apiUrl: platform.url,
      agentId: 'edge-01',
    });
    assert.equal(noToken.status, 400);
    assert.equal(noToken.json().error.field, 'token');
    const badUrl = await page.call('PUT', '/api/integration', {
      name: 'lab',
      apiUrl: 'ftp://x',
      agentId: 'edge-01',
      token: platform.agentToken,
    });
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.json().error.field, 'apiUrl');

    const saved = await page.call('PUT', '/api/integration', {
      name: 'lab',
      apiUrl: platform.url,
      agentId: 'edge-01',
      token: platform.agentToken,
    });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.json().integration.secretsSet, ['token']);
    assert.equal(saved.json().integration.apiUrl, `${platform.url}/api`);
    assert.equal(saved.json().integration.wsUrl, null);

    const ok = (await page.call('POST', '/api/integration/test')).json();
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(typeof ok.latencyMs, 'number');

    // An edit without a token keeps the stored one.
    const renamed = await page.call('PUT', '/api/integration', {
      name: 'lab two',
      apiUrl: platform.url,
      agentId: 'edge-01',
    });
    assert.equal(renamed.json().integration.name, 'lab two');
    assert.equal((await page.call('POST', '/api/integration/test')).json().ok, true);

    await page.call('PUT', '/api/integration', {
      name: 'lab',
      apiUrl: platform.url,
      agentId: 'edge-01',
      token: SECRETS.wrongToken,
    });
    const refused = (await page.call('POST', '/api/integration/test')).json();
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'ERR_PLATFORM_AUTH');

    assert.equal((await page.call('DELETE', '/api/integration')).status, 204);
    assert.equal((await page.call('DELETE', '/api/integration')).status, 404);
  });

  test('Test Connection against a dead port answers ok:false with the reason', async () => {
    const dead = await freePort();
    await page.call('PUT', '/api/integration', {
      name: 'dead',
      apiUrl: `http://127.0.0.1:${dead}`,
      agentId: 'edge-01',
      token: platform.agentToken,
    });
    const answer = (await page.call('POST', '/api/integration/test')).json();
    assert.equal(answer.ok, false);
    assert.match(answer.error.code, /^ERR_(PLATFORM_UNAVAILABLE|UNREACHABLE|PORT_CLOSED)$/);
    await page.call('DELETE', '/api/integration');
  });
});

describe('credentials', () => {
  test('windows remote execution: stored, shown, switched off on edit; checked like the CLI', async () => {
    const added = await page.call('POST', '/api/credentials', {
      kind: 'windows',
      name: 'win-exec',
      username: 'CORP\\admin',
      remoteExec: true,
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json().credential.remoteExec, true);
    const listed = (await page.call('GET', '/api/credentials')).json().credentials;
    assert.equal(listed.find((c: { name: string }) => c.name === 'win-exec').remoteExec, true);
    const log = (await page.call('GET', '/api/logs/app?lines=20')).json().lines;
    assert.ok(
      log.some(
        (l: Record<string, unknown>) =>
          l.msg === 'remote execution allowed for a credential' && l.name === 'win-exec',
      ),
      'the choice is logged as the CLI logs it',
    );
    const off = await page.call('PUT', '/api/credentials/win-exec', {
      kind: 'windows',
      username: 'CORP\\admin',
      remoteExec: false,
    });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json().credential.remoteExec, false);
    assert.deepEqual(off.json().credential.secretsSet, ['password'], 'the password was kept');

    const notBool = await page.call('POST', '/api/credentials', {
      kind: 'windows',
      name: 'win-bad',
      username: 'admin',
      remoteExec: 'yes',
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(notBool.status, 400);
    assert.equal(notBool.json().error.field, 'remoteExec');
    const onSsh = await page.call('POST', '/api/credentials', {
      kind: 'ssh',
      name: 'ssh-exec',
      username: 'root',
      remoteExec: true,
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(onSsh.status, 400);
    assert.equal(onSsh.json().error.field, 'remoteExec');
    assert.equal((await page.call('DELETE', '/api/credentials/win-exec')).status, 204);
  });

  test('add, list with secret names only, edit keeping secrets, move SNMP to v3, delete', async () => {
    const added = await page.call('POST', '/api/credentials', {
      kind: 'ssh',
      name: 'linux',
      username: 'root',
      port: 2222,
      sudo: 'nopasswd',
      scope: ['127.0.0.0/8'],
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(added.status, 201, added.text);
    assert.deepEqual(added.json().credential.secretsSet, ['password']);
    assert.equal(added.json().credential.port, 2222);

    const badPort = await page.call('POST', '/api/credentials', {
      kind: 'ssh',
      name: 'bad',
      username: 'root',
      port: 70000,
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(badPort.status, 400);
    assert.equal(badPort.json().error.field, 'port');
    const twice = await page.call('POST', '/api/credentials', {
      kind: 'ssh',
      name: 'LINUX',
      username: 'x',
      secrets: { password: SECRETS.sshPassword },
    });
    assert.equal(twice.status, 400);
    const noSecret = await page.call('POST', '/api/credentials', {
      kind: 'windows',
      name: 'w',
      username: 'CORP\\svc',
    });
    assert.equal(noSecret.status, 400);
    assert.equal(noSecret.json().error.field, 'secrets.password');

    const edited = await page.call('PUT', '/api/credentials/linux', {
      username: 'admin',
      secrets: { password: '' },
    });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.json().credential.username, 'admin');
    const vault = await Vault.open(dataDirLayout(dataDir));
    assert.equal(vault.unlock('linux').secrets.password, SECRETS.sshPassword, 'stored secret kept');

    const snmp = await page.call('POST', '/api/credentials', {
      kind: 'snmp',
      name: 'switches',
      snmpVersion: '2c',
      secrets: { community: SECRETS.community },
    });
    assert.deepEqual(snmp.json().credential.secretsSet, ['community']);
    const v3 = await page.call('PUT', '/api/credentials/switches', {
      snmpVersion: '3',
      username: 'monitor',
      securityLevel: 'authPriv',
      secrets: { authPassword: SECRETS.authPassword, privPassword: SECRETS.privPassword },
    });
    assert.equal(v3.status, 200, v3.text);
    assert.deepEqual(v3.json().credential.secretsSet, ['authPassword', 'privPassword']);
    assert.equal(v3.json().credential.snmpVersion, '3');

    const kind = await page.call('PUT', '/api/credentials/switches', { kind: 'ssh' });
    assert.equal(kind.status, 400);
    assert.equal((await page.call('PUT', '/api/credentials/nope', {})).status, 404);

    const list = (await page.call('GET', '/api/credentials')).json().credentials;
    assert.deepEqual(
      list.map((c: { name: string; kind: string }) => `${c.kind}:${c.name}`),
      ['ssh:linux', 'snmp:switches'],
    );
    assert.equal((await page.call('DELETE', '/api/credentials/switches')).status, 204);
    assert.equal((await page.call('DELETE', '/api/credentials/switches')).status, 404);
  });

  test('test against a host: a closed port gives a protocol status, a missing target a 400', async () => {
    const port = await freePort();
    await page.call('POST', '/api/credentials', {
      kind: 'vcenter',
      name: 'vc',
      username: 'administrator@vsphere.local',
      port,
      secrets: { password: SECRETS.vcenterPassword },
    });
    const missing = await page.call('POST', '/api/credentials/vc/test', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.json().error.field, 'target');
    const answer = await page.call('POST', '/api/credentials/vc/test', { target: '127.0.0.1' });
    assert.equal(answer.status, 200, answer.text);
    const result = answer.json();
    assert.equal(result.ok, false);
    assert.ok((PROTOCOL_STATUSES as readonly string[]).includes(result.status), result.status);
    assert.equal(typeof result.durationMs, 'number');
    assert.match(result.message, /^ERR_/);
    await page.call('DELETE', '/api/credentials/vc');
  });
});

describe('scans', () => {
  test('validation errors are 400 naming the bad token; nothing is written', async () => {
    const cases: [unknown, RegExp, string][] = [
      [{ targets: [] }, /targets/, 'ERR_CONFIG_INVALID'],
      [{ targets: ['1.2.3'] }, /1\.2\.3/, 'ERR_TARGET_INVALID'],
      [{ targets: ['@/etc/hosts'] }, /@\/etc\/hosts/, 'ERR_TARGET_INVALID'],
      [{ targets: ['127.0.0.1'], protocols: ['telnet'] }, /telnet/, 'ERR_CONFIG_INVALID'],
      [{ targets: ['127.0.0.1'], ports: '99999' }, /99999/, 'ERR_CONFIG_INVALID'],
      [{ targets: ['10.0.0.0/8'] }, /65,?536|allow-large|addresses/, 'ERR_TARGET_TOO_LARGE'],
    ];
    for (const [body, message, code] of cases) {
      const answer = await page.call('POST', '/api/scans', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json().error.code, code, JSON.stringify(body));
      assert.match(answer.json().error.message, message);
    }
    assert.deepEqual(readdirSync(join(dataDir, 'results')), []);
  });

  test('a scan of loopback listeners streams progress, hosts and the end, and is in the history', async () => {
    const [a, b] = [await listen(), await listen()];
    await page.call('PUT', '/api/integration', {
      name: 'lab',
      apiUrl: platform.url,
      agentId: 'edge-01',
      token: platform.agentToken,
    });
    const start = await page.call('POST', '/api/scans', {
      targets: ['127.0.0.1'],
      ports: `${a},${b}`,
      protocols: 'none',
    });
    assert.equal(start.status, 202, start.text);
    const { scanId } = start.json();
    const host = await events.next('scan.host', (d) => d.scanId === scanId);
    assert.equal(host.data.host.address, '127.0.0.1');
    assert.deepEqual(
      host.data.host.openPorts,
      [a, b].sort((x, y) => x - y),
    );
    const done = await events.next('scan.finished', (d) => d.scanId === scanId);
    assert.equal(done.data.summary.state, 'completed');
    assert.equal(done.data.summary.counts.alive, 1);
    assert.ok(events.received.some((e) => e.event === 'scan.progress' && e.data.scanId === scanId));

    const history = (await page.call('GET', '/api/scans?limit=5')).json();
    assert.equal(history.current, null);
    const row = history.scans.find((s: { scanId: string }) => s.scanId === scanId);
    assert.equal(row.source, 'gui');
    assert.equal(row.successRate, null, 'no protocol was tried');
    const detail = (await page.call('GET', `/api/scans/${scanId}`)).json();
    assert.equal(detail.scan.state, 'completed');
    assert.deepEqual(
      detail.hosts.map((h: { address: string }) => h.address),
      ['127.0.0.1'],
    );
    const record = (await page.call('GET', `/api/scans/${scanId}/hosts/127.0.0.1`)).json();
    assert.equal(record.host.address, '127.0.0.1');
    assert.ok(Array.isArray(record.host.discovery.openPorts));
    assert.equal((await page.call('GET', `/api/scans/${scanId}/hosts/127.0.0.9`)).status, 404);
    assert.equal((await page.call('GET', '/api/scans/not-a-scan')).status, 404);
    assert.equal((await page.call('GET', '/api/scans?limit=0')).status, 400);

    // With an integration the records went to the platform, as `scan` uploads them.
    const uploaded = await platform.scans();
    assert.ok(
      uploaded.some((s) => s.scanId === scanId),
      'the scan reached the platform',
    );
    await page.call('DELETE', '/api/integration');

    // A scan run by the CLI on the same data directory is in the history, marked as such.
    const cli = await runCli(dataDir, [
      'scan',
      '127.0.0.1',
      '--ports',
      String(a),
      '--protocols',
      'none',
      '--no-dns',
    ]);
    assert.equal(cli.code, 0, cli.err);
    const rows = (await page.call('GET', '/api/scans')).json().scans;
    assert.equal(rows[0].source, 'cli');
    assert.notEqual(rows[0].scanId, scanId);
  });

  test('one GUI scan at a time (409); cancel stops it and still writes what it found', async () => {
    const port = await listen();
    // Slow the sweep (20 probes/s over 512 probes) so the scan is still running when cancelled.
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({ scan: { icmp: false, rateLimitPps: 20 } }),
    );
    try {
      const start = await page.call('POST', '/api/scans', {
        targets: ['127.0.0.1', '127.0.1.0/24'],
        ports: `${port},${port + 1}`,
        protocols: 'none',
      });
      assert.equal(start.status, 202, start.text);
      const { scanId } = start.json();
      const busy = await page.call('POST', '/api/scans', {
        targets: ['127.0.0.1'],
        protocols: 'none',
      });
      assert.equal(busy.status, 409);
      assert.equal(busy.json().error.code, 'ERR_SCAN_RUNNING');
      const current = (await page.call('GET', '/api/scans')).json().current;
      assert.equal(current.scanId, scanId);
      const running = (await page.call('GET', `/api/scans/${scanId}`)).json();
      assert.equal(running.scan.state, 'running');
      assert.equal((await page.call('POST', '/api/scans/other-id/cancel')).status, 404);
      assert.equal((await page.call('POST', `/api/scans/${scanId}/cancel`)).status, 202);
      const done = await events.next('scan.finished', (d) => d.scanId === scanId);
      assert.equal(done.data.summary.state, 'cancelled');
      const doc = JSON.parse(readFileSync(join(dataDir, 'results', `${scanId}.json`), 'utf8'));
      assert.equal(doc.scan.state, 'cancelled');
    } finally {
      writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ scan: { icmp: false } }));
    }
  });
});

describe('schedules', () => {
  test('create, validate with fields, replace, disable/enable, run now, delete', async () => {
    const noTiming = await page.call('POST', '/api/schedules', {
      name: 'n',
      targets: ['127.0.0.1'],
    });
    assert.equal(noTiming.status, 400);
    assert.equal(noTiming.json().error.field, 'timing');
    const badClock = await page.call('POST', '/api/schedules', {
      name: 'n',
      targets: ['127.0.0.1'],
      daily: '25:00',
    });
    assert.equal(badClock.status, 400);
    assert.equal(badClock.json().error.field, 'daily');
    const badZone = await page.call('POST', '/api/schedules', {
      name: 'n',
      targets: ['127.0.0.1'],
      daily: '02:00',
      timezone: 'Mars/Olympus',
    });
    assert.equal(badZone.json().error.field, 'timezone');

    const created = await page.call('POST', '/api/schedules', {
      name: 'nightly',
      targets: ['127.0.0.1'],
      protocols: 'none',
      daily: '02:30',
      timezone: 'UTC',
      blackouts: ['08:00-18:00'],
    });
    assert.equal(created.status, 201, created.text);
    const s = created.json().schedule;
    assert.equal(s.enabled, true);
    assert.match(s.nextRunAt, /T02:30:00/);
    assert.equal(typeof s.timing, 'string');
    const dup = await page.call('POST', '/api/schedules', {
      name: 'nightly',
      targets: ['127.0.0.1'],
      daily: '03:00',
    });
    assert.equal(dup.status, 400);
    assert.equal(dup.json().error.field, 'name');

    const replaced = await page.call('PUT', '/api/schedules/nightly', {
      name: 'nightly',
      targets: ['127.0.0.1'],
      protocols: 'none',
      weekly: { days: ['mon', 'thu'], at: '22:00' },
      timezone: 'UTC',
    });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.json().schedule.weekly, { days: ['mon', 'thu'], at: '22:00' });
    assert.equal(replaced.json().schedule.id, s.id);

    const off = (await page.call('POST', '/api/schedules/nightly/disable')).json().schedule;
    assert.equal(off.enabled, false);
    assert.equal(off.nextRunAt, null);
    assert.equal(
      (await page.call('POST', `/api/schedules/${s.id}/enable`)).json().schedule.enabled,
      true,
    );

    const run = await page.call('POST', '/api/schedules/nightly/run-now');
    assert.equal(run.status, 202, run.text);
    assert.equal(run.json().ranIn, 'gui', 'no agent runs: the scan runs in the GUI');
    const done = await events.next('scan.finished', (d) => d.scanId === run.json().scanId);
    assert.equal(done.data.summary.state, 'completed');
    const after = await events.next('schedules', (d) =>
      d.schedules.some(
        (x: { lastRun: { outcome: string; scanId: string } | null }) =>
          x.lastRun?.outcome === 'finished' && x.lastRun.scanId === run.json().scanId,
      ),
    );
    assert.ok(after);
    const history = (await page.call('GET', '/api/scans')).json().scans;
    assert.equal(
      history.find((h: { scanId: string }) => h.scanId === run.json().scanId).source,
      'schedule',
    );

    assert.equal((await page.call('DELETE', '/api/schedules/nightly')).status, 204);
    assert.equal((await page.call('DELETE', '/api/schedules/nightly')).status, 404);
  });

  test('a schedule added by another process reaches the page as a schedules event', async () => {
    const store = openStore(dataDirLayout(dataDir));
    try {
      store.schedules.add({
        id: 'from-cli',
        name: 'from the CLI',
        everyHours: 6,
        targets: ['127.0.0.1'],
        enabled: true,
      });
    } finally {
      store.close();
    }
    const e = await events.next('schedules', (d) =>
      d.schedules.some((x: { id: string }) => x.id === 'from-cli'),
    );
    assert.ok(e.data.schedules.find((x: { id: string }) => x.id === 'from-cli').nextRunAt);
    assert.equal((await page.call('DELETE', '/api/schedules/from-cli')).status, 204);
  });
});

describe('service', () => {
  test('a machine that cannot manage services says why; preview works; actions are refused', async () => {
    machine = { isRoot: false, systemdRunning: false, ran: [] };
    const s = (await page.call('GET', '/api/service')).json();
    assert.equal(s.manager, 'systemd');
    assert.equal(s.canManage, false);
    assert.match(s.reason, /systemd is not running/);
    assert.equal(s.reasonCode, 'ERR_NOT_SUPPORTED', 'the page tells "no manager" from "not root"');
    assert.equal(s.running, null);
    const preview = (await page.call('GET', '/api/service/preview')).json();
    assert.match(preview.definition, /ExecStart=.* daemon --data-dir /);
    assert.ok(preview.definition.includes(dataDir));
    const install = await page.call('POST', '/api/service/install');
    assert.equal(install.status, 409);
    assert.equal(install.json().error.code, 'ERR_NOT_SUPPORTED');
    machine.systemdRunning = true;
    const view = (await page.call('GET', '/api/service')).json();
    assert.deepEqual([view.canManage, view.reasonCode], [false, 'ERR_ACCESS_DENIED']);
    assert.equal(typeof view.running, 'boolean', 'status still works without root');
    const notRoot = await page.call('POST', '/api/service/start');
    assert.equal(notRoot.json().error.code, 'ERR_ACCESS_DENIED');
    assert.deepEqual(
      machine.ran.filter((a) => a[1] !== 'status'),
      [],
      'nothing was run',
    );
  });

  test('where it can, start runs the manager steps and status reads the system', async () => {
    machine = { isRoot: true, systemdRunning: true, ran: [] };
    const s = (await page.call('GET', '/api/service')).json();
    assert.equal(s.canManage, true);
    assert.equal(s.running, true);
    const start = await page.call('POST', '/api/service/start');
    assert.equal(start.status, 200, start.text);
    assert.deepEqual(machine.ran.at(-1), ['systemctl', 'start', 'nopesight-scanner.service']);
  });
});

describe('status and logs', () => {
  test('status without agent-state.json, then with a stopped agent', async () => {
    const none = (await page.call('GET', '/api/status')).json();
    assert.equal(none.agent, null);
    assert.equal(none.channel, null);
    assert.equal(typeof none.metrics.memory.rssBytes, 'number');
    assert.equal(none.outbox.pending, 0);
    assert.ok(none.scans.total >= 2);
    writeFileSync(
      join(dataDir, 'agent-state.json'),
      JSON.stringify({
        pid: 999_999,
        startedAt: '2026-01-01T00:00:00.000Z',
        agentId: 'edge-01',
        channel: {
          state: 'stopped',
          since: '2026-01-01T00:00:00.000Z',
          url: 'ws://x',
          connects: 0,
          lastError: null,
          retryAt: null,
          heartbeatIntervalMs: 30000,
          localAddress: null,
        },
        uploads: { lastDrainAt: null, pending: 0, deadLetters: 0, error: null },
        stoppedAt: '2026-01-01T01:00:00.000Z',
      }),
    );
    const stopped = (await page.call('GET', '/api/status')).json();
    assert.equal(stopped.agent.agentId, 'edge-01');
    assert.equal(stopped.agent.running, false);
    assert.equal(stopped.channel, null);
    const e = await events.next('status', (d) => d.agent?.agentId === 'edge-01');
    assert.equal(e.data.agent.running, false);
  });

  test('logs: the last lines parsed, bounds checked, and new lines as events', async () => {
    const app = (await page.call('GET', '/api/logs/app?lines=3')).json();
    assert.ok(app.lines.length > 0 && app.lines.length <= 3);
    assert.equal(typeof app.lines[0].msg, 'string');
    assert.equal((await page.call('GET', '/api/logs/secrets')).status, 404);
    assert.equal((await page.call('GET', '/api/logs/app?lines=2001')).status, 400);
    await page.call('POST', '/api/credentials', {
      kind: 'windows',
      name: 'logged',
      username: 'CORP\\svc',
      secrets: { password: SECRETS.sshPassword },
    });
    const line = await events.next(
      'log',
      (d) => d.name === 'app' && d.entry.msg === 'credential added' && d.entry.name === 'logged',
    );
    assert.equal(line.data.entry.level, 'info');
  });
});

describe('run-now with a running agent', () => {
  test('Run now is handed to the running agent: it answers its scan id, ranIn daemon', async () => {
    const port = await listen();
    const created = await page.call('POST', '/api/schedules', {
      name: 'handed',
      targets: ['127.0.0.1'],
      protocols: 'none',
      ports: `T:${port}`,
      daily: '02:30',
      timezone: 'UTC',
    });
    assert.equal(created.status, 201, created.text);
    const controller = new AbortController();
    const agent = runAgent({
      dataDir,
      env: {},
      signal: controller.signal,
      schedulerWatchMs: 250,
      drainIntervalMs: 60_000,
    });
    try {
      // Until the agent's state file says it runs (bounded; a generous limit, not a timing).
      for (let i = 0; i < 600; i++) {
        if ((await page.call('GET', '/api/status')).json().agent?.running === true) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const run = await page.call('POST', '/api/schedules/handed/run-now');
      assert.equal(run.status, 202, run.text);
      const answer = run.json();
      assert.equal(answer.ranIn, 'daemon');
      assert.equal(answer.agentPid, process.pid);
      assert.match(answer.scanId, /^[0-9a-f-]{36}$/);
      const scans = (await page.call('GET', '/api/scans')).json();
      assert.equal(scans.current, null, 'nothing runs in the GUI');
      // The agent runs it (not this GUI), recorded as the schedule's scan.
      const store = openStore(dataDirLayout(dataDir));
      try {
        assert.deepEqual(store.scans.get(answer.scanId)?.source, {
          kind: 'schedule',
          scheduleId: created.json().schedule.id,
          scheduleName: 'handed',
        });
      } finally {
        store.close();
      }
      const log = await page.call('GET', '/api/logs/scheduler?lines=50');
      assert.ok(
        log
          .json()
          .lines.some(
            (l: Record<string, unknown>) =>
              l.msg === 'schedule run started' &&
              l.requestedBy === 'gui' &&
              l.scanId === answer.scanId,
          ),
        'the agent logged the run as asked by the GUI',
      );
    } finally {
      controller.abort();
      await agent;
    }
    // With the agent gone, Run now runs here again.
    const here = await page.call('POST', '/api/schedules/handed/run-now');
    assert.equal(here.status, 202, here.text);
    assert.equal(here.json().ranIn, 'gui');
    await events.next('scan.finished', (d) => d.scanId === here.json().scanId);
    assert.equal((await page.call('DELETE', '/api/schedules/handed')).status, 204);
  });
});

describe('secrets', () => {
  test('no answer, event or log line holds a secret that was entered', async () => {
    const everything = transcript.join('\n');
    const logs = readdirSync(join(dataDir, 'logs'))
      .map((f) => readFileSync(join(dataDir, 'logs', f), 'utf8'))
      .join('\n');
    for (const [name, secret] of Object.entries({
      ...SECRETS,
      platformToken: platform.agentToken,
    })) {
      assert.ok(!everything.includes(secret), `${name} was sent to the page`);
      assert.ok(!logs.includes(secret), `${name} is in a log`);
    }
    assert.ok(transcript.length > 50, 'the transcript holds the tests’ traffic');
  });
});
