// The web UI in headless Chromium (Debian's chromium, driven by playwright-core) against the real
// `nopesight-platform serve`: tokens from its CLI, the agent's own control channel
// (packages/agent/src/platform/control-channel.ts) over a real WebSocket, an upload with fetch +
// gzip. The operator logs in, sees the agent online, starts a
// scan from the form and sees the agent scanning, edits its schedules, reads a CI's collections
// (and a hostile CI rendered as text), and exports the scan logs as CSV.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ControlChannel, type ChannelState } from '../../../agent/src/platform/control-channel.js';
import { nullLogger } from '../../../agent/src/log/logger.js';
import { batch, hostRecord, type BatchBody } from '../testing/fixtures.js';
import { buildPlatform, runCli, startServe, type ServeProcess } from '../testing/serve-process.js';

const CHROMIUM = '/usr/bin/chromium';
const WAIT_MS = 20_000;
const HOSTILE = `<script>globalThis.__xss = 1</script><img src=x onerror="globalThis.__xss = 2">"'&amp;`;

interface Storageful {
  sessionStorage: { getItem(key: string): string | null };
}

const METRICS = {
  cpuPercent: 3.5,
  memory: { rssBytes: 83_886_080, totalBytes: 8_589_934_592, freeBytes: 4_294_967_296 },
  diskFreeBytes: 53_687_091_200,
  localIp: '192.0.2.5',
  scans: { completed: 4, failed: 1, successRate: 0.8 },
  outboxDepth: 0,
  deadLetters: 0,
  uptimeSeconds: 7260,
};

/**
 * The agent side: the agent's own ControlChannel (hello, heartbeats at the interval the platform
 * asks for, one reply per request) with handlers that record what the platform asked instead of
 * scanning: a scan.start answers a scanId and turns the heartbeat status to `scanning`.
 */
class TestAgent {
  status: 'idle' | 'scanning' = 'idle';
  schedules: Record<string, unknown>[] = [
    { id: 'nightly', name: 'nightly', cron: '0 2 * * *', targets: ['192.0.2.0/24'], enabled: true },
  ];
  readonly #received: { type: string; payload: Record<string, unknown> }[] = [];
  readonly #waiters: { type: string; resolve: (p: Record<string, unknown>) => void }[] = [];
  readonly #stop = new AbortController();
  readonly #channel: ControlChannel;
  #running: Promise<void> | null = null;
  #onState: (st: ChannelState) => void = () => undefined;

