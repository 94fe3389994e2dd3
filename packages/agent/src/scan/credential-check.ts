// Proves one stored credential on one host over its protocol: the `credentials test` command and scans.
import { isIP } from 'node:net';
import type { Protocol, ProtocolAttempt } from '@nopesight/model';
import { ScannerError, statusForError } from '../errors.js';
import {
  SECRET_FIELDS,
  type CredentialSecrets,
  type SnmpCredential,
  type UnlockedCredential,
  type VcenterCredential,
} from '../vault/credential-types.js';
import { redactError, redactText } from '../transports/safe-errors.js';
import type { HostKeyCheck } from '../transports/ssh/ssh-session.js';
import { loginSsh, type SshJumpLogin } from './ssh-login.js';
import { openSnmp, varbindText } from '../transports/snmp/snmp-session.js';
import { vimClientFor } from './vcenter-login.js';
import { loginWindows, windowsAccount } from './windows-login.js';
import { bindOverPipe } from '../transports/dcerpc/pipe-transport.js';
import { netrServerGetInfo, SRVSVC, SRVSVC_PIPE } from '../transports/dcerpc/interfaces/srvsvc.js';
import { CIM_QUERIES } from '../collectors/windows/cim-classes.js';
import {
  WinrmCimSource,
  winrmLoginOptions,
  type WinrmEndpoint,
} from '../collectors/windows/cim-transports.js';
import type { WindowsCredential } from '../vault/credential-types.js';

/** What a check found: the attempt as host records carry it, and facts learnt on the way. */
export type CredentialCheck = { attempt: ProtocolAttempt; facts: Record<string, string> };

export interface CredentialCheckOptions {
  signal: AbortSignal;
  /** Budget for the whole check; phases get their own limits inside it. */
  timeoutMs: number;
  /** SSH host key policy; without one every key is accepted and reported in the facts. */
  hostKey?: HostKeyCheck;
  /** SSH: the jump host's login, for a credential that goes through one. */
  jump?: SshJumpLogin;
  /** Windows over WinRM HTTPS: the endpoint (default 5986; tests use another port). */
  winrm?: WinrmEndpoint;
  /**
   * The target as the user gave it, when it was a host name that resolved to `address`: over
   * WinRM HTTPS a CA-issued certificate may name it instead of the address (the user's own
   * input, so no PTR record is needed).
   */
  hostname?: string;
}

/** TCP connect limit inside the budget: a live host answers a SYN far sooner. */
const CONNECT_LIMIT_MS = 5000;
/** Output kept from each fact-gathering command. */
const FACT_MAX_BYTES = 4096;
const SYS_NAME = '1.3.6.1.2.1.1.5.0';
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SNMP_RETRIES = 1;

type Facts = Record<string, string>;

function secretValues(secrets: CredentialSecrets): string[] {
  return SECRET_FIELDS.map((f) => secrets[f]).filter((v): v is string => typeof v === 'string');
}

async function checkSsh(
  unlocked: UnlockedCredential,
  address: string,
  signal: AbortSignal,
  opts: CredentialCheckOptions,
): Promise<Facts> {
  const login = await loginSsh(unlocked, address, {
    signal,
    connectTimeoutMs: Math.min(opts.timeoutMs, CONNECT_LIMIT_MS),
    authTimeoutMs: opts.timeoutMs,
    ...(opts.hostKey ? { hostKey: opts.hostKey } : {}),
    ...(opts.jump ? { jump: opts.jump } : {}),
  });
  const { session } = login;
  const facts: Facts = {
    authMethod: session.authMethod,
    hostKeyFingerprint: session.hostKey.fingerprintSha256,
    hostKeyType: session.hostKey.keyType,
  };
  try {
    // Facts are a bonus: the login already proved the credential, so a device without a POSIX
    // shell (a switch CLI) still counts as success.
    for (const [name, cmd] of [
      ['hostname', 'hostname'],
      ['uname', 'uname -a'],
    ] as const) {
      try {
        const r = await session.exec(cmd, {
          signal,
          timeoutMs: Math.min(opts.timeoutMs, CONNECT_LIMIT_MS),
          maxBytes: FACT_MAX_BYTES,
        });
        const text = r.stdout.trim();
        if (r.exitCode === 0 && text) facts[name] = text;
      } catch (err) {
        if (signal.aborted) throw err;
      }
    }
  } finally {
    await login.close();
  }
  return facts;
}

