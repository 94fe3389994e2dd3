// Remote activation (MS-DCOM 3.1.2.5.2.3.3): IRemoteSCMActivator::RemoteCreateInstance with an
// activation properties BLOB in and out (2.2.22), encoded and decoded with bounds.
import { ScannerError } from '../../errors.js';
import { NdrReader, NdrWriter } from '../dcerpc/ndr.js';
import { failed } from './hresult.js';
import {
  decodeDualStringArray,
  decodeObjRef,
  type DualStringArray,
  encodeDualStringArray,
  encodeObjRefCustom,
} from './objref.js';
import {
  COM_VERSION,
  IID,
  type OrpcThat,
  type OrpcThis,
  readGuid,
  readInterfacePointerBody,
  readOrpcThat,
  readOrpcThis,
  writeGuid,
  writeInterfacePointer,
  writeOrpcThat,
  writeOrpcThis,
} from './orpc.js';
import { deserializeType1, serializeType1, TS1_HEADER_SIZE } from './type-serialization.js';

export const OPNUM_REMOTE_CREATE_INSTANCE = 4;

export const ACTIVATION_CLSID = {
  ActivationPropertiesIn: '00000338-0000-0000-c000-000000000046',
  ActivationPropertiesOut: '00000339-0000-0000-c000-000000000046',
  SpecialSystemProperties: '000001b9-0000-0000-c000-000000000046',
  InstantiationInfo: '000001ab-0000-0000-c000-000000000046',
  ActivationContextInfo: '000001a5-0000-0000-c000-000000000046',
  SecurityInfo: '000001a6-0000-0000-c000-000000000046',
  ServerLocationInfo: '000001a4-0000-0000-c000-000000000046',
  ScmRequestInfo: '000001aa-0000-0000-c000-000000000046',
  PropsOutInfo: '00000339-0000-0000-c000-000000000046',
  ScmReplyInfo: '000001b6-0000-0000-c000-000000000046',
} as const;

/** The properties an ActivationPropertiesIn may carry, by their name here. */
export type ActivationProperty =
  'special' | 'instantiation' | 'context' | 'security' | 'location' | 'scmRequest';

/**
 * What Windows' own client sends, in its order. impacket sends only instantiation, context,
 * location and scmRequest; MS-DCOM requires instantiation, scmRequest and location.
 */
export const DEFAULT_PROPERTIES: readonly ActivationProperty[] = [
  'special',
  'instantiation',
  'context',
  'security',
  'location',
  'scmRequest',
];

const PROPERTY_CLSID: Record<ActivationProperty, string> = {
  special: ACTIVATION_CLSID.SpecialSystemProperties,
  instantiation: ACTIVATION_CLSID.InstantiationInfo,
  context: ACTIVATION_CLSID.ActivationContextInfo,
  security: ACTIVATION_CLSID.SecurityInfo,
  location: ACTIVATION_CLSID.ServerLocationInfo,
  scmRequest: ACTIVATION_CLSID.ScmRequestInfo,
};

/** Most properties / interfaces an activation BLOB may list (MS-DCOM 2.2.28.1 bounds). */
const MAX_PROPERTIES = 10;
const MAX_INTERFACES = 64;
const MAX_BLOB = 1 << 20;

export interface ActivationRequest {
  clsid: string;
  /** Interfaces wanted from the new object (at least one). */
  iids: string[];
  /** Which properties, in which order (default DEFAULT_PROPERTIES). */
  properties?: readonly ActivationProperty[];
  /** Protocol sequences the client can use for the object exporter (default [ncacn_ip_tcp]). */
  protseqs?: number[];
  /** customREMOTE_REQUEST_SCM_INFO.ClientImpLevel (default 0, as impacket; MUST be ignored). */
  clientImpLevel?: number;
  /** SpecialPropertiesData.dwDefaultAuthnLvl (default 6, packet privacy). */
  authnLevel?: number;
  /** SecurityInfoData's COSERVERINFO.pwszName: the server as the client named it (default none). */
  serverName?: string;
}

