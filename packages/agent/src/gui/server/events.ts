// The server-sent event stream (/api/events): one hub, many browser tabs. Writes never block the
// server: when a client reads slowly (its socket buffer is full), coalescable events (progress,
// status, schedules) keep only their latest value and the others queue up to a cap; past it the
// client gets one `resync` event instead of what was dropped, and reloads what it shows.
import type { ServerResponse } from 'node:http';

/** Events whose latest value replaces any earlier one still waiting for a slow client. */
const COALESCED = new Set(['scan.progress', 'status', 'schedules']);
/** Events queued for one slow client at most; beyond, they are dropped for a `resync`. */
const MAX_QUEUED = 500;
export const HEARTBEAT_MS = 15_000;

interface Client {
  res: ServerResponse;
  /** Waiting for 'drain': events queue instead of being written. */
  blocked: boolean;
  queue: string[];
  latest: Map<string, string>;
  dropped: number;
}

function frame(event: string, data: unknown): string {
  // JSON never holds a raw newline, so one data: line is one event.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class EventHub {
  readonly #clients = new Set<Client>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onCount: (count: number) => void;

  /** `onCount` hears the number of connected clients (watchers run only while some are). */
  constructor(onCount: (count: number) => void = () => undefined) {
    this.#onCount = onCount;
    this.#heartbeat = setInterval(() => {
      for (const c of this.#clients) if (!c.blocked) this.#write(c, ': heartbeat\n\n');
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Takes over `res` as an event stream until the client goes away or the hub closes. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const client: Client = { res, blocked: false, queue: [], latest: new Map(), dropped: 0 };
    this.#clients.add(client);
    res.on('close', () => {
      this.#clients.delete(client);
      this.#onCount(this.#clients.size);
    });
    res.on('drain', () => this.#flush(client));
    this.#write(client, ': connected\nretry: 2000\n\n');
    this.#onCount(this.#clients.size);
  }

  /** Sends an event to every client. */
  publish(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const text = frame(event, data);
    for (const c of this.#clients) {
      if (!c.blocked) {
        this.#write(c, text);
      } else if (COALESCED.has(event)) {
        c.latest.set(event, text);
      } else if (c.queue.length < MAX_QUEUED) {
        c.queue.push(text);
      } else {
        c.dropped++;
      }
    }
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }

  #write(c: Client, text: string): void {
    if (!c.res.write(text)) c.blocked = true;
  }

  /** Writes what waited, oldest first, stopping again as soon as the socket is full. */
  #flush(c: Client): void {
    c.blocked = false;
    if (c.dropped > 0) {
      this.#write(c, frame('resync', { dropped: c.dropped }));
      c.dropped = 0;
    }
    while (!c.blocked && c.queue.length > 0) this.#write(c, c.queue.shift()!);
    for (const [event, text] of [...c.latest]) {
      if (c.blocked) break;
      c.latest.delete(event);
      this.#write(c, text);
    }
  }
}
