// Bench: full SSH inventory of the lab's sshd host against `ansible -m setup`: wall time, SSH round
// trips and what each side collected. Ours twice: the collector alone, then the CLI end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS, SSH_USERS, sshKeyPath } from '../test/lab/lab-hosts.js';
import {
  assertInLab,
  compareWithReference,
  parseBenchArgs,
  ROOT,
  type RunCheck,
  type Side,
  type TimedRun,
} from './lib/bench-lib.js';
import {
  ansibleCounts,
  COUNTED,
  oursCounts,
  parseAnsibleSetup,
  parseChannelCounts,
  stopControlMasters,
  SynCounter,
  type Counts,
  type DriverReport,
} from './lib/ssh-inventory-lib.js';

/** "Faster than ansible": our median wall time must be below its. */
const TARGET_RATIO = 1;
const LIMIT_MS = 180_000;
const HOST = HOSTS.ssh;

const argv = process.argv.slice(2);
const { runs } = parseBenchArgs(argv, 5);
// --user admin (default): labadmin, password, passwordless sudo; ours collects with sudo and
// ansible runs setup with --become. --user key: labkey, key only, no sudo on either side.
const userAt = argv.indexOf('--user');
const userArg =
  userAt >= 0 ? argv[userAt + 1] : argv.find((a) => a.startsWith('--user='))?.slice(7);
if (userArg !== undefined && userArg !== 'admin' && userArg !== 'key') {
  throw new Error('--user must be admin or key');
}
const asKey = userArg === 'key';
assertInLab();

const tmp = mkdtempSync('/tmp/nopesight-bench-ssh-');
const dataDir = join(tmp, 'data');
const cliJson = join(tmp, 'scan.json');
const controlDir = join(tmp, 'ansible-cp');
const user = asKey ? SSH_USERS.keyOnly : SSH_USERS.admin;
const bin = 'packages/agent/bin/nopesight-scanner.js';

// The CLI's credential, stored the documented way (credentials add --stdin) in a fresh data dir.
const secret = asKey
  ? { privateKey: readFileSync(sshKeyPath, 'utf8') }
  : { password: SSH_USERS.admin.password };
const add = spawnSync(
  process.execPath,
  [
    ...[bin, 'credentials', 'add', 'ssh', '--name', 'bench', '--username', user.username],
    ...['--sudo', asKey ? 'none' : 'nopasswd', '--scope', HOST, '--stdin', '--data-dir', dataDir],
  ],
  { cwd: ROOT, input: JSON.stringify(secret), encoding: 'utf8' },
);
if (add.status !== 0) throw new Error(`credentials add failed: ${add.stderr}`);
// ansible's password goes in a vars file, not on its command line.
writeFileSync(join(tmp, 'vars.json'), JSON.stringify({ ansible_password: secret.password }), {
  mode: 0o600,
});

const driverCmd = [
  ...[process.execPath, '--import', 'tsx', 'bench/lib/ssh-inventory-driver.ts'],
  ...(asKey ? ['--user=key'] : []),
];
// --ports 22: ansible is handed the host and port; the default port list would add the sweep of
// seven TCP ports and UDP/161 to our side only (see bench/README.md).
const cliCmd = [
  ...[process.execPath, '--import', './bench/lib/ssh-channel-counter.mjs', bin, 'scan', HOST],
  ...['--protocols', 'ssh', '--ports', '22', '--json', cliJson, '--data-dir', dataDir],
  '--no-progress',
];
const ansibleCmd = [
  'env',
  'ANSIBLE_HOST_KEY_CHECKING=False',
  // ansible's default ssh arguments plus no known_hosts: a lab rebuilt with new host keys must
  // not meet a stale entry in the user's ~/.ssh/known_hosts (ssh then refuses passwords).
  'ANSIBLE_SSH_ARGS=-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null',
  'ANSIBLE_NOCOLOR=1',
  `ANSIBLE_SSH_CONTROL_PATH_DIR=${controlDir}`,
  `ANSIBLE_LOCAL_TEMP=${join(tmp, 'ansible-tmp')}`,
  ...['ansible', 'all', '-i', `${HOST},`, '-m', 'setup', '-u', user.username, '-vvv'],
  ...(asKey ? ['--private-key', sshKeyPath] : ['-e', `@${join(tmp, 'vars.json')}`, '--become']),
];

const syn = new SynCounter(HOST, 22);
const lastSyn: Record<Side, number> = { ours: 0, reference: 0 };
const before = (): void => void syn.take();
const after = (side: Side): void => {
  // Each ansible run starts cold: its ControlPersist master (60 s by default) is stopped here,
  // outside the timing, so the next run cannot reuse it.
  if (side === 'reference') stopControlMasters(controlDir, HOST);
  lastSyn[side] = syn.take();
};

/** The last run's collected counts per side, in this column order. */
const table: Record<string, { counts: Counts; sections: string } | undefined> = {
  'ours: collector': undefined,
  'ours: CLI': undefined,
  'ansible -m setup': undefined,
};

