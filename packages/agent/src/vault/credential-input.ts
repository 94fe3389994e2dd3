// Validates what a user gives for a credential, per kind, and turns it into the stored shape.
import { isIP } from 'node:net';
import ssh2 from 'ssh2';
import { CREDENTIAL_KINDS, type CredentialKind } from '@nopesight/model';
import { ScannerError } from '../errors.js';
import { validateScope } from './scope.js';
import {
  SECRET_FIELDS,
  type Credential,
  type CredentialSecrets,
  type SnmpAuthProtocol,
  type SnmpPrivProtocol,
  type SnmpSecurityLevel,
  type SnmpVersion,
  type SudoMode,
  type UnlockedCredential,
  type WinrmAuthMode,
} from './credential-types.js';
import {
  canonicalBundle,
  normaliseCertFingerprint,
  parseCertificateBundle,
} from '../transports/wsman/wsman-tls.js';

export const SUDO_MODES = ['none', 'nopasswd', 'password'] as const satisfies readonly SudoMode[];
export const SNMP_VERSIONS = ['1', '2c', '3'] as const satisfies readonly SnmpVersion[];
export const SNMP_SECURITY_LEVELS = [
  'noAuthNoPriv',
  'authNoPriv',
  'authPriv',
] as const satisfies readonly SnmpSecurityLevel[];
export const SNMP_AUTH_PROTOCOLS = [
  'md5',
  'sha',
  'sha224',
  'sha256',
  'sha384',
  'sha512',
] as const satisfies readonly SnmpAuthProtocol[];
export const WINRM_AUTH_MODES = ['ntlm', 'basic'] as const satisfies readonly WinrmAuthMode[];
export const SNMP_PRIV_PROTOCOLS = [
  'des',
  'aes',
  'aes192',
  'aes256',
] as const satisfies readonly SnmpPrivProtocol[];

/** What a user supplies to add a credential (CLI, later the GUI). Unset fields take defaults. */
export interface CredentialInput {
  name: string;
  /** `wmi` is accepted as another name for `windows`. */
  kind: CredentialKind | 'wmi';
  scope?: string[];
  username?: string;
  domain?: string;
  port?: number;
  sudo?: SudoMode;
  version?: SnmpVersion;
  securityLevel?: SnmpSecurityLevel;
  authProtocol?: SnmpAuthProtocol;
  privProtocol?: SnmpPrivProtocol;
  tlsVerify?: boolean;
  caFile?: string;
  /** windows: allow remote execution through a temporary service (processes, connections). */
  remoteExec?: boolean;
  /** windows: WinRM authentication, ntlm (default) or basic (HTTPS only). */
  winrmAuth?: WinrmAuthMode;
  /** windows: PEM text of the CA bundle WinRM HTTPS certificates are verified against. */
  winrmCa?: string;
  /** windows: pinned WinRM HTTPS certificate fingerprints (SHA-256, any common spelling). */
  winrmCertFingerprints?: string[];
  /** ssh: a jump host; `credential` is the name or id of a stored SSH credential for it. */
  jump?: { address: string; port?: number; credential: string };
  secrets?: CredentialSecrets;
}

/** Identity and timestamps the vault assigns. */
export interface CredentialMeta {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/** Secrets each kind may hold; anything else is a mistake worth reporting. */
const ALLOWED_SECRETS: Record<CredentialKind, readonly (keyof CredentialSecrets)[]> = {
  windows: ['password'],
  ssh: ['password', 'privateKey', 'passphrase', 'sudoPassword'],
  snmp: ['community', 'authPassword', 'privPassword'],
  vcenter: ['password'],
};

/** RFC 3414 §11.2: USM passwords shorter than 8 octets must be rejected. */
const SNMP_MIN_PASSWORD = 8;
const MAX_SECRET = 64 * 1024;

function invalid(message: string): ScannerError {
  return new ScannerError('ERR_CONFIG_INVALID', message);
}

/** The canonical kind for a user-given protocol name (`wmi` → `windows`). */
export function normaliseKind(kind: string): CredentialKind {
  const k = kind.toLowerCase();
  if (k === 'wmi') return 'windows';
  if ((CREDENTIAL_KINDS as readonly string[]).includes(k)) return k as CredentialKind;
  throw invalid(
    `unknown credential kind '${kind}': use one of windows (or wmi), ssh, snmp, vcenter`,
  );
}

/** Checks a credential name: 1-64 characters, letters, digits, space and `._@-`. */
export function validateName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    !/^[A-Za-z0-9_][A-Za-z0-9 ._@-]{0,63}$/.test(name) ||
    name.endsWith(' ')
  ) {
    throw invalid(
      `invalid credential name ${JSON.stringify(name)}: use 1-64 letters, digits, spaces or . _ @ -, starting with a letter, digit or _`,
    );
  }
  return name;
}

