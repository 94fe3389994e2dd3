// samr (MS-SAMR): local domains, users (names, flags), groups, aliases (descriptions, members).
import { NdrReader, NdrWriter } from '../ndr.js';
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
import { collectPages } from './pages.js';

export const SAMR: RpcInterface = {
  name: 'samr',
  uuid: '12345778-1234-abcd-ef00-0123456789ac',
  major: 1,
  minor: 0,
};
export const SAMR_PIPE = 'samr';
const OP = {
  connect: 0,
  close: 1,
  lookupDomain: 5,
  enumDomains: 6,
  openDomain: 7,
  enumGroups: 11,
  enumUsers: 13,
  enumAliases: 15,
  openAlias: 27,
  queryAliasInfo: 28,
  getMembersInAlias: 33,
  openUser: 34,
  queryUserInfo: 36,
} as const;

/** SAM_SERVER_CONNECT | SAM_SERVER_ENUMERATE_DOMAINS | SAM_SERVER_LOOKUP_DOMAIN. */
export const SERVER_READ = 0x00000001 | 0x00000010 | 0x00000020;
/** DOMAIN_READ_PASSWORD_PARAMETERS | DOMAIN_READ_OTHER_PARAMETERS | DOMAIN_LIST_ACCOUNTS | DOMAIN_LOOKUP. */
export const DOMAIN_READ = 0x00000001 | 0x00000004 | 0x00000100 | 0x00000200;
/** USER_READ_GENERAL | USER_READ_ACCOUNT. */
export const USER_READ = 0x00000001 | 0x00000010;
/** ALIAS_LIST_MEMBERS | ALIAS_READ_INFORMATION. */
export const ALIAS_READ = 0x00000004 | 0x00000008;
const STATUS_MORE_ENTRIES = 0x00000105;
const PREFERRED_MAX = 0xffff;

export interface RidName {
  rid: number;
  name: string;
}

export function encodeConnect(access = SERVER_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => w.u32(0)); // ServerName: NULL
  w.construct(() => w.u32(access));
  return w.toBuffer();
}

/** SamrEnumerateDomainsInSamServer. */
export function encodeEnumDomains(handle: ContextHandle, context: number): Buffer {
  return encodeEnumInDomain(handle, context);
}

/** SamrEnumerate{Groups,Aliases}InDomain; users add a UserAccountControl filter. */
export function encodeEnumInDomain(
  handle: ContextHandle,
  context: number,
  userAccountControl?: number,
): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => w.u32(context));
  if (userAccountControl !== undefined) w.construct(() => w.u32(userAccountControl));
  w.construct(() => w.u32(PREFERRED_MAX));
  return w.toBuffer();
}

export interface EnumResult {
  context: number;
  entries: RidName[];
  status: number;
}

/** The common answer of the Enumerate* calls: context, PSAMPR_ENUMERATION_BUFFER, count, status. */
export function decodeEnumeration(stub: Buffer, what: string): EnumResult {
  const r = new NdrReader(stub);
  const context = r.construct(() => r.u32());
  const buffer = r.construct(() =>
    r.unique(() => {
      r.u32();
      return r.unique(() =>
        r.conformantArray(12, () => ({ rid: r.u32(), name: readUnicodeString(r) })),
      );
    }),
  );
  r.construct(() => r.u32()); // CountReturned
  const status = r.construct(() => r.u32());
  if (status !== 0 && status !== STATUS_MORE_ENTRIES) throw resultError(status, what);
  const entries = (buffer.value?.value ?? []).map((e) => ({
    rid: e.rid,
    name: e.name.value ?? '',
  }));
  return { context, entries, status };
}

export function encodeLookupDomain(handle: ContextHandle, name: string): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => writeUnicodeString(w, name));
  return w.toBuffer();
}

export function decodeLookupDomain(stub: Buffer): string {
  const r = new NdrReader(stub);
  const sid = r.construct(() => r.unique(() => readSid(r)));
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'SamrLookupDomainInSamServer');
  if (sid.value === null) throw resultError(0xc00000df, 'SamrLookupDomainInSamServer (no SID)');
  return sid.value;
}

export function encodeOpenDomain(handle: ContextHandle, sid: string, access = DOMAIN_READ): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => w.u32(access));
  w.construct(() => writeSid(w, sid));
  return w.toBuffer();
}

/** SamrOpenUser / SamrOpenAlias / SamrOpenGroup: domain handle, access, RID. */
export function encodeOpenByRid(handle: ContextHandle, access: number, rid: number): Buffer {
  const w = new NdrWriter();
  w.construct(() => writeHandle(w, handle));
  w.construct(() => w.u32(access));
  w.construct(() => w.u32(rid));
  return w.toBuffer();
}

export const USER_INFO = { general: 1, control: 16 } as const;

export function encodeQueryUserInfo(handle: ContextHandle, infoClass: number): Buffer {
  return encodeHandleAndInfoClass(handle, infoClass);
}

export interface UserGeneral {
  userName: string;
  fullName: string;
  primaryGroupId: number;
  adminComment: string;
  userComment: string;
}

