// One TCP connection carrying SMB2 messages: direct TCP (445) or a NetBIOS session (139).
import type { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import { NBSS_TYPE, NbssReader, frameSessionMessage, type NbssPacket } from '../netbios/nbss.js';
import { NT_STATUS, SMB2_FLAGS, SMB2_PROTOCOL_ID } from './smb2-header.js';
import {
  connectSmbSocket,
  openNetbiosSession,
  reportSocketEnd,
  withLimit,
  type CallOptions,
  type SmbConnectOptions,
} from './smb2-socket.js';

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
    reportSocketEnd(socket, label, (err) => this.#fail(err));
  }

  /**
   * Connects (and opens the NetBIOS session when asked). Rejects ERR_PORT_CLOSED on refusal,
   * ERR_UNREACHABLE when there is no route. The largest frame defaults to 64 KiB (negotiate and
   * challenge are < 2 KiB), the bytes read over the connection's life to 1 MiB.
   */
  static async connect(host: string, port: number, o: SmbConnectOptions): Promise<SmbConnection> {
    const { socket, label } = await connectSmbSocket(host, port, o);
    const conn = new SmbConnection(
      socket,
      label,
      o.maxFrameBytes ?? 65_536,
      o.maxTotalBytes ?? 1 << 20,
    );
    if (o.netbiosSession) {
      await openNetbiosSession(socket, label, o.netbiosSession, () =>
        conn.#next('netbios session request', o),
      );
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

function isInterim(msg: Buffer): boolean {
  return (
    msg.length >= 64 &&
    msg.subarray(0, 4).equals(SMB2_PROTOCOL_ID) &&
    (msg.readUInt32LE(16) & SMB2_FLAGS.asyncCommand) !== 0 &&
    msg.readUInt32LE(8) === NT_STATUS.pending
  );
}
