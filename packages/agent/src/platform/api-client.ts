// The platform's HTTP API as the agent uses it (docs/protocol.md): test connection and batch
// upload. Bearer token and X-Agent-Id on every request; TLS verified against the system CAs plus
// an optional CA file; HTTPS_PROXY through a CONNECT tunnel; each failure a stable code.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ScannerError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  platformConnector,
  platformTls,
  TLS_VERIFY_CODES,
  type CreateConnection,
} from './connector.js';

export interface ApiClientOptions {
  /** The normalised API base, ending in /api (urls.ts). */
  apiBase: string;
  agentId: string;
  token: string;
  /** False only by the user's explicit choice; each new connection is then logged. */
  tlsVerify: boolean;
  /** Extra CA certificates (PEM text) trusted besides the system's. */
  ca?: string;
  /** Where HTTPS_PROXY and NO_PROXY are read. */
  env?: NodeJS.ProcessEnv;
  /** integrations.log */
  log?: Logger;
  /** Limit for one request, connect to last byte (default 30 s). */
  timeoutMs?: number;
}

/** `GET /api/discovery/agents/me`: the platform's view of this agent. */
export interface AgentView {
  agentId: string;
  name: string;
  status: string;
  registeredAt?: string;
  lastSeenAt?: string;
  platform?: { name?: string; version?: string; protocol?: number };
}

/** A 2xx answer to an upload. */
export interface UploadAck {
  status: number;
  accepted: number;
  duplicate: boolean;
}

