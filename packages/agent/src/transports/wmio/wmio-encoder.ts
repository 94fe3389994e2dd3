// MS-WMIO encoder: class parts (with methods), class objects and instances — method in-parameters
// for IWbemServices::ExecMethod, and the objects the test peers serve.
import { ScannerError } from '../../errors.js';
import type { CimObject, CimScalar, CimType } from './cim-object.js';
import type { WmioClassPart } from './wmio-decoder.js';
import { WMIO_SIGNATURE } from './wmio-decoder.js';

export type CimValue = CimScalar | CimScalar[] | null;

export interface WmioQualifierDef {
  name: string;
  cimType: CimType;
  isArray?: boolean;
  value: CimValue;
  /** QualifierFlavor (MS-WMIO 2.2.62); 0 by default. */
  flavor?: number;
}

export interface WmioPropertyDef {
  name: string;
  cimType: CimType;
  isArray?: boolean;
  /** The class's default value; absent or null means NULL. */
  default?: CimValue;
  /** Declared in a parent class. */
  inherited?: boolean;
  qualifiers?: WmioQualifierDef[];
}

/** A method: its in- and out-parameters as `__PARAMETERS` classes (null: none). */
export interface WmioMethodDef {
  name: string;
  qualifiers?: WmioQualifierDef[];
  in: WmioPropertyDef[] | null;
  out: WmioPropertyDef[] | null;
}

export interface WmioClassDef {
  name: string;
  /** Parent classes, nearest first. */
  parents?: string[];
  qualifiers?: WmioQualifierDef[];
  /** In declaration order. */
  properties: WmioPropertyDef[];
  methods?: WmioMethodDef[];
}

export interface EncodeOptions {
  /** Server and namespace names of a Decoration block (ObjectFlags 0x04). */
  decoration?: { server: string; namespace: string };
  /**
   * `compact`: one byte per character when every character fits (what Windows sends);
   * `utf16`: every value string as UTF-16 (what impacket sends in ExecMethod in-parameters).
   * Names (classes, properties, qualifiers) are always compact when they fit.
   */
  strings?: 'compact' | 'utf16';
}

const CIM_CODES: Record<CimType, number> = {
  sint8: 16,
  uint8: 17,
  sint16: 2,
  uint16: 18,
  sint32: 3,
  uint32: 19,
  sint64: 20,
  uint64: 21,
  real32: 4,
  real64: 5,
  boolean: 11,
  string: 8,
  datetime: 101,
  reference: 102,
  char16: 103,
  object: 13,
};
const FIXED_SIZES: Partial<Record<CimType, number>> = {
  sint8: 1,
  uint8: 1,
  sint16: 2,
  uint16: 2,
  char16: 2,
  boolean: 2,
  sint32: 4,
  uint32: 4,
  real32: 4,
  sint64: 8,
  uint64: 8,
  real64: 8,
};
const CIM_ARRAY_FLAG = 0x2000;
const CIM_INHERITED_FLAG = 0x4000;
const NULL_REF = 0xffffffff;
/** Names the decoder's DictionaryReference table holds (MS-WMIO 2.2.80), by index. */
const DICTIONARY = ['key', 'NADA', 'read', 'write', 'volatile', 'provider', 'dynamic', 'cimwin32'];
const DICTIONARY_INDEX: Record<string, number> = {
  ...Object.fromEntries(DICTIONARY.map((n, i) => [n, i + 1])),
  DWORD: 9,
  CIMTYPE: 10,
};
const MAX_DEPTH = 8;

function encodeError(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `WMIO encode: ${what}`);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/**
 * An Encoded-String (MS-WMIO 2.2.78): flag 0 and one byte per character when all fit (and
 * `utf16` is not asked), else flag 1 and UTF-16LE; NUL-terminated.
 */
