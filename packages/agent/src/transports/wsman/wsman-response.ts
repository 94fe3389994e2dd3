// WS-Management answers: Enumerate/Pull pages, SOAP faults as typed errors, and WMI instance
// XML into the same CimObject shape the MS-WMIO decoder produces.
import { XMLParser } from 'fast-xml-parser';
import { ScannerError, type ErrorCode } from '../../errors.js';
import {
  datetimeFromIso,
  parseDmtfDatetime,
  type CimObject,
  type CimProperty,
  type CimScalar,
  type CimType,
} from '../wmio/cim-object.js';

export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

/** What the collector knows about a class's properties; anything missing is read as string. */
export type CimSchema = Record<string, Record<string, { cimType: CimType; isArray?: boolean }>>;

/** A WS-Man SOAP fault, its subcode and WSManFault code kept for callers that care. */
export class WsmanFaultError extends ScannerError {
  readonly subcode: string;
  readonly wsmanCode: string | null;
  constructor(code: ErrorCode, subcode: string, wsmanCode: string | null, message: string) {
    super(code, message);
    this.name = 'WsmanFaultError';
    this.subcode = subcode;
    this.wsmanCode = wsmanCode;
  }
}

const FAULT_CODES: Record<string, ErrorCode> = {
  AccessDenied: 'ERR_ACCESS_DENIED',
  TimedOut: 'ERR_TIMEOUT',
};
/** WSManFault code of an operation timeout (ERROR_WSMAN_OPERATION_TIMEDOUT). */
const WSMAN_TIMEOUT_CODE = '2150858793';

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
});

function isNode(v: XmlValue | undefined): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function first(v: XmlValue | undefined): XmlValue | undefined {
  return Array.isArray(v) ? v[0] : v;
}
function text(v: XmlValue | undefined): string {
  const f = first(v);
  if (typeof f === 'string') return f;
  if (isNode(f) && typeof f['#text'] === 'string') return f['#text'];
  return '';
}
function child(v: XmlValue | undefined, name: string): XmlValue | undefined {
  const f = first(v);
  return isNode(f) ? f[name] : undefined;
}

/** The SOAP Body of an answer (DOCTYPEs and non-XML refused as ERR_PROTOCOL). */
export function parseEnvelope(xml: string): XmlNode {
  if (/<!DOCTYPE/i.test(xml)) throw new ScannerError('ERR_PROTOCOL', 'WinRM: answer has a DOCTYPE');
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (err) {
    throw new ScannerError('ERR_PROTOCOL', `WinRM: answer is not XML (${(err as Error).message})`);
  }
  const body = child(doc['Envelope'], 'Body');
  if (!isNode(first(body)))
    throw new ScannerError('ERR_PROTOCOL', 'WinRM: answer is not a SOAP envelope');
  return first(body) as XmlNode;
}

/** The fault in a SOAP body as a WsmanFaultError, or null when the body is not a fault. */
export function faultOf(body: XmlNode): WsmanFaultError | null {
  const fault = body['Fault'];
  if (!fault) return null;
  const code = child(fault, 'Code');
  const subcode = text(child(child(code, 'Subcode'), 'Value')) || text(child(code, 'Value'));
  const local = subcode.slice(subcode.indexOf(':') + 1);
  const reason = text(child(child(fault, 'Reason'), 'Text')).trim();
  const wsf = first(child(child(fault, 'Detail'), 'WSManFault'));
  const wsmanCode = isNode(wsf) && typeof wsf['@_Code'] === 'string' ? wsf['@_Code'] : null;
  const message = text(child(wsf, 'Message')).trim();
  const errCode =
    FAULT_CODES[local] ?? (wsmanCode === WSMAN_TIMEOUT_CODE ? 'ERR_TIMEOUT' : 'ERR_PROTOCOL');
  const detail = [reason, message].filter(Boolean).join(' — ').slice(0, 500);
  const phase = errCode === 'ERR_TIMEOUT' ? 'WinRM operation timed out on the server: ' : '';
  return new WsmanFaultError(
    errCode,
    local || 'Unknown',
    wsmanCode,
    `${phase}WS-Man fault ${local || 'Unknown'}${detail ? `: ${detail}` : ''}`,
  );
}

/** One page of an enumeration. */
export interface EnumerationPage {
  items: CimObject[];
  /** Context for the next Pull; null when the server ended the sequence. */
  context: string | null;
}

/**
 * An EnumerateResponse or PullResponse. `fallbackClass` names items the server sends as
 * XmlFragment (projections). Throws the fault as WsmanFaultError.
 */