/**
 * Validates `input` for its kind and returns the stored credential and its secrets. Throws
 * ERR_CONFIG_INVALID naming the field (never a secret's value) or ERR_TARGET_INVALID for scope.
 */
export function buildCredential(input: CredentialInput, meta: CredentialMeta): UnlockedCredential {
  const kind = normaliseKind(String(input.kind));
  const name = validateName(input.name);
  // One stored token per target, as parseTargets would split them (commas and whitespace).
  const scope = (input.scope ?? []).flatMap((t) => t.split(/[\s,]+/)).filter((t) => t !== '');
  validateScope(scope);
  const secrets = cleanSecrets(kind, input.secrets ?? {});
  const base = { ...meta, name, scope };
  const label = `credential '${name}' (${kind})`;
  const unused = (fields: (keyof CredentialInput)[]) => {
    for (const f of fields) {
      if (input[f] !== undefined)
        throw invalid(`${label}: ${f} does not apply to ${kind} credentials`);
    }
  };

  switch (kind) {
    case 'windows': {
      unused([
        'sudo',
        'version',
        'securityLevel',
        'authProtocol',
        'privProtocol',
        'tlsVerify',
        'caFile',
        'port',
        'jump',
      ]);
      const { username, domain } = parseWindowsAccount(label, input.username, input.domain);
      need(label, secrets, 'password', 'Windows logons need a password');
      const remoteExec = input.remoteExec ?? false;
      if (typeof remoteExec !== 'boolean')
        throw invalid(`${label}: remoteExec must be true or false`);
      return {
        credential: { ...base, kind, username, domain, remoteExec, ...validateWinrm(label, input) },
        secrets,
      };
    }
    case 'ssh': {
      unused([
        'domain',
        'version',
        'securityLevel',
        'authProtocol',
        'privProtocol',
        'tlsVerify',
        'caFile',
        'remoteExec',
        'winrmAuth',
        'winrmCa',
        'winrmCertFingerprints',
      ]);
      const username = requireUsername(label, input.username);
      const port = validatePort(label, input.port, 22);
      const sudo = oneOf(label, 'sudo', input.sudo ?? 'none', SUDO_MODES);
      if (secrets.password === undefined && secrets.privateKey === undefined) {
        throw invalid(`${label}: give a password or a privateKey (or both)`);
      }
      if (secrets.passphrase !== undefined && secrets.privateKey === undefined) {
        throw invalid(`${label}: a passphrase is only used with a privateKey`);
      }
      if (secrets.privateKey !== undefined)
        checkPrivateKey(label, secrets.privateKey, secrets.passphrase);
      if (
        sudo === 'password' &&
        secrets.sudoPassword === undefined &&
        secrets.password === undefined
      ) {
        throw invalid(
          `${label}: sudo mode 'password' needs a sudoPassword (or a login password to reuse)`,
        );
      }
      if (sudo !== 'password' && secrets.sudoPassword !== undefined) {
        throw invalid(`${label}: sudoPassword is only used with sudo mode 'password'`);
      }
      const jump = input.jump === undefined ? undefined : validateJump(label, input.jump);
      return {
        credential: { ...base, kind, username, port, sudo, ...(jump ? { jump } : {}) },
        secrets,
      };
    }
    case 'snmp':
      return buildSnmp(label, input, base, secrets);
    case 'vcenter': {
      unused([
        'domain',
        'sudo',
        'version',
        'securityLevel',
        'authProtocol',
        'privProtocol',
        'jump',
        'remoteExec',
        'winrmAuth',
        'winrmCa',
        'winrmCertFingerprints',
      ]);
      const username = requireUsername(label, input.username, true);
      const port = validatePort(label, input.port, 443);
      const tlsVerify = input.tlsVerify ?? true;
      if (typeof tlsVerify !== 'boolean')
        throw invalid(`${label}: tlsVerify must be true or false`);
      need(label, secrets, 'password', 'vCenter logons need a password');
      const credential: Credential = { ...base, kind, username, port, tlsVerify };
      if (input.caFile !== undefined) {
        if (typeof input.caFile !== 'string' || input.caFile.trim() === '') {
          throw invalid(`${label}: caFile must be a file path`);
        }
        credential.caFile = input.caFile;
      }
      return { credential, secrets };
    }
  }
}

