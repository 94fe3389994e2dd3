// SMB2/3 client: negotiate (2.1–3.1.1), NTLM session setup over SPNEGO, signing, encryption, trees,
// files and named pipes. Requests are multiplexed by MessageId over one connection, within credits.
import { randomBytes } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import { NtlmClient, type NtlmClientOptions, type NtlmCredentials } from '../ntlm/ntlm-client.js';
import {
  NEG_STATE,
  buildNegTokenInit,
  buildNegTokenResp,
  encodeMechTypeList,
  extractNtlmToken,
  parseNegTokenResp,
} from '../ntlm/spnego.js';
import {
  CREATE_DISPOSITION,
  CREATE_OPTIONS,
  FILE_ACCESS,
  FSCTL_PIPE_TRANSCEIVE,
  SHARE_ACCESS,
  SHARE_FLAGS,
  buildClose,
  buildCreate,
  buildEmpty4,
  buildIoctl,
  buildRead,
  buildTreeConnect,
  buildWrite,
  parseCreate,
  parseIoctl,
  parseRead,
  parseTreeConnect,
  parseWrite,
  type CreateRequest,
} from './smb2-commands.js';
import { withLimit, type CallOptions } from './smb2-socket.js';
import {
  NT_STATUS,
  SMB2_COMMAND,
  SMB2_FLAGS,
  SMB2_HEADER_SIZE,
  SMB2_PROTOCOL_ID,
  buildHeader,
  describeStatus,
  parseHeader,
  type Smb2Header,
} from './smb2-header.js';
import {
  CIPHERS,
  SECURITY_MODE,
  SIGNING_ALGORITHMS,
  SMB2_CAPS,
  buildNegotiateRequest,
  parseNegotiateResponse,
  type NegotiateResponse,
} from './smb2-negotiate.js';
import {
  NonceSource,
  PreauthHash,
  TRANSFORM_PROTOCOL_ID,
  decryptMessage,
  deriveSmb2Keys,
  encryptMessage,
  signMessage,
  signingAlgorithmFor,
  transformSessionId,
  verifySignature,
  type Smb2SessionKeys,
} from './smb2-security.js';
import { buildSessionSetupRequest, parseSessionSetupResponse } from './smb2-session-setup.js';
import { statusError } from './smb2-status.js';
import { Smb2Transport } from './smb2-transport.js';

export type { CallOptions } from './smb2-socket.js';

export interface Smb2ConnectOptions extends CallOptions {
  /** Dialects offered; default 2.1, 3.0, 3.0.2, 3.1.1 (2.0.2 is never offered: no large MTU). */
  dialects?: readonly number[];
  /** Ciphers offered in 3.1.1; default AES-128-GCM then AES-128-CCM. */
  ciphers?: readonly number[];
  /** Signing algorithms offered in 3.1.1; default AES-GMAC then AES-CMAC. */
  signingAlgorithms?: readonly number[];
  /** Open a NetBIOS session first (port 139). */
  netbiosSession?: { calledName: string; callingName: string };
  /** Largest frame accepted; default 1 MiB + 4 KiB (our reads never ask for more than 1 MiB). */
  maxFrameBytes?: number;
}

export const SESSION_FLAGS = { isGuest: 0x1, isNull: 0x2, encryptData: 0x4 } as const;

/** Largest single READ/WRITE/IOCTL output we ask for, whatever the server allows. */
export const MAX_IO = 1 << 20;
/** Credits asked for in every request (the server grants up to its own limit). */
const CREDIT_REQUEST = 64;
/** Responses for unknown MessageIds tolerated before the peer is judged hostile. */
const MAX_UNSOLICITED = 32;
/** Interim (STATUS_PENDING) responses tolerated for one request. */
const MAX_INTERIM = 16;
/** Messages in one compound response frame. */
const MAX_CHAIN = 8;
/** Timed-out MessageIds remembered so that late answers are recognised (credits kept). */
const MAX_ABANDONED = 256;

interface Waiter {
  settle(err?: ScannerError, msg?: Buffer): void;
  interim: number;
  /** The request went encrypted: its response must be too. */
  encrypted: boolean;
}

interface Session {
  id: bigint;
  keys: Smb2SessionKeys;
  signAlgorithm: number;
  sign: boolean;
  encrypt: boolean;
  nonces: NonceSource;
}

