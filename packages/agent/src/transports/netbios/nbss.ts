// NetBIOS session service framing (RFC 1002 §4.3) and the direct-TCP SMB framing that reuses it.
import { ScannerError } from '../../errors.js';
import { encodeNetbiosName } from './netbios-name.js';

export const NBSS_TYPE = {
  sessionMessage: 0x00,
  sessionRequest: 0x81,
  positiveResponse: 0x82,
  negativeResponse: 0x83,
  retargetResponse: 0x84,
  keepAlive: 0x85,
} as const;

/** Reasons in a NEGATIVE SESSION RESPONSE (RFC 1002 §4.3.4). */
export const NBSS_NEGATIVE_REASON: Record<number, string> = {
  0x80: 'not listening on called name',
  0x81: 'not listening for calling name',
  0x82: 'called name not present',
  0x83: 'called name present, but insufficient resources',
  0x8f: 'unspecified error',
};

export interface NbssPacket {
  type: number;
  payload: Buffer;
}

/**
 * Frames an SMB message for port 445 (MS-SMB2 §2.1: a zero byte and a 24-bit length) or for a
 * NetBIOS session message on 139 (same layout; RFC 1002 allows 17 bits, Samba and Windows 24).
 */
export function frameSessionMessage(payload: Buffer): Buffer {
  if (payload.length > 0xffffff) throw new RangeError('SMB message over 16 MiB');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** A SESSION REQUEST calling `called` (type suffix 0x20, server) from `calling` (0x00). */
export function buildSessionRequest(called: string, calling: string): Buffer {
  const names = Buffer.concat([encodeNetbiosName(called, 0x20), encodeNetbiosName(calling, 0x00)]);
  const head = Buffer.from([NBSS_TYPE.sessionRequest, 0, 0, 0]);
  head.writeUInt16BE(names.length, 2);
  return Buffer.concat([head, names]);
}

/**
 * Incremental reader of NBSS packets from a TCP stream. Holds at most one packet plus its
 * header; a length over `maxPacket` is ERR_PROTOCOL before any of its bytes are buffered.
 */
export class NbssReader {
  readonly #maxPacket: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxPacket: number) {
    this.#maxPacket = maxPacket;
  }

  /** Adds bytes; returns the packets now complete (bounded by what arrived). */
  push(data: Buffer): NbssPacket[] {
    this.#chunks.push(data);
    this.#buffered += data.length;
    const out: NbssPacket[] = [];
    while (this.#buffered >= 4) {
      const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      this.#chunks = [all];
      const type = all[0]!;
      // Session messages use 24 bits of length; the other packet types 17 (flags bit 0 + 16).
      const len =
        type === NBSS_TYPE.sessionMessage
          ? all.readUInt32BE(0) & 0xffffff
          : ((all[1]! & 1) << 16) | all.readUInt16BE(2);
      if (!Object.values(NBSS_TYPE).includes(type as never)) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `NetBIOS session packet type 0x${type.toString(16)}`,
        );
      }
      if (len > this.#maxPacket) {
        throw new ScannerError(
          'ERR_PROTOCOL',
          `SMB frame of ${len} bytes exceeds the ${this.#maxPacket}-byte limit`,
        );
      }
      if (all.length < 4 + len) break;
      out.push({ type, payload: Buffer.from(all.subarray(4, 4 + len)) });
      const rest = all.subarray(4 + len);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#buffered = rest.length;
    }
    return out;
  }
}
