// Bench: a Windows inventory over 445 of the lab Samba (the fake Windows of
// test/lab/services/smb-registry.sh) against impacket doing the same reads in the same run: wall
// time, SMB2 messages and RPC calls, what each side read. Ours twice: the collector alone
// (collectWindowsHost, the scan's path for a host with only 445 open), then the CLI end to end.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS, SMB } from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  compareWithReference,
  parseBenchArgs,
  ROOT,
  type RunCheck,
  type Side,
  type TimedRun,
} from './lib/bench-lib.js';

/** "Faster than impacket": our median wall time must be below its. */
const TARGET_RATIO = 1;
const LIMIT_MS = 180_000;
const HOST = HOSTS.smb;
const NFT_TABLE = 'nopesight_bench_win';

/** What each side read: compared one by one, so the work is the same. */
const READ = [
  'pipes',
  'keysOpened',
  'subkeys',
  'values',
  'services',
  'serviceConfigs',
  'users',
  'groups',
  'members',
  'shares',
] as const;
/** The result sets that must be equal. */
const SETS = ['software', 'hotfixes', 'services', 'users', 'groups', 'shares'] as const;

type Counts = Record<(typeof READ)[number] | 'smbMessages' | 'rpcCalls', number> & {
  callsPerPipe: Record<string, number>;
  msPerPipe: Record<string, number>;
};
interface Report {
  /** In-process time (ours: collectWindowsHost; impacket: login to logoff, after its imports). */
  ms: number | null;
  /** Connect, negotiate, session setup and IPC$ (ours: until the first pipe's bind). */
  loginMs?: number | null;
  counts: Counts;
  sets: Record<(typeof SETS)[number], string[]>;
  sections?: Record<string, string>;
}

const { runs } = parseBenchArgs(process.argv.slice(2), 5);
assertInLab();

// The driver and the CLI preload run over the compiled agent: build it first.
const tsc = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/agent'],
  { cwd: ROOT, encoding: 'utf8' },
);
if (tsc.status !== 0) throw new Error(`tsc -b packages/agent failed: ${tsc.stdout}${tsc.stderr}`);

const tmp = mkdtempSync('/tmp/nopesight-bench-windows-');
const dataDir = join(tmp, 'data');
const cliJson = join(tmp, 'scan.json');
const bin = 'packages/agent/bin/nopesight-scanner.js';
// Both sides read the password from the environment (not their command lines).
process.env.BENCH_WINDOWS_PASSWORD = SMB.password;

// The CLI's credential, stored the documented way in a fresh data dir (`.`: local accounts).
const add = spawnSync(
  process.execPath,
  [
    ...[bin, 'credentials', 'add', 'windows', '--name', 'bench', '--username', SMB.username],
    ...['--scope', HOST, '--stdin', '--data-dir', dataDir],
  ],
  { cwd: ROOT, input: JSON.stringify({ password: SMB.password }), encoding: 'utf8' },
);
if (add.status !== 0) throw new Error(`credentials add failed: ${add.stderr}`);

const driverCmd = [process.execPath, 'bench/lib/windows-inventory-driver.mjs', HOST, SMB.username];
// --ports 445: impacket is handed the host and its port; the default list would add a sweep of
// other ports (and the WMI attempt on 135, which Samba's activator refuses) to our side only.
const cliCmd = [
  ...[process.execPath, '--import', './bench/lib/windows-cli-counter.mjs', bin, 'scan', HOST],
  ...['--protocols', 'windows', '--ports', '445', '--json', cliJson, '--data-dir', dataDir],
  '--no-progress',
];
const impacketCmd = [
  '/usr/bin/python3',
  'bench/windows_inventory_impacket.py',
  HOST,
  SMB.username,
  '',
];

/**
 * nftables counters in the scanner namespace (table created and removed here): TCP connections
 * to 445 (SYNs), and TCP segments carrying data each way (IP length > 100: every SMB frame is at
 * least 4 + 64 bytes, an empty segment 52), as the hooks see them.
 */
