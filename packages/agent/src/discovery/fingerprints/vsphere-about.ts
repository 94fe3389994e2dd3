// vSphere fingerprint: the unauthenticated RetrieveServiceContent `about` from /sdk (vCenter or ESXi).
import type { VsphereFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import type { ProbeContext } from '../types.js';
import { bodyText } from './http-probe-parse.js';
import { httpExchange } from './http-probe-request.js';
import {
  parseServiceContent,
  parseVimServiceVersion,
  RETRIEVE_SERVICE_CONTENT_REQUEST,
} from './vsphere-about-parse.js';

/**
 * SOAPAction when the server does not list its version. govmomi sends `urn:vim25/<version>`
 * (unquoted) and pyVmomi `"urn:vim25/<version>"`; 6.0 is known to every vSphere still in use,
 * and `about` carries the server's own apiVersion whatever version the request names.
 */
export const FALLBACK_VIM_VERSION = '6.0';

/** Bodies kept: RetrieveServiceContent answers are 3–6 KB; the versions file is under 1 KB. */
const MAX_SOAP_BODY_BYTES = 262144;
const MAX_VERSIONS_BODY_BYTES = 16384;

export interface VsphereProbeOptions {
  /** Default true: vSphere's /sdk is HTTPS on 443. */
  tls?: boolean;
  serverName?: string;
}

/**
 * Asks an HTTPS port whether it is vSphere, without logging in, in at most two requests:
 * `GET /sdk/vimServiceVersions.xml` (the version to name in SOAPAction, as pyVmomi does), then
 * `POST /sdk` RetrieveServiceContent. `ctx.timeoutMs` bounds both together.
 *
 * Returns null when the port speaks HTTP(S) but is not vSphere (404, HTML, other XML).
 * Errors: ERR_UNREACHABLE, ERR_TIMEOUT, ERR_ABORTED, ERR_PROTOCOL (not HTTP(S) at all, or a
 * vim25 SOAP fault, which means vSphere answered but refused).
 *
 * @example
 * await probeVsphere('198.18.0.40', 443, { signal, timeoutMs: 8000 })
 * // → { name: 'VMware vCenter Server', fullName: 'VMware vCenter Server 6.5.0 build-5973321',
 * //     version: '6.5.0', build: '5973321', apiType: 'VirtualCenter', apiVersion: '6.5', … }
 */
export async function probeVsphere(
  address: string,
  port: number,
  ctx: ProbeContext & VsphereProbeOptions,
): Promise<VsphereFacts | null> {
  const started = Date.now();
  const tls = ctx.tls ?? true;
  const remaining = (): ProbeContext => {
    const left = ctx.timeoutMs - (Date.now() - started);
    if (left <= 0) {
      throw new ScannerError(
        'ERR_TIMEOUT',
        `vsphere ${address}:${port}: probe exceeded its ${ctx.timeoutMs} ms limit`,
      );
    }
    return { signal: ctx.signal, timeoutMs: left };
  };

  const versions = await httpExchange(
    address,
    port,
    {
      tls,
      serverName: ctx.serverName,
      method: 'GET',
      path: '/sdk/vimServiceVersions.xml',
      maxBodyBytes: MAX_VERSIONS_BODY_BYTES,
    },
    remaining(),
  );
  const listed =
    versions.head.status === 200
      ? parseVimServiceVersion(bodyText(versions.body, undefined))
      : undefined;

  const answer = await httpExchange(
    address,
    port,
    {
      tls,
      serverName: ctx.serverName,
      method: 'POST',
      path: '/sdk',
      headers: {
        'Content-Type': 'text/xml; charset="utf-8"',
        SOAPAction: `urn:vim25/${listed ?? FALLBACK_VIM_VERSION}`,
      },
      body: RETRIEVE_SERVICE_CONTENT_REQUEST,
      maxBodyBytes: MAX_SOAP_BODY_BYTES,
    },
    remaining(),
  );
  // 200 carries the answer; vSphere sends faults with 500. Anything else is not vSphere.
  if (answer.head.status !== 200 && answer.head.status !== 500) return null;
  const parsed = parseServiceContent(bodyText(answer.body, undefined));
  switch (parsed.kind) {
    case 'about':
      return parsed.about;
    case 'fault':
      throw new ScannerError(
        'ERR_PROTOCOL',
        `vsphere ${address}:${port}: RetrieveServiceContent fault: ${parsed.faultString}`,
      );
    case 'not-vsphere':
      return null;
  }
}
