// Stubs built around a context handle, alike in lsarpc, samr, svcctl and winreg: the answer of
// an Open*/Close call (a handle, then a status), a request that is the handle alone, and a
// Query*Information request (the handle, then a 16-bit information class).
import { NdrReader, NdrWriter } from '../ndr.js';
import { type ContextHandle, readHandle, writeHandle } from '../ndr-types.js';
import { resultError } from '../status.js';

/** A response that is a context handle then a status; ERR_RPC naming `what` on a failure. */
export function decodeHandleResponse(stub: Buffer, what: string): ContextHandle {
  const r = new NdrReader(stub);
  const handle = r.construct(() => readHandle(r));
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, what);
  return handle;
}

export function encodeHandleOnly(handle: ContextHandle): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  return w.toBuffer();
}

/** LsarQueryInformationPolicy, SamrQueryInformationUser / Alias: handle and information class. */
export function encodeHandleAndInfoClass(handle: ContextHandle, infoClass: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => w.u16(infoClass));
  return w.toBuffer();
}
