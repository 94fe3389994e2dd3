// Runs the real collection script under BusyBox ash with only BusyBox applets on the system paths,
// against this machine, and checks the inventory against truth the test reads itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SectionState } from '@nopesight/model';
import {
  buildInventory,
  SSH_SECTIONS,
  type SshInventory,
  type SshSectionName,
} from './inventory.js';
import { buildCollectionScript, newNonce, SCRIPT_COMMAND } from './script.js';
import { splitSections, type SplitOutput } from './sections.js';

const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
/** Script limits like index.ts derives from a 120 s budget. */
const LIMITS = { commandTimeoutSec: 30, deadlineSec: 115, maxSectionBytes: 8 << 20 };

/**
 * The script appends /usr/sbin:/sbin:/usr/bin:/bin to PATH (ssh sessions often lack sbin), so a
 * PATH of applets alone would still reach GNU tools. In a private mount namespace those
 * directories are covered by the applet directory: what an Alpine host looks like. Unprivileged,
 * `-r` maps our uid to 0 in a user namespace so the bind mounts are allowed.
 */
const WRAPPER = [
  'for d in /usr/bin /usr/sbin /bin /sbin; do',
  '  if [ -d "$d" ] && [ ! -L "$d" ]; then "$1/mount" --bind "$1" "$d" || exit 97; fi',
  'done',
  'shift',
  'exec "$0" "$@"',
].join('\n');

/** `name → value` of an os-release file, quotes removed. */
function osRelease(): Map<string, string> {
  const path = ['/etc/os-release', '/usr/lib/os-release'].find((p) => existsSync(p));
  const kv = new Map<string, string>();
  for (const line of (path ? readFileSync(path, 'utf8') : '').split('\n')) {
    const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) kv.set(m[1] as string, m[3] as string);
  }
  return kv;
}

function passwd(): string[][] {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((l) => l.includes(':'))
    .map((l) => l.split(':'));
}

/** Non-system users as login.defs defines them (shadow-utils' 1000 when it says nothing). */
function expectedUsers(): string[] {
  let min = 1000;
  if (existsSync('/etc/login.defs')) {
    const m = /^\s*UID_MIN\s+(\d+)/m.exec(readFileSync('/etc/login.defs', 'utf8'));
    if (m) min = Number(m[1]);
  }
  const overflow = new Set([65534, 65535, 4294967294, 4294967295]);
  const names = passwd()
    .filter((f) => Number(f[2]) >= min && !overflow.has(Number(f[2])))
    .map((f) => f[0] as string);
  return [...new Set(names)].sort();
}

/** IPv4 default gateways from the kernel's own table (little-endian hex). */
function defaultGateways(): string[] {
  const rows = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
  const gws = rows
    .map((r) => r.trim().split(/\s+/))
    .filter((f) => f[1] === '00000000' && f[7] === '00000000' && f[2] !== '00000000')
    .map((f) => {
      const n = Number.parseInt(f[2] as string, 16);
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
    });
  return [...new Set(gws)].sort();
}

function procUptime(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(/\s+/)[0]);
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
let server: Server | undefined;

