// An SMB2 session for a stored Windows credential: connect to 445, NTLMv2 login (signed), IPC$.
// Used by `credentials test` and by scans alike.
import { ScannerError } from '../errors.js';
import { Smb2Client, type Smb2Tree } from '../transports/smb2/smb2-client.js';
import type { NtlmCredentials } from '../transports/ntlm/ntlm-client.js';
import type { UnlockedCredential, WindowsCredential } from '../vault/credential-types.js';

export interface WindowsLogin {
  client: Smb2Client;
  ipc: Smb2Tree;
  close(): Promise<void>;
}

export interface WindowsLoginOptions {
  signal: AbortSignal;
  /** Limit for the TCP connect and for each SMB2 exchange of the login. */
  timeoutMs: number;
  port?: number;
}

/**
 * The NTLM account of a windows credential (`.` = the target's local accounts: an empty NTLM
 * domain), for every Windows path. ERR_CONFIG_INVALID when it has no password.
 */
export function windowsAccount(unlocked: UnlockedCredential): NtlmCredentials {
  const credential = unlocked.credential as WindowsCredential;
  if (!unlocked.secrets.password)
    throw new ScannerError('ERR_CONFIG_INVALID', 'windows credential has no password');
  return {
    username: credential.username,
    domain: credential.domain === '.' ? '' : credential.domain,
    password: unlocked.secrets.password,
  };
}

/**
 * Logs in over SMB2 with the credential (`.` = the target's local accounts: an empty NTLM domain)
 * and connects IPC$. ERR_PORT_CLOSED when 445 refuses, ERR_AUTH_FAILED on a logon failure.
 */
export async function loginWindows(
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsLoginOptions,
): Promise<WindowsLogin> {
  const account = windowsAccount(unlocked);
  const call = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  const client = await Smb2Client.connect(address, opts.port ?? 445, call);
  try {
    await client.login(account, { call });
    const ipc = await client.treeConnect('IPC$', call);
    return {
      client,
      ipc,
      async close() {
        const bye = { signal: AbortSignal.timeout(opts.timeoutMs), timeoutMs: opts.timeoutMs };
        await ipc.disconnect(bye).catch(() => undefined);
        await client.logoff(bye).catch(() => undefined);
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw err;
  }
}
