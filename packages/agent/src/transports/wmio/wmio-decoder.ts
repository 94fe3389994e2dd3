// MS-WMIO decoder: encoding units, object blocks, class parts and instances into CimObjects.
import type { CimObject, CimProperty, CimScalar, CimType } from './cim-object.js';
import { parseDmtfDatetime } from './cim-object.js';
import { WmioReader, wmioError } from './wmio-reader.js';

/** EncodingUnit signature (MS-WMIO 2.2.77), little-endian on the wire. */
export const WMIO_SIGNATURE = 0x12345678;
const CIM_ARRAY_FLAG = 0x2000;
const CIM_INHERITED_FLAG = 0x4000;
const NULL_REF = 0xffffffff;
/** Embedded objects inside embedded objects…: deeper nesting is refused as hostile. */
const MAX_DEPTH = 8;

const OBJECT_FLAG_CLASS = 0x01;
const OBJECT_FLAG_INSTANCE = 0x02;
const OBJECT_FLAG_DECORATED = 0x04;

/** CimType codes (MS-WMIO 2.2.82) with their value-table sizes. */
const CIM_TYPES: Record<number, { name: CimType; size: number }> = {
  16: { name: 'sint8', size: 1 },
  17: { name: 'uint8', size: 1 },
  2: { name: 'sint16', size: 2 },
  18: { name: 'uint16', size: 2 },
  3: { name: 'sint32', size: 4 },
  19: { name: 'uint32', size: 4 },
  20: { name: 'sint64', size: 8 },
  21: { name: 'uint64', size: 8 },
  4: { name: 'real32', size: 4 },
  5: { name: 'real64', size: 8 },
  11: { name: 'boolean', size: 2 },
  8: { name: 'string', size: 4 },
  101: { name: 'datetime', size: 4 },
  102: { name: 'reference', size: 4 },
  103: { name: 'char16', size: 2 },
  13: { name: 'object', size: 4 },
};

const SIZE_BY_NAME = new Map<CimType, number>(
  Object.values(CIM_TYPES).map((t) => [t.name, t.size]),
);
const BY_REFERENCE = new Set<CimType>(['string', 'datetime', 'reference', 'object']);

/** Bytes a value of this type takes in a value table or qualifier: arrays are heap references. */
function slotSize(type: { name: CimType; isArray: boolean }): number {
  return type.isArray ? 4 : (SIZE_BY_NAME.get(type.name) ?? 4);
}

/** DictionaryReference (MS-WMIO 2.2.80): names a heap reference with the high bit set stands for. */
const DICTIONARY = [
  '"',
  'key',
  'NADA',
  'read',
  'write',
  'volatile',
  'provider',
  'dynamic',
  'cimwin32',
  'DWORD',
  'CIMTYPE',
];

export type QualifierValue = CimScalar | CimScalar[] | null;

/** One property of a class part, in declaration order. */
export interface WmioPropertyInfo {
  name: string;
  cimType: CimType;
  isArray: boolean;
  /** Declared in a parent class (PropertyType's Inherited bit). */
  inherited: boolean;
  order: number;
  valueTableOffset: number;
  qualifiers: Record<string, QualifierValue>;
}

/** A decoded ClassPart (MS-WMIO 2.2.15), kept so instances without a class part can use it. */
export interface WmioClassPart {
  className: string | null;
  /** Parent classes, nearest first. */
  derivation: string[];
  qualifiers: Record<string, QualifierValue>;
  properties: WmioPropertyInfo[];
  ndTable: Buffer;
  valueTable: WmioReader;
  heap: WmioReader;
  /** NdTable plus value table length, which instances of this class share. */
  ndValueTableLength: number;
}

/** A decoded object: a CimObject and where it came from. */
export interface WmioObject extends CimObject {
  kind: 'class' | 'instance';
  derivation: string[];
  /** From the Decoration block, when present. */
  server?: string;
  namespace?: string;
}

function cimTypeOf(code: number, at: number): { name: CimType; isArray: boolean } {
  const t = CIM_TYPES[code & ~(CIM_ARRAY_FLAG | CIM_INHERITED_FLAG)];
  if (!t) throw wmioError(at, `unknown CIM type 0x${code.toString(16)}`);
  return { name: t.name, isArray: (code & CIM_ARRAY_FLAG) !== 0 };
}

