// One host over SSH in a scan: log in once (host key checked against the store's pins, through
// the jump host when the credential has one), then collect the inventory over that same
// connection, so a host costs one SSH connection and one exec channel.
import type { CiType } from '@nopesight/model';
import type { Logger } from '../log/logger.js';
import { collectSshInventory, type SshCi } from '../collectors/ssh/index.js';
import type { HostKeyCheck } from '../transports/ssh/ssh-session.js';
import { loginSsh, type SshJumpLogin, type SshLogin } from './ssh-login.js';
import type { SshCredential, UnlockedCredential } from '../vault/credential-types.js';
import { failedLogin, protocolAttempt } from './credential-check.js';
import type { CollectOutcome } from './run-scan.js';

export interface SshHostOptions {
  signal: AbortSignal;
  /** Limit for the TCP connect, and separately for key exchange plus authentication. */
  loginTimeoutMs: number;
  /** Budget for the inventory once logged in (one script over one exec channel). */
  collectTimeoutMs: number;
  hostKey?: HostKeyCheck;
  /** For a credential with a jump host: the credential that logs in to it, and its key check. */
  jump?: SshJumpLogin;
  log: Logger;
}

/**
 * Logs in with `unlocked` and, when that works, collects the inventory on the same session.
 * A failed login is the attempt's status (unauthorized, no_access, timeout…); a collection
 * that breaks after the login keeps the success and whatever sections it marked.
 */
export async function collectSshHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: SshHostOptions,
): Promise<CollectOutcome> {
  const credential = unlocked.credential as SshCredential;
  const started = performance.now();
  let login: SshLogin;
  try {
    login = await loginSsh(unlocked, address, {
      signal: opts.signal,
      connectTimeoutMs: opts.loginTimeoutMs,
      authTimeoutMs: opts.loginTimeoutMs,
      ...(opts.hostKey ? { hostKey: opts.hostKey } : {}),
      ...(opts.jump ? { jump: opts.jump } : {}),
    });
  } catch (err) {
    return failedLogin(unlocked, started, err);
  }
  try {
    const c = await collectSshInventory(login.session, {
      signal: opts.signal,
      timeoutMs: opts.collectTimeoutMs,
      sudo: credential.sudo,
      ...(credential.sudo === 'password'
        ? { sudoPassword: unlocked.secrets.sudoPassword ?? unlocked.secrets.password }
        : {}),
    });
    if (c.error) opts.log.warn('ssh inventory incomplete', { target: address, error: c.error });
    const type = sshCiType(c.ci);
    return {
      attempt: protocolAttempt(unlocked, started, null),
      inventory: {
        ci: c.ci as unknown as Record<string, unknown>,
        type,
        sections: c.sections,
        relationships: c.relationships,
        hostnames: c.hostnames,
      },
    };
  } finally {
    await login.close();
  }
}

/**
 * What a logged-in look shows the host to be, which beats the port-based guess: a VM (by the
 * virtualization facts), a Mac (a workstation), else a server. A container stays a server and
 * says so in the reason.
 */
export function sshCiType(ci: SshCi): { type: CiType; reason: string } {
  const v = ci.virtualization;
  const os = ci.os.name ?? ci.os.family;
  if (v?.role === 'virtual_machine') {
    return {
      type: 'virtual_machine',
      reason: `ssh: ${os} virtual machine${v.hypervisor ? ` on ${v.hypervisor}` : ''} (${v.evidence.slice(0, 2).join('; ')})`,
    };
  }
  if (ci.os.family === 'macos') return { type: 'workstation', reason: `ssh: ${os}` };
  if (v?.role === 'container') {
    return { type: 'server', reason: `ssh: ${os} in a ${v.container ?? 'container'} container` };
  }
  return {
    type: 'server',
    reason: `ssh: ${os}${v?.role === 'physical' ? ' on physical hardware' : ''}`,
  };
}
