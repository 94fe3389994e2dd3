// The platform's URLs as docs/protocol.md defines them: the API base (ending in /api) a user may
// give with or without /api, and the control channel's URL derived from it.
import { isIP } from 'node:net';
import { ScannerError } from '../errors.js';

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts plain http/ws is allowed to. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

function invalid(flag: string, value: string, why: string): ScannerError {
  return new ScannerError('ERR_CONFIG_INVALID', `${flag} '${value}': ${why}`);
}

function parse(flag: string, value: string, schemes: readonly [string, string]): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalid(flag, value, `not a URL (expected ${schemes[0]}//host[:port]...)`);
  }
  const [secure, plain] = schemes;
  if (url.protocol !== secure && url.protocol !== plain) {
    throw invalid(flag, value, `must start with ${secure}// (${plain}// only for loopback)`);
  }
  if (url.protocol === plain && !isLoopbackHost(url.hostname)) {
    throw invalid(
      flag,
      value,
      `${plain}// is accepted only for loopback addresses; use ${secure}//`,
    );
  }
  if (url.username || url.password) {
    throw invalid(flag, value, 'must not carry a user name or password (the token is separate)');
  }
  if (url.search || url.hash) throw invalid(flag, value, 'must not have a query or fragment');
  return url;
}

/**
 * `https://host[:port]` or `https://host[:port]/api` (a trailing slash ignored) → the base
 * `https://host[:port]/api`. Plain http only for loopback. Anything else is ERR_CONFIG_INVALID.
 *
 * @example normaliseApiUrl('https://cmdb.example.com/') // 'https://cmdb.example.com/api'
 */
export function normaliseApiUrl(value: string): string {
  const url = parse('--api-url', value, ['https:', 'http:']);
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== '/api') {
    throw invalid('--api-url', value, `path '${url.pathname}' is neither empty nor /api`);
  }
  return `${url.protocol}//${url.host}/api`;
}

/** The control channel: the API base with https → wss (http → ws) and /discovery/agents/ws. */
export function defaultWsUrl(apiBase: string): string {
  return `${apiBase.replace(/^http/, 'ws')}/discovery/agents/ws`;
}

/** Checks a `--ws-url` given explicitly (wss://, or ws:// for loopback). */
export function normaliseWsUrl(value: string): string {
  return parse('--ws-url', value, ['wss:', 'ws:']).href;
}