async function checkSnmp(
  credential: SnmpCredential,
  secrets: CredentialSecrets,
  address: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Facts> {
  // v3 needs two exchanges (engine discovery, then the get); every try of each fits in 90% of the
  // budget, so a silent agent is reported by the SNMP layer (with its hint) rather than the budget.
  const exchanges = credential.version === '3' ? 2 : 1;
  const tryMs = Math.max(100, Math.floor((timeoutMs * 0.9) / (exchanges * (SNMP_RETRIES + 1))));
  const session = openSnmp(
    address,
    { credential, secrets },
    { timeoutMs: tryMs, retries: SNMP_RETRIES },
  );
  try {
    const varbinds = await session.get([SYS_NAME, SYS_DESCR, SYS_OBJECT_ID], { signal });
    const facts: Facts = {};
    const names: Record<string, string> = {
      [SYS_NAME]: 'sysName',
      [SYS_DESCR]: 'sysDescr',
      [SYS_OBJECT_ID]: 'sysObjectID',
    };
    for (const vb of varbinds) {
      const name = names[vb.oid];
      const text = varbindText(vb);
      if (name && text !== null) facts[name] = text;
    }
    return facts;
  } finally {
    session.close();
  }
}

async function checkVcenter(
  credential: VcenterCredential,
  secrets: CredentialSecrets,
  address: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Facts> {
  if (!secrets.password)
    throw new ScannerError('ERR_CONFIG_INVALID', 'vcenter credential has no password');
  const client = await vimClientFor(credential, address, {
    connectTimeoutMs: Math.min(timeoutMs, CONNECT_LIMIT_MS),
    requestTimeoutMs: timeoutMs,
  });
  try {
    const sc = await client.retrieveServiceContent({ signal });
    const session = await client.login(credential.username, secrets.password, { signal });
    const facts: Facts = { tlsVerify: client.tlsVerified ? 'on' : 'off' };
    for (const [k, v] of Object.entries(sc.about)) {
      if (typeof v === 'string' && v) facts[k] = v;
    }
    if (session.userName) facts['sessionUser'] = session.userName;
    try {
      await client.logout({ signal });
    } catch {
      // The session ends on its own on the server; the check already succeeded.
    }
    return facts;
  } finally {
    client.close();
  }
}

/**
 * True when the credential is set up for WinRM over HTTPS (Basic, a CA bundle or pinned
 * certificates): `credentials test` then proves it there, on 5986, rather than over SMB.
 */
export function testsOverWinrmHttps(credential: WindowsCredential): boolean {
  return (
    credential.winrmAuth === 'basic' ||
    credential.winrmCa !== undefined ||
    (credential.winrmCertFingerprints?.length ?? 0) > 0
  );
}

/**
 * WinRM over HTTPS: the login proven by one Win32_ComputerSystem query; facts say how it
 * authenticated and which certificate the server showed and why it was trusted. A certificate
 * that is not trusted fails with ERR_TLS_UNTRUSTED naming it (subject, issuer, fingerprint).
 */
async function checkWinrm(
  unlocked: UnlockedCredential,
  address: string,
  signal: AbortSignal,
  opts: CredentialCheckOptions,
): Promise<Facts> {
  const credential = unlocked.credential as WindowsCredential;
  const account = windowsAccount(unlocked);
  const endpoint = opts.winrm ?? { port: 5986, https: true };
  const source = new WinrmCimSource({
    ...winrmLoginOptions(credential, account, address, endpoint, userNames(opts.hostname)),
    connectTimeoutMs: Math.min(opts.timeoutMs, CONNECT_LIMIT_MS),
    requestTimeoutMs: opts.timeoutMs,
  });
  try {
    const facts: Facts = {
      path: 'winrm',
      endpoint: `${endpoint.https ? 'https' : 'http'}://${address}:${endpoint.port}/wsman`,
      winrmAuth: credential.winrmAuth ?? 'ntlm',
    };
    const probe = CIM_QUERIES.computerSystem;
    for await (const o of source.query(probe.namespace, probe.wql, {
      signal,
      timeoutMs: opts.timeoutMs,
      maxObjects: 1,
    })) {
      for (const [fact, prop] of [
        ['computerName', 'Name'],
        ['domain', 'Domain'],
      ] as const) {
        const v = o.properties[prop]?.value;
        if (typeof v === 'string' && v) facts[fact] = v;
      }
    }
    const tls = source.tls;
    if (tls) {
      facts['tlsTrust'] = tls.trust;
      if (tls.name) facts['tlsName'] = tls.name;
      facts['tlsSubject'] = tls.subject;
      facts['tlsIssuer'] = tls.issuer;
      facts['tlsFingerprint'] = tls.fingerprint;
      facts['tlsValidTo'] = tls.validTo;
      facts['tlsProtocol'] = tls.protocol;
    }
    return facts;
  } finally {
    await source.close();
  }
}

/** The host name the user gave, as a name the certificate may carry; none for an address. */
function userNames(hostname: string | undefined): { names: string[] } {
  const name = hostname?.trim().replace(/\.$/, '').toLowerCase();
  return { names: name && isIP(name) === 0 ? [name] : [] };
}

async function checkWindows(
  unlocked: UnlockedCredential,
  address: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Facts> {
  const login = await loginWindows(unlocked, address, {
    signal,
    timeoutMs: Math.min(timeoutMs, CONNECT_LIMIT_MS * 2),
  });
  try {
    const info = login.client.serverInfo;
    const facts: Facts = {
      dialect: login.client.dialect,
      signingRequired: String(info.signingRequired),
    };
    if (info.nbComputerName) facts['netbiosName'] = info.nbComputerName;
    if (info.nbDomainName) facts['netbiosDomain'] = info.nbDomainName;
    if (info.osVersion) facts['osVersion'] = info.osVersion;
    // The login proved the credential; srvsvc facts are a bonus.
    try {
      const rpc = await bindOverPipe(login.ipc, SRVSVC_PIPE, SRVSVC, { signal, timeoutMs });
      try {
        const s = await netrServerGetInfo(rpc, 101, { signal, timeoutMs });
        if (s.name) facts['serverName'] = s.name;
        facts['serverVersion'] = `${s.versionMajor}.${s.versionMinor}`;
        if (s.comment) facts['serverComment'] = s.comment;
      } finally {
        await rpc.close().catch(() => undefined);
      }
    } catch (err) {
      if (signal.aborted || !(err instanceof ScannerError)) throw err;
    }
    return facts;
  } finally {
    await login.close();
  }
}

/**
 * The attempt a host record carries for one credential on one protocol: status via
 * statusForError, duration since `started` (a performance.now() reading), and the error's code
 * and message with the credential's secrets scrubbed.
 */
export function protocolAttempt(
  unlocked: UnlockedCredential,
  started: number,
  error: ScannerError | null,
): ProtocolAttempt {
  return {
    protocol: unlocked.credential.kind satisfies Protocol,
    status: error ? statusForError(error) : 'success',
    credentialId: unlocked.credential.id,
    durationMs: Math.round(performance.now() - started),
    error: error
      ? { code: error.code, message: redactText(error.message, secretValues(unlocked.secrets)) }
      : null,
  };
}

/**
 * A login that failed with `err`, as a collector's outcome: the attempt alone. Anything but a
 * ScannerError is a bug and is rethrown.
 */
export function failedLogin(
  unlocked: UnlockedCredential,
  started: number,
  err: unknown,
): { attempt: ProtocolAttempt } {
  if (!(err instanceof ScannerError)) throw err;
  return { attempt: protocolAttempt(unlocked, started, err) };
}

/**
 * Tries `unlocked` on `address` over the credential kind's protocol and reports the attempt
 * (status via statusForError, `credentialId`, duration, error code and message) plus facts
 * (ssh: hostname, uname, host key; snmp: sysName, sysDescr, sysObjectID; vcenter: about, tlsVerify;
 * windows: SMB dialect, signing, NetBIOS names, srvsvc server name and version; a credential
 * set up for WinRM HTTPS is tested there instead: auth, computer name, the TLS certificate).
 * Ordinary failures are results, never exceptions; secrets never appear in what it returns.
 * @example const { attempt } = await checkCredential(unlocked, '198.18.0.10', { signal, timeoutMs: 10_000 });
 */
export async function checkCredential(
  unlocked: UnlockedCredential,
  address: string,
  opts: CredentialCheckOptions,
): Promise<CredentialCheck> {
  const { credential, secrets } = unlocked;
  const started = performance.now();
  const secretList = secretValues(secrets);
  const budget = new AbortController();
  const timer = setTimeout(
    () =>
      budget.abort(
        new ScannerError('ERR_TIMEOUT', `credential check timed out after ${opts.timeoutMs}ms`),
      ),
    opts.timeoutMs,
  );
  const signal = AbortSignal.any([opts.signal, budget.signal]);
  const attempt = (error: ScannerError | null): ProtocolAttempt =>
    protocolAttempt(unlocked, started, error);

  try {
    let facts: Facts;
    switch (credential.kind) {
      case 'ssh':
        facts = await checkSsh(unlocked, address, signal, opts);
        break;
      case 'snmp':
        facts = await checkSnmp(credential, secrets, address, signal, opts.timeoutMs);
        break;
      case 'vcenter':
        facts = await checkVcenter(credential, secrets, address, signal, opts.timeoutMs);
        break;
      case 'windows':
        facts =
          testsOverWinrmHttps(credential) || opts.winrm
            ? await checkWinrm(unlocked, address, signal, opts)
            : await checkWindows(unlocked, address, signal, opts.timeoutMs);
        break;
    }
    return { attempt: attempt(null), facts: redactFacts(facts, secretList) };
  } catch (err) {
    if (err instanceof ScannerError) return { attempt: attempt(err), facts: {} };
    // Anything else is a bug in this code or a transport: let it surface, minus the secrets.
    throw redactError(err, secretList);
  } finally {
    clearTimeout(timer);
  }
}

function redactFacts(facts: Facts, secrets: string[]): Facts {
  const out: Facts = {};
  for (const [k, v] of Object.entries(facts)) out[k] = redactText(v, secrets);
  return out;
}