interface RequestOptions {
  treeId?: number;
  /** Encrypt even when the session does not require it (share with ENCRYPT_DATA). */
  encrypt?: boolean;
  /** Bytes the response may carry beyond its fixed part (for the credit charge). */
  expectBytes?: number;
  /** Session id for SESSION_SETUP before the session is established. */
  sessionId?: bigint;
  /** Leave the response's signature to the caller (final SESSION_SETUP response). */
  noVerify?: boolean;
}

/** Facts from the server's NEGOTIATE response and its NTLM challenge. */
export interface Smb2ServerInfo {
  dialect: string;
  dialectRevision: number;
  signingRequired: boolean;
  serverGuid: Buffer;
  capabilities: number;
  cipher?: number;
  signingAlgorithm?: number;
  nbComputerName?: string;
  nbDomainName?: string;
  dnsComputerName?: string;
  osVersion?: string;
}

export interface Smb2File {
  readonly fileId: Buffer;
  /** End of file at open time. */
  readonly size: bigint;
  read(length: number, offset: bigint, o?: CallOptions): Promise<Buffer>;
  /** Reads the whole file, at most `maxBytes` (ERR_PROTOCOL beyond). */
  readAll(maxBytes: number, o?: CallOptions): Promise<Buffer>;
  write(data: Buffer, offset: bigint, o?: CallOptions): Promise<number>;
  close(o?: CallOptions): Promise<void>;
}

export interface Smb2Pipe {
  /** FSCTL_PIPE_TRANSCEIVE: writes `data`, returns the whole reply (reading on BUFFER_OVERFLOW). */
  transceive(data: Buffer, maxOutput?: number, o?: CallOptions): Promise<Buffer>;
  write(data: Buffer, o?: CallOptions): Promise<void>;
  /** One read of at most `max` bytes (a whole message, or its start with more to read). */
  read(max: number, o?: CallOptions): Promise<Buffer>;
  close(o?: CallOptions): Promise<void>;
}

export type OpenMode = 'read' | 'write' | 'create';

export interface Smb2Tree {
  /** The connection and session the tree belongs to. */
  readonly client: Smb2Client;
  readonly treeId: number;
  readonly share: string;
  readonly encrypted: boolean;
  openPipe(name: string, o?: CallOptions): Promise<Smb2Pipe>;
  /** 'read' opens an existing file; 'write' opens or creates and truncates; 'create' fails if it exists. */
  openFile(path: string, mode: OpenMode, o?: CallOptions): Promise<Smb2File>;
  deleteFile(path: string, o?: CallOptions): Promise<void>;
  disconnect(o?: CallOptions): Promise<void>;
}

/**
 * An SMB2/3 client connection. `connect` negotiates; `login` authenticates with NTLMv2 (signing
 * every later request for a non-guest session, encrypting when the server asks). Every call takes
 * its own signal and timeout (default: those given to `connect`). A dropped connection fails all
 * pending calls with ERR_PROTOCOL naming it. Not reusable after `close`.
 */
export class Smb2Client {
  readonly #t: Smb2Transport;
  readonly #defaults: CallOptions;
  readonly #host: string;
  #negotiate!: NegotiateResponse;
  #preauth = new PreauthHash();
  #nextId = 0n;
  #credits = 1;
  #creditWaiters: (() => void)[] = [];
  #pending = new Map<bigint, Waiter>();
  #abandoned = new Set<bigint>();
  #unsolicited = 0;
  #failure: ScannerError | null = null;
  #session: Session | null = null;
  #ntlmInfo: Partial<Smb2ServerInfo> = {};

  private constructor(t: Smb2Transport, host: string, defaults: CallOptions) {
    this.#t = t;
    this.#host = host;
    this.#defaults = defaults;
    t.attach({
      onMessage: (m) => this.#onMessage(m),
      onFailure: (err) => this.#fail(err),
    });
  }

