// WinRM message encryption over HTTP with NTLM (MS-WSMV 2.2.9.1.1), framed exactly as pywinrm:
// a two-part multipart/encrypted body whose second part is a 4-byte signature length, the
// 16-byte NTLM signature and the RC4-sealed SOAP message.
import { ScannerError } from '../../errors.js';
import type { NtlmSessionSecurity } from '../ntlm/ntlm-client.js';

export const ENCRYPTED_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
export const ENCRYPTED_CONTENT_TYPE = `multipart/encrypted;protocol="${ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"`;
const BOUNDARY = Buffer.from('--Encrypted Boundary', 'latin1');
const CRLF = '\r\n';
const OCTET_HEADER = Buffer.from(`\tContent-Type: application/octet-stream${CRLF}`, 'latin1');
/** Sealed messages larger than this are refused before decrypting. */
const MAX_MESSAGE = 64 * 1024 * 1024;

/** The HTTP body carrying `message` sealed with `security` (advances its client sequence). */
export function encryptMessage(security: NtlmSessionSecurity, message: Buffer): Buffer {
  const { ciphertext, signature } = security.seal(message, message);
  const len = Buffer.alloc(4);
  len.writeInt32LE(signature.length, 0);
  return Buffer.concat([
    BOUNDARY,
    Buffer.from(
      `${CRLF}\tContent-Type: ${ENCRYPTED_PROTOCOL}${CRLF}` +
        `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${message.length}${CRLF}`,
      'latin1',
    ),
    BOUNDARY,
    Buffer.from(CRLF, 'latin1'),
    OCTET_HEADER,
    len,
    signature,
    ciphertext,
    BOUNDARY,
    Buffer.from(`--${CRLF}`, 'latin1'),
  ]);
}

function bad(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `WinRM encrypted message: ${what}`);
}

/**
 * The SOAP message inside an encrypted HTTP body from the server: checks the framing, the
 * stated length and the server's signature (ERR_PROTOCOL on any mismatch).
 */
export function decryptMessage(security: NtlmSessionSecurity, body: Buffer): Buffer {
  const sep = Buffer.concat([BOUNDARY, Buffer.from(CRLF, 'latin1')]);
  if (!body.subarray(0, sep.length).equals(sep)) throw bad('does not start with the boundary');
  const second = body.indexOf(sep, sep.length);
  if (second < 0) throw bad('no second part');
  const header = body.toString('latin1', sep.length, second);
  if (!header.includes(`Content-Type: ${ENCRYPTED_PROTOCOL}`))
    throw bad('first part is not SPNEGO-encrypted');
  const m = /Length=(\d{1,10})/.exec(header);
  if (!m) throw bad('no OriginalContent length');
  const expected = Number(m[1]);
  if (expected > MAX_MESSAGE) throw bad(`stated length ${expected} too large`);
  let p = second + sep.length;
  if (!body.subarray(p, p + OCTET_HEADER.length).equals(OCTET_HEADER))
    throw bad('second part is not octet-stream');
  p += OCTET_HEADER.length;
  const end = Buffer.concat([BOUNDARY, Buffer.from(`--${CRLF}`, 'latin1')]);
  if (!body.subarray(body.length - end.length).equals(end)) throw bad('no closing boundary');
  const stream = body.subarray(p, body.length - end.length);
  if (stream.length < 4) throw bad('truncated');
  const sigLen = stream.readInt32LE(0);
  if (sigLen !== 16 || stream.length < 4 + sigLen) throw bad(`signature length ${sigLen}`);
  const signature = stream.subarray(4, 4 + sigLen);
  const ciphertext = stream.subarray(4 + sigLen);
  if (ciphertext.length !== expected) {
    throw bad(`length ${ciphertext.length} differs from the stated ${expected}`);
  }
  return security.unseal(ciphertext, (plain) => plain, signature);
}