function malformed(what: string): ScannerError {
  return new ScannerError('ERR_PROTOCOL', `malformed activation properties: ${what}`);
}

/** One property body (already serialized with its padding) for a given property. */
function encodeProperty(p: ActivationProperty, req: ActivationRequest): Buffer {
  switch (p) {
    case 'instantiation': {
      // thisSize is this property's own serialized size: encode once to learn it.
      const write = (size: number) =>
        serializeType1((w) => {
          writeGuid(w, req.clsid);
          w.u32(0).u32(0).i32(0).u32(req.iids.length).u32(0);
          w.unique(req.iids, (iids) => {
            w.u32(iids.length);
            for (const iid of iids) writeGuid(w, iid);
          });
          w.u32(size);
          w.u16(COM_VERSION.major).u16(COM_VERSION.minor);
        });
      return write(write(0).length);
    }
    case 'special':
      return serializeType1((w) => {
        w.u32(0xffffffff).i32(0).i32(0).i32(0);
        w.u32(req.authnLevel ?? 6);
        writeGuid(w, '00000000-0000-0000-0000-000000000000');
        w.u32(0).u32(0x14).u32(0); // dwPRTFlags, dwOrigClsctx (CLSCTX_LOCAL_SERVER|REMOTE_SERVER), dwFlags
        w.u32(0).u64(0n).u32(0).u32(0).u32(0).u32(0).u32(0); // Reserved1, Reserved2, Reserved3[5]
        w.align(8);
      });
    case 'context':
      return serializeType1((w) => {
        w.i32(0).i32(0).u32(0).u32(0);
        writeInterfacePointer(w, null);
        writeInterfacePointer(w, null);
      });
    case 'security':
      return serializeType1((w) => {
        w.u32(0);
        w.unique(req.serverName === undefined ? null : req.serverName, (name) => {
          w.u32(0);
          w.unique(name, (s) => w.wstring(s));
          w.u32(0).u32(0);
        });
        w.u32(0);
      });
    case 'location':
      return serializeType1((w) => {
        w.unique(null, () => undefined);
        w.u32(0).u32(0).u32(0);
      });
    case 'scmRequest': {
      const protseqs = req.protseqs ?? [7];
      return serializeType1((w) => {
        w.unique(null, () => undefined);
        w.unique(protseqs, (seqs) => {
          w.u32(req.clientImpLevel ?? 0);
          w.u16(seqs.length);
          w.unique(seqs, (s) => {
            w.u32(s.length);
            for (const v of s) w.u16(v);
          });
        });
      });
    }
  }
}

export interface SerializedProperty {
  clsid: string;
  /** The serialized property, padding included. */
  body: Buffer;
}

/** An activation properties BLOB (2.2.22): dwSize, dwReserved, CustomHeader, properties. */
export function encodeActivationBlob(props: SerializedProperty[], destCtx = 2): Buffer {
  const header = (total: number) =>
    serializeType1((w) => {
      w.u32(total);
      w.u32(0); // headerSize, patched below
      w.u32(0).u32(destCtx).u32(props.length);
      writeGuid(w, '00000000-0000-0000-0000-000000000000');
      w.unique(props, (ps) => {
        w.u32(ps.length);
        for (const p of ps) writeGuid(w, p.clsid);
      });
      w.unique(props, (ps) => {
        w.u32(ps.length);
        for (const p of ps) w.u32(p.body.length);
      });
      w.unique(null, () => undefined);
    });
  const propsBytes = Buffer.concat(props.map((p) => p.body));
  // The header's length does not depend on the sizes written into it: measure, then fill in.
  const headerSize = header(0).length;
  const total = headerSize + propsBytes.length;
  const custom = header(total);
  custom.writeUInt32LE(headerSize, TS1_HEADER_SIZE + 4);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(total, 0);
  return Buffer.concat([head, custom, propsBytes]);
}

