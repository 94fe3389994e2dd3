// Discovery and admin tokens: how they are made, stored (SHA-256 only) and checked on a request.
import { createHash, randomBytes } from 'node:crypto';
import { PlatformError } from './errors.js';
import { AGENT_ID_PATTERN } from './ingest/validate.js';
import type { PlatformStore, TokenInfo, TokenRole } from './store/platform-store.js';

/** `nst_` + 43 base64url characters (32 random bytes), as docs/protocol.md describes. */
export const TOKEN_PATTERN = /^nst_[A-Za-z0-9_-]{43}$/;
const TOKEN_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/** A new random token. */
export function generateToken(): string {
  return `nst_${randomBytes(32).toString('base64url')}`;
}

/** The only form a token is stored in: lower-case hex SHA-256 of the whole string. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates a token and returns it with its record; the value exists only in this return value.
 * `agentId` binds an agent token to one agent up front; an agent token created without one is
 * bound to the first agent id that uses it.
 */
export async function createToken(
  store: PlatformStore,
  opts: { name: string; role?: TokenRole; agentId?: string | null; now?: string },
): Promise<{ token: string; info: TokenInfo }> {
  const role = opts.role ?? 'agent';
  if (!TOKEN_NAME_PATTERN.test(opts.name)) {
    throw new PlatformError('bad_request', 'a token name is 1-64 of A-Za-z0-9._@-');
  }
  if (role !== 'agent' && role !== 'admin') {
    throw new PlatformError('bad_request', `role must be agent or admin, not ${String(role)}`);
  }
  const agentId = opts.agentId ?? null;
  if (agentId !== null && (role !== 'agent' || !AGENT_ID_PATTERN.test(agentId))) {
    throw new PlatformError(
      'bad_request',
      role === 'agent' ? 'agent id must be 1-64 of A-Za-z0-9._-' : 'an admin token has no agent id',
    );
  }
  const token = generateToken();
  try {
    const info = await store.insertToken({
      name: opts.name,
      role,
      agentId,
      hash: hashToken(token),
      now: opts.now ?? new Date().toISOString(),
    });
    return { token, info };
  } catch (err) {
    if (/exists already/.test((err as Error).message)) {
      throw new PlatformError('bad_request', (err as Error).message, { cause: err });
    }
    throw err;
  }
}

/** The bearer token of an `Authorization` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h ?? '');
  return m ? m[1]! : null;
}

async function activeToken(store: PlatformStore, header: string | string[] | undefined) {
  const token = bearerToken(header);
  if (token === null) {
    throw new PlatformError('unauthorized', 'the Authorization: Bearer <token> header is missing');
  }
  // Unknown-format strings are looked up too: the answer is the same 401 either way.
  const info = await store.findActiveToken(hashToken(token));
  if (!info) throw new PlatformError('unauthorized', 'the token is unknown or revoked');
  return info;
}

/**
 * Checks an agent's request (HTTP or WebSocket upgrade): an active agent token, a valid
 * X-Agent-Id, the token bound to that agent (binding it on first use). Registers the agent and
 * records the contact. 401 for a missing/unknown/revoked token, 403 for an admin token or a
 * token bound to another agent, 400 for a missing or malformed agent id.
 */
export async function authenticateAgent(
  store: PlatformStore,
  headers: {
    authorization?: string | string[] | undefined;
    'x-agent-id'?: string | string[] | undefined;
  },
  now: string,
): Promise<{ agentId: string; token: TokenInfo }> {
  const token = await activeToken(store, headers.authorization);
  if (token.role !== 'agent') {
    throw new PlatformError('forbidden', 'an admin token cannot act as an agent');
  }
  const raw = headers['x-agent-id'];
  const agentId = Array.isArray(raw) ? raw[0] : raw;
  if (agentId === undefined || !AGENT_ID_PATTERN.test(agentId)) {
    throw new PlatformError('bad_request', 'the X-Agent-Id header must be 1-64 of A-Za-z0-9._-');
  }
  const bound = token.agentId ?? (await store.bindToken(token.id, agentId, now));
  if (bound !== agentId) {
    throw new PlatformError('forbidden', `this token belongs to another agent than ${agentId}`);
  }
  await store.touchAgent(agentId, now);
  return { agentId, token };
}

/** Checks an operator's request: an active admin token (403 for an agent token). */
export async function authenticateAdmin(
  store: PlatformStore,
  authorization: string | string[] | undefined,
): Promise<TokenInfo> {
  const token = await activeToken(store, authorization);
  if (token.role !== 'admin') {
    throw new PlatformError(
      'forbidden',
      'this endpoint needs an admin token (token create --role admin)',
    );
  }
  return token;
}
