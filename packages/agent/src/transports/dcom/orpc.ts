// ORPC framing (MS-DCOM 2.2.11-2.2.16): COMVERSION, ORPCTHIS/ORPCTHAT, GUIDs and
// MInterfacePointer in NDR20, and the identifiers the activation and IRemUnknown use.
import { randomUUID } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import type { NdrReader, NdrWriter } from '../dcerpc/ndr.js';
import { decodeUuid, encodeUuid } from '../dcerpc/ndr-types.js';
import type { RpcInterface } from '../dcerpc/rpc-client.js';

/** The DCOM version this client speaks (MS-DCOM 1.7: 5.7 since Windows XP SP2). */
export const COM_VERSION = { major: 5, minor: 7 } as const;

/** ORPCTHIS.flags (MS-DCOM 2.2.13.3). */
export const ORPCF = { null: 0, local: 1 } as const;

/** Largest MInterfacePointer we accept (an OBJREF; WMI objects arrive as OBJREF_CUSTOM). */
export const MAX_INTERFACE_POINTER = 4 << 20;
/** Most ORPC extents an ORPCTHAT may carry before we call it hostile (Windows sends 0-2). */
const MAX_EXTENTS = 64;

export const IID = {
  IUnknown: '00000000-0000-0000-c000-000000000046',
  IRemUnknown: '00000131-0000-0000-c000-000000000046',
  IRemUnknown2: '00000143-0000-0000-c000-000000000046',
  IRemoteSCMActivator: '000001a0-0000-0000-c000-000000000046',
  IActivationPropertiesIn: '000001a2-0000-0000-c000-000000000046',
  IActivationPropertiesOut: '000001a3-0000-0000-c000-000000000046',
  IObjectExporter: '99fcfec4-5260-101b-bbcb-00aa0021347a',
} as const;

/** An interface by IID as an RPC presentation context (DCOM interfaces are version 0.0). */
export function comInterface(name: string, iid: string): RpcInterface {
  return { name, uuid: iid, major: 0, minor: 0 };
}

export const REMOTE_SCM_ACTIVATOR = comInterface('IRemoteSCMActivator', IID.IRemoteSCMActivator);
export const REM_UNKNOWN = comInterface('IRemUnknown', IID.IRemUnknown);
export const OBJECT_EXPORTER = comInterface('IObjectExporter', IID.IObjectExporter);

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed ORPC data: ${what}`);
}

/** A GUID (aligned to 4, as its first field is a 32-bit integer). */
export function writeGuid(w: NdrWriter, uuid: string): void {
  w.align(4).bytes(encodeUuid(uuid));
}

export function readGuid(r: NdrReader): string {
  r.align(4);
  return decodeUuid(r.bytes(16));
}

/** A fresh causality id for one logical call chain (ORPCTHIS.cid). */
export function newCausalityId(): string {
  return randomUUID();
}

export interface OrpcThis {
  /** Causality id; one per logical call chain. */
  cid: string;
  /** ORPCF_* (impacket sends ORPCF_LOCAL on activation and ORPCF_NULL on object calls). */
  flags?: number;
  version?: { major: number; minor: number };
}

/** ORPCTHIS (MS-DCOM 2.2.13.3) with extensions NULL, as the first [in] parameter. */
export function writeOrpcThis(w: NdrWriter, o: OrpcThis): void {
  w.construct(() => {
    const v = o.version ?? COM_VERSION;
    w.u16(v.major).u16(v.minor);
    w.u32(o.flags ?? ORPCF.null).u32(0);
    writeGuid(w, o.cid);
    w.unique(null, () => undefined);
  });
}

export interface OrpcThat {
  flags: number;
  /** The ids of the ORPC extents the server attached (error information, context). */
  extensions: string[];
}

/** ORPCTHIS as a server reads it (the test peer). */
export function readOrpcThis(r: NdrReader): OrpcThis {
  return r.construct(() => {
    const version = { major: r.u16(), minor: r.u16() };
    const flags = r.u32();
    r.u32();
    const cid = readGuid(r);
    readExtentArray(r);
    return { cid, flags, version };
  });
}

/** ORPCTHAT (MS-DCOM 2.2.13.4), the first [out] parameter; extents are read and bounded, not kept. */
export function readOrpcThat(r: NdrReader): OrpcThat {
  const ids: string[] = [];
  const flags = r.construct(() => {
    const f = r.u32();
    readExtentArray(r, ids);
    return f;
  });
  return { flags, extensions: ids };
}

/** ORPCTHAT with no extensions, as a server writes it (the test peer). */
export function writeOrpcThat(w: NdrWriter, flags = 0): void {
  w.construct(() => {
    w.u32(flags);
    w.unique(null, () => undefined);
  });
}

/** A unique pointer to ORPC_EXTENT_ARRAY: size, reserved, then a pointer to the extent pointers. */
function readExtentArray(r: NdrReader, ids: string[] = []): void {
  r.unique(() => {
    const size = r.u32();
    r.u32();
    if (size > MAX_EXTENTS) throw malformed(`${size} ORPC extents`);
    r.unique(() => {
      const n = r.count(4, 'ORPC extents');
      if (n > MAX_EXTENTS) throw malformed(`${n} ORPC extent pointers`);
      for (let i = 0; i < n; i++) {
        r.unique(() => {
          r.count(1, 'ORPC extent data');
          ids.push(readGuid(r));
          const len = r.u32();
          r.bytes((len + 7) & ~7);
        });
      }
    });
  });
}

/**
 * A unique pointer to an MInterfacePointer (MS-DCOM 2.2.14): the conformant byte array
 * `abData` holding an OBJREF. The referent is written when the enclosing construct ends.
 */
export function writeInterfacePointer(w: NdrWriter, objref: Buffer | null): void {
  w.unique(objref, (data) => {
    w.u32(data.length).u32(data.length).bytes(data);
  });
}

/** The body of an MInterfacePointer (max count, ulCntData, bytes), bounded. */
export function readInterfacePointerBody(r: NdrReader): Buffer {
  const max = r.count(1, 'MInterfacePointer');
  const len = r.u32();
  if (len !== max) throw malformed(`MInterfacePointer ulCntData ${len} but max_count ${max}`);
  if (len > MAX_INTERFACE_POINTER) throw malformed(`MInterfacePointer of ${len} bytes`);
  return r.bytes(len);
}
