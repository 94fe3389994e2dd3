// WMI method calls over WinRM: the WS-Man Invoke action (`<ResourceURI>/<Method>`) with a
// `<p:Method_INPUT>` body, instance keys as selectors, and the `<p:Method_OUTPUT>` answer read
// into the CimObject shape the DCOM path's out-parameters have.
import { ScannerError } from '../../errors.js';
import type { CimObject, CimScalar, CimType } from '../wmio/cim-object.js';
import type { CimValue } from '../wmio/wmio-encoder.js';
import type { WsmanClient } from './wsman-client.js';
import { escText, soapEnvelope, wmiResourceUri, type EnvelopeOptions } from './wsman-envelope.js';
import { faultOf, instanceFromXml, parseEnvelope, type XmlNode } from './wsman-response.js';

/** What a method is called on: a class (static methods) or one instance by its keys. */
export interface InvokeTarget {
  /** `root/default`, `root/cimv2`. */
  namespace: string;
  className: string;
  /** Instance keys (`Handle` = `4242`); none for a static method. */
  selectors?: { name: string; value: string }[];
}

export interface InvokeOptions {
  signal: AbortSignal;
  /** Types of the out-parameters; anything not listed is read as a string. */
  outSchema?: Record<string, { cimType: CimType; isArray?: boolean }>;
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(kind: string, name: string): void {
  if (!XML_NAME.test(name))
    throw new ScannerError('ERR_CONFIG_INVALID', `WinRM Invoke: ${kind} "${name}" is not a name`);
}

/** One parameter value as element text (arrays are repeated elements, written by the caller). */
function scalarText(name: string, v: CimScalar): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if ('dmtf' in v) return v.dmtf;
  throw new ScannerError('ERR_CONFIG_INVALID', `WinRM Invoke: ${name} is an embedded object`);
}

function paramXml(name: string, v: CimValue): string {
  if (v === null) return `<p:${name} xsi:nil="true"></p:${name}>`;
  const items = Array.isArray(v) ? v : [v];
  return items.map((x) => `<p:${name}>${escText(scalarText(name, x))}</p:${name}>`).join('');
}

/**
 * The Invoke envelope: ResourceURI `…/wmi/<namespace>/<Class>`, action `<ResourceURI>/<Method>`,
 * selectors for an instance, `<p:Method_INPUT xmlns:p="<ResourceURI>">` with the parameters in
 * the order given (byte-identical to pywinrm's header and xmltodict serialisation).
 */
export function invokeEnvelope(
  o: EnvelopeOptions,
  target: InvokeTarget,
  method: string,
  params: Record<string, CimValue>,
): string {
  checkName('class', target.className);
  checkName('method', method);
  for (const name of Object.keys(params)) checkName('parameter', name);
  const uri = wmiResourceUri(target.namespace, target.className);
  const body =
    `<p:${method}_INPUT xmlns:p="${escText(uri).replace(/"/g, '&quot;')}">` +
    Object.entries(params)
      .map(([k, v]) => paramXml(k, v))
      .join('') +
    `</p:${method}_INPUT>`;
  return soapEnvelope({ ...o, resourceUri: uri }, `${uri}/${method}`, body, target.selectors);
}

/**
 * A `<p:Method_OUTPUT>` answer as a CimObject named `__PARAMETERS` (as the DCOM out-parameters
 * are): repeated elements are arrays, `xsi:nil` NULL, an absent parameter absent. A SOAP fault is
 * thrown as WsmanFaultError (AccessDenied → ERR_ACCESS_DENIED, as the rest of the client).
 */
export function parseInvokeResponse(
  xml: string,
  method: string,
  outSchema: InvokeOptions['outSchema'] = {},
): CimObject {
  const body = parseEnvelope(xml);
  const fault = faultOf(body);
  if (fault) throw fault;
  const raw = body[`${method}_OUTPUT`];
  const node = Array.isArray(raw) ? raw[0] : raw;
  if (node === undefined)
    throw new ScannerError('ERR_PROTOCOL', `WinRM: the answer has no ${method}_OUTPUT`);
  const out: XmlNode = typeof node === 'object' && !Array.isArray(node) ? node : {};
  return instanceFromXml('__PARAMETERS', out, { __PARAMETERS: outSchema }, 0);
}

/**
 * Calls `method` on `target` through `client` and returns its out-parameters.
 * @example
 * const out = await wsmanInvoke(client, { namespace: 'root/default', className: 'StdRegProv' },
 *   'EnumKey', { hDefKey: 2147483650, sSubKeyName: 'SOFTWARE' },
 *   { signal, outSchema: { ReturnValue: { cimType: 'uint32' }, sNames: { cimType: 'string', isArray: true } } });
 */
export async function wsmanInvoke(
  client: WsmanClient,
  target: InvokeTarget,
  method: string,
  params: Record<string, CimValue>,
  o: InvokeOptions,
): Promise<CimObject> {
  const xml = await client.exchange((e) => invokeEnvelope(e, target, method, params), o.signal);
  return parseInvokeResponse(xml, method, o.outSchema);
}
