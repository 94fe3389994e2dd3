// WS-Man over HTTP(S): one keep-alive connection (NTLM authenticates the connection, not the
// request), Basic over HTTPS, NTLM with message encryption over HTTP or channel bindings over
// HTTPS, certificates judged by the credential's trust (wsman-tls.ts) before a byte is sent, and
// the limits every call has (connect, request, response size).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ScannerError } from '../../errors.js';
import { NtlmClient, type NtlmClientOptions, type NtlmCredentials } from '../ntlm/ntlm-client.js';
import type { NtlmSessionSecurity } from '../ntlm/ntlm-session-security.js';
import { abortError, redactError } from '../safe-errors.js';
import { ntlmChannelBindings } from './channel-bindings.js';
import {
  ENCRYPTED_CONTENT_TYPE,
  ENCRYPTED_PROTOCOL,
  decryptMessage,
  encryptMessage,
} from './wsman-encryption.js';
import { connectTrusted, type TlsCertificateFacts, type WinrmTlsTrust } from './wsman-tls.js';

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

export type WsmanAuth =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'ntlm'; credentials: NtlmCredentials; ntlmOptions?: NtlmClientOptions };

export interface WsmanTransportOptions {
  host: string;
  port: number;
  https: boolean;
  auth: WsmanAuth;
  /**
   * Certificates are always judged (there is no switch to turn that off); accepted for callers
   * written when there was one.
   */
  tlsVerify?: true;
  /** HTTPS: a PEM CA bundle to verify against instead of the system CAs (wsman-tls.ts). */
  ca?: string;
  /** HTTPS: pinned `SHA256:…` certificate fingerprints; when given, the only trust (wsman-tls.ts). */
  certFingerprints?: readonly string[];
  /** HTTPS: the host's forward-confirmed DNS names the certificate may name (wsman-tls.ts). */
  tlsNames?: Pick<WinrmTlsTrust, 'names' | 'unconfirmedNames'>;
  /** TCP connect, and over HTTPS the TLS handshake with the certificate check. */
  connectTimeoutMs: number;
  /** One HTTP exchange, from sending to the last byte of the answer. */
  requestTimeoutMs: number;
  maxResponseBytes?: number;
}

interface HttpAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  socket: IncomingMessage['socket'];
}

function secretsOf(auth: WsmanAuth): string[] {
  return auth.kind === 'basic' ? [auth.password] : [auth.credentials.password];
}

