// The control channel (docs/protocol.md): one WebSocket to the platform, kept up with
// exponential backoff and jitter, `hello` on connect, heartbeats at the interval the platform
// asks for, and the platform's requests dispatched to handlers, each answered by one `result` or
// `error`. Nothing a peer sends can throw out of here: bad frames get an `error` reply.
import { WebSocket, type RawData } from 'ws';
import type { IncomingMessage } from 'node:http';
import { ScannerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { platformConnector, platformTls, TLS_VERIFY_CODES } from './connector.js';
import {
  HARD_MAX_FRAME_BYTES,
  isRefusal,
  makeEnvelope,
  MAX_FRAME_BYTES,
  readFrame,
  type Envelope,
} from './envelope.js';
import { abortableSleep, backoffDelay, type BackoffPolicy } from './uploader.js';

/** docs/protocol.md error codes of the control channel. */
export type ChannelErrorCode =
  'bad_request' | 'unknown_type' | 'busy' | 'not_found' | 'unsupported' | 'internal';

/** A refused or failed request: becomes an `error {code, message}` reply. */
export class CommandError extends Error {
  readonly code: ChannelErrorCode;
  constructor(code: ChannelErrorCode, message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}

/**
 * Answers one platform request; its return value is the `result` payload. Called once per
 * request, possibly several at once (up to MAX_IN_FLIGHT); should not block for long (a scan is
 * started, not awaited). A throw becomes an `error` reply.
 */
export type CommandHandler = (payload: Record<string, unknown>) => Promise<unknown> | unknown;

export type ChannelStateName = 'connecting' | 'connected' | 'waiting' | 'stopped';

/** What `agent status` shows (written to agent-state.json by the runtime). */
export interface ChannelState {
  state: ChannelStateName;
  since: string;
  url: string;
  /** Connections the platform accepted (hello answered) since start. */
  connects: number;
  lastError: string | null;
  /** When `waiting`: the next attempt. */
  retryAt: string | null;
  heartbeatIntervalMs: number;
  /** The agent's address on the connection (the interface that reaches the platform). */
  localAddress: string | null;
}

export interface ControlChannelOptions {
  /** ws:// (loopback only, urls.ts) or wss:// */
  url: string;
  agentId: string;
  token: string;
  tlsVerify: boolean;
  ca?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** integrations.log */
  log: Logger;
  /** The `hello` payload. */
  hello(): Record<string, unknown>;
  /** A `heartbeat` payload: `{status, error?, metrics}`. */
  heartbeat(): Promise<Record<string, unknown>>;
  /** Platform → agent request types and their handlers. */
  handlers: Record<string, CommandHandler>;
  onStateChange?(state: ChannelState): void;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Limit for TCP + TLS + upgrade (default 30 s). */
  handshakeTimeoutMs?: number;
}

/** docs/protocol.md: reconnect 1 s doubling to 60 s (with "equal jitter", uploader.ts). */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A platform asking for more or less than this is clamped (a typo must not flood or silence). */
const HEARTBEAT_BOUNDS = { min: 1000, max: 3_600_000 };
/** Requests handled at once; more are answered `busy`. */
export const MAX_IN_FLIGHT = 8;
/** Refusals (bad frames) answered per window; the rest are dropped, so a broken peer cannot
 * make the agent write without bound. */
const REFUSALS_PER_WINDOW = { count: 50, windowMs: 10_000 };
/** Messages the agent starts (progress, heartbeats) wait no further than this in ws's buffer. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Time the closing handshake gets on stop before the socket is cut. */
const CLOSE_GRACE_MS = 2000;
const MAX_REJECT_BODY = 4096;

export class ControlChannel {
  readonly #o: ControlChannelOptions;
  #ws: WebSocket | null = null;
  #state: ChannelState;
  #inFlight = 0;
  #refusals = { windowStart: 0, count: 0, dropped: 0 };

  constructor(options: ControlChannelOptions) {
    this.#o = options;
    this.#state = {
      state: 'stopped',
      since: new Date().toISOString(),
      url: options.url,
      connects: 0,
      lastError: null,
      retryAt: null,
      heartbeatIntervalMs: DEFAULT_HEARTBEAT_MS,
      localAddress: null,
    };
  }

  state(): ChannelState {
    return { ...this.#state };
  }

  /**
   * Keeps the channel up until `signal` aborts, then closes it (1001) and resolves. Never
   * rejects: every failure is logged, recorded in `state().lastError`, and retried after the
   * backoff. The backoff restarts after a connection the platform accepted.
   */
  async run(signal: AbortSignal): Promise<void> {
    const policy = this.#o.backoff ?? RECONNECT_BACKOFF;
    const random = this.#o.random ?? Math.random;
    let failures = 0;
    // One connection per iteration, and each iteration waits for its backoff: bounded in rate.
    while (!signal.aborted) {
      const accepted = await this.#connectOnce(signal);
      if (signal.aborted) break;
      failures = accepted ? 1 : failures + 1;
      const delay = backoffDelay(failures, policy, random);
      this.#setState('waiting', { retryAt: new Date(Date.now() + delay).toISOString() });
      this.#o.log.info('control channel: reconnecting after a pause', {
        delayMs: delay,
        lastError: this.#state.lastError,
      });
      await abortableSleep(delay, signal).catch(() => undefined);
    }
    this.#setState('stopped', { retryAt: null });
  }

  /**
   * Sends a message the agent starts (`scan.progress`, `scan.completed`, `heartbeat`); false
   * when not connected or when the link is backed up (the message is dropped: the next one
   * carries fresher facts).
   */
  send(type: string, payload: Record<string, unknown>): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      return false;
    }
    ws.send(JSON.stringify(makeEnvelope(type, payload)));
    return true;
  }

  /** Sends a heartbeat now (the status changed); ignored when not connected. */
  heartbeatNow(): void {
    const ws = this.#ws;
    if (ws) void this.#sendHeartbeat(ws);
  }

  #setState(state: ChannelStateName, extra: Partial<ChannelState> = {}): void {
    this.#state = { ...this.#state, ...extra, state, since: new Date().toISOString() };
    try {
      this.#o.onStateChange?.(this.state());
    } catch (err) {
      this.#o.log.error('control channel: state listener failed', { error: String(err) });
    }
  }

  #fail(message: string): void {
    this.#state.lastError = message;
    this.#o.log.warn('control channel: connection failed', { url: this.#o.url, error: message });
  }

  /** One connection from connect to close; true when the platform answered its hello. */
  #connectOnce(signal: AbortSignal): Promise<boolean> {
    const o = this.#o;
    this.#setState('connecting', { retryAt: null, localAddress: null });
    const url = new URL(o.url);
    const secure = url.protocol === 'wss:';
    const handshakeTimeout = o.handshakeTimeoutMs ?? 30_000;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${o.token}`, 'x-agent-id': o.agentId },
        handshakeTimeout,
        maxPayload: HARD_MAX_FRAME_BYTES,
        perMessageDeflate: false,
        followRedirects: false,
        ...(secure
          ? {
              ...platformTls(o),
              createConnection: platformConnector(url, {
                ...o,
                timeoutMs: handshakeTimeout,
              }) as unknown as undefined,
            }
          : {}),
      });
    } catch (err) {
      this.#fail(`cannot open ${o.url}: ${(err as Error).message}`);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      let accepted = false;
      let helloId: string | null = null;
      let heartbeatTimer: NodeJS.Timeout | null = null;
      let awaitingPong = false;
      // After a refused upgrade ws reports its own abort too; the refusal is the news.
      let rejected = false;
      const onAbort = () => {
        ws.close(1001, 'agent stopping');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });

      const tick = () => {
        // A ping the platform never answered: the link is dead even if TCP has not noticed.
        if (awaitingPong) {
          this.#fail(`no answer to a ping within ${this.#state.heartbeatIntervalMs} ms`);
          ws.terminate();
          return;
        }
        awaitingPong = true;
        ws.ping();
        void this.#sendHeartbeat(ws);
        heartbeatTimer = setTimeout(tick, this.#state.heartbeatIntervalMs);
      };
      const restartHeartbeats = () => {
        if (heartbeatTimer) clearTimeout(heartbeatTimer);
        heartbeatTimer = setTimeout(tick, this.#state.heartbeatIntervalMs);
      };

      ws.on('upgrade', (res: IncomingMessage) => {
        this.#state.localAddress = res.socket.localAddress?.replace(/^::ffff:/, '') ?? null;
      });
      ws.on('unexpected-response', (req, res: IncomingMessage) => {
        rejected = true;
        readRejection(res).then(
          (text) => {
            this.#fail(`the platform refused the connection: HTTP ${res.statusCode}${text}`);
            req.destroy();
            ws.terminate();
          },
          () => ws.terminate(),
        );
      });
      ws.on('open', () => {
        this.#ws = ws;
        this.#setState('connected');
        o.log.info('control channel: connected', {
          url: o.url,
          localAddress: this.#state.localAddress,
        });
        const hello = makeEnvelope('hello', o.hello());
        helloId = hello.id;
        ws.send(JSON.stringify(hello));
        restartHeartbeats();
      });
      ws.on('pong', () => {
        awaitingPong = false;
      });
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const frame = readFrame(toBuffer(data), isBinary);
        if (isRefusal(frame)) {
          this.#refuse(ws, frame.reason, frame.replyTo);
          return;
        }
        if (frame.type === 'result' || frame.type === 'error') {
          // Replies are never answered (no ping-pong of errors); only hello's matters.
          if (frame.replyTo !== null && frame.replyTo === helloId) {
            helloId = null;
            accepted = this.#helloAnswered(frame, ws) || accepted;
            if (accepted) restartHeartbeats();
          }
          return;
        }
        void this.#dispatch(ws, frame);
      });
      ws.on('error', (err: Error & { code?: string }) => {
        if (!rejected) this.#fail(describeSocketError(err, o.url));
      });
      ws.on('close', (code: number, reason: Buffer) => {
        if (heartbeatTimer) clearTimeout(heartbeatTimer);
        signal.removeEventListener('abort', onAbort);
        if (this.#ws === ws) this.#ws = null;
        if (this.#state.state === 'connected') {
          const why = reason.toString('utf8') || 'no reason';
          if (!signal.aborted) this.#state.lastError = `closed by the platform: ${code} ${why}`;
          o.log[signal.aborted ? 'info' : 'warn']('control channel: disconnected', {
            code,
            reason: why,
          });
        }
        resolve(accepted);
      });
    });
  }

  /** The platform's answer to hello: its heartbeat interval. True when it accepted. */
  #helloAnswered(frame: Envelope, ws: WebSocket): boolean {
    if (frame.type === 'error') {
      this.#fail(`the platform refused hello: ${JSON.stringify(frame.payload).slice(0, 300)}`);
      ws.close(1008, 'hello refused');
      return false;
    }
    const asked = frame.payload.heartbeatIntervalMs;
    const interval =
      typeof asked === 'number' && Number.isFinite(asked)
        ? Math.min(HEARTBEAT_BOUNDS.max, Math.max(HEARTBEAT_BOUNDS.min, Math.round(asked)))
        : DEFAULT_HEARTBEAT_MS;
    this.#state.connects++;
    this.#state.lastError = null;
    this.#setState('connected', { heartbeatIntervalMs: interval });
    void this.#sendHeartbeat(ws);
    return true;
  }

  async #sendHeartbeat(ws: WebSocket): Promise<void> {
    try {
      const payload = await this.#o.heartbeat();
      if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount <= MAX_BUFFERED_BYTES) {
        ws.send(JSON.stringify(makeEnvelope('heartbeat', payload)));
      }
    } catch (err) {
      this.#o.log.error('control channel: heartbeat could not be built', {
        error: (err as Error).message,
      });
    }
  }

  /** Answers a bad frame with `error` bad_request, at most REFUSALS_PER_WINDOW per window. */
  #refuse(ws: WebSocket, reason: string, replyTo: string | null): void {
    const now = Date.now();
    const r = this.#refusals;
    if (now - r.windowStart > REFUSALS_PER_WINDOW.windowMs) {
      if (r.dropped > 0) {
        this.#o.log.warn('control channel: refusals not answered (too many bad frames)', {
          dropped: r.dropped,
        });
      }
      this.#refusals = { windowStart: now, count: 0, dropped: 0 };
    }
    if (this.#refusals.count >= REFUSALS_PER_WINDOW.count) {
      this.#refusals.dropped++;
      return;
    }
    this.#refusals.count++;
    this.#o.log.warn('control channel: frame refused', { reason, replyTo });
    this.#reply(ws, 'error', { code: 'bad_request', message: reason }, replyTo);
  }

  async #dispatch(ws: WebSocket, frame: Envelope): Promise<void> {
    const handler = Object.hasOwn(this.#o.handlers, frame.type)
      ? this.#o.handlers[frame.type]
      : undefined;
    if (!handler) {
      this.#reply(
        ws,
        'error',
        { code: 'unknown_type', message: `this agent does not handle '${frame.type}'` },
        frame.id,
      );
      return;
    }
    if (this.#inFlight >= MAX_IN_FLIGHT) {
      this.#reply(
        ws,
        'error',
        { code: 'busy', message: `${MAX_IN_FLIGHT} requests are being handled; try again` },
        frame.id,
      );
      return;
    }
    this.#inFlight++;
    try {
      const result = await handler(frame.payload);
      this.#reply(ws, 'result', isObjectLike(result) ? result : { value: result }, frame.id);
    } catch (err) {
      const { code, message } = toProtocolError(err);
      if (code === 'internal') {
        this.#o.log.error('control channel: request failed', {
          type: frame.type,
          error: (err as Error)?.message ?? String(err),
        });
      }
      this.#reply(ws, 'error', { code, message }, frame.id);
    } finally {
      this.#inFlight--;
    }
  }

  /** Sends a reply; one that would be over the frame limit becomes an `internal` error. */
  #reply(ws: WebSocket, type: 'result' | 'error', payload: object, replyTo: string | null): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    let text = JSON.stringify(makeEnvelope(type, payload, replyTo));
    const size = Buffer.byteLength(text);
    if (size > MAX_FRAME_BYTES) {
      text = JSON.stringify(
        makeEnvelope(
          'error',
          { code: 'internal', message: `the answer would be ${size} bytes, over the frame limit` },
          replyTo,
        ),
      );
    }
    ws.send(text);
  }
}

