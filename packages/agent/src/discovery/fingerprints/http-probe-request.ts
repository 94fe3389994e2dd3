// One bounded HTTP/1.1 exchange over a fresh TCP or TLS socket, for the unauthenticated probes.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ScannerError } from '../../errors.js';
import type { X509Certificate } from 'node:crypto';
import type { ProbeContext } from '../types.js';
import {
  bodyFraming,
  decodeChunked,
  DEFAULT_HTTP_HEAD_LIMITS,
  looksLikeTls,
  scanHttpHead,
  type BodyFraming,
  type HttpHead,
} from './http-probe-parse.js';
import { armProbeDeadline } from './probe-deadline.js';

/** The User-Agent every probe sends, so a server's log names the scanner. */
export const PROBE_USER_AGENT = 'NopeSightScanner/0.1 (unauthenticated discovery probe)';

/** Default cap on the body kept from one response. */
export const DEFAULT_MAX_BODY_BYTES = 65536;

export interface HttpExchangeOptions {
  tls: boolean;
  /** SNI and Host header; an IP address is never sent as SNI (RFC 6066 §3). */
  serverName?: string;
  method: 'GET' | 'HEAD' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Body bytes kept; the connection is closed once this many are in hand. */
  maxBodyBytes?: number;
}

export interface HttpExchangeResult {
  head: HttpHead;
  body: Buffer;
  /** True when the body was cut at maxBodyBytes or the server closed before its announced end. */
  bodyTruncated: boolean;
  /** Set for TLS exchanges: what the handshake showed (read before the socket was closed). */
  tls?: { certificate: X509Certificate | undefined; protocol: string | null };
}

/**
 * Options for every probe TLS connection. Certificate verification is off on purpose: the probe
 * records the certificate as a fact, sends nothing secret, and must read self-signed and expired
 * certificates too (most vCenter, ESXi, iLO and printer certificates are). TLS 1.0 and weak
 * ciphers are allowed for the same reason: old management controllers speak nothing else. This
 * applies to these probe sockets only; every other client in the agent verifies TLS.
 */
export function probeTlsOptions(
  address: string,
  port: number,
  serverName?: string,
): ConnectionOptions {
  const options: ConnectionOptions = {
    host: address,
    port,
    rejectUnauthorized: false,
    minVersion: 'TLSv1',
    ciphers: 'DEFAULT:@SECLEVEL=0',
  };
  // Node would otherwise derive SNI from `host`; an address is not a valid SNI name.
  options.servername = serverName && isIP(serverName) === 0 ? serverName : '';
  return options;
}

/**
 * ERR_PROTOCOL raised when the peer speaks the other mode: TLS on a port probed in plain HTTP,
 * or plain text on a port probed with TLS. Callers match on `peerSpeaks` to retry the other way.
 */
export class TlsMismatchError extends ScannerError {
  readonly peerSpeaks: 'tls' | 'plain';
  constructor(peerSpeaks: 'tls' | 'plain', message: string, options?: { cause?: unknown }) {
    super('ERR_PROTOCOL', message, options);
    this.name = 'TlsMismatchError';
    this.peerSpeaks = peerSpeaks;
  }
}

/** Maps a socket or TLS error to a stable code; `phase` says how far the exchange got. */
export function probeSocketError(
  err: NodeJS.ErrnoException,
  what: string,
  phase: string,
): ScannerError {
  const code = err.code ?? '';
  if (
    ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL'].includes(code)
  ) {
    return new ScannerError('ERR_UNREACHABLE', `${what}: ${code} during ${phase}`, { cause: err });
  }
  if (
    phase === 'tls handshake' &&
    /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST)/.test(code)
  ) {
    return new TlsMismatchError(
      'plain',
      `${what}: the server does not speak TLS (plain HTTP?) (${code})`,
      {
        cause: err,
      },
    );
  }
  if (phase === 'tls handshake' && code === 'ECONNRESET') {
    return new ScannerError('ERR_PROTOCOL', `${what}: connection reset during tls handshake`, {
      cause: err,
    });
  }
  return new ScannerError('ERR_PROTOCOL', `${what}: ${code || err.message} during ${phase}`, {
    cause: err,
  });
}

/** The Host header value: name or address (IPv6 in brackets), port unless it is the default. */
export function hostHeader(
  address: string,
  port: number,
  tls: boolean,
  serverName?: string,
): string {
  const host = serverName ?? (isIP(address) === 6 ? `[${address}]` : address);
  return port === (tls ? 443 : 80) ? host : `${host}:${port}`;
}

/**
 * Sends one request with `Connection: close` and reads one response: head up to 16 KB and 100
 * headers, body up to `maxBodyBytes` (default 64 KB). The whole exchange (connect, handshake,
 * request, head, body) must finish within `ctx.timeoutMs`.
 *
 * Errors: ERR_UNREACHABLE, ERR_TIMEOUT (names the phase and the limit), ERR_PROTOCOL (not HTTP,
 * not TLS, oversized head, closed early), ERR_ABORTED.
 */