/** Checks ansible's side of a run: facts returned; its round-trip figures. */
function ansibleSide(n: TimedRun): { ok: boolean; text: string; figures: Record<string, number> } {
  const a = parseAnsibleSetup(n.stdout);
  if (a.facts) {
    table['ansible -m setup'] = {
      counts: ansibleCounts(a.facts),
      sections: `${Object.keys(a.facts).length} fact keys`,
    };
  }
  const mux = a.controlPersist ? 'ControlPersist' : 'no multiplexing';
  return {
    ok: a.facts !== null,
    text: `ansible ${lastSyn.reference} TCP / ${a.sshExecs} ssh execs (${a.sftp} sftp, ${mux})`,
    figures: { 'ansible TCP': lastSyn.reference, 'ansible execs': a.sshExecs },
  };
}

function sectionSummary(sections: Record<string, string>): string {
  const off = Object.entries(sections).filter(([, s]) => s !== 'complete');
  return off.length === 0 ? 'all complete' : off.map(([k, s]) => `${k}: ${s}`).join(', ');
}

/** What both comparisons share: ansible as the reference, warm-up, the SYN counter around runs. */
const againstAnsible = {
  runs,
  reference: ansibleCmd,
  referenceName: 'ansible',
  limitMs: LIMIT_MS,
  targetRatio: TARGET_RATIO,
  warmup: true,
  before,
  after,
};

const privilege = asKey ? 'no sudo' : 'sudo (nopasswd) / --become';
console.log(
  `ssh-inventory: ${HOST} as ${user.username} (${privilege}), ${runs} run(s) after one warm-up each`,
);

console.log('\n(a) collector alone: openSsh + collectSshInventory (tsx) vs ansible -m setup');
await compareWithReference({
  ...againstAnsible,
  ours: driverCmd,
  oursName: 'collector',
  check: (o, n): RunCheck => {
    const line = o.stdout.split('\n').find((l) => l.startsWith('{'));
    const r = line ? (JSON.parse(line) as DriverReport) : null;
    const a = ansibleSide(n);
    if (!r) return { ok: false, summary: 'no driver report', details: [o.stderr.slice(0, 500)] };
    table['ours: collector'] = { counts: r.counts, sections: sectionSummary(r.sections) };
    const ok = a.ok && r.error === null && r.execChannels === 1;
    return {
      ok,
      summary:
        `(in-process: connect ${r.connectMs} ms + collect ${r.collectMs} ms, ${r.privilege})  ` +
        `round trips: ours ${lastSyn.ours} TCP / ${r.execChannels} exec; ${a.text}`,
      details: ok ? [] : [`error ${r.error}`, n.stdout.slice(-500)],
      figures: {
        'ours TCP': lastSyn.ours,
        'ours execs': r.execChannels,
        'in-process ms': r.connectMs + r.collectMs,
        ...a.figures,
      },
    };
  },
});

console.log(
  `\n(b) CLI end to end: nopesight-scanner scan ${HOST} --protocols ssh --ports 22 --json`,
);
await compareWithReference({
  ...againstAnsible,
  ours: cliCmd,
  oursName: 'cli',
  check: (o, n): RunCheck => {
    const a = ansibleSide(n);
    const ch = parseChannelCounts(o.stderr);
    const doc = JSON.parse(readFileSync(cliJson, 'utf8')) as {
      hosts: { ci: unknown; sections: Record<string, string>; protocols: { status: string }[] }[];
    };
    const host = doc.hosts[0];
    if (host)
      table['ours: CLI'] = { counts: oursCounts(host.ci), sections: sectionSummary(host.sections) };
    const ok = a.ok && ch !== null && host?.protocols[0]?.status === 'success';
    const channels = ch ? ch.exec + ch.shell + ch.sftp + ch.subsys : -1;
    return {
      ok,
      summary:
        `round trips: ours ${lastSyn.ours} TCP (${ch?.connections ?? '?'} SSH logins) / ` +
        `${channels} exec; ${a.text}`,
      details: ok ? [] : [o.stderr.slice(-500)],
      figures: {
        'ours TCP': lastSyn.ours,
        'ours logins': ch?.connections ?? -1,
        'ours execs': channels,
        ...a.figures,
      },
    };
  },
});

syn.remove();
stopControlMasters(controlDir, HOST);
rmSync(tmp, { recursive: true, force: true });

console.log('\nCollected (last run of each; "-": that side has no such list)');
const names = Object.keys(table).filter((n) => table[n]);
console.log(['item'.padEnd(12), ...names.map((n) => n.padStart(17))].join(' '));
for (const k of COUNTED) {
  const cells = names.map((n) => String(table[n]!.counts[k] ?? '-').padStart(17));
  console.log([k.padEnd(12), ...cells].join(' '));
}
for (const n of names) console.log(`${n}: ${table[n]!.sections}`);
console.log(
  'disks/filesystems: ansible lists loop and zram devices and every mount (the lab host bind-mounts\n' +
    'its /etc files); ours leaves loop/zram devices out and reads filesystems from df.',
);
