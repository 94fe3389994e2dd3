// An append-only log file rotated by size: agent.log → agent.log.1 … agent.log.N, oldest deleted.
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface RotationPolicy {
  /** Rotate before a line would take the file past this many bytes. */
  maxBytes: number;
  /** Rotated files kept (path.1 newest … path.maxFiles oldest); 0 keeps none. */
  maxFiles: number;
}

/**
 * One log file. Writes are synchronous: log lines are small, ordering is exact, and nothing is
 * lost in a buffer when the process dies — the lines just before a crash matter most.
 * Not safe for two processes to share one file; each log has one writer (docs/logging.md).
 */
export class RotatingFile {
  readonly path: string;
  readonly #policy: RotationPolicy;
  #fd: number | null = null;
  #size = 0;

  constructor(path: string, policy: RotationPolicy) {
    this.path = path;
    this.#policy = policy;
  }

  /** Appends `line` (which should end in a newline), rotating first when it would not fit. */
  write(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    if (this.#fd === null) this.#open();
    // A line longer than maxBytes still goes in whole, alone in a fresh file.
    if (this.#size > 0 && this.#size + bytes.length > this.#policy.maxBytes) this.#rotate();
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.#fd!, bytes, offset);
    this.#size += bytes.length;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #open(): void {
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  #rotate(): void {
    this.close();
    const { maxFiles } = this.#policy;
    rmSync(`${this.path}.${maxFiles}`, { force: true });
    for (let i = maxFiles - 1; i >= 1; i--)
      renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (maxFiles > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.#open();
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
