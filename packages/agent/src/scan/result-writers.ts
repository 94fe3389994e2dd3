// Writers for scan results: JSON Lines streamed as hosts finish, and the one-document JSON form.
// A JSON document is written to a temporary name and renamed at the end, so a reader never sees
// half a document; JSON Lines go straight to their file so `tail -f` shows hosts as they finish.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { ScannerError } from '../errors.js';

/** Receives host records as they finish and the summary at the end. */
export interface ResultWriter {
  host(record: HostRecord): Promise<void>;
  finish(summary: ScanSummary): Promise<void>;
  /** Drops a partly written file (used when the scan fails before it starts). */
  abort(): Promise<void>;
}

class Output {
  readonly #stream: Writable;
  readonly #path: string | null;
  readonly #tmp: string | null;

  constructor(dest: string | Writable, atomic: boolean) {
    if (typeof dest === 'string') {
      this.#path = dest;
      this.#tmp = atomic ? `${dest}.${process.pid}.tmp` : null;
      this.#stream = createWriteStream(this.#tmp ?? dest, { mode: 0o600 });
      this.#stream.on('error', () => {
        /* surfaced by write() and end() */
      });
    } else {
      this.#path = null;
      this.#tmp = null;
      this.#stream = dest;
    }
  }

  /** Writes and waits for the stream to drain when its buffer is full (backpressure). */
  async write(text: string): Promise<void> {
    if (this.#stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(ioError(this.#path, err));
      this.#stream.once('error', onError);
      this.#stream.once('drain', () => {
        this.#stream.off('error', onError);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#path) return;
    const file = this.#stream as WriteStream;
    await new Promise<void>((resolve, reject) => {
      file.once('error', (err) => reject(ioError(this.#path, err)));
      file.end(() => resolve());
    });
    if (!this.#tmp) return;
    await rename(this.#tmp, this.#path).catch((err: Error) => {
      throw ioError(this.#path, err);
    });
  }

  async discard(): Promise<void> {
    if (!this.#path) return;
    (this.#stream as WriteStream).destroy();
    await unlink(this.#tmp ?? this.#path).catch(() => undefined);
  }
}

function ioError(path: string | null, err: Error): ScannerError {
  return new ScannerError('ERR_IO', `cannot write ${path ?? 'output'}: ${err.message}`, {
    cause: err,
  });
}

/** `--jsonl`: one host record per line, written as each host finishes. */
export function jsonlWriter(dest: string | Writable): ResultWriter {
  const out = new Output(dest, false);
  return {
    host: (record) => out.write(JSON.stringify(record) + '\n'),
    finish: () => out.close(),
    abort: () => out.discard(),
  };
}

/**
 * `--json`: one document `{ "hosts": [...], "scan": {...} }`. Hosts stream into it as they finish
 * (memory stays flat); the summary closes it.
 */
export function jsonDocumentWriter(dest: string | Writable): ResultWriter {
  const out = new Output(dest, true);
  let count = 0;
  return {
    async host(record) {
      await out.write((count === 0 ? '{"hosts":[\n' : ',\n') + JSON.stringify(record));
      count++;
    },
    async finish(summary) {
      await out.write(
        (count === 0 ? '{"hosts":[' : '\n') + `],\n"scan":${JSON.stringify(summary)}}\n`,
      );
      await out.close();
    },
    abort: () => out.discard(),
  };
}

/** Fans records out to several writers. */
export function teeWriter(writers: ResultWriter[]): ResultWriter {
  return {
    async host(record) {
      for (const w of writers) await w.host(record);
    },
    async finish(summary) {
      for (const w of writers) await w.finish(summary);
    },
    async abort() {
      await Promise.all(writers.map((w) => w.abort()));
    },
  };
}
