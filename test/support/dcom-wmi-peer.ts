// Test-only DCOM/WMI server on 127.0.0.1: a connection-oriented DCE/RPC server with an NTLMv2
// acceptor at packet privacy, two listeners (the "135" activator and the "dynamic" object
// exporter port), answering RemoteCreateInstance, NTLMLogin, ExecQuery, Next and RemRelease with
// WMIO-encoded objects; it can fault, stall, send garbage or cut a PDU short on demand.
import { createServer, type Server, type Socket } from 'node:net';
import { NdrReader, NdrWriter } from '../../packages/agent/src/transports/dcerpc/ndr.js';
import { decodeUuid } from '../../packages/agent/src/transports/dcerpc/ndr-types.js';
import {
  AUTH_PAD_ALIGN,
  decodePdu,
  decodeRequestBody,
  encodePdu,
  HEADER_SIZE,
  PFC,
  PTYPE,
  SEC_TRAILER_SIZE,
} from '../../packages/agent/src/transports/dcerpc/pdu.js';
import { PduFramer } from '../../packages/agent/src/transports/dcerpc/transport.js';
import {
  decodeRemoteCreateInstanceRequest,
  encodeRemoteCreateInstanceResponse,
} from '../../packages/agent/src/transports/dcom/activation.js';
import {
  encodeObjRefCustom,
  encodeObjRefStandard,
} from '../../packages/agent/src/transports/dcom/objref.js';
import { IID, readOrpcThis, writeOrpcThat } from '../../packages/agent/src/transports/dcom/orpc.js';
import type { NtlmSessionSecurity } from '../../packages/agent/src/transports/ntlm/ntlm-session-security.js';
import {
  WBEM_E_INVALID_NAMESPACE,
  WBEM_E_INVALID_QUERY,
  WBEM_S_FALSE,
} from '../../packages/agent/src/transports/wmi/wbem-status.js';
import {
  CLSID_WBEM_CLASS_OBJECT,
  CLSID_WBEM_LEVEL1_LOGIN,
  decodeExecQueryRequest,
  decodeNextRequest,
  decodeNtlmLoginRequest,
  encodeInterfaceAnswer,
  encodeNextAnswer,
  OPNUM,
  WBEM_FLAG_FORWARD_ONLY,
  WBEM_FLAG_RETURN_IMMEDIATELY,
  WMI_IID,
} from '../../packages/agent/src/transports/wmi/wmi-calls.js';
import {
  decodeExecMethodRequest,
  decodeGetObjectRequest,
  encodeObjectAnswer,
  SERVICES_OPNUM,
} from '../../packages/agent/src/transports/wmi/exec-method.js';
import {
  acceptNtlmAuthenticate,
  ntlmChallengeMessage,
  serverSessionSecurity,
} from './ntlm-acceptor.js';

/** The operations a fault can be aimed at. */
export type PeerOp =
  | 'RemoteCreateInstance'
  | 'NTLMLogin'
  | 'ExecQuery'
  | 'Next'
  | 'RemRelease'
  | 'GetObject'
  | 'ExecMethod';

/**
 * WMI method calls (IWbemServices::GetObject and ::ExecMethod) the peer answers; `namespace` is
 * the network resource NTLMLogin named (`//./root/default`), objects are OBJREF_CUSTOMs.
 */
export interface DcomMethodServer {
  getObject(namespace: string, path: string): { object: Buffer } | { hresult: number };
  execMethod(
    namespace: string,
    path: string,
    method: string,
    inParams: Buffer | null,
  ): { object: Buffer } | { hresult: number };
}

export type DcomPeerBehaviour =
  | { kind: 'normal' }
  /** A fault PDU with `status` (5 = rpc_s_access_denied) for `op`. */
  | { kind: 'fault'; op: PeerOp; status: number }
  /** A response whose HRESULT is `hresult` (E_ACCESSDENIED, WBEM_E_*) for `op`. */
  | { kind: 'hresult'; op: PeerOp; hresult: number }
  /** Reads the request for `op` and never answers. */
  | { kind: 'stall'; op: PeerOp }
  /** Answers `op` with bytes that are not a PDU. */
  | { kind: 'garbage'; op: PeerOp }
  /** Sends half of the answer's PDU for `op`, then closes the connection. */
  | { kind: 'truncated'; op: PeerOp };

