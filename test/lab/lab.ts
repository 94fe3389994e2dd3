// Helpers for lab tests: detect the lab, skip cleanly outside it, state paths, a bounded TCP probe,
// and commands run on a lab host inside its own namespaces.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { LAB_PREFIX, LAB_STATE_DIR, NS, SCANNER_ADDRESS } from './lab-hosts.js';

/** The one line a lab test prints when it is skipped outside the lab. */
export const LAB_SKIP_REASON = 'needs the lab: run as root via npm run test:lab';

/**
 * True inside the lab's scanner namespace: run-tests.mjs sets NOPESIGHT_IN_LAB=1 and the scanner's
 * address is on an interface here.
 */
export function inLab(): boolean {
  if (process.env.NOPESIGHT_IN_LAB !== '1') return false;
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((a) => a.family === 'IPv4' && a.address === SCANNER_ADDRESS),
  );
}

/**
 * Options for `test()`/`describe()` that skip the whole test outside the lab.
 * @example test('sshd answers', labOnly(), async () => { ... });
 */
export function labOnly(): { skip: string | false } {
  return { skip: inLab() ? false : LAB_SKIP_REASON };
}

/**
 * Marks `t` skipped outside the lab and returns true, so the test can return at once.
 * @example test('x', async (t) => { if (skipUnlessLab(t)) return; ... });
 */
export function skipUnlessLab(t: TestContext): boolean {
  if (inLab()) return false;
  t.skip(LAB_SKIP_REASON);
  return true;
}

/** A path inside the lab's state dir (NOPESIGHT_LAB_DIR, default /run/nopesight-lab). */
export function labStatePath(...parts: string[]): string {
  return join(LAB_STATE_DIR, ...parts);
}

/** The namespace name for a role under the current LAB_PREFIX (NS holds the default prefix's names). */
export function labNamespace(role: keyof typeof NS): string {
  const prefix = process.env.LAB_PREFIX ?? LAB_PREFIX;
  return NS[role].replace(/^[^-]*-/, `${prefix}-`);
}

/** How a TCP connect ended: handshake done, RST, no answer within the limit, or an error code. */
export type TcpProbeResult =
  | { state: 'open'; ms: number }
  | { state: 'closed'; ms: number }
  | { state: 'timeout'; ms: number }
  | { state: 'error'; code: string; ms: number };

/** Connects once to host:port, bounded by timeoutMs; never throws. */
export function tcpProbe(host: string, port: number, timeoutMs = 1500): Promise<TcpProbeResult> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (r: TcpProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ state: 'timeout', ms: ms() }), timeoutMs);
    socket.once('connect', () => done({ state: 'open', ms: ms() }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done({ state: 'closed', ms: ms() });
      else done({ state: 'error', code: err.code ?? 'UNKNOWN', ms: ms() });
    });
    socket.connect({ host, port });
  });
}

/** Reads what a TCP server sends first (e.g. an SSH banner line), bounded by timeoutMs. */
export function readGreeting(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no greeting from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text.split(/\r?\n/)[0] ?? '');
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.connect({ host, port });
  });
}

/** Runs a lab CLI (snmpget, nmblookup, …) with a time limit; resolves with stdout, rejects on failure. */
export function runTool(file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * The PID lab.sh recorded for a service (`sshd`, `sshd2`, `smbd`…), checked to be alive in the
 * network namespace it was started in; throws otherwise.
 */
export function labServicePid(service: string): number {
  const [pid, ns] = readFileSync(labStatePath('pids', `${service}.pid`), 'utf8')
    .trim()
    .split(/\s+/);
  const want = `net:[${statSync(`/run/netns/${ns ?? ''}`).ino}]`;
  const have = readlinkSync(`/proc/${pid ?? ''}/ns/net`);
  if (have !== want) throw new Error(`lab service ${service} (pid ${pid}) is not in ${ns}`);
  return Number(pid);
}

/**
 * Runs a shell script on a lab host as the host sees itself: inside the mount, UTS and network
 * namespaces of its service process (its private /etc, dpkg database, hostname and sockets).
 * @example await runOnLabHost('sshd2', 'hostname') // → 'lab-jammy\n'
 */
export function runOnLabHost(service: string, script: string, timeoutMs = 30_000): Promise<string> {
  const pid = String(labServicePid(service));
  return runTool('nsenter', ['-t', pid, '-m', '-u', '-n', '--', 'sh', '-c', script], timeoutMs);
}
