// SNMPv3 privacy protocols net-snmp 3.29 lacks or cannot run on OpenSSL 3: DES (RFC 3414 §8)
// in plain TypeScript, and AES-192 with Blumenthal key extension (what Net-SNMP's snmpd calls
// "AES-192"). Both are added to net-snmp's own algorithm table under keys of our own.
import { randomBytes } from 'node:crypto';
import type { SnmpPrivProtocol } from '../../vault/credential-types.js';
import { desCbcDecrypt, desCbcEncrypt } from './des.js';
import { netSnmp, type NetSnmpPrivAlgorithm } from './net-snmp-api.js';

/** net-snmp table keys for the algorithms registered here (strings: no clash with its numbers). */
const DES_KEY = 'nopesight-des-cbc';
const AES192_KEY = 'nopesight-aes192-blumenthal';

/**
 * DES-CBC per RFC 3414 §8.1.1: key = localized key bytes 0–7, pre-IV = bytes 8–15, IV = pre-IV
 * XOR salt, the salt (8 random bytes here) travels as msgPrivacyParameters; the scoped PDU is
 * zero-padded to the block size. net-snmp's own DES entry calls OpenSSL's des-cbc, which
 * OpenSSL 3 only has in its legacy provider, and the pure-JS DES in net-snmp/lib is not DES (its
 * round function skips the S-boxes).
 */
const des: NetSnmpPrivAlgorithm = {
  CRYPTO_ALGORITHM: 'des-cbc',
  KEY_LENGTH: 8,
  BLOCK_LENGTH: 8,
  encryptPdu(scopedPdu, _privProtocol, privPassword, authProtocol, engine) {
    const { key, preIv } = desKeys(privPassword, authProtocol, engine.engineID);
    const salt = randomBytes(8);
    const padded = Buffer.alloc(Math.ceil(scopedPdu.length / 8) * 8);
    scopedPdu.copy(padded);
    return {
      encryptedPdu: desCbcEncrypt(key, xor8(preIv, salt), padded),
      msgPrivacyParameters: salt,
    };
  },
  decryptPdu(encryptedPdu, _privProtocol, privParameters, privPassword, authProtocol, engine) {
    if (privParameters.length !== 8) throw new Error('DES privacy parameters are not 8 bytes');
    const { key, preIv } = desKeys(privPassword, authProtocol, engine.engineID);
    // The BER reader ignores the zero padding after the scoped PDU.
    return desCbcDecrypt(key, xor8(preIv, privParameters), encryptedPdu);
  },
  localizationAlgorithm: null,
};

function desKeys(
  privPassword: string,
  authProtocol: number,
  engineID: Buffer,
): { key: Buffer; preIv: Buffer } {
  const localized = netSnmp.Authentication.passwordToKey(authProtocol, privPassword, engineID);
  return { key: localized.subarray(0, 8), preIv: localized.subarray(8, 16) };
}

function xor8(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * AES-192-CFB (RFC 3826 with a 24-byte key). The key is extended from the localized key the
 * Blumenthal way (draft-blumenthal-aes-usm-04), as net-snmp does for its `aes256b` and as
 * Net-SNMP's snmpd does for "AES-192" (its "AES-192-C" is the Reeder/Cisco variant).
 */
const aes192: NetSnmpPrivAlgorithm = {
  CRYPTO_ALGORITHM: 'aes-192-cfb',
  KEY_LENGTH: 24,
  BLOCK_LENGTH: 16,
  encryptPdu: netSnmp.Encryption.encryptPduAes,
  decryptPdu: netSnmp.Encryption.decryptPduAes,
  localizationAlgorithm: netSnmp.Encryption.generateLocalizedKeyBlumenthal,
};

// Registered once when this module loads. The table belongs to net-snmp; adding two keys it
// does not use changes nothing for its own protocols.
netSnmp.Encryption.algorithms[DES_KEY] = des;
netSnmp.Encryption.algorithms[AES192_KEY] = aes192;

/** The net-snmp privProtocol value for each of our credential's privacy protocols. */
export const PRIV_PROTOCOLS: Record<SnmpPrivProtocol, number | string> = {
  des: DES_KEY,
  aes: netSnmp.PrivProtocols.aes,
  aes192: AES192_KEY,
  // net-snmp's aes256b is Blumenthal key extension: what Net-SNMP calls "AES-256".
  aes256: netSnmp.PrivProtocols.aes256b,
};
