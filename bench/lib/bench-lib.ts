// Shared bench plumbing: lab-namespace guard, timed child runs with peak RSS, nmap/our parsers, stats.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Repository root (bench/lib/../..). */
export const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The command that runs our sweep and prints one JSON line per alive host: the real CLI, doing
 * what `nmap -sT -Pn -n` does (TCP connect to the given ports; no ICMP, no reverse DNS, no
 * service fingerprints, no collection). NOPESIGHT_BENCH_DRIVER=driver runs sweep() alone
 * through bench/lib/sweep-driver.ts instead, to separate the sweep from the CLI around it.
 */
export const ourCommand = (ports: readonly number[], targets: readonly string[]): string[] =>
  process.env.NOPESIGHT_BENCH_DRIVER === 'driver'
    ? [
        process.execPath,
        '--import',
        'tsx',
        'bench/lib/sweep-driver.ts',
        '--ports',
        ports.join(','),
        ...targets,
      ]
    : [
        process.execPath,
        'packages/agent/bin/nopesight-scanner.js',
        'scan',
        '--protocols',
        'none',
        '--no-fingerprint',
        '--jsonl',
        '-',
        '-n',
        '--no-icmp',
        '--no-progress',
        '--no-upload',
        '--data-dir',
        '/tmp/nopesight-bench-data',
        '--ports',
        ports.join(','),
        ...targets,
      ];

/** Command line flags common to every bench: --runs N (default 3). */
export function parseBenchArgs(argv: string[], defaultRuns = 3): { runs: number } {
  let runs = defaultRuns;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i]?.startsWith('--runs=')) runs = Number(argv[i]!.slice(7));
  }
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs must be 1..50');
  return { runs };
}

/**
 * Refuses to run outside a lab namespace: there must be no default route (so no packet can
 * leave the lab) and a route covering the lab prefix. bench/run.sh enters nsl-scan for you.
 */
export function assertInLab(): void {
  const r = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });
  const routes = r.stdout ?? '';
  if (r.status !== 0 || /^default /m.test(routes) || !/^198\.1[89]\./m.test(routes)) {
    console.error(
      'bench: not inside the lab scanner namespace (a default route exists or no lab route).\n' +
        'Run through bench/run.sh, which uses `ip netns exec nsl-scan`.',
    );
    process.exit(2);
  }
}

export interface TimedRun {
  ms: number;
  stdout: string;
  stderr: string;
  status: number | null;
  /** Highest VmHWM (kB) read from /proc/<pid>/status while the child ran. */
  peakRssKb: number | null;
}

/**
 * Runs a command to completion with a hard time limit (killed by its PID past `limitMs`),
 * polling its VmHWM every 100 ms (VmHWM only grows, so the last read is the peak so far).
 */
export function runTimed(cmd: string[], limitMs: number): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peak: number | null = null;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak ?? 0, Number(m[1]));
      } catch {
        // The child exited between polls.
      }
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (e) => {
      clearInterval(poll);
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', (status) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({
        ms: performance.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        status,
        peakRssKb: peak,
      });
    });
  });
}

/** Open TCP ports per host from nmap's grepable output (-oG -); hosts without open ports omitted. */
export function parseNmapGrepable(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const m = /^Host: (\S+) .*\tPorts: (.*?)(?:\t|$)/.exec(line);
    if (!m) continue;
    const open = m[2]!
      .split(', ')
      .map((p) => p.split('/'))
      .filter((f) => f[1] === 'open' && f[2] === 'tcp')
      .map((f) => Number(f[0]))
      .sort((a, b) => a - b);
    if (open.length > 0) out.set(m[1]!, open);
  }
  return out;
}

/**
 * Open TCP ports per host from our JSON lines (hosts without open ports omitted): the driver's
 * `{address, openTcp}` or the CLI's host records `{address, discovery: {openPorts}}`.
 */
export function parseOurJsonl(text: string): { open: Map<string, number[]>; alive: Set<string> } {
  const open = new Map<string, number[]>();
  const alive = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as {
      address?: string;
      openTcp?: number[];
      discovery?: { openPorts: { port: number; proto: string }[] };
    };
    if (typeof r.address !== 'string') continue;
    const ports =
      r.openTcp ?? r.discovery?.openPorts.filter((p) => p.proto === 'tcp').map((p) => p.port) ?? [];
    alive.add(r.address);
    if (ports.length > 0)
      open.set(
        r.address,
        [...ports].sort((x, y) => x - y),
      );
  }
  return { open, alive };
}

/** Differences between two port maps, as readable lines (empty when identical). */
export function diffPortMaps(
  a: Map<string, number[]>,
  b: Map<string, number[]>,
  aName: string,
  bName: string,
): string[] {
  const diffs: string[] = [];
  for (const addr of new Set([...a.keys(), ...b.keys()])) {
    const x = (a.get(addr) ?? []).join(',');
    const y = (b.get(addr) ?? []).join(',');
    if (x !== y) diffs.push(`${addr}: ${aName} [${x}] vs ${bName} [${y}]`);
  }
  return diffs;
}