export interface DcomPeerOptions {
  username: string;
  password: string;
  /** Encoding units (MS-WMIO) served per class for `SELECT * FROM <class>`. */
  instances: Record<string, Buffer[]>;
  /** Namespaces NTLMLogin accepts (network resources, `//./root/cimv2`). */
  namespaces?: string[];
  /** The port the activation reply names (default: the exporter listener's); a closed one tests ERR_RPC. */
  advertisedPort?: number;
  /**
   * Answers any WQL in any namespace (`//./root/cimv2`, as NTLMLogin named it) instead of
   * `instances`: the encoding units to return, or undefined for WBEM_E_INVALID_QUERY.
   */
  serve?: (namespace: string, wql: string) => Buffer[] | undefined;
  /** The loopback address both listeners bind (default 127.0.0.1). */
  host?: string;
  /** GetObject / ExecMethod; absent, both are refused as an unknown operation. */
  methods?: DcomMethodServer;
}

interface Conn {
  framer: PduFramer;
  challenge?: Buffer;
  security?: NtlmSessionSecurity;
  authFailed: boolean;
  authLevel: number;
  authContextId: number;
  contexts: Map<number, string>;
  maxRecv: number;
}

interface Exported {
  iid: string;
  kind: 'login' | 'services' | 'enum';
  refs: number;
  items?: Buffer[];
  pos?: number;
  /** IWbemServices: the namespace NTLMLogin logged into. */
  namespace?: string;
}

export interface PeerCall {
  listener: 'activator' | 'exporter';
  op: string;
  authLevel: number;
  object?: string;
  detail?: string;
}

const NDR20 = '8a885d04-1ceb-11c9-9fe8-08002b104860';
const OXID = 0x0123456789abcdefn;
const IPID_REMUNKNOWN = '00009c01-1111-2222-3333-444455556666';
const PUBLIC_REFS = 5;
/** Addresses the activation reply advertises besides the peer: the client must not use them. */
const ADVERTISED_HOSTS = ['PEERHOST', '198.51.100.7'];

/** The body of bind_ack / alter_context_resp accepting (or refusing) one context. */
function bindAckBody(maxXmit: number, secondary: string, accepted: boolean): Buffer {
  const addr = secondary ? Buffer.from(`${secondary}\0`, 'latin1') : Buffer.alloc(0);
  const head = Buffer.alloc(10);
  head.writeUInt16LE(maxXmit, 0);
  head.writeUInt16LE(maxXmit, 2);
  head.writeUInt32LE(0x1234, 4);
  head.writeUInt16LE(addr.length, 8);
  const pad = (4 - ((HEADER_SIZE + 10 + addr.length) % 4)) % 4;
  const result = Buffer.alloc(4 + 24);
  result[0] = 1;
  result.writeUInt16LE(accepted ? 0 : 2, 4);
  result.writeUInt16LE(accepted ? 0 : 1, 6);
  if (accepted) {
    Buffer.from('045d888aeb1cc9119fe808002b104860', 'hex').copy(result, 8);
    result.writeUInt16LE(2, 24);
  }
  return Buffer.concat([head, addr, Buffer.alloc(pad), result]);
}

/** The peer: two listeners, the objects it exported, and what it saw. */
export class DcomWmiTestPeer {
  readonly #o: DcomPeerOptions;
  readonly #activator: Server;
  readonly #exporter: Server;
  readonly #sockets = new Set<Socket>();
  readonly #objects = new Map<string, Exported>();
  #nextIpid = 1;
  behaviour: DcomPeerBehaviour = { kind: 'normal' };
  readonly calls: PeerCall[] = [];
  /** Connections accepted per listener. */
  readonly connections = { activator: 0, exporter: 0 };
  activatorPort = 0;
  exporterPort = 0;

  private constructor(o: DcomPeerOptions) {
    this.#o = o;
    this.#activator = createServer((s) => this.#accept(s, 'activator'));
    this.#exporter = createServer((s) => this.#accept(s, 'exporter'));
  }

