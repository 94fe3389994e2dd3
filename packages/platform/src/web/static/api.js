// The operator API from the browser: the admin token kept in sessionStorage (this tab only) and
// sent as a bearer header, never in a URL; CSV exports fetched the same way and saved as files.
/* global sessionStorage, fetch, document, URLSearchParams, setTimeout */

const TOKEN_KEY = 'nopesight.adminToken';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: `status`, `code` and the platform's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => undefined;

/** Called when the platform refuses the token (401/403): the app goes back to the login. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

async function request(path, init = {}) {
  const token = getToken();
  const headers = { ...(init.headers ?? {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
  if (res.ok) return res;
  let code = 'internal';
  let message = `HTTP ${res.status}`;
  try {
    const body = await res.json();
    code = body?.error?.code ?? code;
    message = body?.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 || res.status === 403) onUnauthorized(message);
  throw new ApiError(res.status, code, message);
}

/** GET path (with a query object) → parsed JSON. */
export async function getJson(path, query = {}) {
  return (await request(withQuery(path, query))).json();
}

/** `POST /api/discovery/agents/:id/commands` → `{type: 'result'|'error', payload}`. */
export async function command(agentId, type, payload, timeoutMs) {
  const res = await request(`/api/discovery/agents/${encodeURIComponent(agentId)}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(timeoutMs ? { type, payload, timeoutMs } : { type, payload }),
  });
  return res.json();
}

/** Checks a token before keeping it: one cheap operator read. */
export async function tryToken(token) {
  const res = await fetch('/api/discovery/agents?limit=1', {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (res.ok) return null;
  if (res.status === 401) return 'the platform does not know this token (or it was revoked)';
  if (res.status === 403) return 'this is not an admin token';
  return `the platform answered HTTP ${res.status}`;
}

/** A path with its query string; empty values are left out. */
export function withQuery(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Fetches a list as CSV (`format=csv`) and saves it as `filename`. */
export async function downloadCsv(path, query, filename) {
  const res = await request(withQuery(path, { ...query, format: 'csv' }));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own copy once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
