// The MS-WMI calls the scanner makes over DCOM, as NDR stubs: IWbemLevel1Login::NTLMLogin,
// IWbemServices::ExecQuery, IEnumWbemClassObject::Next — requests, responses, and the server's
// reading of them (for the test peer).
import { ScannerError } from '../../errors.js';
import { NdrReader, NdrWriter } from '../dcerpc/ndr.js';
import {
  type OrpcThat,
  type OrpcThis,
  readInterfacePointerBody,
  readOrpcThat,
  readOrpcThis,
  writeInterfacePointer,
  writeOrpcThat,
  writeOrpcThis,
} from '../dcom/orpc.js';

export const CLSID_WBEM_LEVEL1_LOGIN = '8bc3f05e-d86b-11d0-a075-00c04fb68820';
export const WMI_IID = {
  IWbemLevel1Login: 'f309ad18-d86a-11d0-a075-00c04fb68820',
  IWbemServices: '9556dc99-828c-11cf-a37e-00aa003240c7',
  IEnumWbemClassObject: '027947e1-d731-11ce-a357-000000000001',
  IWbemClassObject: 'dc12a681-737f-11cf-884d-00aa004b2e24',
} as const;
/** The custom marshaler CLSID of IWbemClassObject OBJREF_CUSTOMs (MS-WMI 2.2.4.1). */
export const CLSID_WBEM_CLASS_OBJECT = '4590f812-1d3a-11d0-891f-00aa004b2e24';

export const OPNUM = { NTLMLogin: 6, ExecQuery: 20, Next: 4 } as const;

export const WBEM_FLAG_RETURN_IMMEDIATELY = 0x10;
export const WBEM_FLAG_FORWARD_ONLY = 0x20;
/** Next's lTimeout meaning "wait until the batch is full or the enumeration ends". */
export const WBEM_INFINITE = 0xffffffff;
/** Most objects one Next may ask for (bounds the response the client accepts). */
export const MAX_BATCH = 1024;

/** A BSTR ([in] wireBSTR, MS-OAUT 2.2.23.2): unique pointer to FLAGGED_WORD_BLOB, no terminator. */
export function writeBstr(w: NdrWriter, s: string): void {
  w.unique(s, (text) => {
    const units = Buffer.from(text, 'utf16le');
    const n = units.length / 2;
    w.u32(n).u32(units.length).u32(n).bytes(units);
  });
}

/** A BSTR as writeBstr writes it; null for a NULL pointer. */
export function readBstr(r: NdrReader): string | null {
  const box = r.construct(() =>
    r.unique(() => {
      const max = r.count(2, 'BSTR');
      r.u32(); // cBytes
      const n = r.u32();
      if (n !== max)
        throw new ScannerError('ERR_PROTOCOL', `BSTR clSize ${n} but max_count ${max}`);
      return r.bytes(n * 2).toString('utf16le');
    }),
  );
  return box.value;
}

/** NTLMLogin(wszNetworkResource, wszPreferredLocale NULL, lFlags 0, pCtx NULL). */
export function encodeNtlmLogin(orpc: OrpcThis, networkResource: string): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => w.unique(networkResource, (s) => w.wstring(s)));
  w.construct(() => w.unique(null, () => undefined));
  w.construct(() => w.i32(0));
  w.construct(() => writeInterfacePointer(w, null));
  return w.toBuffer();
}

/** ExecQuery(strQueryLanguage, strQuery, lFlags, pCtx NULL). */
export function encodeExecQuery(
  orpc: OrpcThis,
  language: string,
  query: string,
  flags: number,
): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => writeBstr(w, language));
  w.construct(() => writeBstr(w, query));
  w.construct(() => w.i32(flags));
  w.construct(() => writeInterfacePointer(w, null));
  return w.toBuffer();
}

/** Next(lTimeout, uCount). */
export function encodeNext(orpc: OrpcThis, timeoutMs: number, count: number): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => w.u32(timeoutMs));
  w.construct(() => w.u32(count));
  return w.toBuffer();
}

