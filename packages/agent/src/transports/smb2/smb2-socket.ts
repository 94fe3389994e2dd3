// The TCP side shared by SmbConnection (request/response, the fingerprint) and Smb2Transport
// (multiplexed, the client): call limits, connecting with its error codes, reporting a dropped
// socket, and the NetBIOS session request on port 139.
import { Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import {
  NBSS_NEGATIVE_REASON,
  NBSS_TYPE,
  buildSessionRequest,
  type NbssPacket,
} from '../netbios/nbss.js';

export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

export interface SmbConnectOptions extends CallOptions {
  /** Open a NetBIOS session first (port 139): the called name is usually '*SMBSERVER'. */
  netbiosSession?: NetbiosSessionNames;
  /** Largest frame accepted from the server (each connection kind has its own default). */
  maxFrameBytes?: number;
  /** Most bytes read over the connection's life (SmbConnection only). Default 1 MiB. */
  maxTotalBytes?: number;
}

export interface NetbiosSessionNames {
  calledName: string;
  callingName: string;
}

export function unreachable(code: string | undefined): boolean {
  return ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ECONNRESET'].includes(
    code ?? '',
  );
}

/**
 * Opens a TCP connection to host:port within `o`. Rejects ERR_PORT_CLOSED on refusal,
 * ERR_UNREACHABLE without a route, ERR_TIMEOUT / ERR_ABORTED per `o`; the socket is destroyed
 * on any failure. `label` (`smb host:port`) is what later errors are named by.
 */
export async function connectSmbSocket(
  host: string,
  port: number,
  o: CallOptions,
): Promise<{ socket: Socket; label: string }> {
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
  return { socket, label };
}

/** Hands a socket error or the server's hang-up to `fail` as ERR_PROTOCOL naming `label`. */
export function reportSocketEnd(
  socket: Socket,
  label: string,
  fail: (err: ScannerError) => void,
): void {
  socket.on('error', (err) =>
    fail(new ScannerError('ERR_PROTOCOL', `${label}: ${err.message}`, { cause: err })),
  );
  socket.on('close', () =>
    fail(new ScannerError('ERR_PROTOCOL', `${label}: connection closed by the server`)),
  );
}

/**
 * Sends a NetBIOS SESSION REQUEST and reads the answer through `nextPacket` (which applies the
 * call limits). ERR_PROTOCOL, with the RFC 1002 reason, unless it is a POSITIVE SESSION
 * RESPONSE; the socket is destroyed on any failure.
 */
export async function openNetbiosSession(
  socket: Socket,
  label: string,
  names: NetbiosSessionNames,
  nextPacket: () => Promise<NbssPacket>,
): Promise<void> {
  try {
    socket.write(buildSessionRequest(names.calledName, names.callingName));
    const reply = await nextPacket();
    if (reply.type === NBSS_TYPE.positiveResponse) return;
    if (reply.type === NBSS_TYPE.negativeResponse) {
      const code = reply.payload[0] ?? 0;
      throw new ScannerError(
        'ERR_PROTOCOL',
        `${label}: NetBIOS session refused for ${names.calledName}: ${NBSS_NEGATIVE_REASON[code] ?? `code 0x${code.toString(16)}`}`,
      );
    }
    throw new ScannerError(
      'ERR_PROTOCOL',
      `${label}: NetBIOS session request answered with type 0x${reply.type.toString(16)}`,
    );
  } catch (err) {
    socket.destroy();
    throw err;
  }
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
