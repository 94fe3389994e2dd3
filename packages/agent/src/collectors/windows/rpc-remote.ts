// The WindowsRemote and RemoteExecPort adapters over DCE/RPC on one SMB2 session: each interface
// is bound once, on first use, over its IPC$ pipe (winreg, svcctl, samr, lsarpc, srvsvc, wkssvc).
// The SMB2 session is signed; the pipes carry no RPC-level authentication of their own.
import { ScannerError } from '../../errors.js';
import type { Smb2Client, Smb2Tree } from '../../transports/smb2/smb2-client.js';
import { Smb2StatusError } from '../../transports/smb2/smb2-status.js';
import { bindOverPipe } from '../../transports/dcerpc/pipe-transport.js';
import type { RpcClient, RpcInterface } from '../../transports/dcerpc/rpc-client.js';
import { LSARPC, LSARPC_PIPE, LsaPolicy } from '../../transports/dcerpc/interfaces/lsarpc.js';
import {
  SAMR,
  SAMR_PIPE,
  SamServer,
  type SamDomain,
} from '../../transports/dcerpc/interfaces/samr.js';
import {
  netrServerGetInfo,
  netrShareEnum,
  SRVSVC,
  SRVSVC_PIPE,
} from '../../transports/dcerpc/interfaces/srvsvc.js';
import {
  SC_MANAGER_CREATE,
  SERVICE_RUN_AND_DELETE,
  ServiceManager,
  SVCCTL,
  SVCCTL_PIPE,
} from '../../transports/dcerpc/interfaces/svcctl.js';
import {
  decodeEnumKey,
  encodeEnumKey,
  RegistryKey,
  WINREG,
  WINREG_PIPE,
} from '../../transports/dcerpc/interfaces/winreg.js';
import {
  netrWkstaGetInfo,
  netrWkstaUserEnum,
  WKSSVC,
  WKSSVC_PIPE,
} from '../../transports/dcerpc/interfaces/wkssvc.js';
import type {
  CallLimits,
  Listing,
  RegistryValue,
  RemoteAccounts,
  RemoteExecPort,
  RemoteGroup,
  RemoteLoggedOnUser,
  RemoteMembership,
  RemoteServerInfo,
  RemoteService,
  RemoteShare,
  RemoteUser,
  RemoteWorkstationInfo,
  WindowsRemote,
} from './remote.js';

/** BaseRegEnumKey (MS-RRP 3.1.5.10): enumerated here so the cap bounds the calls made. */
const OP_ENUM_KEY = 9;
const NT_STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034;
const BUILTIN_SID = 'S-1-5-32';

function listing<T>(items: T[], max: number): Listing<T> {
  return { items: items.slice(0, max), truncated: items.length > max };
}

/** Opens pipes lazily on the IPC$ tree and closes them all at the end. */
export class RpcWindowsRemote implements WindowsRemote {
  readonly #ipc: Smb2Tree;
  readonly #bound = new Map<string, Promise<RpcClient>>();
  #hklm: Promise<RegistryKey> | null = null;

  constructor(ipc: Smb2Tree) {
    this.#ipc = ipc;
  }

