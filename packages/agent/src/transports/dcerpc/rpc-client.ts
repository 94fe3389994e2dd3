// A connection-oriented DCE/RPC client: bind / alter_context with optional NTLM auth (connect,
// integrity, privacy), fragmented requests, reassembled responses, faults as named errors.
import { ScannerError } from '../../errors.js';
import {
  AUTH_LEVEL,
  type AuthLevel,
  decodeBindAckBody,
  decodeBindNakBody,
  decodeFaultBody,
  decodePdu,
  decodeResponseBody,
  encodeBindBody,
  encodePdu,
  encodeRequestBody,
  NDR20,
  PFC,
  type Pdu,
  PTYPE,
  REQUEST_HEADER_SIZE,
  SEC_TRAILER_SIZE,
  type SyntaxId,
} from './pdu.js';
import { authPad, type RpcAuthMechanism, type RpcMessageSecurity } from './rpc-auth.js';
import { BIND_NAK_REASONS, CONTEXT_REJECT_REASONS, faultError, statusName } from './status.js';
import type { RpcTransport } from './transport.js';

/** An RPC interface: a name for messages and its abstract syntax. */
export interface RpcInterface extends SyntaxId {
  name: string;
}

export interface RpcAuthOptions {
  mechanism: RpcAuthMechanism;
  /** connect, integrity or privacy. */
  level: AuthLevel;
}

export interface RpcClientOptions {
  auth?: RpcAuthOptions;
  signal?: AbortSignal;
  /** Limit for the bind and for each call, in ms (default 30000). */
  timeoutMs?: number;
  /** Largest reassembled response stub (default 8 MiB); more is ERR_PROTOCOL. */
  maxResponseBytes?: number;
  /** max_xmit_frag/max_recv_frag to propose (default: the transport's). */
  maxFragment?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Presentation context from alterContext() (default: the one bound first). */
  contextId?: number;
  /** Object UUID (DCOM's IPID): sent in every request fragment with PFC_OBJECT_UUID. */
  object?: string;
}

/** auth_context_id of the one security context per association (alter_context reuses it). */
export const AUTH_CONTEXT_ID = 79231;
const OBJECT_UUID_SIZE = 16;
const MAX_FRAGMENTS = 65_536;
/**
 * nca_s_proto_error: what Samba faults the first call with after a failed auth3. (Access denied is
 * not taken as a logon failure: Samba also answers it for interfaces it refuses over TCP.)
 */
const AUTH_REJECTED_FAULTS = new Set([0x1c01000b]);

function protocol(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', what);
}

/**
 * One association over one transport. Calls are serialised (one outstanding call at a time).
 * @example
 * const rpc = await RpcClient.bind(await TcpRpcTransport.connect(host, port), SRVSVC, { auth });
 * const stub = await rpc.call(21, requestStub);
 */
