// Typed facade over the untyped net-snmp package: only the parts the SNMP transport uses.
import { createRequire } from 'node:module';

export interface NetSnmpVarbind {
  oid: string;
  type: number;
  value: unknown;
}

export interface NetSnmpUser {
  name: string;
  level: number;
  authProtocol?: number;
  authKey?: string;
  privProtocol?: number;
  privKey?: string;
}

export interface NetSnmpSessionOptions {
  port: number;
  retries: number;
  timeout: number;
  transport: 'udp4' | 'udp6';
  version: number;
  idBitsSize?: 16 | 32;
}

export interface NetSnmpSession {
  get(oids: string[], cb: (err: Error | null, varbinds?: NetSnmpVarbind[]) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}

interface NetSnmpModule {
  Version1: number;
  Version2c: number;
  Version3: number;
  SecurityLevel: Record<'noAuthNoPriv' | 'authNoPriv' | 'authPriv', number>;
  AuthProtocols: Record<'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512', number>;
  PrivProtocols: Record<'des' | 'aes' | 'aes256b' | 'aes256r', number>;
  ObjectType: Record<number, string>;
  ErrorStatus: Record<number, string>;
  ResponseInvalidCode: Record<'ECouldNotDecrypt' | 'EAuthFailure', number>;
  createSession(target: string, community: string, options: NetSnmpSessionOptions): NetSnmpSession;
  createV3Session(
    target: string,
    user: NetSnmpUser,
    options: NetSnmpSessionOptions,
  ): NetSnmpSession;
}

/** net-snmp 3.x, loaded through require because it ships CommonJS without type declarations. */
export const netSnmp = createRequire(import.meta.url)('net-snmp') as NetSnmpModule;