  #rpc(pipe: string, iface: RpcInterface, limits: CallLimits): Promise<RpcClient> {
    let rpc = this.#bound.get(pipe);
    if (!rpc) {
      rpc = bindOverPipe(this.#ipc, pipe, iface, limits);
      // A failed bind is not kept: the next question tries again.
      rpc.catch(() => this.#bound.delete(pipe));
      this.#bound.set(pipe, rpc);
    }
    return rpc;
  }

  async #open(path: string, limits: CallLimits): Promise<RegistryKey | null> {
    if (!this.#hklm) {
      const rpc = this.#rpc(WINREG_PIPE, WINREG, limits);
      this.#hklm = rpc.then((r) => RegistryKey.openLocalMachine(r, limits));
      this.#hklm.catch(() => (this.#hklm = null));
    }
    return (await this.#hklm).openKey(path);
  }

  readonly registry = {
    subkeys: async (path: string, max: number, limits: CallLimits) => {
      const key = await this.#open(path, limits);
      if (!key) return null;
      try {
        const rpc = await this.#rpc(WINREG_PIPE, WINREG, limits);
        const names: string[] = [];
        for (let i = 0; i <= max; i++) {
          const name = decodeEnumKey(
            await rpc.call(OP_ENUM_KEY, encodeEnumKey(key.handle, i), limits),
          );
          if (name === null) return { items: names, truncated: false };
          if (i === max) return { items: names, truncated: true };
          names.push(name);
        }
        return { items: names, truncated: true };
      } finally {
        await key.close().catch(() => undefined);
      }
    },
    values: async (path: string, max: number, limits: CallLimits) => {
      const key = await this.#open(path, limits);
      if (!key) return null;
      try {
        const values: RegistryValue[] = (await key.values()).map((v) => ({
          name: v.name,
          type: v.type,
          data: v.value,
        }));
        return listing(values, max);
      } finally {
        await key.close().catch(() => undefined);
      }
    },
  };

  async services(max: number, limits: CallLimits): Promise<Listing<RemoteService>> {
    const scm = await ServiceManager.open(await this.#rpc(SVCCTL_PIPE, SVCCTL, limits), limits);
    try {
      const entries = await scm.services();
      const out: RemoteService[] = [];
      for (const e of entries.slice(0, max)) {
        let config = null;
        try {
          const svc = await scm.open(e.name);
          try {
            config = await svc.config();
          } finally {
            await svc.close().catch(() => undefined);
          }
        } catch (err) {
          if (!(err instanceof ScannerError) || limits.signal.aborted) throw err;
        }
        out.push({
          name: e.name,
          displayName: e.displayName || config?.displayName || null,
          state: e.status.currentState,
          startType: config?.startType ?? null,
          account: config?.startName || null,
          binaryPath: config?.binaryPath || null,
          processId: null,
        });
      }
      return { items: out, truncated: entries.length > max };
    } finally {
      await scm.close().catch(() => undefined);
    }
  }

  async accounts(max: number, limits: CallLimits): Promise<RemoteAccounts> {
    const lsa = await this.#lsa(limits);
    const account = await lsa.accountDomain();
    const sam = await SamServer.connect(await this.#rpc(SAMR_PIPE, SAMR, limits), limits);
    try {
      const accountSid = account.sid ?? (await sam.lookupDomain(account.name ?? ''));
      const domainName = account.name ?? '';
      const domain = await sam.openDomain(accountSid);
      const builtin = await sam.openDomain(BUILTIN_SID);
      try {
        const rids = await domain.enumUsers();
        const users: RemoteUser[] = [];
        for (const r of rids.slice(0, max)) {
          const u = await domain.user(r.rid);
          users.push({
            name: u.name || r.name,
            rid: r.rid,
            fullName: u.fullName || null,
            description: u.comment || null,
            accountControl: u.accountControl,
          });
        }
        const groups: RemoteGroup[] = [];
        let total = 0;
        for (const [d, name, sid] of [
          [builtin, 'BUILTIN', BUILTIN_SID],
          [domain, domainName, accountSid],
        ] as [SamDomain, string, string][]) {
          const aliases = await d.enumAliases();
          total += aliases.length;
          for (const a of aliases) {
            if (groups.length >= max) break;
            const { members, general } = await d.alias(a.rid);
            groups.push({
              name: a.name,
              sid: `${sid}-${a.rid}`,
              domain: name,
              description: general?.adminComment || null,
              members: await this.#names(lsa, members),
            });
          }
        }
        return {
          accountDomain: { name: domainName, sid: accountSid },
          users: { items: users, truncated: rids.length > max },
          groups: { items: groups, truncated: total > groups.length },
        };
      } finally {
        await domain.close().catch(() => undefined);
        await builtin.close().catch(() => undefined);
      }
    } finally {
      await sam.close().catch(() => undefined);
    }
  }

  /** Member SIDs with names where LSA resolves them (an unresolved SID keeps null names). */
  async #names(lsa: LsaPolicy, sids: string[]): Promise<RemoteGroup['members']> {
    if (sids.length === 0) return [];
    let names: { name: string; domain: string }[] = [];
    try {
      names = await lsa.lookupSids(sids);
    } catch (err) {
      if (!(err instanceof ScannerError)) throw err;
    }
    return sids.map((sid, i) => ({
      sid,
      name: names[i]?.name || null,
      domain: names[i]?.domain || null,
    }));
  }

  #lsaPolicy: Promise<LsaPolicy> | null = null;
  #lsa(limits: CallLimits): Promise<LsaPolicy> {
    if (!this.#lsaPolicy) {
      this.#lsaPolicy = this.#rpc(LSARPC_PIPE, LSARPC, limits).then((r) =>
        LsaPolicy.open(r, limits),
      );
      this.#lsaPolicy.catch(() => (this.#lsaPolicy = null));
    }
    return this.#lsaPolicy;
  }

