// Everything one scan needs, opened and wired once: data directory, config, logs, store, vault,
// parsed targets, and the real pipeline stages. The one place that knows every concrete module.
// A long-running process (the agent) passes its own log files and store in, so one process has
// one writer per log file and one store connection.
import type { Protocol, ProtocolAttempt } from '@nopesight/model';
import { loadConfig, type Config } from '../config/config.js';
import { openDataDir, type DataDir } from '../config/data-dir.js';
import { LogFiles } from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { Vault } from '../vault/vault.js';
import {
  checkSize,
  countAddresses,
  expandTargets,
  parseTargets,
} from '../discovery/targets/index.js';
import { sweep } from '../discovery/sweep/index.js';
import { SnmpProbe } from '../discovery/probes/snmp-probe.js';
import { OuiDatabase } from '../discovery/probes/oui.js';
import { fingerprintHost, realProbes } from '../discovery/fingerprint-host.js';
import { NameConfirmer } from '../discovery/fingerprints/forward-confirm.js';
import { checkCredential } from './credential-check.js';
import { collectSshHost } from './ssh-host.js';
import { collectSnmpHost } from './snmp-host.js';
import { collectVcenterHost } from './vcenter-host.js';
import { collectWindowsHost, collectWinrmHost, winrmDnsNames } from './windows-host.js';
import { EnterpriseNumbers } from '../collectors/snmp/index.js';
import { jumpLoginFor } from './ssh-login.js';
import { CredentialEngine, memoryAffinity } from './credential-engine.js';
import type { Credential } from '../vault/credential-types.js';
import { openStore, type Store } from '../store/index.js';
import type { CollectOutcome, ScanRequest, ScanStages } from './run-scan.js';

/** Protocols whose logins this build can try (the others are selected but not yet collected). */
const CHECKABLE: ReadonlySet<Protocol> = new Set(['ssh', 'snmp', 'vcenter', 'windows', 'winrm']);
/** Credentials tried per protocol per host before giving up (lockout safety). */
const MAX_TRIES_PER_PROTOCOL = 3;

export interface ScanContextInput {
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  targets: string[];
  excludes: string[];
  allowLarge: boolean;
  protocols: Protocol[];
  signal: AbortSignal;
  /** The caller's log files (left open); absent, the context opens and closes its own. */
  logs?: LogFiles | undefined;
  /** The caller's store (left open); absent, the context opens and closes its own. */
  store?: Store | undefined;
}

export interface StageOverrides {
  maxInFlight?: number;
  rateLimitPps?: number;
  icmp?: boolean;
  reverseDns?: boolean;
  /** False: open ports and MACs only, no unauthenticated probes of the services. */
  fingerprint?: boolean;
}

export interface ScanContext {
  dataDir: DataDir;
  env: NodeJS.ProcessEnv;
  config: Config;
  resultsDir: string;
  /** The log files the scan writes to (agent.log; the upload's integrations.log). */
  logs: LogFiles;
  /** The store: the scan's row, host key pins, credential affinity. */
  store: Store;
  log: Logger;
  expectedAddresses: number;
  stages(request: ScanRequest, overrides: StageOverrides): ScanStages;
  close(): Promise<void>;
}

/**
 * Validates everything before a packet is sent: targets (malformed → ERR_TARGET_INVALID, too
 * many → ERR_TARGET_TOO_LARGE), config, and the vault when a protocol will need it.
 */