function isObjectLike(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The agent's errors as the protocol's codes: bad input is bad_request, the rest internal. */
export function toProtocolError(err: unknown): { code: ChannelErrorCode; message: string } {
  if (err instanceof CommandError) return { code: err.code, message: err.message };
  if (err instanceof ScannerError) {
    const bad =
      err.code === 'ERR_CONFIG_INVALID' ||
      err.code === 'ERR_TARGET_INVALID' ||
      err.code === 'ERR_TARGET_TOO_LARGE';
    return { code: bad ? 'bad_request' : 'internal', message: `${err.code}: ${err.message}` };
  }
  return { code: 'internal', message: 'the agent could not process the request (see its logs)' };
}

/** The platform's refusal of the upgrade, as ` code: message` from its JSON error body. */
async function readRejection(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REJECT_BODY) break;
    chunks.push(chunk);
  }
  try {
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      error?: { code?: unknown; message?: unknown };
    };
    const code = typeof doc.error?.code === 'string' ? doc.error.code : '';
    const message = typeof doc.error?.message === 'string' ? doc.error.message.slice(0, 300) : '';
    return code || message ? ` ${code}: ${message}` : '';
  } catch {
    return '';
  }
}

function describeSocketError(err: Error & { code?: string }, url: string): string {
  if (err.code && TLS_VERIFY_CODES.test(err.code)) {
    return (
      `the platform's TLS certificate at ${url} does not verify (${err.code}: ${err.message}); ` +
      'give its CA with integration add --ca-file FILE'
    );
  }
  return `${url}: ${err.code ?? err.message}`;
}
