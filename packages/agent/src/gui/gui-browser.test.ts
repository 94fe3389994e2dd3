// The GUI in headless Chromium (Debian's chromium, driven by playwright-core) against the real
// `nopesight-scanner gui` process on a temp data directory, with the front end built from source
// into a temp directory (scripts/build-gui.mjs --outdir, served through NOPESIGHT_GUI_DIR). Each
// tab's main flow: an integration tested against the reference platform (in this process), a
// credential added, edited, tested and deleted without its secret ever reaching the page, a scan
// of loopback listeners with its results and a host's record, a cancelled scan seen live, a
// schedule's life, the service card, the status tab; one form done with the keyboard only.
// A screenshot of each tab lands in artifacts/gui/<tab>.png (a few more: a Windows credential's
// form, a host record, a cancelled sweep's progress, the dark status).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROTOCOL_STATUSES } from '@nopesight/model';
import { stopChild } from '../../../../test/support/child-process.js';
import {
  startReferencePlatform,
  type ReferencePlatform,
} from '../platform/testdata/reference-platform.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../../../', import.meta.url).pathname;
const CLI_CHILD = new URL('../platform/testdata/cli-child.ts', import.meta.url).pathname;
const SHOTS = join(ROOT, 'artifacts/gui');
/** Upper bound for anything the page waits for; only reached when something is broken. */
const WAIT_MS = 30_000;
const SECRETS = {
  password: 'Gui-Secret-Pa55word-1',
  newPassword: 'Gui-Secret-Pa55word-2',
  community: 'gui-secret-community-3',
  keyboard: 'Gui-Secret-Keyboard-4',
  windows: 'Gui-Secret-Windows-5',
};

/** What page.evaluate reads of the page's focus (the tests' tsconfig has no DOM types). */
interface Focused {
  document: { activeElement: { id: string; getAttribute(name: string): string | null } | null };
}
const focusedAction = () =>
  (globalThis as unknown as Focused).document.activeElement?.getAttribute('data-action') ?? null;
const focusedId = () => (globalThis as unknown as Focused).document.activeElement?.id ?? null;

/** A loopback TCP listener: `greeting` is written on connect; `close` drops each connection. */
async function listener(opts: { greeting?: string; close?: boolean } = {}) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (opts.greeting) s.write(opts.greeting);
    if (opts.close) s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Starts `nopesight-scanner gui` (from source) and resolves with the URL it prints. */
function startGui(dataDir: string, guiDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_CHILD, 'gui', '--no-open', '--port', '0', '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, NOPESIGHT_GUI_DIR: guiDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^GUI: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`gui exited ${code}: ${err}`)));
  });
}