/** The heap-relative reference `ref` as a reader positioned at it. */
function heapAt(heap: WmioReader, ref: number, what: string): WmioReader {
  if (ref >= heap.end - heap.start)
    throw wmioError(heap.start, `${what}: heap reference ${ref} past the heap`);
  return heap.at(heap.start + ref, what);
}

function heapString(heap: WmioReader, ref: number, what: string): string {
  if ((ref & 0x80000000) !== 0 && ref !== NULL_REF) {
    const name = DICTIONARY[ref & 0x7fffffff];
    if (name === undefined)
      throw wmioError(heap.start, `${what}: unknown dictionary reference ${ref & 0x7fffffff}`);
    return name;
  }
  return heapAt(heap, ref, what).encodedString(what);
}

function readScalarSlot(r: WmioReader, name: CimType, what: string): number | string | boolean {
  switch (name) {
    case 'sint8':
      return (r.u8(what) << 24) >> 24;
    case 'uint8':
      return r.u8(what);
    case 'sint16':
      return (r.u16(what) << 16) >> 16;
    case 'uint16':
      return r.u16(what);
    case 'char16':
      return String.fromCharCode(r.u16(what));
    case 'boolean':
      return r.u16(what) !== 0;
    case 'sint32':
      return r.u32(what) | 0;
    case 'uint32':
      return r.u32(what);
    case 'real32': {
      const b = r.bytes(4, what);
      return b.readFloatLE(0);
    }
    case 'real64': {
      const b = r.bytes(8, what);
      return b.readDoubleLE(0);
    }
    case 'sint64':
      return r.bytes(8, what).readBigInt64LE(0).toString();
    case 'uint64':
      return r.bytes(8, what).readBigUInt64LE(0).toString();
    default:
      throw wmioError(r.pos, `${what}: ${name} is not a fixed-size type`);
  }
}

/** A heap-referenced value (string, datetime, reference, object) at heap offset `ref`. */
function heapValue(
  heap: WmioReader,
  name: CimType,
  ref: number,
  depth: number,
  what: string,
): CimScalar {
  if (name === 'object') {
    const r = heapAt(heap, ref, what);
    const len = r.u32(`${what} object length`);
    return decodeObjectBlock(r.sub(len, `${what} object`), depth + 1);
  }
  const text = heapAt(heap, ref, what).encodedString(what);
  return name === 'datetime' ? parseDmtfDatetime(text) : text;
}

/**
 * The value in the slot at the reader's position: fixed-size types inline, everything else a
 * heap reference (0xFFFFFFFF: NULL). Arrays are a count followed by packed items or item refs.
 */
export function readValue(
  slot: WmioReader,
  type: { name: CimType; isArray: boolean },
  heap: WmioReader,
  depth: number,
  what: string,
): CimScalar | CimScalar[] | null {
  const itemByRef = BY_REFERENCE.has(type.name);
  if (!type.isArray && !itemByRef) return readScalarSlot(slot, type.name, what);
  const ref = slot.u32(what);
  if (ref === NULL_REF) return null;
  if (!type.isArray) return heapValue(heap, type.name, ref, depth, what);
  const r = heapAt(heap, ref, what);
  const count = r.u32(`${what} array count`);
  const itemSize = itemByRef ? 4 : slotSize({ name: type.name, isArray: false });
  // A hostile count cannot make us allocate more than the heap holds.
  r.need(count * itemSize, `${what} array of ${count}`);
  const out: CimScalar[] = [];
  for (let i = 0; i < count; i++) {
    if (itemByRef) {
      const itemRef = r.u32(`${what}[${i}]`);
      if (itemRef === NULL_REF) throw wmioError(r.pos - 4, `${what}[${i}]: NULL array element`);
      out.push(heapValue(heap, type.name, itemRef, depth, `${what}[${i}]`));
    } else {
      out.push(readScalarSlot(r, type.name, `${what}[${i}]`));
    }
  }
  return out;
}

