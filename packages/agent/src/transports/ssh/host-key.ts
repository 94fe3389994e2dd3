// The server host key as OpenSSH names it: key type and SHA256 fingerprint, for TOFU pinning later.
import { createHash } from 'node:crypto';

export interface HostKeyFacts {
  /** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -lf` prints it. */
  fingerprintSha256: string;
  /** The blob's algorithm name: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`… */
  keyType: string;
}

/** Facts of an SSH public key blob (RFC 4253 §6.6: string type, then type-specific fields). */
export function hostKeyFacts(blob: Buffer): HostKeyFacts {
  const digest = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  let keyType = 'unknown';
  if (blob.length >= 4) {
    const len = blob.readUInt32BE(0);
    if (len > 0 && len <= 64 && blob.length >= 4 + len) {
      keyType = blob.subarray(4, 4 + len).toString('latin1');
    }
  }
  return { fingerprintSha256: `SHA256:${digest}`, keyType };
}
