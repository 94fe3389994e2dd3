// One Windows host in a scan, by the first path that answers: WMI over DCOM (135 and the WMI
// service's dynamic port), else WinRM (5985/5986) when open, else port 445 (SMB2 + DCE/RPC pipes,
// with the credential's opt-in remote execution for processes and connections). Protocol `winrm`
// goes straight to WinRM, with the credential's WinRM settings (NTLM or Basic, CA bundle or
// pinned certificates). The record names the path that produced it (`ci.collector`).
import type { CiType, Hostname, ProtocolAttempt } from '@nopesight/model';
import { ScannerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import {
  collectWindowsInventory,
  gatherByRemoteExec,
  type WindowsCi,
  type WindowsInventory,
} from '../collectors/windows/index.js';
import { CIM_QUERIES } from '../collectors/windows/cim-classes.js';
import { collectCimInventory } from '../collectors/windows/cim-inventory.js';
import type {
  WindowsCollectorInfo,
  WindowsCollectorPath,
} from '../collectors/windows/cim-record.js';
import {
  dcomMethodPort,
  processOwner,
  winrmMethodPort,
  WmiRegistry,
  type WmiMethodPort,
} from '../collectors/windows/cim-registry.js';
import type { CimSource } from '../collectors/windows/cim-source.js';
import {
  WinrmCimSource,
  WmiCimSource,
  winrmChecksNames,
  winrmLoginOptions,
  type WinrmEndpoint,
  type WinrmHostNames,
} from '../collectors/windows/cim-transports.js';
import { NameConfirmer } from '../discovery/fingerprints/forward-confirm.js';
import { RpcRemoteExec, RpcWindowsRemote } from '../collectors/windows/rpc-remote.js';
import { WmiMethodCaller } from '../transports/wmi/exec-method.js';
import { WmiSession } from '../transports/wmi/wmi-session.js';
import type { UnlockedCredential, WindowsCredential } from '../vault/credential-types.js';
import { failedLogin, protocolAttempt } from './credential-check.js';
import type { CollectOutcome } from './run-scan.js';
import { loginWindows, windowsAccount, type WindowsLogin } from './windows-login.js';

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
  /** The SMB port (default 445). */
  port?: number;
  /** TCP ports the sweep found open: which paths to try. Absent: WMI, then 445. */
  openTcp?: readonly number[];
  /** The DCOM activator's port (default 135; tests use another). */
  dcomPort?: number;
  /**
   * WinRM endpoint override (default: 5986 over HTTPS if open, else 5985 over HTTP; a Basic
   * credential only ever 5986). Certificate trust comes from the credential.
   */
  winrm?: WinrmEndpoint;
  /**
   * The host's PTR names (winrmDnsNames); never NetBIOS, SMB or SNMP names. Over WinRM HTTPS
   * with a CA bundle or the system CAs, the certificate may name one of them instead of the
   * address, once forward-confirmed.
   */
  dnsNames?: readonly string[];
  /**
   * The name the scan target was given as, which resolved to the address: the user's own
   * input, so the certificate may name it with no lookup (as `credentials test HOSTNAME`).
   */
  targetName?: string;
  /** Forward-confirms `dnsNames` (a scan's, which caches); default the system's resolver. */
  nameConfirmer?: NameConfirmer;
  log: Logger;
}

/**
 * The host's names a WinRM certificate may carry instead of its address once forward-confirmed:
 * its PTR names. Never NetBIOS, SMB, SNMP or other names: the host (or anyone on the wire) says
 * those, and nothing confirms them.
 * @example winrmDnsNames([{ name: 'win1.corp.example', source: 'dns' }, { name: 'WIN1', source: 'netbios' }]) // ['win1.corp.example']
 */
export function winrmDnsNames(hostnames: readonly Hostname[]): string[] {
  return hostnames.filter((h) => h.source === 'dns').map((h) => h.name);
}

/** Deadline for forward-confirming the host's names when no confirmer is given. */
const CONFIRM_TIMEOUT_MS = 3000;

/** Failures that say "this path is not there" rather than "this credential or host is wrong". */
const PATH_UNAVAILABLE: ReadonlySet<string> = new Set([
  'ERR_RPC',
  'ERR_PORT_CLOSED',
  'ERR_UNREACHABLE',
]);

/**
 * Also "not this path" when `windows` falls back through WinRM: a certificate the credential does
 * not trust, or Basic with no HTTPS endpoint. The 445 path does not depend on either; the
 * fallback entry keeps the message (with the certificate's fingerprint) in the record.
 */
const WINRM_FALLBACK_TOO: ReadonlySet<string> = new Set([
  'ERR_TLS_UNTRUSTED',
  'ERR_CONFIG_INVALID',
]);