  constructor(url: string, agentId: string, token: string) {
    const record = (type: string, payload: Record<string, unknown>) => {
      const w = this.#waiters.findIndex((x) => x.type === type);
      if (w >= 0) this.#waiters.splice(w, 1)[0]!.resolve(payload);
      else this.#received.push({ type, payload });
    };
    this.#channel = new ControlChannel({
      url,
      agentId,
      token,
      tlsVerify: true,
      log: nullLogger(),
      onStateChange: (st) => this.#onState(st),
      hello: () => ({
        agentId,
        version: '0.1.0',
        hostname: 'edge-host',
        os: { family: 'linux', name: 'Debian GNU/Linux', version: '12' },
        protocol: 1,
        capabilities: ['scan', 'schedules', 'metrics', 'config', 'logs'],
      }),
      heartbeat: async () => ({ status: this.status, metrics: METRICS }),
      handlers: {
        'scan.start': (payload) => {
          record('scan.start', payload);
          this.status = 'scanning';
          this.#channel.heartbeatNow();
          return { scanId: 'scan-ui-1' };
        },
        'schedules.get': () => ({ schedules: this.schedules }),
        'schedules.put': (payload) => {
          record('schedules.put', payload);
          this.schedules = payload.schedules as Record<string, unknown>[];
          return { schedules: this.schedules };
        },
      },
    });
  }

  /** Runs the channel; resolves once the platform has answered its hello, rejects if it fails. */
  start(): Promise<void> {
    const up = new Promise<void>((resolve, reject) => {
      this.#onState = (st) => {
        if (st.state === 'connected') resolve();
        else if (st.state === 'waiting') reject(new Error(`control channel: ${st.lastError}`));
      };
    });
    this.#running = this.#channel.run(this.#stop.signal);
    return up;
  }

  /** The payload of the next request of `type` the platform sent (waits for it). */
  next(type: string): Promise<Record<string, unknown>> {
    const i = this.#received.findIndex((r) => r.type === type);
    if (i >= 0) return Promise.resolve(this.#received.splice(i, 1)[0]!.payload);
    return new Promise((resolve) => this.#waiters.push({ type, resolve }));
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}

/** A host with the collections the CI page shows. */
function inventoriedHost() {
  return hostRecord({
    address: '192.0.2.20',
    hostname: 'web-01',
    domain: null,
    serial: 'CZ2942036K',
    sections: {
      os: { state: 'complete', data: { name: 'Debian GNU/Linux', version: '12', family: 'linux' } },
      software: {
        state: 'complete',
        data: [
          { name: 'openssh-server', version: '1:9.2p1-2+deb12u3', arch: 'amd64', manager: 'dpkg' },
          { name: 'nginx', version: '1.22.1-9', arch: 'amd64', manager: 'dpkg' },
        ],
      },
      connections: {
        state: 'partial',
        data: [
          {
            proto: 'tcp',
            localAddress: '192.0.2.20',
            localPort: 443,
            remoteAddress: '198.51.100.7',
            remotePort: 50514,
            state: 'ESTABLISHED',
            process: 'nginx',
          },
        ],
      },
    },
    relationships: [
      {
        type: 'connected_to',
        target: '198.51.100.7',
        evidence: { source: 'ssh', localPort: 443, remotePort: 50514 },
      },
    ],
  });
}

function hostileHost() {
  const h = hostRecord({
    address: '192.0.2.66',
    hostname: HOSTILE,
    domain: null,
    serial: 'HOSTILE-0001',
    sections: { system: { state: 'complete', data: { description: HOSTILE } } },
  });
  h.discovery.snmpSysDescr = HOSTILE;
  return h;
}

describe(
  'web UI in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium)` },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'nopesight-platform-ui-'));
    let srv: ServeProcess;
    let browser: Browser;
    let page: Page;
    let admin: string;
    let agentToken: string;
    let agent: TestAgent;
    const requested: string[] = [];
    const pageErrors: string[] = [];

    const cli = (args: string[]) => {
      const r = runCli([...args, '--data-dir', dir], { DATABASE_URL: '' });
      assert.equal(r.status, 0, r.stderr);
      return r.last;
    };
    const visible = (selector: string) =>
      page.locator(selector).first().waitFor({ state: 'visible', timeout: WAIT_MS });

    before(async () => {
      buildPlatform();
      admin = cli(['token', 'create', '--name', 'ops', '--role', 'admin']);
      agentToken = cli(['token', 'create', '--name', 'edge', '--agent-id', 'edge-01']);
      srv = await startServe(
        ['--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--heartbeat-interval', '2000'],
        { DATABASE_URL: '' },
      );
      agent = new TestAgent(
        `${srv.url.replace(/^http/, 'ws')}/api/discovery/agents/ws`,
        'edge-01',
        agentToken,
      );
      await agent.start();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox'],
        headless: true,
      });
      const context = await browser.newContext({ acceptDownloads: true });
      page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.on('request', (r) => requested.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/.test(m.text())) {
          pageErrors.push(m.text());
        }
      });
    });

    after(async () => {
      await browser?.close();
      await agent?.stop();
      await srv?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('login refuses a wrong or non-admin token, then shows the agent online', async () => {
      await page.goto(`${srv.url}/`);
      assert.equal(new URL(page.url()).pathname, '/ui/');
      for (const [token, says] of [
        ['nst_not-a-real-token', /does not know this token/],
        [agentToken, /not an admin token/],
      ] as const) {
        await page.fill('#token', token);
        await page.click('form.login button[type=submit]');
        await page.locator('form.login .error', { hasText: says }).waitFor();
      }
      await page.fill('#token', admin);
      await page.click('form.login button[type=submit]');
      await visible('tr[data-agent-id="edge-01"] .status .badge[data-status="online"]');
      const row = page.locator('tr[data-agent-id="edge-01"]');
      const text = (await row.textContent()) ?? '';
      assert.match(text, /edge-host/);
      assert.match(text, /CPU 3\.5 %/);
      assert.match(text, /RSS 80\.0 MiB/);
      assert.match(text, /192\.0\.2\.5/);
      assert.match(text, /\d+ s ago/);
      assert.ok(await row.locator('.quality .badge').count(), 'connection quality shown');
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as Storageful).sessionStorage.getItem('nopesight.adminToken'),
        ),
        admin,
      );
    });

    test('a scan started from the form reaches the agent, which then shows scanning', async () => {
      await page.click('tr[data-agent-id="edge-01"] a');
      await visible('form.scan-form');
      await page.fill('form.scan-form textarea[name=targets]', '192.0.2.0/28, 192.0.2.20');
      await page.fill('form.scan-form input[name=excludes]', '192.0.2.1');
      await page.check('form.scan-form input[name=protocol][value=ssh]');
      await page.check('form.scan-form input[name=protocol][value=snmp]');
      await page.fill('form.scan-form input[name=ports]', '22,161');
      await page.click('form.scan-form button[type=submit]');
      await visible('form.scan-form [data-result="ok"]');
      assert.match((await page.textContent('form.scan-form output')) ?? '', /scan-ui-1 started/);
      assert.deepEqual(await agent.next('scan.start'), {
        targets: ['192.0.2.0/28', '192.0.2.20'],
        excludes: ['192.0.2.1'],
        protocols: ['ssh', 'snmp'],
        ports: '22,161',
      });
      await visible('.summary .badge[data-status="scanning"]');
      await page.click('nav a[data-route=agents]');
      await visible('tr[data-agent-id="edge-01"] .status .badge[data-status="scanning"]');
    });

    test('the schedules editor loads the agent’s schedules and saves an added one', async () => {
      await page.click('tr[data-agent-id="edge-01"] a');
      await visible('.schedules tr[data-schedule-id="nightly"]');
      await page.click('.schedules button:text("Add schedule")');
      const added = page.locator('.schedules tbody tr').nth(1);
      await added.locator('input[name=name]').fill('weekly');
      await added.locator('input[name=cron]').fill('0 3 * * 0');
      await added.locator('input[name=targets]').fill('198.51.100.0/24');
      await added.locator('input[name=protocols]').fill('none');
      await page.click('.schedules button.save-schedules');
      await page.locator('.schedules [data-result="ok"]', { hasText: 'saved 2' }).waitFor();
      const put = await agent.next('schedules.put');
      const schedules = put.schedules as Record<string, unknown>[];
      assert.equal(schedules.length, 2);
      assert.deepEqual(schedules[0], agent.schedules[0]);
      assert.deepEqual(
        { ...schedules[1], id: undefined },
        {
          id: undefined,
          name: 'weekly',
          cron: '0 3 * * 0',
          targets: ['198.51.100.0/24'],
          protocols: 'none',
          enabled: true,
        },
      );
    });

    test('an uploaded CI shows its collections; a hostile one renders as plain text', async () => {
      const body: BatchBody = batch(
        'edge-01',
        'scan-ui-1',
        0,
        [inventoriedHost(), hostileHost()],
        true,
      );
      const res = await fetch(`${srv.url}/api/discovery/scan-data`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${agentToken}`,
          'x-agent-id': 'edge-01',
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'idempotency-key': 'edge-01:scan-ui-1:0',
        },
        body: gzipSync(JSON.stringify(body)),
      });
      assert.deepEqual(await res.json(), { accepted: 2, duplicate: false });

      await page.click('nav a[data-route=cis]');
      await visible('table.cis a:text("web-01")');
      assert.equal(await page.locator('table.cis tbody tr').count(), 2);
      await page.click('table.cis a:text("web-01")');
      await visible('h1.ci-name:text("web-01")');
      const software = (await page.textContent('[data-section="software"]')) ?? '';
      assert.match(software, /Installed software/);
      assert.match(software, /openssh-server/);
      assert.match(software, /1:9\.2p1-2\+deb12u3/);
      assert.match(software, /nginx/);
      const connections = (await page.textContent('[data-section="connections"]')) ?? '';
      assert.match(connections, /Network connections\s*partial/);
      assert.match(connections, /198\.51\.100\.7/);
      assert.match(connections, /ESTABLISHED/);
      assert.match((await page.textContent('[data-section="os"]')) ?? '', /Debian GNU\/Linux/);
      assert.match(
        (await page.textContent('[data-section="relationships"]')) ?? '',
        /connected_to.*198\.51\.100\.7/s,
      );
      assert.match((await page.textContent('[data-section="identity"]')) ?? '', /CZ2942036K/);

      await page.click('nav a[data-route=cis]');
      await page.locator('table.cis a', { hasText: '<script>' }).click();
      await visible('[data-section="discovery"]');
      assert.equal(await page.textContent('h1.ci-name'), HOSTILE);
      assert.match((await page.textContent('[data-section="system"]')) ?? '', /<script>globalThis/);
      assert.match((await page.textContent('[data-section="discovery"]')) ?? '', /onerror=/);
      assert.equal(await page.locator('main script, main img, main iframe').count(), 0);
      assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    });

    test('scan logs show the seven statuses per protocol and export CSV', async () => {
      await page.click('nav a[data-route=scans]');
      await visible('tr[data-scan-id="scan-ui-1"]');
      const row = page.locator('tr[data-scan-id="scan-ui-1"]');
      assert.equal(await row.locator('table.matrix thead th').count(), 8);
      assert.equal(
        await row.locator('tr[data-protocol="ssh"] td[data-status="success"]').textContent(),
        '2',
      );
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('a[data-csv="scans.csv"]'),
      ]);
      assert.equal(download.suggestedFilename(), 'scans.csv');
      const csv = readFileSync((await download.path())!, 'utf8');
      const lines = csv.trim().split('\r\n');
      assert.match(lines[0]!, /^agentId,scanId,state,/);
      assert.match(lines[1]!, /^edge-01,scan-ui-1,completed,/);
      assert.match(csv, /ssh:success=2/);
    });

    test('the page fetched nothing off the machine, never put the token in a URL, and raised nothing', () => {
      assert.ok(requested.length > 0);
      for (const url of requested) {
        assert.ok(url.startsWith(`${srv.url}/`) || url.startsWith('blob:'), url);
        assert.ok(!url.includes(admin), 'the token is in a URL');
      }
      assert.deepEqual(pageErrors, []);
    });
  },
);
