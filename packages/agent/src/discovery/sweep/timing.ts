// Adaptive connect timeouts: RFC 6298 RTT estimators per host and per network group, as nmap does.

/** Timing knobs of the sweep; every field in milliseconds except `retries`. */
export interface SweepTiming {
  /** Timeout used before anything in the host's group has answered (nmap: 1000). */
  initialTimeoutMs: number;
  /** Floor of the adaptive timeout, so a burst of fast answers cannot starve slower ports. */
  minTimeoutMs: number;
  /** Ceiling of the adaptive timeout, so one slow answer cannot stall the sweep. */
  maxTimeoutMs: number;
  /** How often a port that did not answer at all is tried again before it is called filtered. */
  retries: number;
}

export const DEFAULT_TIMING: SweepTiming = {
  initialTimeoutMs: 1000,
  minTimeoutMs: 100,
  maxTimeoutMs: 10_000,
  retries: 1,
};

/**
 * One RFC 6298 estimator: SRTT and RTTVAR from measured round trips, timeout SRTT + 4·RTTVAR.
 * Pure arithmetic, no clock: the caller measures and feeds samples.
 */
export class RttEstimator {
  #srtt = 0;
  #rttvar = 0;
  #samples = 0;

  /** Feeds one measured round trip (connect answered: SYN-ACK or RST). */
  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (this.#samples === 0) {
      this.#srtt = r;
      this.#rttvar = r / 2;
    } else {
      // RFC 6298 §2.3: beta 1/4 for the variance, alpha 1/8 for the mean; variance first.
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - r);
      this.#srtt = 0.875 * this.#srtt + 0.125 * r;
    }
    this.#samples++;
  }

  get samples(): number {
    return this.#samples;
  }

  /** Smoothed RTT, null before the first sample. */
  get srttMs(): number | null {
    return this.#samples === 0 ? null : this.#srtt;
  }

  /** SRTT + 4·RTTVAR clamped to [min, max]; `initialTimeoutMs` (clamped) before any sample. */
  timeoutMs(t: SweepTiming): number {
    const raw = this.#samples === 0 ? t.initialTimeoutMs : this.#srtt + 4 * this.#rttvar;
    return Math.min(t.maxTimeoutMs, Math.max(t.minTimeoutMs, raw));
  }
}

/**
 * The timeout policy of the sweep: a host that answered anything uses its own estimator; a host
 * that never answered uses its network group's (IPv4 /24, IPv6 /64); a group with no answers
 * yet uses the initial timeout. Groups are kept only while hosts of theirs are being swept.
 */
export class TimingModel {
  readonly timing: SweepTiming;
  #groups = new Map<string, { est: RttEstimator; hosts: number }>();

  constructor(timing: SweepTiming) {
    this.timing = timing;
  }

  /** Registers a host being swept; returns its group key (release it with `leave`). */
  join(address: string): string {
    const key = groupKey(address);
    const g = this.#groups.get(key);
    if (g) g.hosts++;
    else this.#groups.set(key, { est: new RttEstimator(), hosts: 1 });
    return key;
  }

  /**
   * Forgets a host; a group is dropped when its last host leaves, which keeps memory flat on a
   * /16 because targets arrive roughly in order. A group that comes back starts fresh.
   */
  leave(key: string): void {
    const g = this.#groups.get(key);
    if (!g) return;
    if (--g.hosts <= 0) this.#groups.delete(key);
  }

  /** Feeds a measured connect RTT to the host's and its group's estimators. */
  sample(host: RttEstimator, key: string, rttMs: number): void {
    host.sample(rttMs);
    this.#groups.get(key)?.est.sample(rttMs);
  }

  /** The timeout to apply now to an attempt on this host (re-read at every check). */
  timeoutMs(host: RttEstimator, key: string): number {
    if (host.samples > 0) return host.timeoutMs(this.timing);
    const g = this.#groups.get(key);
    return (g?.est ?? host).timeoutMs(this.timing);
  }

  /** Number of groups currently tracked (for tests and progress). */
  get groupCount(): number {
    return this.#groups.size;
  }
}

/** IPv4 /24 or IPv6 /64 of an address, the unit whose hosts share a timeout when silent. */
export function groupKey(address: string): string {
  if (address.includes(':')) {
    // First four hextets of the expanded form; '::' compression is expanded just enough.
    const [head = '', tail = ''] = address.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
    const full = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
    return full.slice(0, 4).join(':') + '::/64';
  }
  const i = address.lastIndexOf('.');
  return address.slice(0, i) + '.0/24';
}
