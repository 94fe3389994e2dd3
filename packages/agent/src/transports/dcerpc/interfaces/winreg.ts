// winreg (MS-RRP): open HKLM, open subkeys, enumerate subkeys and values, query values and key info.
import { NdrReader, NdrWriter } from '../ndr.js';
import { type ContextHandle, readHandle, writeHandle, writeUnicodeString } from '../ndr-types.js';
import type { CallOptions, RpcClient, RpcInterface } from '../rpc-client.js';
import { resultError } from '../status.js';
import { decodeHandleResponse, encodeHandleOnly } from './handle-stubs.js';

export const WINREG: RpcInterface = {
  name: 'winreg',
  uuid: '338cd001-2244-31f1-aaaa-900038001003',
  major: 1,
  minor: 0,
};
export const WINREG_PIPE = 'winreg';
const OP = {
  openHKLM: 2,
  closeKey: 5,
  enumKey: 9,
  enumValue: 10,
  openKey: 15,
  queryInfoKey: 16,
  queryValue: 17,
} as const;

/** KEY_READ (STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY). */
export const KEY_READ = 0x00020019;
/** KEY_WOW64_64KEY: the 64-bit view even when the server process is 32-bit. */
export const KEY_WOW64_64KEY = 0x0100;
export const REG_TYPE = { sz: 1, expandSz: 2, binary: 3, dword: 4, multiSz: 7, qword: 11 } as const;
const ERROR_NO_MORE_ITEMS = 0x103;
const ERROR_MORE_DATA = 0xea;
const ERROR_FILE_NOT_FOUND = 0x2;
/** Name buffers: registry key names are at most 255 characters, value names 16383. */
const KEY_NAME_CHARS = 256;
const VALUE_NAME_CHARS = 16384;
/** First guess for value data; larger values are asked again with the size the server gives, up to the cap. */
const FIRST_DATA_BYTES = 4096;
export const MAX_VALUE_BYTES = 1 << 20;
const MAX_ENTRIES = 100_000;

/** An RRP_UNICODE_STRING buffer for the server to fill: Length 0, room for `chars` characters. */
function writeEmptyName(w: NdrWriter, chars: number): void {
  w.align(4)
    .u16(0)
    .u16(chars * 2);
  w.unique(chars, (n) => w.u32(n).u32(0).u32(0));
}

function writeDataBuffer(w: NdrWriter, size: number): void {
  // lpType, lpData (size_is cbData, length_is cbLen = 0), lpcbData, lpcbLen.
  w.construct(() => w.unique(0, (v) => w.u32(v)));
  w.construct(() => w.unique(size, (n) => w.u32(n).u32(0).u32(0)));
  w.construct(() => w.unique(size, (v) => w.u32(v)));
  w.construct(() => w.unique(0, (v) => w.u32(v)));
}

interface DataOut {
  type: number | null;
  data: Buffer | null;
  cbData: number | null;
  cbLen: number | null;
}

function readDataOut(r: NdrReader): DataOut {
  const type = r.construct(() => r.unique(() => r.u32()));
  const data = r.construct(() =>
    r.unique(() => {
      r.u32(); // max
      const offset = r.u32();
      const actual = r.u32();
      r.bytes(offset);
      return r.bytes(actual);
    }),
  );
  const cbData = r.construct(() => r.unique(() => r.u32()));
  const cbLen = r.construct(() => r.unique(() => r.u32()));
  return { type: type.value, data: data.value, cbData: cbData.value, cbLen: cbLen.value };
}

export function encodeOpenLocalMachine(access = KEY_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => w.u32(0));
  w.construct(() => w.u32(access));
  return w.toBuffer();
}

export function encodeOpenKey(parent: ContextHandle, subKey: string, access = KEY_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, parent));
  w.construct(() => writeUnicodeString(w, subKey, true));
  w.construct(() => w.u32(0).u32(access));
  return w.toBuffer();
}

export function encodeEnumKey(key: ContextHandle, index: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, key));
  w.construct(() => w.u32(index));
  w.construct(() => writeEmptyName(w, KEY_NAME_CHARS));
  w.construct(() => w.unique(KEY_NAME_CHARS, () => writeEmptyName(w, KEY_NAME_CHARS)));
  w.construct(() => w.unique(0, () => w.u32(0).u32(0)));
  return w.toBuffer();
}