/** The properties of an activation BLOB, each with its CLSID, bounded by the BLOB. */
export function decodeActivationBlob(blob: Buffer): SerializedProperty[] {
  if (blob.length > MAX_BLOB) throw malformed(`BLOB of ${blob.length} bytes`);
  if (blob.length < 8 + TS1_HEADER_SIZE) throw malformed(`BLOB of ${blob.length} bytes`);
  const custom = blob.subarray(8);
  const hdr = deserializeType1(custom, 'CustomHeader', (r) => {
    r.u32(); // totalSize
    const headerSize = r.u32();
    r.u32();
    r.u32(); // destCtx
    const cIfs = r.u32();
    if (cIfs === 0 || cIfs > MAX_PROPERTIES) throw malformed(`${cIfs} properties`);
    readGuid(r);
    const clsids = r.unique(() => r.conformantArray(16, () => readGuid(r)));
    const sizes = r.unique(() => r.conformantArray(4, () => r.u32()));
    r.unique(() => r.u32());
    return { headerSize, cIfs, clsids, sizes };
  });
  const clsids = hdr.clsids.value ?? [];
  const sizes = hdr.sizes.value ?? [];
  if (clsids.length !== hdr.cIfs || sizes.length !== hdr.cIfs) {
    throw malformed(`cIfs ${hdr.cIfs} but ${clsids.length} CLSIDs and ${sizes.length} sizes`);
  }
  let at = (hdr.headerSize + 7) & ~7;
  const out: SerializedProperty[] = [];
  for (let i = 0; i < hdr.cIfs; i++) {
    const size = sizes[i]!;
    if (at + size > custom.length)
      throw malformed(`property ${i} (${size} bytes) past the end of the BLOB`);
    out.push({ clsid: clsids[i]!, body: custom.subarray(at, at + size) });
    at += size;
  }
  return out;
}

/** The ActivationPropertiesIn BLOB for `req`. */
export function encodeActivationPropertiesIn(req: ActivationRequest): Buffer {
  if (req.iids.length === 0 || req.iids.length > MAX_INTERFACES)
    throw new ScannerError('ERR_CONFIG_INVALID', `activation of ${req.iids.length} interfaces`);
  const props = (req.properties ?? DEFAULT_PROPERTIES).map((p) => ({
    clsid: PROPERTY_CLSID[p],
    body: encodeProperty(p, req),
  }));
  return encodeActivationBlob(props);
}

/** The RemoteCreateInstance request stub: ORPCTHIS, pUnkOuter NULL, pActProperties. */
export function encodeRemoteCreateInstanceRequest(orpc: OrpcThis, req: ActivationRequest): Buffer {
  const objref = encodeObjRefCustom(
    IID.IActivationPropertiesIn,
    ACTIVATION_CLSID.ActivationPropertiesIn,
    encodeActivationPropertiesIn(req),
  );
  const w = new NdrWriter();
  writeOrpcThis(w, orpc);
  w.construct(() => writeInterfacePointer(w, null));
  w.construct(() => writeInterfacePointer(w, objref));
  return w.toBuffer();
}

/** One interface the activation returned: its IID, result, and OBJREF bytes when it succeeded. */
export interface ActivatedInterface {
  iid: string;
  hresult: number;
  objref: Buffer | null;
}

/** ScmReplyInfoData's customREMOTE_REPLY_SCM_INFO: where the object exporter is. */
export interface ScmReply {
  oxid: bigint;
  bindings: DualStringArray;
  ipidRemUnknown: string;
  authnHint: number;
  serverVersion: { major: number; minor: number };
}

export interface ActivationResult {
  orpcThat: OrpcThat;
  interfaces: ActivatedInterface[];
  scmReply: ScmReply;
}

/** PropsOutInfo's fields; the pointer boxes are filled once the serialization's construct ends. */
function readPropsOut(r: NdrReader) {
  const cIfs = r.u32();
  if (cIfs > MAX_INTERFACES) throw malformed(`PropsOutInfo with ${cIfs} interfaces`);
  const iids = r.unique(() => r.conformantArray(16, () => readGuid(r)));
  const results = r.unique(() => r.conformantArray(4, () => r.u32()));
  const pointers = r.unique(() =>
    r.conformantArray(4, () => r.unique(() => readInterfacePointerBody(r))),
  );
  return { cIfs, iids, results, pointers };
}

