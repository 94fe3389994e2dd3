// One vCenter (or standalone ESXi host) in a scan: log in, read the whole inventory in a handful
// of paged retrieves, log out. The endpoint's own record gets its `about` facts; every inventory
// object becomes a record of its own, addressed `vcenter:<endpoint>/<moref>` (objects have no
// address of their own), so the platform reconciles them like any host (BIOS UUID, MACs…).
import type { HostRecord, Hostname, RelationshipRecord } from '@nopesight/model';
import type { Logger } from '../log/logger.js';
import { collectVcenterInventory, type VcenterObject } from '../collectors/vcenter/index.js';
import type { UnlockedCredential, VcenterCredential } from '../vault/credential-types.js';
import { failedLogin, protocolAttempt } from './credential-check.js';
import type { CollectOutcome } from './run-scan.js';
import { vimClientFor } from './vcenter-login.js';

export interface VcenterHostOptions {
  signal: AbortSignal;
  /** Limit for the TCP/TLS connect and for each request before the inventory. */
  loginTimeoutMs: number;
  /** Budget for the whole inventory once logged in. */
  collectTimeoutMs: number;
  log: Logger;
  now: () => Date;
}

/** Pages of 250 objects' properties stay well under this. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** The address an inventory object's record carries: the endpoint plus its managed object id. */
export function objectAddress(endpoint: string, moref: string): string {
  return `vcenter:${endpoint}/${moref}`;
}

/**
 * Logs in with `unlocked` and collects the inventory. A refused login is the attempt's status
 * (unauthorized…) and nothing else; after a login the attempt is a success and what could not be
 * read is marked in the sections and logged.
 */
export async function collectVcenterHost(
  unlocked: UnlockedCredential,
  address: string,
  opts: VcenterHostOptions,
): Promise<CollectOutcome> {
  const credential = unlocked.credential as VcenterCredential;
  const started = performance.now();
  let client;
  try {
    client = await vimClientFor(credential, address, {
      connectTimeoutMs: opts.loginTimeoutMs,
      requestTimeoutMs: opts.loginTimeoutMs,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
  } catch (err) {
    return failedLogin(unlocked, started, err);
  }
  try {
    try {
      await client.retrieveServiceContent({ signal: opts.signal });
      await client.login(credential.username, unlocked.secrets.password ?? '', {
        signal: opts.signal,
      });
    } catch (err) {
      return failedLogin(unlocked, started, err);
    }
    const inv = await collectVcenterInventory(client, {
      signal: opts.signal,
      timeoutMs: opts.collectTimeoutMs,
    });
    if (inv.error)
      opts.log.warn('vcenter inventory incomplete', { target: address, error: inv.error });
    try {
      await client.logout({ signal: opts.signal });
    } catch {
      // The session ends on its own on the server.
    }
    const endpointHost =
      inv.vcenter.hostKey !== null ? inv.objects.find((o) => o.key === inv.vcenter.hostKey) : null;
    const others = inv.objects.filter((o) => o !== endpointHost);
    const at = opts.now().toISOString();
    return {
      attempt: protocolAttempt(unlocked, started, null),
      inventory: {
        // A standalone ESXi host is one machine: its HostSystem object's facts are this record's.
        ci: { ...(endpointHost?.ci ?? {}), vcenter: inv.vcenter.ci.vcenter },
        type: { type: inv.vcenter.type, reason: inv.vcenter.ci.typeReason },
        sections: { ...(endpointHost?.sections ?? {}), ...inv.vcenter.sections },
        relationships: endpointHost ? prefixed(endpointHost.relationships, address) : [],
        hostnames: names(endpointHost ?? null),
      },
      records: others.map((o) => objectRecord(o, address, at)),
    };
  } finally {
    client.close();
  }
}

function names(o: VcenterObject | null): Hostname[] {
  if (!o) return [];
  const list: Hostname[] = [{ name: o.name, source: 'vsphere' }];
  const h = o.identity.hostname;
  if (h && h !== o.name) list.push({ name: h, source: 'vsphere' });
  return list;
}

function prefixed(rels: RelationshipRecord[], endpoint: string): RelationshipRecord[] {
  return rels.map((r) => ({ ...r, target: objectAddress(endpoint, r.target) }));
}

/** An inventory object as a host-record-shaped CI, found through the endpoint's API. */
function objectRecord(o: VcenterObject, endpoint: string, at: string): HostRecord {
  return {
    address: objectAddress(endpoint, o.key),
    hostnames: names(o),
    macs: o.identity.macs.map((mac) => ({ mac, vendor: null, source: 'vcenter' as const })),
    discovery: {
      foundBy: ['vcenter'],
      openPorts: [],
      rttMs: null,
      candidateProtocols: [],
      startedAt: at,
      finishedAt: at,
    },
    protocols: [],
    ci: { ...o.ci, type: o.type },
    sections: o.sections,
    relationships: prefixed(o.relationships, endpoint),
  };
}