/** QualifierSet (MS-WMIO 2.2.59): EncodingLength (including itself), then qualifiers. */
function readQualifierSet(
  r: WmioReader,
  heap: WmioReader,
  depth: number,
  what: string,
): Record<string, QualifierValue> {
  const at = r.pos;
  const len = r.u32(`${what} qualifier set length`);
  if (len < 4) throw wmioError(at, `${what}: qualifier set length ${len} < 4`);
  const q = r.sub(len - 4, `${what} qualifier set`);
  const out: Record<string, QualifierValue> = {};
  while (q.remaining > 0) {
    const nameRef = q.u32(`${what} qualifier name`);
    q.u8(`${what} qualifier flavor`);
    const typeAt = q.pos;
    const type = cimTypeOf(q.u32(`${what} qualifier type`), typeAt);
    const name = heapString(heap, nameRef, `${what} qualifier name`);
    const slot = q.sub(slotSize(type), `${what} qualifier ${name} value`);
    out[name] = readValue(slot, type, heap, depth, `${what} qualifier ${name}`);
  }
  return out;
}

/** Heap (MS-WMIO 2.2.66): a length with the high bit set, then the items. */
function readHeap(r: WmioReader, what: string): WmioReader {
  const len = r.u32(`${what} heap length`) & 0x7fffffff;
  return r.sub(len, `${what} heap`);
}

/** ClassPart (MS-WMIO 2.2.15) at the reader's position; the reader moves past it. */
export function readClassPart(outer: WmioReader, depth: number): WmioClassPart {
  const at = outer.pos;
  const partLen = outer.u32('class part length');
  outer.pos = at;
  const r = outer.sub(partLen, 'class part');
  r.pos += 4;
  r.u8('class header reserved octet');
  const classNameRef = r.u32('class name reference');
  const ndValueTableLength = r.u32('NdTable/value table length');

  const dlAt = r.pos;
  const dlLen = r.u32('derivation list length');
  if (dlLen < 4) throw wmioError(dlAt, `derivation list length ${dlLen} < 4`);
  const dl = r.sub(dlLen - 4, 'derivation list');
  const derivation: string[] = [];
  while (dl.remaining > 0) {
    derivation.push(dl.encodedString('derivation list class name'));
    dl.u32('derivation list name length');
  }

  // The qualifiers' names and values live in the class heap, which comes last: read them after.
  const qualifierSetStart = r.pos;
  const qLen = r.u32('class qualifier set length');
  if (qLen < 4) throw wmioError(qualifierSetStart, `class qualifier set length ${qLen} < 4`);
  r.sub(qLen - 4, 'class qualifier set');

  const count = r.u32('property count');
  r.need(count * 8, `property lookup table of ${count}`);
  const lookups: Array<{ nameRef: number; infoRef: number }> = [];
  for (let i = 0; i < count; i++)
    lookups.push({ nameRef: r.u32('property name'), infoRef: r.u32('property info') });

  const ndLen = count === 0 ? 0 : Math.floor((count - 1) / 4) + 1;
  if (ndValueTableLength < ndLen)
    throw wmioError(r.pos, `NdTable/value table length ${ndValueTableLength} < ${ndLen}`);
  const ndValues = r.sub(ndValueTableLength, 'NdTable and value table');
  const ndTable = ndValues.bytes(ndLen, 'NdTable');
  const valueTable = ndValues.sub(ndValues.remaining, 'value table');
  const heap = readHeap(r, 'class');

  const qr = new WmioReader(r.buf, qualifierSetStart, qualifierSetStart + qLen);
  const qualifiers = readQualifierSet(qr, heap, depth, 'class');

  const properties: WmioPropertyInfo[] = lookups.map(({ nameRef, infoRef }) => {
    const name = heapString(heap, nameRef, 'property name');
    const info = heapAt(heap, infoRef, `property ${name} info`);
    const typeAt = info.pos;
    const typeCode = info.u32(`property ${name} type`);
    const type = cimTypeOf(typeCode, typeAt);
    const order = info.u16(`property ${name} declaration order`);
    const valueTableOffset = info.u32(`property ${name} value table offset`);
    info.u32(`property ${name} class of origin`);
    const propQualifiers = readQualifierSet(info, heap, depth, `property ${name}`);
    if (order >= count)
      throw wmioError(typeAt, `property ${name}: declaration order ${order} >= ${count}`);
    if (valueTableOffset + slotSize(type) > valueTable.end - valueTable.start) {
      throw wmioError(
        typeAt,
        `property ${name}: value table offset ${valueTableOffset} past the table`,
      );
    }
    return {
      name,
      cimType: type.name,
      isArray: type.isArray,
      inherited: (typeCode & CIM_INHERITED_FLAG) !== 0,
      order,
      valueTableOffset,
      qualifiers: propQualifiers,
    };
  });
  properties.sort((a, b) => a.order - b.order);
  const className = classNameRef === NULL_REF ? null : heapString(heap, classNameRef, 'class name');
  return {
    className,
    derivation,
    qualifiers,
    properties,
    ndTable,
    valueTable,
    heap,
    ndValueTableLength,
  };
}

