// One TCP connection carrying SMB2 messages: direct TCP (445) or a NetBIOS session (139).
import { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import {
  NBSS_NEGATIVE_REASON,
  NBSS_TYPE,
  NbssReader,
  buildSessionRequest,
  frameSessionMessage,
  type NbssPacket,
} from '../netbios/nbss.js';
import { NT_STATUS, SMB2_FLAGS, SMB2_PROTOCOL_ID } from './smb2-header.js';

export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

export interface SmbConnectOptions extends CallOptions {
  /** Open a NetBIOS session first (port 139): the called name is usually '*SMBSERVER'. */
  netbiosSession?: { calledName: string; callingName: string };
  /** Largest frame accepted from the server. Default 64 KiB (negotiate and challenge are < 2 KiB). */
  maxFrameBytes?: number;
  /** Most bytes read over the connection's life. Default 1 MiB. */
  maxTotalBytes?: number;
}

/** Interim STATUS_PENDING responses and keep-alives skipped per exchange before giving up. */
const MAX_SKIPPED = 8;
/** Frames that may queue unread (a server that pushes unsolicited frames is cut off). */
const MAX_QUEUED = 4;

/**
 * A request/response SMB2 pipe over one socket. Every call has its own timeout and signal; the
 * ERR_TIMEOUT message names the phase and the limit. Not safe for concurrent exchanges.
 */
export class SmbConnection {
  readonly #socket: Socket;
  readonly #label: string;
  readonly #reader: NbssReader;
  readonly #maxTotal: number;
  #received = 0;
  #queue: NbssPacket[] = [];
  #failure: ScannerError | null = null;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket, label: string, maxFrame: number, maxTotal: number) {
    this.#socket = socket;
    this.#label = label;
    this.#reader = new NbssReader(maxFrame);
    this.#maxTotal = maxTotal;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) =>
      this.#fail(new ScannerError('ERR_PROTOCOL', `${label}: ${err.message}`, { cause: err })),
    );
    socket.on('close', () =>
      this.#fail(new ScannerError('ERR_PROTOCOL', `${label}: connection closed by the server`)),
    );
  }

  /**
   * Connects (and opens the NetBIOS session when asked). Rejects ERR_PORT_CLOSED on refusal,
   * ERR_UNREACHABLE when there is no route.
   */
  static async connect(host: string, port: number, o: SmbConnectOptions): Promise<SmbConnection> {
    o.signal.throwIfAborted();
    const label = `smb ${host}:${port}`;
    const socket = new Socket();
    await withLimit(label, 'connect', o, (settle) => {
      socket.once('connect', () => settle());
      socket.once('error', (err: NodeJS.ErrnoException) =>
        settle(
          new ScannerError(
            err.code === 'ECONNREFUSED'
              ? 'ERR_PORT_CLOSED'
              : unreachable(err.code)
                ? 'ERR_UNREACHABLE'
                : 'ERR_PROTOCOL',
            `${label}: connect: ${err.message}`,
            { cause: err },
          ),
        ),
      );
      socket.connect({ host, port });
    }).catch((err: unknown) => {
      socket.destroy();
      throw err;
    });
    socket.setNoDelay(true);
    const conn = new SmbConnection(
      socket,
      label,
      o.maxFrameBytes ?? 65_536,
      o.maxTotalBytes ?? 1 << 20,
    );
    if (o.netbiosSession) {
      try {
        await conn.#openSession(o.netbiosSession.calledName, o.netbiosSession.callingName, o);
      } catch (err) {
        conn.close();
        throw err;
      }
    }
    return conn;
  }

  /** Sends one SMB2 message and returns the next SMB2 message, skipping interim responses. */
  async exchange(message: Buffer, phase: string, o: CallOptions): Promise<Buffer> {
    this.#socket.write(frameSessionMessage(message));
    for (let skipped = 0; skipped <= MAX_SKIPPED; skipped++) {
      const packet = await this.#next(phase, o);
      if (packet.type === NBSS_TYPE.keepAlive) continue;
      if (packet.type !== NBSS_TYPE.sessionMessage) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `${this.#label}: ${phase}: NetBIOS packet type 0x${packet.type.toString(16)}`,
        );
      }
      const msg = packet.payload;
      if (isInterim(msg)) continue;
      return msg;
    }
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${this.#label}: ${phase}: more than ${MAX_SKIPPED} interim responses`,
    );
  }

  /** Drops the connection at once (no LOGOFF: nothing was authenticated). Idempotent. */
  close(): void {
    this.#socket.destroy();
  }

  async #openSession(called: string, calling: string, o: CallOptions): Promise<void> {
    this.#socket.write(buildSessionRequest(called, calling));
    const reply = await this.#next('netbios session request', o);
    if (reply.type === NBSS_TYPE.positiveResponse) return;
    if (reply.type === NBSS_TYPE.negativeResponse) {
      const code = reply.payload[0] ?? 0;
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${this.#label}: NetBIOS session refused for ${called}: ${NBSS_NEGATIVE_REASON[code] ?? `code 0x${code.toString(16)}`}`,
      );
    }
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${this.#label}: NetBIOS session request answered with type 0x${reply.type.toString(16)}`,
    );
  }

  #onData(chunk: Buffer): void {
    this.#received += chunk.length;
    try {
      if (this.#received > this.#maxTotal) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `${this.#label}: more than ${this.#maxTotal} bytes received`,
        );
      }
      this.#queue.push(...this.#reader.push(chunk));
      if (this.#queue.length > MAX_QUEUED) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `${this.#label}: more than ${MAX_QUEUED} unsolicited frames`,
        );
      }
    } catch (err) {
      this.#fail(err as ScannerError);
      this.#socket.destroy();
    }
    this.#wake?.();
  }

  #fail(err: ScannerError): void {
    this.#failure ??= err;
    this.#wake?.();
  }

  #next(phase: string, o: CallOptions): Promise<NbssPacket> {
    return withLimit(this.#label, phase, o, (settle) => {
      const check = (): void => {
        const packet = this.#queue.shift();
        if (packet) return settle(undefined, packet);
        if (this.#failure) return settle(this.#failure);
      };
      this.#wake = check;
      check();
    }).finally(() => {
      this.#wake = null;
    }) as Promise<NbssPacket>;
  }
}

export function unreachable(code: string | undefined): boolean {
  return ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ECONNRESET'].includes(
    code ?? '',
  );
}

function isInterim(msg: Buffer): boolean {
  return (
    msg.length >= 64 &&
    msg.subarray(0, 4).equals(SMB2_PROTOCOL_ID) &&
    (msg.readUInt32LE(16) & SMB2_FLAGS.asyncCommand) !== 0 &&
    msg.readUInt32LE(8) === NT_STATUS.pending
  );
}

/**
 * Runs `start` until it settles, the timeout fires (ERR_TIMEOUT naming phase and limit) or the
 * signal aborts (ERR_ABORTED). Timer and listener are always removed.
 */
export function withLimit<T>(
  label: string,
  phase: string,
  o: CallOptions,
  start: (settle: (err?: ScannerError, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const settle = (err?: ScannerError, value?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onAbort = (): void =>
      settle(
        new ScannerError('ERR_ABORTED', `${label}: ${phase} aborted`, { cause: o.signal.reason }),
      );
    const timer = setTimeout(
      () =>
        settle(
          new ScannerError('ERR_TIMEOUT', `${label}: ${phase} timed out after ${o.timeoutMs} ms`),
        ),
      Math.max(0, o.timeoutMs),
    );
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    start(settle);
  });
}
