// MS-WMIO MethodsPart decoding: a class's methods with their in- and out-parameter classes, as
// IWbemServices::GetObject returns them (ExecMethod's in-parameters are built on the in-class).
import { readClassPart, WMIO_SIGNATURE, type WmioClassPart } from './wmio-decoder.js';
import { WmioReader, wmioError } from './wmio-reader.js';

/** A method signature: the `__PARAMETERS` class part, decoded and as its bytes came. */
export interface WmioMethodSignature {
  part: WmioClassPart;
  rawClassPart: Buffer;
}

export interface WmioMethod {
  name: string;
  /** null when the method takes (or returns) nothing. */
  in: WmioMethodSignature | null;
  out: WmioMethodSignature | null;
}

export interface WmioClassWithMethods {
  className: string;
  derivation: string[];
  methods: WmioMethod[];
}

const NULL_REF = 0xffffffff;
/** More methods than any WMI class declares: a hostile count. */
const MAX_METHODS = 1024;

function heapAt(heap: WmioReader, ref: number, what: string): WmioReader {
  if (ref >= heap.end - heap.start)
    throw wmioError(heap.start, `${what}: heap reference ${ref} past the method heap`);
  return heap.at(heap.start + ref, what);
}

/** The flags (and decoration) of an ObjectBlock; the reader moves past them. */
function objectFlags(r: WmioReader): number {
  const flags = r.u8('object flags');
  if (flags & 0x04) {
    r.encodedString('decoration server');
    r.encodedString('decoration namespace');
  }
  return flags;
}

/** A class part at the reader, with its bytes. */
function classPartWithBytes(r: WmioReader): WmioMethodSignature {
  const start = r.pos;
  const part = readClassPart(r, 0);
  return { part, rawClassPart: Buffer.from(r.buf.subarray(start, r.pos)) };
}

/** MethodSignatureBlock (MS-WMIO 2.2.70): EncodingLength, then a class ObjectBlock (or nothing). */
function readSignature(heap: WmioReader, ref: number, what: string): WmioMethodSignature | null {
  if (ref === NULL_REF) return null;
  const r = heapAt(heap, ref, what);
  const len = r.u32(`${what} length`);
  if (len === 0) return null;
  const block = r.sub(len, what);
  const flags = objectFlags(block);
  if ((flags & 0x01) === 0) throw wmioError(block.start, `${what} is not a class`);
  readClassPart(block, 0);
  skipMethodsPart(block);
  const sig = classPartWithBytes(block);
  return sig.part.properties.length === 0 ? null : sig;
}

function skipMethodsPart(r: WmioReader): void {
  const at = r.pos;
  const len = r.u32('methods part length');
  if (len < 4) throw wmioError(at, `methods part length ${len} < 4`);
  r.sub(len - 4, 'methods part');
}

/** MethodsPart (MS-WMIO 2.2.38) at the reader; the reader moves past it. */
export function readMethodsPart(outer: WmioReader): WmioMethod[] {
  const at = outer.pos;
  const len = outer.u32('methods part length');
  if (len < 4) throw wmioError(at, `methods part length ${len} < 4`);
  const r = outer.sub(len - 4, 'methods part');
  const count = r.u16('method count');
  r.u16('method count padding');
  if (count > MAX_METHODS) throw wmioError(at, `${count} methods`);
  const descriptions = r.sub(count * 24, `${count} method descriptions`);
  const heapLen = r.u32('method heap length') & 0x7fffffff;
  const heap = r.sub(heapLen, 'method heap');
  const out: WmioMethod[] = [];
  for (let i = 0; i < count; i++) {
    const nameRef = descriptions.u32('method name');
    descriptions.bytes(4, 'method flags and padding');
    descriptions.u32('method origin');
    descriptions.u32('method qualifiers');
    const inRef = descriptions.u32('method input signature');
    const outRef = descriptions.u32('method output signature');
    const name = heapAt(heap, nameRef, 'method name').encodedString('method name');
    out.push({
      name,
      in: readSignature(heap, inRef, `method ${name} input signature`),
      out: readSignature(heap, outRef, `method ${name} output signature`),
    });
  }
  return out;
}

/**
 * A class ObjectBlock with its current class's methods (the decoder proper skips methods).
 * Instances are refused: only classes carry method signatures.
 */
export function decodeClassWithMethods(block: WmioReader): WmioClassWithMethods {
  const flags = objectFlags(block);
  if ((flags & 0x01) === 0) throw wmioError(block.start, 'object is an instance, not a class');
  readClassPart(block, 0);
  skipMethodsPart(block);
  const current = readClassPart(block, 0);
  const methods = readMethodsPart(block);
  return {
    className: current.className ?? '',
    derivation: current.derivation,
    methods,
  };
}

/** The class in an EncodingUnit, or in the OBJREF_CUSTOM that carries one, with its methods. */
export function decodeClassUnitWithMethods(buf: Buffer): WmioClassWithMethods {
  const r = new WmioReader(buf);
  let start = 0;
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0x574f454d) {
    // OBJREF_CUSTOM: signature, flags, iid, clsid, cbExtension, size, then the encoding unit.
    r.bytes(48, 'OBJREF_CUSTOM header');
    start = 48;
  }
  const sig = r.u32('signature');
  if (sig !== WMIO_SIGNATURE)
    throw wmioError(start, `signature 0x${sig.toString(16)} is not 0x12345678`);
  const len = r.u32('object encoding length');
  return decodeClassWithMethods(r.sub(Math.min(len, r.remaining), 'object block'));
}
