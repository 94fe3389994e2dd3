// `nopesight-scanner gui` as a real process: it prints one `GUI: http://127.0.0.1:PORT/?token=`
// line, the link logs a browser in, SIGINT cancels a scan started from the GUI (its results are
// still written) and exits 0; a missing bundle names `npm run build`; bad usage exits 2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '../../../../../test/support/cli-io.js';
import { stopChild } from '../../../../../test/support/child-process.js';
import { GuiClient, raw } from '../../gui/server/testdata/gui-client.js';

const ROOT = new URL('../../../../../', import.meta.url).pathname;
const CLI_CHILD = new URL('../../platform/testdata/cli-child.ts', import.meta.url).pathname;
/** Upper bound for the child to print its URL or exit; only reached when something is broken. */
const LIMIT_MS = 60_000;

const root = mkdtempSync(join(tmpdir(), 'nopesight-gui-cli-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) await stopChild(c);
  rmSync(root, { recursive: true, force: true });
});

function startGui(dataDir: string, staticDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI_CHILD, 'gui', '--no-open', '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NOPESIGHT_GUI_DIR: staticDir },
    },
  );
  children.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const firstLine = new Promise<string | null>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      stdout.push(l);
      resolve(l);
    });
    child.once('close', () => resolve(null));
    setTimeout(() => resolve(null), LIMIT_MS).unref();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { child, stdout, stderr, firstLine, exited };
}

test('gui prints its URL, the link logs in, and SIGINT cancels a GUI scan keeping its results', async () => {
  const dataDir = join(root, 'data');
  const staticDir = join(root, 'static');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>cli-gui</title>');
  // The listener accepts and stays silent: fingerprinting it waits (up to a minute), so the scan
  // is still running when SIGINT comes.
  writeFileSync(
    join(dataDir, 'config.json'),
    JSON.stringify({ scan: { icmp: false, fingerprintTimeoutMs: 60_000 } }),
  );
  const sockets: Socket[] = [];
  const listener = createServer((s) => {
    s.on('error', () => undefined);
    sockets.push(s);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  try {
    const gui = startGui(dataDir, staticDir);
    const line = await gui.firstLine;
    assert.ok(line, `no URL printed; stderr: ${gui.stderr.join('\n')}`);
    const m = /^GUI: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/.exec(line);
    assert.ok(m, line);
    const page = new GuiClient(Number(m[1]));
    assert.equal((await page.login(line.slice('GUI: '.length))).status, 303);
    const index = await raw(page.port, { path: '/', headers: { cookie: page.cookie } });
    assert.match(index.text, /cli-gui/);
    const events = await page.events();
    const start = await page.call('POST', '/api/scans', {
      targets: ['127.0.0.1'],
      ports: String(port),
      protocols: 'none',
    });
    assert.equal(start.status, 202, start.text);
    const { scanId } = start.json();
    await events.next('scan.progress', (d) => d.scanId === scanId && d.progress.alive === 1);
    gui.child.kill('SIGINT');
    assert.equal(await gui.exited, 0, gui.stderr.join('\n'));
    events.close();
    const doc = JSON.parse(readFileSync(join(dataDir, 'results', `${scanId}.json`), 'utf8'));
    assert.equal(doc.scan.state, 'cancelled');
    assert.ok(doc.hosts.some((h: { address: string }) => h.address === '127.0.0.1'));
    assert.equal(gui.stdout.length, 1, 'one line on stdout');
  } finally {
    for (const s of sockets) s.destroy();
    listener.close();
  }
});

test('gui without a built front end fails naming npm run build', async () => {
  const dataDir = join(root, 'data2');
  const gui = startGui(dataDir, join(root, 'no-bundle'));
  assert.equal(await gui.exited, 1);
  assert.match(gui.stderr.join('\n'), /npm run build/);
});

test('gui rejects bad usage with exit 2 and lists itself in the main help', async () => {
  const dataDir = join(root, 'data3');
  assert.equal((await runCli(dataDir, ['gui', '--port', 'http'])).code, 2);
  assert.equal((await runCli(dataDir, ['gui', 'extra'])).code, 2);
  const help = await runCli(dataDir, ['--help']);
  assert.match(help.out, /^\s+gui\s+open the local web GUI/m);
  const own = await runCli(dataDir, ['gui', '--help']);
  assert.match(own.out, /--no-open/);
});