function negotiateToken(headers: IncomingMessage['headers']): Buffer | null {
  const raw = headers['www-authenticate'];
  const all = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((h) => h.split(','));
  for (const h of all) {
    const m = /^\s*(?:Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/.exec(h);
    if (m) return Buffer.from(m[1]!, 'base64');
  }
  return null;
}

/** Sends SOAP envelopes to `/wsman` and returns the answers' text, authenticating as needed. */
export class WsmanTransport {
  readonly #o: WsmanTransportOptions;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly endpoint: string;
  #security: NtlmSessionSecurity | null = null;
  #authedSocket: object | null = null;
  #tls: TlsCertificateFacts | null = null;
  /** TLS connections still being judged: destroyed by close(). */
  readonly #pending = new Set<Duplex>();

  constructor(o: WsmanTransportOptions) {
    if (o.auth.kind === 'basic' && !o.https) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        'WinRM: Basic authentication is only sent over HTTPS',
      );
    }
    this.#o = o;
    const common = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 };
    this.#agent = o.https ? this.#trustingAgent(common) : new HttpAgent(common);
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    this.endpoint = `${o.https ? 'https' : 'http'}://${host}:${o.port}/wsman`;
  }

  /** True when messages are sealed (NTLM over HTTP). */
  get encrypted(): boolean {
    return this.#security !== null;
  }

  /** HTTPS: the certificate of the last connection and why it was trusted; null before one. */
  get tls(): TlsCertificateFacts | null {
    return this.#tls;
  }

  close(): void {
    for (const s of this.#pending) s.destroy();
    this.#pending.clear();
    this.#agent.destroy();
  }

  /**
   * An HTTPS agent whose connections reach a request only after their certificate is accepted
   * (the agent waits for createConnection's callback when it returns nothing).
   */
  #trustingAgent(common: { keepAlive: boolean; maxSockets: number; maxFreeSockets: number }) {
    const agent = new HttpsAgent(common);
    const trust: WinrmTlsTrust = {
      ...(this.#o.ca ? { ca: this.#o.ca } : {}),
      ...(this.#o.certFingerprints ? { fingerprints: this.#o.certFingerprints } : {}),
      ...this.#o.tlsNames,
    };
    type Done = (err: Error | null, socket?: Duplex) => void;
    (
      agent as unknown as { createConnection: (opts: unknown, done: Done) => undefined }
    ).createConnection = (_opts, done) => {
      const pending = connectTrusted(
        {
          host: this.#o.host,
          port: this.#o.port,
          trust,
          timeoutMs: this.#o.connectTimeoutMs,
        },
        (err, socket, facts) => {
          this.#pending.delete(pending);
          if (facts) this.#tls = facts;
          done(err, socket);
        },
      );
      this.#pending.add(pending);
      return undefined;
    };
    return agent;
  }

  /** Posts one envelope; returns the answer's SOAP text (faults included: the caller parses). */
  async send(envelope: string, signal: AbortSignal): Promise<string> {
    const message = Buffer.from(envelope, 'utf8');
    const auth = this.#o.auth;
    if (auth.kind === 'basic') {
      const token = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      const a = await this.#post(
        message,
        { authorization: `Basic ${token}`, 'content-type': SOAP_CONTENT_TYPE },
        signal,
      );
      return this.#soapText(a);
    }
    if (!this.#authedSocket) await this.#ntlmHandshake(auth, signal);
    let a = await this.#sendAuthed(message, signal);
    if (a.status === 401 && a.socket !== this.#authedSocket) {
      // A new connection (the server closed the old one): it is not authenticated yet. Over
      // HTTP the sealed request was refused unread, so resending it after a handshake is safe.
      await this.#ntlmHandshake(auth, signal);
      a = await this.#sendAuthed(message, signal);
    }
    return this.#soapText(a);
  }

  async #sendAuthed(message: Buffer, signal: AbortSignal): Promise<HttpAnswer> {
    if (this.#security) {
      return this.#post(
        encryptMessage(this.#security, message),
        { 'content-type': ENCRYPTED_CONTENT_TYPE },
        signal,
      );
    }
    return this.#post(message, { 'content-type': SOAP_CONTENT_TYPE }, signal);
  }

  #soapText(a: HttpAnswer): string {
    if (a.status === 401) {
      throw new ScannerError(
        'ERR_AUTH_FAILED',
        'WinRM: the server rejected the credential (HTTP 401)',
      );
    }
    const type = String(a.headers['content-type'] ?? '');
    let body = a.body;
    if (type.includes(ENCRYPTED_PROTOCOL)) {
      if (!this.#security)
        throw new ScannerError('ERR_PROTOCOL', 'WinRM: encrypted answer on an unencrypted session');
      body = decryptMessage(this.#security, body);
    } else if (this.#security && body.length > 0) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `WinRM: unencrypted answer (HTTP ${a.status}) on an encrypted session`,
      );
    }
    if (a.status !== 200 && !(a.status === 500 && body.length > 0)) {
      throw new ScannerError('ERR_PROTOCOL', `WinRM: HTTP ${a.status} without a SOAP answer`);
    }
    return body.toString('utf8');
  }

  /**
   * NTLM over the shared connection: NEGOTIATE with an empty body, the CHALLENGE from the 401,
   * AUTHENTICATE (with channel bindings of the certificate over HTTPS). Over HTTP the session
   * keys then seal every message.
   */
  async #ntlmHandshake(
    auth: Extract<WsmanAuth, { kind: 'ntlm' }>,
    signal: AbortSignal,
  ): Promise<void> {
    this.#security = null;
    this.#authedSocket = null;
    const negotiate = new NtlmClient(auth.credentials, auth.ntlmOptions).negotiate();
    const first = await this.#post(
      Buffer.alloc(0),
      { authorization: `Negotiate ${negotiate.toString('base64')}` },
      signal,
    );
    const challenge = negotiateToken(first.headers);
    if (first.status !== 401 || !challenge) {
      throw new ScannerError(
        first.status === 401 ? 'ERR_AUTH_FAILED' : 'ERR_PROTOCOL',
        `WinRM: the server did not answer NTLM NEGOTIATE with a challenge (HTTP ${first.status})`,
      );
    }
    // The bindings need the certificate, known only once connected. NEGOTIATE does not carry
    // them and is deterministic, so a client built now sends (and MICs) the same bytes.
    const cert = this.#o.https ? (first.socket as TLSSocket).getPeerCertificate?.() : undefined;
    const client = new NtlmClient(auth.credentials, {
      ...auth.ntlmOptions,
      ...(cert?.raw ? { channelBindings: ntlmChannelBindings(cert.raw) } : {}),
    });
    client.negotiate();
    let authenticate: Buffer;
    try {
      authenticate = client.authenticate(challenge);
    } catch (err) {
      throw new ScannerError('ERR_PROTOCOL', 'WinRM: the NTLM challenge is malformed', {
        cause: redactError(err, secretsOf(auth)),
      });
    }
    const done = await this.#post(
      Buffer.alloc(0),
      { authorization: `Negotiate ${authenticate.toString('base64')}` },
      signal,
    );
    if (done.status === 401) {
      throw new ScannerError(
        'ERR_AUTH_FAILED',
        'WinRM: the server rejected the credential (HTTP 401)',
      );
    }
    if (done.status !== 200) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `WinRM: NTLM AUTHENTICATE answered with HTTP ${done.status}`,
      );
    }
    if (done.socket !== first.socket) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        'WinRM: the server closed the connection during NTLM authentication',
      );
    }
    this.#authedSocket = done.socket;
    if (!this.#o.https) this.#security = client.security();
  }

  #post(body: Buffer, headers: Record<string, string>, signal: AbortSignal): Promise<HttpAnswer> {
    const o = this.#o;
    const limit = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(o.requestTimeoutMs)]);
    if (deadline.aborted) return Promise.reject(this.#abortReason(signal, deadline));
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = (o.https ? httpsRequest : httpRequest)({
        host: o.host,
        port: o.port,
        path: '/wsman',
        method: 'POST',
        agent: this.#agent,
        headers: {
          ...headers,
          'content-length': String(body.length),
          'user-agent': 'NopeSight Scanner',
        },
      });
      let connectTimer: NodeJS.Timeout | null = null;
      const onAbort = () => req.destroy(this.#abortReason(signal, deadline));
      deadline.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        deadline.removeEventListener('abort', onAbort);
        if (connectTimer) clearTimeout(connectTimer);
      };
      req.on('socket', (socket) => {
        if ((socket as { connecting?: boolean }).connecting) {
          connectTimer = setTimeout(
            () =>
              req.destroy(
                new ScannerError(
                  'ERR_TIMEOUT',
                  `WinRM connect timed out after ${o.connectTimeoutMs} ms`,
                ),
              ),
            o.connectTimeoutMs,
          );
          socket.once(o.https ? 'secureConnect' : 'connect', () => {
            if (connectTimer) clearTimeout(connectTimer);
          });
        }
      });
      req.on('error', (err) => {
        finish();
        reject(this.#networkError(err));
      });
      req.on('response', (res) => {
        // Kept now: keep-alive detaches the socket from the response once it has ended.
        const socket = res.socket;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            req.destroy(
              new ScannerError('ERR_PROTOCOL', `WinRM answer larger than ${limit} bytes`),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('error', (err) => {
          finish();
          reject(this.#networkError(err));
        });
        res.on('end', () => {
          finish();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            socket,
          });
        });
      });
      req.end(body);
    });
  }

  #abortReason(signal: AbortSignal, deadline: AbortSignal): ScannerError {
    if (signal.aborted) return abortError(signal, 'WinRM request');
    if (deadline.reason instanceof ScannerError) return deadline.reason;
    return new ScannerError(
      'ERR_TIMEOUT',
      `WinRM request timed out after ${this.#o.requestTimeoutMs} ms`,
    );
  }

  #networkError(err: unknown): ScannerError {
    if (err instanceof ScannerError) return err;
    const code = (err as { code?: string }).code ?? '';
    const cause = redactError(err, secretsOf(this.#o.auth));
    switch (code) {
      case 'ECONNREFUSED':
        return new ScannerError(
          'ERR_PORT_CLOSED',
          `WinRM connect: port ${this.#o.port} is closed (ECONNREFUSED)`,
          { cause },
        );
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new ScannerError('ERR_UNREACHABLE', `WinRM connect: ${code}`, { cause });
      case 'ECONNRESET':
      case 'EPIPE':
        return new ScannerError(
          'ERR_PROTOCOL',
          `WinRM: the server dropped the connection (${code})`,
          { cause },
        );
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
      return new ScannerError(
        'ERR_TLS_UNTRUSTED',
        `WinRM: the server certificate does not verify (${code})`,
        { cause },
      );
    }
    return new ScannerError('ERR_PROTOCOL', `WinRM: ${(err as Error).message ?? String(err)}`, {
      cause,
    });
  }
}