export async function openScanContext(input: ScanContextInput): Promise<ScanContext> {
  const specs = parseTargets(input.targets);
  const excludes = parseTargets(input.excludes);
  const count = countAddresses(specs, excludes);
  checkSize(count, input.allowLarge);

  const dataDir = await openDataDir(input.dataDir, input.env);
  const config = await loadConfig(dataDir.configFile);
  const logs = input.logs ?? new LogFiles(dataDir.logsDir, config.logging);
  const log = logs.logger('agent', { component: 'scan' });
  let store: Store | undefined;
  let vault: Vault | undefined;
  try {
    vault =
      input.protocols.length > 0
        ? await Vault.open(dataDir, { secretSink: logs.secrets })
        : undefined;
    // The scan's row (history, upload), SSH host key pins and credential affinity.
    store = input.store ?? openStore(dataDir);
  } catch (err) {
    if (!input.logs) await logs.close();
    throw err;
  }
  const theStore = store;
  const affinity = vault ? theStore.affinity : memoryAffinity();
  const oui = new OuiDatabase();
  let snmpProbe: SnmpProbe | undefined;

  return {
    dataDir,
    env: input.env,
    config,
    resultsDir: dataDir.resultsDir,
    logs,
    store: theStore,
    log,
    expectedAddresses: Number(count),
    stages(request, overrides) {
      const scan = config.scan;
      // One engine per scan: the failed-login cap counts within a scan; affinity outlives it.
      const engine = vault
        ? new CredentialEngine(vault, affinity, {
            maxFailuresPerAccount: scan.maxFailedLoginsPerAccount,
          })
        : undefined;
      // Communities for the unauthenticated sysDescr probe: the configured ones, then any
      // v1/v2c community in the vault (kept in memory, never written out).
      const communities = [...scan.snmpCommunities];
      for (const c of vault?.list() ?? []) {
        if (c.kind === 'snmp' && c.version !== '3') {
          const community = vault!.unlock(c.id).secrets.community;
          if (community && !communities.includes(community)) communities.push(community);
        }
      }
      const winrmCollected = new Set<string>();
      // DNS names (PTR, and the target's own) of hosts with WinRM HTTPS open, for its
      // certificate check; PTR names confirmed with the resolver settings their lookup had.
      const dnsNames = new Map<string, { ptr: string[]; target?: string }>();
      const nameConfirmer = new NameConfirmer({ timeoutMs: scan.fingerprintTimeoutMs });
      if (request.udpPorts.includes(161)) snmpProbe = new SnmpProbe({ retries: scan.retries });
      const probes = realProbes(oui, input.signal);
      return {
        targets: (signal) =>
          expandTargets(specs, excludes, {
            signal,
            onWarning: (m) => log.warn(m, { scanId: request.scanId }),
          }),
        sweep: (targets, signal) =>
          sweep(targets, {
            tcpPorts: request.tcpPorts,
            udpPorts: request.udpPorts,
            icmp: overrides.icmp ?? scan.icmp,
            maxInFlight: overrides.maxInFlight ?? scan.maxInFlight,
            hostConcurrency: scan.hostConcurrency,
            rateLimitPps: overrides.rateLimitPps ?? scan.rateLimitPps,
            timing: {
              initialTimeoutMs: scan.connectTimeoutMs.initial,
              minTimeoutMs: scan.connectTimeoutMs.min,
              maxTimeoutMs: scan.connectTimeoutMs.max,
              retries: scan.retries,
            },
            signal,
            snmpTimeoutMs: scan.connectTimeoutMs.max,
            ...(snmpProbe
              ? {
                  snmpProbe: (address: string, s: AbortSignal) =>
                    snmpProbe!.probe(address, communities, {
                      signal: s,
                      timeoutMs: scan.connectTimeoutMs.max,
                    }),
                }
              : {}),
          }),
        fingerprint: async (result, signal) => {
          const fp = await fingerprintHost(
            result,
            probes,
            {
              timeoutMs: scan.fingerprintTimeoutMs,
              reverseDns: overrides.reverseDns ?? true,
              services: overrides.fingerprint ?? true,
            },
            signal,
          );
          if (result.openTcp.includes(5986)) {
            const ptr = winrmDnsNames(fp.hostnames);
            const target = result.target.hostname;
            if (ptr.length > 0 || target)
              dnsNames.set(result.target.address, { ptr, ...(target ? { target } : {}) });
          }
          return fp;
        },
        collect: vault
          ? (protocol, host, signal) =>
              collect(
                {
                  vault,
                  engine: engine!,
                  store: theStore,
                  scan,
                  log,
                  winrmCollected,
                  dnsNames,
                  nameConfirmer,
                },
                protocol,
                host,
                signal,
              )
          : undefined,
        credentialSkips: () => engine?.skips() ?? [],
        // Fingerprinting opens a few connections per host; 256 hosts keep ~1,000 sockets busy.
        hostConcurrency: Math.min(scan.hostConcurrency, 256),
        now: () => new Date(),
      };
    },
    async close() {
      snmpProbe?.close();
      if (!input.store) theStore.close();
      if (!input.logs) await logs.close();
    },
  };
}

interface CollectDeps {
  vault: Vault;
  engine: CredentialEngine;
  store: Store | undefined;
  scan: Config['scan'];
  log: Logger;
  /** Hosts whose `windows` collection went over WinRM in this scan (no second `winrm` run). */
  winrmCollected?: Set<string>;
  /** PTR names and the target's name of hosts with WinRM HTTPS open (never NetBIOS or SNMP). */
  dnsNames?: ReadonlyMap<string, { ptr: string[]; target?: string }>;
  nameConfirmer?: NameConfirmer;
}

/** SSH failures that are the host's, not the credential's: no point trying the next one. */
const HOST_LEVEL_FAILURES: ReadonlySet<string> = new Set([
  'ERR_HOST_KEY_CHANGED',
  'ERR_PORT_CLOSED',
  'ERR_UNREACHABLE',
  'ERR_TIMEOUT',
]);

/** Budget for a vCenter's whole inventory once logged in (a few paged retrieves). */
const VCENTER_COLLECT_BUDGET_MS = 300_000;
/** Budget for one Windows host's inventory once logged in (registry, SAM, services over RPC). */
const WINDOWS_COLLECT_BUDGET_MS = 180_000;
/** Budget for one device's SNMP walks once its agent answered. */
const SNMP_COLLECT_BUDGET_MS = 120_000;
/** Enterprise names for sysObjectID, read once per process on first use. */
const enterprises = new EnterpriseNumbers();

/** Budget for one host's SSH inventory once logged in (one script over one exec channel). */
const SSH_COLLECT_BUDGET_MS = 120_000;

