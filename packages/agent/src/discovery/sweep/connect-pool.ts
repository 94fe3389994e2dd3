// The socket pool behind the sweep: bounded in-flight TCP connects, one shared timeout ticker.
import { Socket } from 'node:net';
import { TokenBucket } from './token-bucket.js';

/**
 * What one connect attempt learnt. `open`: SYN-ACK (handshake completed). `closed`: RST
 * (ECONNREFUSED). `unreachable`: an ICMP error or a failed ARP (EHOSTUNREACH, ENETUNREACH),
 * or a local firewall (EACCES, EPERM) — nothing from the host itself. `timeout`: no answer
 * within the adaptive timeout. `aborted`: the sweep was cancelled.
 */
export type ConnectOutcome = 'open' | 'closed' | 'unreachable' | 'timeout' | 'aborted';

/** One port of one host, submitted to the pool once per attempt. */
export interface ConnectJob {
  readonly address: string;
  readonly port: number;
  /** Current timeout for this job; re-read at every check so an RTT learnt meanwhile applies. */
  timeoutMs(): number;
  /** Called exactly once per submission, from an I/O or timer callback, never synchronously. */
  settle(outcome: ConnectOutcome, rttMs: number): void;
}

export interface ConnectPoolOptions {
  /** Sockets connecting at once (file descriptors and ephemeral ports are the limit). */
  maxInFlight: number;
  /** Connection attempts per second, 0 = unlimited. */
  rateLimitPps: number;
  /** Period of the shared timeout ticker (ms). */
  tickMs?: number;
  /** Monotonic clock in ms (tests inject a fake one). */
  now?: () => number;
  /** Socket factory (tests inject fakes); defaults to `new Socket()`. */
  createSocket?: () => Socket;
}

export interface ConnectPoolStats {
  inFlight: number;
  queued: number;
  attempts: number;
  /** Attempts put back because the OS ran out of descriptors, ports or buffers. */
  resourceBackoffs: number;
  /** Largest event-loop lag seen by the ticker (ms): how late timeouts could have been judged. */
  maxLagMs: number;
}

/** One in-flight connect (exported for the socket listeners' typing only). */
export interface ConnectAttempt {
  job: ConnectJob;
  socket: Socket;
  start: number;
  /** Tick number at which the attempt was first seen past its timeout (0 = not yet). */
  suspect: number;
  done: boolean;
}

// Errors meaning "the OS is out of something right now": never a fact about the target.
const RESOURCE_ERRORS = new Set([
  'EMFILE',
  'ENFILE',
  'EADDRNOTAVAIL',
  'ENOBUFS',
  'EAGAIN',
  'ENOMEM',
]);
const UNREACHABLE_ERRORS = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EACCES',
  'EPERM',
]);
// How many sockets one pump pass opens before yielding to the loop, so completions of earlier
// connects are read promptly and start times stay close to the real connect() syscalls.
const LAUNCH_BATCH = 256;
const kAttempt = Symbol('attempt');
const kPool = Symbol('pool');
type PoolSocket = Socket & { [kAttempt]?: ConnectAttempt; [kPool]?: ConnectPool };

/**
 * A bounded pool of connect attempts. Jobs wait in two FIFO queues (retries first, so hosts
 * finish and release memory sooner) until a socket slot and a rate token are free. One ticker
 * checks every in-flight attempt against its job's current timeout instead of a timer per
 * socket: at thousands of sockets one interval is cheaper than arming and clearing a timer each.
 *
 * A late ticker must not turn an answered port into a timeout: the timers phase runs before the
 * poll phase that would deliver a SYN-ACK already queued in the kernel. So an attempt past its
 * timeout is only marked suspect; it is called a timeout on a later tick (a poll phase has run
 * in between) and only if it is still past its timeout plus the loop lag measured by the ticker.
 */