export interface InterfaceAnswer {
  orpcThat: OrpcThat;
  /** The OBJREF of the [out] interface pointer; null when the server sent NULL. */
  objref: Buffer | null;
  hresult: number;
}

/** NTLMLogin's and ExecQuery's answer: ORPCTHAT, one interface pointer, the HRESULT. */
export function decodeInterfaceAnswer(stub: Buffer): InterfaceAnswer {
  const r = new NdrReader(stub);
  const orpcThat = readOrpcThat(r);
  const ptr = r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  const hresult = r.construct(() => r.u32());
  return { orpcThat, objref: ptr.value, hresult };
}

export interface NextAnswer {
  orpcThat: OrpcThat;
  /** The OBJREF_CUSTOM bytes of each returned IWbemClassObject, in order. */
  objects: Buffer[];
  returned: number;
  hresult: number;
}

/** Next's answer: the conformant-varying array of object pointers, puReturned, the HRESULT. */
export function decodeNextAnswer(stub: Buffer, asked: number): NextAnswer {
  const r = new NdrReader(stub);
  const orpcThat = readOrpcThat(r);
  const boxes = r.construct(() => {
    const max = r.u32();
    const offset = r.u32();
    const actual = r.count(4, 'Next objects');
    if (offset !== 0 || actual > max || actual > asked) {
      throw new ScannerError(
        'ERR_PROTOCOL',
        `Next returned offset ${offset}, ${actual} of ${max} objects for ${asked} asked`,
      );
    }
    const list = [];
    for (let i = 0; i < actual; i++) list.push(r.unique(() => readInterfacePointerBody(r)));
    return list;
  });
  const returned = r.construct(() => r.u32());
  const hresult = r.construct(() => r.u32());
  if (returned !== boxes.length)
    throw new ScannerError(
      'ERR_PROTOCOL',
      `Next puReturned ${returned} but ${boxes.length} objects`,
    );
  const objects = boxes.map((b, i) => {
    if (!b.value) throw new ScannerError('ERR_PROTOCOL', `Next object ${i} is NULL`);
    return b.value;
  });
  return { orpcThat, objects, returned, hresult };
}

// ---- the server side (the test peer) ---------------------------------------------------------

export function decodeNtlmLoginRequest(stub: Buffer): {
  orpcThis: OrpcThis;
  networkResource: string | null;
  locale: string | null;
  flags: number;
} {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  const res = r.construct(() => r.unique(() => r.wstring()));
  const locale = r.construct(() => r.unique(() => r.wstring()));
  const flags = r.construct(() => r.i32());
  return { orpcThis, networkResource: res.value, locale: locale.value, flags };
}

export function decodeExecQueryRequest(stub: Buffer): {
  orpcThis: OrpcThis;
  language: string | null;
  query: string | null;
  flags: number;
} {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  const language = readBstr(r);
  const query = readBstr(r);
  const flags = r.construct(() => r.i32());
  return { orpcThis, language, query, flags };
}

export function decodeNextRequest(stub: Buffer): {
  orpcThis: OrpcThis;
  timeout: number;
  count: number;
} {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  const timeout = r.construct(() => r.u32());
  const count = r.construct(() => r.u32());
  return { orpcThis, timeout, count };
}

export function encodeInterfaceAnswer(objref: Buffer | null, hresult: number): Buffer {
  const w = new NdrWriter();
  writeOrpcThat(w);
  w.construct(() => writeInterfacePointer(w, objref));
  w.construct(() => w.u32(hresult));
  return w.toBuffer();
}

export function encodeNextAnswer(asked: number, objects: Buffer[], hresult: number): Buffer {
  const w = new NdrWriter();
  writeOrpcThat(w);
  w.construct(() => {
    w.u32(asked).u32(0).u32(objects.length);
    for (const o of objects) writeInterfacePointer(w, o);
  });
  w.construct(() => w.u32(objects.length));
  w.construct(() => w.u32(hresult));
  return w.toBuffer();
}