/** The 2-bit NdTable entry of property `order` (bit 0: NULL, bit 1: default from the class). */
function ndEntry(nd: Buffer, order: number): number {
  return ((nd[order >> 2] ?? 0) >> ((order & 3) * 2)) & 3;
}

function typeOf(p: WmioPropertyInfo): { name: CimType; isArray: boolean } {
  return { name: p.cimType, isArray: p.isArray };
}

function slotOf(table: WmioReader, p: WmioPropertyInfo): WmioReader {
  const size = slotSize(typeOf(p));
  return new WmioReader(
    table.buf,
    table.start + p.valueTableOffset,
    table.start + p.valueTableOffset + size,
  );
}

/** The class's default values (a class object's own property values). */
function classValues(part: WmioClassPart, depth: number): Record<string, CimProperty> {
  const out: Record<string, CimProperty> = {};
  for (const p of part.properties) {
    const nd = ndEntry(part.ndTable, p.order);
    const value =
      nd & 1 ? null : readValue(slotOf(part.valueTable, p), typeOf(p), part.heap, depth, p.name);
    out[p.name] = { cimType: p.cimType, isArray: p.isArray, value };
  }
  return out;
}

/**
 * The instance fields after CurrentClass (InstanceType less its class part, which is also the
 * body of EncodingUnitInstanceNoClass): values resolved against `part`.
 */
export function readInstanceBody(r: WmioReader, part: WmioClassPart, depth: number): CimObject {
  const at = r.pos;
  const len = r.u32('instance length');
  r.pos = at;
  const body = r.sub(len, 'instance');
  body.pos += 4;
  body.u8('instance flags');
  const classNameRef = body.u32('instance class name');
  const ndLen = part.properties.length === 0 ? 0 : Math.floor((part.properties.length - 1) / 4) + 1;
  const ndValues = body.sub(part.ndValueTableLength, 'instance NdTable and values');
  const nd = ndValues.bytes(ndLen, 'instance NdTable');
  const values = ndValues.sub(ndValues.remaining, 'instance value table');
  const qsAt = body.pos;
  const qsLen = body.u32('instance qualifier set length');
  if (qsLen < 4) throw wmioError(qsAt, `instance qualifier set length ${qsLen} < 4`);
  body.sub(qsLen - 4, 'instance qualifier set');
  const flagAt = body.pos;
  const propQualFlag = body.u8('instance property qualifier flag');
  if (propQualFlag === 2) {
    for (let i = 0; i < part.properties.length; i++) {
      const l = body.u32('instance property qualifier set length');
      if (l < 4) throw wmioError(body.pos - 4, `instance property qualifier set length ${l} < 4`);
      body.sub(l - 4, 'instance property qualifier set');
    }
  } else if (propQualFlag !== 1) {
    throw wmioError(flagAt, `instance property qualifier flag ${propQualFlag} is neither 1 nor 2`);
  }
  const heap = readHeap(body, 'instance');
  const className = heapString(heap, classNameRef, 'instance class name');
  const properties: Record<string, CimProperty> = {};
  for (const p of part.properties) {
    const e = ndEntry(nd, p.order);
    let value: CimScalar | CimScalar[] | null;
    if (e & 1) value = null;
    else if (e & 2) {
      value =
        ndEntry(part.ndTable, p.order) & 1
          ? null
          : readValue(slotOf(part.valueTable, p), typeOf(p), part.heap, depth, p.name);
    } else value = readValue(slotOf(values, p), typeOf(p), heap, depth, p.name);
    properties[p.name] = { cimType: p.cimType, isArray: p.isArray, value };
  }
  return { className, properties };
}

/** Skips a MethodsPart (MS-WMIO 2.2.38): methods are not inventory. */
function skipMethodsPart(r: WmioReader): void {
  const at = r.pos;
  const len = r.u32('methods part length');
  if (len < 4) throw wmioError(at, `methods part length ${len} < 4`);
  r.sub(len - 4, 'methods part');
}

/** Decoration (MS-WMIO 2.2.7): server and namespace names. */
function readDecoration(r: WmioReader): { server: string; namespace: string } {
  return {
    server: r.encodedString('decoration server'),
    namespace: r.encodedString('decoration namespace'),
  };
}