function buildSnmp(
  label: string,
  input: CredentialInput,
  base: CredentialMeta & { name: string; scope: string[] },
  secrets: CredentialSecrets,
): UnlockedCredential {
  for (const f of [
    'domain',
    'sudo',
    'tlsVerify',
    'caFile',
    'jump',
    'remoteExec',
    'winrmAuth',
    'winrmCa',
    'winrmCertFingerprints',
  ] as const) {
    if (input[f] !== undefined) throw invalid(`${label}: ${f} does not apply to snmp credentials`);
  }
  const version = oneOf(label, 'version', input.version ?? '2c', SNMP_VERSIONS);
  const port = validatePort(label, input.port, 161);
  if (version !== '3') {
    for (const f of ['username', 'securityLevel', 'authProtocol', 'privProtocol'] as const) {
      if (input[f] !== undefined)
        throw invalid(`${label}: ${f} is for SNMPv3; version ${version} uses a community`);
    }
    for (const f of ['authPassword', 'privPassword'] as const) {
      if (secrets[f] !== undefined)
        throw invalid(`${label}: ${f} is for SNMPv3; version ${version} uses a community`);
    }
    need(label, secrets, 'community', `SNMP version ${version} needs a community`);
    return { credential: { ...base, kind: 'snmp', version, port }, secrets };
  }
  if (secrets.community !== undefined) throw invalid(`${label}: SNMPv3 does not use a community`);
  const username = requireUsername(label, input.username);
  const securityLevel = oneOf(
    label,
    'securityLevel',
    input.securityLevel ?? 'authPriv',
    SNMP_SECURITY_LEVELS,
  );
  const credential: Credential = { ...base, kind: 'snmp', version, port, username, securityLevel };
  const auth = securityLevel !== 'noAuthNoPriv';
  const priv = securityLevel === 'authPriv';
  if (!auth) {
    for (const f of ['authProtocol', 'privProtocol'] as const) {
      if (input[f] !== undefined)
        throw invalid(`${label}: ${f} does not apply to security level noAuthNoPriv`);
    }
  }
  if (!priv && input.privProtocol !== undefined) {
    throw invalid(`${label}: privProtocol needs security level authPriv (got ${securityLevel})`);
  }
  for (const [field, used] of [
    ['authPassword', auth],
    ['privPassword', priv],
  ] as const) {
    const value = secrets[field];
    if (!used && value !== undefined)
      throw invalid(`${label}: ${field} is not used at security level ${securityLevel}`);
    if (used && value === undefined)
      throw invalid(`${label}: security level ${securityLevel} needs ${field}`);
    if (used && value !== undefined && Buffer.byteLength(value, 'utf8') < SNMP_MIN_PASSWORD) {
      throw invalid(
        `${label}: ${field} must be at least ${SNMP_MIN_PASSWORD} characters (RFC 3414)`,
      );
    }
  }
  if (auth)
    credential.authProtocol = oneOf(
      label,
      'authProtocol',
      input.authProtocol ?? 'sha',
      SNMP_AUTH_PROTOCOLS,
    );
  if (priv)
    credential.privProtocol = oneOf(
      label,
      'privProtocol',
      input.privProtocol ?? 'aes',
      SNMP_PRIV_PROTOCOLS,
    );
  return { credential, secrets };
}