after(() => {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null) c.kill();
  server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory holding a copy of busybox and one symlink per applet it lists. */
function appletDir(busybox: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'nopesight-busybox-'));
  dirs.push(dir);
  copyFileSync(busybox, join(dir, 'busybox'));
  chmodSync(join(dir, 'busybox'), 0o755);
  const list = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n');
  for (const applet of list.slice(0, 1000)) {
    if (/^[a-z0-9[][a-z0-9_.[-]*$/i.test(applet) && applet !== 'busybox')
      symlinkSync('busybox', join(dir, applet));
  }
  return dir;
}

/** Runs `busybox <args>` in the namespace where the system paths hold only applets. */
function inBusyboxOnly(
  dir: string,
  args: string[],
  input = '',
): { stdout: string; stderr: string; status: number | null } {
  const ns = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  const r = spawnSync(
    'unshare',
    [...ns, join(dir, 'busybox'), 'sh', '-c', WRAPPER, join(dir, 'busybox'), dir, ...args],
    {
      input,
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 << 20,
      env: { PATH: dir, HOME: '/' },
    },
  );
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

const skip = !BUSYBOX
  ? 'busybox is not installed (scripts/install-test-deps.sh installs it)'
  : process.platform !== 'linux'
    ? 'needs Linux'
    : false;

describe('the collection script under a BusyBox-only userland', { skip }, () => {
  let dir = '';
  let split: SplitOutput;
  let inv: SshInventory;
  let child: ChildProcess;
  let port = 0;
  let uptimeBefore = 0;
  let uptimeAfter = 0;
  let namespaceError: string | null = null;
  const marker = `nopesight-busybox-probe-${newNonce()}`;

  before(async () => {
    dir = appletDir(BUSYBOX as string);
    const probe = inBusyboxOnly(dir, ['true']);
    if (probe.status !== 0) {
      namespaceError = `cannot make a mount namespace (unshare): ${probe.stderr.trim()}`;
      return;
    }
    // Truth the inventory must show: a process we started and a socket we listen on.
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)', marker], {
      stdio: 'ignore',
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;

    // As index.ts does: one script on the stdin of `sh -s`, split by its nonce, then mapped.
    const nonce = newNonce();
    const script = buildCollectionScript({ nonce, sudo: 'none', ...LIMITS });
    const [shell, ...shellArgs] = SCRIPT_COMMAND.split(' ');
    assert.equal(shell, 'sh');
    uptimeBefore = procUptime();
    const r = inBusyboxOnly(dir, ['sh', ...shellArgs], script);
    uptimeAfter = procUptime();
    assert.equal(r.status, 0, r.stderr);
    split = splitSections(r.stdout, nonce);
    inv = buildInventory({
      sections: split.sections,
      done: split.done,
      capturedAt: new Date().toISOString(),
    });
  });

  const ready = (t: { skip: (why: string) => void }): boolean => {
    if (namespaceError === null) return true;
    t.skip(namespaceError);
    return false;
  };

  test('the namespace offers BusyBox applets and no GNU or distribution tools', (t) => {
    if (!ready(t)) return;
    const tools = ['lsblk', 'lscpu', 'ss', 'getent', 'dpkg-query', 'systemctl', 'lastlog', 'bash'];
    const r = inBusyboxOnly(dir, [
      'sh',
      '-c',
      `PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; for t in ${tools.join(' ')}; do command -v "$t"; done; command -v ps`,
    ]);
    assert.equal(r.stdout.trim(), join(dir, 'ps'));
  });

  test('the script runs to its end with every command bounded by the busybox timeout applet', (t) => {
    if (!ready(t)) return;
    assert.equal(split.done, true);
    assert.deepEqual(split.warnings, []);
    assert.equal(inv.run.commandTimeouts, true);
    assert.equal(inv.run.sectionCaps, true);
    for (const [name, s] of split.sections) assert.notEqual(s.status, 'timeout', name);
  });

  test('busybox: os and identity match os-release, hostname and the kernel', (t) => {
    if (!ready(t)) return;
    const rel = osRelease();
    assert.equal(inv.ci.os.id, rel.get('ID') ?? null);
    assert.equal(inv.ci.os.version, rel.get('VERSION_ID') ?? null);
    assert.equal(inv.ci.os.prettyName, rel.get('PRETTY_NAME') ?? null);
    assert.equal(inv.ci.os.kernel, os.release());
    assert.equal(inv.ci.os.kernelName, os.type());
    assert.equal(inv.ci.os.architecture, os.machine());
    assert.equal(inv.ci.identity.hostname, os.hostname().toLowerCase().split('.')[0]);
    const up = inv.ci.os.uptimeSeconds ?? -1;
    assert.ok(up >= Math.floor(uptimeBefore) && up <= Math.ceil(uptimeAfter), String(up));
  });

  test('busybox: hardware has /proc/meminfo total, every CPU and the root filesystem', (t) => {
    if (!ready(t)) return;
    const kb = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    assert.equal(inv.ci.hardware.memory?.totalBytes, Number(kb?.[1]) * 1024);
    const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
    if (cpus > 0) assert.equal(inv.ci.hardware.cpu?.threads, cpus);
    assert.ok(inv.ci.hardware.filesystems.some((f) => f.mountPoint === '/'));
  });

  test('busybox: interfaces hold lo with 127.0.0.1 and the kernel addresses', (t) => {
    if (!ready(t)) return;
    const lo = inv.ci.interfaces.find((i) => i.name === 'lo');
    assert.ok(lo?.ipv4.some((a) => a.address === '127.0.0.1'));
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      const got = inv.ci.interfaces.find((i) => i.name === name);
      assert.ok(got, `interface ${name} missing`);
      const v4 = (addrs ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address);
      const v6 = (addrs ?? []).filter((a) => a.family === 'IPv6').map((a) => a.address);
      // ifconfig shows one IPv4 address per interface (SIOCGIFADDR): one of the kernel's.
      if (v4.length > 0) {
        assert.ok(got.ipv4.length > 0, `${name}: no IPv4`);
        for (const a of got.ipv4) assert.ok(v4.includes(a.address), `${name}: ${a.address}`);
      }
      for (const a of v6)
        assert.ok(
          got.ipv6.some((x) => x.address === a.split('%')[0]),
          a,
        );
      const mac = (addrs ?? [])[0]?.mac;
      if (mac && mac !== '00:00:00:00:00:00') assert.equal(got.mac, mac);
    }
  });

  test('busybox: routes and DNS match /proc/net/route and resolv.conf', (t) => {
    if (!ready(t)) return;
    const v4 = inv.ci.network.defaultGateways.filter((g) => !g.includes(':')).sort();
    assert.deepEqual(v4, defaultGateways());
    const resolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
    const ns = [...resolv.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]);
    for (const server of ns) assert.ok(inv.ci.network.dnsServers.includes(server as string));
  });

  test('busybox: processes hold the child the test started, with its command line', (t) => {
    if (!ready(t)) return;
    const p = inv.ci.processes.find((x) => x.pid === child.pid);
    assert.ok(p, `pid ${child.pid} missing among ${inv.ci.processes.length}`);
    assert.equal(p.ppid, process.pid);
    assert.equal(
      p.commandLine,
      [process.execPath, '-e', 'setInterval(() => {}, 60000)', marker].join(' '),
    );
    // In the namespace this test's uid is 0 (root, or mapped to 0 by `unshare -r`).
    const root = passwd().find((f) => f[2] === '0')?.[0];
    assert.equal(p.user, root);
    assert.ok(inv.ci.processes.some((x) => x.pid === 1));
  });

  test('busybox: connections hold the socket the test listens on', (t) => {
    if (!ready(t)) return;
    const c = inv.ci.connections.find(
      (x) => x.proto === 'tcp' && x.localPort === port && x.state === 'LISTEN',
    );
    assert.ok(c, `tcp 127.0.0.1:${port} missing`);
    assert.equal(c.localAddress, '127.0.0.1');
  });

  test('busybox: users are the /etc/passwd accounts from UID_MIN up', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(inv.ci.users.map((u) => u.name).sort(), expectedUsers());
  });

  test('busybox: what BusyBox cannot give is marked, never complete and empty', (t) => {
    if (!ready(t)) return;
    const has: Record<SshSectionName, () => boolean> = {
      identity: () => inv.ci.identity.hostname !== null,
      os: () => inv.ci.os.id !== null || inv.ci.os.kernel !== null,
      hardware: () => inv.ci.hardware.memory !== null || inv.ci.hardware.cpu !== null,
      dmi: () => inv.ci.hardware.dmi !== null,
      interfaces: () => inv.ci.interfaces.length > 0,
      network: () => inv.ci.network.routes.length > 0 || inv.ci.network.dnsServers.length > 0,
      software: () => inv.ci.software.length > 0,
      services: () => inv.ci.services.length > 0,
      processes: () => inv.ci.processes.length > 0,
      connections: () => inv.ci.connections.length > 0,
      users: () => inv.ci.users.length > 0 || expectedUsers().length === 0,
      virtualization: () => inv.ci.virtualization !== null,
    };
    const allowed: SectionState[] = ['complete', 'partial', 'unsupported', 'denied'];
    for (const name of SSH_SECTIONS) {
      const state = inv.sections[name];
      assert.ok(allowed.includes(state), `${name}: ${state}`);
      if (state === 'complete') assert.ok(has[name](), `${name} complete but empty`);
      else assert.ok((inv.notes[name] ?? []).length > 0, `${name} ${state} without a note`);
    }
    // BusyBox has no package manager and no service manager: said so, not claimed empty.
    assert.equal(inv.sections.software, 'unsupported');
    assert.equal(inv.sections.services, 'unsupported');
    // Debian's build has no `ps -o etime` and no `netstat -p` (Alpine's has both): when the
    // output lacks them, the notes say what is missing.
    const psHeader = split.sections.get('ps')?.text.split('\n')[0] ?? '';
    if (!/\bELAPSED\b/.test(psHeader))
      assert.ok((inv.notes.processes ?? []).some((n) => /start times unknown/.test(n)));
    const netstat = split.sections.get('netstat')?.text;
    if (netstat !== undefined && !netstat.includes('PID/Program'))
      assert.ok((inv.notes.connections ?? []).some((n) => /no processes/.test(n)));
  });
});
