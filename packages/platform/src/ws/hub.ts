// The WebSocket hub at /api/discovery/agents/ws: authenticates agents on upgrade, keeps one
// connection per agent, records hello/heartbeat/scan events, and carries operator commands to
// agents and their replies back.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LINK_HISTORY, remember, type LinkStats } from '../agents/connection-quality.js';
import { PlatformError } from '../errors.js';
import type { PlatformStore } from '../store/platform-store.js';
import { authenticateAgent } from '../tokens.js';
import { envelope, MAX_FRAME_BYTES, parseFrame, type Envelope } from './envelope.js';

export const WS_PATH = '/api/discovery/agents/ws';

/**
 * Frames up to this size are read and answered with an `error` when over MAX_FRAME_BYTES;
 * beyond it ws closes the connection (1009) without buffering more: the protocol's "the
 * connection stays up" cannot hold for a frame of any size without unbounded memory.
 */
export const HARD_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Platform → agent request types (docs/protocol.md). */
export const COMMAND_TYPES = [
  'scan.start',
  'scan.cancel',
  'schedules.get',
  'schedules.put',
  'metrics.get',
  'config.get',
  'logs.tail',
] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export interface CommandReply {
  type: 'result' | 'error';
  payload: unknown;
}

interface Pending {
  agentId: string;
  /** The connection the request went out on: its close fails the request. */
  ws: WebSocket;
  resolve: (r: CommandReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface HubLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface HubOptions {
  store: PlatformStore;
  heartbeatIntervalMs: number;
  log: HubLogger;
  now?: () => Date;
}

const HEARTBEAT_STATUSES = new Set(['idle', 'scanning', 'error']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class AgentHub {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  readonly #sockets = new Map<string, WebSocket>();
  readonly #pending = new Map<string, Pending>();
  /** Per agent: connection and heartbeat history for the connection quality (in memory). */
  readonly #links = new Map<string, LinkStats>();
  readonly #opts: HubOptions;
  readonly #now: () => Date;
  #closing = false;

  constructor(opts: HubOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Listens for upgrades on `server` (fastify's). Other paths are answered 404. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#upgrade(req, socket, head);
    });
  }

  isConnected(agentId: string): boolean {
    return this.#sockets.has(agentId);
  }

  /** A copy of the agent's link history since this process started (connection quality). */
  linkStats(agentId: string): LinkStats | undefined {
    const s = this.#links.get(agentId);
    return s && { ...s, reconnects: [...s.reconnects], heartbeats: [...s.heartbeats] };
  }

  /**
   * Sends a command to a connected agent and resolves with its `result` or `error`.
   * Rejects with `not_found`-free PlatformErrors: 503 when the agent is not connected or drops
   * the connection, 504 when no reply comes within `timeoutMs`.
   */
  request(
    agentId: string,
    type: CommandType,
    payload: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<CommandReply> {
    const ws = this.#sockets.get(agentId);
    if (!ws) {
      return Promise.reject(
        new PlatformError(
          'unavailable',
          `agent ${agentId} is not connected to the control channel`,
        ),
      );
    }
    const msg = envelope(type, payload, null, this.#now());
    return new Promise<CommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(msg.id);
        reject(
          new PlatformError(
            'unavailable',
            `agent ${agentId} did not answer ${type} within ${timeoutMs} ms`,
            { status: 504 },
          ),
        );
      }, timeoutMs);
      this.#pending.set(msg.id, { agentId, ws, resolve, reject, timer });
      ws.send(JSON.stringify(msg), (err) => {
        if (!err) return;
        const p = this.#pending.get(msg.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.#pending.delete(msg.id);
        p.reject(
          new PlatformError('unavailable', `cannot send to agent ${agentId}: ${err.message}`),
        );
      });
    });
  }