function readRegString(r: NdrReader): string | null {
  const box = r.construct(() => {
    r.align(4);
    const length = r.u16();
    r.u16();
    return r.unique(() => r.wchars(length));
  });
  return box.value === null ? null : box.value.replace(/\0+$/, '');
}

/** BaseRegEnumKey: the subkey name, or null past the last one. */
export function decodeEnumKey(stub: Buffer): string | null {
  const r = new NdrReader(stub);
  const name = readRegString(r);
  r.construct(() => r.unique(() => readRegString(r)));
  r.construct(() => r.unique(() => [r.u32(), r.u32()]));
  const status = r.construct(() => r.u32());
  if (status === ERROR_NO_MORE_ITEMS) return null;
  if (status !== 0) throw resultError(status, 'BaseRegEnumKey');
  return name ?? '';
}

export function encodeEnumValue(key: ContextHandle, index: number, dataBytes: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, key));
  w.construct(() => w.u32(index));
  w.construct(() => writeEmptyName(w, VALUE_NAME_CHARS));
  writeDataBuffer(w, dataBytes);
  return w.toBuffer();
}

export function encodeQueryValue(key: ContextHandle, name: string, dataBytes: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, key));
  w.construct(() => writeUnicodeString(w, name, true));
  writeDataBuffer(w, dataBytes);
  return w.toBuffer();
}

/** A registry value as read: its type and raw bytes, plus the decoded form for the common types. */
export interface RegValue {
  name: string;
  type: number;
  data: Buffer;
  value: string | number | bigint | string[] | Buffer;
}

/** Interprets raw value bytes by type: strings (trailing NULs dropped), DWORD, QWORD, multi-string. */
export function decodeValueData(type: number, data: Buffer): RegValue['value'] {
  const text = (): string => data.subarray(0, data.length - (data.length % 2)).toString('utf16le');
  switch (type) {
    case REG_TYPE.sz:
    case REG_TYPE.expandSz:
      return text().replace(/\0+$/, '');
    case REG_TYPE.multiSz:
      return text()
        .replace(/\0+$/, '')
        .split('\0')
        .filter((s) => s.length > 0);
    case REG_TYPE.dword:
      return data.length >= 4 ? data.readUInt32LE(0) : data;
    case REG_TYPE.qword:
      return data.length >= 8 ? data.readBigUInt64LE(0) : data;
    default:
      return data;
  }
}

type ValueAnswer = {
  status: number;
  type: number;
  data: Buffer;
  needed: number;
  name?: string | null;
};

export function decodeQueryValue(stub: Buffer): ValueAnswer {
  const r = new NdrReader(stub);
  const out = readDataOut(r);
  const status = r.construct(() => r.u32());
  return {
    status,
    type: out.type ?? 0,
    data: out.data ?? Buffer.alloc(0),
    needed: out.cbData ?? 0,
  };
}

export function decodeEnumValue(stub: Buffer): ValueAnswer {
  const r = new NdrReader(stub);
  const name = readRegString(r);
  const out = readDataOut(r);
  const status = r.construct(() => r.u32());
  return {
    status,
    name,
    type: out.type ?? 0,
    data: out.data ?? Buffer.alloc(0),
    needed: out.cbData ?? 0,
  };
}

export interface KeyInfo {
  subKeys: number;
  maxSubKeyLength: number;
  values: number;
  maxValueNameLength: number;
  maxValueLength: number;
  /** FILETIME of the last write. */
  lastWriteTime: bigint;
}

export function encodeQueryInfoKey(key: ContextHandle): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, key));
  // Samba reads lpClassIn as a [string], so it needs the NUL (an empty buffer is bad_stub_data).
  w.construct(() => writeUnicodeString(w, '', true));
  return w.toBuffer();
}

export function decodeQueryInfoKey(stub: Buffer): KeyInfo {
  const r = new NdrReader(stub);
  readRegString(r);
  const [subKeys, maxSubKeyLength, , values, maxValueNameLength, maxValueLength] = r.construct(() =>
    Array.from({ length: 7 }, () => r.u32()),
  ) as [number, number, number, number, number, number, number];
  const lo = r.construct(() => r.u32());
  const hi = r.construct(() => r.u32());
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'BaseRegQueryInfoKey');
  return {
    subKeys,
    maxSubKeyLength,
    values,
    maxValueNameLength,
    maxValueLength,
    lastWriteTime: (BigInt(hi) << 32n) | BigInt(lo),
  };
}

