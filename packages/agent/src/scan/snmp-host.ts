// One device over SNMP in a scan: the collector's first GET (the system group) is the login
// check, and the walks follow on the same session, so a device costs one session per credential.
import { knownCode, ScannerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { collectSnmpInventory, type EnterpriseNumbers } from '../collectors/snmp/index.js';
import { openSnmp } from '../transports/snmp/snmp-session.js';
import type { SnmpCredential, UnlockedCredential } from '../vault/credential-types.js';
import { failedLogin, protocolAttempt } from './credential-check.js';
import type { CollectOutcome } from './run-scan.js';

export interface SnmpHostOptions {
  signal: AbortSignal;
  /** Wait for one answer; a silent agent (or a wrong v1/v2c community) costs this × (retries + 1). */
  requestTimeoutMs: number;
  retries: number;
  /** Budget for the whole collection once the agent answered. */
  collectTimeoutMs: number;
  /** One table of enterprise names for the whole scan. */
  enterprises: EnterpriseNumbers;
  log: Logger;
}

/**
 * Collects a device with one SNMP credential. No system group (silence, a refused v3 user) is
 * a failed attempt with the transport's code (timeout, unauthorized…) and no inventory; anything
 * after that keeps the success and marks what was missing.
 */
export async function collectSnmpHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: SnmpHostOptions,
): Promise<CollectOutcome> {
  const credential = unlocked.credential as SnmpCredential;
  const started = performance.now();
  let session;
  try {
    session = openSnmp(
      address,
      { credential, secrets: unlocked.secrets },
      { timeoutMs: opts.requestTimeoutMs, retries: opts.retries },
    );
  } catch (err) {
    return failedLogin(unlocked, started, err);
  }
  try {
    const c = await collectSnmpInventory(session, {
      signal: opts.signal,
      timeoutMs: opts.collectTimeoutMs,
      enterprises: opts.enterprises,
    });
    const answered = c.sections.system === 'complete' || c.sections.system === 'partial';
    if (!answered) {
      const err = new ScannerError(
        knownCode(c.error?.code, 'ERR_PROTOCOL'),
        c.error?.message ?? 'snmp agent gave no system group',
      );
      return failedLogin(unlocked, started, err);
    }
    if (c.error) opts.log.warn('snmp inventory incomplete', { target: address, error: c.error });
    return {
      attempt: protocolAttempt(unlocked, started, null),
      inventory: {
        ci: c.ci as unknown as Record<string, unknown>,
        type: { type: c.type.type, reason: c.type.reason },
        sections: c.sections,
        relationships: c.relationships,
        hostnames: c.hostnames,
      },
    };
  } finally {
    session.close();
  }
}
