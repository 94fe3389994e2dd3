// vSphere transport: a minimal vim25 SOAP client over node:https with a keep-alive agent.
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { VsphereFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { abortError, redactError } from '../safe-errors.js';
import {
  asNode,
  moRefOf,
  parseSoapResponse,
  soapEnvelope,
  textOf,
  xmlEscape,
  type MoRef,
  type XmlValue,
} from './soap.js';

const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const SESSION_COOKIE = 'vmware_soap_session';
/** Used until the server's own apiVersion is known; every vCenter since 6.0 accepts it. */
const INITIAL_API_VERSION = '6.0';

/** OpenSSL/Node verification failures: the peer answered but its certificate is not trusted. */
const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface VimClientOptions {
  address: string;
  port: number;
  /** Verify the server certificate (default trust store plus `ca`); off only by explicit choice. */
  tlsVerify: boolean;
  /** Extra CA certificates (PEM text) trusted in addition to the system ones. */
  ca?: string;
  /** Limit for TCP connect plus TLS handshake of a new connection. */
  connectTimeoutMs: number;
  /** Limit for one SOAP call, from sending to the last byte of the answer. */
  requestTimeoutMs: number;
  /** Answers larger than this are cut off with ERR_PROTOCOL. Default 8 MiB. */
  maxResponseBytes?: number;
}

export interface ServiceContent {
  about: VsphereFacts & { osType?: string };
  rootFolder: MoRef;
  propertyCollector: MoRef;
  sessionManager: MoRef;
  viewManager: MoRef | null;
}

export interface UserSession {
  key: string;
  userName: string;
  fullName: string;
  loginTime: string;
}

interface CallOptions {
  signal: AbortSignal;
}

function aboutFrom(node: XmlValue | undefined): ServiceContent['about'] {
  const about = asNode(node) ?? {};
  const field = (name: string) => textOf(about[name]);
  const optional = (name: string) => field(name) || undefined;
  return {
    name: field('name'),
    fullName: field('fullName'),
    version: field('version'),
    build: field('build'),
    apiType: field('apiType'),
    apiVersion: field('apiVersion'),
    instanceUuid: optional('instanceUuid'),
    productLineId: optional('productLineId'),
    vendor: optional('vendor'),
    osType: optional('osType'),
  };
}

/**
 * One vCenter/ESXi endpoint (`https://address:port/sdk`). Calls are sequential per caller; the
 * session cookie set by login() is sent on every later call until logout() or close().
 */
export class VimClient {
  /** False when the certificate is not being checked: callers log that choice. */
  readonly tlsVerified: boolean;
  readonly #opts: VimClientOptions;
  readonly #agent: Agent;
  readonly #maxBytes: number;
  #cookie: string | null = null;
  #apiVersion = INITIAL_API_VERSION;
  #serviceContent: ServiceContent | null = null;

  constructor(opts: VimClientOptions) {
    this.#opts = opts;
    this.tlsVerified = opts.tlsVerify;
    this.#maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: 2,
      rejectUnauthorized: opts.tlsVerify,
      ca: opts.ca ? [...rootCertificates, opts.ca] : undefined,
    });
  }

  /** RetrieveServiceContent on ServiceInstance: needs no login; cached after the first call. */
  async retrieveServiceContent(opts: CallOptions): Promise<ServiceContent> {
    if (this.#serviceContent) return this.#serviceContent;
    const ret = await this.call(
      'RetrieveServiceContent',
      { type: 'ServiceInstance', value: 'ServiceInstance' },
      '',
      opts,
    );
    const node = asNode(ret);
    const ref = (name: string): MoRef | null => moRefOf(node?.[name]);
    const sessionManager = ref('sessionManager');
    const propertyCollector = ref('propertyCollector');
    const rootFolder = ref('rootFolder');
    if (!node || !sessionManager || !propertyCollector || !rootFolder) {
      throw new ScannerError('ERR_PROTOCOL', 'vsphere ServiceContent lacks its core references');
    }
    const about = aboutFrom(node['about']);
    if (about.apiVersion) this.#apiVersion = about.apiVersion;
    this.#serviceContent = {
      about,
      rootFolder,
      propertyCollector,
      sessionManager,
      viewManager: ref('viewManager'),
    };
    return this.#serviceContent;
  }

  /**
   * SessionManager.Login. Keeps the `vmware_soap_session` cookie for later calls. Rejects with
   * VimFaultError ERR_AUTH_FAILED (InvalidLogin) for a wrong user or password; the password is
   * never part of an error.
   */
  async login(userName: string, password: string, opts: CallOptions): Promise<UserSession> {
    const sc = await this.retrieveServiceContent(opts);
    const body =
      `<userName>${xmlEscape(userName)}</userName>` + `<password>${xmlEscape(password)}</password>`;
    const ret = await this.call('Login', sc.sessionManager, body, opts, [password]);
    const node = asNode(ret) ?? {};
    return {
      key: textOf(node['key']),
      userName: textOf(node['userName']),
      fullName: textOf(node['fullName']),
      loginTime: textOf(node['loginTime']),
    };
  }

  /** SessionManager.Logout, then forgets the cookie (also when the call fails). */
  async logout(opts: CallOptions): Promise<void> {
    if (!this.#cookie) return;
    const sc = await this.retrieveServiceContent(opts);
    try {
      await this.call('Logout', sc.sessionManager, '', opts);
    } finally {
      this.#cookie = null;
    }
  }

  /** Drops pooled connections. The client is unusable afterwards. */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * One vim25 call: `method` on `self` with `body` (already-escaped XML of the parameters).
   * Returns the parsed `returnval`. `secrets` are masked out of any error it raises.
   */
  async call(
    method: string,
    self: MoRef,
    body: string,
    opts: CallOptions,
    secrets: string[] = [],
  ): Promise<XmlValue | undefined> {
    const xml = await this.#post(soapEnvelope(method, self, body), opts.signal, secrets);
    return parseSoapResponse(xml, method);
  }

  #post(payload: string, signal: AbortSignal, secrets: string[]): Promise<string> {
    if (signal.aborted) return Promise.reject(abortError(signal, 'vsphere request'));
    const { address, port, connectTimeoutMs, requestTimeoutMs } = this.#opts;
    const data = Buffer.from(payload, 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: `"urn:vim25/${this.#apiVersion}"`,
      'Content-Length': data.length,
    };
    if (this.#cookie) headers['Cookie'] = this.#cookie;

    return new Promise<string>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (err: ScannerError): void => {
        if (settled) return;
        settled = true;
        cleanup();
        req.destroy();
        reject(err);
      };
      const cleanup = (): void => {
        clearTimeout(connectTimer);
        clearTimeout(requestTimer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => fail(abortError(signal, 'vsphere request'));
      const requestTimer = setTimeout(
        () =>
          fail(
            new ScannerError(
              'ERR_TIMEOUT',
              `vsphere request timed out after ${requestTimeoutMs}ms`,
            ),
          ),
        requestTimeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });

      const req = httpsRequest({
        host: address,
        port,
        path: '/sdk',
        method: 'POST',
        agent: this.#agent,
        headers,
      });
      req.on('socket', (socket) => {
        // A pooled socket is already connected: only a new one gets the connect limit.
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () =>
            fail(
              new ScannerError(
                'ERR_TIMEOUT',
                `vsphere connect timed out after ${connectTimeoutMs}ms`,
              ),
            ),
          connectTimeoutMs,
        );
        socket.once('secureConnect', () => clearTimeout(connectTimer));
      });
      req.on('error', (err: NodeJS.ErrnoException) => fail(this.#networkError(err, secrets)));
      req.on('response', (res) => {
        const setCookie = res.headers['set-cookie'] ?? [];
        for (const c of setCookie) {
          const pair = c.split(';')[0]?.trim();
          if (pair?.startsWith(`${SESSION_COOKIE}=`)) this.#cookie = pair;
        }
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxBytes) {
            fail(
              new ScannerError(
                'ERR_PROTOCOL',
                `vsphere response exceeded ${this.#maxBytes} bytes; cut off`,
              ),
            );
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) => fail(this.#networkError(err, secrets)));
        res.on('end', () => {
          if (settled) return;
          const text = Buffer.concat(chunks).toString('utf8');
          // vim25 answers 200 with a result and 500 with a SOAP fault; anything else is not /sdk.
          if (status !== 200 && !(status === 500 && /Fault>/.test(text))) {
            fail(new ScannerError('ERR_PROTOCOL', `vsphere /sdk answered HTTP ${status}`));
            return;
          }
          settled = true;
          cleanup();
          resolve(text);
        });
      });
      req.end(data);
    });
  }

  #networkError(err: NodeJS.ErrnoException, secrets: string[]): ScannerError {
    const cause = redactError(err, secrets);
    const code = err.code ?? '';
    if (TLS_TRUST_ERRORS.has(code)) {
      return new ScannerError(
        'ERR_PROTOCOL',
        `vsphere TLS certificate not trusted (${code}): give the server's CA file, or turn TLS verification off for this credential`,
        { cause },
      );
    }
    switch (code) {
      case 'ECONNREFUSED':
        return new ScannerError(
          'ERR_PORT_CLOSED',
          'vsphere connect: the port is closed (ECONNREFUSED)',
          {
            cause,
          },
        );
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EHOSTDOWN':
      case 'EADDRNOTAVAIL':
        return new ScannerError('ERR_UNREACHABLE', `vsphere connect: ${code}`, { cause });
      case 'ETIMEDOUT':
        return new ScannerError(
          'ERR_TIMEOUT',
          "vsphere connect: the system's TCP timeout expired",
          {
            cause,
          },
        );
      default:
        return new ScannerError(
          'ERR_PROTOCOL',
          `vsphere request failed: ${code || cause.message}`,
          {
            cause,
          },
        );
    }
  }
}
