// A vSphere client for a stored vCenter credential: its port, TLS policy and CA file. Used by
// `credentials test` and by scans alike.
import { readFile } from 'node:fs/promises';
import { ScannerError } from '../errors.js';
import { redactError } from '../transports/safe-errors.js';
import { VimClient } from '../transports/vsphere/vim-client.js';
import type { VcenterCredential } from '../vault/credential-types.js';

export interface VimClientLimits {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Largest answer accepted (a page of 250 VMs' properties runs to a few MiB). */
  maxResponseBytes?: number;
}

/** The client for `address` with the credential's port, TLS verification and CA file. */
export async function vimClientFor(
  credential: VcenterCredential,
  address: string,
  limits: VimClientLimits,
): Promise<VimClient> {
  let ca: string | undefined;
  if (credential.caFile) {
    try {
      ca = await readFile(credential.caFile, 'utf8');
    } catch (err) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `vcenter CA file ${credential.caFile} could not be read`,
        { cause: redactError(err, []) },
      );
    }
  }
  return new VimClient({
    address,
    port: credential.port,
    tlsVerify: credential.tlsVerify,
    ca,
    ...limits,
  });
}
