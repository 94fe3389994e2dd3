// wkssvc (MS-WKST): computer name and workgroup/domain (NetrWkstaGetInfo 100) and logged-on users
// (NetrWkstaUserEnum level 1).
import { type Deferred, NdrReader } from '../ndr.js';
import type { CallOptions, RpcClient, RpcInterface } from '../rpc-client.js';
import { resultError } from '../status.js';
import { decodeNetEnum, encodeNetEnum, encodeNetGetInfo, netEnumAll } from './net-enum.js';

export const WKSSVC: RpcInterface = {
  name: 'wkssvc',
  uuid: '6bffd098-a112-3610-9833-46c3f87e345a',
  major: 1,
  minor: 0,
};
export const WKSSVC_PIPE = 'wkssvc';
const OP = { getInfo: 0, userEnum: 2 } as const;

export interface WkstaInfo100 {
  platformId: number;
  computerName: string | null;
  /** The workgroup or domain the machine belongs to. */
  langroup: string | null;
  versionMajor: number;
  versionMinor: number;
}

export function encodeWkstaGetInfo(server: string | null, level = 100): Buffer {
  return encodeNetGetInfo(server, level);
}

export function decodeWkstaGetInfo100(stub: Buffer): WkstaInfo100 {
  const r = new NdrReader(stub);
  const info = r.construct(() => {
    r.u32(); // level
    return r.unique(() => {
      const platformId = r.u32();
      const computerName = r.unique(() => r.wstring());
      const langroup = r.unique(() => r.wstring());
      const versionMajor = r.u32();
      const versionMinor = r.u32();
      return () => ({
        platformId,
        computerName: computerName.value,
        langroup: langroup.value,
        versionMajor,
        versionMinor,
      });
    });
  });
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, 'NetrWkstaGetInfo');
  if (!info.value) throw resultError(0xc000000d, 'NetrWkstaGetInfo (no info)');
  return info.value();
}

export interface WkstaUser1 {
  userName: string;
  logonDomain: string;
  otherDomains: string;
  logonServer: string;
}

export function encodeWkstaUserEnum1(
  server: string | null,
  resume: number | null,
  maxLength = 0xffffffff,
): Buffer {
  return encodeNetEnum(server, 1, resume, maxLength);
}

export interface WkstaUserEnumResult {
  users: WkstaUser1[];
  totalEntries: number;
  resume: number | null;
  status: number;
}

export function decodeWkstaUserEnum1(stub: Buffer): WkstaUserEnumResult {
  const { entries, ...page } = decodeNetEnum(stub, 16, (r) => {
    const s = (): Deferred<string> => r.unique(() => r.wstring());
    return { userName: s(), logonDomain: s(), otherDomains: s(), logonServer: s() };
  });
  const users = entries.map((u) => ({
    userName: u.userName.value ?? '',
    logonDomain: u.logonDomain.value ?? '',
    otherDomains: u.otherDomains.value ?? '',
    logonServer: u.logonServer.value ?? '',
  }));
  return { users, ...page };
}

export async function netrWkstaGetInfo(rpc: RpcClient, opts?: CallOptions): Promise<WkstaInfo100> {
  return decodeWkstaGetInfo100(await rpc.call(OP.getInfo, encodeWkstaGetInfo(null), opts));
}

/** Users logged on interactively (level 1), following the resume handle a bounded number of times. */
export function netrWkstaUserEnum(rpc: RpcClient, opts?: CallOptions): Promise<WkstaUser1[]> {
  return netEnumAll('NetrWkstaUserEnum', async (resume) => {
    const res = decodeWkstaUserEnum1(
      await rpc.call(OP.userEnum, encodeWkstaUserEnum1(null, resume), opts),
    );
    return { ...res, entries: res.users };
  });
}
