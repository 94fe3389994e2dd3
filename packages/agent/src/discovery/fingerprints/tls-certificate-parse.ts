// Pure conversion of a peer certificate (node:crypto X509Certificate) into the model's TlsFacts.
import type { X509Certificate } from 'node:crypto';
import type { TlsFacts } from '@nopesight/model';

/**
 * The facts recorded for a certificate. `subjectAltNames` keep their type as a prefix (`DNS:`,
 * `IP:`, `email:`, `URI:`) so consumers can pick host names without guessing.
 *
 * @example
 * tlsFactsFromCertificate(new X509Certificate(pem), 'TLSv1.3')
 * // → { subject: 'CN=vcsa.lab.example,O=Acme\\, Inc.,C=US', selfSigned: true, … }
 */
export function tlsFactsFromCertificate(cert: X509Certificate, protocol?: string | null): TlsFacts {
  const facts: TlsFacts = {
    subject: rfc4514Name(cert.subject),
    issuer: rfc4514Name(cert.issuer),
    subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
    validFrom: isoDate(cert.validFrom),
    validTo: isoDate(cert.validTo),
    fingerprintSha256: cert.fingerprint256,
    selfSigned: isSelfSigned(cert),
  };
  if (protocol) facts.protocol = protocol;
  return facts;
}

/**
 * Node prints names one RDN per line, most significant first (`C=US\nO=Acme\, Inc.\nCN=x`),
 * values already escaped as RFC 2253 asks and multi-valued RDNs joined by ` + `. RFC 4514 wants
 * the reverse order, comma-separated, with `+` inside an RDN.
 */
export function rfc4514Name(nodeName: string | undefined): string {
  if (!nodeName) return '';
  return nodeName
    .split('\n')
    .filter((rdn) => rdn !== '')
    .map((rdn) => rdn.split(' + ').join('+'))
    .reverse()
    .join(',');
}

/**
 * Splits node's `subjectAltName` text (`DNS:a, IP Address:1.2.3.4, email:x`). Values holding a
 * comma or quote are JSON-quoted by node (since 17.3.1/16.13.2), so split outside quotes only.
 */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  let i = 0;
  // Bounded: each round consumes at least one character.
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon === -1) break;
    const type = text.slice(i, colon).trim();
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const quoted = text.slice(colon + 1, j + 1);
      try {
        value = JSON.parse(quoted) as string;
      } catch {
        value = quoted.slice(1, -1);
      }
      next = text.indexOf(', ', j + 1);
    } else {
      next = text.indexOf(', ', colon + 1);
      value = text.slice(colon + 1, next === -1 ? undefined : next);
    }
    names.push(`${type === 'IP Address' ? 'IP' : type}:${value}`);
    if (next === -1) break;
    i = next + 2;
  }
  return names;
}

/** `Nov 29 07:43:47 2026 GMT` → `2026-11-29T07:43:47.000Z`; the input itself if it does not parse. */
export function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

/** Issued by itself and signed by its own key (a name match alone is not enough). */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(cert) && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}
