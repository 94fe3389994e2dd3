// Logging in to one SSH host with a stored credential: through its jump host when it has one,
// with each host's key checked (TOFU pins). Used by scans and by `credentials test` alike.
import { ScannerError } from '../errors.js';
import { openSsh, type HostKeyCheck, type SshSession } from '../transports/ssh/ssh-session.js';
import type { Credential, SshCredential, UnlockedCredential } from '../vault/credential-types.js';
import type { Vault } from '../vault/vault.js';
import type { Store } from '../store/index.js';

/** A jump host's login: its unlocked credential and the check for its key. */
export interface SshJumpLogin {
  unlocked: UnlockedCredential;
  hostKey?: HostKeyCheck;
}

export interface SshLoginOptions {
  signal: AbortSignal;
  /** Limit for the TCP connect (or the jump host's forward). */
  connectTimeoutMs: number;
  /** Limit for key exchange plus authentication, on each host. */
  authTimeoutMs: number;
  hostKey?: HostKeyCheck;
  /** Needed when the credential has a jump host. */
  jump?: SshJumpLogin;
}

/** A logged-in target; close() ends its session, then the jump host's. */
export interface SshLogin {
  session: SshSession;
  close(): Promise<void>;
}

/**
 * Logs in to `address` with `unlocked` (an SSH credential). With a jump host, logs in there
 * first and opens the target's TCP connection from it; a failure on the jump host keeps its
 * code and says so in the message. Rejects with the transport's ScannerErrors.
 */
export async function loginSsh(
  unlocked: UnlockedCredential,
  address: string,
  opts: SshLoginOptions,
): Promise<SshLogin> {
  const credential = unlocked.credential as SshCredential;
  const limits = {
    signal: opts.signal,
    connectTimeoutMs: opts.connectTimeoutMs,
    authTimeoutMs: opts.authTimeoutMs,
  };
  const jump = await openJump(credential, opts.jump, limits);
  try {
    const session = await openSsh(
      address,
      { credential, secrets: unlocked.secrets },
      {
        ...limits,
        ...(opts.hostKey ? { hostKey: opts.hostKey } : {}),
        ...(jump ? { via: jump } : {}),
      },
    );
    return {
      session,
      async close() {
        await session.close();
        await jump?.close();
      },
    };
  } catch (err) {
    await jump?.close();
    throw err;
  }
}

/**
 * The jump host login for `credential` when it has a jump host (its credential unlocked from
 * the vault, its key checked against the store's pins); `{}` otherwise, as an options spread.
 */
export function jumpLoginFor(
  vault: Vault,
  store: Store | undefined,
  credential: Credential,
): { jump?: SshJumpLogin } {
  if (credential.kind !== 'ssh' || !credential.jump) return {};
  const { address, port, credentialId } = credential.jump;
  if (!vault.list().some((c) => c.id === credentialId)) return {};
  return {
    jump: {
      unlocked: vault.unlock(credentialId),
      ...(store ? { hostKey: store.hostKeys.checkFor(address, port) } : {}),
    },
  };
}

async function openJump(
  credential: SshCredential,
  login: SshJumpLogin | undefined,
  limits: { signal: AbortSignal; connectTimeoutMs: number; authTimeoutMs: number },
): Promise<SshSession | undefined> {
  if (!credential.jump) return undefined;
  const where = `ssh jump host ${credential.jump.address}:${credential.jump.port}`;
  if (!login || login.unlocked.credential.kind !== 'ssh') {
    throw new ScannerError('ERR_CONFIG_INVALID', `${where}: its credential is not in the vault`);
  }
  try {
    return await openSsh(
      credential.jump.address,
      {
        credential: { ...login.unlocked.credential, port: credential.jump.port },
        secrets: login.unlocked.secrets,
      },
      { ...limits, ...(login.hostKey ? { hostKey: login.hostKey } : {}) },
    );
  } catch (err) {
    if (!(err instanceof ScannerError)) throw err;
    throw new ScannerError(err.code, `${where}: ${err.message}`, { cause: err });
  }
}