  /** Connects and negotiates. ERR_PORT_CLOSED, ERR_UNREACHABLE, ERR_TIMEOUT, ERR_PROTOCOL. */
  static async connect(host: string, port: number, o: Smb2ConnectOptions): Promise<Smb2Client> {
    const t = await Smb2Transport.connect(host, port, {
      signal: o.signal,
      timeoutMs: o.timeoutMs,
      maxFrameBytes: o.maxFrameBytes ?? MAX_IO + 4096,
      ...(o.netbiosSession ? { netbiosSession: o.netbiosSession } : {}),
    });
    const client = new Smb2Client(t, host, { signal: o.signal, timeoutMs: o.timeoutMs });
    try {
      await client.#negotiateDialect(o);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  get dialect(): string {
    return this.#negotiate.dialect;
  }

  get serverInfo(): Smb2ServerInfo {
    const n = this.#negotiate;
    return {
      dialect: n.dialect,
      dialectRevision: n.dialectRevision,
      signingRequired: (n.securityMode & SECURITY_MODE.signingRequired) !== 0,
      serverGuid: n.serverGuid,
      capabilities: n.capabilities,
      ...(n.cipher !== undefined ? { cipher: n.cipher } : {}),
      ...(n.signingAlgorithm !== undefined ? { signingAlgorithm: n.signingAlgorithm } : {}),
      ...this.#ntlmInfo,
    };
  }

  /** Whether the session signs its requests / encrypts everything (after `login`). */
  get sessionSecurity(): { signed: boolean; encrypted: boolean; signingAlgorithm: number } | null {
    const s = this.#session;
    return s ? { signed: s.sign, encrypted: s.encrypt, signingAlgorithm: s.signAlgorithm } : null;
  }

  async #negotiateDialect(o: Smb2ConnectOptions): Promise<void> {
    const dialects = o.dialects ?? [0x0210, 0x0300, 0x0302, 0x0311];
    const req = buildNegotiateRequest({
      dialects,
      clientGuid: randomBytes(16),
      salt: randomBytes(32),
      securityMode: SECURITY_MODE.signingEnabled,
      capabilities: SMB2_CAPS.dfs | SMB2_CAPS.largeMtu | SMB2_CAPS.encryption,
      ciphers: o.ciphers ?? [CIPHERS.aes128Gcm, CIPHERS.aes128Ccm],
      signingAlgorithms: o.signingAlgorithms ?? [
        SIGNING_ALGORITHMS.aesGmac,
        SIGNING_ALGORITHMS.aesCmac,
      ],
    });
    const res = await this.#send(req, SMB2_COMMAND.negotiate, 'negotiate', o, { raw: true });
    const neg = parseNegotiateResponse(res);
    if (!dialects.includes(neg.dialectRevision)) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: the server chose dialect ${neg.dialect}, which was not offered`,
      );
    }
    this.#negotiate = neg;
    if (neg.dialectRevision === 0x0311) {
      this.#preauth.update(req);
      this.#preauth.update(res);
    }
  }

  /**
   * Authenticates with NTLMv2 over SPNEGO. ERR_AUTH_FAILED for logon failures (the NT status is
   * named), ERR_PROTOCOL when signing or encryption is required but impossible, or a signature
   * (SMB or SPNEGO mechListMIC) does not verify.
   */
  async login(
    creds: NtlmCredentials,
    opts: { ntlm?: NtlmClientOptions; call?: CallOptions } = {},
  ): Promise<void> {
    if (this.#session) throw new ScannerError('ERR_PROTOCOL', 'SMB2: already logged in');
    const o = opts.call ?? this.#defaults;
    const ntlm = new NtlmClient(creds, opts.ntlm);
    const dialect = this.#negotiate.dialectRevision;
    const preauth = new PreauthHash(this.#preauth.value);
    const mechTypes = encodeMechTypeList();

    const req1 = buildSessionSetupRequest({
      messageId: 0n,
      securityBuffer: buildNegTokenInit(ntlm.negotiate()),
      securityMode: SECURITY_MODE.signingEnabled,
    });
    const res1 = await this.#send(req1, SMB2_COMMAND.sessionSetup, 'session setup', o, {
      raw: true,
      noVerify: true,
    });
    const setup1 = parseSessionSetupResponse(res1);
    if (setup1.header.status !== NT_STATUS.moreProcessingRequired) {
      throw statusError(this.#t.label, 'session setup', setup1.header.status);
    }
    preauth.update(this.#lastSent!);
    preauth.update(res1);
    const sessionId = setup1.header.sessionId;
    const authenticate = ntlm.authenticate(extractNtlmToken(setup1.securityBuffer));
    const info = ntlm.serverInfo;
    this.#ntlmInfo = {
      ...(info.nbComputerName ? { nbComputerName: info.nbComputerName } : {}),
      ...(info.nbDomainName ? { nbDomainName: info.nbDomainName } : {}),
      ...(info.dnsComputerName ? { dnsComputerName: info.dnsComputerName } : {}),
      ...(info.version
        ? { osVersion: `${info.version.major}.${info.version.minor}.${info.version.build}` }
        : {}),
    };
    // SPNEGO mechListMIC over the mech list we offered, with NTLM's first client signature.
    const mechListMic = ntlm.security().sign(mechTypes);
    const req2 = buildSessionSetupRequest({
      messageId: 0n,
      sessionId,
      securityBuffer: buildNegTokenResp(authenticate, mechListMic),
      securityMode: SECURITY_MODE.signingEnabled,
    });
    const res2 = await this.#send(req2, SMB2_COMMAND.sessionSetup, 'session setup', o, {
      raw: true,
      noVerify: true,
      sessionId,
    });
    const setup2 = parseSessionSetupResponse(res2);
    if (setup2.header.status !== NT_STATUS.success) {
      throw statusError(this.#t.label, 'session setup', setup2.header.status);
    }
    preauth.update(this.#lastSent!);
    const keys = deriveSmb2Keys(dialect, ntlm.sessionKey, preauth.value);
    const guest = (setup2.sessionFlags & (SESSION_FLAGS.isGuest | SESSION_FLAGS.isNull)) !== 0;
    const signAlgorithm = signingAlgorithmFor(dialect, this.#negotiate.signingAlgorithm);
    const serverRequiresSigning =
      (this.#negotiate.securityMode & SECURITY_MODE.signingRequired) !== 0;
    if (guest && serverRequiresSigning) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: the server requires signing but logged us in as guest (no signing key)`,
      );
    }
    if (guest) {
      throw new ScannerError(
        'ERR_AUTH_FAILED',
        `${this.#t.label}: the server mapped ${creds.username} to guest (the password was not accepted)`,
      );
    }
    // The final response is signed by the server (3.1.1 always; others when signing).
    const h2 = setup2.header;
    if (h2.flags & SMB2_FLAGS.signed) {
      if (!verifySignature(res2, keys.signingKey, signAlgorithm)) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `${this.#t.label}: the SESSION_SETUP response signature does not verify (wrong key derivation or tampering)`,
        );
      }
    } else if (dialect === 0x0311) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: the final SMB 3.1.1 SESSION_SETUP response is not signed`,
      );
    }
    if (setup2.securityBuffer.length > 0) {
      const resp = parseNegTokenResp(setup2.securityBuffer);
      if (resp.negState === NEG_STATE.reject) {
        throw new ScannerError('ERR_AUTH_FAILED', `${this.#t.label}: SPNEGO rejected the logon`);
      }
      if (resp.mechListMic) ntlm.security().verify(mechTypes, resp.mechListMic);
    }
    const encrypt = (setup2.sessionFlags & SESSION_FLAGS.encryptData) !== 0;
    if (encrypt && (dialect < 0x0300 || this.#cipher() === undefined)) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: the server requires encryption, which dialect ${this.#negotiate.dialect} cannot do`,
      );
    }
    this.#session = {
      id: sessionId,
      keys,
      signAlgorithm,
      sign: true,
      encrypt,
      nonces: new NonceSource(),
    };
  }

  /** The cipher in force: 3.1.1's negotiated one, AES-128-CCM for 3.0/3.0.2. */
  #cipher(): number | undefined {
    const n = this.#negotiate;
    if (n.dialectRevision === 0x0311) return n.cipher && n.cipher !== 0 ? n.cipher : undefined;
    if (n.dialectRevision >= 0x0300 && n.capabilities & SMB2_CAPS.encryption) {
      return CIPHERS.aes128Ccm;
    }
    return undefined;
  }

  /** Connects to `\\host\share` ('IPC$', 'C$', 'ADMIN$', …). */
  async treeConnect(share: string, o: CallOptions = this.#defaults): Promise<Smb2Tree> {
    const session = this.#requireSession();
    const res = await this.#request(
      SMB2_COMMAND.treeConnect,
      buildTreeConnect(`\\\\${this.#host}\\${share}`),
      `tree connect ${share}`,
      o,
    );
    const tc = parseTreeConnect(res);
    const treeId = res.readUInt32LE(36);
    const encrypted = session.encrypt || (tc.shareFlags & SHARE_FLAGS.encryptData) !== 0;
    if (encrypted && this.#cipher() === undefined) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: share ${share} requires encryption, which dialect ${this.#negotiate.dialect} cannot do`,
      );
    }
    return this.#tree(share, treeId, encrypted);
  }

  /**
   * The error the connection ended with (dropped by the server, a hostile frame, or `close`);
   * null while it is usable. Every call fails with it from then on.
   */
  get failure(): ScannerError | null {
    return this.#failure;
  }

  /**
   * SMB2 ECHO on the session (signed like every request): resolves when the server answers, so a
   * caller can tell a server that stopped answering from one slow call. ERR_TIMEOUT when it does
   * not answer within the limit.
   */
  async echo(o: CallOptions = this.#defaults): Promise<void> {
    await this.#request(SMB2_COMMAND.echo, buildEmpty4(), 'echo', o);
  }

  /** Ends the session (LOGOFF). The connection stays open until `close`. */
  async logoff(o: CallOptions = this.#defaults): Promise<void> {
    if (!this.#session) return;
    await this.#request(SMB2_COMMAND.logoff, buildEmpty4(), 'logoff', o);
    this.#session = null;
  }

  /** Drops the connection; pending calls fail. Idempotent. */
  close(): void {
    this.#fail(
      new ScannerError('ERR_PROTOCOL', `${this.#t.label}: connection closed by the client`),
    );
    this.#t.close();
  }

  #tree(share: string, treeId: number, encrypted: boolean): Smb2Tree {
    const req = (
      command: number,
      body: Buffer,
      what: string,
      o: CallOptions,
      expectBytes = 0,
    ): Promise<Buffer> =>
      this.#request(command, body, what, o, { treeId, encrypt: encrypted, expectBytes });
    const d = this.#defaults;
    const create = async (r: CreateRequest, o: CallOptions) =>
      parseCreate(await req(SMB2_COMMAND.create, buildCreate(r), `create ${share}\\${r.name}`, o));
    const close = async (fileId: Buffer, o: CallOptions): Promise<void> => {
      await req(SMB2_COMMAND.close, buildClose(fileId), 'close', o);
    };
    const read = async (fileId: Buffer, len: number, off: bigint, o: CallOptions) => {
      const n = Math.min(len, this.#negotiate.maxReadSize, MAX_IO);
      return parseRead(await req(SMB2_COMMAND.read, buildRead(fileId, n, off), 'read', o, n));
    };
    return {
      client: this,
      treeId,
      share,
      encrypted,
      openPipe: async (name, o = d) => {
        const { fileId } = await create(
          {
            name,
            desiredAccess:
              FILE_ACCESS.readData |
              FILE_ACCESS.writeData |
              FILE_ACCESS.appendData |
              FILE_ACCESS.readEa |
              FILE_ACCESS.readAttributes |
              FILE_ACCESS.readControl |
              FILE_ACCESS.synchronize,
            shareAccess: SHARE_ACCESS.read | SHARE_ACCESS.write,
            disposition: CREATE_DISPOSITION.open,
            options: CREATE_OPTIONS.nonDirectoryFile,
          },
          o,
        );
        return this.#pipe(fileId, { treeId, encrypt: encrypted }, req, close, read);
      },
      openFile: async (path, mode, o = d) => {
        const write = mode !== 'read';
        const c = await create(
          {
            name: path,
            desiredAccess:
              FILE_ACCESS.readData |
              FILE_ACCESS.readAttributes |
              FILE_ACCESS.readControl |
              FILE_ACCESS.synchronize |
              (write
                ? FILE_ACCESS.writeData | FILE_ACCESS.appendData | FILE_ACCESS.writeAttributes
                : 0),
            shareAccess: SHARE_ACCESS.read | (write ? 0 : SHARE_ACCESS.write),
            disposition:
              mode === 'read'
                ? CREATE_DISPOSITION.open
                : mode === 'write'
                  ? CREATE_DISPOSITION.overwriteIf
                  : CREATE_DISPOSITION.create,
            options: CREATE_OPTIONS.nonDirectoryFile,
            fileAttributes: write ? 0x80 : 0,
          },
          o,
        );
        const fileId = c.fileId;
        const file: Smb2File = {
          fileId,
          size: c.endOfFile,
          read: (len, off, oo = d) => read(fileId, len, off, oo),
          readAll: async (maxBytes, oo = d) => {
            if (c.endOfFile > BigInt(maxBytes)) {
              throw new ScannerError(
                'ERR_PROTOCOL',
                `${this.#t.label}: ${share}\\${path} is ${c.endOfFile} bytes, over the ${maxBytes}-byte limit`,
              );
            }
            const parts: Buffer[] = [];
            let off = 0n;
            // Bounded: each round reads at least one byte or stops.
            while (off < c.endOfFile) {
              const chunk = await read(fileId, Number(c.endOfFile - off), off, oo);
              if (chunk.length === 0) break;
              parts.push(chunk);
              off += BigInt(chunk.length);
            }
            return Buffer.concat(parts);
          },
          write: async (data, off, oo = d) => {
            let done = 0;
            const max = Math.min(this.#negotiate.maxWriteSize, MAX_IO);
            while (done < data.length || (data.length === 0 && done === 0)) {
              const part = data.subarray(done, done + max);
              const n = parseWrite(
                await req(
                  SMB2_COMMAND.write,
                  buildWrite(fileId, part, off + BigInt(done)),
                  'write',
                  oo,
                ),
              );
              if (data.length === 0) break;
              if (n === 0)
                throw new ScannerError('ERR_PROTOCOL', `${this.#t.label}: write of 0 bytes`);
              done += n;
            }
            return done;
          },
          close: (oo = d) => close(fileId, oo),
        };
        return file;
      },
      deleteFile: async (path, o = d) => {
        const { fileId } = await create(
          {
            name: path,
            desiredAccess: FILE_ACCESS.delete | FILE_ACCESS.readAttributes,
            shareAccess: SHARE_ACCESS.read | SHARE_ACCESS.write | SHARE_ACCESS.delete,
            disposition: CREATE_DISPOSITION.open,
            options: CREATE_OPTIONS.nonDirectoryFile | CREATE_OPTIONS.deleteOnClose,
          },
          o,
        );
        await close(fileId, o);
      },
      disconnect: async (o = d) => {
        await req(SMB2_COMMAND.treeDisconnect, buildEmpty4(), `tree disconnect ${share}`, o);
      },
    };
  }

  #pipe(
    fileId: Buffer,
    tree: { treeId: number; encrypt: boolean },
    req: (c: number, b: Buffer, w: string, o: CallOptions, e?: number) => Promise<Buffer>,
    close: (fileId: Buffer, o: CallOptions) => Promise<void>,
    read: (fileId: Buffer, len: number, off: bigint, o: CallOptions) => Promise<Buffer>,
  ): Smb2Pipe {
    const d = this.#defaults;
    const pipeRead = (max: number, o: CallOptions) => read(fileId, max, 0n, o);
    return {
      transceive: async (data, maxOutput = 65_536, o = d) => {
        const max = Math.min(maxOutput, this.#negotiate.maxTransactSize, MAX_IO);
        const { status, msg } = await this.#requestStatus(
          SMB2_COMMAND.ioctl,
          buildIoctl(FSCTL_PIPE_TRANSCEIVE, fileId, data, max),
          'pipe transceive',
          o,
          { ...tree, expectBytes: max },
          (s, m) => s === NT_STATUS.bufferOverflow && m.length >= SMB2_HEADER_SIZE + 48,
        );
        const parts = [parseIoctl(msg)];
        let more = status === NT_STATUS.bufferOverflow;
        let total = parts[0]!.length;
        // The rest of an overlong reply is read from the pipe, bounded by MAX_IO in all.
        while (more) {
          const r = await this.#requestStatus(
            SMB2_COMMAND.read,
            buildRead(fileId, Math.min(max, MAX_IO - total), 0n),
            'pipe read',
            o,
            { ...tree, expectBytes: max },
            (s) => s === NT_STATUS.bufferOverflow,
          );
          const chunk = parseRead(r.msg);
          parts.push(chunk);
          total += chunk.length;
          more = r.status === NT_STATUS.bufferOverflow;
          if (more && (total >= MAX_IO || chunk.length === 0)) {
            throw new ScannerError(
              'ERR_PROTOCOL',
              `${this.#t.label}: pipe reply over ${MAX_IO} bytes`,
            );
          }
        }
        return Buffer.concat(parts);
      },
      write: async (data, o = d) => {
        parseWrite(await req(SMB2_COMMAND.write, buildWrite(fileId, data, 0n), 'pipe write', o));
      },
      read: (max, o = d) => pipeRead(max, o),
      close: (o = d) => close(fileId, o),
    };
  }

  #requireSession(): Session {
    if (!this.#session) throw new ScannerError('ERR_PROTOCOL', 'SMB2: not logged in');
    return this.#session;
  }

  /** One request in the session; a non-success status becomes the mapped ScannerError. */
  async #request(
    command: number,
    body: Buffer,
    what: string,
    o: CallOptions,
    r: RequestOptions = {},
  ): Promise<Buffer> {
    const { msg } = await this.#requestStatus(command, body, what, o, r, () => false);
    return msg;
  }

  async #requestStatus(
    command: number,
    body: Buffer,
    what: string,
    o: CallOptions,
    r: RequestOptions,
    okStatus: (status: number, msg: Buffer) => boolean,
  ): Promise<{ status: number; msg: Buffer }> {
    const session = this.#requireSession();
    const header = buildHeader({
      command,
      messageId: 0n,
      sessionId: session.id,
      ...(r.treeId !== undefined ? { treeId: r.treeId } : {}),
    });
    const msg = await this.#send(Buffer.concat([header, body]), command, what, o, r);
    const status = msg.readUInt32LE(8);
    if (status !== NT_STATUS.success && !okStatus(status, msg)) {
      throw statusError(this.#t.label, what, status);
    }
    return { status, msg };
  }

  #lastSent: Buffer | null = null;

  /**
   * Sends one message (header already built; MessageId, credits, signing and encryption filled
   * here) and resolves with its final response, interim responses skipped.
   */
  async #send(
    message: Buffer,
    command: number,
    what: string,
    o: CallOptions,
    r: RequestOptions & { raw?: boolean } = {},
  ): Promise<Buffer> {
    if (this.#failure) throw this.#failure;
    o.signal.throwIfAborted();
    const multiCredit =
      this.#negotiate !== undefined &&
      this.#negotiate.dialectRevision >= 0x0210 &&
      (this.#negotiate.capabilities & SMB2_CAPS.largeMtu) !== 0;
    const payload = Math.max(message.length - SMB2_HEADER_SIZE, r.expectBytes ?? 0);
    const charge = multiCredit ? Math.max(1, Math.ceil(payload / 65_536)) : 1;
    await this.#acquireCredits(charge, what, o);
    const id = this.#nextId;
    this.#nextId += BigInt(charge);
    const m = Buffer.from(message);
    m.writeBigUInt64LE(id, 24);
    if (command !== SMB2_COMMAND.negotiate) {
      m.writeUInt16LE(multiCredit ? charge : 0, 6);
      m.writeUInt16LE(CREDIT_REQUEST, 14);
    }
    if (r.sessionId !== undefined) m.writeBigUInt64LE(r.sessionId, 40);
    const session = r.raw ? null : this.#session;
    const encrypt = session !== null && (session.encrypt || r.encrypt === true);
    if (session && session.sign && !encrypt) {
      signMessage(m, session.keys.signingKey, session.signAlgorithm);
    }
    this.#lastSent = m;
    const frame = encrypt
      ? encryptMessage(
          m,
          session.id,
          session.keys.encryptionKey,
          this.#cipher()!,
          session.nonces.next(16),
        )
      : m;
    const label = this.#t.label;
    let settled = false;
    const response = withLimit<Buffer>(label, what, o, (settle) => {
      this.#pending.set(id, {
        settle: (err, value) => {
          settled = true;
          settle(err, value);
        },
        interim: 0,
        encrypted: encrypt,
      });
      try {
        this.#t.send(frame);
      } catch (err) {
        settle(err as ScannerError);
      }
    });
    try {
      return await response;
    } finally {
      this.#pending.delete(id);
      if (!settled) this.#abandon(id);
    }
  }

  #abandon(id: bigint): void {
    if (this.#abandoned.size >= MAX_ABANDONED) {
      const first = this.#abandoned.values().next().value;
      if (first !== undefined) this.#abandoned.delete(first);
    }
    this.#abandoned.add(id);
  }

  async #acquireCredits(n: number, what: string, o: CallOptions): Promise<void> {
    if (this.#credits >= n) {
      this.#credits -= n;
      return;
    }
    await withLimit<void>(this.#t.label, `${what} (waiting for credits)`, o, (settle) => {
      const check = (): void => {
        if (this.#failure) return settle(this.#failure);
        if (this.#credits >= n) {
          this.#credits -= n;
          settle();
          return;
        }
        this.#creditWaiters.push(check);
      };
      check();
    });
  }

  #grant(credits: number): void {
    this.#credits += credits;
    const waiters = this.#creditWaiters;
    this.#creditWaiters = [];
    for (const w of waiters) w();
  }

  #onMessage(frame: Buffer): void {
    try {
      let plain = frame;
      let encrypted = false;
      if (frame.subarray(0, 4).equals(TRANSFORM_PROTOCOL_ID)) {
        const s = this.#session;
        if (!s || transformSessionId(frame) !== s.id) {
          throw new ScannerError(
            'ERR_PROTOCOL',
            `${this.#t.label}: encrypted message for an unknown session`,
          );
        }
        plain = decryptMessage(frame, s.keys.decryptionKey, this.#cipher()!);
        encrypted = true;
      }
      // A compound response: messages chained by NextCommand (8-byte aligned), bounded.
      let pos = 0;
      for (let i = 0; i < MAX_CHAIN; i++) {
        const rest = plain.subarray(pos);
        if (rest.length < 4 || !rest.subarray(0, 4).equals(SMB2_PROTOCOL_ID)) {
          throw new ScannerError('ERR_PROTOCOL', `${this.#t.label}: not an SMB2 message`);
        }
        const h = parseHeader(rest);
        const next = h.nextCommand;
        if (next !== 0 && (next < SMB2_HEADER_SIZE || next > rest.length || next % 8 !== 0)) {
          throw new ScannerError('ERR_PROTOCOL', `${this.#t.label}: bad NextCommand ${next}`);
        }
        this.#dispatch(next === 0 ? rest : rest.subarray(0, next), h, encrypted);
        if (next === 0) return;
        pos += next;
      }
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#t.label}: compound response over ${MAX_CHAIN} messages`,
      );
    } catch (err) {
      this.#fail(
        err instanceof ScannerError
          ? err
          : new ScannerError('ERR_PROTOCOL', `${this.#t.label}: ${(err as Error).message}`, {
              cause: err,
            }),
      );
      this.#t.close();
    }
  }

  #dispatch(msg: Buffer, h: Smb2Header, encrypted: boolean): void {
    if (!(h.flags & SMB2_FLAGS.serverToRedir)) {
      throw new ScannerError('ERR_PROTOCOL', `${this.#t.label}: the server sent a request`);
    }
    this.#grant(h.credits);
    const waiter = this.#pending.get(h.messageId);
    const interim = (h.flags & SMB2_FLAGS.asyncCommand) !== 0 && h.status === NT_STATUS.pending;
    if (!waiter) {
      if (this.#abandoned.has(h.messageId)) {
        if (!interim) this.#abandoned.delete(h.messageId);
        return;
      }
      // Oplock/lease breaks (MessageId all ones) and strays are tolerated a bounded number of times.
      if (++this.#unsolicited > MAX_UNSOLICITED) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `${this.#t.label}: more than ${MAX_UNSOLICITED} unsolicited responses`,
        );
      }
      return;
    }
    if (interim) {
      if (++waiter.interim > MAX_INTERIM) {
        waiter.settle(
          new ScannerError(
            'ERR_PROTOCOL',
            `${this.#t.label}: more than ${MAX_INTERIM} interim responses`,
          ),
        );
      }
      return;
    }
    if (waiter.encrypted && !encrypted) {
      waiter.settle(
        new ScannerError(
          'ERR_PROTOCOL',
          `${this.#t.label}: unencrypted response to an encrypted request`,
        ),
      );
      return;
    }
    const s = this.#session;
    if (s && !encrypted && h.sessionId === s.id && h.command !== SMB2_COMMAND.sessionSetup) {
      if (h.flags & SMB2_FLAGS.signed) {
        if (!verifySignature(msg, s.keys.signingKey, s.signAlgorithm)) {
          waiter.settle(
            new ScannerError(
              'ERR_PROTOCOL',
              `${this.#t.label}: response signature does not verify (${describeStatus(h.status)})`,
            ),
          );
          return;
        }
      } else if (s.sign) {
        waiter.settle(
          new ScannerError(
            'ERR_PROTOCOL',
            `${this.#t.label}: unsigned response (${describeStatus(h.status)}) on a signed session`,
          ),
        );
        return;
      }
    }
    waiter.settle(undefined, Buffer.from(msg));
  }

  #fail(err: ScannerError): void {
    if (this.#failure) return;
    this.#failure = err;
    for (const w of this.#pending.values()) w.settle(err);
    this.#pending.clear();
    const waiters = this.#creditWaiters;
    this.#creditWaiters = [];
    for (const w of waiters) w();
  }
}