/** The summary line our driver prints on stderr (stats, duration, its own VmHWM). */
export function parseDriverSummary(
  stderr: string,
): { vmHwmKb: number | null } & Record<string, unknown> {
  const line = stderr
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"summary"'));
  return line ? (JSON.parse(line) as { vmHwmKb: number | null }) : { vmHwmKb: null };
}

export function minMedMax(values: number[]): { min: number; median: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

export const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const fmtMmm = (v: { min: number; median: number; max: number }, f: (n: number) => string) =>
  `min ${f(v.min)}  median ${f(v.median)}  max ${f(v.max)}`;

/** What a side-by-side bench checks in one run: correct or not, a summary, details to print. */
export interface RunCheck {
  ok: boolean;
  summary: string;
  details: string[];
  /** Extra per-run figures (round trips, item counts…), summarised as min/median/max at the end. */
  figures?: Record<string, number>;
}

/** Which side of a comparison a hook is called for. */
export type Side = 'ours' | 'reference';

/**
 * Runs our command and the reference tool `runs` times, alternating which goes first so neither
 * always inherits a warm (or cold) lab; checks each run's outputs with `check`; prints each run,
 * then min/median/max of both times, of the ratio ours/reference and of the check's `figures`.
 * `warmup` runs each side once first, unchecked and untimed. `before`/`after` run around every
 * run of a side, outside its timing (reset a counter, stop what a tool left behind).
 * Sets the exit code: 0 when every run was correct and the median ratio meets `targetRatio`, 1
 * when a run was wrong or failed, 3 when only the ratio was missed; a bench that compares more
 * than once keeps the worst (1 over 3 over 0).
 */
export async function compareWithReference(opts: {
  runs: number;
  ours: string[];
  reference: string[];
  referenceName: string;
  /** Our label in the output; default `ours`. */
  oursName?: string;
  limitMs: number;
  targetRatio: number;
  warmup?: boolean;
  before?: (side: Side) => void | Promise<void>;
  after?: (side: Side, run: TimedRun) => void | Promise<void>;
  check: (ours: TimedRun, reference: TimedRun) => RunCheck;
}): Promise<void> {
  const ours: number[] = [];
  const ref: number[] = [];
  const ratios: number[] = [];
  const figures = new Map<string, number[]>();
  let failures = 0;
  const name = opts.referenceName;
  const me = opts.oursName ?? 'ours';
  const runSide = async (side: Side): Promise<TimedRun> => {
    await opts.before?.(side);
    const r = await runTimed(side === 'ours' ? opts.ours : opts.reference, opts.limitMs);
    await opts.after?.(side, r);
    return r;
  };
  if (opts.warmup) {
    for (const side of ['ours', 'reference'] as const) {
      const w = await runSide(side);
      console.log(`warm-up ${side === 'ours' ? me : name}: ${fmtS(w.ms)} (exit ${w.status})`);
    }
  }
  for (let i = 0; i < opts.runs; i++) {
    const order: Side[] = i % 2 === 0 ? ['ours', 'reference'] : ['reference', 'ours'];
    const res: Partial<Record<Side, TimedRun>> = {};
    for (const side of order) res[side] = await runSide(side);
    const o = res.ours!;
    const n = res.reference!;
    if (o.status !== 0 || n.status !== 0) {
      console.error(
        `run ${i + 1}: exit status ${me} ${o.status}, ${name} ${n.status}\n${o.stderr}${n.status !== 0 ? n.stderr : ''}`,
      );
      failures++;
      continue;
    }
    const verdict = opts.check(o, n);
    if (!verdict.ok) failures++;
    const ratio = o.ms / n.ms;
    ours.push(o.ms);
    ref.push(n.ms);
    ratios.push(ratio);
    for (const [k, v] of Object.entries(verdict.figures ?? {})) {
      figures.set(k, [...(figures.get(k) ?? []), v]);
    }
    console.log(
      `run ${i + 1}: ${me} ${fmtS(o.ms)}  ${name} ${fmtS(n.ms)}  ratio ${ratio.toFixed(3)}  ${verdict.summary}`,
    );
    for (const d of verdict.details.slice(0, 10)) console.log(`  ${d}`);
  }
  const worst = (code: number): void => {
    const prev = Number(process.exitCode ?? 0);
    process.exitCode = prev === 1 || code === 1 ? 1 : Math.max(prev, code);
  };
  if (ours.length === 0) {
    worst(1);
    return;
  }
  const r = minMedMax(ratios);
  const width = Math.max(6, name.length, me.length, ...[...figures.keys()].map((k) => k.length));
  console.log(`${me.padEnd(width)} ${fmtMmm(minMedMax(ours), fmtS)}`);
  console.log(`${name.padEnd(width)} ${fmtMmm(minMedMax(ref), fmtS)}`);
  console.log(
    `${'ratio'.padEnd(width)} ${fmtMmm(r, (x) => x.toFixed(3))}  (target <= ${opts.targetRatio})`,
  );
  for (const [k, v] of figures) console.log(`${k.padEnd(width)} ${fmtMmm(minMedMax(v), String)}`);
  const met = r.median <= opts.targetRatio;
  console.log(
    `result: ${failures === 0 ? 'correct' : `${failures} run(s) incorrect`}, ratio ${met ? 'met' : 'NOT met'}`,
  );
  worst(failures > 0 ? 1 : met ? 0 : 3);
}