function propsOutInterfaces(p: ReturnType<typeof readPropsOut>): ActivatedInterface[] {
  const ids = p.iids.value ?? [];
  const hrs = p.results.value ?? [];
  const ptrs = p.pointers.value ?? [];
  if (ids.length !== p.cIfs || hrs.length !== p.cIfs || ptrs.length !== p.cIfs) {
    throw malformed(
      `PropsOutInfo cIfs ${p.cIfs} vs ${ids.length} IIDs, ${hrs.length} results, ${ptrs.length} pointers`,
    );
  }
  return ids.map((iid, i) => ({ iid, hresult: hrs[i]!, objref: ptrs[i]!.value }));
}

function readScmReply(r: NdrReader) {
  r.u32(); // pdwReserved (a NULL pointer)
  return r.unique(() => {
    const oxid = r.u64();
    const dsa = r.unique(() => {
      const max = r.count(2, 'DUALSTRINGARRAY');
      const n = r.u16();
      const sec = r.u16();
      if (n !== max) throw malformed(`DUALSTRINGARRAY wNumEntries ${n} but max_count ${max}`);
      return decodeDualStringArray(r.bytes(n * 2), sec);
    });
    const ipidRemUnknown = readGuid(r);
    const authnHint = r.u32();
    const serverVersion = { major: r.u16(), minor: r.u16() };
    return { oxid, dsa, ipidRemUnknown, authnHint, serverVersion };
  });
}

/** Decodes an ActivationPropertiesOut OBJREF: the interfaces and the SCM reply. */
export function decodeActivationPropertiesOut(objref: Buffer): Omit<ActivationResult, 'orpcThat'> {
  const ref = decodeObjRef(objref);
  if (ref.kind !== 'custom' || ref.clsid !== ACTIVATION_CLSID.ActivationPropertiesOut) {
    throw malformed(
      `ppActProperties is not an ActivationPropertiesOut OBJREF_CUSTOM (${ref.kind})`,
    );
  }
  let interfaces: ActivatedInterface[] | null = null;
  let scmReply: ScmReply | null = null;
  for (const p of decodeActivationBlob(ref.data)) {
    if (p.clsid === ACTIVATION_CLSID.PropsOutInfo) {
      interfaces = propsOutInterfaces(deserializeType1(p.body, 'PropsOutInfo', readPropsOut));
    } else if (p.clsid === ACTIVATION_CLSID.ScmReplyInfo) {
      const v = deserializeType1(p.body, 'ScmReplyInfo', readScmReply).value;
      if (!v?.dsa.value)
        throw new ScannerError('ERR_RPC', 'activation reply without object exporter bindings');
      scmReply = {
        oxid: v.oxid,
        bindings: v.dsa.value,
        ipidRemUnknown: v.ipidRemUnknown,
        authnHint: v.authnHint,
        serverVersion: v.serverVersion,
      };
    }
  }
  if (!interfaces) throw malformed('no PropsOutInfo');
  if (!scmReply) throw malformed('no ScmReplyInfo');
  return { interfaces, scmReply };
}

/**
 * The RemoteCreateInstance response stub: ORPCTHAT, ppActProperties, the HRESULT. A failed
 * HRESULT becomes `onFailure(hr)`; success without properties is ERR_PROTOCOL.
 */
export function decodeRemoteCreateInstanceResponse(
  stub: Buffer,
  onFailure: (hr: number) => Error,
): ActivationResult {
  const r = new NdrReader(stub);
  const orpcThat = readOrpcThat(r);
  const props = r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  const hresult = r.construct(() => r.u32());
  if (failed(hresult)) throw onFailure(hresult);
  if (!props.value) throw malformed('RemoteCreateInstance succeeded without ppActProperties');
  return { orpcThat, ...decodeActivationPropertiesOut(props.value) };
}

