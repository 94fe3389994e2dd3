// Unauthenticated SMB fingerprint: SMB2 NEGOTIATE, then an NTLM CHALLENGE read from SESSION_SETUP.
import { randomBytes } from 'node:crypto';
import type { SmbFacts } from '@nopesight/model';
import { ScannerError, hasCode } from '../../errors.js';
import {
  buildNegotiateMessage,
  formatVersion,
  parseChallengeMessage,
  targetInfoFacts,
  filetimeToIso,
  type NtlmChallenge,
} from '../../transports/ntlm/ntlm-message.js';
import { buildNegTokenInit, extractNtlmToken } from '../../transports/ntlm/spnego.js';
import { SmbConnection } from '../../transports/smb2/smb2-connection.js';
import { NT_STATUS, formatStatus } from '../../transports/smb2/smb2-header.js';
import {
  SECURITY_MODE,
  buildNegotiateRequest,
  capabilityNames,
  formatGuid,
  parseNegotiateResponse,
  type NegotiateResponse,
} from '../../transports/smb2/smb2-negotiate.js';
import {
  buildSessionSetupRequest,
  parseSessionSetupResponse,
} from '../../transports/smb2/smb2-session-setup.js';
import type { ProbeContext } from '../types.js';

/** Everything the two round trips revealed; `facts` is what goes into the host record. */
export interface SmbFingerprint {
  facts: SmbFacts;
  /** e.g. 'a1b2c3d4-…', from the NEGOTIATE response. */
  serverGuid: string;
  /** Names of SMB2 global capability bits: 'dfs', 'leasing', 'largeMtu', 'encryption', … */
  capabilities: string[];
  negotiate: NegotiateResponse;
  /** Null when the server did not answer SESSION_SETUP with an NTLM challenge. */
  challenge: NtlmChallenge | null;
  /** Why `challenge` is null, e.g. 'SESSION_SETUP status 0xC0000022'. */
  challengeError?: string;
}

export interface SmbProbeOptions {
  /** 'netbios' opens a NetBIOS session first. Default: 'netbios' on port 139, else 'direct'. */
  transport?: 'direct' | 'netbios';
  /** Called name for the NetBIOS session. Default '*SMBSERVER'. */
  calledName?: string;
}

/** The NetBIOS session used on 139; 445 is direct TCP. */
function sessionFor(
  port: number,
  o: SmbProbeOptions,
): { calledName: string; callingName: string } | undefined {
  const netbios = (o.transport ?? (port === 139 ? 'netbios' : 'direct')) === 'netbios';
  return netbios
    ? { calledName: o.calledName ?? '*SMBSERVER', callingName: 'NOPESIGHT' }
    : undefined;
}

/** SESSION_SETUP with NTLMSSP NEGOTIATE; fills `result` from the CHALLENGE. Never authenticates. */
async function readChallenge(
  conn: SmbConnection,
  result: SmbFingerprint,
  left: () => { signal: AbortSignal; timeoutMs: number },
): Promise<void> {
  const facts = result.facts;
  const setupReply = await conn.exchange(
    buildSessionSetupRequest({
      messageId: 1n,
      securityBuffer: buildNegTokenInit(buildNegotiateMessage()),
    }),
    'session setup',
    left(),
  );
  const setup = parseSessionSetupResponse(setupReply);
  if (setup.header.status !== NT_STATUS.moreProcessingRequired) {
    result.challengeError = `SESSION_SETUP status ${formatStatus(setup.header.status)}`;
    return;
  }
  const challenge = parseChallengeMessage(extractNtlmToken(setup.securityBuffer));
  result.challenge = challenge;
  const info = targetInfoFacts(challenge.targetInfo);
  if (challenge.version) facts.osBuild = formatVersion(challenge.version);
  if (info.nbComputerName) facts.netbiosComputerName = info.nbComputerName;
  if (info.nbDomainName) facts.netbiosDomainName = info.nbDomainName;
  if (info.dnsComputerName) facts.dnsComputerName = info.dnsComputerName;
  if (info.dnsDomainName) facts.dnsDomainName = info.dnsDomainName;
  if (info.dnsTreeName) facts.dnsTreeName = info.dnsTreeName;
  if (!facts.serverTime && info.timestamp) facts.serverTime = info.timestamp;
}

/**
 * Reads an SMB server's dialect, signing policy, GUID, clock, and the NTLM challenge's names and
 * OS version, sending no credentials: the connection is dropped after the challenge.
 * `ctx.timeoutMs` bounds the whole exchange; ERR_TIMEOUT names the phase that ran out.
 * Rejects ERR_PORT_CLOSED (refused), ERR_UNREACHABLE, ERR_TIMEOUT, ERR_ABORTED, or ERR_PROTOCOL
 * (not SMB2).
 */
export async function probeSmb(
  address: string,
  port: number,
  ctx: ProbeContext,
  o: SmbProbeOptions = {},
): Promise<SmbFingerprint> {
  const deadline = Date.now() + ctx.timeoutMs;
  // Each phase gets what is left of the budget but reports the whole limit in its message.
  const left = (): { signal: AbortSignal; timeoutMs: number } => ({
    signal: ctx.signal,
    timeoutMs: Math.max(0, deadline - Date.now()),
  });
  const session = sessionFor(port, o);
  try {
    const conn = await SmbConnection.connect(address, port, {
      ...left(),
      ...(session ? { netbiosSession: session } : {}),
    });
    try {
      const negReply = await conn.exchange(
        buildNegotiateRequest({
          clientGuid: randomBytes(16),
          salt: randomBytes(32),
          messageId: 0n,
        }),
        'negotiate',
        left(),
      );
      const negotiate = parseNegotiateResponse(negReply);
      const facts: SmbFacts = {
        dialect: negotiate.dialect,
        signingRequired: (negotiate.securityMode & SECURITY_MODE.signingRequired) !== 0,
      };
      const systemTime = filetimeToIso(negotiate.systemTime);
      if (systemTime) facts.serverTime = systemTime;
      const result: SmbFingerprint = {
        facts,
        serverGuid: formatGuid(negotiate.serverGuid),
        capabilities: capabilityNames(negotiate.capabilities),
        negotiate,
        challenge: null,
      };

      // The negotiate facts stand even when the NTLM step fails: a partial result is kept.
      try {
        await readChallenge(conn, result, left);
      } catch (err) {
        if (hasCode(err, 'ERR_ABORTED')) throw err;
        result.challengeError = err instanceof Error ? err.message : String(err);
      }
      return result;
    } finally {
      conn.close();
    }
  } catch (err) {
    if (err instanceof ScannerError && err.code === 'ERR_TIMEOUT') {
      // The phase saw only what was left of the budget; name the whole limit too.
      throw new ScannerError(
        'ERR_TIMEOUT',
        `${err.message} (SMB fingerprint limit ${ctx.timeoutMs} ms)`,
        { cause: err },
      );
    }
    if (err instanceof ScannerError) throw err;
    throw new ScannerError('ERR_PROTOCOL', `smb ${address}:${port}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The host record's SMB facts for `address:port` (445 direct TCP, 139 NetBIOS session). */
export async function fingerprintSmb(
  address: string,
  port: number,
  ctx: ProbeContext,
): Promise<SmbFacts> {
  return (await probeSmb(address, port, ctx)).facts;
}
