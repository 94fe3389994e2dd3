// SNMP transport: a net-snmp session for v1/v2c (community) or v3 (USM), with typed errors.
import { createCipheriv } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { ScannerError } from '../../errors.js';
import type {
  CredentialSecrets,
  SnmpAuthProtocol,
  SnmpCredential,
  SnmpPrivProtocol,
} from '../../vault/credential-types.js';
import { abortError, redactError } from '../safe-errors.js';
import { netSnmp, type NetSnmpSession, type NetSnmpUser } from './net-snmp-api.js';

export interface SnmpAuth {
  credential: SnmpCredential;
  secrets: CredentialSecrets;
}

export interface SnmpSessionOptions {
  /** Wait for one answer; v3 makes two exchanges per first request (engine discovery, then get). */
  timeoutMs: number;
  /** Resends after a timeout (0 = one try). */
  retries: number;
}

export interface SnmpVarbind {
  oid: string;
  /** net-snmp's type name: `OctetString`, `Integer`, `OID`, `TimeTicks`, `NoSuchObject`… */
  type: string;
  /** OctetString/Opaque as Buffer, Counter64 as bigint, OID and IpAddress as string, null for exceptions. */
  value: Buffer | string | number | bigint | boolean | null;
}

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

/** net-snmp names: AES-256 with Blumenthal key extension is what Net-SNMP calls "AES-256". */
const PRIV_PROTOCOLS: Partial<Record<SnmpPrivProtocol, number>> = {
  des: netSnmp.PrivProtocols.des,
  aes: netSnmp.PrivProtocols.aes,
  aes256: netSnmp.PrivProtocols.aes256b,
};

let desAvailable: boolean | undefined;

/** Whether this Node's OpenSSL still offers single DES (OpenSSL 3 moved it to the legacy provider). */
export function singleDesAvailable(): boolean {
  if (desAvailable === undefined) {
    try {
      createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
      desAvailable = true;
    } catch {
      desAvailable = false;
    }
  }
  return desAvailable;
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
  const priv = PRIV_PROTOCOLS[privProtocol];
  if (priv === undefined) {
    throw new ScannerError(
      'ERR_NOT_SUPPORTED',
      `snmp v3 privacy protocol ${privProtocol} is not supported (supported: aes, aes256, des where available)`,
    );
  }
  if (privProtocol === 'des' && !singleDesAvailable()) {
    throw new ScannerError(
      'ERR_NOT_SUPPORTED',
      'snmp v3 des privacy is not available: OpenSSL 3 keeps single DES in its legacy provider (start Node with --openssl-legacy-provider) or use aes',
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

function toVarbind(vb: { oid: string; type: number; value: unknown }): SnmpVarbind {
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
 * One SNMP agent spoken to with one credential. `get()` may be called concurrently; close() ends
 * the UDP socket and fails whatever is still waiting.
 */
export class SnmpSession {
  readonly #session: NetSnmpSession;
  readonly #secrets: (string | undefined)[];
  readonly #version: string;
  readonly #opts: SnmpSessionOptions;
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
  get(oids: string[], opts: { signal: AbortSignal }): Promise<SnmpVarbind[]> {
    const { signal } = opts;
    if (signal.aborted) return Promise.reject(abortError(signal, 'snmp get'));
    if (this.#closed)
      return Promise.reject(new ScannerError('ERR_PROTOCOL', 'snmp session is closed'));
    return new Promise<SnmpVarbind[]>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(abortError(signal, 'snmp get'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.#session.get(oids, (err, varbinds) => {
          signal.removeEventListener('abort', onAbort);
          if (settled) return;
          settled = true;
          if (err) reject(this.#mapError(err));
          else resolve((varbinds ?? []).map(toVarbind));
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
        if (
          ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNREFUSED', 'EADDRNOTAVAIL'].includes(
            code,
          )
        ) {
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
 * shape problems are thrown here: ERR_CONFIG_INVALID for missing fields, ERR_NOT_SUPPORTED for
 * aes192 and, where OpenSSL lacks it, des.
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
