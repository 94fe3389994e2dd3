// vim25 PropertyCollector over a ContainerView: one paged RetrievePropertiesEx per request, values
// decoded from their xsi:type into plain data (references as {type, value}).
import { ScannerError } from '../../errors.js';
import {
  asNode,
  textOf,
  VimFaultError,
  xmlEscape,
  xsiTypeOf,
  type MoRef,
  type XmlNode,
  type XmlValue,
} from './soap.js';
import { isNotAuthenticated, VimResponseTooLargeError, type VimClient } from './vim-client.js';

/** A decoded property value: text, number, boolean, reference, data object or array of these. */
export type VimValue = string | number | boolean | VimRef | VimObject | VimValue[];
/** A managed object reference inside a value. */
export interface VimRef {
  _type: 'ManagedObjectReference';
  type: string;
  value: string;
}
/** A data object: its xsi:type under `_type` (when the server said it) and its fields. */
export interface VimObject {
  _type?: string;
  [field: string]: VimValue | undefined;
}

/** One object of a retrieve: the properties asked for, and those the server could not give. */
export interface ObjectContent {
  obj: MoRef;
  props: Record<string, VimValue>;
  /** `fault` is the vim25 fault type (`NoPermission`, `InvalidProperty`, `NotAuthenticated`…). */
  missing: { path: string; fault: string }[];
}

/** Properties of one managed object type (subtypes included, as the collector does). */
export interface PropertySpec {
  type: string;
  paths: readonly string[];
}

export interface RetrieveOptions {
  signal: AbortSignal;
  /** Objects per page asked of the server (it may send fewer); halved when a page is too large. */
  maxObjects: number;
  /** Upper bound on pages, so a server that keeps sending tokens cannot keep us forever. */
  maxPages?: number;
}

export interface RetrieveResult {
  objects: ObjectContent[];
  /** RetrievePropertiesEx + ContinueRetrievePropertiesEx calls that returned objects. */
  pages: number;
  /** The page size finally used (smaller than asked after a too-large answer). */
  maxObjects: number;
}

const XSD_NUMBER = new Set(['int', 'long', 'short', 'byte', 'double', 'float']);
const DEFAULT_MAX_PAGES = 100_000;
/** Halvings of the page size after too-large answers before giving up. */
const MAX_SHRINKS = 10;

function isRefNode(node: XmlNode): boolean {
  if (typeof node['@_type'] !== 'string') return false;
  return Object.keys(node).every((k) => k.startsWith('@_') || k === '#text');
}

/**
 * Decodes a parsed element (typed parser) into a VimValue. Arrays (`ArrayOfString`,
 * `ArrayOfManagedObjectReference`, `ArrayOfPhysicalNic`…) become JS arrays; a field repeated in
 * a data object is an array, a field present once is not: callers read list fields with list().
 */
export function vimValue(v: XmlValue | undefined): VimValue {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => vimValue(x));
  const xsi = xsiTypeOf(v);
  if (xsi === 'ManagedObjectReference' || (xsi === null && isRefNode(v))) {
    return { _type: 'ManagedObjectReference', type: String(v['@_type'] ?? ''), value: textOf(v) };
  }
  if (xsi?.startsWith('ArrayOf')) {
    const items = Object.entries(v).filter(([k]) => !k.startsWith('@_') && k !== '#text');
    return items
      .flatMap(([, item]) => (Array.isArray(item) ? item : [item]))
      .map((x) => vimValue(x));
  }
  if (xsi && XSD_NUMBER.has(xsi)) {
    const n = Number(textOf(v));
    return Number.isFinite(n) ? n : textOf(v);
  }
  if (xsi === 'boolean') return textOf(v) === 'true';
  const children = Object.entries(v).filter(([k]) => !k.startsWith('@_') && k !== '#text');
  if (children.length === 0) return textOf(v);
  const out: VimObject = {};
  if (xsi) out._type = xsi;
  for (const [k, child] of children) out[k] = vimValue(child);
  return out;
}

