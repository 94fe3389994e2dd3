// WMI over DCOM: activate WbemLevel1Login, log into a namespace, run WQL, enumerate the objects
// in batches and decode them (MS-WMIO), releasing every interface pointer on the way out.
import { ScannerError } from '../../errors.js';
import {
  type DcomOptions,
  interfaceRef,
  type InterfaceRef,
  ObjectExporterConnection,
  remoteCreateInstance,
} from '../dcom/dcom-client.js';
import { failed, hresultOf } from '../dcom/hresult.js';
import { comInterface, newCausalityId } from '../dcom/orpc.js';
import type { NtlmCredentials } from '../ntlm/ntlm-client.js';
import type { CimObject } from '../wmio/cim-object.js';
import { decodeObjrefCustom } from '../wmio/wmio-decoder.js';
import { wbemError, WBEM_S_FALSE, WBEM_S_TIMEDOUT } from './wbem-status.js';
import {
  CLSID_WBEM_LEVEL1_LOGIN,
  decodeInterfaceAnswer,
  decodeNextAnswer,
  encodeExecQuery,
  encodeNext,
  encodeNtlmLogin,
  MAX_BATCH,
  OPNUM,
  WBEM_FLAG_FORWARD_ONLY,
  WBEM_FLAG_RETURN_IMMEDIATELY,
  WBEM_INFINITE,
  WMI_IID,
} from './wmi-calls.js';

export type WmiConnectOptions = DcomOptions;

export interface WmiQueryOptions {
  /** Objects per IEnumWbemClassObject::Next (default 64, at most 1024). */
  batch?: number;
  signal?: AbortSignal;
  /** Limit for each call of this query, in ms (default: the session's). */
  timeoutMs?: number;
  /** Most objects one query may return before it is refused as runaway (default 1,000,000). */
  maxObjects?: number;
}

/** How long a release may take before we give up on it (it runs in finally blocks). */
const RELEASE_LIMIT_MS = 5_000;
/** Consecutive WBEM_S_TIMEDOUT answers without objects tolerated before ERR_TIMEOUT. */
const MAX_EMPTY_TIMEOUTS = 3;