export function decodeQueryUserGeneral(stub: Buffer): UserGeneral {
  const r = new NdrReader(stub);
  const info = r.construct(() =>
    r.unique(() => {
      const level = r.u16();
      if (level !== USER_INFO.general)
        throw resultError(0xc0000003, `SamrQueryInformationUser answered level ${level}`);
      r.align(4);
      const userName = readUnicodeString(r);
      const fullName = readUnicodeString(r);
      const primaryGroupId = r.u32();
      const adminComment = readUnicodeString(r);
      const userComment = readUnicodeString(r);
      return { userName, fullName, primaryGroupId, adminComment, userComment };
    }),
  );
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'SamrQueryInformationUser');
  const v = info.value;
  if (!v) throw resultError(0xc000000d, 'SamrQueryInformationUser (no info)');
  return {
    userName: v.userName.value ?? '',
    fullName: v.fullName.value ?? '',
    primaryGroupId: v.primaryGroupId,
    adminComment: v.adminComment.value ?? '',
    userComment: v.userComment.value ?? '',
  };
}

/** UserControlInformation: the user's UF_*-style account control bits (USER_ACCOUNT_DISABLED = 0x1…). */
export function decodeQueryUserControl(stub: Buffer): number {
  const r = new NdrReader(stub);
  const info = r.construct(() =>
    r.unique(() => {
      const level = r.u16();
      if (level !== USER_INFO.control)
        throw resultError(0xc0000003, `SamrQueryInformationUser answered level ${level}`);
      return r.u32();
    }),
  );
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'SamrQueryInformationUser');
  if (info.value === null) throw resultError(0xc000000d, 'SamrQueryInformationUser (no info)');
  return info.value;
}

/** SamrGetMembersInAlias: the member SIDs. */
export function decodeMembersInAlias(stub: Buffer): string[] {
  const r = new NdrReader(stub);
  const members = r.construct(() => {
    r.u32(); // Count
    return r.unique(() => r.conformantArray(4, () => r.unique(() => readSid(r))));
  });
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'SamrGetMembersInAlias');
  return (members.value ?? []).flatMap((m) => (m.value === null ? [] : [m.value]));
}

/** ALIAS_INFORMATION_CLASS (MS-SAMR 2.2.6.5): AliasGeneralInformation. */
export const ALIAS_INFO_GENERAL = 1;

/** SamrQueryInformationAlias: alias handle and information class. */
export function encodeQueryAliasInfo(
  handle: ContextHandle,
  infoClass = ALIAS_INFO_GENERAL,
): Buffer {
  return encodeHandleAndInfoClass(handle, infoClass);
}

/** SAMPR_ALIAS_GENERAL_INFORMATION: the alias's name, member count and description. */
export interface AliasGeneral {
  name: string;
  memberCount: number;
  adminComment: string;
}

export function decodeQueryAliasGeneral(stub: Buffer): AliasGeneral {
  const r = new NdrReader(stub);
  const info = r.construct(() =>
    r.unique(() => {
      const level = r.u16();
      if (level !== ALIAS_INFO_GENERAL)
        throw resultError(0xc0000003, `SamrQueryInformationAlias answered level ${level}`);
      r.align(4);
      const name = readUnicodeString(r);
      const memberCount = r.u32();
      const adminComment = readUnicodeString(r);
      return { name, memberCount, adminComment };
    }),
  );
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'SamrQueryInformationAlias');
  const v = info.value;
  if (!v) throw resultError(0xc000000d, 'SamrQueryInformationAlias (no info)');
  return {
    name: v.name.value ?? '',
    memberCount: v.memberCount,
    adminComment: v.adminComment.value ?? '',
  };
}

/** Bits of UserAccountControl (MS-SAMR 2.2.1.12). */
export const USER_CONTROL = {
  disabled: 0x00000001,
  normalAccount: 0x00000010,
  dontExpirePassword: 0x00000200,
  locked: 0x00000400,
} as const;

/** A SAM server connection; open domains from it. */
export class SamServer {
  readonly #rpc: RpcClient;
  readonly #handle: ContextHandle;
  readonly #opts: CallOptions;

  private constructor(rpc: RpcClient, handle: ContextHandle, opts: CallOptions) {
    this.#rpc = rpc;
    this.#handle = handle;
    this.#opts = opts;
  }

  static async connect(rpc: RpcClient, opts: CallOptions = {}): Promise<SamServer> {
    return new SamServer(
      rpc,
      decodeHandleResponse(await rpc.call(OP.connect, encodeConnect(), opts), 'SamrConnect'),
      opts,
    );
  }