/** `v` as an array: arrays as they are, one value as [v], nothing as []. */
export function list(v: VimValue | undefined): VimValue[] {
  if (v === undefined || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

/** `v` when it is a reference. */
export function asRef(v: VimValue | undefined): VimRef | null {
  return typeof v === 'object' && !Array.isArray(v) && v._type === 'ManagedObjectReference'
    ? (v as VimRef)
    : null;
}

/** `v` when it is a data object (not a reference, not an array, not text). */
export function asObject(v: VimValue | undefined): VimObject | null {
  return typeof v === 'object' && !Array.isArray(v) && v._type !== 'ManagedObjectReference'
    ? (v as VimObject)
    : null;
}

function nodes(v: XmlValue | undefined): XmlNode[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => (asNode(x) ? [x as XmlNode] : []));
}

/** The objects of a RetrieveResult (`returnval` of RetrievePropertiesEx or its continuation). */
export function parseRetrieveResult(ret: XmlValue | undefined): {
  objects: ObjectContent[];
  token: string;
} {
  const node = asNode(ret);
  if (!node) return { objects: [], token: '' };
  const objects = nodes(node['objects']).map((o): ObjectContent => {
    const obj = asNode(o['obj']);
    const props: Record<string, VimValue> = {};
    for (const p of nodes(o['propSet'])) props[textOf(p['name'])] = vimValue(p['val']);
    const missing = nodes(o['missingSet']).map((m) => {
      const fault = asNode(asNode(m['fault'])?.['fault']);
      return { path: textOf(m['path']), fault: xsiTypeOf(fault ?? undefined) ?? 'Unknown' };
    });
    return {
      obj: { type: String(obj?.['@_type'] ?? ''), value: textOf(obj ?? undefined) },
      props,
      missing,
    };
  });
  return { objects, token: textOf(node['token']) };
}

/**
 * ViewManager.CreateContainerView: a server-side list of every entity of `types` under
 * `container` (subtypes included). It belongs to the session: gone after logout or re-login.
 */
export async function createContainerView(
  client: VimClient,
  viewManager: MoRef,
  container: MoRef,
  types: readonly string[],
  opts: { signal: AbortSignal },
): Promise<MoRef> {
  const body =
    `<container type="${xmlEscape(container.type)}">${xmlEscape(container.value)}</container>` +
    types.map((t) => `<type>${xmlEscape(t)}</type>`).join('') +
    '<recursive>true</recursive>';
  const ret = await client.call('CreateContainerView', viewManager, body, opts);
  const value = textOf(ret);
  if (!value)
    throw new ScannerError('ERR_PROTOCOL', 'vsphere CreateContainerView returned no view');
  return { type: 'ContainerView', value };
}

/** View.DestroyView. */
export async function destroyView(
  client: VimClient,
  view: MoRef,
  opts: { signal: AbortSignal },
): Promise<void> {
  await client.call('DestroyView', view, '', opts);
}

/** The PropertyFilterSpec: `specs` on every object of `view` (the view itself skipped). */
export function viewFilterSpec(view: MoRef, specs: readonly PropertySpec[]): string {
  const propSets = specs
    .map(
      (s) =>
        `<propSet><type>${xmlEscape(s.type)}</type><all>false</all>` +
        s.paths.map((p) => `<pathSet>${xmlEscape(p)}</pathSet>`).join('') +
        '</propSet>',
    )
    .join('');
  return (
    `<specSet>${propSets}<objectSet>` +
    `<obj type="ContainerView">${xmlEscape(view.value)}</obj><skip>true</skip>` +
    '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type>' +
    '<path>view</path><skip>false</skip></selectSet>' +
    '</objectSet></specSet>'
  );
}

/** The session's objects all report NotAuthenticated: a vcsim answer for an expired session. */
function allNotAuthenticated(objects: ObjectContent[]): boolean {
  return (
    objects.length > 0 &&
    objects.every(
      (o) =>
        Object.keys(o.props).length === 0 &&
        o.missing.length > 0 &&
        o.missing.every((m) => m.fault === 'NotAuthenticated'),
    )
  );
}

/**
 * RetrievePropertiesEx of `specs` over `view`, then ContinueRetrievePropertiesEx until the server
 * sends no token: round trips grow with objects / maxObjects, never with objects. An answer larger
 * than the client's limit cancels the token and starts again with half the page size (a read, so
 * safe to repeat). Objects all missing with NotAuthenticated are raised as that fault, so
 * VimClient.withSession can log in again.
 */
export async function retrieveFromView(
  client: VimClient,
  propertyCollector: MoRef,
  view: MoRef,
  specs: readonly PropertySpec[],
  opts: RetrieveOptions,
): Promise<RetrieveResult> {
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  let maxObjects = Math.max(1, Math.floor(opts.maxObjects));
  const call = { signal: opts.signal, typed: true };
  for (let shrink = 0; ; shrink++) {
    const objects: ObjectContent[] = [];
    let token = '';
    let pages = 0;
    try {
      const first = parseRetrieveResult(
        await client.call(
          'RetrievePropertiesEx',
          propertyCollector,
          `${viewFilterSpec(view, specs)}<options><maxObjects>${maxObjects}</maxObjects></options>`,
          call,
        ),
      );
      pages++;
      objects.push(...first.objects);
      token = first.token;
      while (token) {
        if (pages >= maxPages) {
          throw new ScannerError(
            'ERR_PROTOCOL',
            `vsphere retrieve still paging after ${maxPages} pages`,
          );
        }
        const next = parseRetrieveResult(
          await client.call(
            'ContinueRetrievePropertiesEx',
            propertyCollector,
            `<token>${xmlEscape(token)}</token>`,
            call,
          ),
        );
        pages++;
        objects.push(...next.objects);
        token = next.token;
      }
    } catch (err) {
      if (!(err instanceof VimResponseTooLargeError) || maxObjects === 1 || shrink >= MAX_SHRINKS) {
        throw err;
      }
      if (token) {
        await client
          .call(
            'CancelRetrievePropertiesEx',
            propertyCollector,
            `<token>${xmlEscape(token)}</token>`,
            call,
          )
          .catch(() => undefined);
      }
      maxObjects = Math.max(1, Math.floor(maxObjects / 2));
      continue;
    }
    if (allNotAuthenticated(objects)) {
      throw new VimFaultError(
        'ERR_AUTH_FAILED',
        'NotAuthenticated',
        'vsphere fault NotAuthenticated: every property was refused',
      );
    }
    return { objects, pages, maxObjects };
  }
}

export { isNotAuthenticated };
