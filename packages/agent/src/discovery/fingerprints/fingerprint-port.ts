// Per-port fingerprint dispatch (22 → SSH, 443 → TLS + HTTP + vSphere, 80 → HTTP…) and the mapping
// of its result to the model's OpenPort. Named http-probe-* only for file ownership; see the report.
import type { OpenPort, TlsFacts, VsphereFacts } from '@nopesight/model';
import { ScannerError, type ErrorCode } from '../../errors.js';
import type { ProbeContext } from '../types.js';
import { probeHttp, type HttpFacts } from './http-probe.js';
import { TlsMismatchError } from './http-probe-request.js';
import { readSshBanner, type SshBanner } from './ssh-banner.js';
import { readTlsCertificate } from './tls-certificate.js';
import { probeVsphere } from './vsphere-about.js';

export type FingerprintProbe = 'ssh' | 'tls' | 'http' | 'vsphere';

/** Everything learnt on one open TCP port; sub-probes that failed are listed in `errors`. */
export interface PortFingerprint {
  port: number;
  service: string;
  banner?: string;
  ssh?: SshBanner;
  tls?: TlsFacts;
  /** HTTP facts, and whether they came over TLS. */
  http?: HttpFacts & { overTls: boolean };
  vsphere?: VsphereFacts;
  errors: { probe: FingerprintProbe; code: ErrorCode; message: string }[];
}

/** Service names by port when nothing better is known (IANA / nmap-services names). */
export const SERVICE_BY_PORT: Readonly<Record<number, string>> = {
  22: 'ssh',
  80: 'http',
  135: 'msrpc',
  139: 'netbios-ssn',
  161: 'snmp',
  443: 'https',
  445: 'microsoft-ds',
  3389: 'ms-wbt-server',
  5985: 'wsman',
  5986: 'wsman-tls',
  8080: 'http',
  8443: 'https',
};

/** How a port is probed: which protocol first, and whether vSphere's /sdk is asked. */
export interface FingerprintPlan {
  first: 'ssh' | 'tls' | 'plain' | 'none';
  vsphere: boolean;
}

/** Ports fingerprintPort probes by default, and which protocol it tries first there. */
export const FINGERPRINTED_PORTS: Readonly<Record<number, 'ssh' | 'tls' | 'plain'>> = {
  22: 'ssh',
  443: 'tls',
  8443: 'tls',
  5986: 'tls',
  80: 'plain',
  8080: 'plain',
  5985: 'plain',
};

/** vSphere's /sdk is asked on 443 only (vCenter and ESXi serve it there). */
const VSPHERE_PORTS: ReadonlySet<number> = new Set([443]);

/** The plan for a port number (the sweep's defaults; tests pass their own for high ports). */
export function planForPort(port: number): FingerprintPlan {
  return { first: FINGERPRINTED_PORTS[port] ?? 'none', vsphere: VSPHERE_PORTS.has(port) };
}

/**
 * The `OpenPort.service` name and `banner` for a port and what was learnt there. Protocol
 * evidence beats the port number: an SSH line makes any port `ssh`, vSphere's `about` makes it
 * `vsphere`; WinRM ports keep `wsman`/`wsman-tls`; HTTP over TLS found on a plain port is
 * `https`.
 *
 * @example
 * serviceForPort(22, { ssh }) // → { service: 'ssh', banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' }
 * serviceForPort(443, { vsphere, http }) // → { service: 'vsphere', banner: 'VMware vCenter Server 8.0.2 build-22385739' }
 */
export function serviceForPort(
  port: number,
  facts: Pick<PortFingerprint, 'ssh' | 'http' | 'tls' | 'vsphere'>,
): { service: string; banner?: string } {
  if (facts.ssh) return { service: 'ssh', banner: facts.ssh.banner };
  const server = facts.http?.server;
  const withBanner = (service: string, banner?: string): { service: string; banner?: string } =>
    banner ? { service, banner } : { service };
  if (facts.vsphere) return withBanner('vsphere', facts.vsphere.fullName);
  if (port === 5985 || port === 5986) {
    const overTls = facts.http ? facts.http.overTls : port === 5986;
    return withBanner(overTls ? 'wsman-tls' : 'wsman', server);
  }
  if (facts.http) return withBanner(facts.http.overTls ? 'https' : 'http', server);
  if (facts.tls) return { service: 'ssl' };
  return { service: SERVICE_BY_PORT[port] ?? 'unknown' };
}

