// WMI method calls over DCOM: IWbemServices::GetObject (a class with its method signatures) and
// IWbemServices::ExecMethod (in-parameters built on the class's in-signature, out-parameters
// decoded), requests byte-identical to impacket 0.10's, and the server's side for the test peer.
import { ScannerError } from '../../errors.js';
import { NdrReader, NdrWriter } from '../dcerpc/ndr.js';
import { encodeObjRefCustom } from '../dcom/objref.js';
import { failed } from '../dcom/hresult.js';
import {
  type OrpcThat,
  type OrpcThis,
  newCausalityId,
  readInterfacePointerBody,
  readOrpcThat,
  readOrpcThis,
  writeInterfacePointer,
  writeOrpcThat,
  writeOrpcThis,
} from '../dcom/orpc.js';
import type { CimObject } from '../wmio/cim-object.js';
import { decodeObjrefCustom } from '../wmio/wmio-decoder.js';
import { type CimValue, encodeInParamsUnit } from '../wmio/wmio-encoder.js';
import { decodeClassUnitWithMethods, type WmioClassWithMethods } from '../wmio/wmio-methods.js';
import { wbemError } from './wbem-status.js';
import { CLSID_WBEM_CLASS_OBJECT, readBstr, WMI_IID, writeBstr } from './wmi-calls.js';
import type { WmiSession } from './wmi-session.js';

export const SERVICES_OPNUM = { GetObject: 6, ExecMethod: 24 } as const;

/**
 * GetObject(strObjectPath, lFlags, pCtx NULL, ppObject, ppCallResult NULL): a synchronous call,
 * ppObject non-NULL pointing at NULL. impacket 0.10 marshals both [in, out] pointers as
 * single-level PMInterfacePointers; read as the IDL says (as Windows does), its stub is exactly
 * this one followed by 12 bytes nobody reads.
 */
export function encodeGetObject(orpc: OrpcThis, objectPath: string, flags = 0): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => writeBstr(w, objectPath));
  w.construct(() => w.i32(flags));
  w.construct(() => writeInterfacePointer(w, null));
  w.construct(() => w.unique(true, () => writeInterfacePointer(w, null)));
  w.construct(() => writeInterfacePointer(w, null));
  return w.toBuffer();
}

/**
 * ExecMethod(strObjectPath, strMethodName, lFlags 0, pCtx NULL, pInParams, ppOutParams,
 * ppCallResult NULL) as impacket sends it: path and method name with a terminating NUL inside the
 * BSTR (impacket's checkNullString; Windows reads them as C strings), ppOutParams non-NULL.
 */
export function encodeExecMethod(
  orpc: OrpcThis,
  objectPath: string,
  method: string,
  inParams: Buffer | null,
): Buffer {
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => writeBstr(w, `${objectPath}\0`));
  w.construct(() => writeBstr(w, `${method}\0`));
  w.construct(() => w.i32(0));
  w.construct(() => writeInterfacePointer(w, null));
  w.construct(() => writeInterfacePointer(w, inParams));
  w.construct(() => w.unique(true, () => writeInterfacePointer(w, null)));
  w.construct(() => writeInterfacePointer(w, null));
  return w.toBuffer();
}

export interface ObjectAnswer {
  orpcThat: OrpcThat;
  /** The OBJREF of ppObject / ppOutParams; null when the server sent NULL. */
  object: Buffer | null;
  /** The OBJREF of ppCallResult (an interface to release); null normally. */
  callResult: Buffer | null;
  hresult: number;
}

/** GetObject's and ExecMethod's answer: two [in, out, unique] interface pointers, the HRESULT. */
export function decodeObjectAnswer(stub: Buffer): ObjectAnswer {
  const r = new NdrReader(stub);
  const orpcThat = readOrpcThat(r);
  const object = r.construct(() => r.unique(() => r.unique(() => readInterfacePointerBody(r))));
  const callResult = r.construct(() => r.unique(() => r.unique(() => readInterfacePointerBody(r))));
  const hresult = r.construct(() => r.u32());
  return {
    orpcThat,
    object: object.value?.value ?? null,
    callResult: callResult.value?.value ?? null,
    hresult,
  };
}

/** An IWbemClassObject OBJREF_CUSTOM around an encoding unit; size = the unit's (as impacket). */
export function wbemObjref(unit: Buffer): Buffer {
  const o = encodeObjRefCustom(WMI_IID.IWbemClassObject, CLSID_WBEM_CLASS_OBJECT, unit);
  // The reserved size field ("MUST be ignored on receipt", MS-DCOM 2.2.18.6): impacket writes the
  // unit's length in the in-parameters it sends, Windows the length plus 8 in what it returns.
  o.writeUInt32LE(unit.length, 44);
  return o;
}

// ---- the server side (the test peer) ---------------------------------------------------------

export function decodeGetObjectRequest(stub: Buffer): {
  orpcThis: OrpcThis;
  objectPath: string | null;
  flags: number;
} {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  const objectPath = readBstr(r);
  const flags = r.construct(() => r.i32());
  return { orpcThis, objectPath, flags };
}

