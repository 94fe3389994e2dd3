// Reading DATA_DIR/results/<scan id>.json for the GUI without loading it whole: the writer puts
// one host record per line and the summary on the last line (scan/result-writers.ts), so the
// history reads only each file's tail and a scan's hosts stream line by line.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostRecord, ScanSummary } from '@nopesight/model';

/** A host as the results table shows it (GET /scans/:id, `scan.host` events). */
export interface HostSummary {
  address: string;
  hostnames: string[];
  ciType: string;
  protocols: { protocol: string; status: string; error?: { code: string; message: string } }[];
  /** Open TCP and UDP port numbers, ascending. */
  openPorts: number[];
}

export function hostSummary(record: HostRecord): HostSummary {
  return {
    address: record.address,
    hostnames: [...new Set(record.hostnames.map((h) => h.name))],
    ciType: record.ci.type,
    protocols: record.protocols.map((p) => ({
      protocol: p.protocol,
      status: p.status,
      ...(p.error ? { error: { code: p.error.code, message: p.error.message } } : {}),
    })),
    openPorts: [...new Set(record.discovery.openPorts.map((p) => p.port))].sort((a, b) => a - b),
  };
}

const SCAN_ID = /^[A-Za-z0-9-]{1,64}$/;

/** True for a string that can be a scan id (and so a file name in results/). */
export function isScanId(id: string): boolean {
  return SCAN_ID.test(id);
}

/** Bytes read from a file's end to find its summary line, then at most this much more. */
const TAIL_BYTES = 64 * 1024;
const MAX_TAIL_BYTES = 1024 * 1024;

/** The summary on the last line of a results file; null when the file has none (yet). */
export async function readSummary(path: string): Promise<ScanSummary | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const size = (await handle.stat()).size;
    for (let want = TAIL_BYTES; ; want *= 4) {
      const len = Math.min(size, want, MAX_TAIL_BYTES);
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, size - len);
      const text = buf.toString('utf8');
      const at = text.lastIndexOf('\n"scan":');
      if (at >= 0) return parseSummaryLine(text.slice(at + 1));
      if (len === size || len === MAX_TAIL_BYTES) return null;
    }
  } finally {
    await handle.close();
  }
}

function parseSummaryLine(line: string): ScanSummary | null {
  const body = line
    .trim()
    .replace(/^"scan":/, '')
    .replace(/}$/, '');
  try {
    const summary = JSON.parse(body) as ScanSummary;
    return typeof summary.scanId === 'string' ? summary : null;
  } catch {
    return null;
  }
}

/**
 * Streams a results file's host records (finished or still being written: a partial last line
 * is skipped) and its summary. `onHost` returning false stops the read.
 */
export async function readResults(
  path: string,
  onHost: (record: HostRecord) => boolean | void,
): Promise<{ summary: ScanSummary | null } | null> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  const opened = await new Promise<boolean>((resolve) => {
    stream.once('open', () => resolve(true));
    stream.once('error', () => resolve(false));
  });
  if (!opened) return null;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let summary: ScanSummary | null = null;
  try {
    for await (const raw of lines) {
      let line = raw;
      if (line.startsWith('{"hosts":[')) line = line.slice('{"hosts":['.length);
      if (line.startsWith('"scan":')) {
        summary = parseSummaryLine(line);
        break;
      }
      if (line.endsWith(',')) line = line.slice(0, -1);
      if (!line.startsWith('{')) continue;
      let record: HostRecord;
      try {
        record = JSON.parse(line) as HostRecord;
      } catch {
        continue;
      }
      if (onHost(record) === false) break;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return { summary };
}

/** A results file of the history: its scan id and when it was last written. */
export interface ResultFile {
  scanId: string;
  path: string;
  mtimeMs: number;
  size: number;
}

/** The finished results files (`<id>.json`), newest first. */
export async function listResultFiles(resultsDir: string): Promise<ResultFile[]> {
  const names = await readdir(resultsDir).catch(() => [] as string[]);
  const files: ResultFile[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const scanId = name.slice(0, -'.json'.length);
    if (!isScanId(scanId)) continue;
    const path = join(resultsDir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile()) files.push({ scanId, path, mtimeMs: info.mtimeMs, size: info.size });
  }
  return files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.scanId < b.scanId ? -1 : 1));
}

/** Summaries of results files, remembered per (file, mtime, size) so a listing stays cheap. */
export class SummaryCache {
  readonly #entries = new Map<string, { key: string; summary: ScanSummary | null }>();
  readonly #max: number;

  constructor(max = 5000) {
    this.#max = max;
  }

  async get(file: ResultFile): Promise<ScanSummary | null> {
    const key = `${file.mtimeMs}:${file.size}`;
    const hit = this.#entries.get(file.scanId);
    if (hit?.key === key) return hit.summary;
    const summary = await readSummary(file.path);
    this.#entries.delete(file.scanId);
    this.#entries.set(file.scanId, { key, summary });
    if (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return summary;
  }
}