type PathResult =
  | { done: CollectOutcome }
  | {
      unavailable: { path: WindowsCollectorPath; code: string; message: string };
      attempt: ProtocolAttempt;
    };

/**
 * Protocol `windows`: WMI when 135 is open (or ports are unknown); when WMI is not reachable
 * (ERR_RPC: 135 closed or filtered, the dynamic port blocked, an activator that refuses, as
 * Samba's does) WinRM if 5985/5986 is open, then the 445 path if 445 is open. A refused login or
 * access denied ends the host there (`unauthorized`), so a bad password is tried once per path
 * at most and never after a refusal.
 */
export async function collectWindowsHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsHostOptions,
): Promise<CollectOutcome> {
  const open = (p: number) => opts.openTcp === undefined || opts.openTcp.includes(p);
  const fallbacks: WindowsCollectorInfo['fallbacks'] = [];
  let last: ProtocolAttempt | null = null;
  if (open(opts.dcomPort ?? 135)) {
    const r = await collectOverCim('wmi', 'windows', unlocked, address, opts, fallbacks);
    if ('done' in r) return r.done;
    fallbacks.push(r.unavailable);
    last = r.attempt;
  }
  const winrm = winrmEndpoint(opts);
  if (winrm && opts.openTcp !== undefined) {
    const r = await collectOverCim('winrm', 'windows', unlocked, address, opts, fallbacks);
    if ('done' in r) return r.done;
    fallbacks.push(r.unavailable);
    last = r.attempt;
  }
  if (open(opts.port ?? 445) || !last) return collectOverSmb(unlocked, address, opts, fallbacks);
  return { attempt: last };
}

/** Protocol `winrm`: the WinRM path alone, with the windows credential. */
export async function collectWinrmHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsHostOptions,
): Promise<CollectOutcome> {
  const r = await collectOverCim('winrm', 'winrm', unlocked, address, opts, []);
  return 'done' in r ? r.done : { attempt: r.attempt };
}

/**
 * HTTPS 5986 when open, else HTTP 5985 when open; null when neither (or ports unknown). A Basic
 * credential gets 5985 too, and is refused there before anything is sent (collectOverCim).
 */
function winrmEndpoint(opts: WindowsHostOptions): WinrmEndpoint | null {
  if (opts.winrm) return opts.winrm;
  if (opts.openTcp?.includes(5986)) return { port: 5986, https: true };
  if (opts.openTcp?.includes(5985)) return { port: 5985, https: false };
  return null;
}

/** The attempt for `protocol`: access denied counts as `unauthorized` on the CIM paths. */
function cimAttempt(
  unlocked: UnlockedCredential,
  started: number,
  err: ScannerError | null,
  protocol: 'windows' | 'winrm',
): ProtocolAttempt {
  const attempt = { ...protocolAttempt(unlocked, started, err), protocol };
  if (err?.code === 'ERR_ACCESS_DENIED') attempt.status = 'unauthorized';
  return attempt;
}

/**
 * Connects over WMI or WinRM, proves the login with one query (Win32_ComputerSystem: NTLMLogin
 * on WMI, the HTTP authentication on WinRM), then collects. A path that is not there is handed
 * back for the caller to fall back from; anything else is this host's outcome.
 */
async function collectOverCim(
  path: 'wmi' | 'winrm',
  protocol: 'windows' | 'winrm',
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsHostOptions,
  fallbacks: WindowsCollectorInfo['fallbacks'],
): Promise<PathResult> {
  const credential = unlocked.credential as WindowsCredential;
  const started = performance.now();
  const creds = windowsAccount(unlocked);
  let source: CimSource | null = null;
  try {
    source = await openCimSource(path, address, credential, creds, opts);
    const probe = CIM_QUERIES.computerSystem;
    for await (const o of source.query(probe.namespace, probe.wql, {
      signal: opts.signal,
      timeoutMs: opts.loginTimeoutMs,
      maxObjects: 1,
    })) {
      void o;
    }
    const tls = source instanceof WinrmCimSource ? source.tls : null;
    if (tls) {
      opts.log.info('winrm https certificate accepted', {
        target: address,
        trust: tls.trust,
        ...(tls.name ? { name: tls.name } : {}),
        fingerprint: tls.fingerprint,
      });
    }
  } catch (err) {
    await source?.close();
    if (!(err instanceof ScannerError)) throw err;
    const attempt = cimAttempt(unlocked, started, err, protocol);
    const unavailable =
      PATH_UNAVAILABLE.has(err.code) ||
      (path === 'winrm' && protocol === 'windows' && WINRM_FALLBACK_TOO.has(err.code));
    if (unavailable && !opts.signal.aborted)
      return { unavailable: { path, code: err.code, message: attempt.error!.message }, attempt };
    return { done: { attempt } };
  }
  try {
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.collectTimeoutMs)]);
    const inv = await collectCimInventory(source, { signal, callTimeoutMs: opts.callTimeoutMs });
    const attempt = cimAttempt(unlocked, started, null, protocol);
    return { done: outcome(inv, { path, fallbacks }, attempt, address, opts.log) };
  } finally {
    await source.close();
  }
}