describe(
  'GUI in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium)` },
  () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nopesight-gui-browser-'));
    const dataDir = join(tmp, 'data');
    const guiDir = join(tmp, 'bundle');
    let gui: { child: ChildProcess; url: string };
    let origin = '';
    let platform: ReferencePlatform;
    let browser: Browser;
    let page: Page;
    const listeners: { port: number; close(): Promise<void> }[] = [];
    const requested: string[] = [];
    const pageErrors: string[] = [];
    const bodies: Promise<string>[] = [];

    const shot = async (name: string) => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    };
    const visible = (selector: string) =>
      page.locator(selector).first().waitFor({ state: 'visible', timeout: WAIT_MS });
    const tab = async (id: string) => {
      await page.click(`nav.tabs a[data-tab=${id}]`);
      await visible(`main[data-view=${id}]`);
    };
    const text = async (selector: string) =>
      (await page.locator(selector).first().textContent()) ?? '';

    before(async () => {
      const build = spawnSync(
        process.execPath,
        [join(ROOT, 'scripts/build-gui.mjs'), '--quiet', '--outdir', guiDir],
        { cwd: ROOT, encoding: 'utf8' },
      );
      assert.equal(build.status, 0, build.stderr);
      mkdirSync(SHOTS, { recursive: true });
      platform = await startReferencePlatform();
      gui = await startGui(dataDir, guiDir);
      origin = new URL(gui.url).origin;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          // No --user-data-dir: playwright gives every launch a fresh temporary profile itself.
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.on('request', (r) => requested.push(r.url()));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/.test(m.text())) {
          pageErrors.push(m.text());
        }
      });
      // Every API answer the page gets (the endless event stream is read through the DOM instead).
      page.on('response', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/api/') && url.pathname !== '/api/events') {
          bodies.push(r.text().catch(() => ''));
        }
      });
      await page.goto(gui.url);
      await visible('[data-pill=live][data-state=live]');
    });

    after(async () => {
      await browser?.close();
      await stopChild(gui?.child);
      await platform?.close();
      for (const l of listeners) await l.close();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('the token URL signs in once and lands on the app without the token', async () => {
      assert.equal(page.url(), `${origin}/`);
      assert.match(await text('header.top'), /NopeSight Scanner/);
      // The token worked once: another browser gets no session from it, and no app.
      const again = await (await browser.newContext()).newPage();
      const res = await again.goto(gui.url);
      assert.equal(res?.status(), 401);
      assert.match((await again.textContent('body')) ?? '', /already used/);
      assert.equal(await again.locator('nav.tabs').count(), 0);
      await again.context().close();
    });

    test('Integrations: add one against the reference platform; Test Connection succeeds', async () => {
      await tab('integrations');
      await visible('form[data-form=integration]');
      await page.fill('#int-name', 'lab');
      await page.fill('#int-apiUrl', 'ftp://nowhere');
      await page.fill('#int-agentId', 'edge-01');
      await page.fill('#int-token', platform.agentToken);
      await page.click('form[data-form=integration] button[type=submit]');
      await visible('#int-apiUrl-error, .banner');
      await page.fill('#int-apiUrl', platform.url);
      await page.click('form[data-form=integration] button[type=submit]');
      await visible('[data-stored=token]');
      assert.equal(await page.inputValue('#int-token'), '', 'the token field stays empty');
      await page.click('form[data-form=integration] [data-action=test]');
      await visible('[data-test-result=ok]');
      assert.match(await text('[data-test-result]'), /connected/);
      await shot('integrations');
    });

    test('Credentials: add, edit, test and delete; no secret ever reaches the page', async () => {
      const closing = await listener({ close: true });
      listeners.push(closing);
      await tab('credentials');
      await visible('[data-empty]');
      assert.match(await text('[data-empty]'), /No credentials yet/);

      await page.click('[data-action=add-credential]');
      await visible('dialog[data-dialog=credential]');
      await page.selectOption('#cred-kind', 'ssh');
      await page.fill('#cred-name', 'linux-root');
      await page.fill('#cred-username', 'root');
      await page.fill('#cred-port', String(closing.port));
      await page.fill('#cred-password', SECRETS.password);
      await page.fill('#cred-scope', '127.0.0.1');
      await page.click('form[data-form=credential] button[type=submit]');
      await visible('tr[data-credential="linux-root"]');

      // SNMP shows community for v2c and user/level/auth/priv for v3.
      await page.click('[data-action=add-credential]');
      await page.selectOption('#cred-kind', 'snmp');
      await visible('#cred-community');
      await page.selectOption('#cred-snmpVersion', '3');
      await visible('#cred-authPassword');
      await visible('#cred-privPassword');
      assert.equal(await page.locator('#cred-community').count(), 0);
      await page.selectOption('#cred-snmpVersion', '2c');
      await page.fill('#cred-name', 'switches');
      await page.fill('#cred-community', SECRETS.community);
      await page.click('form[data-form=credential] button[type=submit]');
      await visible('tr[data-credential="switches"]');

      // Windows with remote execution: the checkbox carries its warning; the list shows it.
      await page.click('[data-action=add-credential]');
      await page.selectOption('#cred-kind', 'windows');
      await page.fill('#cred-name', 'win-admins');
      await page.fill('#cred-username', 'CORP\\scanner');
      await page.fill('#cred-password', SECRETS.windows);
      assert.match(await text('[data-warning=remote-exec]'), /temporary service on each target/);
      await page.check('#cred-remoteExec');
      await shot('credentials-windows');
      await page.click('form[data-form=credential] button[type=submit]');
      await visible('tr[data-credential="win-admins"] [data-remote-exec]');
      await page.click('tr[data-credential="win-admins"] [data-action=edit]');
      assert.ok(await page.isChecked('#cred-remoteExec'), 'the edit form shows it on');
      // WinRM over HTTPS: Basic and a pinned certificate, checked as the CLI checks them (a SHA-1
      // thumbprint is refused on its field); the pin comes back in its one spelling.
      await page.selectOption('#cred-winrmAuth', 'basic');
      await page.fill('#cred-winrmCertFingerprints', 'ab'.repeat(20));
      await page.click('form[data-form=credential] button[type=submit]');
      await visible('#cred-winrmCertFingerprints-error');
      assert.match(await text('#cred-winrmCertFingerprints-error'), /SHA-1 thumbprint/);
      await page.fill('#cred-winrmCertFingerprints', 'ab'.repeat(32));
      await page.click('form[data-form=credential] button[type=submit]');
      await page.locator('dialog[data-dialog=credential]').waitFor({ state: 'detached' });
      await page.click('tr[data-credential="win-admins"] [data-action=edit]');
      assert.equal(await page.inputValue('#cred-winrmAuth'), 'basic');
      assert.equal(
        await page.inputValue('#cred-winrmCertFingerprints'),
        `SHA256:${'AB:'.repeat(31)}AB`,
      );
      await page.keyboard.press('Escape');
      await page.locator('dialog[data-dialog=credential]').waitFor({ state: 'detached' });

      // Edit: the secret field is blank and says "stored"; a blank secret keeps it.
      await page.click('tr[data-credential="linux-root"] [data-action=edit]');
      await visible('dialog[data-dialog=credential] [data-stored=password]');
      assert.equal(await page.inputValue('#cred-password'), '');
      await page.fill('#cred-username', 'scanner');
      await page.click('form[data-form=credential] button[type=submit]');
      await page.locator('tr[data-credential="linux-root"]', { hasText: 'scanner' }).waitFor();
      // An invalid edit shows its error next to the field.
      await page.click('tr[data-credential="linux-root"] [data-action=edit]');
      await page.fill('#cred-port', '70000');
      await page.click('form[data-form=credential] button[type=submit]');
      await visible('dialog[data-dialog=credential] [data-field-error]');
      await page.fill('#cred-port', String(closing.port));
      await page.fill('#cred-password', SECRETS.newPassword);
      await page.click('form[data-form=credential] button[type=submit]');
      await page.locator('dialog[data-dialog=credential]').waitFor({ state: 'detached' });
      await shot('credentials');

      // Test against a loopback port that hangs up: one of the seven statuses comes back.
      await page.click('tr[data-credential="linux-root"] [data-action=test]');
      await page.fill('#test-target', '127.0.0.1');
      await page.click('form[data-form=test-credential] button[type=submit]');
      await visible('[data-test-result]');
      const status = await page.getAttribute('[data-test-result]', 'data-test-result');
      assert.ok((PROTOCOL_STATUSES as readonly string[]).includes(status ?? ''), String(status));
      assert.notEqual(status, 'success');
      await shot('credentials-test');
      await page.keyboard.press('Escape');
      await page.locator('dialog[data-dialog=test-credential]').waitFor({ state: 'detached' });

      await page.click('tr[data-credential="switches"] [data-action=delete]');
      await page.click('dialog[data-dialog=confirm] button.danger');
      await page.locator('tr[data-credential="switches"]').waitFor({ state: 'detached' });
      assert.equal(await page.locator('tr[data-credential]').count(), 2);
    });

    test('Scan: loopback listeners are found; results table and a host record', async () => {
      const web = await listener({ greeting: 'HTTP/1.0 200 OK\r\nServer: gui-test\r\n\r\n' });
      const quiet = await listener();
      listeners.push(web, quiet);
      await tab('scan');
      await page.fill('#scan-targets', '127.0.0.1');
      await page.fill('#scan-ports', `${web.port},${quiet.port}`);
      await page.check('form[data-form=scan] input[name=discoveryOnly]');
      await page.click('form[data-form=scan] button[type=submit]');
      await visible('tr[data-host="127.0.0.1"]');
      await page.locator('[data-scan-facts] .badge[data-status=completed]').waitFor();
      const row = await text('tr[data-host="127.0.0.1"]');
      assert.match(row, new RegExp(`${web.port}`));
      assert.match(row, new RegExp(`${quiet.port}`));
      await page.fill('#host-filter', 'no-such-host');
      await visible('text=No host matches');
      await page.fill('#host-filter', '127.0');
      await shot('scan');

      await page.click('tr[data-host="127.0.0.1"]');
      await visible('[data-host-detail="127.0.0.1"]');
      assert.match(await text('[data-section=discovery]'), new RegExp(`${web.port}/tcp`));
      await page.click('[data-section=json] summary');
      assert.match(await text('[data-section=json] pre'), /"address": "127\.0\.0\.1"/);
      await shot('scan-host');
      await page.goBack();
      await visible('tr[data-host="127.0.0.1"]');
    });

    test('Scan: a large sweep shows live progress and can be cancelled', async () => {
      await tab('scan');
      await page.fill('#scan-targets', '127.1.0.0/16');
      await page.fill('#scan-ports', String(listeners[0]!.port));
      await page.click('form[data-form=scan] button[type=submit]');
      await page.locator('[data-stat=swept] dd', { hasText: /^[1-9]/ }).waitFor();
      assert.match(await text('[data-stat=rate] dd'), /addr\/s/);
      await shot('scan-progress');
      await page.click('[data-action=cancel-scan]');
      await page.locator('[data-scan-facts] .badge[data-status=cancelled]').waitFor();
      assert.equal(await page.locator('[data-progress]').count(), 0);
      assert.ok(await page.isEnabled('form[data-form=scan] button[type=submit]'));
    });

    test('Scheduler: add, disable, enable, run now and delete a schedule', async () => {
      await tab('scheduler');
      await visible('[data-empty]');
      await page.click('[data-action=add-schedule]');
      await page.fill('#sch-name', 'nightly');
      await page.check('input[name=timingKind][value=weekly]');
      await page.check('input[name=day][value=thu]');
      await page.fill('#sch-at', '25:00');
      await page.fill('#sch-tz', 'Europe/Berlin');
      await page.fill('#sch-targets', '127.0.0.1');
      await page.check('form[data-form=schedule] input[name=discoveryOnly]');
      await page.fill('#sch-blackouts', '08:00-18:00');
      await page.click('form[data-form=schedule] button[type=submit]');
      await visible('dialog[data-dialog=schedule] [data-field-error], .banner');
      await page.fill('#sch-at', '02:30');
      await page.click('form[data-form=schedule] button[type=submit]');
      await visible('tr[data-schedule=nightly]');
      const row = page.locator('tr[data-schedule=nightly]');
      assert.match((await row.locator('[data-cell=timing]').textContent()) ?? '', /Thu at 02:30/);
      // The next run reads in the schedule's zone, as its timing does; no service runs, and the
      // tab says schedules will not run at their times until one does.
      assert.match(
        (await row.locator('[data-cell=next]').textContent()) ?? '',
        /(Mon|Thu).*02:30 Europe\/Berlin.*in \d+/,
      );
      await visible('[data-no-agent]');
      await shot('scheduler');

      await row.locator('[data-action=toggle]').click();
      await page.locator('tr[data-schedule=nightly].disabled').waitFor();
      assert.match((await row.locator('[data-cell=next]').textContent()) ?? '', /disabled/);
      await row.locator('[data-action=toggle]').click();
      await page.locator('tr[data-schedule=nightly]:not(.disabled)').waitFor();

      // No agent service runs: the scan runs in this GUI, followed on the Scheduler tab.
      await row.locator('[data-action=run-now]').click();
      await visible('[data-local-run], .banner:has-text("nightly finished here")');
      await page.locator('.banner', { hasText: 'nightly finished here: completed' }).waitFor();
      await page.locator('tr[data-schedule=nightly] [data-cell=last] .badge').waitFor();
      assert.equal(await page.locator('[data-local-run]').count(), 0, 'the progress card left');
      await tab('scan');
      await page.locator('[data-scan-facts] .badge[data-status=completed]').waitFor();
      await tab('scheduler');

      await row.locator('[data-action=delete]').click();
      await page.click('dialog[data-dialog=confirm] button.danger');
      await visible('[data-empty]');
    });

    test('Service: status card and the definition preview', async () => {
      await tab('service');
      await visible('[data-service]');
      // Where this process cannot manage services, the note says what to do instead and why.
      if ((await page.locator('[data-cannot-manage]').count()) > 0) {
        assert.match(await text('[data-cannot-manage]'), /nopesight-scanner (daemon|service)/);
        assert.match(await text('[data-cannot-manage]'), /Why: /);
        assert.ok(!(await page.isEnabled('[data-action=install]')));
      }
      await page.click('[data-action=preview]');
      await visible('[data-preview]');
      assert.match(await text('[data-preview]'), /nopesight-scanner/);
      await shot('service');
    });

    test('Status: channel, metrics, scan history, outbox and the log viewer', async () => {
      await tab('status');
      await visible('[data-metrics]');
      assert.match(await text('[data-metrics]'), /CPU/);
      await visible('[data-outbox]');
      await visible('table[data-table=scan-history] tbody tr');
      // One definition of the success rate: the metrics card and the history header agree.
      const totals = await text('[data-scan-totals]');
      assert.match(totals, /\d+ ended scans: \d+ completed, \d+ failed, \d+ cancelled · /);
      assert.match(totals, /1 cancelled/, 'the cancelled sweep is counted as cancelled');
      assert.ok(totals.endsWith(await text('[data-metric=scans] dd')), totals);
      await page.selectOption('#log-name', 'app');
      await page.locator('[data-log=app] tr').first().waitFor();
      await shot('status');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot('status-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      // The level filter hides what is below it (the GUI's own log has info lines, no errors here).
      await page.selectOption('#log-level', 'error');
      await page
        .locator('[data-log=app] tr[data-level=info]')
        .first()
        .waitFor({ state: 'detached' });
    });

    test('keyboard only: open the credential form, fill it and submit with Enter; Esc closes', async () => {
      await page.goto(`${origin}/#/credentials`);
      await visible('[data-action=add-credential]');
      await page.locator('body').focus();
      let found = false;
      for (let i = 0; i < 40 && !found; i++) {
        await page.keyboard.press('Tab');
        found = (await page.evaluate(focusedAction)) === 'add-credential';
      }
      assert.ok(found, 'Tab reaches "Add credential"');
      await page.keyboard.press('Enter');
      await visible('dialog[data-dialog=credential]');
      assert.equal(await page.evaluate(focusedId), 'cred-kind');
      await page.keyboard.press('Tab');
      await page.keyboard.type('kb-cred');
      await page.keyboard.press('Tab');
      await page.keyboard.type('operator');
      await page.keyboard.press('Tab'); // port
      await page.keyboard.press('Tab'); // authentication: password
      await page.keyboard.press('Tab'); // password
      await page.keyboard.type(SECRETS.keyboard);
      await page.keyboard.press('Enter');
      await visible('tr[data-credential="kb-cred"]');
      await page.click('tr[data-credential="kb-cred"] [data-action=edit]');
      await visible('dialog[data-dialog=credential]');
      await page.keyboard.press('Escape');
      await page.locator('dialog[data-dialog=credential]').waitFor({ state: 'detached' });
    });

    test('the page asked only its own server, raised nothing, and never got a secret', async () => {
      assert.ok(requested.length > 0);
      for (const url of requested) {
        assert.ok(url.startsWith(`${origin}/`) || url.startsWith('data:'), url);
      }
      assert.deepEqual(pageErrors, []);
      const all = (await Promise.all(bodies)).join('\n');
      assert.ok(all.includes('linux-root'), 'the credential responses were captured');
      for (const secret of [...Object.values(SECRETS), platform.agentToken]) {
        assert.ok(!all.includes(secret), 'a secret reached the page in an API answer');
      }
      const html = await page.content();
      for (const secret of Object.values(SECRETS)) assert.ok(!html.includes(secret));
    });
  },
);
