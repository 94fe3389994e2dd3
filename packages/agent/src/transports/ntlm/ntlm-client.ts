// NTLMv2 client context: NEGOTIATE out, CHALLENGE in, AUTHENTICATE out (MIC, key exchange), then keys.
import { randomBytes } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import {
  AV_ID,
  CLIENT_VERSION,
  NTLM_FLAGS,
  buildNegotiateMessage,
  parseChallengeMessage,
  targetInfoFacts,
  type NtlmChallenge,
  type NtlmTargetInfo,
  type NtlmVersion,
} from './ntlm-message.js';
import { clientSessionSecurity, type NtlmSessionSecurity } from './ntlm-session-security.js';
import {
  MIC_OFFSET,
  buildAuthenticateMessage,
  clientAvPairs,
  computeMic,
  computeNtlmv2Response,
  deriveSessionKeys,
  encodeAvPairs,
  encryptSessionKey,
  ntowfv2,
} from './ntlm-v2.js';

export type { NtlmSessionSecurity } from './ntlm-session-security.js';

export interface NtlmCredentials {
  username: string;
  /** The account's domain; for a local account, the server's NetBIOS name or '' (any). */
  domain: string;
  password: string;
  /** Sent in AUTHENTICATE; default 'NOPESIGHT'. */
  workstation?: string;
}

export interface NtlmClientOptions {
  /** MD5 of gss_channel_bindings_struct (16 bytes), or undefined (zeros are sent with a MIC). */
  channelBindings?: Buffer;
  /** SPN sent as MsvAvTargetName, e.g. 'cifs/host'. Not sent by default. */
  targetName?: string;
  /** Negotiate flags; default 0xe2888235 (NTLMv2, ESS, 128-bit, key exchange, sign, seal). */
  flags?: number;
  /** VERSION sent in NEGOTIATE/AUTHENTICATE; default all zero with NTLM revision 15. */
  version?: NtlmVersion;
  /** For tests: fixed client challenge (8), FILETIME timestamp (8) and exported session key (16). */
  testRandom?: { clientChallenge?: Buffer; timestamp?: Buffer; exportedSessionKey?: Buffer };
}

/** The flags this client offers by default (what MS-NLMP §4.2.4's AUTHENTICATE carries). */
export const CLIENT_NEGOTIATE_FLAGS =
  (NTLM_FLAGS.n56 |
    NTLM_FLAGS.keyExchange |
    NTLM_FLAGS.n128 |
    NTLM_FLAGS.version |
    NTLM_FLAGS.targetInfo |
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.alwaysSign |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.seal |
    NTLM_FLAGS.sign |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.unicode) >>>
  0;

/** Bits dropped from our flags when the server's CHALLENGE does not carry them. */
const SERVER_GATED =
  NTLM_FLAGS.extendedSessionSecurity |
  NTLM_FLAGS.n128 |
  NTLM_FLAGS.n56 |
  NTLM_FLAGS.keyExchange |
  NTLM_FLAGS.seal |
  NTLM_FLAGS.sign |
  NTLM_FLAGS.alwaysSign;

/** Windows FILETIME now, 8 bytes little-endian. */
function filetimeNow(): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n, 0);
  return b;
}

/** What the server said about itself in its CHALLENGE. */
export interface NtlmServerInfo extends NtlmTargetInfo {
  targetName: string;
  version: NtlmVersion | null;
}

/**
 * One NTLMv2 client authentication. Call `negotiate()`, pass the server's CHALLENGE to
 * `authenticate()`, send its result; then `sessionKey` and `security()` are available.
 * The password never leaves this object except through the NTLMv2 proof.
 */
export class NtlmClient {
  readonly #creds: NtlmCredentials;
  readonly #opts: NtlmClientOptions;
  readonly #flags: number;
  #negotiate: Buffer | null = null;
  #challenge: NtlmChallenge | null = null;
  #sessionKey: Buffer | null = null;
  #negotiated = 0;
  #security: NtlmSessionSecurity | null = null;

  constructor(creds: NtlmCredentials, opts: NtlmClientOptions = {}) {
    this.#creds = creds;
    this.#opts = opts;
    this.#flags = (opts.flags ?? CLIENT_NEGOTIATE_FLAGS) >>> 0;
  }

