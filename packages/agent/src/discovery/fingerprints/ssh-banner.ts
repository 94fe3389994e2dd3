// Reads an SSH server's identification line without authenticating (socket side; parsing is pure).
import { connect, type Socket } from 'node:net';
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';
import {
  DEFAULT_SSH_PREAMBLE_LIMITS,
  scanSshPreamble,
  type SshIdentification,
  type SshPreambleLimits,
} from './ssh-banner-parse.js';
import { armProbeDeadline } from './probe-deadline.js';

/**
 * What we send first. RFC 4253 §4.2 says both sides MUST send an identification line, some
 * embedded servers wait for the client's before sending theirs, and a named client shows up in
 * the server's log as the scanner rather than as an anonymous dropped connection.
 */
export const CLIENT_IDENTIFICATION = 'SSH-2.0-NopeSightScanner_0.1';

/** The server's identification line, and any lines it sent before it. */
export interface SshBanner extends SshIdentification {
  /** Lines sent before `SSH-` (RFC 4253 allows them), when there were any. */
  preamble?: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** How long a closing socket may wait for the peer's FIN before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * Connects, sends {@link CLIENT_IDENTIFICATION}, reads the server's identification line (at most
 * 8 KB and 20 lines before it), then closes with a FIN without starting key exchange.
 *
 * Errors: ERR_UNREACHABLE (refused, no route), ERR_TIMEOUT (connect or identification phase took
 * longer than `timeoutMs`), ERR_PROTOCOL (not SSH, too much text, closed early), ERR_ABORTED.
 *
 * @example
 * await readSshBanner('198.18.0.10', 22, { signal, timeoutMs: 5000 })
 * // → { banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', protoVersion: '2.0',
 * //     software: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u3' }
 */
export function readSshBanner(
  address: string,
  port: number,
  ctx: ProbeContext & { limits?: SshPreambleLimits },
): Promise<SshBanner> {
  const limits = ctx.limits ?? DEFAULT_SSH_PREAMBLE_LIMITS;
  const where = `${address}:${port}`;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new ScannerError('ERR_ABORTED', `ssh banner ${where}: aborted before connect`));
      return;
    }
    let phase: 'connect' | 'identification' = 'connect';
    let received: Buffer = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = connect({ host: address, port, noDelay: true });

    const finish = (err: ScannerError | null, value?: SshBanner): void => {
      if (settled) return;
      settled = true;
      disarm();
      socket.removeAllListeners('data');
      socket.pause();
      closeGently(socket, err !== null);
      if (err) reject(err);
      else resolve(value as SshBanner);
    };
    const disarm = armProbeDeadline(ctx, `ssh banner ${where}`, () => phase, finish);

    socket.once('connect', () => {
      phase = 'identification';
      socket.write(`${CLIENT_IDENTIFICATION}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      // Never keep more than the limit: a flooding peer costs at most maxBytes + one chunk.
      received = Buffer.concat([received, chunk]).subarray(0, limits.maxBytes);
      const scan = scanSshPreamble(received, limits);
      if (scan.kind === 'found') {
        const result: SshBanner = { ...scan.identification };
        if (scan.preamble.length > 0) result.preamble = scan.preamble;
        finish(null, result);
      } else if (scan.kind === 'invalid') {
        finish(new ScannerError('ERR_PROTOCOL', `ssh banner ${where}: ${scan.reason}`));
      }
    });
    socket.once('end', () =>
      finish(
        new ScannerError(
          'ERR_PROTOCOL',
          `ssh banner ${where}: closed by the server before an identification line` +
            describeReceived(received),
        ),
      ),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish(socketError(err, `ssh banner ${where}`, phase)),
    );
  });
}

/** Maps a socket error to a stable code; `phase` says how far the exchange got. */
function socketError(err: NodeJS.ErrnoException, what: string, phase: string): ScannerError {
  const unreachable = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL'];
  if (err.code && unreachable.includes(err.code)) {
    return new ScannerError('ERR_UNREACHABLE', `${what}: ${err.code} during ${phase}`, {
      cause: err,
    });
  }
  return new ScannerError('ERR_PROTOCOL', `${what}: ${err.code ?? err.message} during ${phase}`, {
    cause: err,
  });
}

/** A short, printable hint of what a non-SSH peer said (e.g. "Exceeded MaxStartups"). */
function describeReceived(received: Buffer): string {
  if (received.length === 0) return '';
  const text = received.subarray(0, 80).toString('latin1').replace(CONTROL_CHARACTERS, ' ');
  return ` (it sent: ${JSON.stringify(text.trim())})`;
}

/** FIN first so the server logs a clean close; destroy if the peer never answers it. */
function closeGently(socket: Socket, failed: boolean): void {
  socket.on('error', () => {}); // late resets after we are done are of no interest
  if (failed || socket.connecting) {
    socket.destroy();
    return;
  }
  socket.end();
  const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  grace.unref();
  socket.once('close', () => clearTimeout(grace));
}
