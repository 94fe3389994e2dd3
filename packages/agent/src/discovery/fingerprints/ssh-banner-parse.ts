// Pure parsing of the SSH identification exchange (RFC 4253 §4.2): find and split the server's line.

/** The server's identification line, split as RFC 4253 §4.2 describes. */
export interface SshIdentification {
  /** The whole line without CR LF, control characters removed (at most 255 characters). */
  banner: string;
  /** `2.0`, `1.99` (SSH-1 and SSH-2 both accepted) or `1.5`. */
  protoVersion: string;
  /** `OpenSSH_9.2p1`, `dropbear_2022.83`, `ROSSSH`, `Cisco-1.25`; `-` for Huawei VRP's `SSH-2.0--`. */
  software: string;
  /** Text after the first space: `Debian-2+deb12u3`, `Ubuntu-3ubuntu0.6`. */
  comments?: string;
}

/** Limits on what a server may send before its identification line. */
export interface SshPreambleLimits {
  /** Bytes read in total before giving up (default 8192). */
  maxBytes: number;
  /** Lines accepted before the identification line, which itself is not counted (default 20). */
  maxLines: number;
}

export const DEFAULT_SSH_PREAMBLE_LIMITS: SshPreambleLimits = { maxBytes: 8192, maxLines: 20 };

/** RFC 4253: the identification line is at most 255 characters including CR LF. */
const MAX_IDENTIFICATION_CHARS = 255;

/** Outcome of scanning the bytes received so far. */
export type SshPreambleScan =
  | { kind: 'need-more' }
  | { kind: 'found'; identification: SshIdentification; preamble: string[] }
  | { kind: 'invalid'; reason: string };

/**
 * Scans what a server sent so far for its identification line. Servers may send other lines
 * first (RFC 4253 §4.2); those are returned as `preamble` (each capped at 255 characters).
 *
 * @example
 * scanSshPreamble(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'))
 * // → { kind: 'found', identification: { protoVersion: '2.0', software: 'OpenSSH_9.2p1', … } }
 */
export function scanSshPreamble(
  received: Uint8Array,
  limits: SshPreambleLimits = DEFAULT_SSH_PREAMBLE_LIMITS,
): SshPreambleScan {
  const preamble: string[] = [];
  let start = 0;
  const end = Math.min(received.length, limits.maxBytes);
  for (let i = 0; i < end; i++) {
    if (received[i] !== 0x0a) continue;
    const line = toPrintable(received.subarray(start, i));
    start = i + 1;
    if (line.startsWith('SSH-')) {
      const identification = parseSshIdentification(line);
      if (!identification) return { kind: 'invalid', reason: `malformed identification line` };
      return { kind: 'found', identification, preamble };
    }
    preamble.push(line.slice(0, MAX_IDENTIFICATION_CHARS));
    if (preamble.length > limits.maxLines) {
      return { kind: 'invalid', reason: `more than ${limits.maxLines} lines before SSH-` };
    }
  }
  if (received.length >= limits.maxBytes) {
    return {
      kind: 'invalid',
      reason: `no identification line in the first ${limits.maxBytes} bytes`,
    };
  }
  // A line that cannot be an identification line any more is not worth waiting for.
  const pending = received.subarray(start);
  if (isSshPrefix(pending) && pending.length > MAX_IDENTIFICATION_CHARS) {
    return {
      kind: 'invalid',
      reason: `identification line longer than ${MAX_IDENTIFICATION_CHARS}`,
    };
  }
  if (pending.length >= 4 && !isSshPrefix(pending) && preamble.length >= limits.maxLines) {
    return { kind: 'invalid', reason: `more than ${limits.maxLines} lines before SSH-` };
  }
  return { kind: 'need-more' };
}

/** Splits one identification line (CR LF already removed); undefined when it is not one. */
export function parseSshIdentification(rawLine: string): SshIdentification | undefined {
  const line = toPrintable(Buffer.from(rawLine, 'latin1'));
  if (line.length > MAX_IDENTIFICATION_CHARS) return undefined;
  // protoversion has no '-'; softwareversion should not either, but Cisco ("Cisco-1.25") and
  // Huawei ("HUAWEI-1.5") put one in, so everything up to the first space is the software.
  const match = /^SSH-([^-\s]+)-(\S*)(?: (.*))?$/.exec(line);
  if (!match) return undefined;
  const [, protoVersion = '', software = '', comments] = match;
  const result: SshIdentification = { banner: line, protoVersion, software };
  if (comments !== undefined && comments.trim() !== '') result.comments = comments.trim();
  return result;
}

function isSshPrefix(bytes: Uint8Array): boolean {
  const prefix = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"
  return prefix.every((b, i) => bytes[i] === b);
}

/** Latin-1 decode, drop the trailing CR and any control characters a hostile peer might send. */
function toPrintable(bytes: Uint8Array): string {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