  /** The NEGOTIATE_MESSAGE (kept for the MIC). */
  negotiate(): Buffer {
    this.#negotiate = buildNegotiateMessage(this.#flags, this.#opts.version ?? CLIENT_VERSION);
    return this.#negotiate;
  }

  /**
   * The AUTHENTICATE_MESSAGE answering `challengeMessage`: NTLMv2 response, key exchange when
   * negotiated, and a MIC when the server sent MsvAvTimestamp. ERR_PROTOCOL when the challenge
   * is malformed or offers no NTLMv2 target info.
   */
  authenticate(challengeMessage: Buffer): Buffer {
    if (!this.#negotiate) this.negotiate();
    const challenge = parseChallengeMessage(challengeMessage);
    this.#challenge = challenge;
    const negotiated = (this.#flags & ~(SERVER_GATED & ~challenge.flags)) >>> 0;
    this.#negotiated = negotiated;
    const serverTime = challenge.targetInfo.find(
      (p) => p.id === AV_ID.timestamp && p.value.length === 8,
    );
    const withMic = serverTime !== undefined;
    const test = this.#opts.testRandom ?? {};
    const timestamp = serverTime?.value ?? test.timestamp ?? filetimeNow();
    const clientChallenge = test.clientChallenge ?? randomBytes(8);
    const targetInfo = encodeAvPairs(
      clientAvPairs(challenge.targetInfo, {
        withMic,
        ...(this.#opts.channelBindings ? { channelBindings: this.#opts.channelBindings } : {}),
        ...(this.#opts.targetName !== undefined ? { targetName: this.#opts.targetName } : {}),
      }),
    );
    const r = computeNtlmv2Response({
      responseKey: ntowfv2(this.#creds.password, this.#creds.username, this.#creds.domain),
      serverChallenge: challenge.serverChallenge,
      clientChallenge,
      timestamp: Buffer.from(timestamp),
      targetInfo,
      omitLm: withMic,
    });
    // NTLMv2: KeyExchangeKey = SessionBaseKey (MS-NLMP §3.4.5.1).
    const keyExchangeKey = r.sessionBaseKey;
    let exported: Buffer = keyExchangeKey;
    let encryptedKey: Buffer = Buffer.alloc(0);
    if (negotiated & NTLM_FLAGS.keyExchange) {
      exported = test.exportedSessionKey ?? randomBytes(16);
      encryptedKey = encryptSessionKey(keyExchangeKey, exported);
    }
    const msg = buildAuthenticateMessage({
      flags: negotiated,
      lmChallengeResponse: r.lmChallengeResponse,
      ntChallengeResponse: r.ntChallengeResponse,
      domain: this.#creds.domain,
      user: this.#creds.username,
      workstation: this.#creds.workstation ?? 'NOPESIGHT',
      encryptedRandomSessionKey: encryptedKey,
      version: this.#opts.version ?? CLIENT_VERSION,
      withMic,
    });
    if (withMic) {
      computeMic(exported, this.#negotiate!, challengeMessage, msg).copy(msg, MIC_OFFSET);
    }
    this.#sessionKey = Buffer.from(exported);
    return msg;
  }

  /** ExportedSessionKey (16 bytes): SMB2 signing keys derive from it. After `authenticate`. */
  get sessionKey(): Buffer {
    if (!this.#sessionKey) throw new ScannerError('ERR_PROTOCOL', 'NTLM: not authenticated yet');
    return this.#sessionKey;
  }

  /** The flags of the AUTHENTICATE message (ours, less what the server did not offer). */
  get negotiatedFlags(): number {
    return this.#negotiated;
  }

  /** Names, version and clock from the CHALLENGE; after `authenticate`. */
  get serverInfo(): NtlmServerInfo {
    const ch = this.#challenge;
    if (!ch) throw new ScannerError('ERR_PROTOCOL', 'NTLM: no CHALLENGE received yet');
    return { targetName: ch.targetName, version: ch.version, ...targetInfoFacts(ch.targetInfo) };
  }

  /** Sign/seal state for this context (one per context: created on first call). */
  security(): NtlmSessionSecurity {
    this.#security ??= clientSessionSecurity(
      deriveSessionKeys(this.sessionKey, this.#negotiated),
      this.#negotiated,
    );
    return this.#security;
  }
}
