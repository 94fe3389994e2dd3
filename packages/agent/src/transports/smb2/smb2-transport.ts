// One TCP connection carrying SMB2 frames in both directions, for a multiplexing client: frames go
// out as written and come in through a callback; a dropped connection is reported once.
import type { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import { NBSS_TYPE, NbssReader, frameSessionMessage, type NbssPacket } from '../netbios/nbss.js';
import {
  connectSmbSocket,
  openNetbiosSession,
  reportSocketEnd,
  withLimit,
  type SmbConnectOptions,
} from './smb2-socket.js';

export interface Smb2TransportHandlers {
  /** Each SMB2 (or TRANSFORM) message as it arrives, transport framing removed. */
  onMessage(payload: Buffer): void;
  /** Called once when the connection fails or closes; no onMessage afterwards. */
  onFailure(err: ScannerError): void;
}

/** Keep-alives skipped in a row before the peer is judged hostile. */
const MAX_KEEPALIVES = 64;

export class Smb2Transport {
  readonly #socket: Socket;
  readonly label: string;
  readonly #reader: NbssReader;
  #handlers: Smb2TransportHandlers | null = null;
  #failed: ScannerError | null = null;
  #backlog: NbssPacket[] = [];
  #keepAlives = 0;

  private constructor(socket: Socket, label: string, maxFrame: number) {
    this.#socket = socket;
    this.label = label;
    this.#reader = new NbssReader(maxFrame);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    reportSocketEnd(socket, label, (err) => this.#fail(err));
  }

  /**
   * Connects (and opens a NetBIOS session when asked). ERR_PORT_CLOSED on refusal,
   * ERR_UNREACHABLE without a route, ERR_TIMEOUT / ERR_ABORTED per the options.
   */
  static async connect(host: string, port: number, o: SmbConnectOptions): Promise<Smb2Transport> {
    const { socket, label } = await connectSmbSocket(host, port, o);
    const t = new Smb2Transport(socket, label, o.maxFrameBytes ?? (1 << 20) + 4096);
    if (o.netbiosSession) {
      await openNetbiosSession(socket, label, o.netbiosSession, () =>
        t.#sessionReply('netbios session request', o),
      );
    }
    return t;
  }

  /** Starts delivering messages (and any that arrived before) to `h`. */
  attach(h: Smb2TransportHandlers): void {
    this.#handlers = h;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const p of backlog) this.#deliver(p);
    if (this.#failed) h.onFailure(this.#failed);
  }

  /** Writes one SMB2 message (or compound chain, or TRANSFORM) with its 4-byte framing. */
  send(message: Buffer): void {
    if (this.#failed) throw this.#failed;
    this.#socket.write(frameSessionMessage(message));
  }

  get failure(): ScannerError | null {
    return this.#failed;
  }

  /** Drops the connection at once. Idempotent. */
  close(): void {
    this.#socket.destroy();
  }

  /** The first packet after the session request (before any `attach`), or the failure. */
  #sessionReply(phase: string, o: SmbConnectOptions): Promise<NbssPacket> {
    return withLimit<NbssPacket>(this.label, phase, o, (settle) => {
      this.#handlers = {
        onMessage: () => undefined,
        onFailure: (err) => settle(err),
      };
      this.#sessionWaiter = (p) => settle(undefined, p);
    }).finally(() => {
      this.#sessionWaiter = null;
      this.#handlers = null;
    });
  }

  #sessionWaiter: ((p: NbssPacket) => void) | null = null;

  #onData(chunk: Buffer): void {
    if (this.#failed) return;
    let packets: NbssPacket[];
    try {
      packets = this.#reader.push(chunk);
    } catch (err) {
      this.#fail(err as ScannerError);
      this.#socket.destroy();
      return;
    }
    for (const p of packets) {
      if (this.#failed) return;
      if (this.#sessionWaiter) {
        this.#sessionWaiter(p);
        continue;
      }
      if (!this.#handlers) {
        // Nothing asked yet: a well-behaved server sends nothing unprompted; keep a bounded few.
        if (this.#backlog.length >= 4) {
          this.#fail(new ScannerError('ERR_PROTOCOL', `${this.label}: unsolicited frames`));
          this.#socket.destroy();
          return;
        }
        this.#backlog.push(p);
        continue;
      }
      this.#deliver(p);
    }
  }

  #deliver(p: NbssPacket): void {
    if (p.type === NBSS_TYPE.keepAlive) {
      if (++this.#keepAlives > MAX_KEEPALIVES) {
        this.#fail(new ScannerError('ERR_PROTOCOL', `${this.label}: keep-alive flood`));
        this.#socket.destroy();
      }
      return;
    }
    this.#keepAlives = 0;
    if (p.type !== NBSS_TYPE.sessionMessage) {
      this.#fail(
        new ScannerError(
          'ERR_PROTOCOL',
          `${this.label}: NetBIOS packet type 0x${p.type.toString(16)}`,
        ),
      );
      this.#socket.destroy();
      return;
    }
    this.#handlers?.onMessage(p.payload);
  }

  #fail(err: ScannerError): void {
    if (this.#failed) return;
    this.#failed = err;
    this.#handlers?.onFailure(err);
  }
}
