// MS-WMI ObjectArray ("WBEMDATA" packets of IWbemWCOSmartEnum::Next) with the class-part cache
// that lets instances arrive without their class (WBEMOBJECT_INSTANCE_NOCLASS).
import {
  decodeInstanceNoClass,
  decodeObjectBlock,
  type WmioClassPart,
  type WmioObject,
} from './wmio-decoder.js';
import { WmioReader, wmioError } from './wmio-reader.js';

const WBEMDATA = Buffer.from('WBEMDATA', 'latin1');
const OBJECT_CLASS = 1;
const OBJECT_INSTANCE = 2;
const OBJECT_INSTANCE_NOCLASS = 3;
/** More distinct classes than this in one enumeration is hostile: refuse rather than grow. */
const MAX_CACHED_CLASSES = 1024;

/**
 * Decodes the ObjectArrays of one enumeration. Keeps the class part of every
 * WBEMOBJECT_INSTANCE by its classID, because later packets of the same enumeration send
 * instances of that class without it. One decoder per enumeration; not shared.
 */
export class ObjectArrayDecoder {
  readonly #classes = new Map<string, WmioClassPart>();

  /** Number of class parts cached so far. */
  get cachedClasses(): number {
    return this.#classes.size;
  }

  /** All objects of one ObjectArray (MS-WMI 2.2.14), in order. */
  decode(buf: Buffer): WmioObject[] {
    const r = new WmioReader(buf);
    r.u32('ObjectArray byte ordering');
    if (!r.bytes(8, 'ObjectArray signature').equals(WBEMDATA))
      throw wmioError(4, 'ObjectArray signature is not WBEMDATA');
    const h1At = r.pos;
    const h1 = r.u32('ObjectArray header 1 size');
    if (h1 < 0x1a) throw wmioError(h1At, `ObjectArray header size ${h1} < 26`);
    r.bytes(h1 - 16, 'ObjectArray header 1'); // header 1 counts from the byte-ordering field
    const h2 = r.u32('ObjectArray header 2 size');
    if (h2 < 8) throw wmioError(r.pos - 4, `ObjectArray header 2 size ${h2} < 8`);
    r.bytes(h2 - 4, 'ObjectArray header 2');
    const h3 = r.u32('ObjectArray header 3 size');
    if (h3 < 12) throw wmioError(r.pos - 4, `ObjectArray header 3 size ${h3} < 12`);
    r.u32('ObjectArray data size 3');
    const count = r.u32('ObjectArray object count');
    r.bytes(h3 - 12, 'ObjectArray header 3');
    // Each object takes at least its 9-byte header: a hostile count fails before any work.
    r.need(count * 9, `ObjectArray of ${count} objects`);
    const out: WmioObject[] = [];
    for (let i = 0; i < count; i++) out.push(this.#packet(r, i));
    return out;
  }

  #packet(r: WmioReader, i: number): WmioObject {
    const at = r.pos;
    const hdr = r.u32(`object ${i} header size`);
    if (hdr !== 9) throw wmioError(at, `object ${i}: data packet header size ${hdr} is not 9`);
    const size = r.u32(`object ${i} size`);
    const type = r.u8(`object ${i} type`);
    const obj = r.sub(size, `object ${i}`);
    if (type === OBJECT_CLASS) {
      const hAt = obj.pos;
      const h = obj.u32(`class ${i} header size`);
      if (h !== 8) throw wmioError(hAt, `class ${i}: header size ${h} is not 8`);
      const len = obj.u32(`class ${i} data size`);
      return decodeObjectBlock(obj.sub(len, `class ${i} data`));
    }
    if (type !== OBJECT_INSTANCE && type !== OBJECT_INSTANCE_NOCLASS) {
      throw wmioError(at + 8, `object ${i}: unknown packet object type ${type}`);
    }
    const hAt = obj.pos;
    const h = obj.u32(`instance ${i} header size`);
    if (h !== 0x18) throw wmioError(hAt, `instance ${i}: header size ${h} is not 24`);
    const len = obj.u32(`instance ${i} data size`);
    const classId = obj.bytes(16, `instance ${i} classID`).toString('hex');
    const data = obj.sub(len, `instance ${i} data`);
    if (type === OBJECT_INSTANCE) {
      return decodeObjectBlock(data, 0, (part) => {
        if (!this.#classes.has(classId) && this.#classes.size >= MAX_CACHED_CLASSES) {
          throw wmioError(hAt, `more than ${MAX_CACHED_CLASSES} classes in one enumeration`);
        }
        this.#classes.set(classId, part);
      });
    }
    const part = this.#classes.get(classId);
    if (!part) throw wmioError(hAt, `instance ${i}: class ${classId} was never sent`);
    return decodeInstanceNoClass(data, part);
  }
}
