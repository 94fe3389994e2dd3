// Credential shapes: the public part (listable, never secret) and the secret part (only in the vault).
import type { CredentialKind } from '@nopesight/model';

export type SudoMode = 'none' | 'nopasswd' | 'password';
export type SnmpVersion = '1' | '2c' | '3';
export type SnmpSecurityLevel = 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
export type SnmpAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type SnmpPrivProtocol = 'des' | 'aes' | 'aes192' | 'aes256';

/** What a credential is, without its secrets: safe to list, log and show in the GUI. */
export interface CredentialBase {
  /** Stable identifier (uuid); what host records carry as `credentialId`. */
  id: string;
  /** Unique, user-chosen name. */
  name: string;
  kind: CredentialKind;
  /** Target tokens (addresses, CIDRs, ranges, hostnames) this credential may be tried on; empty = any. */
  scope: string[];
  createdAt: string;
  updatedAt: string;
}

export interface WindowsCredential extends CredentialBase {
  kind: 'windows';
  username: string;
  /** NetBIOS or DNS domain; '.' means the target's local accounts. */
  domain: string;
  /**
   * Allow remote execution (a temporary service running tasklist/netstat, output read from
   * ADMIN$, both deleted afterwards) for processes and connections. Off unless set; absent in
   * vaults written before the option existed.
   */
  remoteExec?: boolean;
  /**
   * WinRM authentication: NTLM (default; absent in vaults written before the option) or Basic,
   * which is only ever sent over HTTPS (5986), so a Basic credential never uses 5985.
   */
  winrmAuth?: WinrmAuthMode;
  /** WinRM HTTPS: PEM bundle of CA certificates trusted instead of the system CAs. Not secret. */
  winrmCa?: string;
  /**
   * WinRM HTTPS: pinned server certificate fingerprints (`SHA256:AA:BB:…`). When set, a server
   * certificate is accepted only if it is one of these; its chain and names are not checked.
   */
  winrmCertFingerprints?: string[];
}

export type WinrmAuthMode = 'ntlm' | 'basic';

export interface SshCredential extends CredentialBase {
  kind: 'ssh';
  username: string;
  port: number;
  sudo: SudoMode;
  /** Reach targets through this jump host (bastion), logged in with another SSH credential. */
  jump?: SshJump;
}

/** A jump host: where it is and which stored SSH credential logs in to it (one hop). */
export interface SshJump {
  address: string;
  port: number;
  credentialId: string;
}

export interface SnmpCredential extends CredentialBase {
  kind: 'snmp';
  version: SnmpVersion;
  port: number;
  /** v3 only. */
  username?: string;
  securityLevel?: SnmpSecurityLevel;
  authProtocol?: SnmpAuthProtocol;
  privProtocol?: SnmpPrivProtocol;
}

export interface VcenterCredential extends CredentialBase {
  kind: 'vcenter';
  username: string;
  port: number;
  /** TLS verification is on unless the user turns it off explicitly (logged when used). */
  tlsVerify: boolean;
  /** PEM file with extra CA certificates to trust. */
  caFile?: string;
}

export type Credential = WindowsCredential | SshCredential | SnmpCredential | VcenterCredential;

/** Secret fields; which apply depends on the kind. Never logged, uploaded or printed. */
export interface CredentialSecrets {
  password?: string;
  privateKey?: string;
  passphrase?: string;
  community?: string;
  authPassword?: string;
  privPassword?: string;
  sudoPassword?: string;
}

export const SECRET_FIELDS = [
  'password',
  'privateKey',
  'passphrase',
  'community',
  'authPassword',
  'privPassword',
  'sudoPassword',
] as const satisfies readonly (keyof CredentialSecrets)[];

/** A credential with its secrets, as the vault hands it to a collector for one attempt. */
export interface UnlockedCredential {
  credential: Credential;
  secrets: CredentialSecrets;
}