export class ConnectPool {
  readonly #maxInFlight: number;
  #limit: number;
  readonly #tickMs: number;
  readonly #now: () => number;
  readonly #createSocket: () => Socket;
  readonly #bucket: TokenBucket;
  readonly #inFlight = new Set<ConnectAttempt>();
  readonly #retryQ: ConnectJob[] = [];
  #retryHead = 0;
  readonly #freshQ: ConnectJob[] = [];
  #freshHead = 0;
  #ticker: NodeJS.Timeout | null = null;
  #tickNo = 0;
  #lastTick = 0;
  #lag = 0;
  #maxLag = 0;
  #pumpScheduled = false;
  #wakeTimer: NodeJS.Timeout | null = null;
  #pausedUntil = 0;
  #backoffMs = 0;
  #attempts = 0;
  #resourceBackoffs = 0;
  #closed = false;
  #unstamped: ConnectAttempt[] = [];
  /** Called after settled attempts free slots (the sweep refills its queue from targets). */
  onDrain: (() => void) | null = null;

  constructor(opts: ConnectPoolOptions) {
    this.#maxInFlight = Math.max(1, Math.floor(opts.maxInFlight));
    this.#limit = this.#maxInFlight;
    this.#tickMs = opts.tickMs ?? 10;
    this.#now = opts.now ?? (() => performance.now());
    this.#createSocket = opts.createSocket ?? (() => new Socket());
    this.#bucket = new TokenBucket(opts.rateLimitPps, this.#now);
  }