  /** Closes every connection (1001) and fails the commands in flight. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const ws of this.#sockets.values()) ws.close(1001, 'platform shutting down');
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new PlatformError('unavailable', 'the platform is shutting down'));
      this.#pending.delete(id);
    }
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that vanishes during authentication must not take the process down.
    socket.on('error', () => undefined);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || this.#closing) {
      refuse(socket, 404, 'not_found', `no WebSocket endpoint at ${path}`);
      return;
    }
    let agentId: string;
    try {
      ({ agentId } = await authenticateAgent(
        this.#opts.store,
        req.headers,
        this.#now().toISOString(),
      ));
    } catch (err) {
      if (err instanceof PlatformError) refuse(socket, err.statusCode, err.code, err.message);
      else {
        this.#opts.log.error({ err }, 'WebSocket authentication failed');
        refuse(socket, 500, 'internal', 'internal error');
      }
      return;
    }
    if (socket.destroyed) return;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#connected(agentId, ws));
  }

  #connected(agentId: string, ws: WebSocket): void {
    const previous = this.#sockets.get(agentId);
    // One control channel per agent: a reconnect replaces a connection the agent has given up on.
    if (previous) previous.close(4000, 'replaced by a newer connection');
    this.#sockets.set(agentId, ws);
    const nowMs = this.#now().getTime();
    const link = this.#links.get(agentId);
    if (link) remember(link.reconnects, nowMs, LINK_HISTORY);
    this.#links.set(agentId, {
      connectedSince: nowMs,
      reconnects: link?.reconnects ?? [],
      heartbeats: link?.heartbeats ?? [],
    });
    this.#opts.log.info({ agentId }, 'agent connected');
    // Frames are handled one after the other, in the order they came: a heartbeat is stored
    // before the reply to the next request is sent.
    let queue = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      queue = queue.then(() => this.#onMessage(agentId, ws, data, isBinary));
    });
    ws.on('error', (err) => this.#opts.log.warn({ agentId, err }, 'agent socket error'));
    ws.on('close', () => {
      if (this.#sockets.get(agentId) === ws) {
        this.#sockets.delete(agentId);
        const stats = this.#links.get(agentId);
        if (stats) stats.connectedSince = null;
      }
      for (const [id, p] of this.#pending) {
        if (p.ws !== ws) continue;
        clearTimeout(p.timer);
        this.#pending.delete(id);
        p.reject(new PlatformError('unavailable', `agent ${agentId} disconnected`));
      }
      this.#opts.log.info({ agentId }, 'agent disconnected');
    });
  }

  #send(ws: WebSocket, msg: Envelope): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  #error(ws: WebSocket, code: string, message: string, replyTo: string | null): void {
    this.#send(ws, envelope('error', { code, message }, replyTo, this.#now()));
  }

  async #onMessage(agentId: string, ws: WebSocket, raw: RawData, isBinary: boolean): Promise<void> {
    const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
    const parsed = parseFrame(data, isBinary, MAX_FRAME_BYTES);
    if (!parsed.ok) {
      this.#error(ws, 'bad_request', parsed.message, parsed.replyTo);
      return;
    }
    const msg = parsed.message;
    const now = this.#now().toISOString();
    const p = msg.payload as Record<string, unknown>;
    try {
      switch (msg.type) {
        case 'hello':
          if (p.agentId !== undefined && p.agentId !== agentId) {
            this.#error(ws, 'bad_request', `hello.agentId is not ${agentId}`, msg.id);
            return;
          }
          await this.#opts.store.recordHello(agentId, p, now);
          this.#send(
            ws,
            envelope('result', { heartbeatIntervalMs: this.#opts.heartbeatIntervalMs }, msg.id),
          );
          return;
        case 'heartbeat': {
          if (typeof p.status !== 'string' || !HEARTBEAT_STATUSES.has(p.status)) {
            this.#error(
              ws,
              'bad_request',
              'heartbeat.status must be idle, scanning or error',
              msg.id,
            );
            return;
          }
          const error = isObject(p.error)
            ? { code: String(p.error.code ?? ''), message: String(p.error.message ?? '') }
            : null;
          await this.#opts.store.recordHeartbeat(
            agentId,
            { status: p.status, error, metrics: p.metrics ?? null },
            now,
          );
          const stats = this.#links.get(agentId);
          if (stats) remember(stats.heartbeats, Date.parse(now), LINK_HISTORY + 1);
          return;
        }
        case 'scan.progress':
        case 'scan.completed': {
          if (typeof p.scanId !== 'string' || p.scanId.length === 0 || p.scanId.length > 128) {
            this.#error(ws, 'bad_request', `${msg.type}.scanId must be a string`, msg.id);
            return;
          }
          if (msg.type === 'scan.progress') {
            await this.#opts.store.recordScanProgress(agentId, p.scanId, p, now);
          } else {
            const state = typeof p.state === 'string' ? p.state : 'completed';
            await this.#opts.store.recordScanCompleted(agentId, p.scanId, state, p.summary, now);
          }
          return;
        }
        case 'result':
        case 'error': {
          const pending = msg.replyTo === null ? undefined : this.#pending.get(msg.replyTo);
          // A reply to nothing we wait for (late after a timeout, or invented) is dropped.
          if (!pending || pending.agentId !== agentId) return;
          clearTimeout(pending.timer);
          this.#pending.delete(msg.replyTo!);
          pending.resolve({ type: msg.type, payload: msg.payload });
          return;
        }
        default:
          // docs/protocol.md: a message type a side does not know is ignored (additive changes).
          return;
      }
    } catch (err) {
      this.#opts.log.error({ agentId, err, type: msg.type }, 'control message failed');
      this.#error(ws, 'internal', 'the platform could not process the message', msg.id);
    }
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Answers a refused upgrade with a plain HTTP response in the protocol's error shape. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
