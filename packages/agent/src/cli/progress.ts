// The live progress line on a terminal (hosts swept, alive, collected, rate, ETA); silent elsewhere.
import type { ScanProgress } from '../scan/run-scan.js';

export interface ProgressOut {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Formats milliseconds as m:ss or h:mm:ss. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line, without escape codes. */
export function formatProgress(p: ScanProgress, width = 100): string {
  const rate = p.elapsedMs > 0 ? (p.swept * 1000) / p.elapsedMs : 0;
  const parts: string[] = [];
  let bar = '';
  if (p.expected && p.expected > 0) {
    const ratio = Math.min(1, p.swept / p.expected);
    const cells = 20;
    const full = Math.round(ratio * cells);
    bar = `[${'#'.repeat(full)}${'-'.repeat(cells - full)}] ${Math.floor(ratio * 100)}% `;
    parts.push(`${p.swept}/${p.expected} swept`);
  } else {
    parts.push(`${p.swept} swept`);
  }
  parts.push(`${p.alive} alive`, `${p.collected} collected`, `${rate.toFixed(0)}/s`);
  if (p.expected && rate > 0 && p.swept < p.expected) {
    parts.push(`ETA ${formatDuration(((p.expected - p.swept) / rate) * 1000)}`);
  }
  const line = bar + parts.join(' · ');
  return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
}

/**
 * Draws progress on a terminal at most every `intervalMs`; does nothing when `out` is not a TTY,
 * so logs and pipes get no escape codes.
 */
export class ProgressLine {
  readonly #out: ProgressOut;
  readonly #intervalMs: number;
  readonly #enabled: boolean;
  #last = 0;
  #drawn = false;
  #pending: ScanProgress | null = null;

  constructor(out: ProgressOut, opts: { enabled?: boolean; intervalMs?: number } = {}) {
    this.#out = out;
    this.#intervalMs = opts.intervalMs ?? 100;
    this.#enabled = (opts.enabled ?? true) && out.isTTY === true;
  }

  update(p: ScanProgress, now = Date.now()): void {
    if (!this.#enabled) return;
    this.#pending = p;
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#draw();
  }

  /** Draws the last state (so the final figures show) and leaves the line for the summary. */
  finish(): void {
    if (!this.#enabled) return;
    if (this.#pending) this.#draw();
    if (this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }

  #draw(): void {
    if (!this.#pending) return;
    const width = (this.#out.columns ?? 100) - 1;
    this.#out.write(`\r\x1b[2K${formatProgress(this.#pending, width)}`);
    this.#drawn = true;
  }
}
