// A DCOM client: activation through the SCM on port 135, then ORPC calls on the object
// exporter's dynamic port (object UUID = IPID), IRemUnknown to release what it was handed.
import { ScannerError } from '../../errors.js';
import { NdrReader, NdrWriter } from '../dcerpc/ndr.js';
import { AUTH_LEVEL, type AuthLevel } from '../dcerpc/pdu.js';
import { ntlmMechanism } from '../dcerpc/rpc-auth.js';
import { type CallOptions, RpcClient, type RpcInterface } from '../dcerpc/rpc-client.js';
import { rpcStatusOf } from '../dcerpc/status.js';
import { TcpRpcTransport } from '../dcerpc/tcp-transport.js';
import type { NtlmClientOptions, NtlmCredentials } from '../ntlm/ntlm-client.js';
import {
  type ActivationRequest,
  type ActivationResult,
  decodeRemoteCreateInstanceResponse,
  encodeRemoteCreateInstanceRequest,
  OPNUM_REMOTE_CREATE_INSTANCE,
} from './activation.js';
import { failed, hresultError } from './hresult.js';
import { decodeObjRef, type StdObjRef, tcpPortFor } from './objref.js';
import {
  comInterface,
  newCausalityId,
  ORPCF,
  readGuid,
  readOrpcThat,
  REM_UNKNOWN,
  REMOTE_SCM_ACTIVATOR,
  writeGuid,
  writeOrpcThis,
} from './orpc.js';

export const DCOM_PORT = 135;
const OPNUM_REM_QUERY_INTERFACE = 3;
const OPNUM_REM_RELEASE = 5;
const RPC_S_ACCESS_DENIED = 5;

export interface DcomOptions {
  signal?: AbortSignal;
  /** Limit for each connect, bind and call, in ms (default 30000). */
  timeoutMs?: number;
  /** The activator's port (default 135; tests use another). */
  port?: number;
  /** Authentication level for activation and object calls (default packet privacy). */
  authLevel?: AuthLevel;
  ntlm?: NtlmClientOptions;
  /** Largest response stub (default 8 MiB). */
  maxResponseBytes?: number;
}

/** An interface pointer the client holds on a remote object: what it needs to call and release it. */
export interface InterfaceRef {
  name: string;
  iid: string;
  ipid: string;
  oxid: bigint;
  oid: bigint;
  /** References the server granted (released with RemRelease). */
  publicRefs: number;
}

