// How the agent opens a TLS connection to the platform, for the HTTPS API (an https.Agent's
// createConnection) and the WSS control channel (ws's createConnection): the system CAs plus the
// integration's CA file, verification off only by explicit choice and then logged on every
// connection, and HTTPS_PROXY through the CONNECT tunnel of proxy.ts.
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, rootCertificates, type ConnectionOptions } from 'node:tls';
import type { Logger } from '../log/logger.js';
import { describeProxy, openTunnel, proxyFor } from './proxy.js';

export interface PlatformTlsOptions {
  /** False only by the user's explicit choice; each new connection is then logged. */
  tlsVerify: boolean;
  /** Extra CA certificates (PEM text) trusted besides the system's. */
  ca?: string | undefined;
  /** Where HTTPS_PROXY and NO_PROXY are read. */
  env?: NodeJS.ProcessEnv | undefined;
  /** integrations.log */
  log?: Logger | undefined;
  /** Limit for opening the proxy tunnel. */
  timeoutMs: number;
}

/** OpenSSL's verification failures: the certificate, not the network, is the problem. */
export const TLS_VERIFY_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/;

/** Node's asynchronous createConnection: returns the socket, or hands it to the callback later. */
export type CreateConnection = (
  options: ConnectionOptions,
  callback: (err: Error | null, socket?: Socket) => void,
) => Socket | undefined;

/** The TLS options every platform connection uses. */
export function platformTls(opts: Pick<PlatformTlsOptions, 'tlsVerify' | 'ca'>): ConnectionOptions {
  return {
    rejectUnauthorized: opts.tlsVerify,
    ...(opts.ca ? { ca: [...rootCertificates, opts.ca] } : {}),
  };
}

/**
 * A createConnection for TLS connections to `target` (https: or wss:): direct, or inside a
 * CONNECT tunnel when HTTPS_PROXY applies to it; TLS runs end to end with the platform.
 */
export function platformConnector(target: URL, opts: PlatformTlsOptions): CreateConnection {
  const proxy = proxyFor(target, opts.env ?? process.env);
  const tls = platformTls(opts);
  const connectTls = (options: ConnectionOptions, socket?: Socket) => {
    if (!opts.tlsVerify) {
      opts.log?.warn('TLS verification is off: connecting without checking the certificate', {
        host: options.host,
        port: options.port,
      });
    }
    const host = String(options.host ?? target.hostname).replace(/^\[|\]$/g, '');
    // SNI carries a name, never an address (ws leaves servername to its own connector).
    const servername = options.servername ?? (isIP(host) ? undefined : host);
    return tlsConnect({
      ...options,
      ...tls,
      ...(servername ? { servername } : {}),
      ...(socket ? { socket } : {}),
    });
  };
  return (options, callback) => {
    if (!proxy) return connectTls(options);
    opts.log?.debug('connecting through proxy', { proxy: describeProxy(proxy) });
    openTunnel(proxy, String(options.host), Number(options.port), {
      timeoutMs: opts.timeoutMs,
    }).then(
      (raw) => callback(null, connectTls(options, raw)),
      (err: Error) => callback(err),
    );
    return undefined;
  };
}