export function decodeExecMethodRequest(stub: Buffer): {
  orpcThis: OrpcThis;
  objectPath: string | null;
  method: string | null;
  flags: number;
  inParams: Buffer | null;
  wantsOutParams: boolean;
} {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  const strip = (s: string | null) => (s === null ? null : s.replace(/\0$/, ''));
  const objectPath = strip(readBstr(r));
  const method = strip(readBstr(r));
  const flags = r.construct(() => r.i32());
  r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  const inParams = r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  const out = r.construct(() => r.unique(() => r.unique(() => readInterfacePointerBody(r))));
  return {
    orpcThis,
    objectPath,
    method,
    flags,
    inParams: inParams.value,
    wantsOutParams: out.value !== null,
  };
}

export function encodeObjectAnswer(object: Buffer | null, hresult: number): Buffer {
  const w = new NdrWriter();
  writeOrpcThat(w);
  w.construct(() => w.unique(true, () => writeInterfacePointer(w, object)));
  w.construct(() => writeInterfacePointer(w, null));
  w.construct(() => w.u32(hresult));
  return w.toBuffer();
}

// ---- the client ------------------------------------------------------------------------------

export interface MethodCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Most classes whose signatures one caller keeps (a scan asks for two or three). */
const MAX_CLASSES = 64;

/**
 * WMI method calls on one WmiSession. The class of each method is fetched once with GetObject
 * (its in-signature is what the in-parameters object is built on, as Windows expects).
 * @example
 * const calls = new WmiMethodCaller(wmi);
 * const out = await calls.execMethod('root/default', 'StdRegProv', 'StdRegProv', 'EnumKey',
 *   { hDefKey: 0x80000002, sSubKeyName: 'SOFTWARE' }, { signal });
 */
export class WmiMethodCaller {
  readonly #session: WmiSession;
  readonly #classes = new Map<string, Promise<WmioClassWithMethods>>();

  constructor(session: WmiSession) {
    this.#session = session;
  }

  /** The class `className` in `namespace` with its methods (GetObject, once per caller). */
  getClass(
    namespace: string,
    className: string,
    o: MethodCallOptions = {},
  ): Promise<WmioClassWithMethods> {
    const key = `${namespace.toLowerCase()}\0${className.toLowerCase()}`;
    let p = this.#classes.get(key);
    if (!p) {
      if (this.#classes.size >= MAX_CLASSES) this.#classes.clear();
      p = this.#fetchClass(namespace, className, o);
      this.#classes.set(key, p);
      p.catch(() => this.#classes.delete(key));
    }
    return p;
  }

  async #fetchClass(
    namespace: string,
    className: string,
    o: MethodCallOptions,
  ): Promise<WmioClassWithMethods> {
    const what = `GetObject ${className} in ${namespace} at ${this.#session.host}`;
    const stub = encodeGetObject({ cid: newCausalityId() }, className);
    const object = await this.#callForObject(namespace, SERVICES_OPNUM.GetObject, stub, o, what);
    return decodeClassUnitWithMethods(object);
  }

  /**
   * One GetObject / ExecMethod call: releases the IWbemCallResult the server may send, throws
   * the failed HRESULT (ERR_RPC naming `what`) or ERR_PROTOCOL when no object came back.
   */
  async #callForObject(
    namespace: string,
    opnum: number,
    stub: Buffer,
    o: MethodCallOptions,
    what: string,
    object = 'object',
  ): Promise<Buffer> {
    const ans = decodeObjectAnswer(await this.#session.callServices(namespace, opnum, stub, o));
    if (ans.callResult) await this.#session.releaseObjref('IWbemCallResult', ans.callResult);
    if (failed(ans.hresult)) throw wbemError(ans.hresult, what);
    if (!ans.object) throw new ScannerError('ERR_PROTOCOL', `${what} returned no ${object}`);
    return ans.object;
  }

  /**
   * Calls `method` of `className` on `objectPath` (the class itself for static methods, e.g.
   * `StdRegProv`; an instance path such as `Win32_Process.Handle="4"` otherwise) with `args`
   * by parameter name, and returns the out-parameters object (ReturnValue included). A failed
   * HRESULT is a ScannerError carrying it (WBEM_E_NOT_FOUND for an instance that is gone).
   */
  async execMethod(
    namespace: string,
    className: string,
    objectPath: string,
    method: string,
    args: Record<string, CimValue>,
    o: MethodCallOptions = {},
  ): Promise<CimObject> {
    const cls = await this.getClass(namespace, className, o);
    const what = `ExecMethod ${objectPath}.${method} in ${namespace} at ${this.#session.host}`;
    const m = cls.methods.find((x) => x.name.toLowerCase() === method.toLowerCase());
    if (!m) throw new ScannerError('ERR_RPC', `${what}: ${className} has no method ${method}`);
    if (!m.in && Object.keys(args).length > 0)
      throw new ScannerError('ERR_RPC', `${what}: ${method} takes no parameters`);
    const inParams = m.in ? wbemObjref(encodeInParamsUnit(m.in, args)) : null;
    const stub = encodeExecMethod({ cid: newCausalityId() }, objectPath, m.name, inParams);
    const object = await this.#callForObject(
      namespace,
      SERVICES_OPNUM.ExecMethod,
      stub,
      o,
      what,
      'out-parameters',
    );
    const out = decodeObjrefCustom(object);
    return { className: out.className, properties: out.properties };
  }
}
