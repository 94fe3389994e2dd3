// Which server certificates WinRM over HTTPS accepts, and the TLS connection that checks it before
// a request byte is written: a CA bundle (or the system CAs) with the address, or one of the
// host's forward-confirmed DNS names, in the certificate; or pinned SHA-256 fingerprints (that
// certificate alone; chain and names are not checked).
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import { ScannerError } from '../../errors.js';

/** What a credential trusts on WinRM HTTPS endpoints; empty: the system CAs. */
export interface WinrmTlsTrust {
  /** PEM bundle of CA certificates; replaces the system CAs for this endpoint. */
  ca?: string;
  /**
   * `SHA256:AA:BB:…` fingerprints (as normaliseCertFingerprint makes them). When given the
   * server certificate must be one of them, and its chain and names are not checked: the pin is
   * the trust (targets are addressed by IP, which certificates rarely name).
   */
  fingerprints?: readonly string[];
  /**
   * CA and system trust: the host's DNS names that were forward-confirmed (a PTR name of the
   * address whose A/AAAA records include the address, or the name the user gave that resolved
   * to it). The certificate may name one of them instead of the address. Never NetBIOS or SNMP
   * names, nor a PTR name alone: whoever runs the reverse zone could claim any name.
   */
  names?: readonly string[];
  /** Names seen but not forward-confirmed, with why: only listed when a certificate is refused. */
  unconfirmedNames?: readonly { name: string; reason: string }[];
}

/** What the server's certificate was and why it was accepted, for `credentials test`. */
export interface TlsCertificateFacts {
  subject: string;
  issuer: string;
  /** `SHA256:AA:BB:…` */
  fingerprint: string;
  validTo: string;
  /** TLS version (TLSv1.2, TLSv1.3). */
  protocol: string;
  trust: 'pinned' | 'ca' | 'system';
  /** CA and system trust: what the certificate was accepted for, the address or a DNS name. */
  name?: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** Largest CA bundle a credential holds (the Mozilla bundle is ~220 KB). */
export const MAX_CA_BUNDLE_BYTES = 512 * 1024;

/**
 * The certificates of a PEM bundle, each checked to parse; throws an Error saying what is wrong
 * (no certificate, one that does not parse, too large).
 * @example parseCertificateBundle(readFileSync('corp-ca.pem', 'utf8')).length // 2
 */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  if (Buffer.byteLength(pem, 'utf8') > MAX_CA_BUNDLE_BYTES)
    throw new Error(`larger than ${MAX_CA_BUNDLE_BYTES / 1024} KiB`);
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0)
    throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new Error(`certificate #${i + 1} does not parse (${(err as Error).message})`);
    }
  });
}

/** The bundle's certificate blocks alone, one per line group (what a credential stores). */
export function canonicalBundle(pem: string): string {
  return `${(pem.match(PEM_CERT) ?? []).join('\n')}\n`;
}

/** `SHA256:AA:BB:…` of a DER certificate. */
export function certFingerprint(der: Buffer): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return `SHA256:${hex.match(/../g)!.join(':')}`;
}

/**
 * A SHA-256 fingerprint as the user may paste it (`SHA256:54:7B:…`, `54:7b:…`, 64 hex digits,
 * spaces allowed) in the one form compared: `SHA256:54:7B:…`. Throws an Error saying why not,
 * naming a SHA-1 thumbprint (what Windows shows) as such.
 */
export function normaliseCertFingerprint(text: string): string {
  const raw = text.trim().replace(/^sha-?256[:=]\s*/i, '');
  const hex = raw.replace(/[\s:]/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex)) {
    throw new Error(
      `'${text}' is not a hexadecimal SHA-256 fingerprint (like SHA256:54:7B:8A:…, 32 bytes)`,
    );
  }
  if (hex.length === 40) {
    throw new Error(
      `'${text}' is a SHA-1 thumbprint (20 bytes, what Windows shows); give the SHA-256 fingerprint ` +
        '(32 bytes): a failed connection names it, or run openssl x509 -noout -fingerprint -sha256',
    );
  }
  if (hex.length !== 64)
    throw new Error(`'${text}' is not a SHA-256 fingerprint (32 bytes, 64 hex digits)`);
  return `SHA256:${hex.toUpperCase().match(/../g)!.join(':')}`;
}

/** Subject or issuer on one line (`CN=a, O=b`). */
function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ') || '(empty)';
}

function describe(cert: X509Certificate): string {
  const names = cert.subjectAltName ? `, names ${cert.subjectAltName}` : '';
  return `subject ${dn(cert.subject)}, issuer ${dn(cert.issuer)}${names}, valid to ${cert.validTo}, fingerprint ${certFingerprint(cert.raw)}`;
}

/** The DNS names a name mismatch was also checked against, and those that could not be. */
function namesTried(trust: WinrmTlsTrust): string {
  if (trust.names === undefined && trust.unconfirmedNames === undefined) return '';
  const confirmed = trust.names ?? [];
  const unconfirmed = trust.unconfirmedNames ?? [];
  let text = '';
  if (confirmed.length > 0) text += ` nor its forward-confirmed DNS name ${confirmed.join(', ')}`;
  if (unconfirmed.length > 0) {
    const list = unconfirmed.map((u) => `${u.name} (${u.reason})`).join(', ');
    text += `; not tried, as not forward-confirmed: ${list}`;
  }
  if (confirmed.length === 0 && unconfirmed.length === 0) text += ' (no DNS name of it is known)';
  return text;
}