export function httpExchange(
  address: string,
  port: number,
  options: HttpExchangeOptions,
  ctx: ProbeContext,
): Promise<HttpExchangeResult> {
  const what = `${options.tls ? 'https' : 'http'} ${options.method} ${options.path} ${address}:${port}`;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Raw chunked bytes kept: payload plus generous framing overhead, never unbounded.
  const maxRawBody = maxBody * 2 + 4096;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new ScannerError('ERR_ABORTED', `${what}: aborted before connect`));
      return;
    }
    let phase = 'connect';
    let settled = false;
    let received: Buffer = Buffer.alloc(0);
    let head: HttpHead | undefined;
    let framing: BodyFraming = { kind: 'close' };
    let rawBody: Buffer = Buffer.alloc(0);
    let handshake: HttpExchangeResult['tls'];

    const socket: Socket = options.tls
      ? tlsConnect(probeTlsOptions(address, port, options.serverName))
      : netConnect({ host: address, port, noDelay: true });

    const finish = (err: ScannerError | null, result?: HttpExchangeResult): void => {
      if (settled) return;
      settled = true;
      disarm();
      socket.removeAllListeners('data');
      socket.on('error', () => {}); // late errors after we are done are of no interest
      socket.destroy();
      if (err) reject(err);
      else resolve(result as HttpExchangeResult);
    };
    const disarm = armProbeDeadline(ctx, what, () => phase, finish);

    const complete = (truncated: boolean): void => {
      if (!head) return;
      let body: Buffer = rawBody;
      if (framing.kind === 'chunked') {
        const decoded = decodeChunked(rawBody, maxBody);
        if (decoded.kind === 'invalid') {
          finish(new ScannerError('ERR_PROTOCOL', `${what}: ${decoded.reason}`));
          return;
        }
        body = decoded.body;
        truncated = truncated || decoded.kind === 'need-more' || body.length >= maxBody;
      } else {
        truncated = truncated || body.length > maxBody;
        body = body.subarray(0, maxBody);
      }
      const result: HttpExchangeResult = { head, body, bodyTruncated: truncated };
      if (handshake) result.tls = handshake;
      finish(null, result);
    };

    const onBody = (): void => {
      switch (framing.kind) {
        case 'none':
          return complete(false);
        case 'length':
          if (rawBody.length >= Math.min(framing.length, maxBody)) {
            rawBody = rawBody.subarray(0, Math.min(framing.length, maxBody));
            return complete(framing.length > maxBody);
          }
          return;
        case 'chunked': {
          const decoded = decodeChunked(rawBody, maxBody);
          if (decoded.kind !== 'need-more' || rawBody.length >= maxRawBody) return complete(false);
          return;
        }
        case 'close':
          if (rawBody.length >= maxBody) return complete(true);
          return;
      }
    };

    const sendRequest = (): void => {
      phase = 'request';
      const lines = [
        `${options.method} ${options.path} HTTP/1.1`,
        `Host: ${hostHeader(address, port, options.tls, options.serverName)}`,
        `User-Agent: ${PROBE_USER_AGENT}`,
        'Accept: */*',
        'Connection: close',
      ];
      for (const [name, value] of Object.entries(options.headers ?? {}))
        lines.push(`${name}: ${value}`);
      const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
      if (body) lines.push(`Content-Length: ${body.length}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (body) socket.write(body);
      phase = 'response head';
    };

    if (options.tls) {
      socket.once('connect', () => (phase = 'tls handshake'));
      socket.once('secureConnect', () => {
        const tlsSocket = socket as TLSSocket;
        handshake = {
          certificate: tlsSocket.getPeerX509Certificate(),
          protocol: tlsSocket.getProtocol(),
        };
        sendRequest();
      });
    } else {
      socket.once('connect', sendRequest);
    }

    socket.on('data', (chunk: Buffer) => {
      if (!head) {
        received = Buffer.concat([received, chunk]);
        const scan = scanHttpHead(received, DEFAULT_HTTP_HEAD_LIMITS);
        if (scan.kind === 'invalid') {
          finish(
            looksLikeTls(received)
              ? new TlsMismatchError(
                  'tls',
                  `${what}: the server answered with TLS (an HTTPS port?)`,
                )
              : new ScannerError('ERR_PROTOCOL', `${what}: ${scan.reason}`),
          );
          return;
        }
        if (scan.kind === 'need-more') return;
        head = scan.head;
        framing = bodyFraming(head, options.method);
        phase = 'response body';
        rawBody = received.subarray(head.headBytes, head.headBytes + maxRawBody);
        received = Buffer.alloc(0);
      } else {
        rawBody = Buffer.concat([rawBody, chunk]).subarray(0, maxRawBody);
      }
      onBody();
    });
    socket.once('end', () => {
      if (head) {
        // A server that closes early still told us its status and headers: keep them.
        complete(framing.kind !== 'close' && framing.kind !== 'none');
        return;
      }
      const hint =
        received.length === 0 ? 'without answering' : 'before the end of the response head';
      finish(
        new ScannerError('ERR_PROTOCOL', `${what}: closed by the server ${hint} (phase ${phase})`),
      );
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // A server that resets after its head (common when it rejects the request) still answered.
      if (head && err.code === 'ECONNRESET') complete(true);
      else finish(probeSocketError(err, what, phase));
    });
  });
}
