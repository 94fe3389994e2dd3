// Drains the outbox to the platform (docs/protocol.md "Upload"): oldest batch first; a 2xx (new or
// duplicate) removes it, 400/413 makes it a dead letter, 401/403 stops the drain and keeps it,
// anything transient (408, 429, 5xx, network, timeout) keeps it and backs off with jitter,
// honouring Retry-After. The batch leaves the outbox only after the platform acknowledged it.
import { ScannerError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { OutboxBatch, OutboxStore } from '../store/outbox.js';
import { PlatformHttpError, type UploadAck } from './api-client.js';

/** The part of ApiClient the uploader needs. */
export interface BatchSender {
  upload(key: string, gzip: Buffer, signal: AbortSignal): Promise<UploadAck>;
}

export interface BackoffPolicy {
  /** First retry delay; doubles per consecutive failure of a batch. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60 * 1000 };

/**
 * Delay before attempt `failures + 1`: exponential (base · 2^(failures-1), capped) with "equal
 * jitter" — half fixed, half random — so retries spread out yet keep growing; never shorter than
 * the platform's Retry-After.
 */
export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  const jittered = Math.round(exp / 2 + random() * (exp / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

export type Outcome = 'sent' | 'dead' | 'auth' | 'transient';

/** How the contract's answers sort (docs/protocol.md table). */
export function classify(err: unknown): Exclude<Outcome, 'sent'> {
  if (err instanceof PlatformHttpError) {
    if (err.status === 400 || err.status === 413) return 'dead';
    if (err.status === 401 || err.status === 403) return 'auth';
  }
  return 'transient';
}

export interface DrainOptions {
  signal: AbortSignal;
  /** Stop starting new requests after this long (ms); unbounded waits never happen. */
  budgetMs: number;
  /**
   * Consecutive transient failures after which the drain gives up (the batches stay pending).
   * 1 = one try, no waiting (what a scan does); `uploads flush` waits through a few.
   */
  maxConsecutiveFailures: number;
}

export interface DrainResult {
  sent: number;
  duplicates: number;
  deadLettered: number;
  /** Pending batches left. */
  pending: number;
  deadLetters: number;
  /** Why the drain ended. */
  stoppedBy: 'empty' | 'auth' | 'failures' | 'budget' | 'aborted';
  /** The last error met, for the one line people see. */
  lastError: { code: ErrorCode | 'ERR_INTERNAL'; message: string } | null;
}

export interface UploaderOptions {
  outbox: OutboxStore;
  sender: BatchSender;
  log: Logger;
  backoff?: BackoffPolicy;
  /** Injected for tests: the clock, the jitter source and the wait. */
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export class Uploader {
  readonly #o: Required<UploaderOptions>;

  constructor(options: UploaderOptions) {
    this.#o = {
      backoff: DEFAULT_BACKOFF,
      now: Date.now,
      random: Math.random,
      sleep: abortableSleep,
      ...options,
    };
  }

  /**
   * Sends due batches until the outbox has none pending, the token is refused, too many
   * transient failures happen in a row, the budget runs out, or the signal aborts. Waits
   * between retries only while the wait fits the budget. Never throws for a platform failure.
   */
  async drain(opts: DrainOptions): Promise<DrainResult> {
    const { outbox, log, now } = this.#o;
    const deadline = now() + opts.budgetMs;
    const result: DrainResult = {
      sent: 0,
      duplicates: 0,
      deadLettered: 0,
      pending: 0,
      deadLetters: 0,
      stoppedBy: 'empty',
      lastError: null,
    };
    const startPending = outbox.counts().pending;
    // Each request removes a batch or counts a failure; this bounds the loop even if batches
    // keep arriving while it runs.
    const maxRequests = (startPending + 1000) * (opts.maxConsecutiveFailures + 1);
    let failures = 0;
    // After a transient failure nothing is sent until the backoff has passed: the platform,
    // not only that batch, is having trouble.
    let pauseUntil = 0;
    for (let requests = 0; requests < maxRequests; requests++) {
      if (opts.signal.aborted) {
        result.stoppedBy = 'aborted';
        break;
      }
      const batch = pauseUntil > now() ? null : outbox.nextDue(now());
      if (!batch) {
        const due = outbox.counts().nextAttemptAt;
        if (due === null) {
          result.stoppedBy = 'empty';
          break;
        }
        const next = Math.max(pauseUntil, due);
        if (next > deadline) {
          result.stoppedBy = failures > 0 ? 'failures' : 'budget';
          break;
        }
        await this.#o.sleep(Math.max(0, next - now()), opts.signal).catch(() => undefined);
        continue;
      }
      if (now() > deadline) {
        result.stoppedBy = 'budget';
        break;
      }
      const { outcome, retryInMs } = await this.#send(batch, opts.signal, failures, result);
      if (outcome === 'sent' || outcome === 'dead') {
        failures = 0;
        continue;
      }
      if (outcome === 'auth' || opts.signal.aborted) {
        result.stoppedBy = outcome === 'auth' ? 'auth' : 'aborted';
        break;
      }
      failures++;
      if (failures >= opts.maxConsecutiveFailures) {
        result.stoppedBy = 'failures';
        break;
      }
      pauseUntil = now() + retryInMs;
    }
    const counts = outbox.counts();
    result.pending = counts.pending;
    result.deadLetters = counts.deadLetters;
    log.info('outbox drain ended', {
      stoppedBy: result.stoppedBy,
      sent: result.sent,
      duplicates: result.duplicates,
      deadLettered: result.deadLettered,
      pending: result.pending,
      deadLetters: result.deadLetters,
    });
    return result;
  }

  async #send(
    batch: OutboxBatch,
    signal: AbortSignal,
    failures: number,
    result: DrainResult,
  ): Promise<{ outcome: Outcome; retryInMs: number }> {
    const { outbox, sender, log, now } = this.#o;
    const fields = { key: batch.key, seq: batch.seq, final: batch.final, hosts: batch.hosts };
    try {
      const ack = await sender.upload(batch.key, batch.body, signal);
      outbox.remove(batch.key);
      result.sent++;
      if (ack.duplicate) result.duplicates++;
      log.info(ack.duplicate ? 'batch was already stored' : 'batch uploaded', {
        ...fields,
        accepted: ack.accepted,
      });
      return { outcome: 'sent', retryInMs: 0 };
    } catch (err) {
      const code = err instanceof ScannerError ? err.code : 'ERR_INTERNAL';
      const message = (err as Error).message;
      result.lastError = { code, message };
      const kind = classify(err);
      const line = `${code}: ${message}`;
      if (kind === 'dead') {
        outbox.markDead(batch.key, line);
        result.deadLettered++;
        log.error('batch refused by the platform; kept as a dead letter', {
          ...fields,
          error: line,
        });
        return { outcome: 'dead', retryInMs: 0 };
      }
      if (kind === 'auth') {
        // The batch is fine; the token is not. Keep it due now for the next drain.
        outbox.recordFailure(batch.key, line, now());
        log.error('platform refused the token; uploads stop until it is fixed', { error: line });
        return { outcome: 'auth', retryInMs: 0 };
      }
      const retryAfter = err instanceof PlatformHttpError ? err.retryAfterMs : null;
      const delay = backoffDelay(
        Math.max(batch.attempts, failures) + 1,
        this.#o.backoff,
        this.#o.random,
        retryAfter,
      );
      outbox.recordFailure(batch.key, line, now() + delay);
      log.warn('batch upload failed; will retry', { ...fields, error: line, retryInMs: delay });
      return { outcome: 'transient', retryInMs: delay };
    }
  }
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