export function encodedString(s: string, utf16 = false): Buffer {
  if (!utf16 && [...s].every((c) => c.charCodeAt(0) > 0 && c.charCodeAt(0) <= 0xff)) {
    return Buffer.concat([Buffer.from([0]), Buffer.from(s, 'latin1'), Buffer.from([0])]);
  }
  return Buffer.concat([Buffer.from([1]), Buffer.from(s, 'utf16le'), Buffer.alloc(2)]);
}

/** A heap being filled: offsets are relative to its first item. */
class Heap {
  #buf = Buffer.alloc(256);
  #size = 0;

  add(data: Buffer): number {
    const at = this.#size;
    if (at + data.length > this.#buf.length) {
      const grown = Buffer.alloc(Math.max(this.#buf.length * 2, at + data.length));
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    data.copy(this.#buf, at);
    this.#size += data.length;
    return at;
  }

  /** Overwrites 4 bytes at `at` (array item references, written after the items). */
  patch(at: number, value: number): void {
    this.#buf.writeUInt32LE(value >>> 0, at);
  }

  /** Heap (MS-WMIO 2.2.66): HeapLength with the high bit set, then the items. */
  encode(): Buffer {
    return Buffer.concat([u32((this.#size | 0x80000000) >>> 0), this.#buf.subarray(0, this.#size)]);
  }
}

function slotSize(cimType: CimType, isArray: boolean): number {
  return isArray ? 4 : (FIXED_SIZES[cimType] ?? 4);
}

function scalarBytes(cimType: CimType, v: CimScalar, what: string): Buffer {
  const b = Buffer.alloc(FIXED_SIZES[cimType] ?? 0);
  const num = (): number => {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')
      throw encodeError(`${what}: ${typeof v} is not a ${cimType}`);
    const n = Number(v);
    if (Number.isNaN(n)) throw encodeError(`${what}: ${String(v)} is not a ${cimType}`);
    return n;
  };
  switch (cimType) {
    case 'sint8':
      b.writeInt8(num(), 0);
      break;
    case 'uint8':
      b.writeUInt8(num(), 0);
      break;
    case 'sint16':
      b.writeInt16LE(num(), 0);
      break;
    case 'uint16':
      b.writeUInt16LE(num(), 0);
      break;
    case 'sint32':
      b.writeInt32LE(num(), 0);
      break;
    case 'uint32':
      b.writeUInt32LE(num(), 0);
      break;
    case 'real32':
      b.writeFloatLE(num(), 0);
      break;
    case 'real64':
      b.writeDoubleLE(num(), 0);
      break;
    case 'sint64':
    case 'uint64': {
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'bigint')
        throw encodeError(`${what}: not a ${cimType}`);
      let big: bigint;
      try {
        big = BigInt(v);
      } catch {
        throw encodeError(`${what}: ${String(v)} is not a ${cimType}`);
      }
      if (cimType === 'sint64') b.writeBigInt64LE(big, 0);
      else b.writeBigUInt64LE(big, 0);
      break;
    }
    case 'boolean':
      b.writeUInt16LE(v === true ? 0xffff : 0, 0);
      break;
    case 'char16':
      if (typeof v !== 'string' || v.length !== 1) throw encodeError(`${what}: not one character`);
      b.writeUInt16LE(v.charCodeAt(0), 0);
      break;
    default:
      throw encodeError(`${what}: ${cimType} is not a fixed-size type`);
  }
  return b;
}

interface Ctx {
  utf16: boolean;
  depth: number;
}

/** What a by-reference item (string, datetime, reference, object) stores in the heap. */
function heapItem(cimType: CimType, v: CimScalar, ctx: Ctx, what: string): Buffer {
  if (cimType === 'object') {
    if (typeof v !== 'object' || v === null || !('properties' in v))
      throw encodeError(`${what}: not an embedded object`);
    if (ctx.depth >= MAX_DEPTH)
      throw encodeError(`${what}: objects nested deeper than ${MAX_DEPTH}`);
    const block = instanceBlock(classDefOf(v), v, { ...ctx, depth: ctx.depth + 1 }, {});
    return Buffer.concat([u32(block.length), block]);
  }
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'object' && v !== null && 'dmtf' in v) text = v.dmtf;
  else throw encodeError(`${what}: not a ${cimType}`);
  return encodedString(text, ctx.utf16);
}

/** Value-table (or qualifier) slot bytes for `v`; by-reference values go to `heap`. */
function slot(
  cimType: CimType,
  isArray: boolean,
  v: CimValue | undefined,
  heap: Heap,
  ctx: Ctx,
  what: string,
): Buffer {
  const size = slotSize(cimType, isArray);
  if (v === null || v === undefined) return Buffer.alloc(size);
  const byRef = FIXED_SIZES[cimType] === undefined;
  if (isArray) {
    if (!Array.isArray(v)) throw encodeError(`${what}: an array is expected`);
    if (!byRef) {
      const items = v.map((x, i) => scalarBytes(cimType, x, `${what}[${i}]`));
      return u32(heap.add(Buffer.concat([u32(v.length), ...items])));
    }
    // The count and the item references first, then the items (as Windows and impacket lay out).
    const at = heap.add(Buffer.concat([u32(v.length), Buffer.alloc(4 * v.length)]));
    v.forEach((x, i) =>
      heap.patch(at + 4 + 4 * i, heap.add(heapItem(cimType, x, ctx, `${what}[${i}]`))),
    );
    return u32(at);
  }
  if (Array.isArray(v)) throw encodeError(`${what}: a scalar is expected`);
  if (byRef) return u32(heap.add(heapItem(cimType, v, ctx, what)));
  return scalarBytes(cimType, v, what);
}

function nameRef(name: string, heap: Heap): number {
  const d = DICTIONARY_INDEX[name];
  return d !== undefined ? (0x80000000 | d) >>> 0 : heap.add(encodedString(name));
}

/** QualifierSet (MS-WMIO 2.2.59): EncodingLength (itself included), then the qualifiers. */
function qualifierSet(quals: readonly WmioQualifierDef[], heap: Heap, ctx: Ctx): Buffer {
  const items = quals.map((q) => {
    const head = Buffer.alloc(9);
    head.writeUInt32LE(nameRef(q.name, heap), 0);
    head.writeUInt8(q.flavor ?? 0, 4);
    head.writeUInt32LE(CIM_CODES[q.cimType] | (q.isArray ? CIM_ARRAY_FLAG : 0), 5);
    const value = slot(q.cimType, q.isArray ?? false, q.value, heap, ctx, `qualifier ${q.name}`);
    return Buffer.concat([head, value]);
  });
  const body = Buffer.concat(items);
  return Buffer.concat([u32(body.length + 4), body]);
}

/** The 2-bit NdTable (MS-WMIO 2.2.26) for `entries` (bit 0 NULL, bit 1 default from the class). */
function ndTable(entries: readonly number[]): Buffer {
  const nd = Buffer.alloc(entries.length === 0 ? 0 : ((entries.length - 1) >> 2) + 1);
  entries.forEach((e, i) => {
    nd[i >> 2] = (nd[i >> 2] ?? 0) | ((e & 3) << ((i & 3) * 2));
  });
  return nd;
}

/** Value table offsets of the properties, in declaration order, packed. */
function layout(props: readonly WmioPropertyDef[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let size = 0;
  for (const p of props) {
    offsets.push(size);
    size += slotSize(p.cimType, p.isArray ?? false);
  }
  return { offsets, size };
}

function cimTypeText(p: WmioPropertyDef): string {
  return p.cimType;
}

/** A ClassPart (MS-WMIO 2.2.15). `name` null encodes the empty part of a class without parent. */
export function encodeClassPart(def: WmioClassDef | null, o: EncodeOptions = {}): Buffer {
  const ctx: Ctx = { utf16: o.strings === 'utf16', depth: 0 };
  const heap = new Heap();
  const props = def?.properties ?? [];
  const classNameRef = def ? heap.add(encodedString(def.name)) : NULL_REF;
  const deriv = Buffer.concat(
    (def?.parents ?? []).map((p) => {
      const e = encodedString(p);
      return Buffer.concat([e, u32(e.length)]);
    }),
  );
  const derivation = Buffer.concat([u32(deriv.length + 4), deriv]);
  const classQualifiers = qualifierSet(def?.qualifiers ?? [], heap, ctx);
  const { offsets } = layout(props);
  const values: Buffer[] = [];
  const nd: number[] = [];
  const lookups: { name: string; nameRef: number; infoRef: number }[] = [];
  props.forEach((p, order) => {
    const isArray = p.isArray ?? false;
    const v = p.default ?? null;
    nd.push((v === null ? 1 : 0) | (p.inherited ? 2 : 0));
    values.push(slot(p.cimType, isArray, v, heap, ctx, `property ${p.name} default`));
    const quals: WmioQualifierDef[] = [
      { name: 'CIMTYPE', cimType: 'string', value: cimTypeText(p) },
      ...(p.qualifiers ?? []),
    ];
    const head = Buffer.alloc(14);
    head.writeUInt32LE(
      CIM_CODES[p.cimType] |
        (isArray ? CIM_ARRAY_FLAG : 0) |
        (p.inherited ? CIM_INHERITED_FLAG : 0),
      0,
    );
    head.writeUInt16LE(order, 4);
    head.writeUInt32LE(offsets[order]!, 6);
    head.writeUInt32LE(0, 10);
    const nameAt = heap.add(encodedString(p.name));
    const infoAt = heap.add(Buffer.concat([head, qualifierSet(quals, heap, ctx)]));
    lookups.push({ name: p.name, nameRef: nameAt, infoRef: infoAt });
  });
  // Windows keeps the lookup table sorted by name so it can be searched.
  lookups.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  const lookupTable = Buffer.concat([
    u32(props.length),
    ...lookups.map((l) => Buffer.concat([u32(l.nameRef), u32(l.infoRef)])),
  ]);
  const ndValues = Buffer.concat([ndTable(nd), ...values]);
  const header = Buffer.alloc(9);
  header.writeUInt8(0, 0);
  header.writeUInt32LE(classNameRef, 1);
  header.writeUInt32LE(ndValues.length, 5);
  const body = Buffer.concat([
    header,
    derivation,
    classQualifiers,
    lookupTable,
    ndValues,
    heap.encode(),
  ]);
  return Buffer.concat([u32(body.length + 4), body]);
}

/** A MethodsPart without methods (MS-WMIO 2.2.38). */
export const EMPTY_METHODS_PART = Buffer.from('0c000000' + '00000000' + '00000080', 'hex');

/** A class object block of `__PARAMETERS` with `params`, as a MethodSignatureBlock's ObjectBlock. */
function signatureBlock(params: readonly WmioPropertyDef[]): Buffer {
  return Buffer.concat([
    Buffer.from([0x01]),
    encodeClassPart(null),
    EMPTY_METHODS_PART,
    encodeClassPart({ name: '__PARAMETERS', properties: [...params] }),
    EMPTY_METHODS_PART,
  ]);
}

/**
 * A MethodsPart (MS-WMIO 2.2.38): MethodDescriptions (name, flags, origin, qualifiers, input and
 * output MethodSignatureBlocks, all heap references), then the method heap.
 */
export function encodeMethodsPart(methods: readonly WmioMethodDef[]): Buffer {
  const ctx: Ctx = { utf16: false, depth: 0 };
  const heap = new Heap();
  const descriptions = methods.map((m) => {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(heap.add(encodedString(m.name)), 0);
    d.writeUInt8(0, 4);
    d.writeUInt32LE(0, 8);
    d.writeUInt32LE(
      m.qualifiers && m.qualifiers.length > 0
        ? heap.add(qualifierSet(m.qualifiers, heap, ctx))
        : NULL_REF,
      12,
    );
    const sig = (params: WmioPropertyDef[] | null): number => {
      // None: a MethodSignatureBlock of length 0 (impacket 0.10 cannot read a 0xFFFFFFFF here).
      if (params === null) return heap.add(u32(0));
      const block = signatureBlock(params);
      return heap.add(Buffer.concat([u32(block.length), block]));
    };
    d.writeUInt32LE(sig(m.in), 16);
    d.writeUInt32LE(sig(m.out), 20);
    return d;
  });
  const count = Buffer.alloc(4);
  count.writeUInt16LE(methods.length, 0);
  const body = Buffer.concat([count, ...descriptions, heap.encode()]);
  return Buffer.concat([u32(body.length + 4), body]);
}

function objectFlags(kind: 'class' | 'instance', o: EncodeOptions): Buffer {
  const flags = (kind === 'class' ? 0x01 : 0x02) | (o.decoration ? 0x04 : 0);
  const deco = o.decoration
    ? Buffer.concat([encodedString(o.decoration.server), encodedString(o.decoration.namespace)])
    : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([flags]), deco]);
}

/**
 * A class ObjectBlock (MS-WMIO 2.2.5 with ClassType): its parent's part (empty: the parents are
 * named in the derivation list only) and its own, each with a MethodsPart.
 */
export function encodeClassBlock(def: WmioClassDef, o: EncodeOptions = {}): Buffer {
  return Buffer.concat([
    objectFlags('class', o),
    encodeClassPart(null),
    EMPTY_METHODS_PART,
    encodeClassPart(def, o),
    def.methods && def.methods.length > 0 ? encodeMethodsPart(def.methods) : EMPTY_METHODS_PART,
  ]);
}

/** The class definition a CimObject implies (its properties' types, in its order). */
export function classDefOf(obj: CimObject): WmioClassDef {
  return {
    name: obj.className,
    properties: Object.entries(obj.properties).map(([name, p]) => ({
      name,
      cimType: p.cimType,
      isArray: p.isArray,
    })),
  };
}

/** What the instance part needs of its class: names, types and value-table offsets. */
interface InstanceLayout {
  className: string;
  props: { name: string; cimType: CimType; isArray: boolean; offset: number; order: number }[];
  valueTableSize: number;
}

function layoutOfDef(def: WmioClassDef): InstanceLayout {
  const { offsets, size } = layout(def.properties);
  return {
    className: def.name,
    props: def.properties.map((p, i) => ({
      name: p.name,
      cimType: p.cimType,
      isArray: p.isArray ?? false,
      offset: offsets[i]!,
      order: i,
    })),
    valueTableSize: size,
  };
}

function layoutOfPart(part: WmioClassPart): InstanceLayout {
  const ndLen = part.properties.length === 0 ? 0 : ((part.properties.length - 1) >> 2) + 1;
  return {
    className: part.className ?? '',
    props: part.properties.map((p) => ({
      name: p.name,
      cimType: p.cimType,
      isArray: p.isArray,
      offset: p.valueTableOffset,
      order: p.order,
    })),
    valueTableSize: part.ndValueTableLength - ndLen,
  };
}

/**
 * The instance part after CurrentClass (MS-WMIO 2.2.53): EncodingLength, flags, class name,
 * NdTable and values, an empty qualifier set, InstancePropQualifierSet flag 1, the heap. A value
 * absent from `values` is NULL; `defaults` names those taken from the class instead.
 */
function instanceBody(
  l: InstanceLayout,
  values: Record<string, CimValue | undefined>,
  ctx: Ctx,
  defaults: ReadonlySet<string> = new Set(),
): Buffer {
  const heap = new Heap();
  const classNameRef = heap.add(encodedString(l.className));
  const table = Buffer.alloc(l.valueTableSize);
  const nd: number[] = new Array<number>(l.props.length).fill(0);
  for (const p of l.props) {
    if (defaults.has(p.name)) {
      nd[p.order] = 2;
      continue;
    }
    const v = values[p.name];
    if (v === null || v === undefined) nd[p.order] = 1;
    slot(p.cimType, p.isArray, v, heap, ctx, p.name).copy(table, p.offset);
  }
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeUInt32LE(classNameRef, 1);
  const body = Buffer.concat([head, ndTable(nd), table, u32(4), Buffer.from([1]), heap.encode()]);
  return Buffer.concat([u32(body.length + 4), body]);
}

function instanceBlock(
  def: WmioClassDef,
  obj: CimObject,
  ctx: Ctx,
  o: EncodeOptions,
  defaults?: ReadonlySet<string>,
): Buffer {
  const values = Object.fromEntries(Object.entries(obj.properties).map(([k, p]) => [k, p.value]));
  return Buffer.concat([
    objectFlags('instance', o),
    encodeClassPart(def, o),
    instanceBody(layoutOfDef(def), values, ctx, defaults),
  ]);
}

/** EncodingUnit (MS-WMIO 2.2.1): signature, ObjectEncodingLength, the ObjectBlock. */
export function encodingUnit(block: Buffer): Buffer {
  return Buffer.concat([u32(WMIO_SIGNATURE), u32(block.length), block]);
}

/**
 * An instance of `def` with `values` (by property name; absent → NULL, names in `defaults` →
 * the class default) as an EncodingUnit: what IEnumWbemClassObject::Next carries per object.
 * @example encodeInstanceUnit({ name: 'Win32_Service', properties: [{ name: 'Name', cimType: 'string' }] }, { Name: 'Spooler' })
 */
export function encodeInstanceUnit(
  def: WmioClassDef,
  values: Record<string, CimValue | undefined>,
  o: EncodeOptions & { defaults?: readonly string[] } = {},
): Buffer {
  const ctx: Ctx = { utf16: o.strings === 'utf16', depth: 0 };
  const obj: CimObject = {
    className: def.name,
    properties: Object.fromEntries(
      def.properties.map((p) => [
        p.name,
        { cimType: p.cimType, isArray: p.isArray ?? false, value: values[p.name] ?? null },
      ]),
    ),
  };
  return encodingUnit(instanceBlock(def, obj, ctx, o, new Set(o.defaults ?? [])));
}

/** A class (with its methods) as an EncodingUnit: what IWbemServices::GetObject returns. */
export function encodeClassUnit(def: WmioClassDef, o: EncodeOptions = {}): Buffer {
  return encodingUnit(encodeClassBlock(def, o));
}

/**
 * A method's in-parameters object for ExecMethod: an instance (no decoration) of the in-signature
 * class as GetObject returned it — its ClassPart bytes copied as they came (`rawClassPart`),
 * values placed at that part's own value-table offsets. Strings go as UTF-16 by default, as
 * impacket 0.10 sends them (byte-identical to its wmiexec-style in-parameters).
 */
export function encodeInParamsUnit(
  signature: { part: WmioClassPart; rawClassPart: Buffer },
  values: Record<string, CimValue | undefined>,
  o: { strings?: 'compact' | 'utf16' } = {},
): Buffer {
  const ctx: Ctx = { utf16: (o.strings ?? 'utf16') === 'utf16', depth: 0 };
  for (const name of Object.keys(values)) {
    if (!signature.part.properties.some((p) => p.name === name))
      throw encodeError(`${signature.part.className ?? 'in-parameters'} has no parameter ${name}`);
  }
  const block = Buffer.concat([
    Buffer.from([0x02]),
    signature.rawClassPart,
    instanceBody(layoutOfPart(signature.part), values, ctx),
  ]);
  return encodingUnit(block);
}
