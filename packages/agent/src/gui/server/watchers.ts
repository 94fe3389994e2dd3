// What turns changes made elsewhere into events while a page listens: new lines of the five
// logs (their growth read in bounded chunks; a rotation starts over from the new file's start),
// the status (agent-state.json, outbox, scans), and the schedules (the daemon, the CLI or the
// platform may change them). Polls only while at least one event stream is open.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_NAMES, type LogName } from '../../log/logger.js';
import type { GuiContext } from './context.js';
import { parseLogLine, statusBody } from './routes/status.js';
import { scheduleViews } from './routes/schedules.js';

/** Bytes of new log text read per file per tick at most; a burst beyond skips to the newest. */
const MAX_LOG_READ = 256 * 1024;
/** Lines published per file per tick at most (the rest of a burst is left to GET /logs). */
const MAX_LOG_LINES = 200;
/** The status is sent again after this long even when only the metrics moved. */
const STATUS_REFRESH_MS = 10_000;

interface LogPosition {
  ino: number;
  offset: number;
  /** Bytes after the last newline, kept until their line ends. */
  partial: string;
}

export interface WatcherOptions {
  /** One tick: logs are read every tick, status and schedules every other one. */
  tickMs?: number;
}

export class Watchers {
  readonly #ctx: GuiContext;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #ticks = 0;
  #busy = false;
  readonly #logs = new Map<LogName, LogPosition>();
  #statusKey = '';
  #statusAt = 0;
  #schedulesKey = '';
  #schedulesDirty = false;

  constructor(ctx: GuiContext, opts: WatcherOptions = {}) {
    this.#ctx = ctx;
    this.#tickMs = opts.tickMs ?? 1000;
  }

  /** Starts or stops polling as event streams open and close. */
  clients(count: number): void {
    if (count > 0 && !this.#timer) {
      this.#logs.clear();
      this.#statusKey = '';
      this.#schedulesKey = '';
      this.#timer = setInterval(() => void this.#tick(), this.#tickMs);
      this.#timer.unref();
      void this.#tick();
    } else if (count === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  /** Publishes the schedules on the next tick (an edit made through the GUI). */
  schedulesChanged(): void {
    this.#schedulesDirty = true;
    if (this.#timer) void this.#tick();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const full = this.#ticks++ % 2 === 0 || this.#schedulesDirty;
      for (const name of LOG_NAMES) await this.#readLog(name);
      if (full) {
        this.#schedulesDirty = false;
        this.#publishSchedules();
        await this.#publishStatus();
      }
    } catch (err) {
      this.#ctx.log.warn('GUI watcher failed', { error: (err as Error).message });
    } finally {
      this.#busy = false;
    }
  }

  #publishSchedules(): void {
    const schedules = scheduleViews(this.#ctx);
    const key = JSON.stringify(schedules);
    if (key === this.#schedulesKey) return;
    const first = this.#schedulesKey === '';
    this.#schedulesKey = key;
    if (!first) this.#ctx.hub.publish('schedules', { schedules });
  }

  async #publishStatus(): Promise<void> {
    const body = await statusBody(this.#ctx);
    // Metrics move on every sample; a change elsewhere is sent at once, metrics alone now and then.
    const { metrics: _m, ...stable } = body;
    const key = JSON.stringify(stable);
    const now = Date.now();
    if (key === this.#statusKey && now - this.#statusAt < STATUS_REFRESH_MS) return;
    this.#statusKey = key;
    this.#statusAt = now;
    this.#ctx.hub.publish('status', body);
  }

  /** Publishes the lines appended to logs/<name>.log since the last tick. */
  async #readLog(name: LogName): Promise<void> {
    const path = join(this.#ctx.dir.logsDir, `${name}.log`);
    const info = await stat(path).catch(() => null);
    const pos = this.#logs.get(name);
    if (!info) {
      this.#logs.set(name, { ino: 0, offset: 0, partial: '' });
      return;
    }
    if (!pos) {
      // First look: only lines written from now on are news.
      this.#logs.set(name, { ino: info.ino, offset: info.size, partial: '' });
      return;
    }
    if (pos.ino !== info.ino || info.size < pos.offset) {
      pos.ino = info.ino;
      pos.offset = 0;
      pos.partial = '';
    }
    if (info.size === pos.offset) return;
    let from = pos.offset;
    let skipFirst = false;
    if (info.size - from > MAX_LOG_READ) {
      from = info.size - MAX_LOG_READ;
      skipFirst = true;
      pos.partial = '';
    }
    const handle = await open(path, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(info.size - from);
      const { bytesRead } = await handle.read(buf, 0, buf.length, from);
      text = buf.subarray(0, bytesRead).toString('utf8');
      pos.offset = from + bytesRead;
    } finally {
      await handle.close();
    }
    const lines = (pos.partial + text).split('\n');
    pos.partial = lines.pop() ?? '';
    // A line that never ends is not kept growing: it is dropped.
    if (pos.partial.length > MAX_LOG_READ) pos.partial = '';
    if (skipFirst) lines.shift();
    for (const line of lines.slice(-MAX_LOG_LINES)) {
      if (line.trim() === '') continue;
      this.#ctx.hub.publish('log', { name, entry: parseLogLine(this.#ctx.secrets.scrub(line)) });
    }
  }
}
