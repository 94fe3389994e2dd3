// vSphere transport: a minimal vim25 SOAP client over node:https with a keep-alive agent, its
// session (login kept for one re-login when the server forgets it) and a count of round trips.
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { VsphereFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { abortError, redactError } from '../safe-errors.js';
import {
  asNode,
  moRefOf,
  VimFaultError,
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

/** An answer larger than `maxResponseBytes`: ERR_PROTOCOL, told apart so a caller can ask for less. */
export class VimResponseTooLargeError extends ScannerError {
  constructor(limit: number) {
    super('ERR_PROTOCOL', `vsphere response exceeded ${limit} bytes; cut off`);
    this.name = 'VimResponseTooLargeError';
  }
}

/** True for the fault a server sends when the session cookie is unknown or expired. */
export function isNotAuthenticated(err: unknown): err is VimFaultError {
  return err instanceof VimFaultError && err.faultType === 'NotAuthenticated';
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
  /** Kept after a successful login() for one re-login in withSession(); cleared by logout(). */
  #login: { userName: string; password: string } | null = null;
  #sessionGeneration = 0;
  #reLogins = 0;
  #roundTrips = 0;
  readonly #callsByMethod = new Map<string, number>();

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

  /** SOAP requests sent so far (every POST to /sdk, faults included): what benchmarks and tests count. */
  get roundTrips(): number {
    return this.#roundTrips;
  }

  /** Requests sent so far per vim25 method (`RetrievePropertiesEx: 8`…). */
  callsByMethod(): Record<string, number> {
    return Object.fromEntries(this.#callsByMethod);
  }

  /** Logins that replaced a session the server had forgotten (withSession). */
  get reLogins(): number {
    return this.#reLogins;
  }

  /**
   * Changes at every login: objects a session owns (a ContainerView) are gone when it changes,
   * so a caller holding one compares generations before reusing it.
   */
  get sessionGeneration(): number {
    return this.#sessionGeneration;
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
    this.#login = { userName, password };
    this.#sessionGeneration++;
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
    this.#login = null;
    if (!this.#cookie) return;
    const sc = await this.retrieveServiceContent(opts);
    try {
      await this.call('Logout', sc.sessionManager, '', opts);
    } finally {
      this.#cookie = null;
    }
  }

  /** Drops pooled connections and the remembered login. The client is unusable afterwards. */
  close(): void {
    this.#login = null;
    this.#agent.destroy();
  }

  /**
   * Runs `fn` in the logged-in session. When it fails with NotAuthenticated (the server expired
   * or terminated the session) and login() had succeeded, logs in again with the same account,
   * once per withSession call, and runs `fn` again from the start: objects of the old session
   * (views, tokens) are gone, so `fn` must not reuse them (see sessionGeneration). A failed
   * re-login rejects with its own error (InvalidLogin: the password changed meanwhile).
   */
  async withSession<T>(fn: () => Promise<T>, opts: CallOptions): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const again = this.#login;
      if (!isNotAuthenticated(err) || !again || opts.signal.aborted) throw err;
      this.#cookie = null;
      this.#reLogins++;
      await this.login(again.userName, again.password, opts);
      return fn();
    }
  }

  /**
   * One vim25 call: `method` on `self` with `body` (already-escaped XML of the parameters).
   * Returns the parsed `returnval`. `secrets` are masked out of any error it raises.
   */
  async call(
    method: string,
    self: MoRef,
    body: string,
    opts: CallOptions & { typed?: boolean },
    secrets: string[] = [],
  ): Promise<XmlValue | undefined> {
    const xml = await this.#post(method, soapEnvelope(method, self, body), opts.signal, secrets);
    return parseSoapResponse(xml, method, { typed: opts.typed === true });
  }

  #post(method: string, payload: string, signal: AbortSignal, secrets: string[]): Promise<string> {
    if (signal.aborted) return Promise.reject(abortError(signal, 'vsphere request'));
    this.#roundTrips++;
    this.#callsByMethod.set(method, (this.#callsByMethod.get(method) ?? 0) + 1);
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
            fail(new VimResponseTooLargeError(this.#maxBytes));
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