/** An OBJREF (standard, handler or extended) as an InterfaceRef for `name`. */
export function interfaceRef(name: string, objref: Buffer): InterfaceRef {
  const ref = decodeObjRef(objref);
  if (ref.kind === 'custom') {
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${name}: expected a standard OBJREF, got OBJREF_CUSTOM`,
    );
  }
  return refFromStd(name, ref.iid, ref.std);
}

function refFromStd(name: string, iid: string, std: StdObjRef): InterfaceRef {
  return { name, iid, ipid: std.ipid, oxid: std.oxid, oid: std.oid, publicRefs: std.publicRefs };
}

/**
 * Connect failures on DCOM ports become ERR_RPC (the collector falls back to the SMB path):
 * a closed 135, a dynamic port that is refused or filtered. Aborts stay ERR_ABORTED.
 */
async function connectRpcPort(
  host: string,
  port: number,
  what: string,
  o: DcomOptions,
): Promise<TcpRpcTransport> {
  try {
    return await TcpRpcTransport.connect(host, port, {
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? 30_000,
    });
  } catch (err) {
    if (
      err instanceof ScannerError &&
      ['ERR_PORT_CLOSED', 'ERR_TIMEOUT', 'ERR_UNREACHABLE'].includes(err.code)
    ) {
      throw new ScannerError(
        'ERR_RPC',
        `${what} ${host}:${port} is not reachable: ${err.message}`,
        { cause: err },
      );
    }
    throw err;
  }
}

async function bindAuthenticated(
  transport: TcpRpcTransport,
  iface: RpcInterface,
  creds: NtlmCredentials,
  o: DcomOptions,
): Promise<RpcClient> {
  try {
    return await RpcClient.bind(transport, iface, {
      auth: { mechanism: ntlmMechanism(creds, o.ntlm), level: o.authLevel ?? AUTH_LEVEL.privacy },
      signal: o.signal,
      timeoutMs: o.timeoutMs,
      maxResponseBytes: o.maxResponseBytes,
    });
  } catch (err) {
    await transport.close();
    throw err;
  }
}

/**
 * IRemoteSCMActivator::RemoteCreateInstance at host:135 with NTLM at packet privacy. Returns
 * the interfaces and where the object exporter listens; the port-135 connection is closed after.
 */
export async function remoteCreateInstance(
  host: string,
  creds: NtlmCredentials,
  req: ActivationRequest,
  o: DcomOptions = {},
): Promise<ActivationResult> {
  const port = o.port ?? DCOM_PORT;
  const transport = await connectRpcPort(
    host,
    port,
    'the DCOM activator (RPC endpoint mapper port)',
    o,
  );
  try {
    const rpc = await bindAuthenticated(transport, REMOTE_SCM_ACTIVATOR, creds, o);
    const stub = encodeRemoteCreateInstanceRequest(
      { cid: newCausalityId(), flags: ORPCF.local },
      req,
    );
    let answer: Buffer;
    try {
      answer = await rpc.call(OPNUM_REMOTE_CREATE_INSTANCE, stub, {
        signal: o.signal,
        timeoutMs: o.timeoutMs,
      });
    } catch (err) {
      // Windows takes a failed NTLM auth3 silently and faults the first call with
      // rpc_s_access_denied; an account that may not activate gets E_ACCESSDENIED instead.
      if (rpcStatusOf(err) === RPC_S_ACCESS_DENIED) {
        throw new ScannerError(
          'ERR_AUTH_FAILED',
          `RemoteCreateInstance at ${host}: rpc_s_access_denied on the first call (wrong credentials?)`,
          { cause: err },
        );
      }
      throw err;
    }
    return decodeRemoteCreateInstanceResponse(answer, (hr) =>
      hresultError(hr, `RemoteCreateInstance of ${req.clsid} at ${host}`),
    );
  } finally {
    await transport.close();
  }
}

/**
 * One connection to an object exporter (an OXID's dynamic port), authenticated with the same
 * credentials. Each interface gets a presentation context (bind, then alter_context); calls
 * carry the IPID as the object UUID; serialised, one at a time.
 */
export class ObjectExporterConnection {
  readonly #rpc: RpcClient;
  readonly #host: string;
  readonly #contexts = new Map<string, number>();
  readonly #ipidRemUnknown: string;
  readonly #o: DcomOptions;

  private constructor(
    rpc: RpcClient,
    host: string,
    first: RpcInterface,
    ipidRemUnknown: string,
    o: DcomOptions,
  ) {
    this.#rpc = rpc;
    this.#host = host;
    this.#contexts.set(first.uuid, 0);
    this.#ipidRemUnknown = ipidRemUnknown;
    this.#o = o;
  }

  /**
   * Connects to the exporter named by an activation's SCM reply: the port from its ncacn_ip_tcp
   * binding, the address `host` (never an address the server advertises). Binds `first`.
   */
  static async connect(
    host: string,
    creds: NtlmCredentials,
    activation: Pick<ActivationResult, 'scmReply'>,
    first: RpcInterface,
    o: DcomOptions = {},
  ): Promise<ObjectExporterConnection> {
    const port = tcpPortFor(activation.scmReply.bindings, host);
    const transport = await connectRpcPort(
      host,
      port,
      'the DCOM object exporter (dynamic RPC port)',
      o,
    );
    const rpc = await bindAuthenticated(transport, first, creds, o);
    return new ObjectExporterConnection(rpc, host, first, activation.scmReply.ipidRemUnknown, o);
  }

  get host(): string {
    return this.#host;
  }

  async #context(iface: RpcInterface): Promise<number> {
    const known = this.#contexts.get(iface.uuid);
    if (known !== undefined) return known;
    const id = await this.#rpc.alterContext(iface, {
      signal: this.#o.signal,
      timeoutMs: this.#o.timeoutMs,
    });
    this.#contexts.set(iface.uuid, id);
    return id;
  }

  /** Calls `opnum` on the interface `ref` points at; `stub` starts with ORPCTHIS. */
  async call(
    ref: Pick<InterfaceRef, 'name' | 'iid' | 'ipid'>,
    opnum: number,
    stub: Buffer,
    opts: CallOptions = {},
  ): Promise<Buffer> {
    const contextId = await this.#context(comInterface(ref.name, ref.iid));
    const callOpts: CallOptions = {
      signal: opts.signal ?? this.#o.signal,
      timeoutMs: opts.timeoutMs ?? this.#o.timeoutMs,
      contextId,
      object: ref.ipid,
    };
    return this.#rpc.call(opnum, stub, callOpts);
  }

  /** IRemUnknown::RemQueryInterface: another interface on the object `ref` points at. */
  async remQueryInterface(
    ref: InterfaceRef,
    iid: string,
    name: string,
    opts: CallOptions = {},
  ): Promise<InterfaceRef> {
    const stub = encodeRemQueryInterface(newCausalityId(), ref.ipid, 5, [iid]);
    const answer = await this.call(
      { name: 'IRemUnknown', iid: REM_UNKNOWN.uuid, ipid: this.#ipidRemUnknown },
      OPNUM_REM_QUERY_INTERFACE,
      stub,
      opts,
    );
    const res = decodeRemQueryInterfaceResponse(answer);
    const what = `RemQueryInterface(${name}) on ${ref.name}`;
    if (failed(res.hresult)) throw hresultError(res.hresult, what);
    const first = res.results[0];
    if (!first) throw new ScannerError('ERR_PROTOCOL', `${what}: no result`);
    if (failed(first.hresult)) throw hresultError(first.hresult, what);
    return refFromStd(name, iid, first.std);
  }

  /**
   * IRemUnknown::RemRelease of every public reference held on `refs`. Failures are returned,
   * not thrown: releasing runs in finally blocks and must not hide the error that got there.
   */
  async remRelease(refs: InterfaceRef[], opts: CallOptions = {}): Promise<Error | null> {
    if (refs.length === 0) return null;
    try {
      const stub = encodeRemRelease(
        newCausalityId(),
        refs.map((r) => ({ ipid: r.ipid, publicRefs: r.publicRefs })),
      );
      const answer = await this.call(
        { name: 'IRemUnknown', iid: REM_UNKNOWN.uuid, ipid: this.#ipidRemUnknown },
        OPNUM_REM_RELEASE,
        stub,
        opts,
      );
      const r = new NdrReader(answer);
      readOrpcThat(r);
      const hr = r.construct(() => r.u32());
      return failed(hr)
        ? hresultError(hr, `RemRelease of ${refs.map((x) => x.name).join(', ')}`)
        : null;
    } catch (err) {
      return err as Error;
    }
  }

  close(): Promise<void> {
    return this.#rpc.close();
  }
}

/** REMINTERFACEREF list for RemRelease (MS-DCOM 3.1.1.5.6.1.3). */
export function encodeRemRelease(
  cid: string,
  refs: { ipid: string; publicRefs: number }[],
): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, { cid });
  w.construct(() => w.u16(refs.length));
  w.construct(() => {
    w.u32(refs.length);
    for (const ref of refs) {
      writeGuid(w, ref.ipid);
      w.i32(ref.publicRefs).i32(0);
    }
  });
  return w.toBuffer();
}

/** RemQueryInterface request (MS-DCOM 3.1.1.5.6.1.1). */
export function encodeRemQueryInterface(
  cid: string,
  ipid: string,
  refs: number,
  iids: string[],
): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, { cid });
  w.construct(() => writeGuid(w, ipid));
  w.construct(() => w.u32(refs));
  w.construct(() => w.u16(iids.length));
  w.construct(() => {
    w.u32(iids.length);
    for (const iid of iids) writeGuid(w, iid);
  });
  return w.toBuffer();
}

export function decodeRemQueryInterfaceResponse(stub: Buffer): {
  results: { hresult: number; std: StdObjRef }[];
  hresult: number;
} {
  const r = new NdrReader(stub);
  readOrpcThat(r);
  const box = r.construct(() =>
    r.unique(() =>
      r.conformantArray(48, () => {
        r.align(8); // REMQIRESULT holds hypers: each element is 8-aligned
        const hresult = r.u32();
        r.align(8);
        const flags = r.u32();
        const publicRefs = r.u32();
        const oxid = r.u64();
        const oid = r.u64();
        const ipid = readGuid(r);
        return { hresult, std: { flags, publicRefs, oxid, oid, ipid } };
      }),
    ),
  );
  const hresult = r.construct(() => r.u32());
  return { results: box.value ?? [], hresult };
}
