// tls-server-end-point channel bindings (RFC 5929) as NTLM's MsvAvChannelBindings wants them.
import { createHash } from 'node:crypto';

/** DER of signature-algorithm OIDs whose hash is not SHA-256 (RFC 5929 §4.1: MD5/SHA-1 → SHA-256). */
const HASH_BY_OID: Array<[Buffer, string]> = [
  [Buffer.from('06092a864886f70d01010c', 'hex'), 'sha384'], // sha384WithRSAEncryption
  [Buffer.from('06092a864886f70d01010d', 'hex'), 'sha512'], // sha512WithRSAEncryption
  [Buffer.from('06082a8648ce3d040303', 'hex'), 'sha384'], // ecdsa-with-SHA384
  [Buffer.from('06082a8648ce3d040304', 'hex'), 'sha512'], // ecdsa-with-SHA512
];

/** The certificate's tls-server-end-point hash: its signature hash, SHA-256 for MD5/SHA-1/SHA-256. */
export function tlsServerEndPoint(certDer: Buffer): Buffer {
  const alg = HASH_BY_OID.find(([oid]) => certDer.includes(oid))?.[1] ?? 'sha256';
  return createHash(alg).update(certDer).digest();
}

/** MD5 of gss_channel_bindings_struct with only application data: what NTLM carries (16 bytes). */
export function ntlmChannelBindings(certDer: Buffer): Buffer {
  const app = Buffer.concat([
    Buffer.from('tls-server-end-point:', 'latin1'),
    tlsServerEndPoint(certDer),
  ]);
  const head = Buffer.alloc(20);
  head.writeUInt32LE(app.length, 16);
  return createHash('md5').update(head).update(app).digest();
}