  static async start(o: DcomPeerOptions): Promise<DcomWmiTestPeer> {
    const peer = new DcomWmiTestPeer(o);
    const listen = (s: Server) =>
      new Promise<number>((resolve) =>
        s.listen(0, o.host ?? '127.0.0.1', () => resolve((s.address() as { port: number }).port)),
      );
    peer.activatorPort = await listen(peer.#activator);
    peer.exporterPort = await listen(peer.#exporter);
    return peer;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all(
      [this.#activator, this.#exporter].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      ),
    );
  }

  /** Public references granted and not yet released, per interface kind. */
  outstanding(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.#objects.values())
      if (o.refs > 0) out[o.kind] = (out[o.kind] ?? 0) + o.refs;
    return out;
  }

  #export(kind: Exported['kind'], iid: string, extra: Partial<Exported> = {}): Buffer {
    const n = this.#nextIpid++;
    const ipid = `0000${n.toString(16).padStart(4, '0')}-aaaa-bbbb-cccc-${n.toString(16).padStart(12, '0')}`;
    this.#objects.set(ipid, { iid, kind, refs: PUBLIC_REFS, ...extra });
    return encodeObjRefStandard(
      iid,
      { flags: 0, publicRefs: PUBLIC_REFS, oxid: OXID, oid: BigInt(n), ipid },
      { stringBindings: [], securityBindings: [] },
    );
  }

  #accept(socket: Socket, listener: 'activator' | 'exporter'): void {
    this.connections[listener]++;
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const c: Conn = {
      framer: new PduFramer(),
      authFailed: false,
      authLevel: 0,
      authContextId: 0,
      contexts: new Map(),
      maxRecv: 4280,
    };
    socket.on('data', (d: Buffer) => {
      try {
        c.framer.push(d);
        for (let pdu = c.framer.next(); pdu; pdu = c.framer.next())
          this.#pdu(socket, c, pdu, listener);
      } catch {
        socket.destroy();
      }
    });
  }

  #pdu(socket: Socket, c: Conn, raw: Buffer, listener: 'activator' | 'exporter'): void {
    const pdu = decodePdu(raw);
    const { type, callId } = pdu.header;
    if (type === PTYPE.bind || type === PTYPE.alterContext) {
      const b = pdu.body;
      c.maxRecv = Math.min(b.readUInt16LE(2), 5840);
      const contextId = b.readUInt16LE(12);
      const abstract = decodeUuid(b, 16);
      const transfer = decodeUuid(b, 36);
      const known =
        transfer === NDR20 &&
        (listener === 'activator'
          ? abstract === IID.IRemoteSCMActivator
          : [
              WMI_IID.IWbemLevel1Login,
              WMI_IID.IWbemServices,
              WMI_IID.IEnumWbemClassObject,
              IID.IRemUnknown,
            ].includes(abstract as never));
      if (known) c.contexts.set(contextId, abstract);
      let auth;
      if (type === PTYPE.bind && pdu.auth) {
        c.authLevel = pdu.auth.authLevel;
        c.authContextId = pdu.auth.contextId;
        c.challenge = Buffer.from('0123456789abcdef', 'hex');
        auth = {
          authType: 10,
          authLevel: c.authLevel,
          contextId: c.authContextId,
          value: ntlmChallengeMessage(c.challenge),
        };
      }
      const body = bindAckBody(
        c.maxRecv,
        type === PTYPE.bind ? String((socket.address() as { port: number }).port) : '',
        known,
      );
      socket.write(
        encodePdu({
          type: type === PTYPE.bind ? PTYPE.bindAck : PTYPE.alterContextResp,
          flags: PFC.firstFrag | PFC.lastFrag,
          callId,
          body,
          auth,
        }),
      );
      return;
    }
    if (type === PTYPE.auth3) {
      const accepted =
        pdu.auth && c.challenge
          ? acceptNtlmAuthenticate(pdu.auth.value, c.challenge, this.#o)
          : null;
      if (accepted) c.security = serverSessionSecurity(accepted);
      else c.authFailed = true;
      return;
    }
    if (type !== PTYPE.request) return;
    if (c.authFailed || !c.security || !pdu.auth) return this.#fault(socket, callId, 5);
    const withObject = (pdu.header.flags & PFC.objectUuid) !== 0;
    const headerLen = 24 + (withObject ? 16 : 0);
    const trailerAt = raw.length - pdu.auth.value.length - SEC_TRAILER_SIZE;
    const region = Buffer.from(raw.subarray(headerLen, trailerAt));
    const plain = c.security.unseal(
      region,
      (p) => {
        const copy = Buffer.from(raw.subarray(0, trailerAt + SEC_TRAILER_SIZE));
        p.copy(copy, headerLen);
        return copy;
      },
      pdu.auth.value,
    );
    const req = decodeRequestBody(
      Buffer.concat([raw.subarray(HEADER_SIZE, headerLen), plain]),
      pdu.header.flags,
    );
    const stub = req.stub.subarray(0, req.stub.length - pdu.auth.padLength);
    const iface = c.contexts.get(req.contextId);
    if (!iface) return this.#fault(socket, callId, 0x1c00001c);
    this.#dispatch(socket, c, callId, listener, iface, req.opnum, req.object, stub);
  }

  #dispatch(
    socket: Socket,
    c: Conn,
    callId: number,
    listener: 'activator' | 'exporter',
    iface: string,
    opnum: number,
    object: string | undefined,
    stub: Buffer,
  ): void {
    const answer = (op: PeerOp, build: () => Buffer, detail?: string): void => {
      this.calls.push({
        listener,
        op,
        authLevel: c.authLevel,
        ...(object ? { object } : {}),
        ...(detail ? { detail } : {}),
      });
      const b = this.behaviour;
      if (b.kind !== 'normal' && b.op === op) {
        if (b.kind === 'stall') return;
        if (b.kind === 'fault') return this.#fault(socket, callId, b.status);
        if (b.kind === 'garbage') {
          socket.write(Buffer.from('this is not a DCE/RPC PDU, not at all.'));
          return;
        }
        if (b.kind === 'truncated') {
          const whole = this.#responsePdus(c, callId, build())[0]!;
          socket.end(whole.subarray(0, whole.length >> 1));
          return;
        }
      }
      for (const p of this.#responsePdus(c, callId, build())) socket.write(p);
    };
    const failWith = (op: PeerOp): number | null => {
      const b = this.behaviour;
      return b.kind === 'hresult' && b.op === op ? b.hresult : null;
    };
    if (listener === 'activator') {
      if (opnum !== 4 || object) return this.#fault(socket, callId, 0x1c010002);
      const req = decodeRemoteCreateInstanceRequest(stub);
      const hr =
        failWith('RemoteCreateInstance') ??
        (req.clsid === CLSID_WBEM_LEVEL1_LOGIN ? 0 : 0x80040154);
      return answer(
        'RemoteCreateInstance',
        () => {
          if (hr !== 0) return encodeRemoteCreateInstanceResponse(null, hr);
          const port = this.#o.advertisedPort ?? this.exporterPort;
          return encodeRemoteCreateInstanceResponse(
            {
              interfaces: req.iids.map((iid) => ({
                iid,
                hresult: 0,
                objref: this.#export('login', iid),
              })),
              scmReply: {
                oxid: OXID,
                bindings: {
                  stringBindings: ADVERTISED_HOSTS.map((h) => ({
                    towerId: 7,
                    networkAddress: `${h}[${port}]`,
                  })),
                  securityBindings: [{ authnSvc: 10, principalName: 'PEER\\WMI' }],
                },
                ipidRemUnknown: IPID_REMUNKNOWN,
                authnHint: 6,
                serverVersion: { major: 5, minor: 7 },
              },
            },
            0,
          );
        },
        `${req.clsid} ${req.iids.join(',')} props=${req.properties.length}`,
      );
    }
    if (object === IPID_REMUNKNOWN && iface === IID.IRemUnknown && opnum === 5) {
      const r = new NdrReader(stub);
      readOrpcThis(r);
      r.construct(() => r.u16());
      const refs = r.construct(() =>
        r.conformantArray(24, () => {
          r.align(4);
          const ipid = decodeUuid(r.bytes(16));
          const n = r.i32();
          r.i32();
          return { ipid, n };
        }),
      );
      for (const ref of refs) {
        const o = this.#objects.get(ref.ipid);
        if (o) o.refs -= ref.n;
      }
      return answer(
        'RemRelease',
        () => {
          const w = new NdrWriter();
          writeOrpcThat(w);
          w.construct(() => w.u32(0));
          return w.toBuffer();
        },
        refs.map((x) => x.ipid).join(','),
      );
    }
    const target = object ? this.#objects.get(object) : undefined;
    if (!target || target.refs <= 0 || target.iid !== iface)
      return this.#fault(socket, callId, 0x80010114);
    if (target.kind === 'login' && opnum === OPNUM.NTLMLogin) {
      const req = decodeNtlmLoginRequest(stub);
      const known = (this.#o.namespaces ?? ['//./root/cimv2']).map((n) => n.toLowerCase());
      const hr =
        failWith('NTLMLogin') ??
        (known.includes((req.networkResource ?? '').toLowerCase()) ? 0 : WBEM_E_INVALID_NAMESPACE);
      return answer(
        'NTLMLogin',
        () =>
          encodeInterfaceAnswer(
            hr === 0
              ? this.#export('services', WMI_IID.IWbemServices, {
                  namespace: req.networkResource ?? '',
                })
              : null,
            hr,
          ),
        req.networkResource ?? '',
      );
    }
    if (target.kind === 'services' && opnum === OPNUM.ExecQuery) {
      const req = decodeExecQueryRequest(stub);
      const cls = /^SELECT \* FROM (\w+)$/i.exec(req.query ?? '')?.[1];
      const items = this.#o.serve
        ? this.#o.serve(target.namespace ?? '', req.query ?? '')
        : cls
          ? this.#o.instances[cls]
          : undefined;
      const flagsOk =
        req.language === 'WQL' &&
        req.flags === (WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY);
      const hr = failWith('ExecQuery') ?? (items && flagsOk ? 0 : WBEM_E_INVALID_QUERY);
      return answer(
        'ExecQuery',
        () =>
          encodeInterfaceAnswer(
            hr === 0
              ? this.#export('enum', WMI_IID.IEnumWbemClassObject, { items: items!, pos: 0 })
              : null,
            hr,
          ),
        req.query ?? '',
      );
    }
    if (target.kind === 'enum' && opnum === OPNUM.Next) {
      const req = decodeNextRequest(stub);
      const items = target.items ?? [];
      const start = target.pos ?? 0;
      const batch = items.slice(start, start + req.count);
      target.pos = start + batch.length;
      const hr = failWith('Next') ?? (batch.length < req.count ? WBEM_S_FALSE : 0);
      const objects = batch.map((unit) =>
        encodeObjRefCustom(WMI_IID.IWbemClassObject, CLSID_WBEM_CLASS_OBJECT, unit),
      );
      return answer('Next', () => encodeNextAnswer(req.count, objects, hr), `count=${req.count}`);
    }
    if (target.kind === 'services' && this.#o.methods) {
      if (opnum === SERVICES_OPNUM.GetObject || opnum === SERVICES_OPNUM.ExecMethod)
        return this.#methodCall(this.#o.methods, target, opnum, stub, answer, failWith);
    }
    return this.#fault(socket, callId, 0x1c010002);
  }

