// srvsvc (MS-SRVS): server facts (NetrServerGetInfo 101/102) and shares (NetrShareEnum level 1).
import { NdrReader } from '../ndr.js';
import type { CallOptions, RpcClient, RpcInterface } from '../rpc-client.js';
import { resultError } from '../status.js';
import { decodeNetEnum, encodeNetEnum, encodeNetGetInfo, netEnumAll } from './net-enum.js';

export const SRVSVC: RpcInterface = {
  name: 'srvsvc',
  uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188',
  major: 3,
  minor: 0,
};
export const SRVSVC_PIPE = 'srvsvc';
const OP = { shareEnum: 15, serverGetInfo: 21 } as const;

export interface ServerInfo {
  platformId: number;
  name: string | null;
  versionMajor: number;
  versionMinor: number;
  /** SV_TYPE_* bits (workstation, server, domain controller…). */
  type: number;
  comment: string | null;
  /** Level 102 only. */
  users?: number;
  userPath?: string | null;
}

export function encodeServerGetInfo(server: string | null, level: 101 | 102): Buffer {
  return encodeNetGetInfo(server, level);
}

export function decodeServerGetInfo(stub: Buffer, what = 'NetrServerGetInfo'): ServerInfo {
  const r = new NdrReader(stub);
  const info = r.construct(() => {
    const level = r.u32();
    return r.unique(() => {
      const platformId = r.u32();
      const name = r.unique(() => r.wstring());
      const versionMajor = r.u32();
      const versionMinor = r.u32();
      const type = r.u32();
      const comment = r.unique(() => r.wstring());
      const info101 = () => ({
        platformId,
        name: name.value,
        versionMajor,
        versionMinor,
        type,
        comment: comment.value,
      });
      if (level !== 102) return info101;
      const users = r.u32();
      r.i32(); // disc
      r.u32(); // hidden
      r.u32(); // announce
      r.u32(); // anndelta
      r.u32(); // licenses
      const userPath = r.unique(() => r.wstring());
      return () => ({ ...info101(), users, userPath: userPath.value });
    });
  });
  const status = r.construct(() => r.u32());
  if (status !== 0) throw resultError(status, what);
  if (!info.value) throw resultError(0xc000000d, `${what} (no info)`);
  return info.value();
}

export interface ShareInfo1 {
  name: string;
  /** STYPE_*: 0 disk, 1 print queue, 3 IPC; 0x80000000 special (admin shares). */
  type: number;
  remark: string;
}

export function encodeShareEnum1(
  server: string | null,
  resume: number | null,
  maxLength = 0xffffffff,
): Buffer {
  return encodeNetEnum(server, 1, resume, maxLength);
}

export interface ShareEnumResult {
  shares: ShareInfo1[];
  totalEntries: number;
  resume: number | null;
  status: number;
}

export function decodeShareEnum1(stub: Buffer): ShareEnumResult {
  const { entries, ...page } = decodeNetEnum(stub, 12, (r) => {
    const name = r.unique(() => r.wstring());
    const type = r.u32();
    const remark = r.unique(() => r.wstring());
    return { name, type, remark };
  });
  return {
    shares: entries.map((e) => ({
      name: e.name.value ?? '',
      type: e.type >>> 0,
      remark: e.remark.value ?? '',
    })),
    ...page,
  };
}

/** NetrServerGetInfo at level 101 or 102. */
export async function netrServerGetInfo(
  rpc: RpcClient,
  level: 101 | 102 = 101,
  opts?: CallOptions,
): Promise<ServerInfo> {
  return decodeServerGetInfo(
    await rpc.call(OP.serverGetInfo, encodeServerGetInfo(null, level), opts),
  );
}

/** Every share (level 1), following the resume handle a bounded number of times. */
export function netrShareEnum(rpc: RpcClient, opts?: CallOptions): Promise<ShareInfo1[]> {
  return netEnumAll('NetrShareEnum', async (resume) => {
    const res = decodeShareEnum1(
      await rpc.call(OP.shareEnum, encodeShareEnum1(null, resume), opts),
    );
    return { ...res, entries: res.shares };
  });
}
