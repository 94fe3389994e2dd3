// CimSource over the two transports: a WMI session over DCOM (one session, every namespace) and
// WinRM (one WS-Man client per namespace, since the namespace is part of the ResourceURI).
import type { CimObject } from '../../transports/wmio/cim-object.js';
import type { WmiSession } from '../../transports/wmi/wmi-session.js';
import { WsmanClient, type WsmanClientOptions } from '../../transports/wsman/wsman-client.js';
import type { CimSchema } from '../../transports/wsman/wsman-response.js';
import type { TlsCertificateFacts, WinrmTlsTrust } from '../../transports/wsman/wsman-tls.js';
import type { WsmanAuth } from '../../transports/wsman/wsman-transport.js';
import { ScannerError } from '../../errors.js';
import type { WindowsCredential } from '../../vault/credential-types.js';
import { cimSchema } from './cim-classes.js';
import type { CimQueryLimits, CimSource } from './cim-source.js';
import type { CallLimits, RegistryAccess } from './remote.js';

/** What a transport may add besides queries (StdRegProv registry, GetOwner). */
export interface CimExtras {
  registry?: RegistryAccess;
  processOwner?: (pid: number, limits: CallLimits) => Promise<string | null>;
}

/** Objects per IEnumWbemClassObject::Next. */
const WMI_BATCH = 128;

export class WmiCimSource implements CimSource {
  readonly path = 'wmi';
  readonly registry: RegistryAccess | undefined;
  readonly processOwner: CimSource['processOwner'];
  readonly #session: WmiSession;

  constructor(session: WmiSession, extras: CimExtras = {}) {
    this.#session = session;
    this.registry = extras.registry;
    this.processOwner = extras.processOwner;
  }

  query(namespace: string, wql: string, limits: CimQueryLimits): AsyncIterable<CimObject> {
    return this.#session.query(namespace, wql, {
      batch: WMI_BATCH,
      signal: limits.signal,
      timeoutMs: limits.timeoutMs,
      maxObjects: limits.maxObjects,
    });
  }

  async close(): Promise<void> {
    await this.#session.close().catch(() => undefined);
  }
}

/** The WinRM connection settings, without the namespace (one client is made per namespace). */
export type WinrmSourceOptions = Omit<WsmanClientOptions, 'namespace'>;

export interface WinrmEndpoint {
  port: number;
  https: boolean;
}

/** The host's DNS names for the certificate check: forward-confirmed ones, and the others. */
export type WinrmHostNames = Pick<WinrmTlsTrust, 'names' | 'unconfirmedNames'>;

/**
 * True when an HTTPS certificate check for this credential would look at names: a CA bundle or
 * the system CAs, not pins (so the host's DNS names are worth confirming).
 */
export function winrmChecksNames(credential: WindowsCredential, endpoint: WinrmEndpoint): boolean {
  return endpoint.https && !credential.winrmCertFingerprints?.length;
}

/**
 * How a windows credential logs in to a WinRM endpoint: NTLM, or Basic (`DOMAIN\user`, or the
 * bare name for a local account) which is refused over HTTP before anything is sent
 * (ERR_CONFIG_INVALID); and what it trusts over HTTPS (its CA bundle, its pinned fingerprints,
 * and besides the address the host's forward-confirmed DNS names, `names`, for a CA's
 * certificate).
 */
export function winrmLoginOptions(
  credential: WindowsCredential,
  account: { username: string; domain: string; password: string },
  address: string,
  endpoint: WinrmEndpoint,
  names?: WinrmHostNames,
): Pick<
  WinrmSourceOptions,
  'host' | 'port' | 'https' | 'auth' | 'ca' | 'certFingerprints' | 'tlsNames'
> {
  let auth: WsmanAuth = { kind: 'ntlm', credentials: account };
  if (credential.winrmAuth === 'basic') {
    if (!endpoint.https) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `WinRM: credential '${credential.name}' uses Basic authentication, which is only sent over HTTPS; ` +
          `${address} is reached over HTTP (port ${endpoint.port}), so nothing was sent`,
      );
    }
    const user = account.domain ? `${account.domain}\\${account.username}` : account.username;
    auth = { kind: 'basic', username: user, password: account.password };
  }
  return {
    host: address,
    port: endpoint.port,
    https: endpoint.https,
    auth,
    ...(credential.winrmCa ? { ca: credential.winrmCa } : {}),
    ...(credential.winrmCertFingerprints?.length
      ? { certFingerprints: credential.winrmCertFingerprints }
      : {}),
    ...(names && winrmChecksNames(credential, endpoint) ? { tlsNames: names } : {}),
  };
}

export class WinrmCimSource implements CimSource {
  readonly path = 'winrm';
  readonly registry: RegistryAccess | undefined;
  readonly processOwner: CimSource['processOwner'];
  readonly #o: WinrmSourceOptions;
  readonly #clients = new Map<string, WsmanClient>();
  readonly #schema: CimSchema = cimSchema();

  constructor(o: WinrmSourceOptions, extras: CimExtras = {}) {
    this.#o = o;
    this.registry = extras.registry;
    this.processOwner = extras.processOwner;
  }

  /** The client for `namespace` (created once; NTLM authenticates each client's connection). */
  client(namespace: string): WsmanClient {
    const key = namespace.replace(/\\/g, '/').toLowerCase();
    let c = this.#clients.get(key);
    if (!c) {
      c = new WsmanClient({ ...this.#o, namespace: namespace.replace(/\\/g, '/') });
      this.#clients.set(key, c);
    }
    return c;
  }

  async *query(namespace: string, wql: string, limits: CimQueryLimits): AsyncGenerator<CimObject> {
    let n = 0;
    for await (const page of this.client(namespace).pages(wql, {
      signal: limits.signal,
      schema: this.#schema,
    })) {
      for (const o of page) {
        if (++n > limits.maxObjects) return;
        yield o;
      }
    }
  }

  /** HTTPS: the server certificate and why it was trusted, once a client has connected. */
  get tls(): TlsCertificateFacts | null {
    for (const c of this.#clients.values()) if (c.tls) return c.tls;
    return null;
  }

  async close(): Promise<void> {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}