  /** GetObject and ExecMethod on an IWbemServices, answered by `methods`. */
  #methodCall(
    methods: DcomMethodServer,
    target: Exported,
    opnum: number,
    stub: Buffer,
    answer: (op: PeerOp, build: () => Buffer, detail?: string) => void,
    failWith: (op: PeerOp) => number | null,
  ): void {
    const namespace = target.namespace ?? '';
    const reply = (r: { object: Buffer } | { hresult: number }, hr: number | null) =>
      hr !== null
        ? encodeObjectAnswer(null, hr)
        : 'object' in r
          ? encodeObjectAnswer(r.object, 0)
          : encodeObjectAnswer(null, r.hresult);
    if (opnum === SERVICES_OPNUM.GetObject) {
      const req = decodeGetObjectRequest(stub);
      const path = req.objectPath ?? '';
      const hr = failWith('GetObject');
      return answer('GetObject', () => reply(methods.getObject(namespace, path), hr), path);
    }
    const req = decodeExecMethodRequest(stub);
    const path = req.objectPath ?? '';
    const method = req.method ?? '';
    const hr = failWith('ExecMethod');
    return answer(
      'ExecMethod',
      () => reply(methods.execMethod(namespace, path, method, req.inParams), hr),
      `${path}.${method}`,
    );
  }

  /** Response PDUs for `stub`, fragmented to the client's max_recv_frag, each sealed. */
  #responsePdus(c: Conn, callId: number, stub: Buffer): Buffer[] {
    let room = c.maxRecv - 24 - SEC_TRAILER_SIZE - 16;
    room -= room % AUTH_PAD_ALIGN;
    const out: Buffer[] = [];
    for (let at = 0; at < stub.length || out.length === 0; at += room) {
      const chunk = stub.subarray(at, at + room);
      const flags = (at === 0 ? PFC.firstFrag : 0) | (at + room >= stub.length ? PFC.lastFrag : 0);
      const pad = (AUTH_PAD_ALIGN - (chunk.length % AUTH_PAD_ALIGN)) % AUTH_PAD_ALIGN;
      const plain = Buffer.concat([chunk, Buffer.alloc(pad)]);
      const head = Buffer.alloc(8);
      head.writeUInt32LE(stub.length - at, 0);
      const pdu = encodePdu({
        type: PTYPE.response,
        flags,
        callId,
        body: Buffer.concat([head, chunk]),
        auth: {
          authType: 10,
          authLevel: c.authLevel,
          padLength: pad,
          contextId: c.authContextId,
          value: Buffer.alloc(16),
        },
      });
      const { ciphertext, signature } = c.security!.seal(
        plain,
        Buffer.from(pdu.subarray(0, pdu.length - 16)),
      );
      ciphertext.copy(pdu, 24);
      signature.copy(pdu, pdu.length - 16);
      out.push(pdu);
    }
    return out;
  }

  #fault(socket: Socket, callId: number, status: number): void {
    const body = Buffer.alloc(16);
    body.writeUInt32LE(status >>> 0, 8);
    socket.write(
      encodePdu({
        type: PTYPE.fault,
        flags: PFC.firstFrag | PFC.lastFrag | PFC.didNotExecute,
        callId,
        body,
      }),
    );
  }
}