/** `root/cimv2`, `root\cimv2` or `//./root/cimv2` as NTLMLogin's network resource. */
export function networkResource(namespace: string): string {
  const ns = namespace
    .replace(/\\/g, '/')
    .replace(/^\/\/[^/]*\//, '')
    .replace(/^\/+/, '');
  if (!/^[A-Za-z0-9_]+(\/[A-Za-z0-9_]+)*$/.test(ns)) {
    throw new ScannerError('ERR_CONFIG_INVALID', `not a WMI namespace: ${namespace}`);
  }
  return `//./${ns}`;
}

/** An error from a WMI/COM status (the call worked, the server said no) rather than the transport. */
function isStatusError(err: unknown): boolean {
  return hresultOf(err) !== undefined;
}

/**
 * One WMI connection to a host: the activation on 135 and one authenticated connection to the
 * WMI service's object exporter, reused for every namespace and query.
 * @example
 * const wmi = await WmiSession.connect('198.18.0.30', creds, { signal, timeoutMs: 30_000 });
 * try { for await (const o of wmi.query('root/cimv2', 'SELECT * FROM Win32_Service')) use(o); }
 * finally { await wmi.close(); }
 */
export class WmiSession {
  readonly #conn: ObjectExporterConnection;
  readonly #login: InterfaceRef;
  readonly #services = new Map<string, Promise<InterfaceRef>>();
  readonly #o: WmiConnectOptions;
  readonly host: string;
  #closed = false;
  /** Set when the connection can no longer be trusted (timeout, abort, garbage): no more calls. */
  #broken: Error | null = null;

  private constructor(
    host: string,
    conn: ObjectExporterConnection,
    login: InterfaceRef,
    o: WmiConnectOptions,
  ) {
    this.host = host;
    this.#conn = conn;
    this.#login = login;
    this.#o = o;
  }

  /**
   * Activates CLSID_WbemLevel1Login at host:135 and connects to the object exporter it names
   * (its port, at `host`), both with NTLM at packet privacy. ERR_RPC when 135 or the dynamic
   * port cannot be reached; ERR_AUTH_FAILED / ERR_ACCESS_DENIED when the account is refused.
   */
  static async connect(
    host: string,
    creds: NtlmCredentials,
    o: WmiConnectOptions = {},
  ): Promise<WmiSession> {
    const activation = await remoteCreateInstance(
      host,
      creds,
      { clsid: CLSID_WBEM_LEVEL1_LOGIN, iids: [WMI_IID.IWbemLevel1Login], serverName: host },
      o,
    );
    const login = activation.interfaces[0];
    if (!login || login.iid !== WMI_IID.IWbemLevel1Login) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `activation of WbemLevel1Login at ${host} returned no IWbemLevel1Login`,
      );
    }
    if (failed(login.hresult) || !login.objref) {
      throw wbemError(login.hresult, `activation of IWbemLevel1Login at ${host}`);
    }
    const ref = interfaceRef('IWbemLevel1Login', login.objref);
    const conn = await ObjectExporterConnection.connect(
      host,
      creds,
      activation,
      comInterface('IWbemLevel1Login', WMI_IID.IWbemLevel1Login),
      o,
    );
    return new WmiSession(host, conn, ref, o);
  }

  #callOpts(o: { signal?: AbortSignal; timeoutMs?: number } = {}) {
    return { signal: o.signal ?? this.#o.signal, timeoutMs: o.timeoutMs ?? this.#o.timeoutMs };
  }

  /** Runs a call; a transport failure marks the session broken so no later call waits on it. */
  async #call(
    ref: InterfaceRef,
    opnum: number,
    stub: Buffer,
    o: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<Buffer> {
    if (this.#closed)
      throw new ScannerError('ERR_PROTOCOL', `WMI session to ${this.host} is closed`);
    if (this.#broken) throw this.#broken;
    try {
      return await this.#conn.call(ref, opnum, stub, this.#callOpts(o));
    } catch (err) {
      if (!isStatusError(err)) this.#broken = err as Error;
      throw err;
    }
  }

  async #release(refs: InterfaceRef[]): Promise<void> {
    if (this.#broken || refs.length === 0) return;
    await this.#conn.remRelease(refs, {
      timeoutMs: Math.min(this.#o.timeoutMs ?? RELEASE_LIMIT_MS, RELEASE_LIMIT_MS),
    });
  }

  /** IWbemServices for `namespace`, logged into once per session. */
  #servicesFor(namespace: string): Promise<InterfaceRef> {
    const resource = networkResource(namespace);
    let p = this.#services.get(resource);
    if (!p) {
      p = (async () => {
        const stub = encodeNtlmLogin({ cid: newCausalityId() }, resource);
        const ans = decodeInterfaceAnswer(await this.#call(this.#login, OPNUM.NTLMLogin, stub));
        if (failed(ans.hresult))
          throw wbemError(ans.hresult, `NTLMLogin to ${resource} at ${this.host}`);
        if (!ans.objref)
          throw new ScannerError(
            'ERR_PROTOCOL',
            `NTLMLogin to ${resource} returned no IWbemServices`,
          );
        return interfaceRef('IWbemServices', ans.objref);
      })();
      this.#services.set(resource, p);
      p.catch(() => this.#services.delete(resource));
    }
    return p;
  }

  /**
   * Runs `wql` in `namespace` (forward-only, return-immediately) and yields each object's
   * `{className, properties}` as IEnumWbemClassObject::Next delivers them in batches. The
   * enumerator is released when the iteration ends, fails or is broken off.
   */
  async *query(namespace: string, wql: string, o: WmiQueryOptions = {}): AsyncGenerator<CimObject> {
    const batch = Math.max(1, Math.min(o.batch ?? 64, MAX_BATCH));
    const maxObjects = o.maxObjects ?? 1_000_000;
    const services = await this.#servicesFor(namespace);
    const stub = encodeExecQuery(
      { cid: newCausalityId() },
      'WQL',
      wql,
      WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY,
    );
    const ans = decodeInterfaceAnswer(await this.#call(services, OPNUM.ExecQuery, stub, o));
    const what = `ExecQuery "${wql}" in ${networkResource(namespace)} at ${this.host}`;
    if (failed(ans.hresult)) throw wbemError(ans.hresult, what);
    if (!ans.objref) throw new ScannerError('ERR_PROTOCOL', `${what} returned no enumerator`);
    const enumerator = interfaceRef('IEnumWbemClassObject', ans.objref);
    try {
      let count = 0;
      let emptyTimeouts = 0;
      // Bounded: every turn yields objects (at most maxObjects in all), or counts an empty timeout.
      for (;;) {
        const next = decodeNextAnswer(
          await this.#call(
            enumerator,
            OPNUM.Next,
            encodeNext({ cid: newCausalityId() }, WBEM_INFINITE, batch),
            o,
          ),
          batch,
        );
        count += next.objects.length;
        if (count > maxObjects)
          throw new ScannerError('ERR_PROTOCOL', `${what}: more than ${maxObjects} objects`);
        for (const objref of next.objects) {
          const obj = decodeObjrefCustom(objref);
          yield { className: obj.className, properties: obj.properties };
        }
        if (next.hresult === WBEM_S_FALSE) return;
        if (failed(next.hresult)) throw wbemError(next.hresult, `${what}: Next`);
        if (next.hresult === WBEM_S_TIMEDOUT && next.objects.length === 0) {
          if (++emptyTimeouts >= MAX_EMPTY_TIMEOUTS)
            throw new ScannerError(
              'ERR_TIMEOUT',
              `${what}: no objects after ${MAX_EMPTY_TIMEOUTS} Next timeouts`,
            );
        } else if (next.objects.length === 0) {
          throw new ScannerError(
            'ERR_PROTOCOL',
            `${what}: Next returned no objects and no end (0x${next.hresult.toString(16)})`,
          );
        } else {
          emptyTimeouts = 0;
        }
      }
    } finally {
      await this.#release([enumerator]);
    }
  }

  /**
   * One IWbemServices call in `namespace` (logged into once per session): the answer's stub.
   * exec-method.ts builds and reads the stubs of GetObject and ExecMethod with it.
   */
  async callServices(
    namespace: string,
    opnum: number,
    stub: Buffer,
    o: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<Buffer> {
    const services = await this.#servicesFor(namespace);
    return this.#call(services, opnum, stub, o);
  }

  /** Releases an interface pointer (an OBJREF_STANDARD) a call handed out; never throws. */
  async releaseObjref(name: string, objref: Buffer): Promise<void> {
    try {
      await this.#release([interfaceRef(name, objref)]);
    } catch {
      // Best effort, as every release: the server collects it with the session anyway.
    }
  }

  /** Releases every interface the session holds and closes the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      const held = await Promise.all([...this.#services.values()].map((p) => p.catch(() => null)));
      await this.#release([...held.filter((r): r is InterfaceRef => r !== null), this.#login]);
    } finally {
      this.#closed = true;
      await this.#conn.close();
    }
  }
}