  /** Domain names (on a standalone server: the machine's name and "Builtin"). */
  async enumDomains(): Promise<string[]> {
    const domains = await enumerateAll(
      this.#rpc,
      OP.enumDomains,
      'SamrEnumerateDomainsInSamServer',
      (context) => encodeEnumDomains(this.#handle, context),
      this.#opts,
    );
    return domains.map((e) => e.name);
  }

  async lookupDomain(name: string): Promise<string> {
    return decodeLookupDomain(
      await this.#rpc.call(OP.lookupDomain, encodeLookupDomain(this.#handle, name), this.#opts),
    );
  }

  async openDomain(sid: string, access = DOMAIN_READ): Promise<SamDomain> {
    const stub = await this.#rpc.call(
      OP.openDomain,
      encodeOpenDomain(this.#handle, sid, access),
      this.#opts,
    );
    return new SamDomain(this.#rpc, decodeHandleResponse(stub, 'SamrOpenDomain'), sid, this.#opts);
  }

  async close(): Promise<void> {
    await closeHandle(this.#rpc, this.#handle, this.#opts);
  }
}

/** Every entry of a SamrEnumerate* call, following the enumeration context (bounded). */
function enumerateAll(
  rpc: RpcClient,
  opnum: number,
  what: string,
  encode: (context: number) => Buffer,
  opts: CallOptions,
): Promise<RidName[]> {
  return collectPages<RidName, number>(0, async (context) => {
    const res = decodeEnumeration(await rpc.call(opnum, encode(context), opts), what);
    const more = res.status === STATUS_MORE_ENTRIES && res.entries.length > 0;
    return { entries: res.entries, next: more ? res.context : null };
  });
}

async function closeHandle(
  rpc: RpcClient,
  handle: ContextHandle,
  opts: CallOptions,
): Promise<void> {
  decodeHandleResponse(await rpc.call(OP.close, encodeHandleOnly(handle), opts), 'SamrCloseHandle');
}

export interface SamUser {
  rid: number;
  name: string;
  fullName: string;
  comment: string;
  /** UserAccountControl bits. */
  accountControl: number;
}

/** An open SAM domain. */
export class SamDomain {
  readonly #rpc: RpcClient;
  readonly #handle: ContextHandle;
  readonly #opts: CallOptions;
  readonly sid: string;

  constructor(rpc: RpcClient, handle: ContextHandle, sid: string, opts: CallOptions) {
    this.#rpc = rpc;
    this.#handle = handle;
    this.sid = sid;
    this.#opts = opts;
  }

  #enumerate(opnum: number, what: string, userAccountControl?: number): Promise<RidName[]> {
    return enumerateAll(
      this.#rpc,
      opnum,
      what,
      (context) => encodeEnumInDomain(this.#handle, context, userAccountControl),
      this.#opts,
    );
  }

  /** Every user account (UserAccountControl filter 0 = all). */
  enumUsers(): Promise<RidName[]> {
    return this.#enumerate(OP.enumUsers, 'SamrEnumerateUsersInDomain', 0);
  }
  enumGroups(): Promise<RidName[]> {
    return this.#enumerate(OP.enumGroups, 'SamrEnumerateGroupsInDomain');
  }
  enumAliases(): Promise<RidName[]> {
    return this.#enumerate(OP.enumAliases, 'SamrEnumerateAliasesInDomain');
  }

  /** A user's names and account-control flags (SamrOpenUser + QueryInformationUser 1 and 16). */
  async user(rid: number): Promise<SamUser> {
    const h = decodeHandleResponse(
      await this.#rpc.call(OP.openUser, encodeOpenByRid(this.#handle, USER_READ, rid), this.#opts),
      'SamrOpenUser',
    );
    try {
      const general = decodeQueryUserGeneral(
        await this.#rpc.call(
          OP.queryUserInfo,
          encodeQueryUserInfo(h, USER_INFO.general),
          this.#opts,
        ),
      );
      const accountControl = decodeQueryUserControl(
        await this.#rpc.call(
          OP.queryUserInfo,
          encodeQueryUserInfo(h, USER_INFO.control),
          this.#opts,
        ),
      );
      return {
        rid,
        name: general.userName,
        fullName: general.fullName,
        comment: general.adminComment,
        accountControl,
      };
    } finally {
      await closeHandle(this.#rpc, h, this.#opts);
    }
  }

  /** Member SIDs of the alias (local group) `rid`. */
  async aliasMembers(rid: number): Promise<string[]> {
    return (await this.alias(rid, { info: false })).members;
  }

  /**
   * The alias `rid` in one open: its member SIDs and, unless `info` is false, its general
   * information (SamrQueryInformationAlias level 1: name, member count, description).
   */
  async alias(
    rid: number,
    { info = true }: { info?: boolean } = {},
  ): Promise<{ members: string[]; general: AliasGeneral | null }> {
    const h = decodeHandleResponse(
      await this.#rpc.call(
        OP.openAlias,
        encodeOpenByRid(this.#handle, ALIAS_READ, rid),
        this.#opts,
      ),
      'SamrOpenAlias',
    );
    try {
      const general = info
        ? decodeQueryAliasGeneral(
            await this.#rpc.call(OP.queryAliasInfo, encodeQueryAliasInfo(h), this.#opts),
          )
        : null;
      const members = decodeMembersInAlias(
        await this.#rpc.call(OP.getMembersInAlias, encodeHandleOnly(h), this.#opts),
      );
      return { members, general };
    } finally {
      await closeHandle(this.#rpc, h, this.#opts);
    }
  }

  async close(): Promise<void> {
    await closeHandle(this.#rpc, this.#handle, this.#opts);
  }
}
