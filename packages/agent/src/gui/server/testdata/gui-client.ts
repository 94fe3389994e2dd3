// Test helper: an HTTP client for the GUI server that logs in like a
// browser (token → cookie → CSRF), sends raw requests with any headers, reads the event stream,
// and keeps everything it received so tests can search it for secrets.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Every byte any client of this module received (answers and events). */
export const transcript: string[] = [];

/** One request to 127.0.0.1:`port`; headers are sent exactly as given (Host included). */
export function raw(port: number, r: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: r.method ?? 'GET',
        path: r.path,
        headers: { host: `127.0.0.1:${port}`, ...r.headers },
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          transcript.push(text);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

export interface EventRecord {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A logged-in page: its cookie and CSRF value. */
export class GuiClient {
  readonly port: number;
  cookie = '';
  csrf = '';

  constructor(port: number) {
    this.port = port;
  }

  /** Trades the login URL's token for the cookie, then reads the CSRF value. */
  async login(loginUrl: string): Promise<RawAnswer> {
    const url = new URL(loginUrl);
    const answer = await raw(this.port, { path: `${url.pathname}${url.search}` });
    const setCookie = String(answer.headers['set-cookie'] ?? '');
    this.cookie = setCookie.split(';')[0] ?? '';
    if (this.cookie) {
      this.csrf = (await this.call('GET', '/api/session')).json().csrf;
    }
    return answer;
  }

  /** An API call as the page makes it: cookie, CSRF header and JSON body on changes. */
  call(method: string, path: string, body?: unknown): Promise<RawAnswer> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (method !== 'GET') {
      headers['x-nopesight-csrf'] = this.csrf;
      headers['content-type'] = 'application/json';
    }
    return raw(this.port, {
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Opens /api/events; events are collected until `close`. */
  events(): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/api/events',
          headers: { cookie: this.cookie, accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`events: ${res.statusCode}`));
            return;
          }
          resolve(new EventStream(res, () => req.destroy()));
        },
      );
      req.on('error', () => undefined);
      req.end();
    });
  }
}

/** The events of one stream, parsed; `next` waits (bounded) for one matching a predicate. */
export class EventStream {
  readonly received: EventRecord[] = [];
  readonly #close: () => void;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #ended = false;

  constructor(res: NodeJS.ReadableStream, close: () => void) {
    this.#close = close;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      transcript.push(chunk);
      this.#buffer += chunk;
      let at;
      while ((at = this.#buffer.indexOf('\n\n')) >= 0) {
        const block = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) this.received.push({ event, data: JSON.parse(data) });
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    res.on('end', () => {
      this.#ended = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /**
   * The first received event (from `from` on) named `event` for which `match` holds; rejects
   * when the stream ends or `limitMs` passes first (a failure, not a timing claim).
   */
  async next(
    event: string,
    match: (data: any) => boolean = () => true, // eslint-disable-line @typescript-eslint/no-explicit-any
    limitMs = 60_000,
  ): Promise<EventRecord> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const hit = this.received.find((e) => e.event === event && match(e.data));
      if (hit) return hit;
      if (this.#ended) throw new Error(`event stream ended before a '${event}' event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${event}' event within ${limitMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.#close();
  }
}
