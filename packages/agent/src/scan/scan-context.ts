// Everything one scan needs, opened and wired once: data directory, config, logs, vault, parsed
// targets, and the real pipeline stages. The one place that knows every concrete module.
import type { Protocol, ProtocolAttempt } from '@nopesight/model';
import { credentialKindFor } from '@nopesight/model';
import { loadConfig, type Config } from '../config/config.js';
import { openDataDir } from '../config/data-dir.js';
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
import { checkCredential } from './credential-check.js';
import { openSsh } from '../transports/ssh/ssh-session.js';
import { collectSshInventory } from '../collectors/ssh/index.js';
import type { SshCredential, UnlockedCredential } from '../vault/credential-types.js';
import type { CollectOutcome, Inventory, ScanRequest, ScanStages } from './run-scan.js';

/** Protocols whose logins this build can try (the others are selected but not yet collected). */
const CHECKABLE: ReadonlySet<Protocol> = new Set(['ssh', 'snmp', 'vcenter']);
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
  config: Config;
  resultsDir: string;
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
  const logs = new LogFiles(dataDir.logsDir, config.logging);
  const log = logs.logger('agent', { component: 'scan' });
  const vault =
    input.protocols.length > 0
      ? await Vault.open(dataDir, { secretSink: logs.secrets })
      : undefined;
  const oui = new OuiDatabase();
  let snmpProbe: SnmpProbe | undefined;

  return {
    config,
    resultsDir: dataDir.resultsDir,
    log,
    expectedAddresses: Number(count),
    stages(request, overrides) {
      const scan = config.scan;
      // Communities for the unauthenticated sysDescr probe: the configured ones, then any
      // v1/v2c community in the vault (kept in memory, never written out).
      const communities = [...scan.snmpCommunities];
      for (const c of vault?.list() ?? []) {
        if (c.kind === 'snmp' && c.version !== '3') {
          const community = vault!.unlock(c.id).secrets.community;
          if (community && !communities.includes(community)) communities.push(community);
        }
      }
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
        fingerprint: (result, signal) =>
          fingerprintHost(
            result,
            probes,
            {
              timeoutMs: scan.fingerprintTimeoutMs,
              reverseDns: overrides.reverseDns ?? true,
              services: overrides.fingerprint ?? true,
            },
            signal,
          ),
        collect: vault
          ? (protocol, host, signal) => collect(vault, protocol, host.address, signal, scan, log)
          : undefined,
        // Fingerprinting opens a few connections per host; 256 hosts keep ~1,000 sockets busy.
        hostConcurrency: Math.min(scan.hostConcurrency, 256),
        now: () => new Date(),
      };
    },
    async close() {
      snmpProbe?.close();
      await logs.close();
    },
  };
}

/** Tries the stored credentials of `protocol` in scope for `address`, stopping at the first success. */
async function collect(
  vault: Vault,
  protocol: Protocol,
  address: string,
  signal: AbortSignal,
  scan: Config['scan'],
  log: Logger,
): Promise<CollectOutcome | null> {
  if (!CHECKABLE.has(protocol)) return null;
  const candidates = vault.candidatesFor(credentialKindFor(protocol), address);
  let last: ProtocolAttempt | null = null;
  for (const credential of candidates.slice(0, MAX_TRIES_PER_PROTOCOL)) {
    if (signal.aborted) break;
    const timeoutMs = scan.fingerprintTimeoutMs * 3;
    const unlocked = vault.unlock(credential.id);
    const { attempt } = await checkCredential(unlocked, address, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs * 2)]),
      timeoutMs,
    });
    last = { ...attempt, protocol };
    if (attempt.status !== 'success') continue;
    if (protocol === 'ssh') {
      const inventory = await collectSsh(unlocked, address, signal, timeoutMs, log);
      return inventory ? { attempt: last, inventory } : { attempt: last };
    }
    break;
  }
  return last ? { attempt: last } : null;
}

/** Budget for one host's SSH inventory (one script over one exec channel). */
const SSH_COLLECT_BUDGET_MS = 120_000;

/**
 * Collects a Linux/Unix host's inventory with a credential that just logged in. A failure here
 * keeps the login's success and leaves the inventory out (logged), never the host.
 */
async function collectSsh(
  unlocked: UnlockedCredential,
  address: string,
  signal: AbortSignal,
  connectTimeoutMs: number,
  log: Logger,
): Promise<Inventory | null> {
  const credential = unlocked.credential as SshCredential;
  const hostSignal = AbortSignal.any([signal, AbortSignal.timeout(SSH_COLLECT_BUDGET_MS + 10_000)]);
  try {
    const session = await openSsh(
      address,
      { credential, secrets: unlocked.secrets },
      { signal: hostSignal, connectTimeoutMs, authTimeoutMs: connectTimeoutMs },
    );
    try {
      const c = await collectSshInventory(session, {
        signal: hostSignal,
        timeoutMs: SSH_COLLECT_BUDGET_MS,
        sudo: credential.sudo,
        ...(credential.sudo === 'password'
          ? { sudoPassword: unlocked.secrets.sudoPassword ?? unlocked.secrets.password }
          : {}),
      });
      if (c.error) log.warn('ssh inventory incomplete', { target: address, error: c.error });
      return {
        ci: c.ci as unknown as Record<string, unknown>,
        sections: c.sections,
        relationships: c.relationships,
        hostnames: c.hostnames,
      };
    } finally {
      await session.close();
    }
  } catch (err) {
    log.warn('ssh inventory failed', { target: address, error: (err as Error).message });
    return null;
  }
}