async function openCimSource(
  path: 'wmi' | 'winrm',
  address: string,
  credential: WindowsCredential,
  creds: { username: string; domain: string; password: string },
  opts: WindowsHostOptions,
): Promise<CimSource> {
  if (path === 'wmi') {
    const session = await WmiSession.connect(address, creds, {
      signal: opts.signal,
      timeoutMs: opts.loginTimeoutMs,
      ...(opts.dcomPort ? { port: opts.dcomPort } : {}),
    });
    const port = dcomMethodPort(new WmiMethodCaller(session));
    return new WmiCimSource(session, methodExtras(port));
  }
  const endpoint = winrmEndpoint(opts) ?? { port: 5985, https: false };
  const names = await hostNames(credential, address, endpoint, opts);
  const source: WinrmCimSource = new WinrmCimSource(
    {
      ...winrmLoginOptions(credential, creds, address, endpoint, names),
      connectTimeoutMs: opts.loginTimeoutMs,
      requestTimeoutMs: opts.callTimeoutMs,
    },
    // StdRegProv and GetOwner go through the root/cimv2 client (Invoke names its own namespace).
    {
      ...methodExtras({ call: (c, l) => winrmMethodPort(source.client('root/cimv2')).call(c, l) }),
    },
  );
  return source;
}

/**
 * Over HTTPS with a CA bundle or the system CAs: which of the host's DNS names the certificate
 * may name instead of the address (forward-confirmed now, at the connect that needs them).
 */
async function hostNames(
  credential: WindowsCredential,
  address: string,
  endpoint: WinrmEndpoint,
  opts: WindowsHostOptions,
): Promise<WinrmHostNames | undefined> {
  if (!winrmChecksNames(credential, endpoint)) return undefined;
  const given = opts.targetName ? [opts.targetName.replace(/\.$/, '').toLowerCase()] : [];
  const ptr = (opts.dnsNames ?? []).filter((n) => !given.includes(n.toLowerCase()));
  if (ptr.length === 0) return { names: given, unconfirmedNames: [] };
  const confirmer =
    opts.nameConfirmer ??
    new NameConfirmer({ timeoutMs: Math.min(opts.loginTimeoutMs, CONFIRM_TIMEOUT_MS) });
  const r = await confirmer.confirm(address, ptr, opts.signal);
  return { names: [...given, ...r.confirmed], unconfirmedNames: r.unconfirmed };
}

/** The registry (StdRegProv) and GetOwner over a WMI method port. */
function methodExtras(port: WmiMethodPort) {
  return {
    registry: new WmiRegistry(port),
    processOwner: (pid: number, limits: { signal: AbortSignal; timeoutMs: number }) =>
      processOwner(port, pid, limits),
  };
}

/** The outcome of a collected inventory: a success attempt, the CI and its sections. */
function outcome(
  inv: WindowsInventory,
  collector: WindowsCollectorInfo,
  attempt: ProtocolAttempt,
  address: string,
  log: Logger,
): CollectOutcome {
  if (inv.error)
    log.warn('windows inventory incomplete', {
      target: address,
      path: collector.path,
      error: inv.error,
    });
  const ci: WindowsCi = { ...inv.ci, collector };
  return {
    attempt,
    inventory: {
      ci: ci as unknown as Record<string, unknown>,
      type: windowsCiType(ci),
      sections: inv.sections,
      relationships: inv.relationships,
      hostnames: inv.hostnames,
    },
  };
}

const REMOTE_EXEC_MAX_OUTPUT = 16 * 1024 * 1024;

/**
 * The 445 path: logs in with `unlocked`; a refused login is the attempt's status (unauthorized,
 * no_access…) and nothing else. After the login the attempt is a success and the sections say
 * what was read.
 */
async function collectOverSmb(
  unlocked: UnlockedCredential,
  address: string,
  opts: WindowsHostOptions,
  fallbacks: WindowsCollectorInfo['fallbacks'],
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
    return outcome(
      inv,
      { path: 'smb', fallbacks },
      protocolAttempt(unlocked, started, null),
      address,
      opts.log,
    );
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
