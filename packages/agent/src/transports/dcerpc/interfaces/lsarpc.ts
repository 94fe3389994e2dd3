// lsarpc (MS-LSAD, MS-LSAT): policy handle, account and primary domain (name + SID), SID ↔ name lookups.
import { type Deferred, NdrReader, NdrWriter } from '../ndr.js';
import {
  type ContextHandle,
  readSid,
  readUnicodeString,
  writeHandle,
  writeSid,
  writeUnicodeString,
} from '../ndr-types.js';
import type { CallOptions, RpcClient, RpcInterface } from '../rpc-client.js';
import { resultError } from '../status.js';
import {
  decodeHandleResponse,
  encodeHandleAndInfoClass,
  encodeHandleOnly,
} from './handle-stubs.js';

export const LSARPC: RpcInterface = {
  name: 'lsarpc',
  uuid: '12345778-1234-abcd-ef00-0123456789ab',
  major: 0,
  minor: 0,
};
export const LSARPC_PIPE = 'lsarpc';
const OP = { close: 0, queryInfo: 7, lookupNames: 14, lookupSids: 15, openPolicy2: 44 } as const;

/** POLICY_VIEW_LOCAL_INFORMATION | POLICY_LOOKUP_NAMES. */
export const POLICY_READ = 0x00000001 | 0x00000800;
export const POLICY_INFO = { primaryDomain: 3, accountDomain: 5 } as const;
const STATUS_SOME_NOT_MAPPED = 0x00000107;
const STATUS_NONE_MAPPED = 0xc0000073;
/** LsapLookupWksta: look up on this machine only. */
const LOOKUP_WKSTA = 1;
const MAX_LOOKUPS = 1000;

export function encodeOpenPolicy2(access = POLICY_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => w.unique<string>(null, () => undefined));
  // LSAPR_OBJECT_ATTRIBUTES: Length 24, everything else null/zero.
  w.construct(() => w.u32(24).u32(0).u32(0).u32(0).u32(0).u32(0));
  w.construct(() => w.u32(access));
  return w.toBuffer();
}

export function encodeQueryInfoPolicy(handle: ContextHandle, infoClass: number): Buffer {
  return encodeHandleAndInfoClass(handle, infoClass);
}

export interface DomainInfo {
  name: string | null;
  /** null for a workgroup member's primary domain. */
  sid: string | null;
}

/** Both the primary (3) and account (5) domain answers are {RPC_UNICODE_STRING, PRPC_SID}. */
export function decodeQueryInfoPolicyDomain(stub: Buffer): DomainInfo {
  const r = new NdrReader(stub);
  const info = r.construct(() =>
    r.unique(() => {
      r.u16(); // union discriminant (the info class)
      r.align(4);
      const name = readUnicodeString(r);
      const sid = r.unique(() => readSid(r));
      return { name, sid };
    }),
  );
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'LsarQueryInformationPolicy');
  return { name: info.value?.name.value ?? null, sid: info.value?.sid.value ?? null };
}

export interface ReferencedDomain {
  name: string;
  sid: string | null;
}

function readReferencedDomains(r: NdrReader): Deferred<() => ReferencedDomain[]> {
  return r.unique(() => {
    r.u32(); // Entries
    const list = r.unique(() =>
      r.conformantArray(12, () => ({
        name: readUnicodeString(r),
        sid: r.unique(() => readSid(r)),
      })),
    );
    r.u32(); // MaxEntries
    return () => (list.value ?? []).map((d) => ({ name: d.name.value ?? '', sid: d.sid.value }));
  });
}

/** SID_NAME_USE values (MS-LSAT 2.2.13). */
export const SID_TYPE = {
  user: 1,
  group: 2,
  domain: 3,
  alias: 4,
  wellKnownGroup: 5,
  deleted: 6,
  invalid: 7,
  unknown: 8,
  computer: 9,
} as const;

export interface TranslatedName {
  /** SID_NAME_USE. */
  use: number;
  name: string;
  /** The referenced domain's name, '' when none. */
  domain: string;
}

export function encodeLookupSids(handle: ContextHandle, sids: string[]): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => {
    w.u32(sids.length);
    w.unique(sids, (list) => {
      w.conformantArray(list, (sid) => w.unique(sid, (s) => writeSid(w, s)));
    });
  });
  // TranslatedNames {0, NULL}, LookupLevel, MappedCount.
  w.construct(() => w.u32(0).u32(0));
  w.construct(() => w.u16(LOOKUP_WKSTA));
  w.construct(() => w.u32(0));
  return w.toBuffer();
}

