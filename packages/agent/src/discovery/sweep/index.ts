// The liveness and port sweep: TCP connect (adaptive timeouts), optional ICMP and SNMP, streaming.
import type { SnmpV3EngineFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { FpingProber } from '../probes/icmp.js';
import type { SweepResult, Target } from '../types.js';
import { ConnectPool, type ConnectJob, type ConnectOutcome } from './connect-pool.js';
import { DEFAULT_TIMING, RttEstimator, TimingModel, type SweepTiming } from './timing.js';

export { ConnectPool, classifyConnectError } from './connect-pool.js';
export type { ConnectJob, ConnectOutcome, ConnectPoolStats } from './connect-pool.js';
export { DEFAULT_TIMING, RttEstimator, TimingModel, groupKey } from './timing.js';
export type { SweepTiming } from './timing.js';
export { TokenBucket } from './token-bucket.js';

/**
 * Answer of the injected SNMP prober (written elsewhere; the sweep only calls it): a community
 * that answered with its sysDescr, an SNMPv3 engine that answered the discovery, or both.
 */
export interface SnmpAnswer {
  community?: string;
  sysDescr?: string;
  snmpV3?: SnmpV3EngineFacts;
}

/** Counters handed to `onProgress` (at most every 250 ms, and once at the end). */
export interface SweepStats {
  /** Targets taken from the input iterator so far. */
  targetsPulled: number;
  /** Hosts finished (alive or not) and yielded. */
  hostsDone: number;
  hostsAlive: number;
  /** Hosts being swept right now. */
  hostsActive: number;
  openPorts: number;
  /** TCP connect attempts started, retries included. */
  attempts: number;
  retries: number;
  inFlight: number;
  queued: number;
  resourceBackoffs: number;
  /** Largest event-loop lag the timeout ticker saw (ms). */
  maxLagMs: number;
  /** False when ICMP was requested but fping is missing or not permitted. */
  icmpAvailable: boolean;
}

export interface SweepOptions {
  /** TCP ports to connect to on every host. */
  tcpPorts: readonly number[];
  /** UDP ports; only 161 is probed (through `snmpProbe`), others are ignored. */
  udpPorts?: readonly number[];
  /** Echo-probe every host with fping when it is installed and permitted. Default false. */
  icmp?: boolean;
  /** Sockets connecting at once. Default 2000. */
  maxInFlight?: number;
  /** Hosts swept at once. Default enough to keep `maxInFlight` sockets busy, twice over. */
  hostConcurrency?: number;
  /** Global limit on TCP connection attempts per second; 0 = unlimited (default). */
  rateLimitPps?: number;
  timing?: Partial<SweepTiming>;
  /** Aborting stops the sweep promptly: sockets destroyed, the generator throws ERR_ABORTED. */
  signal?: AbortSignal;
  onProgress?: (stats: SweepStats) => void;
  /** Called once per host when udpPorts has 161; null or a throw means no answer. */
  snmpProbe?: (address: string, signal: AbortSignal) => Promise<SnmpAnswer | null>;
  /** Time allowed to `snmpProbe` per host (ms) before its signal is aborted. Default 5000. */
  snmpTimeoutMs?: number;
}

/**
 * Sweeps `targets`, yielding one SweepResult per target as each host finishes (any order).
 *
 * Every target is yielded, alive or not, so the caller can count what was swept; callers
 * that report hosts keep those with `alive`. A host is alive when any TCP port answered (open
 * or refused), ICMP echo replied, or SNMP answered; unreachable errors and silence are not life.
 *
 * Targets are pulled only when there is room (hosts in progress, queued attempts and unconsumed
 * results are all bounded), so a /16 or larger sweeps in flat memory and a slow consumer
 * slows the sweep instead of growing a buffer.
 *
 * @example
 * for await (const r of sweep(targets, { tcpPorts: [22, 445], signal })) {
 *   if (r.alive) console.log(r.target.address, r.openTcp);
 * }
 */
export async function* sweep(
  targets: AsyncIterable<Target> | Iterable<Target>,
  opts: SweepOptions,
): AsyncGenerator<SweepResult> {
  const run = new SweepRun(targets, opts);
  try {
    while (true) {
      const r = await run.next();
      if (r === null) break;
      yield r;
    }
  } finally {
    run.close();
  }
}

class PortJob implements ConnectJob {
  readonly host: HostState;
  readonly port: number;
  tries = 0;
  constructor(host: HostState, port: number) {
    this.host = host;
    this.port = port;
  }
  get address(): string {
    return this.host.target.address;
  }
  timeoutMs(): number {
    return this.host.run.timing.timeoutMs(this.host.est, this.host.group);
  }
  settle(outcome: ConnectOutcome, rttMs: number): void {
    this.host.run.onPort(this, outcome, rttMs);
  }
}

interface HostState {
  run: SweepRun;
  target: Target;
  group: string;
  est: RttEstimator;
  /** Probes not finished yet (ports, plus ICMP and SNMP when used). */
  pending: number;
  open: number[];
  foundBy: Set<string>;
  snmp: SnmpAnswer | null;
  icmpRtt: number | null;
  startedAt: Date;
}

class SweepRun {
  readonly timing: TimingModel;
  readonly #it: AsyncIterator<Target> | Iterator<Target>;
  readonly #opts: SweepOptions;
  readonly #ports: number[];
  readonly #snmp: boolean;
  readonly #pool: ConnectPool;
  readonly #icmp: FpingProber | null;
  readonly #hostConcurrency: number;
  readonly #retries: number;
  readonly #signal: AbortSignal | undefined;
  #ready: SweepResult[] = [];
  #readyHead = 0;
  #active = 0;
  #pulling = false;
  #exhausted = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;
  #closed = false;
  #stats = {
    targetsPulled: 0,
    hostsDone: 0,
    hostsAlive: 0,
    openPorts: 0,
    retries: 0,
  };
  #lastProgress = 0;
  readonly #icmpController = new AbortController();
  readonly #snmpControllers = new Set<AbortController>();
  readonly #onAbort = (): void => this.#fail(abortError(this.#signal!));

  constructor(targets: AsyncIterable<Target> | Iterable<Target>, opts: SweepOptions) {
    this.#opts = opts;
    this.#it =
      Symbol.asyncIterator in targets
        ? targets[Symbol.asyncIterator]()
        : (targets as Iterable<Target>)[Symbol.iterator]();
    this.#ports = [...new Set(opts.tcpPorts)].sort((a, b) => a - b);
    for (const p of this.#ports) {
      if (!Number.isInteger(p) || p < 1 || p > 65535)
        throw new ScannerError('ERR_CONFIG_INVALID', `sweep: TCP port ${p} is out of range`);
    }
    const timing = { ...DEFAULT_TIMING, ...opts.timing };
    if (timing.minTimeoutMs > timing.maxTimeoutMs || timing.retries < 0)
      throw new ScannerError('ERR_CONFIG_INVALID', 'sweep: timing limits are inconsistent');
    this.timing = new TimingModel(timing);
    this.#retries = Math.floor(timing.retries);
    this.#snmp = (opts.udpPorts ?? []).includes(161) && opts.snmpProbe !== undefined;
    const maxInFlight = opts.maxInFlight ?? 2000;
    this.#pool = new ConnectPool({ maxInFlight, rateLimitPps: opts.rateLimitPps ?? 0 });
    this.#pool.onDrain = () => this.#fill();
    this.#hostConcurrency =
      opts.hostConcurrency ??
      Math.max(16, Math.ceil((2 * maxInFlight) / Math.max(1, this.#ports.length)));
    this.#icmp = opts.icmp
      ? new FpingProber({ timeoutMs: timing.initialTimeoutMs, signal: this.#icmpController.signal })
      : null;
    this.#signal = opts.signal;
    if (this.#signal?.aborted) this.#error = abortError(this.#signal);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The next finished host, or null when every target is done. Throws on abort. */
  async next(): Promise<SweepResult | null> {
    while (true) {
      if (this.#error) throw this.#error;
      if (this.#readyHead < this.#ready.length) {
        const r = this.#ready[this.#readyHead]!;
        this.#ready[this.#readyHead++] = undefined as unknown as SweepResult;
        if (this.#readyHead >= 1024 && this.#readyHead * 2 >= this.#ready.length) {
          this.#ready.splice(0, this.#readyHead);
          this.#readyHead = 0;
        }
        this.#fill();
        return r;
      }
      if (this.#exhausted && this.#active === 0 && !this.#pulling) {
        this.#progress(true);
        return null;
      }
      this.#fill();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#pool.close();
    this.#icmpController.abort();
    for (const c of this.#snmpControllers) c.abort();
    this.#snmpControllers.clear();
    if (!this.#exhausted) {
      this.#exhausted = true;
      // Let the input release its resources (a file, a generator's finally blocks).
      void Promise.resolve(this.#it.return?.()).catch(() => {});
    }
  }

  #fail(err: unknown): void {
    if (this.#error) return;
    this.#error = err;
    this.close();
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Pulls one target if there is room. Room means: fewer than hostConcurrency hosts in
   * progress, fewer than maxInFlight connects waiting for a socket (so sockets never starve but
   * the queue stays bounded) and fewer finished results waiting for the consumer.
   */
  #fill(): void {
    if (this.#pulling || this.#exhausted || this.#closed || this.#error) return;
    if (this.#active >= this.#hostConcurrency) return;
    if (this.#pool.queued >= this.#pool.maxInFlight) return;
    if (this.#ready.length - this.#readyHead >= this.#hostConcurrency) return;
    this.#pulling = true;
    let step: IteratorResult<Target> | Promise<IteratorResult<Target>>;
    try {
      step = this.#it.next();
    } catch (err) {
      this.#pulling = false;
      this.#fail(err);
      return;
    }
    if (step instanceof Promise) {
      step.then(
        (s) => this.#pulled(s),
        (err: unknown) => {
          this.#pulling = false;
          this.#fail(err);
        },
      );
    } else {
      // A synchronous iterable: no promise per target. Continue on a microtask so a long
      // fill cannot recurse deeply.
      queueMicrotask(() => this.#pulled(step as IteratorResult<Target>));
    }
  }

  #pulled(s: IteratorResult<Target>): void {
    this.#pulling = false;
    if (this.#closed) return;
    if (s.done) {
      this.#exhausted = true;
      this.#notify();
      return;
    }
    this.#stats.targetsPulled++;
    this.#startHost(s.value);
    this.#fill();
  }

  #startHost(target: Target): void {
    this.#active++;
    const host: HostState = {
      run: this,
      target,
      group: this.timing.join(target.address),
      est: new RttEstimator(),
      pending: this.#ports.length,
      open: [],
      foundBy: new Set(),
      snmp: null,
      icmpRtt: null,
      startedAt: new Date(),
    };
    for (const p of this.#ports) this.#pool.submit(new PortJob(host, p));
    if (this.#icmp) {
      host.pending++;
      void this.#icmp.ping(target.address).then((r) => {
        if (r?.alive) {
          host.foundBy.add('icmp');
          host.icmpRtt = r.rttMs;
        }
        this.#probeDone(host);
      });
    }
    if (this.#snmp) {
      host.pending++;
      void this.#probeSnmp(host);
    }
    if (host.pending === 0) queueMicrotask(() => this.#finishHost(host));
  }

  async #probeSnmp(host: HostState): Promise<void> {
    const ctl = new AbortController();
    this.#snmpControllers.add(ctl);
    const ms = this.#opts.snmpTimeoutMs ?? 5000;
    const timer = setTimeout(
      () => ctl.abort(new ScannerError('ERR_TIMEOUT', `snmp probe: no answer within ${ms} ms`)),
      ms,
    );
    try {
      // Race with our own abort so a prober that ignores its signal cannot stall the host.
      const aborted = new Promise<null>((resolve) =>
        ctl.signal.addEventListener('abort', () => resolve(null), { once: true }),
      );
      const answer = await Promise.race([
        this.#opts.snmpProbe!(host.target.address, ctl.signal),
        aborted,
      ]);
      if (answer && (answer.community !== undefined || answer.snmpV3)) {
        host.snmp = answer;
        host.foundBy.add('snmp');
      }
    } catch {
      // A failing prober means "no answer" for liveness; the SNMP collector reports errors.
    } finally {
      clearTimeout(timer);
      this.#snmpControllers.delete(ctl);
      this.#probeDone(host);
    }
  }

  /** Called by the pool for every attempt of every port. */
  onPort(job: PortJob, outcome: ConnectOutcome, rttMs: number): void {
    const host = job.host;
    if (this.#closed || outcome === 'aborted') return;
    job.tries++;
    switch (outcome) {
      case 'open':
        host.open.push(job.port);
        host.foundBy.add('tcp');
        this.timing.sample(host.est, host.group, rttMs);
        break;
      case 'closed':
        host.foundBy.add('tcp');
        this.timing.sample(host.est, host.group, rttMs);
        break;
      case 'timeout':
        // Silence may be a lost SYN: try again (first in line) before calling it filtered.
        if (job.tries <= this.#retries) {
          this.#stats.retries++;
          this.#pool.submit(job, true);
          return;
        }
        break;
      case 'unreachable':
        // An ICMP error or failed ARP is an answer about the path, final for this port.
        break;
    }
    this.#probeDone(host);
  }

  #probeDone(host: HostState): void {
    if (--host.pending === 0) this.#finishHost(host);
  }

  #finishHost(host: HostState): void {
    if (this.#closed) return;
    this.timing.leave(host.group);
    this.#active--;
    const alive = host.foundBy.size > 0;
    const result: SweepResult = {
      target: host.target,
      alive,
      foundBy: [...host.foundBy].sort(),
      openTcp: host.open.sort((a, b) => a - b),
      openUdp: host.snmp ? [161] : [],
      rttMs: host.est.srttMs ?? host.icmpRtt,
      startedAt: host.startedAt,
      finishedAt: new Date(),
    };
    if (host.snmp?.community !== undefined) {
      result.snmpSysDescr = host.snmp.sysDescr ?? '';
      result.snmpCommunity = host.snmp.community;
    }
    if (host.snmp?.snmpV3) result.snmpV3 = host.snmp.snmpV3;
    this.#stats.hostsDone++;
    if (alive) this.#stats.hostsAlive++;
    this.#stats.openPorts += host.open.length;
    this.#ready.push(result);
    this.#progress(false);
    this.#notify();
    this.#fill();
  }

  #progress(final: boolean): void {
    const cb = this.#opts.onProgress;
    if (!cb) return;
    const now = performance.now();
    if (!final && now - this.#lastProgress < 250) return;
    this.#lastProgress = now;
    const p = this.#pool.stats;
    cb({
      ...this.#stats,
      hostsActive: this.#active,
      attempts: p.attempts,
      inFlight: p.inFlight,
      queued: p.queued,
      resourceBackoffs: p.resourceBackoffs,
      maxLagMs: Math.round(p.maxLagMs),
      icmpAvailable: this.#icmp?.usable ?? false,
    });
  }
}

function abortError(signal: AbortSignal): ScannerError {
  return new ScannerError('ERR_ABORTED', 'sweep aborted', { cause: signal.reason });
}
