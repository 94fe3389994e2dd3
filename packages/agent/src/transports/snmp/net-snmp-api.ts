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
  /** A PrivProtocols number, or the key of an algorithm registered by snmp-privacy.ts. */
  privProtocol?: number | string;
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
  /** With one OID and no non-repeaters the answer is `[[vb, vb, …]]`. */
  getBulk(
    oids: string[],
    nonRepeaters: number,
    maxRepetitions: number,
    cb: (err: Error | null, varbinds?: NetSnmpVarbind[][]) => void,
  ): void;
  getNext(oids: string[], cb: (err: Error | null, varbinds?: NetSnmpVarbind[]) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}

/** The engine fields net-snmp hands to a privacy algorithm. */
export interface NetSnmpEngine {
  engineID: Buffer;
  engineBoots: number;
  engineTime: number;
}

/** One entry of net-snmp's privacy algorithm table (`Encryption.algorithms`). */
export interface NetSnmpPrivAlgorithm {
  CRYPTO_ALGORITHM: string;
  KEY_LENGTH: number;
  BLOCK_LENGTH: number;
  encryptPdu(
    scopedPdu: Buffer,
    privProtocol: number | string,
    privPassword: string,
    authProtocol: number,
    engine: NetSnmpEngine,
  ): { encryptedPdu: Buffer; msgPrivacyParameters: Buffer };
  decryptPdu(
    encryptedPdu: Buffer,
    privProtocol: number | string,
    privParameters: Buffer,
    privPassword: string,
    authProtocol: number,
    engine: NetSnmpEngine,
  ): Buffer;
  localizationAlgorithm: unknown;
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
  Authentication: {
    /** RFC 3414 password-to-key localized to `engineID` (cached by net-snmp). */
    passwordToKey(authProtocol: number, password: string, engineID: Buffer): Buffer;
  };
  Encryption: {
    algorithms: Record<number | string, NetSnmpPrivAlgorithm>;
    encryptPduAes: NetSnmpPrivAlgorithm['encryptPdu'];
    decryptPduAes: NetSnmpPrivAlgorithm['decryptPdu'];
    generateLocalizedKeyBlumenthal: unknown;
  };
  createSession(target: string, community: string, options: NetSnmpSessionOptions): NetSnmpSession;
  createV3Session(
    target: string,
    user: NetSnmpUser,
    options: NetSnmpSessionOptions,
  ): NetSnmpSession;
}

/** net-snmp 3.x, loaded through require because it ships CommonJS without type declarations. */
export const netSnmp = createRequire(import.meta.url)('net-snmp') as NetSnmpModule;