// ---- the server side: the test peer reads requests and builds answers with these -------------

/** What a server reads from a RemoteCreateInstance request. */
export interface ActivationRequestSeen {
  orpcThis: OrpcThis;
  clsid: string;
  iids: string[];
  /** The CLSIDs of the properties, in order. */
  properties: string[];
}

export function decodeRemoteCreateInstanceRequest(stub: Buffer): ActivationRequestSeen {
  const r = new NdrReader(stub);
  const orpcThis = readOrpcThis(r);
  r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  const props = r.construct(() => r.unique(() => readInterfacePointerBody(r)));
  if (!props.value) throw malformed('pActProperties is NULL');
  const ref = decodeObjRef(props.value);
  if (ref.kind !== 'custom' || ref.clsid !== ACTIVATION_CLSID.ActivationPropertiesIn)
    throw malformed('pActProperties is not ActivationPropertiesIn');
  const seen: ActivationRequestSeen = { orpcThis, clsid: '', iids: [], properties: [] };
  for (const p of decodeActivationBlob(ref.data)) {
    seen.properties.push(p.clsid);
    if (p.clsid !== ACTIVATION_CLSID.InstantiationInfo) continue;
    const info = deserializeType1(p.body, 'InstantiationInfo', (rr) => {
      const clsid = readGuid(rr);
      rr.u32();
      rr.u32();
      rr.i32();
      rr.u32();
      rr.u32();
      const iids = rr.unique(() => rr.conformantArray(16, () => readGuid(rr)));
      rr.u32();
      rr.u16();
      rr.u16();
      return { clsid, iids };
    });
    seen.clsid = info.clsid;
    seen.iids = info.iids.value ?? [];
  }
  return seen;
}

/** A RemoteCreateInstance answer: PropsOutInfo + ScmReplyInfo in an ActivationPropertiesOut. */
export function encodeRemoteCreateInstanceResponse(
  result: Omit<ActivationResult, 'orpcThat'> | null,
  hresult: number,
): Buffer {
  const w = new NdrWriter();
  writeOrpcThat(w);
  const objref =
    result === null
      ? null
      : encodeObjRefCustom(
          IID.IActivationPropertiesOut,
          ACTIVATION_CLSID.ActivationPropertiesOut,
          encodeActivationBlob([
            { clsid: ACTIVATION_CLSID.PropsOutInfo, body: encodePropsOut(result.interfaces) },
            { clsid: ACTIVATION_CLSID.ScmReplyInfo, body: encodeScmReply(result.scmReply) },
          ]),
        );
  w.construct(() => writeInterfacePointer(w, objref));
  w.construct(() => w.u32(hresult));
  return w.toBuffer();
}

function encodePropsOut(ifs: ActivatedInterface[]): Buffer {
  return serializeType1((w) => {
    w.u32(ifs.length);
    w.unique(ifs, (l) => {
      w.u32(l.length);
      for (const i of l) writeGuid(w, i.iid);
    });
    w.unique(ifs, (l) => {
      w.u32(l.length);
      for (const i of l) w.u32(i.hresult);
    });
    w.unique(ifs, (l) => {
      w.u32(l.length);
      for (const i of l) writeInterfacePointer(w, i.objref);
    });
  });
}

function encodeScmReply(s: ScmReply): Buffer {
  return serializeType1((w) => {
    w.u32(0);
    w.unique(s, (v) => {
      w.u64(v.oxid);
      w.unique(v.bindings, (b) => {
        const { entries, securityOffset } = encodeDualStringArray(b);
        w.u32(entries.length / 2)
          .u16(entries.length / 2)
          .u16(securityOffset);
        w.bytes(entries);
      });
      writeGuid(w, v.ipidRemUnknown);
      w.u32(v.authnHint);
      w.u16(v.serverVersion.major).u16(v.serverVersion.minor);
    });
  });
}
