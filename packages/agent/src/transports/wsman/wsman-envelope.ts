// WS-Management request envelopes (WS-Addressing + WS-Enumeration), byte-compatible with pywinrm's.

export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  n: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
} as const;
export const ENUMERATION_ACTION = `${NS.n}/`;
export const WQL_DIALECT = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** The WMI ResourceURI for a namespace, `*` meaning "any class, chosen by the filter". */
export function wmiResourceUri(namespace = 'root/cimv2', className = '*'): string {
  return `http://schemas.microsoft.com/wbem/wsman/1/wmi/${namespace.replace(/\\/g, '/')}/${className}`;
}

/** Escapes element text as xmltodict (and so pywinrm) does: &, <, >. */
export function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
/** Escapes an attribute value (double-quoted). */
function escAttr(s: string): string {
  return escText(s).replace(/"/g, '&quot;');
}

export interface EnvelopeOptions {
  /** The endpoint URL, sent as a:To. */
  to: string;
  resourceUri: string;
  /** `uuid:…`-less UUID of this message. */
  messageId: string;
  /** Seconds the server may spend on the operation (w:OperationTimeout). */
  operationTimeoutSec: number;
  /** w:MaxEnvelopeSize in bytes; pywinrm's default is 153600. */
  maxEnvelopeSize: number;
  locale: string;
}

/**
 * A SOAP envelope with pywinrm's header: `actionUri` in full, then the selectors (instance keys)
 * where pywinrm puts its ShellId selector. invoke.ts builds WMI method calls with it.
 */
export function soapEnvelope(
  o: EnvelopeOptions,
  actionUri: string,
  body: string,
  selectors: readonly { name: string; value: string }[] = [],
): string {
  const selectorSet =
    selectors.length === 0
      ? ''
      : '<w:SelectorSet>' +
        selectors
          .map((s) => `<w:Selector Name="${escAttr(s.name)}">${escText(s.value)}</w:Selector>`)
          .join('') +
        '</w:SelectorSet>';
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    `xmlns:env="${NS.env}" xmlns:a="${NS.a}" ` +
    'xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" ' +
    `xmlns:n="${NS.n}" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" ` +
    `xmlns:w="${NS.w}" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd" ` +
    'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" ' +
    'xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config">' +
    `<env:Header><a:To>${escText(o.to)}</a:To>` +
    `<a:ReplyTo><a:Address mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<w:MaxEnvelopeSize mustUnderstand="true">${o.maxEnvelopeSize}</w:MaxEnvelopeSize>` +
    `<a:MessageID>uuid:${escText(o.messageId)}</a:MessageID>` +
    `<w:Locale mustUnderstand="false" xml:lang="${escAttr(o.locale)}"></w:Locale>` +
    `<p:DataLocale mustUnderstand="false" xml:lang="${escAttr(o.locale)}"></p:DataLocale>` +
    `<w:OperationTimeout>PT${Math.max(1, Math.floor(o.operationTimeoutSec))}S</w:OperationTimeout>` +
    `<w:ResourceURI mustUnderstand="true">${escText(o.resourceUri)}</w:ResourceURI>` +
    `<a:Action mustUnderstand="true">${escText(actionUri)}</a:Action>${selectorSet}` +
    `</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

function envelope(o: EnvelopeOptions, action: string, body: string): string {
  return soapEnvelope(o, `${ENUMERATION_ACTION}${action}`, body);
}

/** WS-Enumeration Enumerate with a WQL filter; OptimizeEnumeration returns a first page at once. */
export function enumerateEnvelope(o: EnvelopeOptions, wql: string, maxElements: number): string {
  return envelope(
    o,
    'Enumerate',
    '<n:Enumerate><w:OptimizeEnumeration></w:OptimizeEnumeration>' +
      `<w:MaxElements>${maxElements}</w:MaxElements>` +
      `<w:Filter Dialect="${WQL_DIALECT}">${escText(wql)}</w:Filter></n:Enumerate>`,
  );
}

/** WS-Enumeration Pull of the next page of `context`. */
export function pullEnvelope(o: EnvelopeOptions, context: string, maxElements: number): string {
  return envelope(
    o,
    'Pull',
    `<n:Pull><n:EnumerationContext>${escText(context)}</n:EnumerationContext>` +
      `<w:MaxElements>${maxElements}</w:MaxElements></n:Pull>`,
  );
}

/** WS-Enumeration Release: frees an enumeration abandoned before its end. */
export function releaseEnvelope(o: EnvelopeOptions, context: string): string {
  return envelope(
    o,
    'Release',
    `<n:Release><n:EnumerationContext>${escText(context)}</n:EnumerationContext></n:Release>`,
  );
}
