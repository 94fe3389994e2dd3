// SNMP transport: a net-snmp session for v1/v2c (community) or v3 (USM), with typed errors,
// GETs and capped subtree walks.
import { isIPv6 } from 'node:net';
import { ScannerError } from '../../errors.js';
import type {
  CredentialSecrets,
  SnmpAuthProtocol,
  SnmpCredential,
} from '../../vault/credential-types.js';
import { abortError, redactError } from '../safe-errors.js';
import {
  netSnmp,
  type NetSnmpSession,
  type NetSnmpUser,
  type NetSnmpVarbind,
} from './net-snmp-api.js';
import { PRIV_PROTOCOLS } from './snmp-privacy.js';
import {
  isOid,
  walkSubtree,
  type SnmpVarbind,
  type SnmpWalkResult,
  type WalkBudget,
  type WalkPage,
} from './snmp-walk.js';

export type { SnmpVarbind, SnmpWalkResult } from './snmp-walk.js';

export interface SnmpAuth {
  credential: SnmpCredential;
  secrets: CredentialSecrets;
}

export interface SnmpSessionOptions {
  /** Wait for one answer; v3 makes two exchanges per first request (engine discovery, then get). */
  timeoutMs: number;
  /** Resends after a timeout (0 = one try). */
  retries: number;
  /** Repetitions per GETBULK a walk starts with (halved on tooBig); default DEFAULT_MAX_REPETITIONS. */
  maxRepetitions?: number;
  /** Varbinds all walks of this session may keep together; default DEFAULT_SESSION_MAX_VARBINDS. */
  maxVarbinds?: number;
  /** Bytes (OIDs and values) all walks of this session may keep; default DEFAULT_SESSION_MAX_BYTES. */
  maxBytes?: number;
}

export interface SnmpWalkOptions {
  signal: AbortSignal;
  /** Cap for this walk; default DEFAULT_WALK_MAX_VARBINDS. The session's budget applies too. */
  maxVarbinds?: number;
}

/**
 * Repetitions per GETBULK. Measured in the lab on the eight subtrees of a device collection
 * (bench/README.md, snmp-walk): snmpsim's cisco-3750 recording took 1.63–1.77 s at 10, 1.14–1.16 s
 * at 25, 1.16–1.17 s at 50 and 1.21 s at 100; the real snmpd 212–252 ms at 10, 115–123 ms at 25,
 * 106–111 ms at 50, 89–95 ms at 100. 25 gets nearly all of the gain while answers stay small
 * enough (25 long ifDescr or entPhysicalDescr strings) for agents that answer tooBig early.
 */
export const DEFAULT_MAX_REPETITIONS = 25;
/** A walk keeps at most this many varbinds unless the caller says otherwise. */
export const DEFAULT_WALK_MAX_VARBINDS = 100_000;
/** One host's session keeps at most this many varbinds over all its walks. */
export const DEFAULT_SESSION_MAX_VARBINDS = 500_000;
/** One host's session keeps at most this many bytes of OIDs and values over all its walks. */
export const DEFAULT_SESSION_MAX_BYTES = 64 * 1024 * 1024;
/** Subtrees `walkMany()` walks at once on one session. */
const WALK_MANY_CONCURRENCY = 4;

const EXCEPTION_TYPES = new Set(['NoSuchObject', 'NoSuchInstance', 'EndOfMibView']);

/** USM report texts net-snmp raises (RFC 3414 usmStats): all mean the agent refused the user. */
const USM_REPORTS = new Set([
  'Unsupported Security Level',
  'Not In Time Window',
  'Unknown User Name',
  'Unknown Engine ID',
  'Wrong Digest (incorrect password, community or key)',
  'Decryption Error',
]);

const AUTH_PROTOCOLS: Record<SnmpAuthProtocol, number> = {
  md5: netSnmp.AuthProtocols.md5,
  sha: netSnmp.AuthProtocols.sha,
  sha224: netSnmp.AuthProtocols.sha224,
  sha256: netSnmp.AuthProtocols.sha256,
  sha384: netSnmp.AuthProtocols.sha384,
  sha512: netSnmp.AuthProtocols.sha512,
};

const TOO_BIG = 1;
const NO_SUCH_NAME = 2;

