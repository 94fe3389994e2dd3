// The byte carrier under an RpcClient (TCP or an SMB2 named pipe) and the frag_length framer both use.
import { ScannerError } from '../../errors.js';
import { decodeHeader, HEADER_SIZE } from './pdu.js';

/** Moves whole PDUs; one RpcClient owns a transport and calls it one PDU at a time. */
export interface RpcTransport {
  /** A name for messages (`ncacn_ip_tcp:198.18.0.30[49152]`). */
  readonly description: string;
  /** Largest fragment the carrier should be sent (the client also honours the bind's max_xmit_frag). */
  readonly maxFragment: number;
  /** Sends one PDU. Rejects with ScannerError on abort, timeout or a closed connection. */
  send(pdu: Buffer, signal: AbortSignal): Promise<void>;
  /** The next whole PDU from the peer (exactly frag_length bytes). */
  receive(signal: AbortSignal): Promise<Buffer>;
  /** Releases the connection or pipe; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Cuts a byte stream into PDUs by their frag_length. Holds at most one partial PDU (frag_length is
 * 16 bits, so at most 64 KiB) plus what the peer sent beyond it, capped at `maxBuffered`.
 */
export class PduFramer {
  #chunks: Buffer[] = [];
  #buffered = 0;
  readonly #maxBuffered: number;

  constructor(maxBuffered = 1 << 20) {
    this.#maxBuffered = maxBuffered;
  }

  get buffered(): number {
    return this.#buffered;
  }

  /** Adds bytes from the peer; throws ERR_PROTOCOL when the peer floods past the cap. */
  push(data: Buffer): void {
    this.#buffered += data.length;
    if (this.#buffered > this.#maxBuffered) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `peer sent more than ${this.#maxBuffered} unread bytes`,
      );
    }
    this.#chunks.push(data);
  }

  /** The next whole PDU, or null until enough bytes arrived; ERR_PROTOCOL on a bad header. */
  next(): Buffer | null {
    if (this.#buffered < HEADER_SIZE) return null;
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks = [all];
    const { fragLength } = decodeHeader(all);
    if (all.length < fragLength) return null;
    const pdu = Buffer.from(all.subarray(0, fragLength));
    const rest = all.subarray(fragLength);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return pdu;
  }
}
