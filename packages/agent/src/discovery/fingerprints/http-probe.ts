// HTTP(S) fingerprint: one GET / (or HEAD) and what its answer says about the server.
import type { ProbeContext } from '../types.js';
import { bodyText, headerValue, htmlTitle } from './http-probe-parse.js';
import { httpExchange } from './http-probe-request.js';

/** What one unauthenticated request to `/` showed. Header values are capped at 256 characters. */
export interface HttpFacts {
  status: number;
  reason?: string;
  /** The Server header (`nginx/1.22.1`, `Microsoft-HTTPAPI/2.0`). */
  server?: string;
  /** The HTML `<title>`, when the answer is HTML (first 32 KB of the body searched). */
  title?: string;
  /** The Location header of a redirect. */
  location?: string;
  contentType?: string;
  /** Authentication schemes offered (`Negotiate`, `Basic realm="…"`), e.g. WinRM on 5985. */
  wwwAuthenticate?: string;
  /** Set when a plain-HTTP request got the server's "this is an HTTPS port" answer (Go, nginx). */
  tlsRequired?: true;
}

export interface HttpProbeOptions {
  tls: boolean;
  /** Host header and SNI; defaults to the address (no SNI for an address). */
  serverName?: string;
  /** `HEAD` avoids a body but some servers answer it badly; default `GET`. */
  method?: 'GET' | 'HEAD';
  /** Defaults to `/`. */
  path?: string;
}

const MAX_HEADER_CHARS = 256;
/** Go's net/http and nginx answers to plain HTTP on a TLS port. */
const HTTPS_PORT_ANSWER =
  /HTTP request to an HTTPS server|plain HTTP request was sent to HTTPS port/i;
const TITLE_SEARCH_BYTES = 32768;

/**
 * Sends one `GET /` (no credentials, no cookies, `Connection: close`) and reports status, Server,
 * Location, Content-Type, WWW-Authenticate and the HTML title. TLS certificates are not verified
 * here (see probeTlsOptions); use readTlsCertificate for the certificate itself.
 *
 * Errors (from httpExchange): ERR_UNREACHABLE, ERR_TIMEOUT, ERR_PROTOCOL — including "the server
 * answered with TLS" for a TLS port probed in plain HTTP, and "does not speak TLS" the other way.
 *
 * @example
 * await probeHttp('198.18.0.40', 443, { tls: true }, { signal, timeoutMs: 5000 })
 * // → { status: 404, reason: 'Not Found', contentType: 'text/plain; charset=utf-8' }
 */
export async function probeHttp(
  address: string,
  port: number,
  options: HttpProbeOptions,
  ctx: ProbeContext,
): Promise<HttpFacts> {
  const method = options.method ?? 'GET';
  const exchange = await httpExchange(
    address,
    port,
    {
      tls: options.tls,
      serverName: options.serverName,
      method,
      path: options.path ?? '/',
      maxBodyBytes: TITLE_SEARCH_BYTES,
    },
    ctx,
  );
  const { head } = exchange;
  const facts: HttpFacts = { status: head.status };
  const set = (
    key: 'reason' | 'server' | 'location' | 'contentType' | 'wwwAuthenticate',
    value?: string,
  ): void => {
    // eslint-disable-next-line no-control-regex
    const clean = value?.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_HEADER_CHARS);
    if (clean) facts[key] = clean;
  };
  set('reason', head.reason);
  set('server', headerValue(head, 'server'));
  set('location', headerValue(head, 'location'));
  set('contentType', headerValue(head, 'content-type'));
  set(
    'wwwAuthenticate',
    head.headers
      .filter(([n]) => n === 'www-authenticate')
      .map(([, v]) => v)
      .join(', '),
  );
  const text = bodyText(exchange.body, facts.contentType);
  if (!options.tls && head.status === 400 && HTTPS_PORT_ANSWER.test(text)) facts.tlsRequired = true;
  if (/html/i.test(facts.contentType ?? '') || /^\s*<(!doctype html|html)/i.test(text)) {
    const title = htmlTitle(text);
    if (title) facts.title = title;
  }
  return facts;
}