/**
 * Tries the credentials the engine plans for `protocol` on the host, stopping at the first
 * success; SSH and SNMP collect over the session that logged in. A host-level SSH failure
 * (changed key, closed port, no answer) ends the host: another credential would meet it too.
 * When every credential in scope was skipped by the failed-login cap, the attempt says so.
 */
async function collect(
  deps: CollectDeps,
  protocol: Protocol,
  host: { address: string; hostnames: string[]; openTcp?: number[] },
  signal: AbortSignal,
): Promise<CollectOutcome | null> {
  if (!CHECKABLE.has(protocol)) return null;
  // `windows` already collected this host over WinRM (its fallback): nothing more to learn.
  if (protocol === 'winrm' && deps.winrmCollected?.has(host.address)) return null;
  const { engine, log } = deps;
  const { tryOrder, skipped } = engine.plan(protocol, host.address, host.hostnames);
  let last: ProtocolAttempt | null = null;
  for (const credential of tryOrder.slice(0, MAX_TRIES_PER_PROTOCOL)) {
    if (signal.aborted) break;
    if (!engine.begin(credential)) {
      skipped.push(credential);
      continue;
    }
    let outcome: CollectOutcome;
    try {
      outcome = await tryCredential(deps, protocol, credential, host.address, signal, host.openTcp);
    } catch (err) {
      engine.record(credential, host.address, {
        protocol,
        status: 'failed',
        credentialId: credential.id,
        durationMs: 0,
        error: null,
      });
      throw err;
    }
    last = outcome.attempt;
    if (engine.record(credential, host.address, outcome.attempt)) {
      log.warn('account reached its failed-login cap: skipped for the rest of the scan', {
        credentialId: credential.id,
        name: credential.name,
        protocol,
      });
    }
    if (outcome.attempt.status === 'success') {
      const ci = outcome.inventory?.ci as { collector?: { path: string } } | undefined;
      if (protocol === 'windows' && ci?.collector?.path === 'winrm')
        deps.winrmCollected?.add(host.address);
      return outcome;
    }
    if (
      (protocol === 'ssh' || protocol === 'windows') &&
      HOST_LEVEL_FAILURES.has(outcome.attempt.error?.code ?? '')
    )
      break;
  }
  if (!last && skipped.length > 0) {
    return {
      attempt: {
        protocol,
        status: 'failed',
        credentialId: skipped[0]!.id,
        durationMs: 0,
        error: {
          code: 'ERR_CREDENTIAL_SKIPPED',
          message: `not tried: ${skipped.map((c) => `'${c.name}'`).join(', ')} reached the cap of failed logins in this scan (lockout guard)`,
        },
      },
    };
  }
  return last ? { attempt: last } : null;
}

/** One credential on one host over `protocol`: login, and the inventory where a collector exists. */
async function tryCredential(
  { vault, store, scan, log, dnsNames, nameConfirmer }: CollectDeps,
  protocol: Protocol,
  credential: Credential,
  address: string,
  signal: AbortSignal,
  openTcp?: number[],
): Promise<CollectOutcome> {
  const timeoutMs = scan.fingerprintTimeoutMs * 3;
  const unlocked = vault.unlock(credential.id);
  if (protocol === 'ssh' && credential.kind === 'ssh') {
    return collectSshHost(unlocked, address, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs * 2 + SSH_COLLECT_BUDGET_MS)]),
      loginTimeoutMs: timeoutMs,
      collectTimeoutMs: SSH_COLLECT_BUDGET_MS,
      ...(store ? { hostKey: store.hostKeys.checkFor(address, credential.port) } : {}),
      ...jumpLoginFor(vault, store, credential),
      log,
    });
  }
  if (protocol === 'snmp' && credential.kind === 'snmp') {
    return collectSnmpHost(unlocked, address, {
      signal,
      requestTimeoutMs: scan.connectTimeoutMs.max,
      retries: scan.retries,
      collectTimeoutMs: SNMP_COLLECT_BUDGET_MS,
      enterprises,
      log,
    });
  }
  if ((protocol === 'windows' || protocol === 'winrm') && credential.kind === 'windows') {
    const collectWindows = protocol === 'winrm' ? collectWinrmHost : collectWindowsHost;
    const names = dnsNames?.get(address);
    return collectWindows(unlocked, address, {
      signal,
      loginTimeoutMs: timeoutMs,
      callTimeoutMs: timeoutMs,
      collectTimeoutMs: WINDOWS_COLLECT_BUDGET_MS,
      ...(openTcp ? { openTcp } : {}),
      dnsNames: names?.ptr ?? [],
      ...(names?.target ? { targetName: names.target } : {}),
      ...(nameConfirmer ? { nameConfirmer } : {}),
      log,
    });
  }
  if (protocol === 'vcenter' && credential.kind === 'vcenter') {
    return collectVcenterHost(unlocked, address, {
      signal,
      loginTimeoutMs: timeoutMs,
      collectTimeoutMs: VCENTER_COLLECT_BUDGET_MS,
      log,
      now: () => new Date(),
    });
  }
  const { attempt } = await checkCredential(unlocked, address, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs * 2)]),
    timeoutMs,
  });
  return { attempt: { ...attempt, protocol } };
}
