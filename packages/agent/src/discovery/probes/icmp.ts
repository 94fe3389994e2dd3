// ICMP echo through Debian's fping (Node has no raw sockets): batched, bounded, skipped if unusable.
import { spawn } from 'node:child_process';

/** What fping said about one address. */
export interface IcmpReply {
  alive: boolean;
  /** Round trip of the echo reply (fping -e), null when unreachable or not printed. */
  rttMs: number | null;
}

/**
 * Parses fping's per-target lines (`A is alive (0.06 ms)`, `A is unreachable`); other lines,
 * including stderr's ICMP error reports, are ignored (an ICMP error from a router does not make
 * the target alive). The last line about an address wins.
 */
export function parseFpingOutput(text: string): Map<string, IcmpReply> {
  const out = new Map<string, IcmpReply>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) is (alive|unreachable)(?: \(([\d.]+) ms\))?/.exec(line.trim());
    if (!m) continue;
    const alive = m[2] === 'alive';
    out.set(m[1]!, { alive, rttMs: alive && m[3] !== undefined ? Number(m[3]) : null });
  }
  return out;
}

/** True when fping's stderr says it may not open an ICMP socket (no root, no cap_net_raw). */
export function isFpingPermissionError(stderr: string): boolean {
  return /can't create socket|Operation not permitted|must run as root|permission denied/i.test(
    stderr,
  );
}

export interface FpingProberOptions {
  /** Per-target timeout of the first echo (fping -t); one retry (-r 1) doubles the wait. */
  timeoutMs: number;
  /** Addresses per fping process (fed on stdin, so no argv size limit applies). */
  batchSize?: number;
  /** fping processes at once. */
  concurrency?: number;
  /** How long addresses wait for a batch to fill before it is sent anyway (ms). */
  lingerMs?: number;
  /** Executable; tests point this at a missing path. */
  command?: string;
  signal: AbortSignal;
}

interface Waiter {
  address: string;
  resolve: (r: IcmpReply | null) => void;
}

/**
 * Collects addresses from many concurrent `ping()` calls into fping batches. `ping` resolves
 * null when ICMP cannot be used (fping missing, not permitted, aborted) — the sweep then relies
 * on TCP alone; once fping is found unusable the prober stops spawning it for the whole scan.
 */
export class FpingProber {
  readonly #opts: Required<Omit<FpingProberOptions, 'signal'>> & { signal: AbortSignal };
  #pending: Waiter[] = [];
  #queue: Waiter[][] = [];
  #running = new Set<ReturnType<typeof spawn>>();
  #linger: NodeJS.Timeout | null = null;
  #unusable = false;

  constructor(opts: FpingProberOptions) {
    this.#opts = {
      batchSize: 256,
      concurrency: 2,
      lingerMs: 20,
      command: 'fping',
      ...opts,
    };
    opts.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** False once fping turned out missing or not permitted. */
  get usable(): boolean {
    return !this.#unusable;
  }

  /** Echo-probes one address; resolves with the reply, or null when ICMP is unavailable. */
  ping(address: string): Promise<IcmpReply | null> {
    if (this.#unusable || this.#opts.signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#pending.push({ address, resolve });
      if (this.#pending.length >= this.#opts.batchSize) this.#flush();
      else if (!this.#linger) this.#linger = setTimeout(() => this.#flush(), this.#opts.lingerMs);
    });
  }

  /** Kills running fping processes (by their PID, through the child handle) and resolves all. */
  close(): void {
    this.#unusable = true;
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = null;
    for (const c of this.#running) c.kill('SIGKILL');
    const all = [...this.#pending, ...this.#queue.flat()];
    this.#pending = [];
    this.#queue = [];
    for (const w of all) w.resolve(null);
  }

  #flush(): void {
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = null;
    if (this.#pending.length === 0) return;
    this.#queue.push(this.#pending);
    this.#pending = [];
    this.#next();
  }

  #next(): void {
    while (this.#running.size < this.#opts.concurrency && this.#queue.length > 0) {
      this.#run(this.#queue.shift()!);
    }
  }

  #run(batch: Waiter[]): void {
    const { timeoutMs, command } = this.#opts;
    const t = Math.max(50, Math.round(timeoutMs));
    // -r 1: one retry; -B 1: the retry waits the same timeout; -i 1: 1 ms between echoes.
    const child = spawn(command, ['-e', '-r', '1', '-B', '1', '-i', '1', '-t', String(t)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      // Only the head of stderr matters (the permission message); keep it bounded.
      if (stderr.length < 4096) stderr += d;
    });
    // Bound the process: two echoes per target spaced 1 ms, each waiting t, plus slack.
    const budget = 2 * t + batch.length * 2 + 2000;
    const killer = setTimeout(() => child.kill('SIGKILL'), budget);
    let settled = false;
    const finish = (spawnFailed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killer);
      this.#running.delete(child);
      if (spawnFailed || isFpingPermissionError(stderr)) this.#unusable = true;
      const replies = parseFpingOutput(stdout);
      for (const w of batch) {
        const r = replies.get(w.address);
        w.resolve(this.#unusable && !r ? null : (r ?? { alive: false, rttMs: null }));
      }
      if (this.#unusable) this.close();
      else this.#next();
    };
    child.on('error', () => finish(true));
    child.on('close', () => finish(false));
    child.stdin.on('error', () => {});
    child.stdin.end(batch.map((w) => w.address).join('\n') + '\n');
  }
}