/** The SNMP error-status behind a mapped RequestFailedError, or undefined. */
function errorStatusOf(err: unknown): number | undefined {
  if (!(err instanceof ScannerError)) return undefined;
  const status = (err.cause as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

function configError(message: string): ScannerError {
  return new ScannerError('ERR_CONFIG_INVALID', message);
}

function v3User(credential: SnmpCredential, secrets: CredentialSecrets): NetSnmpUser {
  const name = credential.username;
  if (!name) throw configError('snmp v3 credential has no username');
  const level = credential.securityLevel ?? 'authPriv';
  if (level === 'noAuthNoPriv') return { name, level: netSnmp.SecurityLevel.noAuthNoPriv };

  const authProtocol = credential.authProtocol;
  if (!authProtocol || !(authProtocol in AUTH_PROTOCOLS)) {
    throw configError(`snmp v3 ${level} needs an authentication protocol`);
  }
  if (!secrets.authPassword) throw configError(`snmp v3 ${level} needs an authentication password`);
  const user: NetSnmpUser = {
    name,
    level: netSnmp.SecurityLevel.authNoPriv,
    authProtocol: AUTH_PROTOCOLS[authProtocol],
    authKey: secrets.authPassword,
  };
  if (level === 'authNoPriv') return user;

  const privProtocol = credential.privProtocol;
  if (!privProtocol) throw configError('snmp v3 authPriv needs a privacy protocol');
  const priv = PRIV_PROTOCOLS[privProtocol] as number | string | undefined;
  if (priv === undefined) {
    throw configError(
      `snmp v3 privacy protocol ${String(privProtocol)} is not one of des, aes, aes192, aes256`,
    );
  }
  if (!secrets.privPassword) throw configError('snmp v3 authPriv needs a privacy password');
  return {
    ...user,
    level: netSnmp.SecurityLevel.authPriv,
    privProtocol: priv,
    privKey: secrets.privPassword,
  };
}

function toVarbind(vb: NetSnmpVarbind): SnmpVarbind {
  const type = netSnmp.ObjectType[vb.type] ?? `type-${vb.type}`;
  if (EXCEPTION_TYPES.has(type)) return { oid: vb.oid, type, value: null };
  const v = vb.value;
  if (Buffer.isBuffer(v)) {
    // Counter64 arrives as an 8-byte big-endian buffer.
    if (type === 'Counter64') {
      return { oid: vb.oid, type, value: v.length === 0 ? 0n : BigInt(`0x${v.toString('hex')}`) };
    }
    return { oid: vb.oid, type, value: v };
  }
  if (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    typeof v === 'boolean'
  ) {
    return { oid: vb.oid, type, value: v };
  }
  return { oid: vb.oid, type, value: null };
}

/** A varbind's value as text: OctetString as UTF-8, numbers and OIDs as written; null for exceptions. */
export function varbindText(vb: SnmpVarbind): string | null {
  if (vb.value === null) return null;
  if (Buffer.isBuffer(vb.value)) return vb.value.toString('utf8');
  return String(vb.value);
}

/**
 * One SNMP agent spoken to with one credential. `get()` and `walk()` may be called
 * concurrently; close() ends the UDP socket and fails whatever is still waiting. Walks draw from
 * one budget per session (`maxVarbinds`, `maxBytes`), so one host cannot exceed its total.
 */
export class SnmpSession {
  readonly #session: NetSnmpSession;
  readonly #secrets: (string | undefined)[];
  readonly #version: string;
  readonly #opts: SnmpSessionOptions;
  readonly #budget: WalkBudget;
  #closed = false;

  constructor(
    session: NetSnmpSession,
    version: string,
    secrets: (string | undefined)[],
    opts: SnmpSessionOptions,
  ) {
    this.#session = session;
    this.#version = version;
    this.#secrets = secrets;
    this.#opts = opts;
    this.#budget = {
      varbinds: opts.maxVarbinds ?? DEFAULT_SESSION_MAX_VARBINDS,
      bytes: opts.maxBytes ?? DEFAULT_SESSION_MAX_BYTES,
    };
    // Socket errors also reach the pending request's callback; this keeps them from crashing.
    session.on('error', () => undefined);
  }

  /**
   * GETs `oids` in one PDU. Resolves with one varbind per OID (exceptions as type
   * NoSuchObject/NoSuchInstance with a null value). Rejects with ERR_TIMEOUT when nothing
   * answers, which for v1/v2c includes a wrong community; ERR_AUTH_FAILED when a v3 agent refuses
   * the user or its keys; ERR_ACCESS_DENIED on an authorization error status; ERR_UNREACHABLE on
   * a send failure; ERR_PROTOCOL otherwise.
   */
  async get(oids: string[], opts: { signal: AbortSignal }): Promise<SnmpVarbind[]> {
    const vbs = await this.#request<NetSnmpVarbind[]>('snmp get', opts.signal, (cb) =>
      this.#session.get(oids, cb),
    );
    return vbs.map(toVarbind);
  }

  /**
   * Walks the subtree under `rootOid` (GETBULK on v2c/v3, GETNEXT on v1), each request with the
   * session's timeout and retries. Resolves with the varbinds in OID order when the subtree ends
   * (endOfMibView, an OID outside it, v1 noSuchName), when a cap is reached (`truncated`), or
   * when the agent stops answering or misbehaves after some data was read (`error` set, e.g.
   * OIDs that do not increase). Rejects like get() when nothing at all could be read, and with
   * ERR_CONFIG_INVALID for a malformed `rootOid`. An aborted `signal` ends the walk the same
   * way: rejected with the abort error before any data, resolved with it as `error` after.
   */
  walk(rootOid: string, opts: SnmpWalkOptions): Promise<SnmpWalkResult> {
    if (!isOid(rootOid)) {
      return Promise.reject(configError(`snmp walk: ${rootOid} is not a numeric OID`));
    }
    const v1 = this.#version === '1';
    return walkSubtree({
      root: rootOid,
      signal: opts.signal,
      maxVarbinds: opts.maxVarbinds ?? DEFAULT_WALK_MAX_VARBINDS,
      maxRepetitions: v1 ? 1 : (this.#opts.maxRepetitions ?? DEFAULT_MAX_REPETITIONS),
      budget: this.#budget,
      fetch: (oid, repetitions, signal) =>
        v1 ? this.#getNextPage(oid, signal) : this.#getBulkPage(oid, repetitions, signal),
    });
  }

  /**
   * Walks several subtrees on this session, a few at a time, and resolves with one result per
   * root in the same order. A walk that would reject appears as an empty, truncated result with
   * its error, so one refused subtree does not hide the others.
   */
  async walkMany(roots: readonly string[], opts: SnmpWalkOptions): Promise<SnmpWalkResult[]> {
    const results = new Array<SnmpWalkResult>(roots.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < roots.length) {
        const i = next++;
        results[i] = await this.walk(roots[i]!, opts).catch((err: unknown) => ({
          varbinds: [],
          truncated: true,
          error:
            err instanceof ScannerError
              ? err
              : new ScannerError('ERR_PROTOCOL', `snmp walk failed: ${String(err)}`),
        }));
      }
    };
    const n = Math.min(WALK_MANY_CONCURRENCY, roots.length);
    await Promise.all(Array.from({ length: n }, worker));
    return results;
  }

  async #getBulkPage(oid: string, repetitions: number, signal: AbortSignal): Promise<WalkPage> {
    try {
      const rows = await this.#request<NetSnmpVarbind[][]>('snmp walk', signal, (cb) =>
        this.#session.getBulk([oid], 0, repetitions, cb),
      );
      return { kind: 'varbinds', varbinds: (rows[0] ?? []).map(toVarbind) };
    } catch (err) {
      if (errorStatusOf(err) === TOO_BIG) return { kind: 'tooBig' };
      throw err;
    }
  }

  async #getNextPage(oid: string, signal: AbortSignal): Promise<WalkPage> {
    try {
      const vbs = await this.#request<NetSnmpVarbind[]>('snmp walk', signal, (cb) =>
        this.#session.getNext([oid], cb),
      );
      return { kind: 'varbinds', varbinds: vbs.map(toVarbind) };
    } catch (err) {
      // SNMPv1 ends a walk with noSuchName instead of endOfMibView.
      if (errorStatusOf(err) === NO_SUCH_NAME) return { kind: 'endOfMib' };
      throw err;
    }
  }

  /**
   * Runs one net-snmp request: rejects at once when `signal` aborts (net-snmp cannot cancel a
   * request, so its answer or timeout is ignored later) and maps its errors to ScannerErrors.
   */
  #request<T>(
    what: string,
    signal: AbortSignal,
    start: (cb: (err: Error | null, result?: T) => void) => void,
  ): Promise<T> {
    if (signal.aborted) return Promise.reject(abortError(signal, what));
    if (this.#closed)
      return Promise.reject(new ScannerError('ERR_PROTOCOL', 'snmp session is closed'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(abortError(signal, what));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        start((err, result) => {
          signal.removeEventListener('abort', onAbort);
          if (settled) return;
          settled = true;
          if (err) reject(this.#mapError(err));
          else resolve(result ?? ([] as T));
        });
      } catch (err) {
        signal.removeEventListener('abort', onAbort);
        settled = true;
        reject(this.#mapError(err));
      }
    });
  }

  /** Closes the socket; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#session.close();
    } catch {
      // Already closed by a socket error: nothing left to release.
    }
  }

  #mapError(err: unknown): ScannerError {
    const cause = redactError(err, this.#secrets);
    const e = err as { name?: string; code?: unknown; message?: string; status?: number };
    const message = e.message ?? '';
    const v = `snmp v${this.#version}`;
    switch (e.name) {
      case 'RequestTimedOutError': {
        const { timeoutMs, retries } = this.#opts;
        const hint =
          this.#version === '3'
            ? 'host down, port filtered, or a wrong privacy password'
            : 'host down, port filtered, or a wrong community';
        return new ScannerError(
          'ERR_TIMEOUT',
          `${v} request timed out after ${timeoutMs}ms × ${retries + 1} tries (${hint})`,
          { cause },
        );
      }
      case 'ResponseInvalidError':
        if (e.code === netSnmp.ResponseInvalidCode.EAuthFailure) {
          const what = USM_REPORTS.has(message) ? message : 'response failed authentication';
          return new ScannerError('ERR_AUTH_FAILED', `${v} authentication failed: ${what}`, {
            cause,
          });
        }
        if (e.code === netSnmp.ResponseInvalidCode.ECouldNotDecrypt) {
          return new ScannerError(
            'ERR_AUTH_FAILED',
            `${v} could not decrypt the response (wrong privacy password or protocol)`,
            { cause },
          );
        }
        return new ScannerError('ERR_PROTOCOL', `${v} invalid response`, { cause });
      case 'RequestFailedError': {
        const status = typeof e.status === 'number' ? e.status : -1;
        const statusName = netSnmp.ErrorStatus[status] ?? 'GeneralError';
        // A number, safe to keep: walk() reads it back for tooBig and noSuchName.
        Object.assign(cause, { status });
        // noAccess (6) and authorizationError (16): the credential works but may not read this.
        if (status === 6 || status === 16) {
          return new ScannerError('ERR_ACCESS_DENIED', `${v} agent answered ${statusName}`, {
            cause,
          });
        }
        return new ScannerError('ERR_PROTOCOL', `${v} agent answered ${statusName}`, { cause });
      }
      default: {
        const code = typeof e.code === 'string' ? e.code : '';
        if (code === 'ECONNREFUSED') {
          // ICMP port unreachable: the host is up and nothing listens on the SNMP port.
          return new ScannerError('ERR_PORT_CLOSED', `${v} port closed (ICMP port unreachable)`, {
            cause,
          });
        }
        if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL'].includes(code)) {
          return new ScannerError('ERR_UNREACHABLE', `${v} send failed: ${code}`, { cause });
        }
        return new ScannerError('ERR_PROTOCOL', `${v} request failed: ${cause.message}`, {
          cause,
        });
      }
    }
  }
}

/**
 * Creates a session to `address` (port from the credential). Sends nothing yet; a credential's
 * shape problems are thrown here as ERR_CONFIG_INVALID. Every privacy protocol of the
 * credential type works (des and aes192 through snmp-privacy.ts).
 */
export function openSnmp(address: string, auth: SnmpAuth, opts: SnmpSessionOptions): SnmpSession {
  const { credential, secrets } = auth;
  const options = {
    port: credential.port,
    retries: opts.retries,
    timeout: Math.max(1, opts.timeoutMs),
    transport: isIPv6(address) ? ('udp6' as const) : ('udp4' as const),
    version: netSnmp.Version1,
  };
  const secretList = [secrets.community, secrets.authPassword, secrets.privPassword];
  let session: NetSnmpSession;
  if (credential.version === '3') {
    const user = v3User(credential, secrets);
    session = netSnmp.createV3Session(address, user, { ...options, version: netSnmp.Version3 });
  } else if (credential.version === '1' || credential.version === '2c') {
    if (!secrets.community)
      throw configError(`snmp v${credential.version} credential has no community`);
    session = netSnmp.createSession(address, secrets.community, {
      ...options,
      version: credential.version === '1' ? netSnmp.Version1 : netSnmp.Version2c,
    });
  } else {
    throw configError(`snmp version ${String(credential.version)} is not one of 1, 2c, 3`);
  }
  return new SnmpSession(session, credential.version, secretList, opts);
}