export function decodeLookupSids(stub: Buffer): { names: TranslatedName[]; status: number } {
  const r = new NdrReader(stub);
  const domains = r.construct(() => readReferencedDomains(r));
  const names = r.construct(() => {
    r.u32();
    return r.unique(() =>
      r.conformantArray(16, () => {
        const use = r.u16();
        const name = readUnicodeString(r);
        const domainIndex = r.i32();
        return { use, name, domainIndex };
      }),
    );
  });
  r.construct(() => r.u32()); // MappedCount
  const status = r.construct(() => r.u32());
  if (status !== 0 && status !== STATUS_SOME_NOT_MAPPED && status !== STATUS_NONE_MAPPED) {
    throw resultError(status, 'LsarLookupSids');
  }
  const refs = domains.value?.() ?? [];
  return {
    status,
    names: (names.value ?? []).map((n) => ({
      use: n.use,
      name: n.name.value ?? '',
      domain: refs[n.domainIndex]?.name ?? '',
    })),
  };
}

export interface TranslatedSid {
  use: number;
  rid: number;
  /** The full SID (domain SID + RID) when the domain is known. */
  sid: string | null;
}

export function encodeLookupNames(handle: ContextHandle, names: string[]): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => w.u32(names.length));
  w.construct(() => w.conformantArray(names, (n) => writeUnicodeString(w, n)));
  w.construct(() => w.u32(0).u32(0));
  w.construct(() => w.u16(LOOKUP_WKSTA));
  w.construct(() => w.u32(0));
  return w.toBuffer();
}

export function decodeLookupNames(stub: Buffer): { sids: TranslatedSid[]; status: number } {
  const r = new NdrReader(stub);
  const domains = r.construct(() => readReferencedDomains(r));
  const sids = r.construct(() => {
    r.u32();
    return r.unique(() =>
      r.conformantArray(12, () => {
        const use = r.u16();
        const rid = r.u32();
        const domainIndex = r.i32();
        return { use, rid, domainIndex };
      }),
    );
  });
  r.construct(() => r.u32());
  const status = r.construct(() => r.u32());
  if (status !== 0 && status !== STATUS_SOME_NOT_MAPPED && status !== STATUS_NONE_MAPPED) {
    throw resultError(status, 'LsarLookupNames');
  }
  const refs = domains.value?.() ?? [];
  return {
    status,
    sids: (sids.value ?? []).map((s) => {
      const domainSid = refs[s.domainIndex]?.sid ?? null;
      const sid =
        domainSid === null ? null : s.use === SID_TYPE.domain ? domainSid : `${domainSid}-${s.rid}`;
      return { use: s.use, rid: s.rid, sid };
    }),
  };
}

/** An open LSA policy on one RpcClient context. */
export class LsaPolicy {
  readonly #rpc: RpcClient;
  readonly #handle: ContextHandle;
  readonly #opts: CallOptions;

  private constructor(rpc: RpcClient, handle: ContextHandle, opts: CallOptions) {
    this.#rpc = rpc;
    this.#handle = handle;
    this.#opts = opts;
  }

  /** LsarOpenPolicy2 on the local machine's policy. */
  static async open(
    rpc: RpcClient,
    opts: CallOptions = {},
    access = POLICY_READ,
  ): Promise<LsaPolicy> {
    const stub = await rpc.call(OP.openPolicy2, encodeOpenPolicy2(access), opts);
    return new LsaPolicy(rpc, decodeHandleResponse(stub, 'LsarOpenPolicy2'), opts);
  }

  /** The machine's own (account) domain: its name and machine SID. */
  async accountDomain(): Promise<DomainInfo> {
    return decodeQueryInfoPolicyDomain(
      await this.#rpc.call(
        OP.queryInfo,
        encodeQueryInfoPolicy(this.#handle, POLICY_INFO.accountDomain),
        this.#opts,
      ),
    );
  }

  /** The domain or workgroup the machine belongs to; `sid` is null for a workgroup. */
  async primaryDomain(): Promise<DomainInfo> {
    return decodeQueryInfoPolicyDomain(
      await this.#rpc.call(
        OP.queryInfo,
        encodeQueryInfoPolicy(this.#handle, POLICY_INFO.primaryDomain),
        this.#opts,
      ),
    );
  }

  /** Names for SIDs, in order (use SID_TYPE.unknown for unmapped ones). */
  async lookupSids(sids: string[]): Promise<TranslatedName[]> {
    if (sids.length > MAX_LOOKUPS)
      throw resultError(0xc000000d, `LsarLookupSids with ${sids.length} SIDs`);
    if (sids.length === 0) return [];
    return decodeLookupSids(
      await this.#rpc.call(OP.lookupSids, encodeLookupSids(this.#handle, sids), this.#opts),
    ).names;
  }

  /** SIDs for names, in order. */
  async lookupNames(names: string[]): Promise<TranslatedSid[]> {
    if (names.length > MAX_LOOKUPS)
      throw resultError(0xc000000d, `LsarLookupNames with ${names.length} names`);
    if (names.length === 0) return [];
    return decodeLookupNames(
      await this.#rpc.call(OP.lookupNames, encodeLookupNames(this.#handle, names), this.#opts),
    ).sids;
  }

  async close(): Promise<void> {
    decodeHandleResponse(
      await this.#rpc.call(OP.close, encodeHandleOnly(this.#handle), this.#opts),
      'LsarClose',
    );
  }
}
