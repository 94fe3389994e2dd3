// The page's only way to the server: JSON requests carrying the CSRF header from GET /api/session,
// errors as ApiError (code, message, field), and one EventSource on /api/events that reconnects.
import type { Session } from './types.js';

/** An error the API answered (`{error:{code,message,field?}}`) or a failed request. */
export class ApiError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly status: number;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

let csrf: string | null = null;

/** Reads the session (and remembers its CSRF token for later writes). */
export async function loadSession(): Promise<Session> {
  const s = await request<Session>('GET', '/session');
  csrf = s.csrf;
  return s;
}

/**
 * One API call: `path` is under /api; `body` is sent as JSON. Resolves to the parsed body
 * (undefined for 204) or rejects with ApiError.
 * @example const { credentials } = await request<{credentials: CredentialView[]}>('GET', '/credentials');
 */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    if (csrf) headers['x-nopesight-csrf'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
  } catch {
    throw new ApiError(
      0,
      'ERR_GUI_OFFLINE',
      'The GUI server does not answer: is it still running?',
    );
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string; field?: string } })?.error;
    throw new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `${method} /api${path} failed with HTTP ${res.status}`,
      e?.field,
    );
  }
  return parsed as T;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';
type Listener = (data: unknown) => void;

const EVENT_TYPES = [
  'scan.progress',
  'scan.host',
  'scan.finished',
  'scan.warning',
  'status',
  'schedules',
  'log',
  // Some events were dropped for a slow page: views reload what they show.
  'resync',
];

/**
 * The server-sent events stream, shared by every view. EventSource retries by itself after a
 * dropped connection; when it gives up (closed: the server refused or restarted) this opens a new
 * one after a growing delay (1 s .. 30 s).
 */
class LiveEvents {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #stateListeners = new Set<(s: LiveState) => void>();
  #source: EventSource | null = null;
  #state: LiveState = 'connecting';
  #delayMs = 1000;
  #timer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.#source || this.#timer) return;
    const es = new EventSource('/api/events');
    this.#source = es;
    es.onopen = () => {
      this.#delayMs = 1000;
      this.#setState('live');
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        this.#source = null;
        this.#timer = setTimeout(() => {
          this.#timer = null;
          this.start();
        }, this.#delayMs);
        this.#delayMs = Math.min(this.#delayMs * 2, 30_000);
      }
      this.#setState('reconnecting');
    };
    for (const type of EVENT_TYPES) {
      es.addEventListener(type, (ev) => {
        let data: unknown;
        try {
          data = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of this.#listeners.get(type) ?? []) l(data);
      });
    }
  }

  get state(): LiveState {
    return this.#state;
  }

  /** Calls `fn` with each event of `type`; returns the unsubscribe function. */
  on(type: string, fn: Listener): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  onState(fn: (s: LiveState) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  #setState(s: LiveState): void {
    if (s === this.#state) return;
    this.#state = s;
    for (const l of this.#stateListeners) l(s);
  }
}

export const live = new LiveEvents();