/** Most fingerprints one credential pins (one per host it is used on, within reason). */
const MAX_PINS = 256;

/**
 * The WinRM settings of a windows credential, checked: the auth mode, the CA bundle (every
 * certificate must parse; stored as its certificate blocks alone) and the pinned fingerprints
 * (normalised to `SHA256:AA:BB:…`, duplicates dropped). The CLI (`--winrm-*`) and the GUI's API
 * both come through here. Only the fields given are returned, so older vaults stay as they are.
 */
export function validateWinrm(
  label: string,
  input: Pick<CredentialInput, 'winrmAuth' | 'winrmCa' | 'winrmCertFingerprints'>,
): { winrmAuth?: WinrmAuthMode; winrmCa?: string; winrmCertFingerprints?: string[] } {
  const out: ReturnType<typeof validateWinrm> = {};
  if (input.winrmAuth !== undefined)
    out.winrmAuth = oneOf(label, 'winrmAuth', input.winrmAuth, WINRM_AUTH_MODES);
  if (input.winrmCa !== undefined) {
    if (typeof input.winrmCa !== 'string') throw invalid(`${label}: winrmCa must be PEM text`);
    if (input.winrmCa.trim() !== '') {
      try {
        parseCertificateBundle(input.winrmCa);
      } catch (err) {
        throw invalid(`${label}: winrmCa: ${(err as Error).message}`);
      }
      out.winrmCa = canonicalBundle(input.winrmCa);
    }
  }
  if (input.winrmCertFingerprints !== undefined) {
    const given: unknown = input.winrmCertFingerprints;
    if (!Array.isArray(given) || given.some((f) => typeof f !== 'string'))
      throw invalid(`${label}: winrmCertFingerprints must be a list of SHA-256 fingerprints`);
    const pins: string[] = [];
    for (const f of given as string[]) {
      if (f.trim() === '') continue;
      let pin: string;
      try {
        pin = normaliseCertFingerprint(f);
      } catch (err) {
        throw invalid(`${label}: winrmCertFingerprints: ${(err as Error).message}`);
      }
      if (!pins.includes(pin)) pins.push(pin);
    }
    if (pins.length > MAX_PINS)
      throw invalid(`${label}: winrmCertFingerprints: more than ${MAX_PINS} fingerprints`);
    if (pins.length > 0) out.winrmCertFingerprints = pins;
  }
  return out;
}

/**
 * Windows account forms: `DOMAIN\user`, `user@domain` (UPN), `.\user` (local), or `user` with
 * `--domain` (default `.`, the target's local accounts).
 */
export function parseWindowsAccount(
  label: string,
  rawUser: string | undefined,
  rawDomain: string | undefined,
): { username: string; domain: string } {
  const given = requireUsername(label, rawUser, true);
  let username = given;
  let domain: string | undefined;
  const backslash = given.indexOf('\\');
  if (backslash >= 0) {
    domain = given.slice(0, backslash);
    username = given.slice(backslash + 1);
  } else if (given.includes('@')) {
    const at = given.lastIndexOf('@');
    username = given.slice(0, at);
    domain = given.slice(at + 1);
  }
  if (username === '' || /[\\@"/[\]:;|=,+*?<>]/.test(username)) {
    throw invalid(
      `${label}: cannot read a user name from '${given}' (use DOMAIN\\user, user@domain or .\\user)`,
    );
  }
  if (domain !== undefined && domain === '')
    throw invalid(`${label}: the domain in '${given}' is empty`);
  const flag = rawDomain?.trim();
  if (flag !== undefined && flag !== '') {
    if (domain !== undefined && domain.toLowerCase() !== flag.toLowerCase()) {
      throw invalid(`${label}: --domain '${flag}' contradicts the domain in '${given}'`);
    }
    domain = flag;
  }
  domain ??= '.';
  if (domain !== '.' && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/.test(domain)) {
    throw invalid(`${label}: '${domain}' is not a NetBIOS or DNS domain name`);
  }
  return { username, domain };
}

function requireUsername(label: string, value: unknown, allowSpaces = false): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(`${label}: a username is required`);
  const v = value.trim();
  // Control characters would be injected into protocol messages or logs; Windows and vCenter
  // account names may hold spaces, Unix and SNMP user names may not.
  if (/\p{Cc}/u.test(v) || (!allowSpaces && /\s/.test(v))) {
    throw invalid(
      `${label}: the username must not contain ${allowSpaces ? '' : 'spaces or '}control characters`,
    );
  }
  if (v.length > 256) throw invalid(`${label}: the username is longer than 256 characters`);
  return v;
}

