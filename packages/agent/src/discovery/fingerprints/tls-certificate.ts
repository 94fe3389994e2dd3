// Reads the certificate a TLS port presents, without verifying it and without sending anything else.
import { connect, type TLSSocket } from 'node:tls';
import type { TlsFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';
import { probeSocketError, probeTlsOptions } from './http-probe-request.js';
import { tlsFactsFromCertificate } from './tls-certificate-parse.js';
import { armProbeDeadline } from './probe-deadline.js';

/** How long a closing socket may wait for the peer's close before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * Completes a TLS handshake and records the peer's leaf certificate. Verification is off on this
 * probe connection only (see probeTlsOptions): nothing secret is sent, the certificate is a fact
 * to record, and self-signed ones are the rule on management ports. The connection is closed
 * with close_notify right after the handshake; no application data is sent.
 *
 * Errors: ERR_UNREACHABLE, ERR_TIMEOUT (connect or tls handshake phase), ERR_PROTOCOL (not TLS,
 * e.g. a plain HTTP server; no certificate), ERR_ABORTED.
 *
 * @example
 * await readTlsCertificate('198.18.0.40', 443, {}, { signal, timeoutMs: 5000 })
 * // → { subject: 'O=Acme Co', issuer: 'O=Acme Co', subjectAltNames: ['DNS:example.com', …],
 * //     validFrom: '1970-01-01T00:00:00.000Z', …, selfSigned: true, protocol: 'TLSv1.3' }
 */
export function readTlsCertificate(
  address: string,
  port: number,
  options: { serverName?: string },
  ctx: ProbeContext,
): Promise<TlsFacts> {
  const what = `tls certificate ${address}:${port}`;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) {
      reject(new ScannerError('ERR_ABORTED', `${what}: aborted before connect`));
      return;
    }
    let phase = 'connect';
    let settled = false;
    const socket: TLSSocket = connect(probeTlsOptions(address, port, options.serverName));

    const finish = (err: ScannerError | null, facts?: TlsFacts): void => {
      if (settled) return;
      settled = true;
      disarm();
      socket.on('error', () => {}); // late errors after we are done are of no interest
      if (err) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.end(); // close_notify, then FIN
      const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      grace.unref();
      socket.once('close', () => clearTimeout(grace));
      resolve(facts as TlsFacts);
    };
    const disarm = armProbeDeadline(ctx, what, () => phase, finish);

    socket.once('connect', () => (phase = 'tls handshake'));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) {
        finish(new ScannerError('ERR_PROTOCOL', `${what}: the server presented no certificate`));
        return;
      }
      try {
        finish(null, tlsFactsFromCertificate(cert, socket.getProtocol()));
      } catch (err) {
        finish(new ScannerError('ERR_PROTOCOL', `${what}: unreadable certificate`, { cause: err }));
      }
    });
    // Anything the server sends after the handshake is ignored; a flood cannot accumulate.
    socket.on('data', () => {});
    socket.once('end', () =>
      finish(new ScannerError('ERR_PROTOCOL', `${what}: closed by the server during ${phase}`)),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish(probeSocketError(err, what, phase)),
    );
  });
}
