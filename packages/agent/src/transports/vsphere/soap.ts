// vim25 SOAP envelopes: building requests, parsing responses, turning faults into typed errors.
import { XMLParser } from 'fast-xml-parser';
import { ScannerError, type ErrorCode } from '../../errors.js';

/** A managed object reference: `<rootFolder type="Folder">group-d1</rootFolder>`. */
export interface MoRef {
  type: string;
  value: string;
}

/** A parsed XML element: text under `#text`, attributes under `@_name`, children by local name. */
export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/** A SOAP fault from vCenter, its vim25 type kept (`InvalidLogin`, `NoPermission`…). */
export class VimFaultError extends ScannerError {
  readonly faultType: string;
  constructor(code: ErrorCode, faultType: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'VimFaultError';
    this.faultType = faultType;
  }
}

const FAULT_CODES: Record<string, ErrorCode> = {
  InvalidLogin: 'ERR_AUTH_FAILED',
  NotAuthenticated: 'ERR_AUTH_FAILED',
  NoPermission: 'ERR_ACCESS_DENIED',
};

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/**
 * For answers whose values carry `xsi:type` (RetrievePropertiesEx): element prefixes dropped,
 * attribute prefixes kept, because a reference value has both `type` (its managed object type)
 * and `xsi:type` (`ManagedObjectReference`) and removeNSPrefix would fold them into one.
 */
const typedParser = new XMLParser({
  removeNSPrefix: false,
  transformTagName: (name) => name.slice(name.indexOf(':') + 1),
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/**
 * The `xsi:type` of an element parsed with the typed parser, its value's prefix dropped. Any
 * prefix bound to the schema-instance namespace counts: vCenter writes `xsi:`, govmomi's
 * simulator `XMLSchema-instance:`.
 */
export function xsiTypeOf(v: XmlValue | undefined): string | null {
  if (!isNode(v)) return null;
  for (const [k, t] of Object.entries(v)) {
    if (
      typeof t === 'string' &&
      k.startsWith('@_') &&
      k.endsWith(':type') &&
      !k.startsWith('@_xmlns')
    ) {
      return t.slice(t.indexOf(':') + 1);
    }
  }
  return null;
}

/** Escapes text for an XML element body. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A vim25 request: `<method><_this type=…>…</_this>{body}</method>` in a SOAP 1.1 envelope. */
export function soapEnvelope(method: string, self: MoRef, body = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><${method} xmlns="urn:vim25">` +
    `<_this type="${xmlEscape(self.type)}">${xmlEscape(self.value)}</_this>${body}` +
    `</${method}></soapenv:Body></soapenv:Envelope>`
  );
}

function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of an element that may carry attributes; '' when absent. */
export function textOf(v: XmlValue | undefined): string {
  if (typeof v === 'string') return v;
  if (isNode(v)) {
    const t = v['#text'];
    return typeof t === 'string' ? t : '';
  }
  return '';
}

/** A child element as MoRef, or null. */
export function moRefOf(v: XmlValue | undefined): MoRef | null {
  if (!isNode(v)) return null;
  const type = v['@_type'];
  const value = textOf(v);
  return typeof type === 'string' && value ? { type, value } : null;
}

/** `v` when it is an element (not text, not a list), else null. */
export function asNode(v: XmlValue | undefined): XmlNode | null {
  return isNode(v) ? v : null;
}

/** The child `name` of a node, when it is an element (not a list, not text). */
export function childNode(v: XmlValue | undefined, name: string): XmlNode | null {
  if (!isNode(v)) return null;
  const c = v[name];
  return isNode(c) ? c : null;
}

function faultFrom(fault: XmlNode): VimFaultError {
  const faultString = textOf(fault['faultstring']);
  const detail = childNode(fault, 'detail');
  let faultType = 'Unknown';
  if (detail) {
    const [name, el] = Object.entries(detail).find(([k]) => !k.startsWith('@_')) ?? [];
    if (name) {
      const typeAttr = isNode(el) ? (el['@_type'] ?? xsiTypeOf(el) ?? undefined) : undefined;
      faultType = typeof typeAttr === 'string' ? typeAttr : name.replace(/Fault$/, '');
    }
  }
  const code = FAULT_CODES[faultType] ?? 'ERR_PROTOCOL';
  const text = faultString ? `: ${faultString}` : '';
  return new VimFaultError(code, faultType, `vsphere fault ${faultType}${text}`);
}

/**
 * The `returnval` of `<{method}Response>` (undefined for methods returning nothing, like Logout).
 * Throws VimFaultError for a SOAP fault, ERR_PROTOCOL for anything that is not a vim25 answer.
 * Documents with a DOCTYPE are refused: SOAP forbids them and they are the way to entity bombs.
 * `typed` keeps attribute prefixes (`@_xsi:type` beside `@_type`), for property values.
 */
export function parseSoapResponse(
  xml: string,
  method: string,
  opts: { typed?: boolean } = {},
): XmlValue | undefined {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new ScannerError('ERR_PROTOCOL', 'vsphere response carries a DOCTYPE; refused');
  }
  let doc: XmlNode;
  try {
    doc = (opts.typed ? typedParser : parser).parse(xml) as XmlNode;
  } catch (err) {
    throw new ScannerError('ERR_PROTOCOL', 'vsphere response is not XML', {
      cause: err instanceof Error ? new Error(err.message) : undefined,
    });
  }
  const body = childNode(doc['Envelope'], 'Body');
  if (!body) throw new ScannerError('ERR_PROTOCOL', 'vsphere response is not a SOAP envelope');
  const fault = childNode(body, 'Fault');
  if (fault) throw faultFrom(fault);
  const response = body[`${method}Response`];
  if (response === undefined) {
    throw new ScannerError('ERR_PROTOCOL', `vsphere response has no ${method}Response`);
  }
  return isNode(response) ? response['returnval'] : undefined;
}