export function parseEnumerationResponse(
  xml: string,
  schema: CimSchema = {},
  fallbackClass = '',
): EnumerationPage {
  const body = parseEnvelope(xml);
  const fault = faultOf(body);
  if (fault) throw fault;
  const resp = first(body['EnumerateResponse'] ?? body['PullResponse']);
  if (!isNode(resp))
    throw new ScannerError('ERR_PROTOCOL', 'WinRM: neither EnumerateResponse nor PullResponse');
  const end = resp['EndOfSequence'] !== undefined;
  const ctx = text(resp['EnumerationContext']).trim();
  const itemsNode = first(resp['Items']);
  const items: CimObject[] = [];
  if (isNode(itemsNode)) {
    for (const [name, v] of Object.entries(itemsNode)) {
      if (name.startsWith('@_') || name === '#text') continue;
      for (const inst of Array.isArray(v) ? v : [v]) {
        if (!isNode(inst)) continue;
        const className = name === 'XmlFragment' ? fallbackClass : name;
        items.push(instanceFromXml(className, inst, schema, 0));
      }
    }
  }
  if (!end && !ctx)
    throw new ScannerError('ERR_PROTOCOL', 'WinRM: page has neither a context nor EndOfSequence');
  return { items, context: end ? null : ctx };
}

function isNil(v: XmlValue): boolean {
  return isNode(v) && (v['@_nil'] === 'true' || v['@_nil'] === '1');
}

const MAX_DEPTH = 8;

function scalarFromXml(v: XmlValue, type: CimType, schema: CimSchema, depth: number): CimScalar {
  if (isNode(v)) {
    if (v['Datetime'] !== undefined) return datetimeFromIso(text(v['Datetime']).trim());
    if (v['Interval'] !== undefined) return { dmtf: text(v['Interval']).trim(), date: null };
    if (v['Date'] !== undefined) return { dmtf: text(v['Date']).trim(), date: null };
    if (v['ReferenceParameters'] !== undefined) return referenceText(v);
    const hasChildren = Object.keys(v).some((k) => !k.startsWith('@_') && k !== '#text');
    if (hasChildren) {
      if (depth >= MAX_DEPTH)
        throw new ScannerError('ERR_PROTOCOL', 'WinRM: embedded objects nested too deep');
      const xsiType = typeof v['@_type'] === 'string' ? v['@_type'] : '';
      const cls = xsiType.slice(xsiType.indexOf(':') + 1).replace(/_Type$/, '');
      return instanceFromXml(cls, v, schema, depth + 1);
    }
  }
  const t = typeof v === 'string' ? v : text(v);
  switch (type) {
    case 'sint8':
    case 'uint8':
    case 'sint16':
    case 'uint16':
    case 'sint32':
    case 'uint32':
    case 'real32':
    case 'real64': {
      const n = Number(t.trim());
      if (t.trim() === '' || Number.isNaN(n))
        throw new ScannerError('ERR_PROTOCOL', `WinRM: "${t.slice(0, 40)}" is not a ${type}`);
      return n;
    }
    case 'sint64':
    case 'uint64':
      if (!/^-?\d{1,20}$/.test(t.trim()))
        throw new ScannerError('ERR_PROTOCOL', `WinRM: "${t.slice(0, 40)}" is not a ${type}`);
      return BigInt(t.trim()).toString();
    case 'boolean':
      return t.trim() === 'true' || t.trim() === '1';
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}T/.test(t.trim())
        ? datetimeFromIso(t.trim())
        : parseDmtfDatetime(t.trim());
    default:
      return t;
  }
}

/** An EPR (a:Address + a:ReferenceParameters) as `ResourceURI?Key=Value&…`. */
function referenceText(v: XmlNode): string {
  const params = child(v, 'ReferenceParameters');
  const uri = text(child(params, 'ResourceURI')).trim();
  const selectors = child(child(params, 'SelectorSet'), 'Selector');
  const list = Array.isArray(selectors) ? selectors : selectors === undefined ? [] : [selectors];
  const parts = list.map(
    (s) => `${isNode(s) && typeof s['@_Name'] === 'string' ? s['@_Name'] : ''}=${text(s)}`,
  );
  return parts.length ? `${uri}?${parts.join('&')}` : uri;
}

/** A WMI instance element (children are properties; repeated children an array). */
export function instanceFromXml(
  className: string,
  node: XmlNode,
  schema: CimSchema,
  depth: number,
): CimObject {
  const known = schema[className] ?? {};
  const properties: Record<string, CimProperty> = {};
  for (const [name, v] of Object.entries(node)) {
    if (name.startsWith('@_') || name === '#text') continue;
    const decl = known[name];
    const isRepeated = Array.isArray(v);
    const values = isRepeated ? v : [v];
    let cimType: CimType = decl?.cimType ?? 'string';
    if (!decl && values.some((x) => isNode(x) && x['Datetime'] !== undefined)) cimType = 'datetime';
    const isArray = decl?.isArray ?? isRepeated;
    const present = values.filter((x) => !isNil(x));
    let value: CimProperty['value'];
    if (present.length === 0) value = null;
    else if (isArray) value = present.map((x) => scalarFromXml(x, cimType, schema, depth));
    else value = scalarFromXml(present[0]!, cimType, schema, depth);
    properties[name] = { cimType, isArray, value };
  }
  return { className, properties };
}
