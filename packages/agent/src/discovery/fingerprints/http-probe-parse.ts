// Pure HTTP/1.x response parsing for the fingerprint probes: head, bounded body, HTML title.

/** The status line and headers of one response. Header names are lower-cased; order is kept. */
export interface HttpHead {
  httpVersion: string;
  status: number;
  reason: string;
  headers: [name: string, value: string][];
  /** Bytes up to and including the blank line that ends the head. */
  headBytes: number;
}

export type HttpHeadScan =
  { kind: 'need-more' } | { kind: 'head'; head: HttpHead } | { kind: 'invalid'; reason: string };

/** Limits on a response head (a hostile server must not make us buffer without end). */
export interface HttpHeadLimits {
  maxHeadBytes: number;
  maxHeaders: number;
}

export const DEFAULT_HTTP_HEAD_LIMITS: HttpHeadLimits = { maxHeadBytes: 16384, maxHeaders: 100 };

/** First bytes of a TLS record (handshake 0x16 or alert 0x15, version 3.x): a TLS port, not HTTP. */
export function looksLikeTls(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/**
 * Finds the end of the response head in what was received so far and parses it.
 *
 * @example
 * scanHttpHead(Buffer.from('HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n'))
 * // → { kind: 'head', head: { status: 200, headers: [['server', 'nginx']], … } }
 */
export function scanHttpHead(
  received: Uint8Array,
  limits: HttpHeadLimits = DEFAULT_HTTP_HEAD_LIMITS,
): HttpHeadScan {
  const buf = Buffer.from(received.buffer, received.byteOffset, received.byteLength);
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') !== 'HTTP/') {
    return {
      kind: 'invalid',
      reason: looksLikeTls(buf) ? 'the server answered with TLS' : 'the answer is not HTTP',
    };
  }
  const end = findHeadEnd(buf, limits.maxHeadBytes);
  if (end === -1) {
    if (buf.length >= limits.maxHeadBytes) {
      return { kind: 'invalid', reason: `response head larger than ${limits.maxHeadBytes} bytes` };
    }
    return { kind: 'need-more' };
  }
  const lines = buf.subarray(0, end.index).toString('latin1').split(/\r?\n/);
  const statusLine = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!statusLine) return { kind: 'invalid', reason: 'malformed status line' };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      // Obsolete line folding (RFC 9112 §5.2): join it to the previous value.
      const last = headers[headers.length - 1] as [string, string];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'invalid', reason: 'malformed header line' };
    if (headers.length >= limits.maxHeaders) {
      return { kind: 'invalid', reason: `more than ${limits.maxHeaders} headers` };
    }
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return {
    kind: 'head',
    head: {
      httpVersion: statusLine[1] as string,
      status: Number(statusLine[2]),
      reason: statusLine[3] ?? '',
      headers,
      headBytes: end.index + end.length,
    },
  };
}

/** The first value of a header (names are lower-case). */
export function headerValue(head: HttpHead, name: string): string | undefined {
  return head.headers.find(([n]) => n === name)?.[1];
}

/** How the body's end is known, from the head (RFC 9112 §6.3, for responses to GET and POST). */
export type BodyFraming =
  { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

export function bodyFraming(head: HttpHead, method: string): BodyFraming {
  if (method === 'HEAD' || head.status === 204 || head.status === 304 || head.status < 200) {
    return { kind: 'none' };
  }
  const te = headerValue(head, 'transfer-encoding');
  if (te && /(^|,)\s*chunked\s*$/i.test(te)) return { kind: 'chunked' };
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined && /^\d+$/.test(cl.trim())) return { kind: 'length', length: Number(cl) };
  return { kind: 'close' };
}

export type ChunkedScan =
  | { kind: 'need-more'; body: Buffer }
  | { kind: 'complete'; body: Buffer }
  | { kind: 'invalid'; reason: string };

/**
 * Decodes a chunked body received so far, keeping at most `maxBody` bytes of payload. The result
 * is `complete` at the last chunk, or as soon as `maxBody` bytes are in hand (the rest is not
 * needed).
 */
export function decodeChunked(received: Uint8Array, maxBody: number): ChunkedScan {
  const buf = Buffer.from(received.buffer, received.byteOffset, received.byteLength);
  const parts: Buffer[] = [];
  let size = 0;
  let pos = 0;
  // Bounded: every round consumes at least one chunk-size line, or returns.
  while (pos < buf.length) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd === -1) {
      if (buf.length - pos > 1024) return { kind: 'invalid', reason: 'chunk size line too long' };
      break;
    }
    const sizeText = buf.subarray(pos, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return { kind: 'invalid', reason: 'bad chunk size' };
    const chunkSize = parseInt(sizeText, 16);
    if (chunkSize === 0) return { kind: 'complete', body: Buffer.concat(parts) };
    const dataStart = lineEnd + 2;
    const available = Math.min(chunkSize, buf.length - dataStart);
    const take = Math.min(available, maxBody - size);
    parts.push(buf.subarray(dataStart, dataStart + take));
    size += take;
    if (size >= maxBody) return { kind: 'complete', body: Buffer.concat(parts) };
    if (available < chunkSize) break;
    pos = dataStart + chunkSize + 2;
  }
  return { kind: 'need-more', body: Buffer.concat(parts) };
}

const MAX_TITLE_CHARS = 200;

/**
 * The text of the first `<title>` of an HTML document, whitespace collapsed, the usual entities
 * decoded, at most 200 characters; undefined when there is none.
 *
 * @example
 * htmlTitle('<html><head><title> ID_VC_Welcome </title>') // → 'ID_VC_Welcome'
 */
export function htmlTitle(html: string): string | undefined {
  const match = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  if (!match) return undefined;
  const text = decodeEntities(match[1] ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? undefined : text.slice(0, MAX_TITLE_CHARS);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Decodes a body for reading a title: charset from Content-Type, else UTF-8. */
export function bodyText(body: Buffer, contentType: string | undefined): string {
  const charset = /charset="?([\w-]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  const latin1 = charset === 'iso-8859-1' || charset === 'latin1' || charset === 'windows-1252';
  return body.toString(latin1 ? 'latin1' : 'utf8');
}

function findHeadEnd(buf: Buffer, max: number): { index: number; length: number } | -1 {
  const limit = Math.min(buf.length, max);
  const crlf = buf.subarray(0, limit).indexOf('\r\n\r\n', 0, 'latin1');
  const lf = buf.subarray(0, limit).indexOf('\n\n', 0, 'latin1');
  if (crlf === -1 && lf === -1) return -1;
  if (lf !== -1 && (crlf === -1 || lf < crlf)) return { index: lf, length: 2 };
  return { index: crlf, length: 4 };
}