export class RpcClient {
  readonly #transport: RpcTransport;
  readonly #opts: RpcClientOptions;
  readonly #interfaces = new Map<number, RpcInterface>();
  #maxXmit: number;
  #callId = 1;
  #nextContextId = 0;
  #security: RpcMessageSecurity | null = null;
  #authenticatedCalls = 0;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(transport: RpcTransport, opts: RpcClientOptions) {
    this.#transport = transport;
    this.#opts = opts;
    this.#maxXmit = opts.maxFragment ?? transport.maxFragment;
  }

  get transport(): RpcTransport {
    return this.#transport;
  }

  /** Binds `iface` (NDR20) over `transport`, authenticating when `opts.auth` is given. */
  static async bind(
    transport: RpcTransport,
    iface: RpcInterface,
    opts: RpcClientOptions = {},
  ): Promise<RpcClient> {
    const client = new RpcClient(transport, opts);
    await client.#withDeadline(`bind to ${iface.name}`, opts.signal, opts.timeoutMs, (signal) =>
      client.#bind(iface, PTYPE.bind, signal),
    );
    return client;
  }

  /** Adds a presentation context for another interface on this association; returns its id. */
  alterContext(iface: RpcInterface, opts: CallOptions = {}): Promise<number> {
    return this.#serial(() =>
      this.#withDeadline(`alter_context to ${iface.name}`, opts.signal, opts.timeoutMs, (signal) =>
        this.#bind(iface, PTYPE.alterContext, signal),
      ),
    );
  }

  /** Sends request `opnum` with `stub` (NDR20) and returns the response stub. */
  call(opnum: number, stub: Buffer, opts: CallOptions = {}): Promise<Buffer> {
    const contextId = opts.contextId ?? 0;
    const iface = this.#interfaces.get(contextId);
    if (!iface) return Promise.reject(protocol(`no presentation context ${contextId}`));
    const what = `${iface.name} opnum ${opnum}`;
    return this.#serial(() =>
      this.#withDeadline(what, opts.signal, opts.timeoutMs, (signal) =>
        this.#call(what, contextId, opnum, stub, signal, opts.object),
      ),
    );
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #withDeadline<T>(
    what: string,
    outer: AbortSignal | undefined,
    timeoutMs: number | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const limit = timeoutMs ?? this.#opts.timeoutMs ?? 30_000;
    const ctl = new AbortController();
    const timer = setTimeout(
      () =>
        ctl.abort(
          new ScannerError(
            'ERR_TIMEOUT',
            `${what} over ${this.#transport.description}: no answer within ${limit} ms`,
          ),
        ),
      limit,
    );
    const signals = [ctl.signal, outer, this.#opts.signal].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    try {
      return await fn(AbortSignal.any(signals));
    } catch (err) {
      // A transport reports an abort in its own words (the SMB2 pipe: "pipe transceive
      // aborted"); when this call's own limit fired, the timeout naming the operation is the news.
      if (ctl.signal.aborted && !outer?.aborted && !this.#opts.signal?.aborted)
        throw ctl.signal.reason as ScannerError;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async #bind(iface: RpcInterface, type: number, signal: AbortSignal): Promise<number> {
    const contextId = this.#nextContextId++;
    const callId = this.#callId++;
    const auth = this.#opts.auth;
    const firstLeg = auth && type === PTYPE.bind;
    const body = encodeBindBody(this.#maxXmit, this.#maxXmit, 0, [
      { contextId, abstract: iface, transfer: [NDR20] },
    ]);
    await this.#transport.send(
      encodePdu({
        type,
        flags: PFC.firstFrag | PFC.lastFrag,
        callId,
        body,
        auth: firstLeg
          ? {
              authType: auth.mechanism.authType,
              authLevel: auth.level,
              contextId: AUTH_CONTEXT_ID,
              value: auth.mechanism.firstToken(),
            }
          : undefined,
      }),
      signal,
    );
    const pdu = decodePdu(await this.#transport.receive(signal));
    const where = `${type === PTYPE.bind ? 'bind' : 'alter_context'} to ${iface.name} over ${this.#transport.description}`;
    if (pdu.header.type === PTYPE.bindNak) {
      const reason = decodeBindNakBody(pdu.body);
      const name = statusName(reason, BIND_NAK_REASONS);
      const code = reason === 8 || reason === 9 ? 'ERR_AUTH_FAILED' : 'ERR_RPC';
      throw new ScannerError(code, `${where}: bind_nak ${name}`);
    }
    if (pdu.header.type === PTYPE.fault) throw faultError(decodeFaultBody(pdu.body), where);
    const expected = type === PTYPE.bind ? PTYPE.bindAck : PTYPE.alterContextResp;
    if (pdu.header.type !== expected) throw protocol(`${where}: got PDU type ${pdu.header.type}`);
    if (pdu.header.callId !== callId)
      throw protocol(`${where}: call id ${pdu.header.callId}, sent ${callId}`);
    const ack = decodeBindAckBody(pdu.body);
    const result = ack.results[0];
    if (!result) throw protocol(`${where}: no context result`);
    if (result.result !== 0) {
      throw new ScannerError(
        'ERR_RPC',
        `${where}: context rejected, ${statusName(result.reason, CONTEXT_REJECT_REASONS)}`,
      );
    }
    if (ack.maxXmit >= 1024) this.#maxXmit = Math.min(this.#maxXmit, ack.maxXmit);
    if (firstLeg) {
      if (!pdu.auth)
        throw new ScannerError(
          'ERR_AUTH_FAILED',
          `${where}: the server sent no authentication challenge`,
        );
      const token = auth.mechanism.secondToken(pdu.auth.value);
      const auth3Body = Buffer.alloc(4);
      await this.#transport.send(
        encodePdu({
          type: PTYPE.auth3,
          flags: PFC.firstFrag | PFC.lastFrag,
          callId,
          body: auth3Body,
          auth: {
            authType: auth.mechanism.authType,
            authLevel: auth.level,
            contextId: AUTH_CONTEXT_ID,
            value: token,
          },
        }),
        signal,
      );
      if (auth.level === AUTH_LEVEL.integrity || auth.level === AUTH_LEVEL.privacy) {
        this.#security = auth.mechanism.security();
      }
    }
    this.#interfaces.set(contextId, iface);
    return contextId;
  }

  /** Fragments of at most max_xmit_frag each, protected when the level asks for it. */
  #requestFragments(
    contextId: number,
    opnum: number,
    stub: Buffer,
    callId: number,
    object?: string,
  ): Buffer[] {
    const auth = this.#opts.auth;
    const protectedLevel = this.#security !== null && auth !== undefined;
    const sigLen = protectedLevel ? auth.mechanism.signatureLength : 0;
    const headerSize = REQUEST_HEADER_SIZE + (object === undefined ? 0 : OBJECT_UUID_SIZE);
    const objectFlag = object === undefined ? 0 : PFC.objectUuid;
    let room = this.#maxXmit - headerSize - (protectedLevel ? SEC_TRAILER_SIZE + sigLen : 0);
    if (protectedLevel) room -= room % 16;
    if (room < 16) throw protocol(`max_xmit_frag ${this.#maxXmit} too small`);
    const out: Buffer[] = [];
    for (let at = 0; at < stub.length || out.length === 0; at += room) {
      const chunk = stub.subarray(at, at + room);
      const last = at + room >= stub.length;
      const flags = (at === 0 ? PFC.firstFrag : 0) | (last ? PFC.lastFrag : 0) | objectFlag;
      if (!protectedLevel) {
        const body = encodeRequestBody(stub.length - at, contextId, opnum, chunk, object);
        out.push(encodePdu({ type: PTYPE.request, flags, callId, body }));
        continue;
      }
      const pad = authPad(chunk.length);
      const plain = Buffer.concat([chunk, Buffer.alloc(pad)]);
      const pdu = encodePdu({
        type: PTYPE.request,
        flags,
        callId,
        body: encodeRequestBody(stub.length - at, contextId, opnum, chunk, object),
        auth: {
          authType: auth.mechanism.authType,
          authLevel: auth.level,
          padLength: pad,
          contextId: AUTH_CONTEXT_ID,
          value: Buffer.alloc(sigLen),
        },
      });
      const toSign = pdu.subarray(0, pdu.length - sigLen);
      const security = this.#security!;
      if (auth.level === AUTH_LEVEL.privacy) {
        const { ciphertext, signature } = security.seal(plain, Buffer.from(toSign));
        ciphertext.copy(pdu, headerSize);
        signature.copy(pdu, pdu.length - sigLen);
      } else {
        security.sign(Buffer.from(toSign)).copy(pdu, pdu.length - sigLen);
      }
      out.push(pdu);
    }
    return out;
  }

  /** The stub of one response fragment, after checking (and for privacy, decrypting) it. */
  #responseStub(raw: Buffer, pdu: Pdu, where: string): Buffer {
    if (!this.#security) {
      return decodeResponseBody(pdu.body).stub;
    }
    const auth = pdu.auth;
    if (!auth)
      throw new ScannerError('ERR_AUTH_FAILED', `${where}: unsigned response at a protected level`);
    const trailerAt = raw.length - auth.value.length - SEC_TRAILER_SIZE;
    const region = raw.subarray(REQUEST_HEADER_SIZE, trailerAt);
    if (trailerAt < REQUEST_HEADER_SIZE) throw protocol(`${where}: short protected response`);
    const withoutSig = (plain: Buffer): Buffer => {
      const copy = Buffer.from(raw.subarray(0, trailerAt + SEC_TRAILER_SIZE));
      plain.copy(copy, REQUEST_HEADER_SIZE);
      return copy;
    };
    let plain: Buffer;
    if (auth.authLevel === AUTH_LEVEL.privacy) {
      plain = this.#security.unseal(Buffer.from(region), withoutSig, auth.value);
    } else {
      this.#security.verify(withoutSig(region), auth.value);
      plain = region;
    }
    return plain.subarray(0, plain.length - auth.padLength);
  }

  async #call(
    what: string,
    contextId: number,
    opnum: number,
    stub: Buffer,
    signal: AbortSignal,
    object: string | undefined,
  ): Promise<Buffer> {
    const callId = this.#callId++;
    const where = `${what} over ${this.#transport.description}`;
    for (const fragment of this.#requestFragments(contextId, opnum, stub, callId, object)) {
      await this.#transport.send(fragment, signal);
    }
    const max = this.#opts.maxResponseBytes ?? 8 << 20;
    const parts: Buffer[] = [];
    let total = 0;
    for (let i = 0; i < MAX_FRAGMENTS; i++) {
      const raw = await this.#transport.receive(signal);
      const pdu = decodePdu(raw);
      if (
        pdu.header.type === PTYPE.fault &&
        (pdu.header.callId === callId || pdu.header.callId === 0)
      ) {
        const status = decodeFaultBody(pdu.body);
        // After a failed auth3 the server cannot say so (auth3 has no reply), only fault the next call.
        if (AUTH_REJECTED_FAULTS.has(status) && this.#opts.auth && this.#authenticatedCalls === 0) {
          throw new ScannerError(
            'ERR_AUTH_FAILED',
            `${where}: the server refused the first call after authenticating (wrong credentials?)`,
            { cause: faultError(status, where) },
          );
        }
        throw faultError(status, where);
      }
      if (pdu.header.type !== PTYPE.response)
        throw protocol(`${where}: got PDU type ${pdu.header.type}, expected a response`);
      if (pdu.header.callId !== callId)
        throw protocol(`${where}: response for call ${pdu.header.callId}, expected ${callId}`);
      if (i === 0 && !(pdu.header.flags & PFC.firstFrag))
        throw protocol(`${where}: first response fragment lacks PFC_FIRST_FRAG`);
      const part = this.#responseStub(raw, pdu, where);
      total += part.length;
      if (total > max) throw protocol(`${where}: response larger than ${max} bytes`);
      parts.push(part);
      if (pdu.header.flags & PFC.lastFrag) {
        this.#authenticatedCalls++;
        return Buffer.concat(parts);
      }
    }
    throw protocol(`${where}: more than ${MAX_FRAGMENTS} response fragments`);
  }
}