/** A non-2xx answer: the HTTP status, the platform's error code, and Retry-After when given. */
export class PlatformHttpError extends ScannerError {
  readonly status: number;
  readonly platformCode: string | null;
  readonly retryAfterMs: number | null;
  constructor(
    code: ErrorCode,
    message: string,
    status: number,
    platformCode: string | null,
    retryAfterMs: number | null,
  ) {
    super(code, message);
    this.name = 'PlatformHttpError';
    this.status = status;
    this.platformCode = platformCode;
    this.retryAfterMs = retryAfterMs;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;
/** A Retry-After further away than this is capped (a misconfigured proxy must not park us). */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

interface Response {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export class ApiClient {
  readonly #opts: ApiClientOptions;
  readonly #base: URL;
  readonly #agent: HttpAgent;
  readonly #timeoutMs: number;

  constructor(opts: ApiClientOptions) {
    this.#opts = opts;
    this.#base = new URL(opts.apiBase);
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#agent =
      this.#base.protocol === 'https:'
        ? this.#httpsAgent()
        : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  }

  /** Test connection: the platform's view of this agent (200), else a coded error. */
  async me(signal: AbortSignal): Promise<AgentView> {
    const res = await this.#request('GET', '/discovery/agents/me', {}, null, signal);
    const doc = parseJson(res.body) as Partial<AgentView> | null;
    if (!doc || typeof doc.agentId !== 'string') {
      throw new ScannerError(
        'ERR_PLATFORM_UNAVAILABLE',
        `${this.#url('/discovery/agents/me')} answered ${res.status} without the agent document; is --api-url the platform's?`,
      );
    }
    return doc as AgentView;
  }

  /** Posts one gzip batch with its Idempotency-Key; any 2xx is an acknowledgement. */
  async upload(key: string, gzip: Buffer, signal: AbortSignal): Promise<UploadAck> {
    const res = await this.#request(
      'POST',
      '/discovery/scan-data',
      {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'idempotency-key': key,
      },
      gzip,
      signal,
    );
    const doc = parseJson(res.body) as { accepted?: unknown; duplicate?: unknown } | null;
    return {
      status: res.status,
      accepted: typeof doc?.accepted === 'number' ? doc.accepted : 0,
      duplicate: doc?.duplicate === true,
    };
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #url(path: string): string {
    return `${this.#opts.apiBase}${path}`;
  }

  async #request(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: Buffer | null,
    signal: AbortSignal,
  ): Promise<Response> {
    const url = this.#url(path);
    const limit = AbortSignal.timeout(this.#timeoutMs);
    const combined = AbortSignal.any([signal, limit]);
    const send = this.#base.protocol === 'https:' ? httpsRequest : httpRequest;
    let res: Response;
    try {
      res = await new Promise<Response>((resolve, reject) => {
        const req = send(
          url,
          {
            method,
            agent: this.#agent,
            signal: combined,
            headers: {
              ...headers,
              accept: 'application/json',
              authorization: `Bearer ${this.#opts.token}`,
              'x-agent-id': this.#opts.agentId,
              ...(body ? { 'content-length': String(body.length) } : {}),
            },
          },
          (incoming) => {
            const chunks: Buffer[] = [];
            let size = 0;
            incoming.on('data', (c: Buffer) => {
              size += c.length;
              if (size > MAX_RESPONSE_BYTES) {
                incoming.destroy(new Error(`response over ${MAX_RESPONSE_BYTES} bytes`));
              } else chunks.push(c);
            });
            incoming.on('error', reject);
            incoming.on('end', () =>
              resolve({
                status: incoming.statusCode ?? 0,
                headers: incoming.headers,
                body: Buffer.concat(chunks),
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(body ?? undefined);
      });
    } catch (err) {
      if (err instanceof ScannerError) throw err;
      throw this.#networkError(url, err, signal, limit);
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw httpError(url, res);
  }

  #networkError(url: string, err: unknown, caller: AbortSignal, limit: AbortSignal): ScannerError {
    const e = err as NodeJS.ErrnoException;
    if (caller.aborted) {
      return new ScannerError('ERR_ABORTED', `request to ${url} was cancelled`, { cause: err });
    }
    if (limit.aborted) {
      return new ScannerError(
        'ERR_TIMEOUT',
        `request to ${url} took longer than ${this.#timeoutMs} ms`,
        { cause: err },
      );
    }
    if (e.code && TLS_VERIFY_CODES.test(e.code)) {
      return new ScannerError(
        'ERR_PROTOCOL',
        `the platform's TLS certificate at ${url} does not verify (${e.code}: ${e.message}); ` +
          'give its CA with integration add --ca-file FILE',
        { cause: err },
      );
    }
    return new ScannerError(
      'ERR_UNREACHABLE',
      `cannot reach the platform at ${url}: ${e.code ?? e.message}`,
      { cause: err },
    );
  }

  /**
   * An HTTPS agent whose connections go through the proxy when HTTPS_PROXY applies, and which
   * logs each connection made without certificate verification (connector.ts).
   */
  #httpsAgent(): HttpsAgent {
    const opts = this.#opts;
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 2, ...platformTls(opts) });
    // Node's agent accepts an asynchronous createConnection through its callback.
    (agent as unknown as { createConnection: CreateConnection }).createConnection =
      platformConnector(this.#base, { ...opts, timeoutMs: this.#timeoutMs });
    return agent;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** The contract's error statuses to the agent's codes (docs/protocol.md, docs/errors.md). */
function httpError(url: string, res: Response): PlatformHttpError {
  const doc = parseJson(res.body) as { error?: { code?: unknown; message?: unknown } } | null;
  const platformCode = typeof doc?.error?.code === 'string' ? doc.error.code : null;
  const platformMessage =
    typeof doc?.error?.message === 'string' ? doc.error.message.slice(0, 300) : null;
  const said = platformMessage ? `: ${platformMessage}` : '';
  const what = `${res.status}${platformCode ? ` ${platformCode}` : ''}`;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  const make = (code: ErrorCode, message: string) =>
    new PlatformHttpError(code, message, res.status, platformCode, retryAfterMs);
  if (res.status === 401) {
    return make(
      'ERR_PLATFORM_AUTH',
      `the platform refused the token (${what}${said}); set the right one with integration add`,
    );
  }
  if (res.status === 403) {
    return make(
      'ERR_PLATFORM_AUTH',
      `the platform refused this agent id with this token (${what}${said}); the token belongs to another agent`,
    );
  }
  if (res.status === 400 || res.status === 413) {
    return make('ERR_UPLOAD_REJECTED', `the platform refused the request (${what}${said})`);
  }
  const hint = res.status === 404 ? '; is --api-url the platform API?' : '';
  return make('ERR_PLATFORM_UNAVAILABLE', `${url} answered ${what}${said}${hint}`);
}