/** The model's OpenPort for a fingerprint. */
export function openPortFromFingerprint(fp: PortFingerprint): OpenPort {
  const open: OpenPort = { port: fp.port, proto: 'tcp', service: fp.service };
  if (fp.banner !== undefined) open.banner = fp.banner;
  if (fp.tls) open.tls = fp.tls;
  return open;
}

/**
 * Fingerprints one open TCP port without credentials, following `plan` (default planForPort):
 * 22 → SSH identification; 443, 8443, 5986 → TLS certificate then `GET /` over TLS (and
 * vSphere's /sdk on 443); 80, 8080, 5985 → `GET /`. A TLS port that turns out to speak plain
 * HTTP, or the reverse, is probed the other way once. Other ports are named from the number.
 *
 * `ctx.timeoutMs` limits each sub-probe; bound the whole call with `ctx.signal`. Never rejects
 * for a failed sub-probe: its code and message go to `errors` and the rest is kept.
 *
 * @example
 * await fingerprintPort('198.18.0.40', 443, { signal, timeoutMs: 5000 })
 * // → { port: 443, service: 'vsphere', banner: 'VMware vCenter Server 6.5.0 build-5973321',
 * //     tls: { subject: 'O=Acme Co', … }, http: { status: 404, overTls: true, … },
 * //     vsphere: { apiType: 'VirtualCenter', … }, errors: [] }
 */
export async function fingerprintPort(
  address: string,
  port: number,
  ctx: ProbeContext & { serverName?: string },
  plan: FingerprintPlan = planForPort(port),
): Promise<PortFingerprint> {
  const result: PortFingerprint = { port, service: '', errors: [] };
  const attempt = async <T>(
    probe: FingerprintProbe,
    run: () => Promise<T>,
  ): Promise<T | undefined> => {
    lastError = undefined;
    if (ctx.signal.aborted) {
      result.errors.push({ probe, code: 'ERR_ABORTED', message: `${probe}: aborted before start` });
      return undefined;
    }
    try {
      return await run();
    } catch (err) {
      lastError = err;
      const code: ErrorCode = err instanceof ScannerError ? err.code : 'ERR_PROTOCOL';
      result.errors.push({
        probe,
        code,
        message: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  };
  let lastError: unknown;
  const serverName = ctx.serverName;

  const overTls = async (): Promise<boolean> => {
    const tls = await attempt('tls', () => readTlsCertificate(address, port, { serverName }, ctx));
    if (!tls) return false;
    result.tls = tls;
    const http = await attempt('http', () =>
      probeHttp(address, port, { tls: true, serverName }, ctx),
    );
    if (http) result.http = { ...http, overTls: true };
    return true;
  };
  const plain = async (): Promise<'ok' | 'tls' | 'failed'> => {
    const http = await attempt('http', () =>
      probeHttp(address, port, { tls: false, serverName }, ctx),
    );
    // Kept even when it only says "use TLS": a failed TLS retry must not lose the answer.
    if (http) result.http = { ...http, overTls: false };
    if (http && !http.tlsRequired) return 'ok';
    // Worth one TLS try: the server said so, answered with a TLS record, or closed / answered
    // garbage (node, Java and many appliances just drop a plain request on a TLS port).
    if (http?.tlsRequired) return 'tls';
    if (lastError instanceof TlsMismatchError && lastError.peerSpeaks === 'tls') return 'tls';
    if (lastError instanceof ScannerError && lastError.code === 'ERR_PROTOCOL') return 'tls';
    return 'failed';
  };

  switch (plan.first) {
    case 'ssh': {
      const ssh = await attempt('ssh', () => readSshBanner(address, port, ctx));
      if (ssh) result.ssh = ssh;
      break;
    }
    case 'tls': {
      const handshook = await overTls();
      if (!handshook && lastError instanceof TlsMismatchError && lastError.peerSpeaks === 'plain') {
        await plain();
      }
      if (plan.vsphere && result.http) {
        const vsphere = await attempt('vsphere', () =>
          probeVsphere(address, port, { ...ctx, tls: result.http?.overTls ?? true }),
        );
        if (vsphere) result.vsphere = vsphere;
      }
      break;
    }
    case 'plain': {
      if ((await plain()) === 'tls') await overTls();
      break;
    }
    case 'none':
      break;
  }
  const named = serviceForPort(port, result);
  result.service = named.service;
  if (named.banner !== undefined) result.banner = named.banner;
  return result;
}
