// SSH inventory bench helpers: what each side collected, ansible's output and SSH operations,
// and the TCP connections to the SSH host counted by nftables in the scanner namespace.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Item counts compared between our inventory and ansible's facts; null: that side has no such list. */
export const COUNTED = [
  'packages',
  'processes',
  'services',
  'connections',
  'users',
  'interfaces',
  'disks',
  'filesystems',
  'routes',
] as const;
export type Counted = (typeof COUNTED)[number];
export type Counts = Record<Counted, number | null>;

/** The line bench/lib/ssh-inventory-driver.ts prints. */
export interface DriverReport {
  connectMs: number;
  collectMs: number;
  tcpConnections: number;
  execChannels: number;
  statsRoundTrips: number;
  stdoutBytes: number;
  error: string | null;
  privilege: string;
  sections: Record<string, string>;
  counts: Counts;
}

const len = (v: unknown): number | null => (Array.isArray(v) ? v.length : null);

/** Counts from our `ci` (the collector's SshCi or a host record's ci: the same keys). */
export function oursCounts(ci: unknown): Counts {
  const c = ci as Record<string, Record<string, unknown> | unknown[] | undefined>;
  const hw = (c.hardware ?? {}) as Record<string, unknown>;
  const net = (c.network ?? {}) as Record<string, unknown>;
  return {
    packages: len(c.software),
    processes: len(c.processes),
    services: len(c.services),
    connections: len(c.connections),
    users: len(c.users),
    interfaces: len(c.interfaces),
    disks: len(hw.disks),
    filesystems: len(hw.filesystems),
    routes: len(net.routes),
  };
}

/**
 * Counts from `ansible -m setup` facts. setup has no package, process, service, socket, user or
 * route list (package_facts and service_facts are separate modules; routes are only the default
 * IPv4/IPv6 ones); it lists devices (loop and zram included), mounts (bind-mounted files
 * included) and interfaces.
 */
export function ansibleCounts(facts: Record<string, unknown>): Counts {
  const devices = facts.ansible_devices;
  return {
    packages: null,
    processes: null,
    services: null,
    connections: null,
    users: null,
    interfaces: len(facts.ansible_interfaces),
    disks: devices && typeof devices === 'object' ? Object.keys(devices).length : null,
    filesystems: len(facts.ansible_mounts),
    routes: null,
  };
}

/** What one `ansible HOST -m setup -vvv` printed: the facts and the SSH operations it ran. */
export interface AnsibleRun {
  facts: Record<string, unknown> | null;
  /** `SSH: EXEC` lines: one ssh (or sftp) process each, one session channel each on the master. */
  sshExecs: number;
  sftp: number;
  /** Whether those ssh invocations share a ControlPersist master (ansible's default). */
  controlPersist: boolean;
}

/** Parses ansible's default (minimal) callback output: `HOST | SUCCESS => {json}` plus -vvv lines. */
export function parseAnsibleSetup(stdout: string): AnsibleRun {
  const execs = stdout.split('\n').filter((l) => / SSH: EXEC /.test(l));
  let facts: Record<string, unknown> | null = null;
  const m = / \| SUCCESS => \{/.exec(stdout);
  if (m) {
    // The result is pretty-printed JSON starting at the brace; the closing brace is alone on a line.
    const start = m.index + m[0].length - 1;
    const end = stdout.indexOf('\n}', start);
    if (end > 0) {
      const doc = JSON.parse(stdout.slice(start, end + 2)) as {
        ansible_facts?: Record<string, unknown>;
      };
      facts = doc.ansible_facts ?? null;
    }
  }
  return {
    facts,
    sshExecs: execs.length,
    sftp: execs.filter((l) => / SSH: EXEC (sshpass \S+ )?sftp /.test(l)).length,
    controlPersist: execs.length > 0 && execs.every((l) => /ControlPersist=/.test(l)),
  };
}

/** The counts line bench/lib/ssh-channel-counter.mjs prints on the CLI's stderr. */
export function parseChannelCounts(
  stderr: string,
): { connections: number; exec: number; shell: number; sftp: number; subsys: number } | null {
  const line = stderr.split('\n').find((l) => l.startsWith('{"benchSshCounts"'));
  return line ? (JSON.parse(line) as { benchSshCounts: never }).benchSshCounts : null;
}

/**
 * Stops the ControlPersist masters ansible left in `dir` (`ssh -O exit`, which ends the master
 * process through its socket): each ansible run then starts cold, like a first contact.
 */
export function stopControlMasters(dir: string, host: string): number {
  let stopped = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      execFileSync('ssh', ['-O', 'exit', '-o', `ControlPath=${join(dir, name)}`, host], {
        stdio: 'ignore',
        timeout: 10_000,
      });
      stopped++;
    } catch {
      // Already gone (the master exits on its own after ControlPersist).
    }
  }
  return stopped;
}

const NFT_TABLE = 'nopesight_bench';

/**
 * Counts TCP connections (SYNs) from this namespace to host:port with an nftables counter in a
 * table of its own. Only for the lab's scanner namespace (bench/run.sh enters it); remove() drops
 * the table.
 */
export class SynCounter {
  readonly #host: string;
  readonly #port: number;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
    this.remove();
    const rules = [
      `table inet ${NFT_TABLE} {`,
      '  counter syn { }',
      '  chain out {',
      '    type filter hook output priority 0; policy accept;',
      `    ip daddr ${this.#host} tcp dport ${this.#port} tcp flags & (syn | ack) == syn counter name syn`,
      '  }',
      '}',
    ].join('\n');
    execFileSync('nft', ['-f', '-'], { input: rules });
  }

  /** SYNs since the last take() (or since creation), and resets the counter. */
  take(): number {
    const out = execFileSync('nft', ['reset', 'counter', 'inet', NFT_TABLE, 'syn'], {
      encoding: 'utf8',
    });
    const m = /packets (\d+)/.exec(out);
    if (!m) throw new Error(`nft: no packet count in ${JSON.stringify(out)}`);
    return Number(m[1]);
  }

  remove(): void {
    try {
      execFileSync('nft', ['delete', 'table', 'inet', NFT_TABLE], { stdio: 'ignore' });
    } catch {
      // Not there.
    }
  }
}
