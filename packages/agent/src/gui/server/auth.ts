// Who may talk to the GUI server: the one-time login token (printed by `gui`), the session
// cookie it is exchanged for, the CSRF header on changes, and the Host/Origin checks that keep
// other sites (DNS rebinding, cross-site requests) out of a loopback server.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'nsg_session';
export const CSRF_HEADER = 'x-nopesight-csrf';

/** At most this many sessions live at once (each login link works once; cookies are per browser). */
const MAX_SESSIONS = 16;

const secret = () => randomBytes(32).toString('base64url');

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token, sessions and CSRF value of one `gui` run; nothing is kept on disk. */
export class GuiAuth {
  /** One-time login token (32 random bytes, base64url). */
  readonly token = secret();
  /** What non-GET API requests must carry in X-NopeSight-CSRF (given by GET /api/session). */
  readonly csrf = secret();
  #tokenUsed = false;
  readonly #sessions = new Set<string>();
  #port = 0;

  /** The port the server listens on (Host and Origin must name it). */
  setPort(port: number): void {
    this.#port = port;
  }

  /** Host must be 127.0.0.1:PORT or localhost:PORT: a rebound DNS name never matches. */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host === `127.0.0.1:${this.#port}` || host === `localhost:${this.#port}`;
  }

  /** An Origin header, when present, must be this server's. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return (
      origin === `http://127.0.0.1:${this.#port}` || origin === `http://localhost:${this.#port}`
    );
  }

  /** Exchanges the login token for a new session id; null when wrong or already used. */
  redeem(token: string): string | null {
    if (this.#tokenUsed || !sameSecret(token, this.token)) return null;
    this.#tokenUsed = true;
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.clear();
    const session = secret();
    this.#sessions.add(session);
    return session;
  }

  /** The Set-Cookie value for a session: HttpOnly, SameSite=Strict, whole site. */
  cookieFor(session: string): string {
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** True when the request carries a live session cookie. */
  authenticated(req: IncomingMessage): boolean {
    const session = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!session) return false;
    for (const s of this.#sessions) if (sameSecret(session, s)) return true;
    return false;
  }

  /** True when the request carries the CSRF value. */
  csrfValid(req: IncomingMessage): boolean {
    const given = req.headers[CSRF_HEADER];
    return typeof given === 'string' && sameSecret(given, this.csrf);
  }
}