/** A DNS name (RFC 1123 labels) or an IP address, as a jump host may be given. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Checks a jump host's shape; `credentialId` keeps the name or id as given until the vault
 * resolves it against the stored credentials (it must be another SSH credential without a jump).
 */
function validateJump(
  label: string,
  jump: NonNullable<CredentialInput['jump']>,
): { address: string; port: number; credentialId: string } {
  const address = typeof jump.address === 'string' ? jump.address.trim() : '';
  if (isIP(address) === 0 && !HOST_NAME.test(address)) {
    throw invalid(
      `${label}: jump host ${JSON.stringify(jump.address)} is not an IP address or host name`,
    );
  }
  const port = validatePort(`${label} jump host`, jump.port, 22);
  if (typeof jump.credential !== 'string' || jump.credential.trim() === '') {
    throw invalid(`${label}: a jump host needs the name of the SSH credential that logs in to it`);
  }
  return { address, port, credentialId: jump.credential.trim() };
}

function validatePort(label: string, value: unknown, fallback: number): number {
  const port = value ?? fallback;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(
      `${label}: port must be an integer from 1 to 65535, got ${JSON.stringify(value)}`,
    );
  }
  return port;
}

function oneOf<T extends string>(
  label: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(
      `${label}: ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function need(
  label: string,
  secrets: CredentialSecrets,
  field: keyof CredentialSecrets,
  why: string,
): void {
  if (secrets[field] === undefined)
    throw invalid(`${label}: ${why} (secret '${field}' is missing)`);
}

/** Keeps the secrets that apply; empty strings count as "not given". Never echoes a value. */
function cleanSecrets(kind: CredentialKind, raw: CredentialSecrets): CredentialSecrets {
  if (typeof raw !== 'object' || raw === null) throw invalid('secrets must be an object');
  const out: CredentialSecrets = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!(SECRET_FIELDS as readonly string[]).includes(field)) {
      throw invalid(`unknown secret field '${field}' (known: ${SECRET_FIELDS.join(', ')})`);
    }
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw invalid(`secret '${field}' must be a string`);
    if (value.length > MAX_SECRET)
      throw invalid(`secret '${field}' is longer than ${MAX_SECRET} characters`);
    const key = field as keyof CredentialSecrets;
    if (!ALLOWED_SECRETS[kind].includes(key))
      throw invalid(`${kind} credentials do not use a ${field}`);
    out[key] = value;
  }
  return out;
}

/** Parses the key now so a wrong passphrase or a truncated paste fails at `add`, not mid-scan. */
function checkPrivateKey(label: string, key: string, passphrase: string | undefined): void {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key)) {
    throw invalid(
      `${label}: privateKey is not PEM or OpenSSH private key text (-----BEGIN ... PRIVATE KEY-----)`,
    );
  }
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) {
    // ssh2's messages never include key material; they say what is wrong.
    const why = /passphrase|decrypt|encrypted/i.test(parsed.message)
      ? passphrase === undefined
        ? 'privateKey is encrypted: give its passphrase'
        : 'the passphrase does not decrypt privateKey'
      : `privateKey cannot be read (${parsed.message})`;
    throw invalid(`${label}: ${why}`);
  }
}
