// Global token bucket limiting connection attempts per second (rateLimitPps); clock injected.

/**
 * Continuous-refill token bucket. `ratePerSec` 0 means unlimited. The burst is a tenth of a second
 * of tokens (at least 1), so a paused sweep cannot dump a large burst at a fragile network.
 */
export class TokenBucket {
  readonly ratePerSec: number;
  readonly burst: number;
  #tokens: number;
  #last: number;
  #now: () => number;

  constructor(ratePerSec: number, now: () => number) {
    this.ratePerSec = Math.max(0, ratePerSec);
    this.burst = Math.max(1, Math.floor(this.ratePerSec / 10));
    this.#now = now;
    this.#last = now();
    this.#tokens = this.burst;
  }

  #refill(): void {
    const t = this.#now();
    const dt = t - this.#last;
    if (dt > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + (dt * this.ratePerSec) / 1000);
      this.#last = t;
    }
  }

  /** Takes one token if available; always true when unlimited. */
  tryTake(): boolean {
    if (this.ratePerSec === 0) return true;
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  /** Milliseconds until the next token is available (0 when one is available now). */
  waitMs(): number {
    if (this.ratePerSec === 0) return 0;
    this.#refill();
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) * 1000) / this.ratePerSec);
  }
}
