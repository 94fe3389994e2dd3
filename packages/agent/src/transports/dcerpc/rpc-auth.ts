// What the RpcClient needs from an authentication mechanism, the NTLM one (auth_type 10), and the
// auth verifier arithmetic.
import { NtlmClient, type NtlmCredentials, type NtlmClientOptions } from '../ntlm/ntlm-client.js';
import { AUTH_PAD_ALIGN, AUTH_TYPE } from './pdu.js';

/**
 * Per-message protection after the handshake, as MS-RPCE 3.3.1.5.2 uses GSS: the signature covers
 * the whole PDU (header, plaintext stub, padding, sec_trailer) without the auth value itself.
 * NtlmSessionSecurity from transports/ntlm has this shape.
 */
export interface RpcMessageSecurity {
  /** MAC over `toSign`, advancing the send sequence number. */
  sign(toSign: Buffer): Buffer;
  /** Encrypts `toEncrypt` and MACs `toSign` (the PDU built with the plaintext stub). */
  seal(toEncrypt: Buffer, toSign: Buffer): { ciphertext: Buffer; signature: Buffer };
  /** Decrypts and checks the MAC over `toVerify(plaintext)`; throws ScannerError on a bad MAC. */
  unseal(ciphertext: Buffer, toVerify: (plaintext: Buffer) => Buffer, signature: Buffer): Buffer;
  /** Checks the MAC over `toVerify`; throws ScannerError on a bad MAC. */
  verify(toVerify: Buffer, signature: Buffer): void;
}

/** A three-leg mechanism (bind → bind_ack → auth3): NTLM's negotiate, challenge, authenticate. */
export interface RpcAuthMechanism {
  /** auth_type in the sec_trailer (10 for NTLM). */
  readonly authType: number;
  /** Length of the auth value on protected PDUs (16 for NTLM). */
  readonly signatureLength: number;
  /** The token sent in bind. */
  firstToken(): Buffer;
  /** The token for auth3, given the server's token from bind_ack. */
  secondToken(serverToken: Buffer): Buffer;
  /** Message protection, after secondToken(). */
  security(): RpcMessageSecurity;
}

/** Padding that brings `length` (stub bytes) to the auth alignment. */
export function authPad(length: number): number {
  return (AUTH_PAD_ALIGN - (length % AUTH_PAD_ALIGN)) % AUTH_PAD_ALIGN;
}

/**
 * NTLM (NTLMv2 with extended session security) as an RPC auth mechanism, auth_type 10
 * (RPC_C_AUTHN_WINNT): NEGOTIATE in bind, AUTHENTICATE in auth3.
 */
export function ntlmMechanism(creds: NtlmCredentials, opts?: NtlmClientOptions): RpcAuthMechanism {
  const ntlm = new NtlmClient(creds, opts);
  return {
    authType: AUTH_TYPE.ntlm,
    signatureLength: 16,
    firstToken: () => ntlm.negotiate(),
    secondToken: (challenge) => ntlm.authenticate(challenge),
    security: () => ntlm.security(),
  };
}
