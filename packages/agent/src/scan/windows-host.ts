// One Windows host over port 445 in a scan: log in once over SMB2, then read the inventory through
// DCE/RPC pipes on that same session; with the credential's remote-exec option, also processes and
// connections through a temporary service.
import type { CiType } from '@nopesight/model';
import type { Logger } from '../log/logger.js';
import {
  collectWindowsInventory,
  gatherByRemoteExec,
  type WindowsCi,
} from '../collectors/windows/index.js';
import { RpcRemoteExec, RpcWindowsRemote } from '../collectors/windows/rpc-remote.js';
import type { UnlockedCredential, WindowsCredential } from '../vault/credential-types.js';
import { failedLogin, protocolAttempt } from './credential-check.js';
import type { CollectOutcome } from './run-scan.js';
import { loginWindows, type WindowsLogin } from './windows-login.js';

export interface WindowsHostOptions {
  signal: AbortSignal;
  /** Limit for the connect and each login exchange. */
  loginTimeoutMs: number;
  /** Limit for each RPC or file call of the collection. */
  callTimeoutMs: number;
  /** Budget for the whole inventory once logged in. */
  collectTimeoutMs: number;
  /** How long remote execution waits for its output file. */
  remoteExecWaitMs?: number;
  port?: number;
  log: Logger;
}

const REMOTE_EXEC_MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * Logs in with `unlocked`; a refused login is the attempt's status (unauthorized, no_access…) and
 * nothing else. After the login the attempt is a success and the sections say what was read.
 */
export async function collectWindowsHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsHostOptions,
): Promise<CollectOutcome> {
  const credential = unlocked.credential as WindowsCredential;
  const started = performance.now();
  let login: WindowsLogin;
  try {
    login = await loginWindows(unlocked, address, {
      signal: opts.signal,
      timeoutMs: opts.loginTimeoutMs,
      ...(opts.port ? { port: opts.port } : {}),
    });
  } catch (err) {
    return failedLogin(unlocked, started, err);
  }
  const remote = new RpcWindowsRemote(login.ipc);
  const exec = credential.remoteExec ? new RpcRemoteExec(login.client, login.ipc) : null;
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.collectTimeoutMs)]);
  try {
    const inv = await collectWindowsInventory(remote, {
      signal,
      callTimeoutMs: opts.callTimeoutMs,
      ...(exec
        ? {
            remoteExec: (s: AbortSignal) =>
              gatherByRemoteExec(exec, {
                signal: s,
                callTimeoutMs: opts.callTimeoutMs,
                waitMs: opts.remoteExecWaitMs ?? 60_000,
                maxOutputBytes: REMOTE_EXEC_MAX_OUTPUT,
              }),
          }
        : {}),
    });
    if (inv.error)
      opts.log.warn('windows inventory incomplete', { target: address, error: inv.error });
    return {
      attempt: protocolAttempt(unlocked, started, null),
      inventory: {
        ci: inv.ci as unknown as Record<string, unknown>,
        type: windowsCiType(inv.ci),
        sections: inv.sections,
        relationships: inv.relationships,
        hostnames: inv.hostnames,
      },
    };
  } finally {
    await exec?.close();
    await remote.close();
    await login.close();
  }
}

/** Server or workstation from the OS role (ProductType, else the srvsvc server type). */
export function windowsCiType(ci: WindowsCi): { type: CiType; reason: string } {
  const name = ci.os?.name ?? 'Windows';
  const role = ci.os?.role ?? null;
  if (role === 'workstation') return { type: 'workstation', reason: `windows: ${name} (WinNT)` };
  if (role === 'server' || role === 'domain_controller') {
    return {
      type: 'server',
      reason: `windows: ${name} (${role === 'server' ? 'ServerNT' : 'domain controller'})`,
    };
  }
  return { type: 'server', reason: `windows: ${name} (role unknown)` };
}
