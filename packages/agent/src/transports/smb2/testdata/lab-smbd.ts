// A second smbd for lab tests, in the lab Samba's own mount, UTS and network namespaces (its
// private /etc with the lab users, its address 198.18.0.30) but with its own smb.conf and state
// under a temp dir and its own port: for global settings the shared smbd must not take (server
// signing = mandatory, smb encrypt = required). Named pipes go to the lab's samba-dcerpcd (the
// same ncalrpc dir). Started and stopped by PID; root only (nsenter), inside the lab.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../../../../../../test/support/child-process.js';
import { HOSTS, SMB } from '../../../../../../test/lab/lab-hosts.js';
import { labServicePid, labStatePath, tcpProbe } from '../../../../../../test/lab/lab.js';

export interface LabSmbd {
  readonly port: number;
  /** Its smb.conf (for `net`/`pdbedit -s` in the Samba namespace). */
  readonly conf: string;
  /** Stops smbd and every process it forked, by PID, and removes its directory. */
  stop(): Promise<void>;
}

/** The share every instance exports: read-write for the lab user. */
export const LAB_SMBD_SHARE = 'labshare';

/** Runs `cmd` inside the lab smbd's namespaces with `input` on stdin; rejects on a non-zero exit. */
function inSambaNs(cmd: string[], input = ''): Promise<string> {
  const pid = String(labServicePid('smbd'));
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', ['-t', pid, '-m', '-u', '-n', '--', ...cmd], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd.join(' ')} exited ${code}: ${out}`)),
    );
    child.stdin.end(input);
  });
}

/** PIDs of processes whose command line names `conf` (smbd's forked helpers and workers). */
async function pidsUsing(conf: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(conf)) out.push(Number(name));
  }
  return out;
}

/**
 * Starts smbd on `port` with the lab's identity (workgroup, NetBIOS name, user) plus `globals`
 * (e.g. `{ 'server signing': 'mandatory' }`), and waits until it listens (at most ~10 s).
 */
export async function startLabSmbd(
  port: number,
  globals: Record<string, string>,
): Promise<LabSmbd> {
  if ((await tcpProbe(HOSTS.smb, port, 1000)).state === 'open')
    throw new Error(`${HOSTS.smb}:${port} is already taken (a second smbd left running?)`);
  const dir = mkdtempSync(join(tmpdir(), 'nopesight-smbd-'));
  chmodSync(dir, 0o755);
  for (const d of ['private', 'lock', 'state', 'cache', 'pid', 'log', 'share'])
    mkdirSync(join(dir, d));
  chmodSync(join(dir, 'private'), 0o700);
  chmodSync(join(dir, 'share'), 0o1777);
  const conf = join(dir, 'smb.conf');
  const lines = [
    '[global]',
    `  workgroup = ${SMB.workgroup}`,
    `  netbios name = ${SMB.netbiosName}`,
    '  server role = standalone server',
    `  interfaces = ${HOSTS.smb}/32`,
    '  bind interfaces only = yes',
    `  smb ports = ${port}`,
    '  disable netbios = yes',
    `  private dir = ${dir}/private`,
    ...['lock', 'state', 'cache', 'pid'].map((d) => `  ${d} directory = ${dir}/${d}`),
    `  ncalrpc dir = ${labStatePath('smb', 'ncalrpc')}`,
    '  rpc start on demand helpers = no',
    `  passdb backend = tdbsam:${dir}/private/passdb.tdb`,
    `  log file = ${dir}/log/log.%m`,
    '  logging = file',
    '  load printers = no',
    '  printing = bsd',
    '  printcap name = /dev/null',
    '  disable spoolss = yes',
    ...Object.entries(globals).map(([k, v]) => `  ${k} = ${v}`),
    `[${LAB_SMBD_SHARE}]`,
    `  path = ${dir}/share`,
    '  read only = no',
    `  valid users = ${SMB.username}`,
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    // Forked helpers end with their parent; any that did not are ours, found by their config.
    for (const pid of await pidsUsing(conf)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await inSambaNs(
      ['pdbedit', '-s', conf, '-a', '-t', '-u', SMB.username],
      `${SMB.password}\n${SMB.password}\n`,
    );
    const log = openSync(join(dir, 'log', 'stdout.log'), 'a');
    child = spawn(
      'nsenter',
      [
        '-t',
        String(labServicePid('smbd')),
        '-m',
        '-u',
        '-n',
        '--',
        '/usr/sbin/smbd',
        '-F',
        '--no-process-group',
        '-s',
        conf,
      ],
      // Its own session and process group, as lab.sh's setsid: smbd signals its whole process
      // group when it shuts down, which would otherwise include this test process.
      { stdio: ['ignore', log, log], detached: true },
    );
    closeSync(log);
    // Bounded: 50 probes, 200 ms apart.
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`smbd exited: ${readFileSync(join(dir, 'log', 'stdout.log'), 'utf8')}`);
      }
      if ((await tcpProbe(HOSTS.smb, port, 1000)).state === 'open') break;
      if (i >= 50) throw new Error(`smbd did not listen on ${HOSTS.smb}:${port}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, conf, stop };
}
