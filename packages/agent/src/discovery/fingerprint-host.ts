// Runs the unauthenticated fingerprints a live host's open ports call for, in parallel, and
// gathers them into HostFingerprints. Sub-probe failures are kept out: a fingerprint is a bonus.
import type { Hostname, MacAddress, OpenPort } from '@nopesight/model';
import type { HostFingerprints } from '../scan/host-record-builder.js';
import type { SweepResult } from './types.js';
import {
  FINGERPRINTED_PORTS,
  fingerprintPort,
  openPortFromFingerprint,
} from './fingerprints/fingerprint-port.js';
import { fingerprintSmb } from './fingerprints/smb.js';
import { queryNetbiosNames } from './fingerprints/netbios.js';
import { reverseDns } from './fingerprints/reverse-dns.js';
import { readNeighborTable, type NeighborTable } from './probes/neighbors.js';
import type { OuiDatabase } from './probes/oui.js';

/** The probes, injected so tests can replace one with a hostile or failing peer. */
export interface FingerprintProbes {
  port: typeof fingerprintPort;
  smb: typeof fingerprintSmb;
  netbios: typeof queryNetbiosNames;
  reverseDns: typeof reverseDns;
  macs: (address: string) => Promise<{ mac: string; vendor: string | null } | null>;
}

export interface FingerprintOptions {
  /** Time allowed to each sub-probe. */
  timeoutMs: number;
  /** Skip reverse DNS (no resolver configured, or the user asked). */
  reverseDns: boolean;
  /** False: no service probes (SSH, SMB, TLS, HTTP, vSphere, NetBIOS); MACs and DNS only. */
  services?: boolean;
  /** DNS servers for PTR lookups; default the system's. */
  dnsServers?: string[];
}

/** How long a neighbour-table read serves lookups before a miss triggers a fresh read. */
const NEIGHBOR_TABLE_TTL_MS = 1000;

/**
 * MAC lookups against one shared read of the neighbour table: a scan of a thousand on-link
 * hosts reads the table a few times, not a thousand.
 */
export function neighborMacs(
  oui: OuiDatabase,
  signal: AbortSignal,
  read: () => Promise<NeighborTable> = () => readNeighborTable({ signal }),
): FingerprintProbes['macs'] {
  let table: Promise<NeighborTable> | null = null;
  let readAt = 0;
  return async (address) => {
    const fresh = Date.now() - readAt < NEIGHBOR_TABLE_TTL_MS;
    if (!table || (!fresh && !(await table).has(address))) {
      readAt = Date.now();
      table = read().catch(() => new Map());
    }
    const mac = (await table).get(address);
    if (!mac) return null;
    return { mac, vendor: await oui.vendor(mac).catch(() => null) };
  };
}

/** The real probes; one OUI registry and neighbour-table cache serve the whole scan. */
export function realProbes(oui: OuiDatabase, signal: AbortSignal): FingerprintProbes {
  return {
    port: fingerprintPort,
    smb: fingerprintSmb,
    netbios: queryNetbiosNames,
    reverseDns,
    macs: neighborMacs(oui, signal),
  };
}

/** Fingerprints one live host. Never rejects for a probe's failure. */
export async function fingerprintHost(
  result: SweepResult,
  probes: FingerprintProbes,
  opts: FingerprintOptions,
  signal: AbortSignal,
): Promise<HostFingerprints> {
  const address = result.target.address;
  // A per-host budget (a few sub-probes in a row at most) on a signal of the host's own, so the
  // probes' abort listeners sit on it and not by the hundred on the scan's signal.
  const hostSignal = AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs * 4)]);
  const ctx = { signal: hostSignal, timeoutMs: opts.timeoutMs };
  const services = opts.services ?? true;
  const tcp = new Set(services ? result.openTcp : []);
  const quiet = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

  const ports = Promise.all(
    [...tcp]
      .filter((port) => FINGERPRINTED_PORTS[port] !== undefined)
      .map((port) =>
        quiet(
          probes.port(address, port, {
            ...ctx,
            ...(result.target.hostname ? { serverName: result.target.hostname } : {}),
          }),
        ),
      ),
  );
  const smb = tcp.has(445) ? quiet(probes.smb(address, 445, ctx)) : Promise.resolve(undefined);
  const netbios =
    tcp.has(445) || tcp.has(139) || tcp.has(135)
      ? quiet(probes.netbios(address, ctx))
      : Promise.resolve(undefined);
  // Loopback has nothing to learn from DNS, and asking would send a query off the machine.
  const loopback = address === '::1' || address.startsWith('127.');
  const names =
    opts.reverseDns && !loopback
      ? quiet(
          probes.reverseDns(address, {
            ...ctx,
            ...(opts.dnsServers ? { servers: opts.dnsServers } : {}),
          }),
        )
      : Promise.resolve(undefined);
  const mac = quiet(probes.macs(address));

  const [portResults, smbFacts, netbiosFacts, ptrNames, macInfo] = await Promise.all([
    ports,
    smb,
    netbios,
    names,
    mac,
  ]);

  const openPorts: OpenPort[] = [];
  let sshBanner: string | undefined;
  let vsphere: HostFingerprints['vsphere'];
  for (const fp of portResults) {
    if (!fp) continue;
    openPorts.push(openPortFromFingerprint(fp));
    if (fp.ssh && fp.port === 22) sshBanner = fp.banner;
    if (fp.vsphere) vsphere = fp.vsphere;
  }

  const hostnames: Hostname[] = [];
  for (const name of ptrNames ?? []) hostnames.push({ name, source: 'dns' });
  if (smbFacts?.dnsComputerName) hostnames.push({ name: smbFacts.dnsComputerName, source: 'smb' });
  const nbName = netbiosFacts?.names.find((n) => n.suffix === 0 && !n.group)?.name;
  if (nbName) hostnames.push({ name: nbName, source: 'netbios' });

  const macs: MacAddress[] = [];
  if (macInfo) macs.push({ mac: macInfo.mac, vendor: macInfo.vendor, source: 'arp' });
  else if (netbiosFacts?.mac) macs.push({ mac: netbiosFacts.mac, vendor: null, source: 'netbios' });

  const out: HostFingerprints = { openPorts, hostnames, macs };
  if (sshBanner) out.sshBanner = sshBanner;
  if (smbFacts) out.smb = smbFacts;
  if (vsphere) out.vsphere = vsphere;
  if (netbiosFacts) out.netbios = netbiosFacts;
  return out;
}
