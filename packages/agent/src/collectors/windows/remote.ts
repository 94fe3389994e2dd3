// The Windows collector's port: what it needs from a logged-in Windows host, in its own
// vocabulary. rpc-remote.ts implements it over DCE/RPC on one SMB2 session; tests use recordings.
import type { ScannerError } from '../../errors.js';

/** Limits every remote call takes: the caller's signal (host deadline, cancel) and a per-call limit. */
export interface CallLimits {
  signal: AbortSignal;
  timeoutMs: number;
}

/** Registry value types (MS-RRP 2.2.6 / winnt.h REG_*). */
export const REG = {
  none: 0,
  sz: 1,
  expandSz: 2,
  binary: 3,
  dword: 4,
  dwordBigEndian: 5,
  link: 6,
  multiSz: 7,
  qword: 11,
} as const;

/**
 * One registry value as the adapter decodes it: REG_SZ/EXPAND_SZ → string (trailing NULs
 * dropped), REG_DWORD → number, REG_QWORD → bigint, REG_MULTI_SZ → string[], others → Buffer.
 */
export interface RegistryValue {
  name: string;
  type: number;
  data: string | number | bigint | string[] | Buffer;
}

/** A bounded listing: at most the `max` asked for, and whether the key held more. */
export interface Listing<T> {
  items: T[];
  truncated: boolean;
}

/** Read access to HKEY_LOCAL_MACHINE. Paths are relative to HKLM, backslash-separated. */
export interface RegistryAccess {
  /** Names of the subkeys of `path`, at most `max`; null when the key does not exist. */
  subkeys(path: string, max: number, limits: CallLimits): Promise<Listing<string> | null>;
  /** The values of `path` (names, types, data), at most `max`; null when the key does not exist. */
  values(path: string, max: number, limits: CallLimits): Promise<Listing<RegistryValue> | null>;
}

/** SERVICE_* current states (MS-SCMR 2.2.47). */
export const SERVICE_STATE: Readonly<Record<number, string>> = {
  1: 'stopped',
  2: 'start_pending',
  3: 'stop_pending',
  4: 'running',
  5: 'continue_pending',
  6: 'pause_pending',
  7: 'paused',
};

/** SERVICE_*_START (MS-SCMR 2.2.15). */
export const START_TYPE: Readonly<Record<number, string>> = {
  0: 'boot',
  1: 'system',
  2: 'auto',
  3: 'manual',
  4: 'disabled',
};

/** One Win32 service as svcctl reports it (enumeration plus its configuration). */
export interface RemoteService {
  name: string;
  displayName: string | null;
  /** dwCurrentState (1 stopped … 4 running …). */
  state: number;
  /** dwStartType (2 auto, 3 manual, 4 disabled…); null when the configuration could not be read. */
  startType: number | null;
  /** lpServiceStartName: the account it runs as. */
  account: string | null;
  /** lpBinaryPathName. */
  binaryPath: string | null;
  processId: number | null;
}

/** A SAM account of the machine's account domain. */
export interface RemoteUser {
  name: string;
  rid: number;
  fullName: string | null;
  description: string | null;
  /** SAMR USER_ACCOUNT codes (0x1 disabled, 0x10 normal account, 0x400 locked out…); null unknown. */
  accountControl: number | null;
}

/** A local group (SAM alias) with its members' SIDs resolved to names where the host could. */
export interface RemoteGroup {
  name: string;
  sid: string;
  /** `BUILTIN` or the account domain's name. */
  domain: string;
  description: string | null;
  members: { sid: string; name: string | null; domain: string | null }[];
}

/** The machine's own SAM: its account domain and the users and local groups in it and BUILTIN. */
export interface RemoteAccounts {
  accountDomain: { name: string; sid: string };
  users: Listing<RemoteUser>;
  groups: Listing<RemoteGroup>;
}

/** LSA's view of membership (PolicyPrimaryDomainInformation): the SID is null in a workgroup. */
export interface RemoteMembership {
  primaryDomain: { name: string | null; sid: string | null };
  accountDomain: { name: string | null; sid: string | null };
}

export interface RemoteShare {
  name: string;
  /** STYPE_* (0 disk, 1 print queue, 3 IPC; 0x80000000 special). */
  type: number;
  remark: string;
}

/** srvsvc NetrServerGetInfo level 101. */
export interface RemoteServerInfo {
  name: string | null;
  platformId: number;
  versionMajor: number;
  versionMinor: number;
  /** SV_TYPE_* bits. */
  type: number;
  comment: string | null;
}

/** wkssvc NetrWkstaGetInfo level 100. */
export interface RemoteWorkstationInfo {
  computerName: string | null;
  /** The workgroup or domain name. */
  langroup: string | null;
}

export interface RemoteLoggedOnUser {
  user: string;
  domain: string;
}

/**
 * A logged-in Windows host. Each method is one logical question; the adapter may make several
 * RPC calls for it but honours `limits` on each and stops at the given caps. Failures are
 * ScannerErrors (ERR_RPC, ERR_ACCESS_DENIED, ERR_TIMEOUT, ERR_PROTOCOL…); the collector marks the
 * section and goes on.
 */
export interface WindowsRemote {
  readonly registry: RegistryAccess;
  services(max: number, limits: CallLimits): Promise<Listing<RemoteService>>;
  accounts(max: number, limits: CallLimits): Promise<RemoteAccounts>;
  membership(limits: CallLimits): Promise<RemoteMembership>;
  shares(max: number, limits: CallLimits): Promise<Listing<RemoteShare>>;
  serverInfo(limits: CallLimits): Promise<RemoteServerInfo>;
  workstationInfo(limits: CallLimits): Promise<RemoteWorkstationInfo>;
  loggedOnUsers(max: number, limits: CallLimits): Promise<Listing<RemoteLoggedOnUser>>;
  /**
   * Asked by the collector after a read failed with `err`: null when the session can still
   * answer, else the error that ended it (the connection dropped; or, after a timeout, the host
   * does not answer a liveness probe within `limits` either). Once it is non-null the collector
   * makes no more calls. Absent: the remote never loses its session (replays).
   */
  sessionLost?(err: ScannerError, limits: CallLimits): Promise<ScannerError | null>;
}

/**
 * What remote execution needs: temporary services through svcctl and files on ADMIN$. Paths are
 * relative to ADMIN$ (`Temp\x.txt` is %SystemRoot%\Temp\x.txt).
 */
export interface RemoteExecPort {
  /** Creates a demand-start, own-process service running `binaryPath` as LocalSystem. */
  createService(name: string, binaryPath: string, limits: CallLimits): Promise<void>;
  /** Starts it; resolves or rejects with what the service control manager said. */
  startService(name: string, limits: CallLimits): Promise<void>;
  /** Stops it if running and deletes it. */
  deleteService(name: string, limits: CallLimits): Promise<void>;
  /** The file's bytes (at most `maxBytes`), or null when it does not exist (yet). */
  readFile(path: string, maxBytes: number, limits: CallLimits): Promise<Buffer | null>;
  /** Deletes the file; a file that does not exist is not an error. */
  deleteFile(path: string, limits: CallLimits): Promise<void>;
}