class TcpCounters {
  constructor() {
    this.remove();
    const rules = [
      `table inet ${NFT_TABLE} {`,
      '  counter syn { }',
      '  counter out { }',
      '  counter in { }',
      '  chain output {',
      '    type filter hook output priority 0; policy accept;',
      `    ip daddr ${HOST} tcp dport 445 tcp flags & (syn | ack) == syn counter name syn`,
      `    ip daddr ${HOST} tcp dport 445 ip length > 100 counter name out`,
      '  }',
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      `    ip saddr ${HOST} tcp sport 445 ip length > 100 counter name in`,
      '  }',
      '}',
    ].join('\n');
    execFileSync('nft', ['-f', '-'], { input: rules });
  }

  /** Packets per counter since the last take(), and resets them. */
  take(): { syn: number; out: number; in: number } {
    const read = (name: string): number => {
      const out = execFileSync('nft', ['reset', 'counter', 'inet', NFT_TABLE, name], {
        encoding: 'utf8',
      });
      const m = /packets (\d+)/.exec(out);
      if (!m) throw new Error(`nft: no packet count in ${JSON.stringify(out)}`);
      return Number(m[1]);
    };
    return { syn: read('syn'), out: read('out'), in: read('in') };
  }

  remove(): void {
    try {
      execFileSync('nft', ['delete', 'table', 'inet', NFT_TABLE], { stdio: 'ignore' });
    } catch {
      // Not there.
    }
  }
}

const tcp = new TcpCounters();
const lastTcp: Record<Side, { syn: number; out: number; in: number }> = {
  ours: { syn: 0, out: 0, in: 0 },
  reference: { syn: 0, out: 0, in: 0 },
};

/** The last run's report per side, for the table at the end. */
const last: Record<string, Report | undefined> = {
  'ours: collector': undefined,
  'ours: CLI': undefined,
  impacket: undefined,
};

const jsonLine = (text: string): Record<string, unknown> | null => {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : null;
};

/** Our CLI's report: the counters the preload printed, the sets and counts from its JSON. */
function cliReport(run: TimedRun): Report | null {
  const line = run.stderr.split('\n').find((l) => l.startsWith('{"benchWindowsCounts"'));
  if (!line) return null;
  const counted = (JSON.parse(line) as { benchWindowsCounts: Counts }).benchWindowsCounts;
  const doc = JSON.parse(readFileSync(cliJson, 'utf8')) as {
    hosts: {
      address: string;
      sections: Record<string, string>;
      protocols: { status: string }[];
      ci: {
        software: { name: string }[];
        os: { patches: { id: string }[] } | null;
        services: { name: string }[];
        users: { name: string }[];
        groups: { name: string; members: unknown[] }[];
        shares: { name: string }[];
      };
    }[];
  };
  const h = doc.hosts.find((x) => x.address === HOST);
  if (!h || h.protocols[0]?.status !== 'success') return null;
  const names = (l: { name?: string; id?: string }[]) =>
    [...new Set(l.map((x) => x.name ?? x.id ?? ''))].sort();
  return {
    ms: null,
    sections: h.sections,
    counts: {
      ...counted,
      services: h.ci.services.length,
      users: h.ci.users.length,
      groups: h.ci.groups.length,
      members: h.ci.groups.reduce((n, g) => n + g.members.length, 0),
      shares: h.ci.shares.length,
    },
    sets: {
      software: names(h.ci.software),
      hotfixes: names(h.ci.os?.patches ?? []),
      services: names(h.ci.services),
      users: names(h.ci.users),
      groups: names(h.ci.groups),
      shares: names(h.ci.shares),
    },
  };
}

/** Compares our report with impacket's: equal sets and equal reads, or the differences. */
function compare(ours: Report, ref: Report): string[] {
  const diffs: string[] = [];
  for (const s of SETS) {
    const a = ours.sets[s].join(' | ');
    const b = ref.sets[s].join(' | ');
    if (a !== b) diffs.push(`${s}: ours [${a}] vs impacket [${b}]`);
  }
  for (const k of READ) {
    if (ours.counts[k] !== ref.counts[k])
      diffs.push(`${k} read: ours ${ours.counts[k]} vs impacket ${ref.counts[k]}`);
  }
  return diffs;
}

