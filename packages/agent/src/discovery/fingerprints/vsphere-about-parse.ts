// Pure parsing of vSphere's unauthenticated answers: RetrieveServiceContent `about` and the
// /sdk/vimServiceVersions.xml namespace list.
import { XMLParser } from 'fast-xml-parser';
import type { VsphereFacts } from '@nopesight/model';

/** The vim25 RetrieveServiceContent request, exactly as sent (no session, no credentials). */
export const RETRIEVE_SERVICE_CONTENT_REQUEST =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
  ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
  '<soapenv:Body><RetrieveServiceContent xmlns="urn:vim25">' +
  '<_this type="ServiceInstance">ServiceInstance</_this>' +
  '</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>';

export type ServiceContentParse =
  | { kind: 'about'; about: VsphereFacts }
  | { kind: 'fault'; faultString: string }
  | { kind: 'not-vsphere'; reason: string };

// Values stay strings: `6.5` must not become the number 6.5, nor a build number lose digits.
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntitySize: 1000, maxEntityCount: 100 },
});

/** SOAP never carries a DTD; refusing one keeps entity tricks out of the parser. */
function parseXml(xml: string): Record<string, unknown> | undefined {
  if (/<!DOCTYPE/i.test(xml)) return undefined;
  try {
    const doc: unknown = parser.parse(xml);
    return typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function child(node: unknown, name: string): unknown {
  return typeof node === 'object' && node !== null
    ? (node as Record<string, unknown>)[name]
    : undefined;
}

function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node.slice(0, 256);
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  return undefined;
}

/**
 * Reads `about` from a RetrieveServiceContent response body. A SOAP fault is reported as such
 * (something answers vim25 but refused); anything else is `not-vsphere`.
 *
 * @example
 * parseServiceContent(body)
 * // → { kind: 'about', about: { name: 'VMware vCenter Server', apiType: 'VirtualCenter', … } }
 */
export function parseServiceContent(xml: string): ServiceContentParse {
  const doc = parseXml(xml);
  const body = child(child(doc, 'Envelope'), 'Body');
  if (body === undefined) return { kind: 'not-vsphere', reason: 'no SOAP envelope' };
  const fault = child(body, 'Fault');
  if (fault !== undefined) {
    return { kind: 'fault', faultString: text(child(fault, 'faultstring')) ?? 'SOAP fault' };
  }
  const about = child(child(child(body, 'RetrieveServiceContentResponse'), 'returnval'), 'about');
  if (typeof about !== 'object' || about === null) {
    return { kind: 'not-vsphere', reason: 'no RetrieveServiceContentResponse/returnval/about' };
  }
  const field = (name: string): string | undefined => text(child(about, name));
  const required = ['name', 'fullName', 'version', 'build', 'apiType', 'apiVersion'] as const;
  const missing = required.filter((name) => field(name) === undefined);
  if (missing.length > 0)
    return { kind: 'not-vsphere', reason: `about lacks ${missing.join(', ')}` };
  const facts: VsphereFacts = {
    name: field('name') as string,
    fullName: field('fullName') as string,
    version: field('version') as string,
    build: field('build') as string,
    apiType: field('apiType') as string,
    apiVersion: field('apiVersion') as string,
  };
  for (const optional of ['instanceUuid', 'productLineId', 'vendor'] as const) {
    const value = field(optional);
    if (value !== undefined) facts[optional] = value;
  }
  return { kind: 'about', about: facts };
}

/**
 * The current `urn:vim25` version from /sdk/vimServiceVersions.xml (`<namespaces><namespace>
 * <name>urn:vim25</name><version>8.0.2.0</version>…`), undefined when absent or not plausible.
 */
export function parseVimServiceVersion(xml: string): string | undefined {
  const namespaces = child(child(parseXml(xml), 'namespaces'), 'namespace');
  const list = Array.isArray(namespaces) ? namespaces : [namespaces];
  for (const ns of list) {
    if (text(child(ns, 'name')) !== 'urn:vim25') continue;
    const version = text(child(ns, 'version'));
    // It goes into the SOAPAction header: accept only a plain version token.
    if (version && /^[0-9A-Za-z._]{1,32}$/.test(version)) return version;
  }
  return undefined;
}