/** Why OpenSSL or Node refused a certificate, in words. */
function reasonFor(code: string, host: string, trust: WinrmTlsTrust): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return 'its issuer is not a trusted CA';
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `it does not name ${host}${namesTried(trust)}`;
    default:
      return `it does not verify (${code})`;
  }
}

/**
 * Accepts the connected socket's certificate under `trust`, or returns the ERR_TLS_UNTRUSTED that
 * says what the certificate is and which credential option would trust it.
 */
export function judgeCertificate(
  socket: TLSSocket,
  host: string,
  port: number,
  trust: WinrmTlsTrust,
): { facts: TlsCertificateFacts } | { error: ScannerError } {
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) {
    return {
      error: new ScannerError(
        'ERR_TLS_UNTRUSTED',
        `WinRM TLS: ${host}:${port} sent no certificate`,
      ),
    };
  }
  const cert = new X509Certificate(peer.raw);
  const fingerprint = certFingerprint(cert.raw);
  const facts = (
    kind: TlsCertificateFacts['trust'],
    name?: string,
  ): { facts: TlsCertificateFacts } => ({
    facts: {
      subject: dn(cert.subject),
      issuer: dn(cert.issuer),
      fingerprint,
      validTo: cert.validTo,
      protocol: socket.getProtocol() ?? '',
      trust: kind,
      ...(name ? { name } : {}),
    },
  });
  const where = `${host}:${port}`;
  if (trust.fingerprints && trust.fingerprints.length > 0) {
    if (trust.fingerprints.includes(fingerprint)) return facts('pinned');
    return {
      error: new ScannerError(
        'ERR_TLS_UNTRUSTED',
        `WinRM TLS: the certificate of ${where} (${describe(cert)}) is not the one the credential ` +
          `pins (${trust.fingerprints.join(', ')}); refused before sending anything. If the host ` +
          'got a new certificate and you have checked it, pin it with --winrm-cert-fingerprint',
      ),
    };
  }
  // The chain (against `ca` or the system CAs) by Node's verdict at the handshake; the name here,
  // always (a resumed session skips Node's check): the address, else a confirmed DNS name.
  let code = socket.authorized ? '' : String(socket.authorizationError ?? 'UNKNOWN');
  // A socket opened with Node's own name check: its verdict on the one name, redone below.
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') code = '';
  let name: string | undefined;
  if (!code) {
    name = [host, ...(trust.names ?? [])].find((n) => !checkServerIdentity(n, peer));
    if (!name) code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  }
  if (!code) return facts(trust.ca ? 'ca' : 'system', name);
  const against = trust.ca ? "the credential's CA bundle (--winrm-ca)" : 'the system CAs';
  return {
    error: new ScannerError(
      'ERR_TLS_UNTRUSTED',
      `WinRM TLS: the certificate of ${where} is not trusted against ${against}: ` +
        `${reasonFor(code, host, trust)} (${describe(cert)}). After checking it is the host's, pin it ` +
        `on the credential with --winrm-cert-fingerprint ${fingerprint}` +
        (trust.ca ? '' : ', or trust its CA with --winrm-ca FILE'),
    ),
  };
}

function sniName(o: TrustedConnectOptions): string | undefined {
  if (isIP(o.host) === 0) return o.host;
  return o.trust.fingerprints?.length ? undefined : o.trust.names?.[0];
}

export interface TrustedConnectOptions {
  host: string;
  port: number;
  trust: WinrmTlsTrust;
  /** TCP connect and TLS handshake together. */
  timeoutMs: number;
}

/**
 * Opens a TLS connection and hands it over only once its certificate is accepted (so no byte of
 * a request, a Basic password least of all, ever goes to an untrusted server). `done` is called
 * once: with the socket and facts, or with an error (ERR_TLS_UNTRUSTED, ERR_TIMEOUT, or the
 * socket's own). Returns the pending socket so a caller can destroy it on close.
 */
export function connectTrusted(
  o: TrustedConnectOptions,
  done: (err: Error | null, socket?: TLSSocket, facts?: TlsCertificateFacts) => void,
): TLSSocket {
  const socket = connect({
    host: o.host,
    port: o.port,
    // Judged below: the chain by Node's verdict (socket.authorized), the names there (the address
    // or a confirmed DNS name), so Node's own single-name check is turned off.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ...(o.trust.ca ? { ca: o.trust.ca } : {}),
    // SNI: the name a client connecting by name would send (a listener may pick its certificate
    // by it); none for a bare address, which SNI cannot carry.
    ...(sniName(o) ? { servername: sniName(o) } : {}),
  });
  let finished = false;
  const finish = (err: Error | null, facts?: TlsCertificateFacts) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('error', onError);
    if (err) {
      socket.destroy();
      done(err);
    } else done(null, socket, facts);
  };
  const onError = (err: Error) => finish(err);
  const timer = setTimeout(
    () =>
      finish(
        new ScannerError(
          'ERR_TIMEOUT',
          `WinRM connect (TCP and TLS handshake) timed out after ${o.timeoutMs} ms`,
        ),
      ),
    o.timeoutMs,
  );
  socket.on('error', onError);
  socket.once('secureConnect', () => {
    const verdict = judgeCertificate(socket, o.host, o.port, o.trust);
    if ('error' in verdict) finish(verdict.error);
    else finish(null, verdict.facts);
  });
  return socket;
}