/** An open registry key; `openKey` for children; always `close()` it. */
export class RegistryKey {
  readonly #rpc: RpcClient;
  readonly #opts: CallOptions;
  readonly handle: ContextHandle;
  readonly path: string;

  constructor(rpc: RpcClient, handle: ContextHandle, path: string, opts: CallOptions) {
    this.#rpc = rpc;
    this.handle = handle;
    this.path = path;
    this.#opts = opts;
  }

  /** OpenLocalMachine: HKLM. */
  static async openLocalMachine(
    rpc: RpcClient,
    opts: CallOptions = {},
    access = KEY_READ,
  ): Promise<RegistryKey> {
    const stub = await rpc.call(OP.openHKLM, encodeOpenLocalMachine(access), opts);
    return new RegistryKey(rpc, decodeHandleResponse(stub, 'OpenLocalMachine'), 'HKLM', opts);
  }

  /** BaseRegOpenKey; null when the key does not exist. */
  async openKey(subKey: string, access = KEY_READ): Promise<RegistryKey | null> {
    const r = new NdrReader(
      await this.#rpc.call(OP.openKey, encodeOpenKey(this.handle, subKey, access), this.#opts),
    );
    const handle = r.construct(() => readHandle(r));
    const status = r.construct(() => r.u32());
    if (status === ERROR_FILE_NOT_FOUND) return null;
    if (status !== 0) throw resultError(status, `BaseRegOpenKey ${this.path}\\${subKey}`);
    return new RegistryKey(this.#rpc, handle, `${this.path}\\${subKey}`, this.#opts);
  }

  async info(): Promise<KeyInfo> {
    return decodeQueryInfoKey(
      await this.#rpc.call(OP.queryInfoKey, encodeQueryInfoKey(this.handle), this.#opts),
    );
  }

  /** Every subkey name (BaseRegEnumKey from index 0 until ERROR_NO_MORE_ITEMS). */
  async subKeys(): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < MAX_ENTRIES; i++) {
      const name = decodeEnumKey(
        await this.#rpc.call(OP.enumKey, encodeEnumKey(this.handle, i), this.#opts),
      );
      if (name === null) return out;
      out.push(name);
    }
    return out;
  }

  /** Every value with its data (BaseRegEnumValue, asking again when the data did not fit). */
  async values(): Promise<RegValue[]> {
    const out: RegValue[] = [];
    for (let i = 0; i < MAX_ENTRIES; i++) {
      const ans = await this.#sized(
        OP.enumValue,
        (size) => encodeEnumValue(this.handle, i, size),
        decodeEnumValue,
        'BaseRegEnumValue',
      );
      if (ans === null) return out;
      out.push({
        name: ans.name ?? '',
        type: ans.type,
        data: ans.data,
        value: decodeValueData(ans.type, ans.data),
      });
    }
    return out;
  }

  /** BaseRegQueryValue; null when the value does not exist. */
  async value(name: string): Promise<RegValue | null> {
    const ans = await this.#sized(
      OP.queryValue,
      (size) => encodeQueryValue(this.handle, name, size),
      decodeQueryValue,
      `BaseRegQueryValue ${name}`,
    );
    if (ans === null) return null;
    return { name, type: ans.type, data: ans.data, value: decodeValueData(ans.type, ans.data) };
  }

  async #sized(
    opnum: number,
    encode: (size: number) => Buffer,
    decode: (stub: Buffer) => ValueAnswer,
    what: string,
  ): Promise<ValueAnswer | null> {
    let size = FIRST_DATA_BYTES;
    for (let attempt = 0; attempt < 3; attempt++) {
      const ans = decode(await this.#rpc.call(opnum, encode(size), this.#opts));
      if (ans.status === 0) return ans;
      if (ans.status === ERROR_NO_MORE_ITEMS || ans.status === ERROR_FILE_NOT_FOUND) return null;
      if (ans.status !== ERROR_MORE_DATA || ans.needed <= size || ans.needed > MAX_VALUE_BYTES) {
        throw resultError(ans.status, `${what} in ${this.path}`);
      }
      size = ans.needed;
    }
    throw resultError(ERROR_MORE_DATA, `${what} in ${this.path}`);
  }

  async close(): Promise<void> {
    decodeHandleResponse(
      await this.#rpc.call(OP.closeKey, encodeHandleOnly(this.handle), this.#opts),
      'BaseRegCloseKey',
    );
  }
}