  get stats(): ConnectPoolStats {
    return {
      inFlight: this.#inFlight.size,
      queued: this.queued,
      attempts: this.#attempts,
      resourceBackoffs: this.#resourceBackoffs,
      maxLagMs: this.#maxLag,
    };
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  get queued(): number {
    return this.#retryQ.length - this.#retryHead + (this.#freshQ.length - this.#freshHead);
  }

  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** Queues a job; `retry` jobs go before fresh ones. Its `settle` is called later, once. */
  submit(job: ConnectJob, retry = false): void {
    if (this.#closed) {
      queueMicrotask(() => job.settle('aborted', 0));
      return;
    }
    (retry ? this.#retryQ : this.#freshQ).push(job);
    this.#schedulePump();
  }

  /** Cancels everything: in-flight sockets destroyed, queued jobs settled as `aborted`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTicker();
    if (this.#wakeTimer) clearTimeout(this.#wakeTimer);
    const pending: ConnectJob[] = [];
    for (const a of this.#inFlight) {
      a.done = true;
      a.socket.destroy();
      pending.push(a.job);
    }
    this.#inFlight.clear();
    pending.push(...this.#retryQ.slice(this.#retryHead), ...this.#freshQ.slice(this.#freshHead));
    this.#retryQ.length = this.#freshQ.length = this.#retryHead = this.#freshHead = 0;
    queueMicrotask(() => {
      for (const j of pending) j.settle('aborted', 0);
    });
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#closed) return;
    this.#pumpScheduled = true;
    // setImmediate runs after the poll phase: all completions read in this loop turn have
    // freed their slots, so one pump refills them all at once.
    setImmediate(this.#pump);
  }

  #nextJob(): ConnectJob | undefined {
    if (this.#retryHead < this.#retryQ.length) {
      const j = this.#retryQ[this.#retryHead++];
      if (this.#retryHead > 1024 && this.#retryHead * 2 > this.#retryQ.length) {
        this.#retryQ.splice(0, this.#retryHead);
        this.#retryHead = 0;
      }
      return j;
    }
    if (this.#freshHead < this.#freshQ.length) {
      const j = this.#freshQ[this.#freshHead++];
      if (this.#freshHead > 1024 && this.#freshHead * 2 > this.#freshQ.length) {
        this.#freshQ.splice(0, this.#freshHead);
        this.#freshHead = 0;
      }
      return j;
    }
    return undefined;
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    if (this.#closed) return;
    const now = this.#now();
    if (now < this.#pausedUntil) {
      this.#wakeIn(this.#pausedUntil - now);
      return;
    }
    let launched = 0;
    while (this.#inFlight.size < this.#limit && this.queued > 0) {
      if (launched >= LAUNCH_BATCH) {
        this.#schedulePump();
        break;
      }
      if (!this.#bucket.tryTake()) {
        this.#wakeIn(this.#bucket.waitMs());
        break;
      }
      const job = this.#nextJob()!;
      this.#launch(job, now);
      launched++;
    }
    if (launched > 0) {
      this.#startTicker();
      // net.Socket issues connect() for a literal address on the next tick; stamp the start
      // times after those syscalls so a long launch batch does not inflate measured RTTs.
      process.nextTick(this.#stamp);
    }
    if (this.queued < this.#maxInFlight) this.onDrain?.();
  };

  readonly #stamp = (): void => {
    const t = this.#now();
    for (const a of this.#unstamped) a.start = t;
    this.#unstamped.length = 0;
  };

  #wakeIn(ms: number): void {
    if (this.#wakeTimer) return;
    this.#wakeTimer = setTimeout(
      () => {
        this.#wakeTimer = null;
        this.#schedulePump();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  #launch(job: ConnectJob, now: number): void {
    this.#attempts++;
    const socket = this.#createSocket() as PoolSocket;
    const a: ConnectAttempt = { job, socket, start: now, suspect: 0, done: false };
    socket[kAttempt] = a;
    socket[kPool] = this;
    socket.once('connect', onConnect);
    socket.on('error', onError);
    this.#inFlight.add(a);
    this.#unstamped.push(a);
    socket.connect({ port: job.port, host: job.address });
  }

  /** Settles an attempt from a socket event (called by the module-level listeners). */
  finish(a: ConnectAttempt, outcome: ConnectOutcome | 'resource'): void {
    if (a.done) return;
    a.done = true;
    this.#inFlight.delete(a);
    const rtt = this.#now() - a.start;
    if (outcome === 'open') {
      // RST instead of FIN: no TIME_WAIT, no ephemeral port held for a minute, and the
      // service never sees a half-open session it would log as an error.
      a.socket.resetAndDestroy();
    } else {
      a.socket.destroy();
    }
    if (outcome === 'resource') {
      // The OS is out of descriptors/ports/buffers: put the job back first in line, shrink the
      // in-flight limit (multiplicative decrease) and pause briefly; the port is never judged.
      this.#resourceBackoffs++;
      this.#limit = Math.max(16, Math.floor(this.#inFlight.size * 0.75));
      this.#backoffMs = Math.min(1000, this.#backoffMs === 0 ? 10 : this.#backoffMs * 2);
      this.#pausedUntil = this.#now() + this.#backoffMs;
      this.#retryQ.splice(this.#retryHead, 0, a.job);
      this.#schedulePump();
      return;
    }
    if (this.#limit < this.#maxInFlight) this.#limit++;
    else this.#backoffMs = 0;
    a.job.settle(outcome, rtt);
    this.#schedulePump();
  }

  #startTicker(): void {
    if (this.#ticker) return;
    this.#lastTick = this.#now();
    this.#ticker = setInterval(this.#tick, this.#tickMs);
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }

  readonly #tick = (): void => {
    const now = this.#now();
    this.#tickNo++;
    // Loop lag: how much later than scheduled this tick runs. It decays by 10% per tick, so a
    // stall widens timeouts for the next ~200 ms and sustained load keeps them widened.
    const lag = Math.max(0, now - this.#lastTick - this.#tickMs);
    this.#lastTick = now;
    this.#lag = Math.max(lag, this.#lag * 0.9);
    if (lag > this.#maxLag) this.#maxLag = lag;
    for (const a of this.#inFlight) {
      const limit = a.job.timeoutMs();
      const elapsed = now - a.start;
      if (elapsed <= limit) {
        a.suspect = 0;
        continue;
      }
      if (a.suspect === 0) a.suspect = this.#tickNo;
      else if (this.#tickNo > a.suspect && elapsed > limit + this.#lag) this.finish(a, 'timeout');
    }
    if (this.#inFlight.size === 0) this.#stopTicker();
  };
}

function onConnect(this: PoolSocket): void {
  const a = this[kAttempt];
  if (a) this[kPool]!.finish(a, 'open');
}

function onError(this: PoolSocket, err: NodeJS.ErrnoException): void {
  const a = this[kAttempt];
  if (!a || a.done) return;
  this[kPool]!.finish(a, classifyConnectError(err.code));
}

/** Maps a connect errno to what it says about the target; resource errors say nothing. */
export function classifyConnectError(code: string | undefined): ConnectOutcome | 'resource' {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'closed';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code !== undefined && RESOURCE_ERRORS.has(code)) return 'resource';
  if (code !== undefined && UNREACHABLE_ERRORS.has(code)) return 'unreachable';
  return 'unreachable';
}