/** One run's check for either of our sides against impacket. */
function check(label: string, ours: Report | null, n: TimedRun, o: TimedRun): RunCheck {
  const ref = jsonLine(n.stdout) as Report | null;
  if (ref) last['impacket'] = ref;
  if (!ours || !ref)
    return {
      ok: false,
      summary: `no report from ${ours ? 'impacket' : label}`,
      details: [(ours ? n.stderr : o.stderr).slice(-800)],
    };
  last[label] = ours;
  const diffs = compare(ours, ref);
  const t = lastTcp;
  return {
    ok: diffs.length === 0,
    summary:
      `${diffs.length === 0 ? 'equal' : 'DIFFERENT'}; SMB msgs ${ours.counts.smbMessages}/` +
      `${ref.counts.smbMessages}, RPC calls ${ours.counts.rpcCalls}/${ref.counts.rpcCalls}, ` +
      `TCP conns ${t.ours.syn}/${t.reference.syn}, data segs out ${t.ours.out}/${t.reference.out}` +
      (ours.ms !== null
        ? `, in-process ${ours.ms}/${ref.ms} ms`
        : `, impacket in-process ${ref.ms} ms`),
    details: diffs,
    figures: {
      'ours SMB msgs': ours.counts.smbMessages,
      'impacket SMB msgs': ref.counts.smbMessages,
      'ours RPC calls': ours.counts.rpcCalls,
      'impacket RPC calls': ref.counts.rpcCalls,
      'ours TCP conns': t.ours.syn,
      'impacket TCP conns': t.reference.syn,
      'ours segs out': t.ours.out,
      'impacket segs out': t.reference.out,
      'ours segs in': t.ours.in,
      'impacket segs in': t.reference.in,
      ...(ours.ms !== null ? { 'ours in-process ms': ours.ms } : {}),
      'impacket in-process ms': ref.ms ?? -1,
    },
  };
}

const againstImpacket = {
  runs,
  reference: impacketCmd,
  referenceName: 'impacket',
  limitMs: LIMIT_MS,
  targetRatio: TARGET_RATIO,
  warmup: true,
  before: (): void => void tcp.take(),
  after: (side: Side): void => void (lastTcp[side] = tcp.take()),
};

console.log(
  `windows-inventory: ${HOST} (lab Samba as Windows) as ${SMB.username}, ${runs} run(s) after one warm-up each`,
);
try {
  console.log('\n(a) collector alone: collectWindowsHost over 445 (node, compiled) vs impacket');
  await compareWithReference({
    ...againstImpacket,
    ours: driverCmd,
    oursName: 'collector',
    check: (o, n) => check('ours: collector', jsonLine(o.stdout) as Report | null, n, o),
  });

  console.log(
    `\n(b) CLI end to end: nopesight-scanner scan ${HOST} --protocols windows --ports 445`,
  );
  await compareWithReference({
    ...againstImpacket,
    ours: cliCmd,
    oursName: 'cli',
    check: (o, n) => check('ours: CLI', cliReport(o), n, o),
  });
} finally {
  tcp.remove();
  rmSync(tmp, { recursive: true, force: true });
}

console.log('\nRead (last run of each)');
const names = Object.keys(last).filter((k) => last[k]);
console.log(['item'.padEnd(16), ...names.map((k) => k.padStart(16))].join(' '));
for (const k of [...READ, 'rpcCalls', 'smbMessages'] as const) {
  console.log(
    [k.padEnd(16), ...names.map((n) => String(last[n]!.counts[k]).padStart(16))].join(' '),
  );
}
// Where the time goes: the RPC calls of each pipe (both sides make one call at a time) and the login.
for (const n of names) {
  const c = last[n]!.counts;
  const pipes = Object.entries(c.callsPerPipe).map(
    ([p, calls]) => `${p} ${calls} (${Math.round(c.msPerPipe[p] ?? 0)} ms)`,
  );
  const login = last[n]!.loginMs;
  const total = Math.round(Object.values(c.msPerPipe).reduce((a, b) => a + b, 0));
  console.log(
    `${n}: ${typeof login === 'number' ? `login ${login} ms, ` : ''}RPC calls ${total} ms: ${pipes.join(', ')}`,
  );
}
for (const s of SETS) {
  console.log(
    `${s} (${last['impacket']?.sets[s].length ?? 0}): ${last['impacket']?.sets[s].join(', ') ?? '-'}`,
  );
}
const sections = last['ours: collector']?.sections;
if (sections) {
  const off = Object.entries(sections).filter(([, v]) => v !== 'complete');
  console.log(
    `our sections not complete: ${off.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
  );
}