  async membership(limits: CallLimits): Promise<RemoteMembership> {
    const lsa = await this.#lsa(limits);
    const primary = await lsa.primaryDomain();
    const account = await lsa.accountDomain();
    return {
      primaryDomain: { name: primary.name ?? null, sid: primary.sid ?? null },
      accountDomain: { name: account.name ?? null, sid: account.sid ?? null },
    };
  }

  async shares(max: number, limits: CallLimits): Promise<Listing<RemoteShare>> {
    return listing(await netrShareEnum(await this.#rpc(SRVSVC_PIPE, SRVSVC, limits), limits), max);
  }

  async serverInfo(limits: CallLimits): Promise<RemoteServerInfo> {
    const s = await netrServerGetInfo(await this.#rpc(SRVSVC_PIPE, SRVSVC, limits), 101, limits);
    return {
      name: s.name,
      platformId: s.platformId,
      versionMajor: s.versionMajor,
      versionMinor: s.versionMinor,
      type: s.type,
      comment: s.comment,
    };
  }

  async workstationInfo(limits: CallLimits): Promise<RemoteWorkstationInfo> {
    const w = await netrWkstaGetInfo(await this.#rpc(WKSSVC_PIPE, WKSSVC, limits), limits);
    return { computerName: w.computerName, langroup: w.langroup };
  }

  async loggedOnUsers(max: number, limits: CallLimits): Promise<Listing<RemoteLoggedOnUser>> {
    const users = await netrWkstaUserEnum(await this.#rpc(WKSSVC_PIPE, WKSSVC, limits), limits);
    return listing(
      users.map((u) => ({ user: u.userName, domain: u.logonDomain })),
      max,
    );
  }

  /**
   * Lost when the SMB2 connection has failed (dropped by the server, a hostile frame), or when a
   * call timed out and an SMB2 ECHO gets no answer within the call limit either; then the
   * connection is closed, so the cleanup that follows fails at once instead of waiting out a
   * limit per pipe. One slow call on a host that still answers ECHO is not a lost session.
   */
  async sessionLost(err: ScannerError, limits: CallLimits): Promise<ScannerError | null> {
    const client = this.#ipc.client;
    if (client.failure) return client.failure;
    if (err.code !== 'ERR_TIMEOUT' || limits.signal.aborted) return null;
    try {
      await client.echo(limits);
      return null;
    } catch (e) {
      if (!(e instanceof ScannerError)) throw e;
      if (client.failure) return client.failure;
      // An answer, even an error status, means the host is still there.
      if (e.code !== 'ERR_TIMEOUT' || limits.signal.aborted) return null;
      client.close();
      return new ScannerError(
        'ERR_TIMEOUT',
        `the host stopped answering: ${err.message}; an SMB2 echo got no answer either (${e.message})`,
        { cause: e },
      );
    }
  }

  /** Closes every bound pipe (best effort: the session is logged off next anyway). */
  async close(): Promise<void> {
    const hklm = this.#hklm;
    this.#hklm = null;
    if (hklm) await hklm.then((k) => k.close()).catch(() => undefined);
    for (const rpc of this.#bound.values()) {
      await rpc.then((r) => r.close()).catch(() => undefined);
    }
    this.#bound.clear();
  }
}

/**
 * Remote execution over the same session: svcctl for the temporary service, ADMIN$ for its output.
 * The caller disconnects the ADMIN$ tree (`close()`).
 */
export class RpcRemoteExec implements RemoteExecPort {
  readonly #ipc: Smb2Tree;
  readonly #client: Smb2Client;
  #admin: Promise<Smb2Tree> | null = null;

  constructor(client: Smb2Client, ipc: Smb2Tree) {
    this.#client = client;
    this.#ipc = ipc;
  }

  async #scm<T>(limits: CallLimits, fn: (scm: ServiceManager) => Promise<T>): Promise<T> {
    const rpc = await bindOverPipe(this.#ipc, SVCCTL_PIPE, SVCCTL, limits);
    try {
      const scm = await ServiceManager.open(rpc, limits, SC_MANAGER_CREATE);
      try {
        return await fn(scm);
      } finally {
        await scm.close().catch(() => undefined);
      }
    } finally {
      await rpc.close().catch(() => undefined);
    }
  }

  createService(name: string, binaryPath: string, limits: CallLimits): Promise<void> {
    return this.#scm(limits, async (scm) => {
      const svc = await scm.create({ name, displayName: name, binaryPath });
      await svc.close().catch(() => undefined);
    });
  }

  startService(name: string, limits: CallLimits): Promise<void> {
    return this.#scm(limits, async (scm) => {
      const svc = await scm.open(name, SERVICE_RUN_AND_DELETE);
      try {
        await svc.start();
      } finally {
        await svc.close().catch(() => undefined);
      }
    });
  }

  deleteService(name: string, limits: CallLimits): Promise<void> {
    return this.#scm(limits, async (scm) => {
      const svc = await scm.open(name, SERVICE_RUN_AND_DELETE);
      try {
        const status = await svc.status();
        if (status.currentState !== 1) await svc.stop().catch(() => undefined);
        await svc.delete();
      } finally {
        await svc.close().catch(() => undefined);
      }
    });
  }

  #adminTree(limits: CallLimits): Promise<Smb2Tree> {
    if (!this.#admin) {
      this.#admin = this.#client.treeConnect('ADMIN$', limits);
      this.#admin.catch(() => (this.#admin = null));
    }
    return this.#admin;
  }

  async readFile(path: string, maxBytes: number, limits: CallLimits): Promise<Buffer | null> {
    const tree = await this.#adminTree(limits);
    let file;
    try {
      file = await tree.openFile(path, 'read', limits);
    } catch (err) {
      if (err instanceof Smb2StatusError && err.status === NT_STATUS_OBJECT_NAME_NOT_FOUND)
        return null;
      throw err;
    }
    try {
      return await file.readAll(maxBytes, limits);
    } finally {
      await file.close(limits).catch(() => undefined);
    }
  }

  async deleteFile(path: string, limits: CallLimits): Promise<void> {
    const tree = await this.#adminTree(limits);
    try {
      await tree.deleteFile(path, limits);
    } catch (err) {
      if (err instanceof Smb2StatusError && err.status === NT_STATUS_OBJECT_NAME_NOT_FOUND) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = null;
    if (admin) await admin.then((t) => t.disconnect()).catch(() => undefined);
  }
}