export interface ObjectBlockParts {
  flags: number;
  decoration?: { server: string; namespace: string };
}

function readObjectFlags(r: WmioReader): ObjectBlockParts {
  const at = r.pos;
  const flags = r.u8('object flags');
  if ((flags & OBJECT_FLAG_CLASS) !== 0 && (flags & OBJECT_FLAG_INSTANCE) !== 0) {
    throw wmioError(at, `object flags 0x${flags.toString(16)} say both class and instance`);
  }
  return flags & OBJECT_FLAG_DECORATED ? { flags, decoration: readDecoration(r) } : { flags };
}

function withDecoration(o: WmioObject, parts: ObjectBlockParts): WmioObject {
  return parts.decoration
    ? { ...o, server: parts.decoration.server, namespace: parts.decoration.namespace }
    : o;
}

/**
 * An ObjectBlock (MS-WMIO 2.2.5) filling the reader. A class gives its current class with
 * default values; an instance its values. `onClassPart` sees an instance's class part (the
 * ObjectArray decoder caches it for later instances sent without one).
 */
export function decodeObjectBlock(
  r: WmioReader,
  depth = 0,
  onClassPart?: (part: WmioClassPart) => void,
): WmioObject {
  if (depth > MAX_DEPTH) throw wmioError(r.pos, `embedded objects nested deeper than ${MAX_DEPTH}`);
  const parts = readObjectFlags(r);
  if (parts.flags & OBJECT_FLAG_CLASS) {
    readClassPart(r, depth);
    skipMethodsPart(r);
    const current = readClassPart(r, depth);
    skipMethodsPart(r);
    return withDecoration(
      {
        kind: 'class',
        className: current.className ?? '',
        derivation: current.derivation,
        properties: classValues(current, depth),
      },
      parts,
    );
  }
  const part = readClassPart(r, depth);
  onClassPart?.(part);
  const inst = readInstanceBody(r, part, depth);
  return withDecoration({ kind: 'instance', derivation: part.derivation, ...inst }, parts);
}

/** EncodingUnitInstanceNoClass (MS-WMIO 2.2.3) against a class part sent earlier. */
export function decodeInstanceNoClass(r: WmioReader, part: WmioClassPart): WmioObject {
  const parts = readObjectFlags(r);
  if (parts.flags & OBJECT_FLAG_CLASS)
    throw wmioError(r.start, 'instance without class part has the class flag');
  const inst = readInstanceBody(r, part, 0);
  return withDecoration({ kind: 'instance', derivation: part.derivation, ...inst }, parts);
}

/** EncodingUnit (MS-WMIO 2.2.1): signature, ObjectEncodingLength, ObjectBlock. */
export function decodeEncodingUnit(buf: Buffer): WmioObject {
  const r = new WmioReader(buf);
  const sig = r.u32('signature');
  if (sig !== WMIO_SIGNATURE)
    throw wmioError(0, `signature 0x${sig.toString(16)} is not 0x12345678`);
  const len = r.u32('object encoding length');
  // Windows may state a length larger than the block (MS-WMIO 2.2.1 note): take what is there.
  const block = r.sub(Math.min(len, r.remaining), 'object block');
  return decodeObjectBlock(block);
}

const OBJREF_SIGNATURE = 0x574f454d; // 'MEOW'
const OBJREF_CUSTOM = 0x4;

/** An OBJREF_CUSTOM (MS-DCOM 2.2.18.6) carrying an encoding unit, as IWbemClassObject arrives. */
export function decodeObjrefCustom(buf: Buffer): WmioObject {
  const r = new WmioReader(buf);
  if (r.u32('OBJREF signature') !== OBJREF_SIGNATURE) throw wmioError(0, 'not an OBJREF (no MEOW)');
  const flags = r.u32('OBJREF flags');
  if (flags !== OBJREF_CUSTOM) throw wmioError(4, `OBJREF flags ${flags} are not OBJREF_CUSTOM`);
  r.bytes(16, 'OBJREF iid');
  r.bytes(16, 'OBJREF_CUSTOM clsid');
  r.u32('OBJREF_CUSTOM cbExtension');
  r.u32('OBJREF_CUSTOM size');
  return decodeEncodingUnit(r.bytes(r.remaining, 'OBJREF_CUSTOM data'));
}
